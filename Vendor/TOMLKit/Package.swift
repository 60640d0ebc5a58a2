// swift-tools-version:5.4
// TOMLKit 0.6.0 (https://github.com/LebJe/TOMLKit, commit bebd313, MIT, LICENSE here), with
// toml++ 3.4.0 inside, vendored by exo-guard for two fixes found by fuzzing (FUZZING.md):
// the parser's internal assertions (`TOML_ASSERT`, `TOML_ASSERT_ASSUME`) throw instead of
// aborting the process, and `tableCreateFromString` reports any exception as a parse error
// (a crafted tropo.toml, `[|a]` or `a = [}`, aborted every hook); `TOMLTable(string:)` frees
// its error record and message, and a parsed table can be freed (`destroyParsed`): both
// leaked on every parse; and its Foundation types (Data, Date, Calendar, DateComponents) come
// from FoundationEssentials where the toolchain has it, so that a static exo-guard does not
// link the whole of Foundation and ICU's data (89 MB -> 40 MB; 0.8 ms less at every start).
// Each change is marked `exo-guard:`. Its tests and their dependency are left out.
import PackageDescription

let package = Package(
    name: "TOMLKit",
    products: [.library(name: "TOMLKit", targets: ["TOMLKit"])],
    targets: [
        .target(name: "CTOML", cxxSettings: [.define("TOML_EXCEPTIONS", to: "1")]),
        .target(name: "TOMLKit", dependencies: ["CTOML"]),
    ]
)
