import ExoSnapshot

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
        // A link is followed from its real folder, not from the top: its cost follows its
        // own target, not the depth it sits at.
        let real = e.kind == .symlink ? resolve(link: e, in: parentReal, file: path) : candidate
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
        follow(Array(path.split(separator: "/").map(String.init).reversed()), from: [], hops: 0, file: path)
    }

    /// The real path the symlink `link` in the real folder `folder` leads to.
    func resolve(link: Entry, in folder: String, file: String) -> String? {
        guard let text = linkText(link.id, file: file) else { return nil }
        let start = folder.isEmpty ? [] : folder.split(separator: "/").map(String.init)
        return follow(text.split(separator: "/").map(String.init).reversed(), from: start, hops: 1, file: file)
    }

    /// Resolves `pending` (components, the next one last) from the real folder `start`,
    /// whose components are resolved; `hops` links followed so far.
    private func follow(_ pending: [String], from start: [String], hops: Int, file: String) -> String? {
        var pending = pending
        var resolved = start
        var current = start.joined(separator: "/")
        var hops = hops
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if resolved.isEmpty { return nil }
                resolved.removeLast()
                current = resolved.joined(separator: "/")
                continue
            }
            let candidate = current.isEmpty ? component : current + "/" + component
            guard let e = entry(candidate) else { return nil }
            if e.kind == .symlink {
                hops += 1
                guard hops <= 40, let text = linkText(e.id, file: file) else { return nil }
                pending += text.split(separator: "/").map(String.init).reversed()
                continue
            }
            if !pending.isEmpty && e.kind != .directory { return nil }
            resolved.append(component)
            current = candidate
        }
        return current
    }

    /// A symlink's target, read once per blob (20,000 links to one file are one read); nil
    /// when it cannot be read, is not UTF-8 or is absolute (it leaves the tree).
    private func linkText(_ id: ObjectID, file: String) -> String? {
        if let known = linkTargets[id] { return known }
        var text: String? = nil
        if let target = try? blob(id, file: describe(file)), let t = String(validating: target, as: UTF8.self),
            !t.hasPrefix("/")
        {
            text = t
        }
        linkTargets[id] = .some(text)
        return text
    }
}
