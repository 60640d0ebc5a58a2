import ExoEngine
import ExoGit
import ExoGraph
import ExoModel

extension Watch {
    /// Snapshots, graphs, merge bases and flights read in this run, shared by its watches.
    final class Memo {
        var snapshots: [ObjectID: GitSnapshot?] = [:]
        var graphs: [String: Graph?] = [:]
        var mergeBases: [[ObjectID]: ObjectID?] = [:]
        /// Flights by (tip, merge base, root): what they are a function of. Asked first once a
        /// tip is asked for against a second line (a push of many refs: each pushed ref's
        /// check asks every other ref's flights).
        var byBase: [FlightsKey: [WorkLine.Flight]] = [:]
        var tipsAsked: Set<ObjectID> = []
        /// The last view of each ref made (Watch+Views.swift), shared by the checks that
        /// see it the same.
        var views: [String: Guard.RefView] = [:]
        var byLine: [String: [WorkLine.Flight]] = [:]
        var workspaces: [String: Workspace] = [:]
        var deltas: [String: DocumentDelta?] = [:]
        /// Documents `deltas` holds: past `Watch.heldDocuments` they are let go (refs
        /// forked from many old commits must not hold a workspace's worth each).
        var deltaDocuments = 0
        /// Whether a ref's flights may be read from what it changed (`flightsByDelta`);
        /// `EXO_GUARD_TEST_FLIGHTS=graphs` turns it off, for tests that compare the two ways.
        var byDelta = true
        /// Whether a target state may take its base state's flights (`Watch.sharesFlights`);
        /// `EXO_GUARD_TEST_FLIGHTS=unshared` turns it off, for tests that compare the two.
        var sharesFlights = true
        /// What the run did, for `EXO_GUARD_STATS`: graphs read, flights taken from the
        /// cache (flights compared folder by folder are `Probe.graphFlights`).
        var stats = (graphs: 0, cachedFlights: 0)
        /// Why a commit's graph could not be read, by graph key; and the watched refs whose
        /// tip could not be read, by name (they have nothing in flight, and the report says so).
        var graphErrors: [String: String] = [:]
        var unreadable: [String: String] = [:]
        /// With a push of several refs, each pushed ref at its new value where the repository
        /// does not hold it so (set by the session's first watch): the run's watches see the
        /// repository's refs and these (`Watch.sees` says which each one sees).
        var pushedValues: Set<Repository.Reference>? = nil
        /// Every local and remote-tracking ref the run's watches see, and the default branch,
        /// once per run.
        var allRefs: (refs: [Repository.Reference], digest: String)? = nil
        var successors: [ObjectID: [Repository.Reference]] = [:]
        var stacked: (since: Int64, commits: Set<ObjectID>)? = nil
        var oldestInFlight: Int64? = nil
        var defaultBranch: String? = nil
        /// By base commit: the tips the walk started from, and those of them holding
        /// commits of their own above it (`Repository.tipsWithOwnCommits`; nil: it could
        /// not say).
        var ownCommits: [ObjectID: (tips: Set<ObjectID>, found: Set<ObjectID>?)] = [:]
    }
}

/// Flights are a function of the ref's tip, its merge base with the line, and the root.
struct FlightsKey: Hashable {
    let tip: ObjectID
    let base: ObjectID?
    let root: String
}
