import TOMLKit

/// TOML through TOMLKit (toml++ underneath, TOML 1.0), turned into plain `Value`s. TOMLKit is
/// vendored (Vendor/TOMLKit) so that toml++'s internal checks throw rather than abort.
package enum TOMLFile {
    /// Parses a config file's bytes (`utf-8-sig`, as tropo reads them) into a table.
    package static func parse(_ bytes: [UInt8], file: String) throws(ExoError) -> OrderedMap {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw .config(file: file, cause: "not valid UTF-8")
        }
        if text.utf8.contains(0) { throw .config(file: file, cause: "invalid TOML: NUL byte in file") }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .config(
                file: file,
                cause:
                    "invalid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw .config(file: file, cause: "invalid TOML: \(error)")
        }
        // Converted into plain values, the table is freed: TOMLKit would keep it forever.
        let map = convert(table)
        table.destroyParsed()
        return map
    }

    package static func parse(text: String, file: String) throws(ExoError) -> OrderedMap {
        try parse(Array(text.utf8), file: file)
    }

    private static func convert(_ table: TOMLTable) -> OrderedMap {
        var map = OrderedMap()
        for key in table.keys {
            if let v = table[key] { map.set(key, convert(v.tomlValue)) }
        }
        return map
    }

    private static func convert(_ value: TOMLValue) -> Value {
        switch value.type {
        case .table: return .map(value.table.map(convert) ?? OrderedMap())
        case .array: return .list(value.array.map { $0.map { convert($0.tomlValue) } } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .int(String(value.int ?? 0))
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        default: return .string(value.debugDescription)
        }
    }
}
