import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// The guard's report: for people and agents in a terminal (plain text, colour only when
/// asked), and one JSON object for machines.
public struct GuardReport {
    /// What is reported.
    public let verdict: Guard.Verdict
    /// How to bypass once, e.g. `git commit --no-verify`; shown only when git config
    /// `exo.showBypass` is true (nil otherwise, and always on a server).
    public let bypass: String?
    /// `--verbose`: existing and resolved conflicts listed one by one.
    public let verbose: Bool
    /// Whether the text may use ANSI colour (a terminal that wants it).
    public let colour: Bool

    /// A report of `verdict`.
    public init(verdict: Guard.Verdict, bypass: String?, verbose: Bool = false, colour: Bool = false) {
        self.verdict = verdict
        self.bypass = bypass
        self.verbose = verbose
        self.colour = colour
    }

    /// The text report; empty when there is nothing to say (no workspace, nothing new or
    /// existing). What came from the repository has its control characters escaped; only
    /// the header is painted, on a terminal.
    public var text: String {
        var out = ControlCharacters.escaped(plain)
        guard colour else { return out }
        for (header, code) in [("exo-guard: blocked", "1;31"), ("exo-guard: warning", "1;33")] where out.hasPrefix(header) {
            out = "\u{1B}[\(code)m\(header)\u{1B}[0m" + out.dropFirst(header.count)
        }
        return out
    }

    /// The report before escaping and colour.
    private var plain: String {
        var out = ""
        let decision = verdict.decision
        let newCount = verdict.checks.filter { !$0.isImport }.flatMap(\.workspaces)
            .reduce(0) { $0 + $1.diff.counts.new + $1.branches.new.count }
        let doubtCount = verdict.checks.filter { !$0.isImport }.flatMap(\.workspaces).reduce(0) { $0 + $1.doubtfulCount }
        var why: [String] = []
        if let error = verdict.targetError { why.append("cannot read what is being committed or pushed: \(error)") }
        if newCount > 0 { why.append("\(newCount) new conflict(s) between active changes") }
        if verdict.strict && doubtCount > 0 { why.append("\(doubtCount) doubtful change(s) (git config exo.strict)") }
        switch decision {
        case .block:
            out += "exo-guard: blocked" + " \u{2014} \(why.joined(separator: "; ")).\n"
        case .warn:
            out += "exo-guard: warning" + " \u{2014} \(why.joined(separator: "; ")) (mode warn: going through).\n"
        case .pass:
            break
        }
        var unlisted = Unlisted()
        var unreadable = Set<String>()
        for check in verdict.checks {
            // A watched ref that cannot be read never passes silently: one line each, once.
            for (ref, error) in check.unreadable where !check.workspaces.isEmpty && unreadable.insert(ref).inserted {
                guard unlisted.notes < Self.shownSections else { break }
                out += "exo-guard: \(RefName.short(ref)) cannot be read (\(error)): nothing in flight there is seen\n"
                unlisted.notes += 1
            }
            for note in check.notes where !check.workspaces.isEmpty {
                guard unlisted.notes < Self.shownSections else { break }
                out += "exo-guard: \(note)\n"
                unlisted.notes += 1
            }
            if check.isImport {
                // A repository with no workspace passes silently, import or not.
                guard !check.workspaces.isEmpty else { continue }
                guard unlisted.sections < Self.shownSections else {
                    unlisted.imports += 1
                    continue
                }
                unlisted.sections += 1
                let count = check.workspaces.reduce(0) { $0 + $1.diff.counts.existing + $1.diff.counts.new }
                out +=
                    "exo-guard: \(check.title) goes into a repository with no commits: an import, not new work; "
                    + "it brings \(count) conflict(s).\n"
                continue
            }
            for ws in check.workspaces {
                // Past `shownSections` workspaces that had something to say, the rest are counted.
                if unlisted.sections >= Self.shownSections {
                    unlisted.add(ws)
                    continue
                }
                let said = section(check: check, ws)
                if !said.isEmpty { unlisted.sections += 1 }
                out += said
            }
        }
        out += unlisted.line
        if let bypass, decision == .block {
            out +=
                "\n  To let this one through anyway: \(bypass), or EXO_GUARD_MODE=warn (git config exo.mode warn to keep it).\n"
        }
        return out
    }

