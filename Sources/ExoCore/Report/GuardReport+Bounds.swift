import ExoGraph

/// What the report shows of what a push controls: every part of it is bounded.
extension GuardReport {
    /// How many doubtful changes a workspace's report names one by one; the rest are counted
    /// (a push can add 20,000 changes that each point at a target no document has).
    static let shownDoubtful = 20

    /// How many of a list of targets a line names (`share:`, `widened here:`); the rest counted.
    static let shownTargets = 10

    /// How many characters of a value from a document a line quotes: a target name or a
    /// parse error is as long as the pusher makes it.
    static let shownCharacters = 200

    /// `value` as a line quotes it: past `shownCharacters`, its start and its length.
    static func clipped(_ value: String) -> String {
        guard value.count > shownCharacters else { return value }
        return "\(value.prefix(shownCharacters))... (\(value.utf8.count) bytes)"
    }

    /// The first `shownTargets` of `items`, each as `describe` says, then how many more.
    static func listed(
        _ items: [String], separator: String = ", ", _ describe: (String) -> String = clipped
    ) -> String {
        let shown = items.prefix(shownTargets).map(describe).joined(separator: separator)
        return items.count > shownTargets ? "\(shown) and \(items.count - shownTargets) more" : shown
    }

    /// How many bytes of a path a line quotes whole: longer than a checkout can hold
    /// comfortably (Linux's PATH_MAX is 4,096), and a push can make paths of megabytes.
    static let shownPathBytes = 1024

    /// `path` as a line quotes it: whole up to `shownPathBytes`, else its start, its end
    /// and its length.
    static func shown(path: String) -> String {
        let bytes = path.utf8
        guard bytes.count > shownPathBytes else { return path }
        let half = shownPathBytes / 2
        let start = String(decoding: bytes.prefix(half), as: UTF8.self)
        let end = String(decoding: bytes.suffix(half), as: UTF8.self)
        return "\(start)\u{2026}\(end) (a path of \(bytes.count) bytes)"
    }
}

/// A push can hold thousands of workspaces (or refs), each with something to say: the text
/// report speaks of the first `shownSections` of them and counts the rest in one line.
extension GuardReport {
    /// How many workspaces (one per workspace and ref) the text report speaks of one by one.
    static let shownSections = 10

    /// The workspaces past `shownSections`, counted.
    struct Unlisted {
        /// The sections written so far that said something, and the notes.
        var sections = 0
        var notes = 0
        /// Imports (pushes into a repository with no commits) past the sections listed.
        var imports = 0
        var workspaces = 0
        var new = 0
        var doubtful = 0
        var existing = 0
        var resolved = 0
        var unreadableBases = 0

        /// Counts `ws`, when its section would have said something.
        mutating func add(_ ws: Guard.WorkspaceCheck) {
            let new = ws.diff.counts.new + ws.branches.new.count
            let existing = ws.diff.counts.existing + ws.branches.existing.count
            let resolved = ws.diff.counts.resolved + ws.branches.resolved.count
            guard new + existing + resolved + ws.doubtfulCount > 0 || ws.baseError != nil else { return }
            workspaces += 1
            self.new += new
            doubtful += ws.doubtfulCount
            self.existing += existing
            self.resolved += resolved
            if ws.baseError != nil { unreadableBases += 1 }
        }

        /// The line that counts them; empty when there are none.
        var line: String {
            var out = ""
            if imports > 0 {
                out += "exo-guard: and \(imports) more ref(s) going into a repository with no commits: imports, not new work.\n"
            }
            guard workspaces > 0 else { return out }
            var parts: [String] = []
            if new > 0 { parts.append("\(new) new conflict(s)") }
            if doubtful > 0 { parts.append("\(doubtful) doubtful change(s)") }
            if existing > 0 { parts.append("\(existing) existing conflict(s)") }
            if resolved > 0 { parts.append("\(resolved) conflict(s) resolved") }
            if unreadableBases > 0 { parts.append("\(unreadableBases) base(s) that could not be read") }
            return out
                + "\nexo-guard: and \(workspaces) more workspace(s) or ref(s) not listed, with \(parts.joined(separator: ", ")) "
                + "(--json lists up to \(GuardReport.jsonPairs) of each kind and counts them all)\n"
        }
    }
}
