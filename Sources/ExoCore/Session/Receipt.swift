import ExoGraph
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// Run receipts as exo 0.3.1 writes them: `--receipt PATH` (or `--receipt=PATH`, before a
/// `--`) or `VIVARY_RECEIPT_LOG`, one JSON line of schema `vivary.run_receipt.v1` per run,
/// keys sorted, with exo's keys and values for the same command line (tool `exo-guard`, and
/// the runtime's version under `swift` where exo writes `python`). The same refusals: a
/// symlinked path or ancestor, a path that is not a regular file. A receipt that cannot be
/// written turns a success into exit 1.
public struct Receipt: Sendable {
    /// Where the receipt is appended.
    public let path: String
    /// `flag` or `env`.
    public let source: String
    /// The command line as given (the receipt's own arguments included, as exo counts them).
    let argv: [String]
    let started: Double

    static let valueFlags: Set<String> = [
        "--agent", "--receipt", "--root", "--rev", "--base", "--mode", "--watch", "--hook", "--print",
    ]
    static let knownFlags: Set<String> = valueFlags.union([
        "--help", "--json", "--version", "-h", "--staged", "--branches", "--base-empty", "--no-watch",
        "--verbose", "--force",
    ])
    static let commands: Set<String> = ["conflicts", "board", "claim", "roles", "check", "hook", "install", "uninstall"]

    /// The receipt a command line asks for, and the command line without its receipt
    /// arguments (what the parser sees); nil when none is asked for.
    public static func requested(by argv: [String], environment: [String: String]) -> (Receipt?, [String]) {
        var rest: [String] = []
        var found: (String, String)? = nil
        var i = 0
        var ended = false
        while i < argv.count {
            let token = argv[i]
            if !ended && token == "--" { ended = true }
            if !ended && token == "--receipt" {
                if found == nil, i + 1 < argv.count, !argv[i + 1].hasPrefix("-") { found = (argv[i + 1], "flag") }
                i += (i + 1 < argv.count && !argv[i + 1].hasPrefix("-")) ? 2 : 1
                continue
            }
            if !ended && token.hasPrefix("--receipt=") {
                let value = String(token.dropFirst("--receipt=".count))
                if found == nil, !value.isEmpty { found = (value, "flag") }
                i += 1
                continue
            }
            rest.append(token)
            i += 1
        }
        if found == nil, let env = environment["VIVARY_RECEIPT_LOG"], !env.isEmpty { found = (env, "env") }
        guard let (path, source) = found else { return (nil, rest) }
        return (Receipt(path: path, source: source, argv: argv, started: Audit.monotonic()), rest)
    }

    /// exo's `command`: `version`, `help`, the first command word, else `conflicts`.
    var command: String {
        if argv.contains("--version") { return "version" }
        if argv.contains(where: { $0 == "-h" || $0 == "--help" }) { return "help" }
        return words().first { $0.flag == nil && Self.commands.contains($0.token) }?.token ?? "conflicts"
    }

    /// exo's `flags`: the known flags used (not `--receipt`), sorted.
    var flags: [String] {
        var out = Set<String>()
        for w in words() {
            let name = w.flag ?? w.token
            if Self.knownFlags.contains(name) && name != "--receipt" { out.insert(name) }
        }
        return out.sorted()
    }

    /// The command line's words before `--`, as exo reads them: a `--flag` (its name before
    /// any `=`), the value a value flag takes passed over, and every other word.
    private func words() -> [(token: String, flag: String?)] {
        var out: [(token: String, flag: String?)] = []
        var skip = false
        for token in argv {
            if token == "--" { break }
            if skip {
                skip = false
                continue
            }
            guard token.hasPrefix("--") else {
                out.append((token, nil))
                continue
            }
            let name = String(token.split(separator: "=", maxSplits: 1)[0])
            if Self.valueFlags.contains(name) && !token.contains("=") { skip = true }
            out.append((token, name))
        }
        return out
    }

    /// Writes the receipt for a run that ended with `exitCode`; returns the line to print
    /// when it could not (then a success becomes exit 1).
    public func write(exitCode: Int32) -> String? {
        let target = path.hasPrefix("~/") ? (ProcessEnvironment.all()["HOME"] ?? "") + path.dropFirst(1) : path
        let absolute = FileSystemPath.absolute(target)
        if let refusal = Self.refusal(absolute) { return "exo-guard: receipt: \(refusal)" }
        var record: [(String, JSON)] = [
            ("arg_count", .number(String(argv.count))),
            ("command", .string(command)),
            ("duration_ms", .number(String(Int((Audit.monotonic() - started) * 1000)))),
            ("exit_code", .number(String(exitCode))),
            ("flags", .strings(flags)),
            ("ok", .bool(exitCode == 0)),
            ("platform", .string("Linux")),
            ("receipt_source", .string(source)),
            ("schema", .string("vivary.run_receipt.v1")),
            ("swift", .string(BuildInfo.swift)),
            ("timestamp", .string(Audit.isoOffset(Audit.now()))),
            ("tool", .string("exo-guard")),
            ("version", .string(BuildInfo.version)),
        ]
        if exitCode != 0 { record.append(("error_type", .string("SystemExit"))) }
        record.sort { $0.0 < $1.0 }
        let parent = SnapPath.parent(absolute)
        if !parent.isEmpty { _ = mkdir("/" + SnapPath.parent(String(absolute.dropFirst())), 0o777) }
        if Audit.append(JSON.object(record).tight + "\n", to: absolute) != nil {
            return "exo-guard: receipt: could not write receipt; check that the receipt path is a writable regular file"
        }
        return nil
    }

    /// exo's refusals: a symlinked ancestor, a symlink, something other than a regular file.
    static func refusal(_ absolute: String) -> String? {
        var current = SnapPath.parent(absolute)
        while !current.isEmpty {
            var st = stat()
            if lstat(current, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                return "receipt path must not contain a symlink or junction directory"
            }
            current = SnapPath.parent(current)
        }
        var st = stat()
        if lstat(absolute, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK { return "receipt path must not be a symlink" }
            if (st.st_mode & S_IFMT) != S_IFREG { return "receipt path must be a regular file" }
        }
        return nil
    }
}