    private func section(check: Guard.Check, _ ws: Guard.WorkspaceCheck) -> String {
        let diff = ws.diff
        var out = ""
        let place = ws.root.isEmpty ? "" : " in workspace \(Self.shown(path: ws.root))/"
        if let error = ws.baseError {
            out +=
                "exo-guard: cannot read the base\(place) (\(check.title)): \(error); "
                + "judging against the empty graph, with every conflict counted as existing.\n"
        }
        for d in ws.doubtful.prefix(Self.shownDoubtful) {
            let file = Self.shown(path: SnapPath.join(ws.root, d.path))
            let what =
                switch d.why {
                case Doubtful.noDocument:
                    "\(file): \(d.id) points at `\(Self.clipped(d.value))`, which no document has (a typo?)"
                case Doubtful.takenUpElsewhere:
                    "\(file): \(d.id) is taken up here in the very state, with no assignee, that \(Self.shown(path: RefName.short(d.value))) holds in flight "
                        + "(a merge of that work, or a second agent?); if it is yours, set `assignee:` (`exo-guard claim \(d.id) --agent NAME`), else leave it to them"
                case Doubtful.undeclaredStatus:
                    "\(file): `status: \(Self.clipped(d.value))` is not a status its type declares (a typo?), so no guard sees \(d.id) as work in flight"
                default:
                    "\(file): the frontmatter does not parse (\(Self.clipped(d.value))), so this change has no status and no guard can see it"
                }
            // A push of several refs says which one each line is about.
            let which = verdict.checks.count > 1 ? " (\(check.title))" : ""
            out += "exo-guard: doubtful\(verdict.strict ? " (exo.strict: blocks)" : "")\(which): \(what)\n"
        }
        if ws.doubtfulCount > Self.shownDoubtful {
            out +=
                "exo-guard: and \(ws.doubtfulCount - Self.shownDoubtful) more doubtful change(s)\(place) "
                + "(--json lists up to \(Self.jsonPairs))\n"
        }
        for c in diff.new.prefix(Self.shownPairs) {
            out += "\n  new conflict\(place) (\(check.title)): \(c.a) <-> \(c.b)\n"
            var changed: [String] = []
            for id in [c.a, c.b] {
                let side = diff.change(of: id, in: c)
                if side != .unchanged { changed.append(id) }
                out += "    \(id)  \(path(ws, diff.target, id))\(sideNote(side))\(assignee(diff.target.node(id)?.assignee))\n"
            }
            out += "    share: \(shared(c.shared, ws, [diff.target]))\n"
            // Advise the side the commit activated or widened; when neither (a merge), both.
            for (n, id) in (changed.isEmpty ? [c.a, c.b] : changed).enumerated() {
                let other = id == c.a ? c.b : c.a
                out +=
                    (n == 0 ? "    next step: " : "    or: ")
                    + nextStep(ws, id, shared: c.shared, other: other, otherAssignee: diff.target.node(other)?.assignee) + "\n"
            }
        }
        let (shownLocal, shownAcross) = Self.listedPairs(diff, ws.branches)
        for c in ws.branches.new.prefix(shownAcross) {
            let ref = c.bRef.flatMap { ws.refs[$0] }
            let onRef = ref.map { " on \(RefName.short($0.ref.name))" } ?? ""
            out += "\n  new conflict across branches\(place) (\(check.title)): \(c.a) <-> \(c.b)\(onRef)\n"
            let side = diff.change(of: c.a, in: Coordination.Conflict(a: c.a, b: c.b, shared: c.shared))
            out += "    \(c.a)  \(path(ws, diff.target, c.a))\(sideNote(side))\(assignee(diff.target.node(c.a)?.assignee))\n"
            let otherAssignee = ref?.state(of: c.b)?.assignee
            if let ref {
                out +=
                    "    \(c.b)  \(Self.shown(path: SnapPath.join(ws.root, ref.state(of: c.b)?.path ?? "?")))  in flight on \(RefName.short(ref.ref.name))"
                    + " (\(ref.ref.whereabouts))\(Self.also(ref.alsoHeld(c.b)))\(assignee(otherAssignee))\n"
            }
            if c.a == c.b {
                out += "    the same change is taken up on both lines\n"
            }
            if !c.shared.isEmpty { out += "    share: \(shared(c.shared, ws, [diff.target], ref))\n" }
            out +=
                "    next step: "
                + nextStep(
                    ws, c.a, shared: c.shared, other: c.b, otherAssignee: otherAssignee,
                    otherRef: ref.map { RefName.short($0.ref.name) }) + "\n"
        }
        let hidden = diff.counts.new + ws.branches.new.count - shownLocal - shownAcross
        if hidden > 0 {
            // The targets of the pairs not listed: all new pairs' (counted as they were
            // compared, listed or not), less those of the pairs listed above.
            var count = diff.newShared
            for c in diff.new.prefix(shownLocal) { for t in c.shared { count[t, default: 0] -= 1 } }
            for c in ws.branches.new.dropFirst(shownAcross) { for t in c.shared { count[t, default: 0] += 1 } }
            out += "\n" + Self.moreNew(count, hidden: hidden, place: place)
        }
        let existing = diff.counts.existing + ws.branches.existing.count
        let resolved = diff.counts.resolved + ws.branches.resolved.count
        if verbose {
            for c in diff.existing {
                out += "  existing\(place): \(c.a) <-> \(c.b)  share: \(c.shared.joined(separator: ", "))\n"
            }
            for c in ws.branches.existing {
                out +=
                    "  existing\(place): \(c.a) <-> \(c.b) on \(RefName.short(c.bRef ?? ""))  share: \(c.shared.joined(separator: ", "))\n"
            }
            for c in diff.resolved { out += "  resolved\(place): \(c.a) <-> \(c.b)\n" }
            let unlisted = diff.counts.existing - diff.existing.count + diff.counts.resolved - diff.resolved.count
            if unlisted > 0 { out += "  and \(unlisted) more existing or resolved conflict(s)\(place), not listed\n" }
            for c in ws.branches.resolved { out += "  resolved\(place): \(c.a) <-> \(c.b) on \(RefName.short(c.bRef ?? ""))\n" }
        } else {
            if existing > 0 {
                // The command that lists them: exo's own for pairs on this line, --branches for
                // pairs with another line of work.
                let (local, across) = (diff.counts.existing > 0, !ws.branches.existing.isEmpty)
                let lister =
                    local && across
                    ? "exo-guard conflicts and exo-guard conflicts --branches list them"
                    : across ? "exo-guard conflicts --branches lists them" : "exo-guard conflicts lists them"
                out += "\n  \(existing) existing conflict(s)\(place) unchanged (\(lister)).\n"
            }
            if resolved > 0 { out += "  \(resolved) conflict(s)\(place) resolved.\n" }
        }
        return out
    }

