/* test_cache.c - the cache model (sim/cache.h) against hand-checked access
 * sequences, written as text so that a new case costs no C.
 *
 * A case is a config line and one line per access:
 *
 *     config <size>,<assoc>,<line>
 *     <hex address>[+<size>]  <h|m>  [<set>] <blocks> [<set>] <blocks> ...  # note
 *
 * h/m is the expected outcome (the outcomes of a case are compared as one
 * string, e.g. "mmhm").  After it come the sets the access touched, each as
 * "[set] blocks", the blocks (decimal block numbers, addr >> log2(line)) most
 * recently used first, as they must be after the access; the runner checks
 * each drawing with cache_format_set.  Size defaults to 1.  All expected
 * values were worked out by hand from the rules in the reference (section 3);
 * the comment after '#' says why where it is not obvious.
 */
#include <stdlib.h>

#include "sim/cache.h"
#include "tests/unit/tap.h"

struct cache_case {
    const char *name;
    const char *text;
};

static const struct cache_case cases[] = {
    { "LRU order, one 4-way set (fully associative 64,4,16)",
      "config 64,4,16\n"
      "10    m [0] 1 0 0 0      # cold: every way holds block 0\n"
      "20    m [0] 2 1 0 0\n"
      "30    m [0] 3 2 1 0\n"
      "00    h [0] 0 3 2 1      # block 0 hits cold (way 3), moves to front\n"
      "40    m [0] 4 0 3 2      # evicts the LRU block 1\n"
      "10    m [0] 1 4 0 3\n"
      "18    h [0] 1 4 0 3      # hit at way 0: nothing moves\n"
      "3f    h [0] 3 1 4 0      # hit at way 3\n"
      "08    h [0] 0 3 1 4\n"
      "14    h [0] 1 0 3 4      # hit at way 2: only ways 0..2 shift\n"
      "24    m [0] 2 1 0 3      # evicts 4\n"
      "30    h [0] 3 2 1 0      # hit at way 3\n"
      "44    m [0] 4 3 2 1\n" },

    { "cold tags are all block 0, duplicates included",
      "config 64,4,16\n"
      "00    h [0] 0 0 0 0      # hit at way 0 of a cold set\n"
      "10    m [0] 1 0 0 0\n"
      "04    h [0] 0 1 0 0      # the first 0 (way 1) moves; way 2 stays 0\n"
      "20    m [0] 2 0 1 0\n"
      "30    m [0] 3 2 0 1\n"
      "40    m [0] 4 3 2 0\n"
      "0c    h [0] 0 4 3 2      # the last cold 0, at way 3\n" },

    { "direct-mapped 256,1,16 (16 sets)",
      "config 256,1,16\n"
      "000   h [0] 0            # block 0, cold hit\n"
      "100   m [0] 16           # block 16 maps to set 0 too\n"
      "000   m [0] 0\n"
      "00c   h [0] 0\n"
      "010   m [1] 1\n"
      "110   m [1] 17\n"
      "1f0   m [15] 31\n"
      "1f8+16 m [15] 31 [0] 32  # straddles: 31 hits, 32 misses -> one miss\n"
      "208+8 h [0] 32\n"
      "0f8+16 m [15] 15 [0] 16  # both lines miss: still one miss\n" },

    { "straddling, 2-way 256,2,32 (4 sets)",
      "config 256,2,32\n"
      "3c+8  m [1] 1 0 [2] 2 0  # blocks 1 and 2 both miss: one miss\n"
      "3e+4  h [1] 1 0 [2] 2 0\n"
      "20    h [1] 1 0\n"
      "a0    m [1] 5 1          # block 5, set 1\n"
      "3c+8  h [1] 1 5 [2] 2 0  # 1 hit at way 1 moves up, 2 at way 0\n"
      "7c+8  m [3] 3 0 [0] 4 0  # blocks 3 (set 3) and 4 (set 0)\n"
      "dc+8  m [2] 6 2 [3] 7 3\n"
      "5c+8  h [2] 2 6 [3] 3 7  # both hit at way 1: both move\n"
      "11c+8 m [0] 8 4 [1] 9 1  # both miss\n"
      "bc+8  m [1] 5 9 [2] 6 2  # 5 misses; 6 hits at way 1 and still moves\n"
      "9c+8  h [0] 4 8 [1] 5 9\n"
      "15c+8 m [2] 10 6 [3] 11 3\n"
      "17c+8 m [3] 11 3 [0] 12 4  # 11 hits, 12 misses\n" },

    { "straddling inside one set (64,4,16): first line updated first",
      "config 64,4,16\n"
      "1c+8  m [0] 2 1 0 0      # 1 misses (1 0 0 0), then 2 misses\n"
      "2e+4  m [0] 3 2 1 0      # 2 hits at way 0, 3 misses\n"
      "0e+4  h [0] 1 0 3 2      # 0 hits at way 3 (0 3 2 1), 1 at way 3\n"
      "3c+8  m [0] 4 3 1 0      # 3 hits at way 2 (3 1 0 2), 4 misses\n"
      "2f+2  m [0] 3 2 4 1      # 2 misses (2 4 3 1), 3 hits at way 2\n"
      "44+8  h [0] 4 3 2 1      # not straddling: block 4 only\n"
      "1f+2  h [0] 2 1 4 3      # 1 hits at way 3 (1 4 3 2), 2 at way 3\n"
      "5c+8  m [0] 6 5 2 1      # 5 misses (5 2 1 4), 6 misses: one miss\n" },

    { "3-way 192,3,16 (4 sets; assoc not a power of two)",
      "config 192,3,16\n"
      "10    m [1] 1 0 0\n"
      "50    m [1] 5 1 0\n"
      "90    m [1] 9 5 1\n"
      "10    h [1] 1 9 5        # hit at way 2\n"
      "d0    m [1] 13 1 9       # evicts 5\n"
      "50    m [1] 5 13 1\n"
      "20    m [2] 2 0 0\n"
      "00    h [0] 0 0 0\n"
      "40    m [0] 4 0 0\n"
      "00    h [0] 0 4 0\n"
      "9c+8  m [1] 9 5 13 [2] 10 2 0\n"
      "1c+8  m [1] 1 9 5 [2] 2 10 0  # 1 misses, 2 hits at way 1\n" },

    { "8-way 32768,8,64 (64 sets), 64-bit block numbers as tags",
      "config 32768,8,64\n"
      "1000  m [0] 64 0 0 0 0 0 0 0\n"
      "2000  m [0] 128 64 0 0 0 0 0 0\n"
      "3000  m [0] 192 128 64 0 0 0 0 0\n"
      "4000  m [0] 256 192 128 64 0 0 0 0\n"
      "5000  m [0] 320 256 192 128 64 0 0 0\n"
      "6000  m [0] 384 320 256 192 128 64 0 0\n"
      "7000  m [0] 448 384 320 256 192 128 64 0\n"
      "0000  h [0] 0 448 384 320 256 192 128 64   # cold 0 at way 7\n"
      "8000  m [0] 512 0 448 384 320 256 192 128  # evicts 64\n"
      "1000  m [0] 64 512 0 448 384 320 256 192\n"
      "2fff  m [63] 191 0 0 0 0 0 0 0\n"
      "7ffffffff040   m [1] 2199023255489 0 0 0 0 0 0 0  # block 2^41-63\n"
      "7ffffffff07f   h [1] 2199023255489 0 0 0 0 0 0 0\n"
      "7ffffffff07c+8 m [1] 2199023255489 0 0 0 0 0 0 0 [2] 2199023255490 0 0 0 0 0 0 0\n"
      "40    m [1] 1 2199023255489 0 0 0 0 0 0  # same set, other tag\n" },

    { NULL, NULL },
};

