import ExoModel
import ExoSnapshot

extension Coordination {
    /// tropo's walk order of two paths relative to one root: in each folder its files, then
    /// its subfolders, each by name in code point (UTF-8 byte) order. -1, 0 or 1.
    package static func walkOrder(_ p: String, _ q: String) -> Int {
        var p = p
        var q = q
        return p.withUTF8 { a in
            q.withUTF8 { b in
                let slash = UInt8(ascii: "/")
                let n = Swift.min(a.count, b.count)
                var k = 0
                while k < n && a[k] == b[k] { k += 1 }
                if k == a.count && k == b.count { return 0 }
                // The component in which they first differ, from its start in both.
                var s = k
                while s > 0 && a[s - 1] != slash { s -= 1 }
                var ea = s
                var eb = s
                while ea < a.count && a[ea] != slash { ea += 1 }
                while eb < b.count && b[eb] != slash { eb += 1 }
                let folderA = ea < a.count
                let folderB = eb < b.count
                if folderA != folderB { return folderA ? 1 : -1 }  // files first
                if k < ea && k < eb { return a[k] < b[k] ? -1 : 1 }
                return ea - s < eb - s ? -1 : (ea - s > eb - s ? 1 : 0)
            }
        }
    }
}

extension SnapPath {
    /// Whether the walk reaches the file `a` before the file `b` (paths relative to one
    /// folder): in each folder its files, then its subfolders, each in name order. The one
    /// definition of the walk order is `Coordination.walkOrder`; the plain form is ExoRules'
    /// `Rules.walksBefore`.
    package static func walksBefore(_ a: String, _ b: String) -> Bool { Coordination.walkOrder(a, b) < 0 }
}
