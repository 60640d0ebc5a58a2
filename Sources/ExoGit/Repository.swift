import CGit2
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// A git repository opened the way git hands it to a hook: `GIT_DIR` (absolute or
/// relative), linked worktrees, bare repositories, discovery from a subfolder,
/// `GIT_WORK_TREE`, `GIT_INDEX_FILE`, and the quarantine of a push
/// (`GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`). Nothing is written but
/// the tree and commit of a commit being admitted (Repository+Admission.swift).
public final class Repository {
    let handle: Owner
    private let odbHandle: Owner
    /// Trees read by `treeItems`, by id.
    var trees: [ObjectID: TreeItems] = [:]
    /// Commits' parents and times read for merge bases (CommitGraph.swift), by id.
    var commits: [ObjectID: CommitInfo] = [:]
    /// How much of a blob is read at most, and when its first bytes are enough: set by the
    /// session (a document's frontmatter, within git config `exo.maxFrontmatter`), so a
    /// blob of any size is read only as far as it needs, and one that needs more is refused
    /// rather than exhaust the server's memory. Whole until then.
    public var readLimit = ReadLimit.whole
    /// Merge bases found by the walk, by the two commits in byte order (it is symmetric).
    var mergeBases: [CommitPair: ObjectID?] = [:]
    /// Object folders added after opening (`addObjectDirectory`).
    var addedObjectDirectories: Set<String> = []
    /// The environment the repository was opened with.
    package let environment: [String: String]
    /// `EXO_GUARD_TEST_MERGE_BASE` (CommitGraph.swift), read once: a push of many refs
    /// asks for a million merge bases.
    let mergeBaseTest: String?
    /// The folder the process runs in, as an absolute path.
    package let currentDirectory: String

    var pointer: OpaquePointer { handle.pointer }

