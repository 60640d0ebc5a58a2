import ExoGit
import ExoGraph
import ExoModel

/// `board --branches` and `conflicts --branches`: the line (the files on disk, the index or
/// a revision, standing on HEAD or that revision) and the work in flight on every watched ref.
public struct BranchListing: Sendable {
    /// The line first (`ref` nil), then each watched ref with changes in flight.
    public let lines: [WorkLine]
    /// Every cross-branch conflict among the lines.
    public let conflicts: [CrossConflict]
    /// The watched refs with changes in flight, by full name.
    public let refs: [String: Guard.RefView]

    /// One board entry: a change active on the line or in flight on a ref.
    public struct Entry: Sendable {
        /// The change's derived id.
        public let id: String
        /// Its `status:` value.
        public let status: Value?
        /// Its `assignee:` value.
        public let assignee: Value?
        /// The ref it is in flight on (full name); nil for the line itself.
        public let ref: String?
    }

    /// Every change active on the line and every change in flight on a watched ref (one
    /// entry per ref), sorted by status, id, ref (the line first).
    public var board: [Entry] {
        lines.flatMap { line in
            line.items.map { Entry(id: $0.id, status: $0.state.status, assignee: $0.state.assignee, ref: line.ref) }
        }.sorted { x, y in
            let sx = x.status.map { $0.isTruthy ? $0 : .string("~") } ?? .string("~")
            let sy = y.status.map { $0.isTruthy ? $0 : .string("~") } ?? .string("~")
            if !Value.pythonEqual(sx, sy) { return Value.pythonLess(sx, sy) }
            if Exact(x.id) != Exact(y.id) { return Exact(x.id) < Exact(y.id) }
            guard let yr = y.ref else { return false }
            guard let xr = x.ref else { return true }
            return Exact(xr) < Exact(yr)
        }
    }
}

extension Session {
    /// The lines of work seen from the line `selection` reads.
    public func branches(_ selection: Selection, root: String?) throws(ExoError) -> BranchListing {
        let repository = try requireRepository()
        let workspace = try self.workspace(selection, root: root)
        let line = Coordination.view(of: try workspace.graph(), cache: cache)
        let commits: [ObjectID]
        var excluded = currentBranchRefs(repository)
        let treeRoot: String?
        switch selection {
        case .worktree, .staged:
            commits = (try repository.headCommit().map { [$0] } ?? []) + repository.mergeHeads()
            treeRoot =
                selection == .staged
                ? workspace.root
                : repository.workTree.flatMap { SnapPath.relative(workspace.root, to: String($0.dropFirst())) }
        case .revision(let rev):
            commits = [try repository.commit(rev)]
            excluded = Set(["refs/heads/\(rev)", rev, "refs/remotes/\(rev)"])
            treeRoot = workspace.root
        }
        guard let treeRoot, let watch = try watch(excluding: excluded, patterns: nil) else {
            return BranchListing(lines: [WorkLine(line: line)], conflicts: [], refs: [:])
        }
        let (lines, refs) = watch.lines(of: line, commits: commits, root: treeRoot, cache: cache)
        return BranchListing(lines: lines, conflicts: CrossConflict.among(lines), refs: refs)
    }
}