/* Reads the "[set] blocks" groups of an access line and checks each. */
static void check_drawings(const struct cache *c, const char *p, const char *name, int lineno,
                           const char *access)
{
    while (*p == ' ')
        p++;
    while (*p == '[') {
        char *e;
        unsigned set = (unsigned)strtoul(p + 1, &e, 10);
        char want[256], got[256], what[512];
        size_t n = 0;

        p = e + 1; /* past ']' */
        while (*p == ' ')
            p++;
        while (*p && *p != '[' && *p != '#' && *p != '\n' && n + 1 < sizeof want)
            want[n++] = *p++;
        while (n > 0 && want[n - 1] == ' ')
            n--;
        want[n] = '\0';
        cache_format_set(c, set, got, sizeof got);
        snprintf(what, sizeof what, "%s: line %d (%s): set %u", name, lineno, access, set);
        CHECK_STR(got, want, what);
    }
}

/* The three set searches the consumer may use (sim/cache.h): every case runs
 * through each one the CPU has. */
typedef int access_fn(struct cache *c, uint64_t addr, unsigned size);
static int access_plain(struct cache *c, uint64_t addr, unsigned size)
{
    return cache_access(c, addr, size);
}
#ifdef CACHE_HAVE_WIDE
__attribute__((target("avx512f"))) static int access_wide(struct cache *c, uint64_t addr,
                                                          unsigned size)
{
    return cache_access_wide(c, addr, size);
}
__attribute__((target("avx2"))) static int access_avx2(struct cache *c, uint64_t addr,
                                                       unsigned size)
{
    return cache_access_avx2(c, addr, size);
}
#endif

