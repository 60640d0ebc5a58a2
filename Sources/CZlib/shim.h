/* zlib, git's object format: blobs are read straight from packs and loose files as far as
   their frontmatter goes (Sources/ExoGit/BlobPrefixReader.swift). Debian's zlib1g-dev comes
   with libgit2-dev; unlike libgit2, zlib is linked, not loaded: it is small, and every
   distribution has it mapped already. */
#include <zlib.h>

/* inflateInit2 is a macro, which Swift cannot call. A raw stream (a zlib stream past its
   two-byte header): no Adler-32 is computed over what is inflated. */
static inline int czlib_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -15);
}
