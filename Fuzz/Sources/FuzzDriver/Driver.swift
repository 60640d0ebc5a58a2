/// libFuzzer's driver (compiler-rt's `LLVMFuzzerRunDriver`), linked in by `-sanitize=fuzzer`.
public enum LibFuzzer {
    public typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    @_silgen_name("LLVMFuzzerRunDriver")
    static func driver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Arguments>, _ callback: TestOneInput
    ) -> CInt

    /// Runs libFuzzer with this command line on `callback`.
    public static func run(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Arguments>, _ callback: TestOneInput
    ) -> CInt {
        driver(argc, argv, callback)
    }
}