static void run_case(const struct cache_case *cc, access_fn *acc)
{
    const char *p = cc->text;
    struct cache_config cfg;
    const char *msg;
    char cfgtext[64], got[128] = "", want[128] = "";
    int lineno = 1;
    size_t k = 0;

    sscanf(p, "config %63s", cfgtext);
    if (cache_config_parse(cfgtext, &cfg, &msg) != 0) {
        CHECK(0, cc->name);
        printf("  bad config '%s': %s\n", cfgtext, msg);
        return;
    }
    struct cache *c = cache_new(&cfg);
    if (!c) {
        CHECK(0, "cache_new");
        return;
    }
    for (p = strchr(p, '\n'); p && p[1]; p = strchr(p, '\n')) {
        char access[32], *e;
        p++;
        lineno++;
        uint64_t addr = strtoull(p, &e, 16);
        unsigned size = 1;
        if (*e == '+')
            size = (unsigned)strtoul(e + 1, &e, 10);
        snprintf(access, sizeof access, "%.*s", (int)(e - p), p);
        while (*e == ' ')
            e++;
        if (k + 1 < sizeof got) {
            want[k] = *e;
            got[k] = acc(c, addr, size) ? 'm' : 'h';
            k++;
            got[k] = want[k] = '\0';
        }
        check_drawings(c, e + 1, cc->name, lineno, access);
    }
    CHECK_STR(got, want, cc->name);
    cache_free(c);
}

