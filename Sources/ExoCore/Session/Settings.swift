import ExoGit
import ExoModel

/// The `exo.*` git config values, checked once when a session opens: a value the guard
/// cannot use is a configuration error (exit 2) naming the key, the value and where it came
/// from, never a setting silently ignored (GUARD.md, "Reading configuration and input").
/// Numbers are checked where they are read (`watchDays`, `budget`, `exo.maxFrontmatter`),
/// from here as well, so that a bad one fails every command, not only the one that reads it.
extension Session {
    /// The boolean keys.
    static let booleanKeys = ["exo.strict", "exo.showBypass", "exo.cache"]
    /// The keys that hold ref patterns (`*` matches across `/`).
    static let patternKeys = ["exo.watch", "exo.refs"]

    func checkSettings() throws(ExoError) {
        guard let config else { return }
        for key in Self.booleanKeys {
            guard let raw = config.string(key) else { continue }
            guard Self.gitBoolean(raw) != nil else {
                throw .invalidSetting(
                    name: "git config \(key)", value: raw, source: config.origin(key),
                    expected: "a boolean: true, false, yes, no, on, off, 1 or 0")
            }
        }
        for key in Self.patternKeys {
            for raw in config.strings(key) where !(key == "exo.watch" && raw.lowercased() == "none") {
                guard Self.isRefPattern(raw) else {
                    throw .invalidSetting(
                        name: "git config \(key)", value: raw, source: config.origin(key),
                        expected: "a ref pattern such as refs/heads/* (no space, ~ ^ : ? [ \\ or ..)")
                }
            }
        }
        _ = try watchDays()
        _ = try budget(.local)
    }

    /// git's reading of a boolean: true/yes/on/1 (and a key with no value), false/no/off/0
    /// and the empty string; nil for anything else.
    static func gitBoolean(_ raw: String) -> Bool? {
        switch raw.trimmingWhitespace.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0", "": return false
        default: return nil
        }
    }

    /// git config `key` as a whole number from `least` up, read as git reads an integer
    /// (`k`, `m` and `g` multiply by 1024, 1024², 1024³); nil when unset; a configuration
    /// error naming the key, the value and its file otherwise. The one reading of every
    /// exo.* number (`watchDays`, `maxMemory`, `maxFrontmatter`).
    func integer(_ key: String, least: Int, expected: String) throws(ExoError) -> Int? {
        try Self.integer(key, in: config, least: least, expected: expected)
    }

    /// The same from `config` (before a session is whole).
    static func integer(_ key: String, in config: GitConfig?, least: Int, expected: String) throws(ExoError) -> Int? {
        guard let raw = config?.string(key) else { return nil }
        guard let n = Self.gitInteger(raw), n >= least else {
            throw .invalidSetting(name: "git config \(key)", value: raw, source: config?.origin(key), expected: expected)
        }
        return n
    }

    /// git's reading of an integer: digits with an optional sign and one of the unit
    /// suffixes k, m, g (either case); nil for anything else or past 2^40.
    static func gitInteger(_ raw: String) -> Int? {
        var text = raw.trimmingWhitespace.lowercased()
        var unit = 1
        if let last = text.last, let power = ["k": 1, "m": 2, "g": 3][String(last)] {
            unit = 1 << (10 * power)
            text.removeLast()
        }
        guard let n = Int(text), n.magnitude < 1 << 40, n.magnitude * UInt(unit) < 1 << 50 else { return nil }
        return n * unit
    }

    /// Whether `pattern` can name refs: what git allows in a ref name, plus `*`.
    static func isRefPattern(_ pattern: String) -> Bool {
        guard !pattern.isEmpty, !pattern.contains(".."), !pattern.contains("@{"), !pattern.contains("//"),
            !pattern.hasSuffix("/"), !pattern.hasSuffix(".")
        else { return false }
        return pattern.unicodeScalars.allSatisfy { c in
            c.value > 0x20 && c.value != 0x7F && !"~^:?[\\".unicodeScalars.contains(c)
        }
    }
}
