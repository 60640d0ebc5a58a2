import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

/// The verdict of a run, decided in the session (the CLI only prints it): the mode, the
/// comparisons, how an error counts, and what is admitted for the checks after it.
extension Session {
    /// What a run decided, and what admitting it said.
    public struct Judgement {
        /// The decision, the checks and the mode.
        public let verdict: Guard.Verdict
        /// Notes from admission (a lock not taken, a record not written), one line each.
        public let notes: [String]
    }

    /// Runs `checks` in the mode that `--mode` (`given`), the environment or the
    /// configuration sets (nil when it is `off`) and decides. An error in what is committed or pushed is the target's: it
    /// blocks in mode block and is let through, said, in mode warn (a guard fails closed);
    /// any other error (usage, repository) is recorded in the audit log, its line given to
    /// `say`, and thrown. What is let through is recorded for the checks that start after
    /// it (GUARD.md, "Taking up work is atomic"), then the admission lock goes.
    public func judge(
        mode given: String?, audit: Audit, say: (String) -> Void, _ checks: () throws(ExoError) -> [Guard.Check]
    ) throws(ExoError) -> Judgement? {
        func failed(_ error: ExoError) -> ExoError {
            if let line = audit.record(decision: "error", detail: error.description, started: started) { say(line + "\n") }
            return error
        }
        let guardMode: GuardMode
        do {
            guardMode = try mode(flag: given)
        } catch {
            throw failed(error)
        }
        if guardMode == .off { return nil }
        var made: [Guard.Check] = []
        var targetError: ExoError? = nil
        do {
            made = try checks()
        } catch {
            guard error.isContentError else { throw failed(error) }
            targetError = error
        }
        let verdict = Guard.Verdict(mode: guardMode, checks: made, strict: flag("exo.strict"), targetError: targetError)
        return Judgement(verdict: verdict, notes: admit(verdict.decision == .block ? [] : made))
    }
}

/// `install` and `uninstall`, through the session like every other command.
extension Session {
    /// The installer of hooks for the repository the command runs in. It reads no exo.*
    /// setting: a broken one must never keep the guard from being put in or taken out.
    public static func installer() throws(ExoError) -> Installer {
        try Installer(repository: try Repository.current())
    }

    /// The project's top for an agent harness's settings: the repository's work tree, else
    /// the current folder.
    public static func top() -> String {
        if let repository = try? Repository.current(), let tree = repository.workTree { return tree }
        return "/" + FileSystemSnapshot.currentDirectory()
    }
}
