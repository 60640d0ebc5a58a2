#include <git2.h>
/* zlib, git's object format: blobs are read straight from packs and loose files as far as
   their frontmatter goes (zlib1g-dev comes with libgit2-dev). */
#include <zlib.h>

/* inflateInit is a macro, which Swift cannot call. */
static inline int cgit2_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}

/* git_libgit2_opts is variadic, which Swift cannot call: one fixed-argument wrapper per option used. */
static inline int cgit2_set_extensions(const char **extensions, size_t count) {
    return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, count);
}

static inline int cgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int cgit2_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

static inline int cgit2_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

static inline int cgit2_enable_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
