import ExoModel
import ExoRules

/// What the guard does with new conflicts.
public enum GuardMode: String, Sendable, CaseIterable {
    case block, warn, off

    /// `--mode` > `EXO_GUARD_MODE` > git config `exo.mode` > `block`, and where it came from
    /// (`--mode`, `EXO_GUARD_MODE`, `git config exo.mode`, `default`); a bad value is an error
    /// naming it and where it came from.
    public static func resolved(flag: String?, environment: [String: String], gitConfig: () -> String?) throws(ExoError)
        -> (mode: GuardMode, source: String)
    {
        let env = environment["EXO_GUARD_MODE"].flatMap { $0.isEmpty ? nil : $0 }
        let (raw, source): (String?, String) =
            flag != nil
            ? (flag, "--mode")
            : env != nil ? (env, "EXO_GUARD_MODE") : (gitConfig(), "git config exo.mode")
        guard let raw else { return (.block, "default") }
        guard let mode = GuardMode(rawValue: raw.lowercased()) else {
            throw .invalidSetting(name: "mode", value: raw, source: "\(source)", expected: "block, warn or off")
        }
        return (mode, source)
    }
}

/// What a run decides: let it through silently, let it through with the report, or stop
/// it (the rule is ExoRules' `Rules.decision`).
public typealias Decision = Rules.Decision
