import ExoGit
import ExoGraph
import ExoModel
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// Taking up work is atomic (GUARD.md): a hook decides while it holds the repository's
/// admission lock, sees every admission made before it as a watched ref at its new value,
/// and records its own before it lets go, so of racing commits or pushes that collide
/// exactly one is admitted. `check` by hand, `board` and `conflicts` see pending
/// admissions too, but neither wait nor record.
extension Guard {
    /// What a check would admit: the ref it moves, from which value, to which commit.
    public enum Admitted: Sendable {
        /// A pushed ref (pre-push: the remote-tracking ref the push will move; update and
        /// pre-receive: the server's ref) moving from `old` (nil: new) to `tip`.
        case tip(ref: String, old: ObjectID?, tip: ObjectID)
        /// A commit of the index on `parents` (HEAD and `MERGE_HEAD`), moving `ref` from
        /// HEAD (nil: unborn): it is written as a commit only when it takes up work.
        case index(ref: String, parents: [ObjectID])
    }
}

extension Session {
    /// Hooks: takes the admission lock (waiting while another check decides; the hook's
    /// time budget bounds the wait) and reads the admissions still pending.
    public func beginAdmitting() {
        // EXO_GUARD_ADMISSIONS=0 turns the whole step off (benchmarks and tests compare).
        guard let repository, admissionLock == nil, environment["EXO_GUARD_ADMISSIONS"] != "0" else { return }
        admissionLock = Admissions(commonDir: repository.commonDir).lock()
        if admissionLock == nil {
            admissionNotes.append(
                "could not take the admission lock in \(repository.commonDir)/exo-guard (read-only?): checks racing this one are not seen"
            )
        }
        // Tests hold the lock a while to kill a guard mid-decision or make another wait.
        if let hold = environment["EXO_GUARD_TEST_HOLD"].flatMap(Double.init), hold > 0 {
            usleep(UInt32(min(hold, 60) * 1_000_000))
        }
        pending = nil
        _ = pendingAdmissions()
    }

    /// The refs admitted by checks that have not landed, at their new values: read once per
    /// run; records that stopped counting (their git process ended, or every ref they move
    /// has moved) are removed when this run holds the lock. A push's quarantine folder is
    /// added to the object database so that its commits can be read.
    func pendingAdmissions() -> [String: ObjectID] {
        if let pending { return pending }
        var found: [String: ObjectID] = [:]
        guard let repository, environment["EXO_GUARD_ADMISSIONS"] != "0" else {
            pending = found
            return found
        }
        let ledger = Admissions(commonDir: repository.commonDir)
        // Whether each record's git process runs is read before the refs are listed: a
        // process that ends in between has moved its ref (or given up) before the listing,
        // so the listing sees the ref where it landed. Read the other way round, a commit
        // that lands in between would be seen neither as pending nor on its branch.
        let records = ledger.records().map { ($0, $0.process.isRunning) }
        if !records.isEmpty {
            listedReferences = nil
            var now: [String: ObjectID] = [:]
            for ref in references(repository) { now[ref.name] = ref.id }
            for (record, running) in records {
                let live = running ? record.refs.filter { r in now[r.name]?.description ?? "" == r.old } : []
                guard !live.isEmpty else {
                    if admissionLock != nil { ledger.remove(record) }
                    continue
                }
                if !record.objects.isEmpty { repository.addObjectDirectory(record.objects) }
                for r in live {
                    guard let id = ObjectID(hex: r.new), repository.contains(id) else { continue }
                    found[r.name] = id
                }
            }
        }
        Probe.pendingAdmissions.hit(found.count)
        pending = found
        return found
    }

    /// Records what the checks of a hook admit (those that take up work), then lets go of
    /// the lock. A commit is written from the index first (`git write-tree` and a commit
    /// object no ref names), so that other checks can read it like a branch.
    public func admit(_ checks: [Guard.Check]) -> [String] {
        var notes = admissionNotes
        guard let repository, let lock = admissionLock else { return notes }
        defer {
            lock.release()
            admissionLock = nil
        }
        var refs: [(name: String, old: String, new: String)] = []
        for check in checks {
            guard let admitted = check.admitted, !check.isImport,
                check.workspaces.contains(where: { !$0.diff.target.takesUp(from: $0.diff.base).isEmpty })
            else { continue }
            switch admitted {
            case .tip(let ref, let old, let tip):
                refs.append((ref, old?.description ?? "", tip.description))
            case .index(let ref, let parents):
                guard let tree = admittedIndex?.writeIndexTrees() ?? repository.writeIndexTree(),
                    let commit = repository.writePendingCommit(tree: tree, parents: parents)
                else {
                    notes.append("could not record this commit for the checks racing it (git write-tree failed)")
                    continue
                }
                refs.append((ref, parents.first?.description ?? "", commit.description))
            }
        }
        guard !refs.isEmpty, let process = ProcessIdentity.gitAncestor() else { return notes }
        let objects =
            environment["GIT_OBJECT_DIRECTORY"].map { $0.hasPrefix("/") ? $0 : repository.currentDirectory + "/" + $0 } ?? ""
        guard Admissions(commonDir: repository.commonDir).add(.init(process: process, objects: objects, refs: refs)) != nil
        else {
            notes.append(
                "could not record this admission in \(repository.commonDir)/exo-guard/admissions: checks racing it do not see it")
            return notes
        }
        Probe.admissionsRecorded.hit(refs.count)
        return notes
    }
}
