/* sym_store.c - an object's symbol and line tables kept across runs.
 *
 * Why: glibc's tables come from its separate debug file (Debian's
 * libc6-dbg): 5.8 MB of .debug_info and more to inflate and walk, about 30 ms
 * of two threads, in every run of every program, and the end of a short run
 * waits for it (names are given at the end, docs/symbols.md).  The tables
 * depend only on the files they were read from and on the code that read
 * them, so a file in the cache directory (core/dcache.h) keyed by both
 * holds them for the next run: `cachesim /bin/true` 98 -> 82 ms.
 *
 * The file, sym-KEY.bin: a header, then the object's interned strings in id
 * order (NUL-terminated), its symbols {address, size, name's id, is_text},
 * then its line table entries as they are in memory (this build wrote them:
 * the key says so).  A checksum of everything after the header, and bounds
 * on every id, are checked before anything is used: a damaged, cut or
 * foreign file is read as if it were not there.  Written whole to a
 * temporary file and renamed, so runs at once see the old file or the new.
 */
#include "core/sym_priv.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/dcache.h"

#define MAGIC "CSSYMST1"
/* Smaller tables are read again each time (a program's own binary: under a
 * millisecond), rather than leaving a file per program in the directory. */
#define MIN_ENTRIES 4096u
/* A file used is marked (its time set) when older than this, so that the
 * stale sweep (DCACHE_STALE_SECONDS unwritten) only takes files nobody used. */
#define FRESHEN_SECONDS 3600

struct hdr {
    char magic[8];
    uint64_t key, size, sum;
    uint64_t n_strs, strs_bytes, n_syms, n_lines;
};

struct ssym {
    uint64_t addr, size;
    uint32_t raw, is_text;
};

static int enabled = 1;
static uint64_t n_found, n_written;

void sym_store_enable(int on) { enabled = on; }

void sym_store_stats(uint64_t *found, uint64_t *written)
{
    *found = __atomic_load_n(&n_found, __ATOMIC_RELAXED);
    *written = __atomic_load_n(&n_written, __ATOMIC_RELAXED);
}

static void hash_stat(uint64_t *h, int fd)
{
    struct stat st;
    static const char none[] = "none";
    *h = fd >= 0 && fstat(fd, &st) == 0 ? dcache_file_hash(*h, &st) : dcache_hash(*h, none, sizeof none);
}

uint64_t sym_store_key(int fd, int dbg_fd)
{
    static const char kind[] = "cachesim-symbols-1";
    if (!enabled || fd < 0)
        return 0;
    uint64_t h = dcache_exe_hash(dcache_hash(DCACHE_HASH0, kind, sizeof kind - 1));
    if (!h)
        return 0;
    hash_stat(&h, fd);
    hash_stat(&h, dbg_fd);
    return h ? h : 1;
}

