import ExoFuzzTargets
import ExoSnapshot
import Testing

@testable import ExoEngine
@testable import ExoGraph

#if canImport(Glibc)
    import Glibc
#endif

/// Every seed and every regression input of the fuzz targets (Fuzz/corpus/<target>/,
/// Fuzz/regressions/<target>/), run through the same entry points libFuzzer drives: each
/// returns, and the property each checks holds. A crash the fuzzer finds becomes a file in
/// regressions/ and is replayed here by every `make test` (FUZZING.md).
@Suite struct FuzzReplayTests {
    static let fuzz: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }  // Tests/ExoCoreTests/x.swift
        return path + "/Fuzz"
    }()

    static func files(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(folder + "/" + name) }
        }
        return names.sorted()
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func replay(_ target: String) throws {
        let run = try #require(FuzzTargets.all.first { $0.name == target }?.run)
        let seeds = Self.files(Self.fuzz + "/corpus/" + target)
        let regressions = Self.files(Self.fuzz + "/regressions/" + target)
        #expect(!seeds.isEmpty, "no seeds for \(target) in \(Self.fuzz)/corpus")
        for file in seeds + regressions {
            run(try FileSystemSnapshot.read(absolute: file))
        }
    }
}
