import Synchronization

/// Counters of the ways a run did its work, one per fast path and one per plain path it
/// stands in for, so that a test can see that a fast path really ran and not only that it
/// gave the plain path's answer. `EXO_GUARD_STATS=1` prints the session's on stderr as the
/// run ends (`exo-guard probes: prefix-read=140 whole-read=0 ...`). A probe costs a
/// task-local read and one relaxed add (`Probes`).
public enum Probe: Int, CaseIterable, Sendable {
    /// A blob read from the object files only as far as its frontmatter decides.
    case prefixRead
    /// A blob read whole through libgit2 (the plain read).
    case wholeRead
    /// The index read by exo-guard's own reader, folders named by its cache tree.
    case indexFileRead
    /// The index read through libgit2 (the plain read).
    case indexLibgit2Read
    /// A folder whose documents were taken from the cache by its tree id, unwalked.
    case cachedFolder
    /// A folder taken from the cache whose documents were decoded, when first asked for.
    case decodedFolder
    /// A folder listed and its documents read (the plain walk).
    case walkedFolder
    /// A walked folder whose unchanged entries were taken from the version of it an
    /// earlier walk of the run made (`FolderVersion`), only the others read.
    case folderFromVersion
    /// A document's frontmatter taken from the cache by its blob id.
    case cachedFields
    /// A document read and parsed on a helper thread while the walk went on.
    case readAhead
    /// A document read and parsed by the walk itself (the plain read).
    case parsedInWalk
    /// exo's view of a graph kept by an earlier run.
    case keptView
    /// exo's view derived from the view of a graph it differs little from.
    case derivedView
    /// exo's view computed from the whole graph (the plain definition).
    case wholeView
    /// Two views compared through the changed ids' pairs only.
    case changedPairsDiff
    /// Two views compared pair by pair, streamed (more pairs than are kept in memory).
    case streamedDiff
    /// Two views compared pair by pair (the plain comparison).
    case wholeDiff
    /// A line state's work in flight on the watched refs and the conflicts across lines,
    /// kept by an earlier run under the line's tree and the refs' flights.
    case cachedCross
    /// The same derived from the cross state of the view this one was derived from (a
    /// commit's index from HEAD): only the changed ids' items made again.
    case derivedCross
    /// The same computed from the view and the flights (the plain way).
    case computedCross
    /// A watched ref's changes in flight read from the files it changed since its merge
    /// base (`TreeDelta`), with no graph of its own.
    case deltaFlights
    /// The same from the graphs of its tip and merge base, compared folder by folder (the
    /// plain way).
    case graphFlights
    /// A folder's configuration and type made from its parent's in one step (its listing
    /// holds no overlay: the same configuration, the type its name claims or its parent's).
    case folderFromParent
    /// A folder's type looked up through every folder from it up to the root, where an
    /// overlay gives it a configuration of its own (the plain way).
    case typeUpToRoot
    /// A document left out because its folder is excluded by an overlay's rules, known from
    /// the folder's state (made from its parent's), its path not matched again.
    case excludedByFolder
    /// An overlay's configuration whose field specs and folders are its parent's, shared
    /// (the overlay named no field, derive or type).
    case specsFromParent
    /// A streamed comparison with more changed ids than it looks at one by one, whose pairs
    /// of activated ids were counted from the index rather than read (they are all new).
    case activatedPairsCounted
    /// Refs admitted by other checks that have not landed, read as watched refs at their
    /// new values (GUARD.md, "Taking up work is atomic").
    case pendingAdmissions
    /// Refs this run admitted and recorded for the checks after it.
    case admissionsRecorded
    /// A ref stacked on a watched ref read to see whether the work in flight moved on.
    case movedOn
    /// A piece of work held by several refs kept on one of them.
    case onePiece
    /// A walk asking which refs descend from a ref's tip (not kept in the cache yet).
    case successorWalk
    /// An admitted commit's tree written from the index already read (no `git write-tree`).
    case indexTreesWritten
    /// A merge base found by the walk over commits read once per run (not libgit2's).
    case paintedMergeBase
    /// A cross-branch comparison run by the plain engine (`EXO_GUARD_ENGINE=plain`).
    case plainCross
    /// A target state whose watched refs' flights are the base state's (every merge base
    /// with the target is the one with the base), so its cross state is derived from the
    /// base's rather than found again ref by ref.
    case sharedFlights
    /// One walk telling which tips hold commits of their own above a base
    /// (`Repository.tipsWithOwnCommits`), for every pushed ref's `sharedFlights` at once.
    case ownCommitsWalk
    /// A check of one ref of a push whose base state is the push's wide watch's less its own
    /// ref (Watch+Wide.swift), not found again ref by ref.
    case wideBase
    /// A target's graph made from its base's and the files that differ between them
    /// (`Graph.applying`), not walked.
    case derivedGraph
    /// A target's workspace roots known to be its base's (nothing but plain files other than
    /// configurations differ), not searched for.
    case rootsFromBase
    /// A hook run as git runs it (no option), straight to the hook without the argument
    /// parser (`ExoGuardCommand.gitHook`).
    case unparsedHook
    /// The index a commit's hook reads, read and parsed on another thread while libgit2
    /// loaded (`IndexFile.prefetch`), and found to be the file the hook then opened.
    case prefetchedIndex
    /// Folders read from the cache whose entries were checked together on every core
    /// (`CacheCoding.subtreeShapes`), one level of a tree at a time.
    case checkedTogether
    /// A folder's entry read in place in the mapped cache file, not copied out
    /// (`DiskParseStore.loadMapped`): copied only if its documents are asked for.
    case folderInPlace
    /// A derived view kept as its base's cache entry, to the byte (no changed id an active
    /// change on either side), not encoded.
    case viewAsBase
    /// A view's cache entry encoded on another thread while the run went on.
    case encodedAside
    /// The active items of a kept view that point at a changed item's targets, found on
    /// the view's numbers, its items' targets not made.
    case targetsFromNumbers
    /// A frontmatter block in the common shape read in one pass over its bytes
    /// (`YAMLSubset.simpleMap`), not by tropo's full parser.
    case simpleFrontmatter
    /// A frontmatter block read by the full parser of tropo's YAML subset.
    case fullFrontmatter

