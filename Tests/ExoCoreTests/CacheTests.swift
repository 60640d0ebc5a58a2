import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ExoCore

/// The byte forms of cached results, and the store on disk.
@Suite struct CacheTests {
    static let key = CacheKey(Array(1...20).map(UInt8.init)[...])!

    func doc(_ id: String, status: Value?, targets: [String]) -> GraphDocument {
        GraphDocument(id: id, path: "changes/\(id).md", status: status, assignee: .string("agent-ü"), targets: targets)
    }

    @Test func cacheKeyRoundTrips() {
        let bytes = Array(100..<120).map(UInt8.init)
        let key = CacheKey(bytes[...])!
        #expect(key.bytes == bytes)
        #expect(key.hex == bytes.map { String($0, radix: 16) }.joined())
        #expect(CacheKey(bytes[1...]) == nil)
    }

    @Test func fieldsRoundTrip() {
        let fields = Frontmatter.fields(of: Array("---\nstatus: active\ntouches: [a, 'b']\nn: 1.5\nt: ~\n---\n".utf8))
        let back = CacheCoding.fields(CacheCoding.encode(fields)[...])
        #expect(back?.map == fields.map)
    }

    @Test func subtreeRoundTripsAndRefusesDamage() {
        let child = Subtree(key: Self.key, files: [], children: [])
        let tree = Subtree(key: nil, files: [doc("a", status: .string("active"), targets: ["x", "y"]),
                                              doc("b", status: nil, targets: [])], children: [child])
        let bytes = CacheCoding.encode(tree)
        let back = CacheCoding.subtree(bytes[...])
        #expect(back?.files.map(\.id) == ["a", "b"])
        #expect(back?.files[0].targets == ["x", "y"])
        #expect(back?.files[1].status == nil)
        #expect(back?.files[0].assignee == .string("agent-ü"))
        #expect(back?.children == [Self.key])
        for cut in [1, 7, bytes.count / 2, bytes.count - 1] {
            #expect(CacheCoding.subtree(bytes[..<cut]) == nil)
        }
        #expect(CacheCoding.subtree((bytes + [0])[...]) == nil)
    }

    @Test func coordinationRoundTrips() {
        let conflicts = [Coordination.Conflict(a: "a", b: "b", shared: ["x"]),
                         Coordination.Conflict(a: "a", b: "c", shared: ["x", "y"])]
        let bytes = CacheCoding.encode(active: ["a", "b", "c"], conflicts: conflicts)
        let back = CacheCoding.coordination(bytes[...])
        #expect(back?.active == ["a", "b", "c"])
        #expect(back?.conflicts == conflicts)
        #expect(CacheCoding.coordination(bytes.dropLast()) == nil)
    }

    @Test func storeKeepsKindsApartAndSurvivesAReload() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { Issue.record("mkdtemp failed"); return }
        let directory = String(cString: made)
        defer { _ = system("rm -rf '\(directory)'") }
        let store = DiskParseStore(directory: directory)
        store.save(.subtree, Self.key, [1, 2, 3])
        store.save(.coordination, Self.key, [4, 5])
        store.flush()
        let reloaded = DiskParseStore(directory: directory)
        #expect(reloaded.load(.subtree, Self.key).map(Array.init) == [1, 2, 3])
        #expect(reloaded.load(.coordination, Self.key).map(Array.init) == [4, 5])
        #expect(reloaded.load(.fields, Self.key) == nil)
        // Appended to the file it read.
        reloaded.save(.roots, Self.key, [6])
        reloaded.flush()
        #expect(DiskParseStore(directory: directory).load(.roots, Self.key).map(Array.init) == [6])
        #expect(DiskParseStore(directory: directory).load(.subtree, Self.key).map(Array.init) == [1, 2, 3])
    }
}
