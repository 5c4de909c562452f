/* dcache.c - see dcache.h.
 *
 * The file: a header, a table of n_slots slots (a record's 32-bit offset and
 * a tag of its address: open addressing on the address, linear probing, 0:
 * empty), then the records, each
 * {addr, checksum, blob length, key length, key} and its blob, padded to 8
 * bytes.  Everything read from it is bounds-checked against its length and
 * every record against its checksum before use: a file that is damaged, cut
 * short or another build's is at worst not used.
 */
#include "core/dcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "CSDCACH2"
#define PROBES 64u
#define FILE_MAX (32u << 20)    /* past this the next write starts afresh */
#define DROP_EVERY 16384u       /* lookups between giving the mapping's pages back */
#define DROP_STEADY 2048u       /* the same once the start is over (each lookup then
                                   maps only the pages it reads: MADV_RANDOM) */

struct hdr {
    char magic[8];
    uint64_t build, n_slots, n_recs, size;
};

struct rec {
    uint64_t addr, sum;
    uint16_t len;
    uint8_t n_key;
    uint8_t key[DCACHE_KEY_MAX];
};

struct dcache {
    char dir[PATH_MAX], path[PATH_MAX];
    uint64_t build;
    const uint8_t *map; /* the file as it was at open, or NULL */
    int fd;             /* the same file, open while it is mapped */
    size_t map_len;
    uint64_t n_slots, n_old;
    int spill;          /* this run's new records, in order (a file: not resident) */
    uint64_t spill_len, n_new;
    int no_spill;       /* no spill file could be made or written: nothing is added */
    uint8_t buf[1 << 16];
    size_t buf_used;
    uint64_t asked, found;
    int steady;         /* dcache_trim was called: the start is over */
};

