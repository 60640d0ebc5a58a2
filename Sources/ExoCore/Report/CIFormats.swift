import ExoModel
import ExoRules

/// The report in the formats CI services read: GitHub's workflow commands and job summary,
/// SARIF 2.1.0 (GitHub code scanning), GitLab's Code Quality report. Each finding sits at
/// the change document's `status:` line.
extension GuardReport {
    /// One workflow command per finding (`::error file=PATH,line=N,title=T::MESSAGE`,
    /// `::warning` in warn mode and for doubtful changes), escaped as GitHub's toolkit
    /// escapes them (`%`, CR and LF in the message; also `:` and `,` in properties),
    /// control characters shown as `\x1b` and the like.
    /// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    public var githubCommands: String {
        func data(_ s: String) -> String {
            ControlCharacters.escaped(s).replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
        }
        func property(_ s: String) -> String { data(s).replacing(":", with: "%3A").replacing(",", with: "%2C") }
        return findings.map { f in
            "::\(f.level) file=\(property(f.path)),line=\(f.line),title=\(property(f.title))::\(data(f.message))\n"
        }.joined()
    }

    /// The job summary in Markdown (appended to `$GITHUB_STEP_SUMMARY`).
    public var githubSummary: String {
        let all = findings
        let head: String
        switch verdict.decision {
        case .block: head = "exo-guard: blocked"
        case .warn: head = "exo-guard: warning (mode warn: going through)"
        case .pass: head = "exo-guard: pass"
        }
        var out = "### \(head)\n\n"
        if all.isEmpty { return out + "No new conflicts between active changes.\n" }
        out += "| | finding | document | next step |\n|---|---|---|---|\n"
        func cell(_ s: String) -> String {
            ControlCharacters.escaped(s).replacing("|", with: "\\|").replacing("\n", with: " ")
        }
        for f in all {
            let parts = f.message.split(separator: "Next step: ", maxSplits: 1).map(String.init)
            out +=
                "| \(f.level == "error" ? "\u{274C}" : "\u{26A0}\u{FE0F}") | \(cell(f.title)) | `\(cell(f.path))` line \(f.line) | "
                + "\(cell(parts.count > 1 ? parts[1] : parts[0])) |\n"
        }
        return out
    }

    /// One SARIF 2.1.0 log: the tool (exo-guard and its version), its three rules, and
    /// each finding as a result at its document's `status:` line.
    /// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
    public var sarif: String {
        let rules = Finding.rules
        let results: [JSON] = findings.map { f in
            .object([
                ("ruleId", .string(f.rule)),
                ("ruleIndex", .number(String(rules.firstIndex { $0.id == f.rule } ?? 0))),
                ("level", .string(f.level)),
                ("message", .object([("text", .string(f.message))])),
                (
                    "locations",
                    .array([
                        .object([
                            (
                                "physicalLocation",
                                .object([
                                    (
                                        "artifactLocation",
                                        .object([("uri", .string(f.path)), ("uriBaseId", .string("%SRCROOT%"))])
                                    ),
                                    ("region", .object([("startLine", .number(String(f.line)))])),
                                ])
                            )
                        ])
                    ])
                ),
                ("partialFingerprints", .object([("exoGuardFinding/v1", .string(f.fingerprint))])),
            ])
        }
        let driver: JSON = .object([
            ("name", .string("exo-guard")),
            ("version", .string(BuildInfo.version)),
            ("informationUri", .string("https://github.com/vivary/exo-guard")),
            (
                "rules",
                .array(
                    rules.map { r in
                        .object([
                            ("id", .string(r.id)), ("name", .string(r.name)),
                            ("shortDescription", .object([("text", .string(r.text))])),
                            ("defaultConfiguration", .object([("level", .string(r.id == "doubtful" ? "warning" : "error"))])),
                        ])
                    })
            ),
        ])
        return JSON.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("results", .array(results))])])),
        ]).rendered() + "\n"
    }

    /// GitLab's Code Quality report: a JSON list of issues with `description`,
    /// `check_name`, `fingerprint`, `severity` and `location.path`/`location.lines.begin`.
    /// https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
    public var codeQuality: String {
        JSON.array(
            findings.map { f in
                .object([
                    ("description", .string(f.title + ": " + f.message)),
                    ("check_name", .string("exo-guard/\(f.rule)")),
                    ("fingerprint", .string(f.fingerprint)),
                    ("severity", .string(f.level == "error" ? "major" : "minor")),
                    ("location", .object([("path", .string(f.path)), ("lines", .object([("begin", .number(String(f.line)))]))])),
                ])
            }
        ).rendered() + "\n"
    }
}
