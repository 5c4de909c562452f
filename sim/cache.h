/* cache.h - one simulated cache, exactly as Cachegrind models it, and the
 * one checker and parser of cache geometries.
 *
 * Owns: the geometry (struct cache_config), its validation with Cachegrind's
 * own messages, the "size,assoc,line" option syntax, and the cache object:
 * set-associative, true LRU, write-allocate, tags = whole block numbers, every
 * way initially holding block 0 (reference: cachegrind.md section 3).  Any
 * number of caches of any valid geometry may exist at once.
 * Must not: know which counter an access feeds (the caller decides that),
 * know about I1/D1/LL roles or the hierarchy (LL only on an L1 miss is the
 * caller's rule), print, exit, or include anything outside libc (and the
 * compiler's own <immintrin.h> for the AVX-512 and AVX2 forms of the set
 * search).
 */
#ifndef CACHESIM_SIM_CACHE_H
#define CACHESIM_SIM_CACHE_H
#include <stddef.h>
#include <stdint.h>

/* A cache geometry, all in bytes except assoc (ways per set).  A fully
 * associative cache is assoc == size / line (one set), direct-mapped is
 * assoc == 1, as on Cachegrind's --I1/--D1/--LL command line. */
struct cache_config {
    unsigned size, assoc, line;
};

/* The one validity rule.  Returns NULL if c can be simulated, otherwise a
 * static message, checked in Cachegrind's order with Cachegrind's exact
 * wording (3.22+, which adds the two "is zero" checks 3.19 lacked and crashed
 * on), without the trailing newline Valgrind prints:
 *   "Cache line size is zero."
 *   "Cache associativity is zero."
 *   "Cache set count is not a power of two."   (also: size not a multiple of
 *                                               line*assoc, or zero sets)
 *   "Cache line size is not a power of two."
 *   "Cache line size is too small."            (line < 16)
 *   "Cache size <= line size."
 *   "Cache associativity > (size / line size)."
 * Arithmetic is 64-bit, so no combination of 32-bit fields can overflow. */
const char *cache_config_check(const struct cache_config *c);

/* The smallest line size Cachegrind accepts: below it one instruction could
 * straddle three lines. */
#define CACHE_MIN_LINE 16

/* Parses Cachegrind's option value "size,assoc,line": exactly three runs of
 * decimal digits separated by single commas, nothing before, between or after
 * (no blanks, no signs, no empty fields).  Each value must fit a signed 32-bit
 * int, like Cachegrind's.  Then calls cache_config_check.
 * Returns 0 and fills *out, or returns -1 with *msg set to a static message
 * (out is then unspecified):
 *   "Bad argument"  - syntax; Cachegrind prints it as "Bad argument '<text>'"
 *                     after "Bad option: --I1=<text>", so the caller adds the
 *                     quoted text;
 *   "One of the cache parameters was too large and overflowed.";
 *   or one of cache_config_check's messages (Cachegrind prints that line,
 *   then the same two "Bad option"/"Bad argument" lines). */
int cache_config_parse(const char *text, struct cache_config *out, const char **msg);

/* Writes what Cachegrind puts after "desc: I1 cache:         ":
 * "32768 B, 64 B, 8-way associative", or "... B, ... B, direct-mapped" when
 * assoc == 1 (plain integers, no thousands separators).  Truncates to fit n
 * (always NUL-terminated when n > 0). */
void cache_describe(const struct cache_config *c, char *buf, size_t n);

/* The cache object.  The fields are visible only so that cache_access can be
 * inlined; they are private to cache.c and this header. */
struct cache {
    uint64_t *tags;       /* sets * assoc block numbers; set s is tags[s*assoc ..],
                             ordered most recently used first; 64-byte aligned */
    void *alloc;          /* what holds tags (for free) */
    uint64_t set_mask;    /* sets - 1 (sets is a power of two) */
    unsigned line_shift;  /* log2(line) */
    unsigned assoc;
    struct cache_config cfg;
};

/* A cold cache for a geometry that passed cache_config_check (behaviour is
 * undefined otherwise).  Returns NULL only if memory runs out.  Every way of
 * every set holds block number 0, as in Cachegrind, so an access to block 0
 * hits even when cold. */
struct cache *cache_new(const struct cache_config *c);
/* A new cache with c's geometry and c's current contents (LRU order
 * included), independent of c from then on: what a forked child inherits.
 * Returns NULL only if memory runs out. */
struct cache *cache_clone(const struct cache *c);
/* Frees c; NULL is allowed. */
void cache_free(struct cache *c);
/* The geometry c was created with. */
const struct cache_config *cache_config_of(const struct cache *c);

/* The ways of the set block maps to, most recently used first. */
static inline uint64_t *cache_set_of(const struct cache *c, uint64_t block)
{
    return c->tags + (size_t)(block & c->set_mask) * c->assoc;
}

/* cache_access_block's work once way 0 (the MRU one) is known not to hold
 * block: set is its n ways.  Returns 1 on a miss, 0 on a hit. */
static inline int cache_set_access(uint64_t *set, unsigned n, uint64_t block)
{
    uint64_t prev = set[0];

    if (n <= 16) {
        /* Without data-dependent branches (a hit's way is unpredictable, a
         * mispredicted branch costs more than the whole set): the first way
         * holding block (n: none), then ways 0..it move down one. */
        unsigned pos = n;
        for (unsigned i = n - 1; i >= 1; i--)
            pos = set[i] == block ? i : pos;
        unsigned last = pos < n ? pos : n - 1;
        for (unsigned i = n - 1; i >= 1; i--) {
            uint64_t keep = (uint64_t)0 - (i > last); /* a mask, not a branch */
            set[i] = (set[i] & keep) | (set[i - 1] & ~keep);
        }
        set[0] = block;
        return pos == n;
    }
    set[0] = block;
    for (unsigned i = 1; i < n; i++) {
        uint64_t cur = set[i];
        set[i] = prev;
        if (cur == block)
            return 0;
        prev = cur;
    }
    return 1;
}

/* Looks up one block number in its set and updates LRU order: hit at the
 * MRU way changes nothing, hit at way i moves it to the front, a miss shifts
 * the set down (the LRU block falls off) and inserts at the front.
 * Returns 1 on a miss, 0 on a hit.
 * Past 16 ways, one pass that shifts while it searches: the same result as
 * Cachegrind's search-then-shift, with one loop branch fewer per way. */
static inline int cache_access_block(struct cache *c, uint64_t block)
{
    uint64_t *set = cache_set_of(c, block);
    if (set[0] == block)
        return 0;
    return cache_set_access(set, c->assoc, block);
}

/* The body of cache_access and of its vector forms, around a lookup of one
 * block, block_fn(c, block): the first line, then the last if the access
 * straddles two. */
#define CACHE_ACCESS_LINES(block_fn, c, addr, size)                                            \
    do {                                                                                       \
        uint64_t first_ = (addr) >> (c)->line_shift;                                           \
        uint64_t last_ = ((addr) + (size) - 1) >> (c)->line_shift;                             \
        int miss_ = block_fn(c, first_);                                                       \
        if (__builtin_expect(first_ != last_, 0))                                              \
            miss_ |= block_fn(c, last_);                                                       \
        return miss_;                                                                          \
    } while (0)

/* One access of size bytes at addr (a read or a write: the model is
 * write-allocate, so both are the same).  Returns 1 on a miss, 0 on a hit.
 * Requires 1 <= size <= the line size, so at most two blocks are touched.
 * Cachegrind-compatible: an access straddling two lines looks up both
 * (LRU updated for both, always, first line first) and counts as one access
 * with at most one miss, even when both lines missed. */
static inline int cache_access(struct cache *c, uint64_t addr, unsigned size)
{
    CACHE_ACCESS_LINES(cache_access_block, c, addr, size);
}

/* The fields a block lookup reads, copied once by a caller that looks up
 * many blocks in a row (the consumer's stream loop): read through the cache
 * instead, they are loaded again for every block, because the caller's own
 * stores (miss counters) might, for all the compiler knows, change them.
 * Valid until the cache is freed (the tags are the cache's own). */