    /// How many new conflicts a workspace's report lists one by one; the rest are counted,
    /// grouped by the targets they share (a push can make millions of pairs).
    static let shownPairs = 20

    /// How many new pairs a workspace's report lists, on the line and across branches: the
    /// first of those the comparison kept (at most `shownPairs`, and fewer when they share
    /// so many targets that fewer were kept), then, when all of those are listed, pairs
    /// across branches up to `shownPairs` in all.
    static func listedPairs(_ diff: GraphDiff, _ branches: BranchDiff) -> (local: Int, across: Int) {
        let local = min(shownPairs, diff.new.count)
        let across = diff.new.count < diff.counts.new ? 0 : min(shownPairs - local, branches.new.count)
        return (local, across)
    }

    /// The line for the new conflicts not listed: how many, and the targets most shared.
    static func moreNew(_ count: [String: Int], hidden: Int, place: String) -> String {
        let top = count.filter { $0.value > 0 }.sorted {
            $0.value != $1.value ? $0.value > $1.value : Exact($0.key) < Exact($1.key)
        }.prefix(5)
        let list = top.map { "\($0.key): shared by \($0.value) of them" }.joined(separator: "; ")
        return
            "  and \(hidden) more new conflict(s)\(place) (--json lists up to \(GuardReport.jsonPairs) of each kind): \(list)\n"
    }

    /// How many pairs of each kind `--json` lists; `totals` gives the counts.
    static let jsonPairs = 1000

    /// The edit that clears the conflict on `id`'s side, in the document's own terms.
    func nextStep(
        _ ws: Guard.WorkspaceCheck, _ id: String, shared: [String], other: String,
        otherAssignee: Value?, otherRef: String? = nil
    ) -> String {
        let file = path(ws, ws.diff.target, id)
        let onRef = otherRef.map { " (in flight on \($0))" } ?? ""
        let holder = otherAssignee.flatMap { $0.isTruthy ? "@\($0.pythonStr)" : nil }
        if id == other {
            // Taken up twice: the change is someone else's work now; its targets are not the point.
            let was = ws.diff.base.node(id)?.status.map { "`\($0.pythonStr)`" } ?? "what it was"
            return "leave \(id) to \(holder ?? "the line that took it up")\(onRef): set `status:` in \(file) back to \(was)"
                + " and take other work" + (holder.map { "; or agree with \($0) on who takes it" } ?? "")
        }
        var step = "set `status:` in \(file) to something other than active"
        let fields = ws.fields[id] ?? [:]
        var drops: [String: [String]] = [:]
        var order: [String] = []
        for t in shared {
            for f in fields[t] ?? [] {
                if drops[f] == nil { order.append(f) }
                drops[f, default: []].append(t)
            }
        }
        let parts = order.map { f in
            "drop \(Self.listed(drops[f]!, separator: " and ") { "`\(Self.clipped($0))`" }) from its `\(f)`"
        }
        if !parts.isEmpty { step += ", or " + parts.joined(separator: " and ") }
        if let holder {
            step += "; or agree with \(holder), who holds \(other)\(onRef), on who goes first"
        } else {
            step += "; \(other)\(onRef) has no assignee"
        }
        return step
    }

    /// Shared targets with the paths of their documents, where one exists.
    private func shared(
        _ targets: [String], _ ws: Guard.WorkspaceCheck, _ views: [Coordination],
        _ ref: Guard.RefView? = nil
    ) -> String {
        Self.listed(targets) { t in
            guard let path = views.lazy.compactMap({ $0.node(t)?.path }).first ?? ref?.targetPath(t) else {
                return Self.clipped(t) + " (no document)"
            }
            return "\(Self.clipped(t)) (\(Self.shown(path: SnapPath.join(ws.root, path))))"
        }
    }

    private func path(_ ws: Guard.WorkspaceCheck, _ view: Coordination, _ id: String) -> String {
        view.node(id).map { Self.shown(path: SnapPath.join(ws.root, $0.path)) } ?? "?"
    }
}
