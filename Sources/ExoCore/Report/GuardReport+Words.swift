import ExoGraph
import ExoModel

/// The small phrases a report is made of.
extension GuardReport {
    /// How many other watched refs hold the same piece of work, in words ("" for none).
    static func also(_ n: Int) -> String {
        n == 0 ? "" : ", and \(n) other ref\(n == 1 ? "" : "s") holding the same work"
    }

    func sideNote(_ change: GraphDiff.SideChange) -> String {
        switch change {
        case .activated: return "  [activated here]"
        case .widened(let added): return "  [widened here: now also points at \(Self.listed(added))]"
        case .unchanged: return ""
        }
    }

    func assignee(_ value: Value?) -> String {
        guard let a = value, a.isTruthy else { return "" }
        return "  assignee @\(a.pythonStr)"
    }
}
