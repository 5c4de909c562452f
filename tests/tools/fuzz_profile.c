/* fuzz_profile.c - fuzz target for the profile reader (and, through it, the
 * writer, sorting, merging and name rewriting).
 *
 * Two builds of the same file:
 * - libFuzzer (clang -fsanitize=fuzzer,address,undefined
 *   -DCACHESIM_LIBFUZZER, see `make fuzz`): LLVMFuzzerTestOneInput only;
 * - plain program (the Makefile's tests/tools rule, no fuzzer needed):
 *     fuzz_profile FILE|DIR...
 *   runs every file (every regular file of every DIR) through the same
 *   checks once - a regression run over a saved corpus.  Exit 0 if all
 *   inputs passed, 1 if a check failed, 2 on bad usage.
 *
 * For each input: read it (refusal is fine, with a message that names the
 * input); if accepted, the profile must survive write -> read -> write with
 * the two writes byte-identical and the same totals and cell count, and
 * merging it into a copy must double the totals.  A failed check aborts, so
 * the fuzzer records the input.  Owns nothing else.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/diag.h"
#include "core/base/profile.h"

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_profile: check failed: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    abort();
}

static char *write_mem(struct profile *p, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct diag_err e;
    if (!f)
        fail("open_memstream", NULL);
    if (profile_write_stream(p, f, &e) < 0)
        fail("writing an accepted profile", e.msg);
    fclose(f);
    return buf;
}

static int read_mem(struct profile *p, const char *data, size_t len,
                    const struct profile_read_opts *o, struct diag_err *e)
{
    if (len == 0)
        data = ""; /* fmemopen wants a buffer even for nothing */
    FILE *f = fmemopen((void *)data, len ? len : 1, "r");
    if (!f)
        fail("fmemopen", NULL);
    if (len == 0)
        fgetc(f); /* an empty stream: consume the placeholder byte */
    int rc = profile_read_stream(p, f, "input", o, e);
    fclose(f);
    return rc;
}

static struct profile_subst *mod;

static void check_one(const uint8_t *data, size_t size)
{
    struct diag_err e = {{0}};
    struct profile *p = profile_new();
    /* Odd first byte: also rewrite function names while reading. */
    struct profile_read_opts o = {NULL, size && (data[0] & 1) ? mod : NULL, 1};
    if (read_mem(p, (const char *)data, size, &o, &e) < 0) {
        if (strncmp(e.msg, "input:", 6) != 0)
            fail("error message does not name the input", e.msg);
        profile_free(p);
        return;
    }
    size_t n1, n2;
    char *w1 = write_mem(p, &n1);
    struct profile *q = profile_new();
    if (read_mem(q, w1, n1, NULL, &e) < 0)
        fail("re-reading our own output", e.msg);
    char *w2 = write_mem(q, &n2);
    if (n1 != n2 || memcmp(w1, w2, n1) != 0)
        fail("write -> read -> write is not byte-identical", NULL);
    if (profile_n_cells(p) != profile_n_cells(q))
        fail("cell count changed in the round trip", NULL);
    size_t k = profile_n_events(p);
    int64_t t1[PROFILE_MAX_EVENTS], t2[PROFILE_MAX_EVENTS];
    profile_totals(p, t1);
    profile_totals(q, t2);
    if (memcmp(t1, t2, k * sizeof *t1) != 0)
        fail("totals changed in the round trip", NULL);
    /* Merge q into itself's copy: totals double (unless that overflows,
     * which profile_add reports). */
    struct profile *m = profile_new();
    if (profile_add(m, q, 1, &e) < 0)
        fail("profile_add into an empty profile", e.msg);
    if (profile_add(m, q, 1, &e) == 0) {
        int64_t t3[PROFILE_MAX_EVENTS];
        profile_totals(m, t3);
        for (size_t i = 0; i < k; i++)
            if (t3[i] != (int64_t)((uint64_t)t2[i] * 2))
                fail("merged totals are not twice the totals", NULL);
    }
    const struct profile_pair *pairs;
    size_t np = profile_pairs(p, &pairs), cells = 0;
    for (size_t i = 0; i < np; i++)
        cells += pairs[i].n;
    if (cells != profile_n_cells(p))
        fail("pairs do not cover the cells", NULL);
    free(w1);
    free(w2);
    profile_free(m);
    profile_free(q);
    profile_free(p);
}

static void init(void)
{
    if (!mod) {
        struct diag_err e;
        mod = profile_subst_new("s/([a-z])[0-9]+/\\1N/g", &e);
        if (!mod)
            fail("compiling the test substitution", e.msg);
    }
}

#ifdef CACHESIM_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    check_one(data, size);
    return 0;
}
#else
static size_t run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error("unable to open '%s'", path);
        exit(EXIT_FAIL);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    fclose(f);
    check_one((const uint8_t *)buf, len);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    diag_set_prog("fuzz_profile");
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz_profile FILE|DIR...\n");
        return EXIT_USAGE;
    }
    init();
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *de;
            while (d && (de = readdir(d)) != NULL) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                    n += run_file(path);
            }
            if (d)
                closedir(d);
        } else {
            n += run_file(argv[i]);
        }
    }
    printf("fuzz_profile: %zu inputs passed\n", n);
    profile_subst_free(mod);
    return EXIT_OK;
}
#endif