uint64_t dcache_hash(uint64_t h, const void *p, size_t n)
{
    /* FNV-1a's step on 8 bytes at a time (then the tail byte by byte): the
     * checksums, a byte at a time and of every record a probe passed, were
     * 11% of a warm start's engine thread. */
    const uint8_t *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t dcache_file_hash(uint64_t h, const struct stat *st)
{
    h = dcache_hash(h, &st->st_dev, sizeof st->st_dev);
    h = dcache_hash(h, &st->st_ino, sizeof st->st_ino);
    h = dcache_hash(h, &st->st_size, sizeof st->st_size);
    return dcache_hash(h, &st->st_mtim, sizeof st->st_mtim);
}

uint64_t dcache_exe_hash(uint64_t h)
{
    struct stat st;
    return stat("/proc/self/exe", &st) == 0 ? dcache_file_hash(h, &st) : 0;
}

static uint64_t mix(uint64_t addr)
{
    uint64_t x = addr * 0x9e3779b97f4a7c15ull;
    return x ^ x >> 29;
}

/* A slot: the record's offset in its low half, a tag of its address in the
 * high half, so that a probe reads no record but the one it wants (reading
 * every record a probe passed touched most of the file). */
static uint64_t slot_of(uint64_t addr, uint64_t n_slots) { return mix(addr) & (n_slots - 1); }
static uint64_t tag_of(uint64_t addr) { return mix(addr) >> 32 << 32; }

static uint64_t rec_sum(const struct rec *r, const void *blob)
{
    uint64_t h = dcache_hash(DCACHE_HASH0, &r->addr, sizeof r->addr);
    h = dcache_hash(h, &r->len, sizeof r->len);
    h = dcache_hash(h, &r->n_key, 1);
    h = dcache_hash(h, r->key, r->n_key);
    return dcache_hash(h, blob, r->len);
}

static size_t rec_size(size_t len) { return (sizeof(struct rec) + len + 7) & ~(size_t)7; }

/* mkdir -p for the last two components at most ($HOME/.cache/cachesim). */
static int make_dir(const char *d)
{
    if (mkdir(d, 0700) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    char up[PATH_MAX];
    snprintf(up, sizeof up, "%s", d);
    char *s = strrchr(up, '/');
    if (!s || s == up)
        return -1;
    *s = 0;
    if (mkdir(up, 0700) != 0 && errno != EEXIST)
        return -1;
    return mkdir(d, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int dcache_dir(char *out, size_t n)
{
    const char *d = getenv("CACHESIM_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    int k;
    if (d)
        k = snprintf(out, n, "%s", d);
    else if (x && x[0] == '/')
        k = snprintf(out, n, "%s/cachesim", x);
    else if (h && h[0] == '/')
        k = snprintf(out, n, "%s/.cache/cachesim", h);
    else
        return -1;
    if (k <= 0 || (size_t)k >= n)
        return -1;
    return make_dir(out);
}

static void map_file(struct dcache *c)
{
    int fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    struct hdr h;
    if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof h && st.st_size <= FILE_MAX &&
        pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h && memcmp(h.magic, MAGIC, 8) == 0 &&
        h.build == c->build && h.size == (uint64_t)st.st_size && h.n_slots &&
        (h.n_slots & (h.n_slots - 1)) == 0 && h.n_slots <= (uint64_t)st.st_size / 8 &&
        sizeof h + h.n_slots * 8 <= (uint64_t)st.st_size) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            c->map = m, c->map_len = (size_t)st.st_size;
            c->n_slots = h.n_slots, c->n_old = h.n_recs;
            c->fd = fd; /* (its records are copied from it, not through the mapping) */
            return;
        }
    }
    close(fd);
}

struct dcache *dcache_open(uint64_t build)
{
    struct dcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->build = build;
    c->spill = c->fd = -1;
    if (dcache_dir(c->dir, sizeof c->dir) != 0 ||
        snprintf(c->path, sizeof c->path, "%s/decode-%016llx.bin", c->dir,
                 (unsigned long long)build) >= (int)sizeof c->path) {
        free(c);
        return NULL;
    }
    map_file(c);
    return c;
}

static void drop_pages(struct dcache *c)
{
    /* The pages are the page cache's: dropped from the mapping, they cost a
     * minor fault if read again, and count in no one's resident set. */
    madvise((void *)c->map, c->map_len, MADV_DONTNEED);
}

void dcache_trim(struct dcache *c)
{
    if (c && c->map && !c->steady) { /* (once: later lookups drop their own, DROP_STEADY) */
        drop_pages(c);
        /* From now on a fault maps the one page read, not its neighbours
         * too (the kernel's fault-around: up to 16 pages of the page cache
         * for one lookup), so the drops can be rarer for the same resident
         * set.  Dropping every 64 lookups cost zlib's driver 55 ms and
         * SQLite's 130 ms more than every 2,048 (refaults at about 10 us on
         * the VMs measured), for 0.5 MB of peak memory (docs/performance.md). */
        madvise((void *)c->map, c->map_len, MADV_RANDOM);
        c->steady = 1;
    }
}

/* The record at offset o of the mapping, if it lies whole inside it (its
 * checksum is for the caller). */
static const struct rec *rec_at(const struct dcache *c, uint64_t o)
{
    if (o < sizeof(struct hdr) || o % 8 || o > c->map_len - sizeof(struct rec))
        return NULL;
    const struct rec *r = (const struct rec *)(c->map + o);
    if (r->n_key > DCACHE_KEY_MAX || r->len > DCACHE_BLOB_MAX || o + sizeof *r + r->len > c->map_len)
        return NULL;
    return r;
}

static int rec_intact(const struct rec *r) { return rec_sum(r, r + 1) == r->sum; }

const void *dcache_get(struct dcache *c, uint64_t addr, const uint8_t *key, unsigned n_key,
                       size_t *len)
{
    if (!c || !c->map)
        return NULL;
    c->asked++;
    /* Each lookup touches a page of slots and one of records at random:
     * once the start is over (dcache_trim), the few lookups left would
     * otherwise add pages to the run's peak memory one by one. */
    if (c->asked % (c->steady ? DROP_STEADY : DROP_EVERY) == 0)
        drop_pages(c);
    const uint64_t *slots = (const uint64_t *)(c->map + sizeof(struct hdr));
    uint64_t s = slot_of(addr, c->n_slots), tag = tag_of(addr);
    for (unsigned i = 0; i < PROBES; i++, s = (s + 1) & (c->n_slots - 1)) {
        uint64_t v = slots[s], o = (uint32_t)v;
        if (!o)
            return NULL;
        if ((v & ~0xFFFFFFFFull) != tag)
            continue;
        const struct rec *r = rec_at(c, o);
        if (!r)
            return NULL;
        if (r->addr != addr || r->n_key != n_key || memcmp(r->key, key, n_key) != 0)
            continue;
        if (!rec_intact(r))
            return NULL;
        c->found++;
        *len = r->len;
        return r + 1;
    }
    return NULL;
}

static int spill_flush(struct dcache *c)
{
    if (c->spill < 0 || !c->buf_used)
        return c->spill < 0 ? -1 : 0;
    if (pwrite(c->spill, c->buf, c->buf_used, (off_t)c->spill_len) != (ssize_t)c->buf_used) {
        close(c->spill);
        c->spill = -1;
        c->no_spill = 1;
        return -1;
    }
    c->spill_len += c->buf_used;
    c->buf_used = 0;
    return 0;
}

void dcache_put(struct dcache *c, uint64_t addr, const uint8_t *key, unsigned n_key,
                const void *blob, size_t len)
{
    if (!c || n_key > DCACHE_KEY_MAX || len > DCACHE_BLOB_MAX)
        return;
    if (c->spill < 0 && !c->no_spill) {
        c->spill = open(c->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (c->spill < 0) { /* a file system without O_TMPFILE */
            char t[PATH_MAX + 16];
            snprintf(t, sizeof t, "%s.XXXXXX", c->path);
            c->spill = mkostemp(t, O_CLOEXEC);
            if (c->spill >= 0)
                unlink(t);
        }
        c->no_spill = c->spill < 0; /* then nothing is added this run */
    }
    if (c->spill < 0)
        return;
    size_t need = rec_size(len);
    if (c->buf_used + need > sizeof c->buf && spill_flush(c) != 0)
        return;
    struct rec r;
    memset(&r, 0, sizeof r);
    r.addr = addr, r.len = (uint16_t)len, r.n_key = (uint8_t)n_key;
    memcpy(r.key, key, n_key);
    r.sum = rec_sum(&r, blob);
    uint8_t *p = c->buf + c->buf_used;
    memset(p, 0, need);
    memcpy(p, &r, sizeof r);
    memcpy(p + sizeof r, blob, len);
    c->buf_used += need;
    c->n_new++;
}

/* Writing the new file: records go through a buffer, their offsets into the
 * slot table. */
struct out {
    int fd;
    uint64_t *slots, n_slots, at, n;
    uint8_t buf[1 << 16];
    size_t used;
    int bad;
};

static void out_rec(struct out *w, const struct rec *r)
{
    size_t need = rec_size(r->len);
    if (w->at + need > FILE_MAX)
        return; /* (a file past it would not be read) */
    if (w->used + need > sizeof w->buf) {
        if (pwrite(w->fd, w->buf, w->used, (off_t)(w->at - w->used)) != (ssize_t)w->used)
            w->bad = 1;
        w->used = 0;
    }
    uint64_t s = slot_of(r->addr, w->n_slots);
    unsigned i;
    for (i = 0; i < PROBES && w->slots[s]; i++)
        s = (s + 1) & (w->n_slots - 1);
    if (i == PROBES)
        return; /* a crowded run of slots: lookups would not get this far */
    w->slots[s] = tag_of(r->addr) | (uint32_t)w->at;
    memcpy(w->buf + w->used, r, need);
    w->used += need, w->at += need, w->n++;
}

/* The records in [from, to) of fd, in order, each whole and intact, into w
 * (up to the first that is not: what follows it cannot be found). */
static void copy_records(struct out *w, int fd, uint64_t from, uint64_t to)
{
    uint8_t *in = malloc(1 << 16);
    uint64_t pos = from;
    int damaged = 0;
    while (in && pos < to && !w->bad && !damaged) {
        size_t want = to - pos < (1 << 16) ? (size_t)(to - pos) : (1 << 16);
        ssize_t k = pread(fd, in, want, (off_t)pos);
        if (k <= 0)
            break;
        size_t used = 0;
        while (used + sizeof(struct rec) <= (size_t)k) {
            const struct rec *r = (const struct rec *)(in + used);
            size_t need = rec_size(r->len);
            if ((damaged = r->n_key > DCACHE_KEY_MAX || r->len > DCACHE_BLOB_MAX))
                break;
            if (used + need > (size_t)k)
                break;
            if (rec_intact(r))
                out_rec(w, r);
            used += need;
        }
        if (used == 0)
            break;
        pos += used;
    }
    free(in);
}

void dcache_remove_stale(const char *dir, const char *prefix, const char *keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    size_t pl = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        char p[PATH_MAX];
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, pl) != 0 || l < 4 ||
            (strcmp(e->d_name + l - 4, ".bin") != 0 && strcmp(e->d_name + l - 4, ".tmp") != 0) ||
            (keep && strcmp(e->d_name, keep) == 0) ||
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        if (stat(p, &st) == 0 && now - st.st_mtime > DCACHE_STALE_SECONDS)
            unlink(p);
    }
    closedir(d);
}

static int write_file(struct dcache *c)
{
    if (spill_flush(c) != 0)
        return -1;
    int keep_old = c->map && c->map_len + c->spill_len <= FILE_MAX;
    uint64_t total = c->n_new + (keep_old ? c->n_old : 0), n_slots = 1024;
    while (n_slots < 2 * total)
        n_slots *= 2;
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", c->path, (int)getpid());
    struct out *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->slots = calloc(n_slots, 8);
    w->n_slots = n_slots;
    w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!w->slots || w->fd < 0) {
        if (w->fd >= 0)
            close(w->fd), unlink(tmp);
        free(w->slots), free(w);
        return -1;
    }
    w->at = sizeof(struct hdr) + n_slots * 8;
    /* Read back, not through the mapping: touching all of it would add the
     * whole file to this run's peak memory. */
    if (keep_old)
        copy_records(w, c->fd, sizeof(struct hdr) + c->n_slots * 8, c->map_len);
    copy_records(w, c->spill, 0, c->spill_len);
    struct hdr h;
    memcpy(h.magic, MAGIC, 8);
    h.build = c->build, h.n_slots = n_slots, h.n_recs = w->n, h.size = w->at;
    int ok = !w->bad &&
             pwrite(w->fd, w->buf, w->used, (off_t)(w->at - w->used)) == (ssize_t)w->used &&
             pwrite(w->fd, w->slots, n_slots * 8, sizeof h) == (ssize_t)(n_slots * 8) &&
             pwrite(w->fd, &h, sizeof h, 0) == (ssize_t)sizeof h;
    ok = close(w->fd) == 0 && ok;
    free(w->slots);
    free(w);
    if (!ok || rename(tmp, c->path) != 0) {
        unlink(tmp);
        return -1;
    }
    dcache_remove_stale(c->dir, "decode-", strrchr(c->path, '/') + 1);
    return 0;
}

void dcache_close(struct dcache *c, struct dcache_stats *st)
{
    if (!c)
        return;
    int written = 0;
    if (c->spill >= 0 && c->n_new >= 256 && c->n_new >= c->n_old / 16)
        written = write_file(c) == 0;
    if (st) {
        snprintf(st->path, sizeof st->path, "%s", c->path);
        st->asked = c->asked, st->found = c->found;
        st->added = c->spill >= 0 ? c->n_new : 0;
        st->written = written;
    }
    if (c->spill >= 0)
        close(c->spill);
    if (c->map)
        munmap((void *)c->map, c->map_len);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}