struct cache_view {
    uint64_t *tags;
    uint64_t set_mask;
    unsigned line_shift, assoc;
};
static inline struct cache_view cache_view_of(const struct cache *c)
{
    return (struct cache_view){c->tags, c->set_mask, c->line_shift, c->assoc};
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CACHE_HAVE_WIDE 1
/* 1 if this CPU (and its OS) can run the _wide functions below: AVX-512F. */
int cache_wide_ok(void);

/* cache_access_block with AVX-512F, for callers compiled for it
 * (__attribute__((target("avx512f"))); only where cache_wide_ok()).  The same
 * result and the same set contents: a set of up to 16 ways is two vectors;
 * one compare finds the first way holding block, one lane shift (valignq)
 * moves every way down, and a masked store keeps the ways past the hit.
 * About 10 instructions instead of 2n, and no loop: the search is most of
 * what the worker does per simulated access (docs/performance.md). */
__attribute__((target("avx512f"), always_inline)) static inline int cache_access_block_wide(struct cache *c,
                                                                             uint64_t block)
{
    unsigned n = c->assoc;
    uint64_t *set = cache_set_of(c, block);
    if (set[0] == block)
        return 0;
    if (n > 16)
        return cache_set_access(set, n, block);
    unsigned live = (1u << n) - 1; /* the set's ways, as lanes: masked loads read nothing past it */
    __m512i b = _mm512_set1_epi64((long long)block);
    __m512i lo = _mm512_maskz_loadu_epi64((__mmask8)live, set);
    unsigned hit = _mm512_mask_cmpeq_epi64_mask((__mmask8)live, lo, b);
    __m512i hi = lo;
    if (n > 8) {
        hi = _mm512_maskz_loadu_epi64((__mmask8)(live >> 8), set + 8);
        hit |= (unsigned)_mm512_mask_cmpeq_epi64_mask((__mmask8)(live >> 8), hi, b) << 8;
    }
    /* Ways 0..pos take the block before them (way 0 takes block); a miss
     * moves them all and the last one falls off. */
    unsigned pos = hit ? (unsigned)__builtin_ctz(hit) : n - 1;
    unsigned move = ((2u << pos) - 1) & live;
    _mm512_mask_storeu_epi64(set, (__mmask8)move, _mm512_alignr_epi64(lo, b, 7));
    if (n > 8)
        _mm512_mask_storeu_epi64(set + 8, (__mmask8)(move >> 8), _mm512_alignr_epi64(hi, lo, 7));
    return hit == 0;
}

/* cache_access with the AVX-512F set search (same rules as above). */
__attribute__((target("avx512f"), always_inline)) static inline int cache_access_wide(struct cache *c,
                                                                       uint64_t addr, unsigned size)
{
    CACHE_ACCESS_LINES(cache_access_block_wide, c, addr, size);
}
/* 1 if this CPU (and its OS) can run the _avx2 functions below. */
int cache_avx2_ok(void);

/* Lane masks of 4 ways for each 4-bit set of them (bit i: lane i). */
extern const uint64_t cache_lanes[16][4] __attribute__((aligned(32)));

/* The AVX2 set search of cache_access_block_avx2 for a set of exactly 4*k
 * ways (k = 1, 2, 3 or 4: constant, so the loops unroll). */
__attribute__((target("avx2"), always_inline)) static inline int cache_set_access_avx2(uint64_t *set,
                                                                                    unsigned k,
                                                                                    uint64_t block)
{
    __m256i b = _mm256_set1_epi64x((long long)block), v[4];
    unsigned hit = 0;
    /* (Unrolled for every k: GCC 12 left k = 3 a loop, 1.5x the search's time.) */
#pragma GCC unroll 4
    for (unsigned j = 0; j < k; j++) {
        v[j] = _mm256_loadu_si256((const __m256i *)(set + 4 * j));
        hit |= (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v[j], b)))
               << (4 * j);
    }
    /* Ways 0..pos take the block before them (way 0 takes block); a miss
     * moves them all and the last one falls off.  The ways moved down are
     * built in registers (a lane rotation, then the lane carried over from
     * the previous vector or block), not loaded from set - 1, which would
     * straddle the stores of a recent access to the same set.  Which lanes
     * move comes from a table, by the bits of ways 0..pos (hit ^ (hit - 1),
     * every bit on a miss): a compare of the lane numbers with pos took a
     * move from a general register to a vector one on the way (zlib's worker
     * pass, in-process A/B: 3% longer). */
    unsigned moved = hit ^ (hit - 1);
    __m256i carry = b;
