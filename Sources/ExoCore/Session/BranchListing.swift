import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot

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
            line.inFlight.map { Entry(id: $0.id, status: $0.state.status, assignee: $0.state.assignee, ref: line.ref) }
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

extension Session {
    /// Who holds a change elsewhere: the first watched ref (a pending admission included)
    /// on which `id` is taken up under an assignee other than `assignee`, or none, as seen
    /// from the files on disk; nil when no other line of work holds it, or outside git.
    /// What `claim` refuses unless `--force` (GUARD.md, "Taking up work is atomic").
    public func holder(of id: String, other assignee: String, root: String?) throws(ExoError) -> (
        ref: WatchedRef, assignee: Value?
    )? {
        guard repository != nil else { return nil }
        let listing = try branches(.worktree, root: root)
        for line in listing.lines {
            guard let name = line.ref, let ref = listing.refs[name]?.ref else { continue }
            for item in line.items where Exact(item.id) == Exact(id) {
                let holder = item.state.assignee
                if let h = holder?.string, Exact(h.hasPrefix("@") ? String(h.dropFirst()) : h) == Exact(assignee) {
                    continue
                }
                return (ref, holder)
            }
        }
        return nil
    }
}
