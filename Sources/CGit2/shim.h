#include <git2.h>
#include <dlfcn.h>

/* libgit2 is loaded when a command first needs git, not when the process starts: with its
   eighteen libraries (TLS, SSH, Kerberos, PCRE) it costs about 1.7 ms to map and relocate,
   which commands that only read files never need. Every libgit2 function exo-guard calls is
   listed here once; `cgit2_load` fills a table of them, typed by the headers themselves, and
   Swift calls `git.tree_lookup(...)` where it would call `git_tree_lookup(...)`.
   SwiftPM does not rebuild every Swift file when this header changes, and objects built
   against the old table layout crash: after adding a function, remove ExoGit.build,
   ExoCore.build, ExoGuard.build and ExoFuzzTargets.build under .build/<triple>/debug and
   .../release, and .build/debug.yaml and release.yaml (a fresh clone, as CI has, is fine). */
#define CGIT2_FUNCTIONS(X) \
    X(buf_dispose) X(commit_free) X(commit_lookup) X(commit_parent_id) X(commit_parentcount) X(commit_time) X(commit_tree_id) \
    X(config_add_file_ondisk) X(config_free) X(config_get_multivar_foreach) \
    X(config_get_string_buf) X(config_new) X(diff_free) X(diff_get_delta) X(diff_num_deltas) \
    X(diff_options_init) X(diff_tree_to_index) X(error_last) X(graph_descendant_of) X(index_entrycount) \
    X(index_free) X(index_get_byindex) X(index_has_conflicts) X(index_open) \
    X(libgit2_features) X(libgit2_init) X(libgit2_opts) X(libgit2_version) X(merge_base) X(object_free) \
    X(object_id) X(object_peel) X(object_type) X(object_type2string) X(odb_add_disk_alternate) X(odb_exists) X(odb_free) \
    X(odb_hash) X(odb_object_data) X(odb_object_free) X(odb_object_size) X(odb_read) \
    X(odb_read_header) X(odb_write) X(reference_foreach_name) X(reference_free) X(reference_lookup) \
    X(reference_name_to_id) X(reference_symbolic_target) X(reference_type) \
    X(repository_commondir) X(repository_free) X(repository_head_unborn) \
    X(repository_is_bare) X(repository_odb) X(repository_open_ext) X(repository_path) \
    X(repository_set_workdir) X(repository_workdir) X(revparse_single) X(tree_entry_byindex) \
    X(tree_entry_filemode) X(tree_entry_id) X(tree_entry_name) X(tree_entrycount) \
    X(tree_free) X(tree_lookup)

#pragma clang assume_nonnull begin
typedef struct cgit2_api {
#define CGIT2_FIELD(name) __typeof__(git_##name) *name;
    CGIT2_FUNCTIONS(CGIT2_FIELD)
#undef CGIT2_FIELD
} cgit2_api;
#pragma clang assume_nonnull end

/* The libgit2 these headers describe (its soname carries the ABI version), loaded once; NULL
   with the table filled in, else the loader's message. */
static inline const char *cgit2_load(cgit2_api *api) {
    void *lib = dlopen("libgit2.so." LIBGIT2_SOVERSION, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) return dlerror();
#define CGIT2_SYMBOL(name) \
    if (!(*(void **)&api->name = dlsym(lib, "git_" #name))) return dlerror();
    CGIT2_FUNCTIONS(CGIT2_SYMBOL)
#undef CGIT2_SYMBOL
    return 0;
}
/* git_libgit2_opts is variadic, which Swift cannot call: one fixed-argument wrapper per option used. */
static inline int cgit2_set_extensions(const cgit2_api *git, const char **extensions, size_t count) {
    return git->libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, count);
}

static inline int cgit2_set_owner_validation(const cgit2_api *git, int enabled) {
    return git->libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int cgit2_enable_caching(const cgit2_api *git, int enabled) {
    return git->libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

static inline int cgit2_enable_strict_hash_verification(const cgit2_api *git, int enabled) {
    return git->libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* The commit exo-guard was built from: `make release` passes -DEXO_GUARD_COMMIT="<id>". */
static inline const char *cgit2_build_commit(void) {
#ifdef EXO_GUARD_COMMIT
    return EXO_GUARD_COMMIT;
#else
    return "";
#endif
}