static int store_path(uint64_t key, char *dir, size_t nd, char *path, size_t np)
{
    if (dcache_dir(dir, nd) != 0)
        return -1;
    int k = snprintf(path, np, "%s/sym-%016llx.bin", dir, (unsigned long long)key);
    return k > 0 && (size_t)k < np ? 0 : -1;
}

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The whole of fd at [off, off + n) into p. */
static int read_at(int fd, void *p, size_t n, off_t off)
{
    for (size_t got = 0; got < n;) {
        ssize_t k = pread(fd, (char *)p + got, n - got, off + (off_t)got);
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

int sym_store_load(struct sym_obj *o, uint64_t key, struct intern *strs)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    if (!key || intern_count(strs) != 0 || store_path(key, dir, sizeof dir, path, sizeof path) != 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    struct hdr h;
    char *meta = NULL;
    struct sym_lent *lines = NULL;
    if (fstat(fd, &st) != 0 || read_at(fd, &h, sizeof h, 0) != 0 || memcmp(h.magic, MAGIC, 8) != 0 ||
        h.key != key || h.size != (uint64_t)st.st_size || h.n_strs > UINT32_MAX ||
        h.strs_bytes > h.size || h.n_syms > h.size / sizeof(struct ssym) ||
        h.n_lines > h.size / sizeof(struct sym_lent) ||
        sizeof h + pad8(h.strs_bytes) + h.n_syms * sizeof(struct ssym) +
                h.n_lines * sizeof(struct sym_lent) != h.size)
        goto fail;
    size_t n_meta = pad8(h.strs_bytes) + h.n_syms * sizeof(struct ssym);
    meta = malloc(n_meta ? n_meta : 1);
    lines = malloc(h.n_lines ? h.n_lines * sizeof *lines : 1);
    if (!meta || !lines || read_at(fd, meta, n_meta, sizeof h) != 0 ||
        read_at(fd, lines, h.n_lines * sizeof *lines, (off_t)(sizeof h + n_meta)) != 0 ||
        dcache_hash(dcache_hash(DCACHE_HASH0, meta, n_meta), lines, h.n_lines * sizeof *lines) != h.sum)
        goto fail;
    /* Everything is checked before the first string is interned: a table
     * left half filled would give the read that follows other ids. */
    const char *p = meta, *end = meta + h.strs_bytes;
    for (uint64_t i = 0; i < h.n_strs; i++) {
        const char *nul = memchr(p, 0, (size_t)(end - p));
        if (!nul)
            goto fail;
        p = nul + 1;
    }
    const struct ssym *ss = (const struct ssym *)(meta + pad8(h.strs_bytes));
    for (uint64_t i = 0; i < h.n_syms; i++)
        if (ss[i].raw >= h.n_strs)
            goto fail;
    for (uint64_t i = 0; i < h.n_lines; i++)
        if (lines[i].file >= h.n_strs)
            goto fail;
    p = meta;
    for (uint64_t i = 0; i < h.n_strs; i++) {
        const char *s = intern_str(strs, p);
        if (intern_id(s) != i) /* a string twice: not a file this code wrote (the
                                  read that follows interns into the same table:
                                  its ids are its own, the extra ones harmless) */
            goto fail;
        p += strlen(p) + 1;
    }
    o->syms = xcalloc(h.n_syms ? h.n_syms : 1, sizeof *o->syms);
    for (uint64_t i = 0; i < h.n_syms; i++)
        o->syms[i] = (struct sym_fsym){ss[i].addr, ss[i].size, intern_get(strs, ss[i].raw), NULL,
                                       (int)ss[i].is_text};
    o->nsyms = h.n_syms;
    o->lines = (struct sym_lines){lines, h.n_lines, h.n_lines};
    free(meta);
    if (time(NULL) - st.st_mtime > FRESHEN_SECONDS)
        futimens(fd, NULL);
    close(fd);
    __atomic_add_fetch(&n_found, 1, __ATOMIC_RELAXED);
    return 0;
fail:
    free(meta);
    free(lines);
    close(fd);
    return -1;
}

void sym_store_save(const struct sym_obj *o, uint64_t key, const struct intern *strs)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 64];
    if (!key || o->nsyms + o->lines.n < MIN_ENTRIES ||
        store_path(key, dir, sizeof dir, path, sizeof path) != 0)
        return;
    size_t n_strs = intern_count(strs), strs_bytes = 0;
    for (size_t i = 0; i < n_strs; i++)
        strs_bytes += intern_len(intern_get(strs, (uint32_t)i)) + 1;
    size_t n_meta = pad8(strs_bytes) + o->nsyms * sizeof(struct ssym);
    char *meta = calloc(1, n_meta ? n_meta : 1);
    if (!meta)
        return;
    char *p = meta;
    for (size_t i = 0; i < n_strs; i++) {
        const char *s = intern_get(strs, (uint32_t)i);
        memcpy(p, s, intern_len(s) + 1);
        p += intern_len(s) + 1;
    }
    struct ssym *ss = (struct ssym *)(meta + pad8(strs_bytes));
    for (size_t i = 0; i < o->nsyms; i++)
        ss[i] = (struct ssym){o->syms[i].addr, o->syms[i].size, intern_id(o->syms[i].raw),
                              (uint32_t)o->syms[i].is_text};
    size_t n_lines = o->lines.n * sizeof *o->lines.v;
    struct hdr h = {MAGIC, key, sizeof h + n_meta + n_lines,
                    dcache_hash(dcache_hash(DCACHE_HASH0, meta, n_meta), o->lines.v, n_lines),
                    n_strs, strs_bytes, o->nsyms, o->lines.n};
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int ok = fd >= 0 && write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
             write(fd, meta, n_meta) == (ssize_t)n_meta &&
             write(fd, o->lines.v, n_lines) == (ssize_t)n_lines;
    if (fd >= 0)
        ok &= close(fd) == 0;
    free(meta);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return;
    }
    __atomic_add_fetch(&n_written, 1, __ATOMIC_RELAXED);
    dcache_remove_stale(dir, "sym-", strrchr(path, '/') + 1);
}
