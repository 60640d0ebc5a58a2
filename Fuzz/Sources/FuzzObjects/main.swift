import ExoFuzzTargets
import FuzzDriver

/// One input, through `FuzzTargets.objects`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTargets.objects(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands the command
/// line to libFuzzer's driver, as libFuzzer's own `main` would.
@_cdecl("FuzzObjects_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LibFuzzer.run(&argc, &argv, fuzz)
}
