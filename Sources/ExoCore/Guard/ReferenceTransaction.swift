import ExoGit
import ExoModel
import ExoStore

/// `hook reference-transaction` (opt-in: `install --hook reference-transaction`): git runs
/// it for every ref transaction, with the state as its argument and one `<old> <new> <ref>`
/// line per update on stdin. In the `prepared` state (a non-zero exit aborts the
/// transaction) it judges every update of a local branch to a commit no other ref holds
/// yet, with the branch's old value as base: what `--no-verify`, `cherry-pick`, `rebase`,
/// `am` or a fast-forward would bring in unchecked. Deletions, updates to a commit another
/// ref already points at, and an update the same git process's pre-commit or
/// pre-merge-commit already admitted pass.
extension Session {
    /// The checks of one ref transaction (none but in the `prepared` state).
    public func referenceTransaction(state: String, lines: [String]) throws(ExoError) -> [Guard.Check] {
        guard state == "prepared" else { return [] }
        let repository = try requireRepository()
        var updates: [(ref: String, old: String, new: ObjectID)] = []
        for line in lines {
            guard let parts = try Self.refLine(line, fields: 3, hook: "reference-transaction") else { continue }
            guard parts[2].hasPrefix("refs/heads/"), !ObjectID.isZero(parts[1]), let new = ObjectID(hex: parts[1]) else {
                continue
            }
            updates.append((parts[2], parts[0], new))
        }
        guard !updates.isEmpty else { return [] }
        let admitted = admittedByThisGitProcess()
        var held: [ObjectID: [String]] = [:]
        for ref in references(repository) { held[ref.id, default: []].append(ref.name) }
        var checks: [Guard.Check] = []
        for u in updates {
            if held[u.new]?.contains(where: { $0 != u.ref }) ?? false { continue }  // another ref holds it
            if admitted.contains(u.ref) { continue }  // judged by this commit's pre-commit
            let base = ObjectID.isZero(u.old) ? nil : try repository.commit(u.old)
            let title =
                "update of \(RefName.short(u.ref)) " + (base.map { "\($0.short)..\(u.new.short)" } ?? "(new) \(u.new.short)")
            var check = try compare(
                base: try line(base), target: try line(u.new), title: title,
                watch: try watch(excluding: ownRefs(of: u.ref, in: repository), patterns: nil))
            check.ref = u.ref
            check.admitted = .tip(ref: u.ref, old: base, tip: u.new)
            checks.append(check)
        }
        return checks
    }

    /// The refs the git process running this hook had admitted already (by its pre-commit or
    /// pre-merge-commit): those are not judged twice.
    func admittedByThisGitProcess() -> Set<String> {
        guard let repository, let me = ProcessIdentity.gitAncestor() else { return [] }
        var out = Set<String>()
        for record in Admissions(commonDir: repository.commonDir).records() where record.process == me {
            for r in record.refs { out.insert(r.name) }
        }
        return out
    }
}