/* The desc: text, Cachegrind's wording (reference section 1). */
static void test_describe(void)
{
    char buf[80];

    cache_describe(&(struct cache_config){ 32768, 8, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "32768 B, 64 B, 8-way associative", "describe 8-way");
    cache_describe(&(struct cache_config){ 256, 1, 16 }, buf, sizeof buf);
    CHECK_STR(buf, "256 B, 16 B, direct-mapped", "describe direct-mapped");
    cache_describe(&(struct cache_config){ 109051904, 26, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "109051904 B, 64 B, 26-way associative", "describe: no thousands commas");
    cache_describe(&(struct cache_config){ 32768, 8, 64 }, buf, 8);
    CHECK_STR(buf, "32768 B", "describe truncates to the buffer");
}

/* A clone carries the LRU state over and is independent afterwards. */
static void test_clone(void)
{
    struct cache *a = cache_new(&(struct cache_config){ 64, 4, 16 });
    char buf[64];

    cache_access(a, 0x10, 1);
    cache_access(a, 0x20, 1); /* 2 1 0 0 */
    struct cache *b = cache_clone(a);
    CHECK(b != NULL, "clone");
    CHECK_INT(cache_config_of(b)->assoc, 4, "clone keeps the geometry");
    cache_access(a, 0x30, 1);
    cache_format_set(a, 0, buf, sizeof buf);
    CHECK_STR(buf, "3 2 1 0", "original after its own miss");
    cache_format_set(b, 0, buf, sizeof buf);
    CHECK_STR(buf, "2 1 0 0", "clone unchanged by the original");
    CHECK_INT(cache_access(b, 0x30, 1), 1, "clone: block 3 misses");
    CHECK_INT(cache_access(b, 0x10, 1), 0, "clone: block 1 hits");
    cache_format_set(b, 0, buf, sizeof buf);
    CHECK_STR(buf, "1 3 2 0", "clone after its own accesses");
    cache_format_set(b, 0, buf, 4);
    CHECK_STR(buf, "1 3", "format_set truncates to the buffer");
    cache_free(a);
    cache_free(b);
    cache_free(NULL);
}

#ifdef CACHE_HAVE_WIDE
/* A vector search (AVX-512 or AVX2) against the plain one on the same
 * pseudo-random accesses, for every associativity up to 16 and two past it
 * (which fall back to the loop): same outcome at every access, same contents
 * of every set (LRU order included) at the end.  Few distinct blocks per
 * set, so hits land on every way and duplicates of the cold block 0 are
 * searched. */
static void test_vector(access_fn *access_vec, const char *name)
{
    static const unsigned assocs[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24};
    for (size_t a = 0; a < sizeof assocs / sizeof assocs[0]; a++) {
        struct cache_config cfg = {4 * assocs[a] * 16, assocs[a], 16}; /* 4 sets */
        struct cache *p = cache_new(&cfg), *w = cache_new(&cfg);
        uint64_t x = 12345;
        unsigned same = 1, misses = 0;
        for (unsigned i = 0; i < 200000 && same; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* blocks 0 .. 2*assoc+2 of each set; sizes 1..16, some straddle */
            uint64_t addr = ((x >> 33) % (4 * (2 * assocs[a] + 3))) * 16 + ((x >> 20) & 15);
            unsigned size = 1 + (unsigned)((x >> 12) & 15);
            int mp = access_plain(p, addr, size), mw = access_vec(w, addr, size);
            same = mp == mw;
            misses += (unsigned)mp;
        }
        for (unsigned set = 0; set < 4 && same; set++) {
            char bp[256], bw[256];
            cache_format_set(p, set, bp, sizeof bp);
            cache_format_set(w, set, bw, sizeof bw);
            same = strcmp(bp, bw) == 0;
        }
        char what[96];
        snprintf(what, sizeof what, "%s search = plain search, %u-way (%u misses)", name,
                 assocs[a], misses);
        CHECK(same && misses > 1000 && misses < 199000, what);
        cache_free(p);
        cache_free(w);
    }
}

/* Every case, then the comparison with the plain search, through a vector
 * search the CPU has (have). */
static void test_search(int have, access_fn *acc, const char *name)
{
    if (!have) {
        printf("# no %s on this CPU: its set search is not tested\n", name);
        return;
    }
    for (const struct cache_case *cc = cases; cc->name; cc++)
        run_case(cc, acc);
    test_vector(acc, name);
}
#endif

int main(void)
{
    for (const struct cache_case *cc = cases; cc->name; cc++)
        run_case(cc, access_plain);
#ifdef CACHE_HAVE_WIDE
    test_search(cache_wide_ok(), access_wide, "AVX-512");
    test_search(cache_avx2_ok(), access_avx2, "AVX2");
#endif
    test_describe();
    test_clone();
    return tap_done();
}
