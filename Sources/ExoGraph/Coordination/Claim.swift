import ExoModel
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// `claim ID --agent HANDLE`: sets `assignee:` in a change's frontmatter, as exo 0.3.1
/// does, on the files on disk. Only the `assignee:` line changes (added before the
/// closing `---` when absent); every other byte, line ending and the file's mode stay.
/// The new text is written to a temporary file in the same folder and renamed over.
public enum Claim {
    /// What `claim` did: the change, its file, the assignee set and the one before.
    public struct Result: Sendable {
        /// The change's derived id.
        public let id: String
        /// The change's file.
        public let path: String
        /// The handle now in `assignee:`.
        public let assignee: String
        /// The `assignee:` value before; nil when there was none.
        public let previous: Value?
        /// Whether the file was written (false when it already named the handle).
        public let changed: Bool
    }

    /// `^@?[A-Za-z0-9._-]+$`, the leading `@` dropped.
    public static func normalizeAgent(_ agent: String) throws(ExoError) -> String {
        var body = Substring(agent)
        if body.first == "@" { body.removeFirst() }
        let ok =
            !body.isEmpty
            && body.utf8.allSatisfy { b in
                (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x5F
                    || b == 0x2D
            }
        guard ok else {
            throw .usage(
                "invalid agent handle \(PythonString.repr(agent)); use letters, numbers, '.', '_', '-' and optional leading @")
        }
        return String(body)
    }

    /// Claims `id` for `agent` in the workspace `open` finds (opened once the handle is valid).
    /// `allow` is asked, with the normalized handle, once the change is found and before
    /// anything is written; it throws to refuse (the guard's check across lines of work).
    public static func run(
        id: String, agent: String, open: () throws(ExoError) -> Workspace,
        allow: (_ assignee: String) throws(ExoError) -> Void = { _ throws(ExoError) in }
    ) throws(ExoError) -> Result {
        let assignee = try normalizeAgent(agent)
        let workspace = try open()
        let snapshot = workspace.snapshot
        var found: Workspace.Located? = nil
        try workspace.documents { doc throws(ExoError) in
            if found == nil && doc.id == id { found = doc }  // the first document with the id, as exo
        }
        guard let doc = found else {
            let candidate = SnapPath.join(workspace.root, "changes/\(id).md")
            if !id.isEmpty, !id.contains("/"), id != ".", id != "..", !id.contains("\0"),
                snapshot.kind(candidate) != nil,
                snapshot.kind(candidate) == .symlink
                    || !(snapshot.realPath(candidate).map { SnapPath.isInside($0, workspace.rootReal) } ?? false)
            {
                throw .refused(file: "changes/\(id).md", cause: "refusing to claim symlinked or out-of-workspace file")
            }
            throw .refused(file: nil, cause: "no work item with id \(PythonString.repr(id))")
        }
        let (path, rel) = (doc.path, doc.rel)
        guard Coordination.Role(path: rel) == .change else {
            throw .refused(file: nil, cause: "\(PythonString.repr(id)) is not a work item under changes/")
        }
        guard doc.config.knownSpecs(type: doc.type)[Exact("assignee")] != nil else {
            throw .refused(
                file: nil, cause: "assignee is not declared for this workspace; add packs = [\"coordination\"] to tropo.toml")
        }
        try ensureInside(workspace, path: path, rel: rel)
        try allow(assignee)
        let bytes = try snapshot.read(path)
        let (newBytes, previous) = try edit(bytes, assignee: assignee, rel: rel)
        let changed = newBytes != nil
        if let newBytes {
            try replace(workspace, path: path, rel: rel, with: newBytes)
        }
        return Result(id: id, path: rel, assignee: assignee, previous: previous, changed: changed)
    }

    private static func ensureInside(_ workspace: Workspace, path: String, rel: String) throws(ExoError) {
        let snapshot = workspace.snapshot
        guard snapshot.kind(path) != .symlink,
            let real = snapshot.realPath(path), SnapPath.isInside(real, workspace.rootReal)
        else {
            throw .refused(file: rel, cause: "refusing to claim symlinked or out-of-workspace file")
        }
    }

    /// The new file bytes (nil when the assignee is already set) and the previous assignee.
    static func edit(_ original: [UInt8], assignee: String, rel: String) throws(ExoError) -> ([UInt8]?, Value?) {
        let hasBOM = original.starts(with: [0xEF, 0xBB, 0xBF])
        let bytes = hasBOM ? Array(original.dropFirst(3)) : original
        let bom: [UInt8] = hasBOM ? [0xEF, 0xBB, 0xBF] : []
        let lines = splitLines(bytes)
        let normalized = Frontmatter.normalize(bytes)
        guard let match = Frontmatter.match(normalized) else {
            if normalized.starts(with: Array("---".utf8)) { throw .refused(file: rel, cause: "malformed frontmatter") }
            return (bom + Array("---\nassignee: \(assignee)\n---\n".utf8) + bytes, nil)
        }
        let doc: YAMLSubset.Document
        do {
            doc = try YAMLSubset.parse(Frontmatter.decode(normalized[match.yaml]))
        } catch {
            throw .refused(file: rel, cause: "frontmatter is not valid YAML: \(error.message)")
        }
        guard case .map(let map) = doc.value else { throw .refused(file: rel, cause: "frontmatter must be a mapping") }
        let previous = map["assignee"]
        if previous?.string.map({ Exact($0) == Exact(assignee) }) == true { return (nil, previous) }
        // File line i (0-based) holds YAML line i; line 0 is the opening `---`.
        let yamlLineCount = normalized[match.yaml].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let closing = 1 + (match.yaml.isEmpty ? 1 : yamlLineCount)
        var out = lines
        let newLine = Array("assignee: \(assignee)".utf8)
        if let keyLine = doc.keyLines["assignee"] {
            out[keyLine].content = newLine
            // A block value's continuation lines go with the old value.
            var next = keyLine + 1
            while next < closing, let first = out[next].content.first, first == 0x20 || first == 0x09 {
                next += 1
            }
            out.removeSubrange((keyLine + 1)..<next)
        } else {
            let ending = closing - 1 >= 0 && !out[closing - 1].ending.isEmpty ? out[closing - 1].ending : [0x0A]
            out.insert(Line(content: newLine, ending: ending), at: closing)
        }
        return (bom + out.flatMap { $0.content + $0.ending }, previous)
    }

    struct Line {
        var content: [UInt8]
        var ending: [UInt8]
    }

    /// Lines as universal newlines sees them, each with its own ending.
    static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A || bytes[i] == 0x0D {
                var end = i + 1
                if bytes[i] == 0x0D && end < bytes.count && bytes[end] == 0x0A { end += 1 }
                lines.append(Line(content: Array(bytes[start..<i]), ending: Array(bytes[i..<end])))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        lines.append(Line(content: Array(bytes[start...]), ending: []))
        return lines
    }

    private static func replace(_ workspace: Workspace, path: String, rel: String, with bytes: [UInt8]) throws(ExoError) {
        let absolute = "/" + path
        try FileWrite.replace(
            absolute, with: bytes, sync: true,
            failure: { ExoError.io(file: rel, action: $0.action, cause: $0.cause) },
            beforeRename: { () throws(ExoError) in try ensureInside(workspace, path: path, rel: rel) })
    }
}