#pragma GCC unroll 4
    for (unsigned j = 0; j < k; j++) {
        __m256i rot = _mm256_permute4x64_epi64(v[j], _MM_SHUFFLE(2, 1, 0, 3));
        __m256i down = _mm256_blend_epi32(rot, carry, 0x03);
        carry = _mm256_permute4x64_epi64(v[j], _MM_SHUFFLE(3, 3, 3, 3));
        __m256i move = _mm256_load_si256((const __m256i *)cache_lanes[moved >> (4 * j) & 15]);
        _mm256_storeu_si256((__m256i *)(set + 4 * j), _mm256_blendv_epi8(v[j], down, move));
    }
    return hit == 0;
}

/* cache_access_block_avx2 through a view of a cache of exactly 4*k ways (k
 * = 1, 2, 3 or 4, constant where it is called): the set's address without a
 * multiply, the search unrolled.  zlib's worker pass: 13% less CPU
 * (docs/performance.md). */
__attribute__((target("avx2"), always_inline)) static inline int cache_view_access_avx2_k(const struct cache_view *v,
                                                                                       unsigned k, uint64_t block)
{
    uint64_t *set = v->tags + (size_t)(block & v->set_mask) * (4 * k);
    if (set[0] == block)
        return 0;
    return cache_set_access_avx2(set, k, block);
}

/* cache_access_block with AVX2, through a view, for callers compiled for it
 * (__attribute__((target("avx2"))); only where cache_avx2_ok()): for sets of
 * 4, 8, 12 or 16 ways (the others take the plain search; 12 is the L1D of
 * Zen 4 and of Intel's cores since Golden Cove, so Cachegrind's and
 * cachesim's default D1 there), the same result and
 * the same set contents as cache_access_block.  One compare per 4 ways, the
 * ways moved down in registers and blended with the ones kept: no branch on
 * which way hit, no loop over ways. */
__attribute__((target("avx2"), always_inline)) static inline int cache_view_access_avx2(const struct cache_view *v,
                                                                                     uint64_t block)
{
    uint64_t *set = v->tags + (size_t)(block & v->set_mask) * v->assoc;
    if (set[0] == block)
        return 0;
    switch (v->assoc) { /* the cache's constant: predicts perfectly */
    case 4: return cache_set_access_avx2(set, 1, block);
    case 8: return cache_set_access_avx2(set, 2, block);
    case 12: return cache_set_access_avx2(set, 3, block);
    case 16: return cache_set_access_avx2(set, 4, block);
    }
    return cache_set_access(set, v->assoc, block);
}

/* cache_view_access_avx2 of the cache itself. */
__attribute__((target("avx2"), always_inline)) static inline int cache_access_block_avx2(struct cache *c,
                                                                                      uint64_t block)
{
    struct cache_view v = cache_view_of(c);
    return cache_view_access_avx2(&v, block);
}

/* cache_access with the AVX2 set search (same rules as cache_access). */
__attribute__((target("avx2"), always_inline)) static inline int cache_access_avx2(struct cache *c,
                                                                                uint64_t addr,
                                                                                unsigned size)
{
    CACHE_ACCESS_LINES(cache_access_block_avx2, c, addr, size);
}
#endif

/* The block number in the most recently used way of set `set`: what an
 * access to that block would hit without changing anything (a translator
 * filters such accesses out before they reach the simulation). */
static inline uint64_t cache_mru_block(const struct cache *c, uint64_t set)
{
    return c->tags[(size_t)set * c->assoc];
}
static inline unsigned cache_line_shift(const struct cache *c) { return c->line_shift; }

/* Draws set number `set` (< number of sets) most recently used first, as
 * decimal block numbers separated by single spaces, e.g. "5 1 0 0" for a
 * 4-way set: for tests and debugging.  Truncates to fit n. */
void cache_format_set(const struct cache *c, unsigned set, char *buf, size_t n);
#endif
