/// libFuzzer's driver (compiler-rt's `LLVMFuzzerRunDriver`), linked in by `-sanitize=fuzzer`.
public enum LibFuzzer {
    /// `argv`, as C hands it over.
    public typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    /// One input to run: its bytes and their count; returns 0.
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
