/* cache.c - geometry checking and parsing, creation and drawing of caches.
 *
 * Owns everything in cache.h that is not on the hot path; cache_access itself
 * is inline in the header.  Must not print, exit, or include anything outside
 * libc.  The rules and messages follow Cachegrind's cg_arch.c and cg_sim.c
 * (read for behaviour only; nothing is copied).
 */
#include "sim/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

const char *cache_config_check(const struct cache_config *c)
{
    uint64_t size = c->size, assoc = c->assoc, line = c->line;

    /* Checked first so that the divisions below are defined (Cachegrind 3.19
     * divided by zero here; 3.22 added these two messages). */
    if (line == 0)
        return "Cache line size is zero.";
    if (assoc == 0)
        return "Cache associativity is zero.";
    /* Cachegrind-compatible order: the set count is tested before the line
     * size, so "100,1,33" reports the set count.  Zero sets (size smaller
     * than one set) also lands here, as Valgrind's log2(0) is "not a power of
     * two". */
    if (size % (line * assoc) != 0 || !is_pow2(size / line / assoc))
        return "Cache set count is not a power of two.";
    if (!is_pow2(line))
        return "Cache line size is not a power of two.";
    if (line < CACHE_MIN_LINE)
        return "Cache line size is too small.";
    if (size <= line)
        return "Cache size <= line size.";
    /* Cannot fire once the set count passed (sets >= 1 means size/line >=
     * assoc); kept because it is the bound cache_new's set arithmetic relies
     * on, and so that the list is Cachegrind's. */
    if (assoc > size / line)
        return "Cache associativity > (size / line size).";
    return NULL;
}

/* Reads one run of decimal digits ending at `stop` ('\0' or ',').  Returns
 * the value, capped just above INT32_MAX so long inputs cannot wrap; sets *p
 * past the stop character.  Returns -1 on an empty run or a wrong stop. */
static int64_t parse_field(const char **p, char stop)
{
    const char *s = *p;
    int64_t v = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > (int64_t)INT32_MAX + 1)
            v = (int64_t)INT32_MAX + 1;
    }
    if (*s != stop)
        return -1;
    *p = stop ? s + 1 : s;
    return v;
}

int cache_config_parse(const char *text, struct cache_config *out, const char **msg)
{
    const char *p = text;
    int64_t size, assoc, line;

    /* Stricter than Cachegrind, whose strtoll10 also takes leading blanks, a
     * sign and empty fields (as 0): every such value it accepts has a plain
     * digits spelling, and the negative ones it rejects only by accident. */
    if ((size = parse_field(&p, ',')) < 0 || (assoc = parse_field(&p, ',')) < 0 ||
        (line = parse_field(&p, '\0')) < 0) {
        *msg = "Bad argument";
        return -1;
    }
    /* Cachegrind-compatible: its cache_t fields are Int. */
    if (size > INT32_MAX || assoc > INT32_MAX || line > INT32_MAX) {
        *msg = "One of the cache parameters was too large and overflowed.";
        return -1;
    }
    out->size = (unsigned)size;
    out->assoc = (unsigned)assoc;
    out->line = (unsigned)line;
    if ((*msg = cache_config_check(out)) != NULL)
        return -1;
    return 0;
}

void cache_describe(const struct cache_config *c, char *buf, size_t n)
{
    if (c->assoc == 1)
        snprintf(buf, n, "%u B, %u B, direct-mapped", c->size, c->line);
    else
        snprintf(buf, n, "%u B, %u B, %u-way associative", c->size, c->line, c->assoc);
}

struct cache *cache_new(const struct cache_config *cfg)
{
    struct cache *c = malloc(sizeof *c);
    /* sets * assoc == size / line, which is at most 2^28 for 32-bit sizes and
     * 16-byte lines. */
    size_t n = cfg->size / cfg->line;

    if (!c)
        return NULL;
    /* Every way starts as block 0, like Cachegrind's zeroed tags.  calloc,
     * not aligned_alloc and memset: a large calloc is fresh zero pages, left
     * untouched until used (an 8 MiB LL has 1 MiB of tags, most of them
     * never touched by a short run).  Then aligned to a cache line by hand,
     * so that no 32- or 64-byte piece of a set that the vector searches load
     * and store straddles two lines of the host's cache. */
    c->alloc = calloc(n * sizeof *c->tags + 63, 1);
    if (!c->alloc) {
        free(c);
        return NULL;
    }
    c->tags = (uint64_t *)(((uintptr_t)c->alloc + 63) & ~(uintptr_t)63);
    c->cfg = *cfg;
    c->assoc = cfg->assoc;
    c->set_mask = (uint64_t)(cfg->size / cfg->line / cfg->assoc) - 1;
    c->line_shift = (unsigned)__builtin_ctz(cfg->line);
    return c;
}

struct cache *cache_clone(const struct cache *src)
{
    struct cache *c = cache_new(&src->cfg);

    if (c)
        memcpy(c->tags, src->tags, (size_t)(src->cfg.size / src->cfg.line) * sizeof *c->tags);
    return c;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    free(c->alloc);
    free(c);
}

const struct cache_config *cache_config_of(const struct cache *c)
{
    return &c->cfg;
}

void cache_format_set(const struct cache *c, unsigned set, char *buf, size_t n)
{
    const uint64_t *tags = c->tags + (size_t)set * c->assoc;
    size_t used = 0;

    if (n == 0)
        return;
    buf[0] = '\0';
    for (unsigned i = 0; i < c->assoc && used < n; i++) {
        int k = snprintf(buf + used, n - used, "%s%llu", i ? " " : "",
                         (unsigned long long)tags[i]);
        if (k < 0)
            return;
        used += (size_t)k;
    }
}

#ifdef CACHE_HAVE_WIDE
int cache_wide_ok(void)
{
    /* libgcc's check includes the OS saving the AVX-512 state (XCR0). */
    return __builtin_cpu_supports("avx512f");
}

const uint64_t cache_lanes[16][4] __attribute__((aligned(32))) = {
#define LANES(m) { (m) & 1 ? ~0ull : 0, (m) & 2 ? ~0ull : 0, (m) & 4 ? ~0ull : 0, (m) & 8 ? ~0ull : 0 }
    LANES(0), LANES(1), LANES(2),  LANES(3),  LANES(4),  LANES(5),  LANES(6),  LANES(7),
    LANES(8), LANES(9), LANES(10), LANES(11), LANES(12), LANES(13), LANES(14), LANES(15),
#undef LANES
};

int cache_avx2_ok(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif
