import ExoGit
import ExoGraph
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

extension Session {
    /// `exo-guard ci`: the plan's base against its target, watching the remote-tracking refs
    /// the job fetched less the line's own; and the warnings a person must see (a shallow
    /// clone, a clone with no other branch: work in flight elsewhere cannot be seen).
    public func ci(_ plan: CIPlan, root: String?, watching: [String]?) throws(ExoError) -> (
        check: Guard.Check, warnings: [String]
    ) {
        let repository = try requireRepository()
        let target = try repository.commit(plan.target)
        var warnings: [String] = []
        let base: Base
        if let given = plan.base {
            guard let id = try? repository.commit(given) else {
                throw .usage(
                    "the base commit \(given) is not in this clone (\(plan.provider) \(plan.event)): fetch the whole history "
                        + "(actions/checkout with fetch-depth: 0; GitLab: GIT_DEPTH: 0)")
            }
            base = .revision(id.description)
        } else if let other = plan.mergeBaseWith, let tip = try? repository.commit(other),
            let m = repository.mergeBase(target, tip)
        {
            base = .revision(m.description)
        } else {
            warnings.append(
                "no merge base with \(RefName.short(plan.mergeBaseWith ?? "the default branch")) in this clone: "
                    + "judging against the empty graph")
            base = .empty
        }
        let shallow = access(repository.commonDir + "/shallow", F_OK) == 0
        let others = references(repository).filter {
            $0.name.hasPrefix("refs/remotes/") && !$0.name.hasSuffix("/HEAD") && !plan.own.contains($0.name)
        }
        if shallow || others.isEmpty {
            warnings.append(
                "warning: \(shallow ? "this clone is shallow" : "this clone holds no remote-tracking ref but its own"): "
                    + "work in flight on other branches cannot be seen without all branches (fetch-depth: 0)")
        }
        let patterns = watching ?? (config?.strings("exo.watch").isEmpty == false ? nil : ["refs/remotes/*"])
        var check = try self.check(
            .revision(target.description), root: root, base: base, watching: patterns, excluding: plan.own,
            targetName: "\(plan.provider) \(plan.event) \(target.short)")
        check.ref = plan.own.first { $0.hasPrefix("refs/remotes/") }
        return (check, warnings)
    }
}
