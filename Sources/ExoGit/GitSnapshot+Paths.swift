import ExoGraph

/// Real paths inside a git snapshot, as `os.path.realpath` would find them in a checkout.
extension GitSnapshot {
    /// `path` with every symlink inside the tree followed; nil when it leaves the tree or loops.
    public func realPath(_ path: String) -> String? {
        if path.isEmpty { return "" }
        if let known = realFolders[path] { return known }
        let parent = SnapPath.parent(path)
        let name = SnapPath.name(path)
        guard !name.isEmpty, name != ".", name != ".." else { return resolve(path) }
        guard let parentReal = realFolder(parent) else { return nil }
        let candidate = parentReal.isEmpty ? name : parentReal + "/" + name
        guard let e = entry(candidate) else { return nil }
        let real = e.kind == .symlink ? resolve(candidate) : candidate
        if let real, e.kind == .directory || (e.kind == .symlink && kind(real) == .directory) { realFolders[path] = real }
        return real
    }

    /// The real path of a folder; nil when it, or a folder above it, is not a folder.
    func realFolder(_ dir: String) -> String? {
        if dir.isEmpty { return "" }
        if let known = realFolders[dir] { return known }
        // The folders from `dir` up to the deepest one already resolved (as the walk goes
        // down, its parent), then resolved top down, each in one step from its parent.
        var missing: [String] = []
        var folder = dir
        while !folder.isEmpty, realFolders[folder] == nil {
            missing.append(folder)
            folder = SnapPath.parent(folder)
        }
        for folder in missing.reversed() {
            guard realPath(folder) != nil, realFolders[folder] != nil else { return nil }
        }
        return realFolders[dir]
    }

    /// `os.path.realpath` inside the snapshot, component by component, following symlinks
    /// (at most 40) whose targets stay inside it; nil for anything that leaves it or is
    /// missing on the way.
    func resolve(_ path: String) -> String? {
        var pending = Array(path.split(separator: "/").map(String.init).reversed())
        var resolved: [String] = []
        var hops = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if resolved.isEmpty { return nil }
                resolved.removeLast()
                continue
            }
            let candidate = (resolved + [component]).joined(separator: "/")
            guard let e = entry(candidate) else { return nil }
            if e.kind == .symlink {
                hops += 1
                guard hops <= 40, let target = try? blob(e.id, file: describe(path)),
                    let text = String(validating: target, as: UTF8.self),
                    !text.hasPrefix("/")
                else { return nil }
                pending += text.split(separator: "/").map(String.init).reversed()
                continue
            }
            if !pending.isEmpty && e.kind != .directory { return nil }
            resolved.append(component)
        }
        return resolved.joined(separator: "/")
    }
}
