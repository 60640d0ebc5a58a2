/// Validation of a thin root's `.vivary/workspace.toml` (contract `thin-v0.3`).
package enum ThinWorkspace {
    package static let configPath = ".vivary/workspace.toml"
    static let contract = "thin-v0.3"
    static let adapters: Set<String> = ["agents", "claude"]
    static let capabilities: Set<String> = ["cocoindex-code"]

    /// Checks the parsed config; throws the cause (the caller names the file).
    package static func validate(_ raw: OrderedMap) throws(Composition.MergeError) {
        typealias E = Composition.MergeError
        switch raw["version"] {
        case .int("1"): break
        case .float(let d) where d == 1: break
        default: throw E("version must be 1")
        }
        guard case .map(let workspace)? = raw["workspace"] else { throw E("missing [workspace] metadata") }
        guard workspace["contract"] == .string(contract) else {
            throw E("workspace.contract must be \(PythonString.repr(contract))")
        }
        guard let preset = workspace["preset"]?.string, !preset.isEmpty else {
            throw E("workspace.preset must be a non-empty string")
        }
        _ = try relativePath(workspace["state"], field: "state")
        var protected: [String] = []
        for field in ["private", "runtime"] {
            guard case .list(let values)? = workspace[field], !values.isEmpty else {
                throw E("workspace.\(field) must be a non-empty list")
            }
            for v in values { protected.append(try relativePath(v, field: field)) }
        }
        guard case .list(let adapterList)? = workspace["adapters"],
            adapterList.allSatisfy({ $0.string.map(adapters.contains) ?? false }),
            Set(adapterList.compactMap(\.string)).count == adapterList.count
        else {
            throw E("workspace.adapters may contain agents and claude once each")
        }
        let capabilityList: [Value]
        switch workspace["capabilities"] {
        case nil: capabilityList = []
        case .list(let l)?: capabilityList = l
        default: throw E("workspace.capabilities may contain cocoindex-code once")
        }
        guard capabilityList.allSatisfy({ $0.string.map(capabilities.contains) ?? false }),
            Set(capabilityList.compactMap(\.string)).count == capabilityList.count
        else {
            throw E("workspace.capabilities may contain cocoindex-code once")
        }
        if capabilityList.contains(.string("cocoindex-code")) { protected.append(".cocoindex_code") }
        guard case .list(let excludes)? = raw["exclude"], excludes.allSatisfy({ $0.string != nil }) else {
            throw E("exclude must be a list of paths")
        }
        let normalized = Set(excludes.compactMap(\.string).map { Exact(stripSlashes($0.replacing("\\", with: "/"))) })
        let missing = protected.filter { !normalized.contains(Exact($0)) }
        if !missing.isEmpty {
            throw E("exclude must protect workspace private/runtime/capability paths: " + missing.joined(separator: ", "))
        }
    }

    /// A non-empty path inside the workspace: not absolute, no drive, no empty, `.` or `..` part.
    static func relativePath(_ v: Value?, field: String) throws(Composition.MergeError) -> String {
        guard let s = v?.string, !PythonText.strip(s).isEmpty else {
            throw Composition.MergeError("workspace.\(field) must be a non-empty relative path")
        }
        let normalized = s.replacing("\\", with: "/")
        let parts = normalized.split(separator: "/", omittingEmptySubsequences: false)
        let u = Array(normalized.utf8.prefix(2))
        let drive =
            u.count == 2 && u[1] == UInt8(ascii: ":")
            && ((0x41...0x5A).contains(u[0]) || (0x61...0x7A).contains(u[0]))
        if normalized.hasPrefix("/") || drive || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw Composition.MergeError("workspace.\(field) must stay inside the workspace")
        }
        var out = Substring(normalized)
        while out.last == "/" { out.removeLast() }
        return String(out)
    }

    private static func stripSlashes(_ s: String) -> String {
        var v = Substring(s)
        while v.first == "/" { v.removeFirst() }
        while v.last == "/" { v.removeLast() }
        return String(v)
    }
}
