import ExoModel
import ExoSnapshot

extension ReadLimit {
    /// A document's frontmatter: at most `bytes` (64 MiB unless said) read to find its
    /// end (`Frontmatter.isDecided`). What the session gives every snapshot it makes.
    public static func frontmatter(_ bytes: Int = 64 << 20) -> ReadLimit {
        ReadLimit(bytes: bytes, enough: { Frontmatter.isDecided(byPrefix: $0) })
    }
}