    /// The name in the stats line.
    public var name: String {
        switch self {
        case .prefixRead: "prefix-read"
        case .wholeRead: "whole-read"
        case .indexFileRead: "index-file"
        case .indexLibgit2Read: "index-libgit2"
        case .cachedFolder: "cached-folder"
        case .decodedFolder: "decoded-folder"
        case .walkedFolder: "walked-folder"
        case .folderFromVersion: "folder-from-version"
        case .cachedFields: "cached-fields"
        case .readAhead: "read-ahead"
        case .parsedInWalk: "parsed-in-walk"
        case .keptView: "kept-view"
        case .derivedView: "derived-view"
        case .wholeView: "whole-view"
        case .changedPairsDiff: "changed-pairs-diff"
        case .streamedDiff: "streamed-diff"
        case .wholeDiff: "whole-diff"
        case .cachedCross: "cached-cross"
        case .derivedCross: "derived-cross"
        case .computedCross: "computed-cross"
        case .deltaFlights: "delta-flights"
        case .graphFlights: "graph-flights"
        case .folderFromParent: "folder-from-parent"
        case .typeUpToRoot: "type-up-to-root"
        case .excludedByFolder: "excluded-by-folder"
        case .specsFromParent: "specs-from-parent"
        case .activatedPairsCounted: "activated-pairs-counted"
        case .pendingAdmissions: "pending-admissions"
        case .admissionsRecorded: "admissions-recorded"
        case .movedOn: "moved-on"
        case .onePiece: "one-piece"
        case .successorWalk: "successor-walk"
        case .indexTreesWritten: "index-trees-written"
        case .paintedMergeBase: "painted-merge-base"
        case .plainCross: "plain-cross"
        case .sharedFlights: "shared-flights"
        case .ownCommitsWalk: "own-commits-walk"
        case .wideBase: "wide-base"
        case .derivedGraph: "derived-graph"
        case .rootsFromBase: "roots-from-base"
        case .unparsedHook: "unparsed-hook"
        case .prefetchedIndex: "prefetched-index"
        case .checkedTogether: "checked-together"
        case .folderInPlace: "folder-in-place"
        case .viewAsBase: "view-as-base"
        case .encodedAside: "encoded-aside"
        case .targetsFromNumbers: "targets-from-numbers"
        case .simpleFrontmatter: "simple-frontmatter"
        case .fullFrontmatter: "full-frontmatter"
        }
    }

    /// Counts `n` more of this in the probes the current task runs under (`Probe.current`),
    /// if any: the session's, or a unit test's `recorded`.
    @inline(__always)
    public func hit(_ n: Int = 1) {
        Probe.current?.add(self, n)
    }
}

/// The probes one piece of work hit, and only it. A session holds its own and runs its work
/// under them (`Session.probes`; `EXO_GUARD_STATS=1` prints them); a unit test records its
/// own (`Probe.recorded`). Counted by the task that binds them and the tasks it starts; a
/// thread of one's own (the parallel read's helpers) binds the probes of the task that
/// started it (`Probe.current`, passed on). Nothing here is process-wide.
public final class Probes: Sendable {
    private let counts: [Counter] = Probe.allCases.map { _ in Counter() }

    /// No probe hit yet.
    public init() {}

    fileprivate func add(_ probe: Probe, _ n: Int) { counts[probe.rawValue].value.wrappingAdd(n, ordering: .relaxed) }

    /// How many times `probe` was hit.
    public subscript(_ probe: Probe) -> Int { counts[probe.rawValue].value.load(ordering: .relaxed) }

    /// Every counter, one line: `exo-guard probes: prefix-read=3 whole-read=0 ...`.
    public var line: String {
        "exo-guard probes: " + Probe.allCases.map { "\($0.name)=\(self[$0])" }.joined(separator: " ")
    }
}

private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

extension Probe {
    /// The probes the current task counts in; nil: none.
    @TaskLocal public static var current: Probes?

    /// Runs `body` under `probes` (a session's work; a helper thread of it).
    public static func counting<T>(in probes: Probes?, _ body: () throws -> T) rethrows -> T {
        try $current.withValue(probes) { try body() }
    }

    /// Runs `body`, and what it hit: `let (diff, seen) = Probe.recorded { GraphDiff(...) }`,
    /// then `seen[.streamedDiff] == 1` says the streamed comparison really ran.
    public static func recorded<T>(_ body: () throws -> T) rethrows -> (T, Probes) {
        let probes = Probes()
        let value = try counting(in: probes, body)
        return (value, probes)
    }
}
