// swift-tools-version:6.0
import PackageDescription

// libFuzzer drivers for the parsers a push reaches (see ../FUZZING.md). Built by `make fuzz`
// (optimized, as the hook ships) with `-sanitize=fuzzer,address -parse-as-library`: libFuzzer supplies `main`, and every
// module of exo-guard these link is instrumented for coverage and checked by AddressSanitizer.
let package = Package(
    name: "exo-guard-fuzz",
    dependencies: [.package(name: "exo-guard", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + ["Frontmatter", "Index", "Objects", "ParseCache", "Config"].map { name in
            .executableTarget(
                name: "Fuzz\(name)",
                dependencies: ["FuzzDriver", .product(name: "ExoFuzzTargets", package: "exo-guard")],
                path: "Sources/Fuzz\(name)"
            )
        }
)
