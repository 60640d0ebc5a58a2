/// Which files are documents, and in what order (GRAPH.md §3).
extension Rules {
    /// What a path of the workspace is, as the walk meets it.
    public enum Entry: Sendable, Equatable {
        /// A file, or a symlink to a file whose real path lies inside the root.
        case file
        /// A symlink to a file outside the root, or to nothing.
        case outsideLink
        /// A folder.
        case folder
        /// A symlink to a folder: never entered.
        case folderLink
    }

    /// The documents of a workspace in walk order: files (and symlinks to files inside the
    /// root) named `*.md` or `*.markdown` (case-sensitive), below no symlinked folder, no
    /// folder excluded by `excludesFolder` (the root's patterns) and not excluded by
    /// `excludes(file)`, the patterns in force in the file's own folder (with overlays).
    /// `entries`: every path below the root, relative to it, with what it is. (A folder the
    /// root's patterns exclude holds no file its own check would keep: pruning it saves the
    /// walk its listing, and changes no answer.)
    public static func documents(
        _ entries: [String: Entry], excludesFolder: (String) -> Bool, excludes: (String) -> Bool
    ) -> [String] {
        var out: [String] = []
        for (path, entry) in entries where entry == .file && isDocumentName(path) {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            var folder = ""
            var walked = true
            for part in parts.dropLast() {
                folder = folder.isEmpty ? part : folder + "/" + part
                if entries[folder] != .folder || excludesFolder(folder) { walked = false }
            }
            if walked && !excludes(path) { out.append(path) }
        }
        return out.sorted(by: walksBefore)
    }

    /// A document's name ends in `.md` or `.markdown`, case-sensitive.
    public static func isDocumentName(_ path: String) -> Bool {
        path.unicodeScalars.reversed().starts(with: "dm.".unicodeScalars)
            || path.unicodeScalars.reversed().starts(with: "nwodkram.".unicodeScalars)
    }

    /// Walk order: top-down, in each folder its files first, then its subfolders, each in
    /// name order (code points).
    public static func walksBefore(_ p: String, _ q: String) -> Bool {
        let a = p.split(separator: "/", omittingEmptySubsequences: false)
        let b = q.split(separator: "/", omittingEmptySubsequences: false)
        for k in 0..<min(a.count, b.count) where !same(String(a[k]), String(b[k])) {
            let (folderA, folderB) = (k < a.count - 1, k < b.count - 1)
            if folderA != folderB { return folderB }
            return precedes(String(a[k]), String(b[k]))
        }
        return a.count < b.count
    }

    /// A path is excluded when, for some pattern (`\` read as `/`, trailing `/` and then
    /// one `/**` removed), the path equals the pattern or starts with `pattern/`, or the
    /// pattern has no `/` and equals one component of the path.
    public static func isExcluded(_ rel: String, by patterns: [String]) -> Bool {
        let path = slashed(rel)
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for raw in patterns {
            var pattern = slashed(raw)
            while pattern.unicodeScalars.last == "/" { pattern.unicodeScalars.removeLast() }
            if pattern.unicodeScalars.reversed().starts(with: "**/".unicodeScalars) {
                pattern.unicodeScalars.removeLast(3)
            }
            if same(path, pattern) || isBelow(path, pattern) { return true }
            if !pattern.unicodeScalars.contains("/") && components.contains(where: { same($0, pattern) }) { return true }
        }
        return false
    }

    /// `text` with every `\` read as `/`.
    private static func slashed(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: text.unicodeScalars.map { $0 == "\\" ? "/" : $0 })
        return out
    }

    /// Whether `path` lies below the folder `folder` (starts with `folder/`, code point by
    /// code point).
    private static func isBelow(_ path: String, _ folder: String) -> Bool {
        path.unicodeScalars.starts(with: (folder + "/").unicodeScalars)
    }

    /// The patterns in force for a file in folder `folder`: the root's, then every overlay's
    /// from the outermost down to `folder` (`overlays`: an overlay's folder and its patterns),
    /// an overlay's patterns holding `/` re-based to the root (GRAPH.md §2).
    public static func patterns(in folder: String, root: [String], overlays: [(folder: String, patterns: [String])]) -> [String] {
        var out = root
        for (at, patterns) in overlays where same(at, folder) || isBelow(folder, at) {
            out += patterns.map { $0.contains("/") ? at + "/" + $0 : $0 }
        }
        return out
    }
}