    /// Opens the repository named by the environment, else the one around `directory`.
    public init(environment: [String: String], directory: String) throws(ExoError) {
        try LibGit2.ready()
        self.environment = environment
        mergeBaseTest = environment["EXO_GUARD_TEST_MERGE_BASE"]
        self.currentDirectory = directory
        var repo: OpaquePointer? = nil
        let code: Int32
        if let gitDir = environment["GIT_DIR"], !gitDir.isEmpty {
            let path = Self.absolute(gitDir, in: directory)
            code = git.repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        } else {
            code = git.repository_open_ext(&repo, directory, 0, environment["GIT_CEILING_DIRECTORIES"])
        }
        if code < 0 {
            let message = LibGit2.lastMessage()
            if message.contains("objectformat") { throw .unsupportedRepository(directory) }
            if code == GIT_ENOTFOUND.rawValue {
                throw .notARepository(environment["GIT_DIR"].map { Self.absolute($0, in: directory) } ?? directory)
            }
            throw .libgit2(operation: "cannot open repository at \(directory)", message: message)
        }
        handle = Owner(repo!, free: git.repository_free)
        if let workTree = environment["GIT_WORK_TREE"], !workTree.isEmpty {
            try LibGit2.check(git.repository_set_workdir(repo, Self.absolute(workTree, in: directory), 0), "GIT_WORK_TREE")
        }
        odbHandle = try Owner("object database", create: { git.repository_odb(&$0, repo) }, free: git.odb_free)
        let odb = odbHandle.pointer
        // A push in quarantine: the new objects live only in GIT_OBJECT_DIRECTORY, the
        // repository's own in the alternates. Both are added to the object database.
        var extra: [String] = []
        if let objects = environment["GIT_OBJECT_DIRECTORY"], !objects.isEmpty { extra.append(objects) }
        if let alternates = environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] {
            extra.append(contentsOf: Self.splitAlternates(alternates))
        }
        for dir in extra {
            let path = Self.absolute(dir, in: directory)
            _ = git.odb_add_disk_alternate(odb, path)  // a missing folder adds nothing
        }
    }

    /// Opens the repository for this process: its environment and current directory.
    public static func current() throws(ExoError) -> Repository {
        try Repository(environment: ProcessEnvironment.all(), directory: FileSystemPath.currentDirectory())
    }

    var odb: OpaquePointer { odbHandle.pointer }

    /// The object folders, in the order they are searched: a push's quarantine
    /// (`GIT_OBJECT_DIRECTORY`), the repository's own, the alternates the environment names.
    var objectDirectories: [String] {
        var out: [String] = []
        if let objects = environment["GIT_OBJECT_DIRECTORY"], !objects.isEmpty {
            out.append(Self.absolute(objects, in: currentDirectory))
        }
        out.append(commonDir + "/objects")
        out += Self.splitAlternates(environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] ?? "").map {
            Self.absolute($0, in: currentDirectory)
        }
        return out
    }

    /// The work tree's absolute path without a trailing slash, nil in a bare repository.
    public var workTree: String? {
        guard let p = git.repository_workdir(pointer) else { return nil }
        return FileSystemPath.trimmingSlash(String(cString: p))
    }

    /// The git dir (`.git`, `.git/worktrees/NAME`, or the bare repository).
    public var gitDir: String { FileSystemPath.trimmingSlash(String(cString: git.repository_path(pointer)!)) }

    /// The common dir, shared by linked worktrees.
    public var commonDir: String { FileSystemPath.trimmingSlash(String(cString: git.repository_commondir(pointer)!)) }

    /// A name for the top of the tree, as a checkout of it would be named.
    public var topName: String {
        if let w = workTree { return SnapPath.name(String(w.dropFirst())) }
        var name = SnapPath.name(String(gitDir.dropFirst()))
        if name.hasSuffix(".git") && name.count > 4 { name.removeLast(4) }
        return name
    }

    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES`: colon-separated, an entry may be C-quoted.
    static func splitAlternates(_ value: String) -> [String] {
        var out: [String] = []
        var scalars = Substring(value).unicodeScalars[...]
        while !scalars.isEmpty {
            if scalars.first == "\"" {
                scalars.removeFirst()
                var entry = String.UnicodeScalarView()
                while let c = scalars.first, c != "\"" {
                    scalars.removeFirst()
                    if c == "\\", let next = scalars.first {
                        scalars.removeFirst()
                        switch next {
                        case "n": entry.append("\n")
                        case "t": entry.append("\t")
                        case "0"..."7":
                            var code = Int(next.value - 48)
                            for _ in 0..<2 {
                                if let d = scalars.first, ("0"..."7").contains(d) {
                                    code = code * 8 + Int(d.value - 48)
                                    scalars.removeFirst()
                                }
                            }
                            entry.append(Unicode.Scalar(UInt8(truncatingIfNeeded: code)))
                        default: entry.append(next)
                        }
                    } else {
                        entry.append(c)
                    }
                }
                if !scalars.isEmpty { scalars.removeFirst() }  // closing quote
                out.append(String(entry))
                if scalars.first == ":" { scalars.removeFirst() }
            } else {
                let end = scalars.firstIndex(of: ":") ?? scalars.endIndex
                let entry = String(scalars[..<end])
                if !entry.isEmpty { out.append(entry) }
                scalars = end == scalars.endIndex ? scalars[end...] : scalars[scalars.index(after: end)...]
            }
        }
        return out
    }

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : FileSystemPath.trimmingSlash(directory) + "/" + path
    }

    // MARK: - Revisions

    /// The commit a revision names (anything `git rev-parse` takes that peels to a commit).
    public func commit(_ revision: String) throws(ExoError) -> ObjectID {
        let found = LibGit2.withFound(
            create: { git.revparse_single(&$0, pointer, revision) }, free: git.object_free,
            use: { object -> Result<ObjectID, ExoError>? in
                let commit = LibGit2.withFound(
                    create: { git.object_peel(&$0, object, GIT_OBJECT_COMMIT) }, free: git.object_free,
                    use: { ObjectID(git.object_id($0)!) })
                if let commit { return .success(commit) }
                let kind = git.object_type2string(git.object_type(object)).map { String(cString: $0) } ?? "object"
                return .failure(.notACommit(revision: revision, kind: kind))
            })
        guard let found else { throw .badRevision(revision) }
        return try found.get()
    }

    /// The commit HEAD points at, or nil on an unborn branch.
    public func headCommit() throws(ExoError) -> ObjectID? {
        if git.repository_head_unborn(pointer) == 1 { return nil }
        var object: OpaquePointer? = nil
        let code = git.revparse_single(&object, pointer, "HEAD")
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EUNBORNBRANCH.rawValue { return nil }
        try LibGit2.check(code, "cannot read HEAD")
        git.object_free(object)
        return try commit("HEAD")
    }

    /// Whether an object is in the object database (quarantine included).
    public func contains(_ id: ObjectID) -> Bool {
        withUnsafePointer(to: id.raw) { git.odb_exists(odb, $0) == 1 }
    }

    /// The tree of a commit.
    func treeID(ofCommit id: ObjectID) throws(ExoError) -> ObjectID {
        var raw = id.raw
        return try LibGit2.with(
            "cannot read commit \(id)", create: { git.commit_lookup(&$0, pointer, &raw) }, free: git.commit_free,
            use: {
                ObjectID(git.commit_tree_id($0)!)
            })
    }

    /// Names of all refs with the object each points at (symbolic refs resolved).
    public func allReferences() -> [(name: String, id: ObjectID)] {
        final class Box {
            var refs: [(String, ObjectID)] = []
            let repo: OpaquePointer
            init(_ r: OpaquePointer) { repo = r }
        }
        let box = Box(pointer)
        _ = git.reference_foreach_name(
            pointer,
            { name, payload in
                guard let name, let payload else { return 0 }
                let box = Unmanaged<Box>.fromOpaque(payload).takeUnretainedValue()
                var oid = git_oid()
                if git.reference_name_to_id(&oid, box.repo, name) >= 0 {
                    box.refs.append((String(cString: name), ObjectID(oid)))
                }
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        return box.refs.map { (name: $0.0, id: $0.1) }
    }

    /// The branch HEAD names (`refs/heads/main`), even when unborn.
    public var headReferenceName: String? {
        LibGit2.withFound(
            create: { git.reference_lookup(&$0, pointer, "HEAD") }, free: git.reference_free,
            use: { ref in
                guard git.reference_type(ref) == GIT_REFERENCE_SYMBOLIC, let target = git.reference_symbolic_target(ref) else {
                    return nil
                }
                return String(cString: target)
            })
    }
}
