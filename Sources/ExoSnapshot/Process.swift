#if canImport(Glibc)
    import Glibc
#endif

/// The process environment as a dictionary.
public enum ProcessEnvironment {
    /// Every variable of the environment the process started with.
    public static func all() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}

/// Absolute file-system paths (with their leading slash).
public enum FileSystemPath {
    /// The current directory, absolute.
    public static func currentDirectory() -> String { "/" + FileSystemSnapshot.currentDirectory() }

    /// `p` without trailing slashes (`/` stays `/`).
    public static func trimmingSlash(_ p: String) -> String {
        var s = Substring(p)
        while s.count > 1 && s.last == "/" { s.removeLast() }
        return String(s)
    }

    /// Absolute and lexically normalized, like `os.path.abspath`.
    public static func absolute(_ p: String) -> String { "/" + FileSystemSnapshot.absolutePath(p) }

    /// A small text file's contents, nil when it cannot be read.
    public static func readText(_ path: String) -> String? {
        guard let bytes = try? FileSystemSnapshot.read(absolute: path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
