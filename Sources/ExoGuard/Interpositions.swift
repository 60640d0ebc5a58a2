#if canImport(Glibc)
    import Glibc
#endif

// A definition that stands in, for libgit2 only, for a function of a library it is linked
// against. It lives in the executable, never in a library product: a program that linked
// ExoCore and libgit2 would otherwise get certificate loading switched off unasked. The
// executable exports it (Package.swift's linker flags), so it comes first when the dynamic
// linker binds libgit2's calls (libgit2 is loaded with dlopen, shim.h).
//
// Measured (2026-12-06, debug build, `conflicts --json --rev HEAD` on a two-document
// repository, 150 interleaved runs each, medians; the other builds made by renaming the
// exported symbol in a copy of the binary, so that libgit2 binds the library's own):
//   this interposition          34.4 ms
//   without it                  40.3 ms   (+5.9 ms on every hook run that reads git)
// The libssh2_init stand-in that sat beside it measured nothing (39.5 ms without both,
// 40.3 ms without this one alone: within the noise), so it was removed: libssh2 is
// initialised as libgit2 expects.

/// libgit2 (Debian's build, with mbedTLS) parses the system's whole CA bundle while it
/// initialises, for TLS connections exo-guard never opens. No certificate is loaded here,
/// so a TLS connection, were one ever made, would find no trusted certificate and fail:
/// closed, never open. Builds of libgit2 over OpenSSL never call it. Public: an internal
/// function no Swift code calls is dropped from a release build, and libgit2 then binds
/// mbedTLS's own (test_install.py checks the installed binary).
@_cdecl("mbedtls_x509_crt_parse_file")
public func skipCertificateBundle(_ chain: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 { 0 }
