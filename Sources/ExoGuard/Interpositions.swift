#if canImport(Glibc)
    import Glibc
#endif

// Two definitions that stand in, for libgit2 only, for functions of the libraries it is
// linked against. They live in the executable, never in a library product: a program that
// linked ExoCore and libgit2 would otherwise get certificate loading switched off unasked.
// The executable exports them (Package.swift's linker flags), so they come first when
// the dynamic linker binds libgit2's calls (libgit2 is loaded with dlopen, shim.h).
//
// Each is kept for what it saves on every hook run; measured MEASURED.

/// libgit2 (Debian's build, with mbedTLS) parses the system's whole CA bundle while it
/// initialises, for TLS connections exo-guard never opens. No certificate is loaded here,
/// so a TLS connection, were one ever made, would find no trusted certificate and fail:
/// closed, never open. Builds of libgit2 over OpenSSL never call it.
@_cdecl("mbedtls_x509_crt_parse_file")
func skipCertificateBundle(_ chain: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 { 0 }

/// libgit2 initialises libssh2 at start, which initialises OpenSSL's crypto (engines,
/// algorithm tables), for SSH transports exo-guard never opens: it reads a repository and
/// never fetches or pushes, so libssh2 is never used after this (were it used, it would be
/// uninitialised: exo-guard makes no libgit2 call that reaches the network).
@_cdecl("libssh2_init")
func skipSSHInitialisation(_ flags: Int32) -> Int32 { 0 }
