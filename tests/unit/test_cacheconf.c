/* test_cacheconf.c - the geometry checker and parser (sim/cache.h) and host
 * detection, defaults and the LL fix-up (sim/cacheconf.h).
 *
 * Detection runs on canned CPUID register tables.  Each expected geometry and
 * warning was worked out by hand from the decoding rules (reference section
 * 4); the AMD EPYC table was dumped on the machine this was written on, and
 * its expected result is what Valgrind 3.19 printed there with
 * `valgrind --tool=cachegrind --cache-sim=yes -v /bin/true` (desc: lines,
 * "Cache configuration used:" and the three warnings).
 */
#include "sim/cache.h"
#include "sim/cacheconf.h"
#include "tests/unit/tap.h"

/* ---- cache_config_check: every message ---------------------------------- */

static void test_check(void)
{
    static const struct {
        struct cache_config c;
        const char *want;
        const char *why;
    } cases[] = {
        { { 65536, 2, 64 }, NULL, "x86 default L1 is valid" },
        { { 109051904, 26, 64 }, NULL, "tweaked Sapphire Rapids LL is valid" },
        { { 32, 2, 16 }, NULL, "one set of two ways is valid" },
        { { 2147483648u, 1, 2147483648u / 2 }, NULL, "2^31 B, two 2^30 B lines" },
        { { 64, 4, 0 }, "Cache line size is zero.", "line 0" },
        { { 0, 0, 0 }, "Cache line size is zero.", "all zero: line checked first" },
        { { 64, 0, 16 }, "Cache associativity is zero.", "assoc 0" },
        { { 100, 1, 16 }, "Cache set count is not a power of two.", "size not a multiple of line" },
        { { 96, 1, 16 }, "Cache set count is not a power of two.", "6 sets" },
        { { 0, 1, 64 }, "Cache set count is not a power of two.", "size 0: zero sets" },
        { { 32, 1, 64 }, "Cache set count is not a power of two.", "size below one line" },
        { { 65536, 3, 64 }, "Cache set count is not a power of two.", "65536 % 192 != 0" },
        { { 100, 1, 33 }, "Cache set count is not a power of two.",
          "set count is tested before the line size" },
        { { 4294967295u, 4294967295u, 4294967295u }, "Cache set count is not a power of two.",
          "line*assoc does not overflow" },
        { { 192, 1, 48 }, "Cache line size is not a power of two.", "4 sets of 48 B lines" },
        { { 64, 1, 8 }, "Cache line size is too small.", "8 B lines" },
        { { 64, 8, 8 }, "Cache line size is too small.", "8 B lines, one set" },
        { { 64, 1, 64 }, "Cache size <= line size.", "one line" },
        { { 16, 1, 16 }, "Cache size <= line size.", "one 16 B line" },
        /* "Cache associativity > (size / line size)." cannot be reached: a
         * power-of-two set count >= 1 means size >= line*assoc. */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(cache_config_check(&cases[i].c), cases[i].want, cases[i].why);
}

/* ---- cache_config_parse ---------------------------------------------------- */

static void test_parse(void)
{
    static const struct {
        const char *text;
        const char *want_msg; /* NULL: parses */
        struct cache_config want;
    } cases[] = {
        { "65536,2,64", NULL, { 65536, 2, 64 } },
        { "32768,8,64", NULL, { 32768, 8, 64 } },
        { "1073741824,2,64", NULL, { 1073741824, 2, 64 } },
        { "065536,02,064", NULL, { 65536, 2, 64 } },
        { "", "Bad argument", { 0, 0, 0 } },
        { "65536", "Bad argument", { 0, 0, 0 } },
        { "65536,2", "Bad argument", { 0, 0, 0 } },
        { "65536,2,", "Bad argument", { 0, 0, 0 } },
        { "65536,2,64,", "Bad argument", { 0, 0, 0 } },
        { "65536,2,64,1", "Bad argument", { 0, 0, 0 } },
        { "65536,,64", "Bad argument", { 0, 0, 0 } },
        { ",2,64", "Bad argument", { 0, 0, 0 } },
        { " 65536,2,64", "Bad argument", { 0, 0, 0 } },
        { "65536, 2,64", "Bad argument", { 0, 0, 0 } },
        { "65536,2,64 ", "Bad argument", { 0, 0, 0 } },
        { "+65536,2,64", "Bad argument", { 0, 0, 0 } },
        { "-65536,2,64", "Bad argument", { 0, 0, 0 } },
        { "65536,2,64x", "Bad argument", { 0, 0, 0 } },
        { "64k,2,64", "Bad argument", { 0, 0, 0 } },
        { "0x10000,2,64", "Bad argument", { 0, 0, 0 } },
        { "65536;2;64", "Bad argument", { 0, 0, 0 } },
        { "2147483648,2,64", "One of the cache parameters was too large and overflowed.",
          { 0, 0, 0 } },
        { "65536,4294967298,64", "One of the cache parameters was too large and overflowed.",
          { 0, 0, 0 } },
        { "65536,2,99999999999999999999999",
          "One of the cache parameters was too large and overflowed.", { 0, 0, 0 } },
        { "2147483647,1,64", "Cache set count is not a power of two.", { 0, 0, 0 } },
        { "65536,2,0", "Cache line size is zero.", { 0, 0, 0 } },
        { "65536,0,64", "Cache associativity is zero.", { 0, 0, 0 } },
        { "65536,2,48", "Cache set count is not a power of two.", { 0, 0, 0 } },
        { "98304,2,48", "Cache line size is not a power of two.", { 0, 0, 0 } },
        { "65536,2,8", "Cache line size is too small.", { 0, 0, 0 } },
        { "64,1,64", "Cache size <= line size.", { 0, 0, 0 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cache_config got = { 0, 0, 0 };
        const char *msg = NULL;
        char what[128];
        int r = cache_config_parse(cases[i].text, &got, &msg);

        snprintf(what, sizeof what, "parse '%s'", cases[i].text);
        if (cases[i].want_msg) {
            CHECK_INT(r, -1, what);
            CHECK_STR(msg, cases[i].want_msg, what);
        } else {
            CHECK_INT(r, 0, what);
            CHECK(got.size == cases[i].want.size && got.assoc == cases[i].want.assoc &&
                      got.line == cases[i].want.line,
                  what);
        }
    }
}

/* ---- warnings helpers ------------------------------------------------------- */

/* The warning lines joined by '\n', for one CHECK_STR per case. */
static const char *joined(const struct cacheconf_warnings *w)
{
    static char buf[CACHECONF_WARN_MAX * (CACHECONF_WARN_LEN + 1)];
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < w->n; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? "\n" : "", w->line[i]);
    return buf;
}

static int same(const struct cache_config *a, const struct cache_config *b)
{
    return a->size == b->size && a->assoc == b->assoc && a->line == b->line;
}

static void check_config(const struct cache_config *got, const struct cache_config *want,
                         const char *what)
{
    CHECK(same(got, want), what);
    if (!same(got, want))
        printf("  got %u,%u,%u want %u,%u,%u\n", got->size, got->assoc, got->line, want->size,
               want->assoc, want->line);
}

/* ---- LL fix-up, defaults, describe, min line ------------------------------ */

static void test_tweak(void)
{
    static const struct {
        struct cache_config in, out;
        int changed;
        const char *warnings;
        const char *why;
    } cases[] = {
        { { 110100480, 15, 64 }, { 109051904, 26, 64 }, 1,
          "warning: specified LL cache: line_size 64  assoc 15  total_size 110,100,480\n"
          "warning: simulated LL cache: line_size 64  assoc 26  total_size 109,051,904",
          "Sapphire Rapids 105 MiB 15-way: 114688 sets -> 65536, assoc 15*1.75+.5 -> 26" },
        { { 402653184, 1, 64 }, { 536870912, 2, 64 }, 1,
          "warning: specified LL cache: line_size 64  assoc 1  total_size 402,653,184\n"
          "warning: simulated LL cache: line_size 64  assoc 2  total_size 536,870,912",
          "EPYC host L3: 6291456 sets -> 4194304, assoc 1.5+.5 -> 2, size grows" },
        { { 12582912, 16, 64 }, { 12582912, 24, 64 }, 1,
          "warning: specified LL cache: line_size 64  assoc 16  total_size 12,582,912\n"
          "warning: simulated LL cache: line_size 64  assoc 24  total_size 12,582,912",
          "12 MiB 16-way: 12288 sets -> 8192, assoc 24, same size" },
        { { 5242880, 48, 64 }, { 5242880, 80, 64 }, 1,
          "warning: specified LL cache: line_size 64  assoc 48  total_size 5,242,880\n"
          "warning: simulated LL cache: line_size 64  assoc 80  total_size 5,242,880",
          "5 MiB 48-way: 1706 sets -> 1024, 48*1706/1024+.5 = 80.47 -> 80" },
        { { 262244, 8, 64 }, { 262144, 8, 64 }, 1,
          "warning: specified LL cache: line_size 64  assoc 8  total_size 262,244\n"
          "warning: simulated LL cache: line_size 64  assoc 8  total_size 262,144",
          "512 sets already: only the size is recomputed" },
        { { 262144, 8, 64 }, { 262144, 8, 64 }, 0, "", "power of two: unchanged, silent" },
        { { 0, 8, 64 }, { 0, 8, 64 }, 0, "", "size 0: left alone" },
        { { 262144, 0, 64 }, { 262144, 0, 64 }, 0, "", "assoc 0: left alone" },
        { { 100, 8, 64 }, { 100, 8, 64 }, 0, "", "zero sets: left alone" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cacheconf_warnings w;
        struct cache_config c = cases[i].in;

        cacheconf_warnings_clear(&w);
        CHECK_INT(cacheconf_tweak_ll(&c, &w), cases[i].changed, cases[i].why);
        check_config(&c, &cases[i].out, cases[i].why);
        CHECK_STR(joined(&w), cases[i].warnings, cases[i].why);
    }
}

static void test_defaults_describe_minline(void)
{
    struct cache_hierarchy h;
    char buf[80];

    cacheconf_defaults(&h);
    check_config(&h.i1, &(struct cache_config){ 65536, 2, 64 }, "default I1");
    check_config(&h.d1, &(struct cache_config){ 65536, 2, 64 }, "default D1");
    check_config(&h.ll, &(struct cache_config){ 262144, 8, 64 }, "default LL");
    CHECK_INT(cacheconf_min_line(&h), 64, "min line of the defaults");

    h.d1.line = 32;
    h.ll.line = 128;
    CHECK_INT(cacheconf_min_line(&h), 32, "min line is D1's");
    h.i1.line = 16;
    CHECK_INT(cacheconf_min_line(&h), 16, "min line is I1's");

    cacheconf_describe_used("I1", &(struct cache_config){ 32768, 8, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "  I1: 32,768 B, 8-way, 64 B lines", "-v line with commas");
    cacheconf_describe_used("LL", &(struct cache_config){ 536870912, 2, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "  LL: 536,870,912 B, 2-way, 64 B lines", "-v line, 9 digits");
    cacheconf_describe_used("D1", &(struct cache_config){ 512, 1, 16 }, buf, sizeof buf);
    CHECK_STR(buf, "  D1: 512 B, 1-way, 16 B lines", "-v line, no comma, 1-way");
    cacheconf_describe_used("D1", &(struct cache_config){ 1000, 1, 16 }, buf, sizeof buf);
    CHECK_STR(buf, "  D1: 1,000 B, 1-way, 16 B lines", "-v line, comma at 1000");

    /* The desc: lines of the reference's example (section 1). */
    cacheconf_describe("I1", &(struct cache_config){ 32768, 8, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "I1 cache:         32768 B, 64 B, 8-way associative", "desc: I1");
    cacheconf_describe("LL", &(struct cache_config){ 109051904, 26, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "LL cache:         109051904 B, 64 B, 26-way associative", "desc: LL");
    cacheconf_describe("D1", &(struct cache_config){ 65536, 1, 64 }, buf, sizeof buf);
    CHECK_STR(buf, "D1 cache:         65536 B, 64 B, direct-mapped", "desc: direct-mapped");
}

/* ---- detection from canned CPUID tables ----------------------------------- */

struct cpuid_row {
    unsigned leaf, subleaf, r[4]; /* EAX, EBX, ECX, EDX */
};
#define END { 0xffffffffu, 0, { 0, 0, 0, 0 } }

/* Leaves not in the table read as zero. */
static void table_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx)
{
    for (const struct cpuid_row *row = ctx; row->leaf != 0xffffffffu; row++)
        if (row->leaf == leaf && row->subleaf == subleaf) {
            memcpy(regs, row->r, sizeof row->r);
            return;
        }
    memset(regs, 0, 4 * sizeof *regs);
}

/* Vendor strings as leaf 0 spells them in EBX, ECX, EDX. */
#define INTEL(max) { 0, 0, { max, 0x756e6547, 0x6c65746e, 0x49656e69 } }
#define AMD(max) { 0, 0, { max, 0x68747541, 0x444d4163, 0x69746e65 } }
#define VIA(max) { 0, 0, { max, 0x746e6543, 0x736c7561, 0x48727561 } }
#define HYGON(max) { 0, 0, { max, 0x6f677948, 0x656e6975, 0x6e65476e } }

/* Intel Sapphire Rapids: leaf 2 says 0xFF ("use leaf 4"); leaf 4 lists
 * L1d 48K 12-way (64 sets), L1i 32K 8-way (64 sets), L2 2M 16-way (2048
 * sets), L3 105M 15-way (114688 sets), 64 B lines. */
static const struct cpuid_row spr[] = {
    INTEL(0x20),
    { 1, 0, { 0x000806f8, 0, 0, 0 } },
    { 2, 0, { 0x00feff01, 0x000000f0, 0, 0 } },
    { 4, 0, { 0xfc004121, 0x02c0003f, 0x0000003f, 0 } },
    { 4, 1, { 0xfc004122, 0x01c0003f, 0x0000003f, 0 } },
    { 4, 2, { 0xfc004143, 0x03c0003f, 0x000007ff, 0 } },
    { 4, 3, { 0xfc1fc163, 0x0380003f, 0x0001bfff, 4 } },
    END,
};

/* Sapphire Rapids again, with bit 11 of the L1d line-size field set: Valgrind
 * reads 11 bits (Intel defines 12), so the line is still 64 B. */
static const struct cpuid_row spr_bit11[] = {
    INTEL(0x20),
    { 1, 0, { 0x000806f8, 0, 0, 0 } },
    { 2, 0, { 0x00feff01, 0x000000f0, 0, 0 } },
    { 4, 0, { 0xfc004121, 0x02c0083f, 0x0000003f, 0 } },
    { 4, 1, { 0xfc004122, 0x01c0003f, 0x0000003f, 0 } },
    { 4, 2, { 0xfc004143, 0x03c0003f, 0x000007ff, 0 } },
    { 4, 3, { 0xfc1fc163, 0x0380003f, 0x0001bfff, 4 } },
    END,
};

/* The AMD EPYC this was written on (dumped with __cpuid_count). */
static const struct cpuid_row epyc[] = {
    AMD(0x1c),
    { 1, 0, { 0x00b00f21, 0x01020800, 0xfffa3203, 0x178bfbff } },
    { 0x80000000, 0, { 0x80000021, 0x68747541, 0x444d4163, 0x69746e65 } },
    { 0x80000005, 0, { 0xff60ff40, 0xff60ff40, 0x300c0140, 0x20080140 } },
    { 0x80000006, 0, { 0x40802040, 0x60804040, 0x04008140, 0x0c009140 } },
    END,
};

/* Athlon 64: L1s 64K 2-way, L2 512K (assoc code 8 = 16-way), no L3. */
static const struct cpuid_row athlon64[] = {
    AMD(1),
    { 1, 0, { 0x00020fb1, 0, 0, 0 } },
    { 0x80000000, 0, { 0x80000018, 0, 0, 0 } },
    { 0x80000005, 0, { 0, 0, 0x40020140, 0x40020140 } },
    { 0x80000006, 0, { 0, 0, 0x02008140, 0 } },
    END,
};

/* Duron stepping A0 claims a 1 KB L2. */
static const struct cpuid_row duron[] = {
    AMD(1),
    { 1, 0, { 0x00000630, 0, 0, 0 } },
    { 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
    { 0x80000005, 0, { 0, 0, 0x40020140, 0x40020140 } },
    { 0x80000006, 0, { 0, 0, 0x00018140, 0 } },
    END,
};

/* AMD without leaf 0x80000006. */
static const struct cpuid_row amd_old[] = {
    AMD(1),
    { 0x80000000, 0, { 0x80000004, 0, 0, 0 } },
    END,
};

/* AMD reporting a "fully associative" (0xFF) D1: taken as 255 ways. */
static const struct cpuid_row amd_full_d1[] = {
    AMD(1),
    { 1, 0, { 0x00020fb1, 0, 0, 0 } },
    { 0x80000000, 0, { 0x80000018, 0, 0, 0 } },
    { 0x80000005, 0, { 0, 0, 0x40ff0140, 0x40020140 } },
    { 0x80000006, 0, { 0, 0, 0x02008140, 0 } },
    END,
};

/* Same, I1 and D1 both "fully associative". */
static const struct cpuid_row amd_full_l1[] = {
    AMD(1),
    { 1, 0, { 0x00020fb1, 0, 0, 0 } },
    { 0x80000000, 0, { 0x80000018, 0, 0, 0 } },
    { 0x80000005, 0, { 0, 0, 0x40ff0140, 0x40ff0140 } },
    { 0x80000006, 0, { 0, 0, 0x02008140, 0 } },
    END,
};

/* Core 2: leaf 2 bytes 01 b1 b0 05 | f0 57 56 00 | 0 | 49 30 b4 2c:
 * 0x49 = L2 4M 16-way (family 6), 0x30 = I1 32K 8-way, 0x2c = D1 32K 8-way,
 * the rest TLB and prefetch descriptors. */
static const struct cpuid_row core2[] = {
    INTEL(0xa),
    { 1, 0, { 0x000006f6, 0, 0, 0 } },
    { 2, 0, { 0x05b0b101, 0x005657f0, 0, 0x2cb43049 } },
    END,
};

/* Xeon MP (family 15, model 6): 0x49 is the L3; 0x7d = L2 2M 8-way. */
static const struct cpuid_row xeon_mp[] = {
    INTEL(2),
    { 1, 0, { 0x00000f64, 0, 0, 0 } },
    { 2, 0, { 0x007d4901, 0x0000302c, 0, 0 } },
    END,
};

/* The same descriptors on family 6: 0x49 and 0x7d are both L2. */
static const struct cpuid_row two_l2[] = {
    INTEL(2),
    { 1, 0, { 0x000006f6, 0, 0, 0 } },
    { 2, 0, { 0x007d4901, 0x0000302c, 0, 0 } },
    END,
};

/* Xeon MP without 0x7d: an L3 but no L2. */
static const struct cpuid_row l3_no_l2[] = {
    INTEL(2),
    { 1, 0, { 0x00000f64, 0, 0, 0 } },
    { 2, 0, { 0x00004901, 0x0000302c, 0, 0 } },
    END,
};

/* Only L1s (0x2c, 0x30). */
static const struct cpuid_row l1_only[] = {
    INTEL(2),
    { 1, 0, { 0x000006f6, 0, 0, 0 } },
    { 2, 0, { 0x00302c01, 0, 0, 0 } },
    END,
};

/* Pentium 4: 0x70 trace cache 12K micro-ops 8-way, 0x66 D1 8K 4-way,
 * 0x7b L2 512K 8-way; 0x5b, 0x50 TLBs. */
static const struct cpuid_row p4[] = {
    INTEL(2),
    { 1, 0, { 0x00000f29, 0, 0, 0 } },
    { 2, 0, { 0x505b6601, 0x0000707b, 0, 0 } },
    END,
};

/* Pentium 4 with a 32K micro-op trace cache (0x72). */
static const struct cpuid_row p4_32k[] = {
    INTEL(2),
    { 1, 0, { 0x00000f29, 0, 0, 0 } },
    { 2, 0, { 0x00726601, 0x0000007b, 0, 0 } },
    END,
};

/* Leaf 2 AL = 2: must be queried twice, unsupported. */
static const struct cpuid_row two_trials[] = {
    INTEL(2),
    { 2, 0, { 0x00302c02, 0, 0, 0 } },
    END,
};

/* Max basic leaf 1: no leaf 2. */
static const struct cpuid_row intel_leaf1[] = {
    INTEL(1),
    { 2, 0, { 0x00302c01, 0x0000007b, 0, 0 } },
    END,
};

/* An IA-64 descriptor (0x10). */
static const struct cpuid_row ia64[] = {
    INTEL(2),
    { 2, 0, { 0x7b102c01, 0x00000030, 0, 0 } },
    END,
};

/* Max leaf 0. */
static const struct cpuid_row leaf0[] = {
    INTEL(0),
    END,
};

static const struct cpuid_row via[] = {
    VIA(1),
    END,
};

/* Hygon (a Zen derivative) is not a vendor Valgrind 3.19 knows. */
static const struct cpuid_row hygon[] = {
    HYGON(0xd),
    { 0x80000000, 0, { 0x8000001f, 0, 0, 0 } },
    { 0x80000005, 0, { 0, 0, 0x20080140, 0x40040140 } },
    { 0x80000006, 0, { 0, 0, 0x02006140, 0x01006140 } },
    END,
};

/* Leaf 2 bytes 01 ff 30 00: 0x30 (I1) comes after 0xFF, but Valgrind reads it
 * from the buffer leaf 4 has overwritten (zeros), so no I1 is found. */
static const struct cpuid_row after_ff_lost[] = {
    INTEL(0xb),
    { 1, 0, { 0x000906ea, 0, 0, 0 } },
    { 2, 0, { 0x0030ff01, 0, 0, 0 } },
    { 4, 0, { 0x1c004121, 0x01c0003f, 0x0000003f, 0 } },
    { 4, 1, { 0x1c004143, 0x00c0003f, 0x000003ff, 0 } },
    END,
};

/* The other side of the same quirk: leaf 4's terminating subleaf (type 0)
 * has 0x30 in EBX's low byte, which the descriptor loop then reads as I1. */
static const struct cpuid_row after_ff_seen[] = {
    INTEL(0xb),
    { 1, 0, { 0x000906ea, 0, 0, 0 } },
    { 2, 0, { 0x0000ff01, 0, 0, 0 } },
    { 4, 0, { 0x1c004121, 0x01c0003f, 0x0000003f, 0 } },
    { 4, 1, { 0x1c004143, 0x00c0003f, 0x000003ff, 0 } },
    { 4, 2, { 0, 0x00000030, 0, 0 } },
    END,
};

#define DEFAULTS { { 65536, 2, 64 }, { 65536, 2, 64 }, { 262144, 8, 64 } }
#define NO_AUTO                                                                            \
    "Warning: Cannot auto-detect cache config, using defaults.\n"                          \
    "         Run with -v to see."
#define L3_FOUND "warning: L3 cache found, using its data for the LL simulation."

static const struct detect_case {
    const char *name;
    const struct cpuid_row *cpu;
    unsigned given;
    int ret;
    struct cache_hierarchy want;
    const char *warnings;
} detect_cases[] = {
    { "Sapphire Rapids (leaf 4)", spr, 0, CACHECONF_DETECTED,
      { { 32768, 8, 64 }, { 49152, 12, 64 }, { 109051904, 26, 64 } },
      L3_FOUND "\n"
      "warning: specified LL cache: line_size 64  assoc 15  total_size 110,100,480\n"
      "warning: simulated LL cache: line_size 64  assoc 26  total_size 109,051,904" },
    { "leaf 4 line size: 11 bits, like Valgrind", spr_bit11, CACHECONF_GIVEN_ALL,
      CACHECONF_DETECTED, { { 32768, 8, 64 }, { 49152, 12, 64 }, { 109051904, 26, 64 } },
      L3_FOUND "\n"
      "warning: specified LL cache: line_size 64  assoc 15  total_size 110,100,480\n"
      "warning: simulated LL cache: line_size 64  assoc 26  total_size 109,051,904" },
    { "AMD EPYC host (as Valgrind 3.19 printed)", epyc, 0, CACHECONF_DETECTED,
      { { 32768, 8, 64 }, { 49152, 12, 64 }, { 536870912, 2, 64 } },
      L3_FOUND "\n"
      "warning: specified LL cache: line_size 64  assoc 1  total_size 402,653,184\n"
      "warning: simulated LL cache: line_size 64  assoc 2  total_size 536,870,912" },
    { "EPYC, all three given: warnings still come", epyc, CACHECONF_GIVEN_ALL,
      CACHECONF_DETECTED, { { 32768, 8, 64 }, { 49152, 12, 64 }, { 536870912, 2, 64 } },
      L3_FOUND "\n"
      "warning: specified LL cache: line_size 64  assoc 1  total_size 402,653,184\n"
      "warning: simulated LL cache: line_size 64  assoc 2  total_size 536,870,912" },
    { "Athlon 64, no L3: LL is the L2", athlon64, 0, CACHECONF_DETECTED,
      { { 65536, 2, 64 }, { 65536, 2, 64 }, { 524288, 16, 64 } }, "" },
    { "Duron A0: L2 fixed to 64 KB", duron, 0, CACHECONF_DETECTED,
      { { 65536, 2, 64 }, { 65536, 2, 64 }, { 65536, 16, 64 } }, "" },
    { "AMD, extended level < 0x80000006", amd_old, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "AMD 255-way D1 is unsupported", amd_full_d1, 0, CACHECONF_UNSUPPORTED,
      { { 65536, 2, 64 }, { 65536, 255, 64 }, { 524288, 16, 64 } },
      "Auto-detected D1 cache configuration not supported: Cache set count is not a power of two.\n"
      "  D1: 65,536 B, 255-way, 64 B lines\n"
      "As it probably should be supported, please report a bug!\n"
      "Bypass this message by using option --D1=..." },
    { "AMD 255-way D1, --D1 given", amd_full_d1, CACHECONF_GIVEN_D1, CACHECONF_DETECTED,
      { { 65536, 2, 64 }, { 65536, 255, 64 }, { 524288, 16, 64 } },
      "Auto-detected D1 cache configuration not supported: Cache set count is not a power of two.\n"
      "  D1: 65,536 B, 255-way, 64 B lines" },
    { "AMD 255-way I1 and D1: stops at I1", amd_full_l1, 0, CACHECONF_UNSUPPORTED,
      { { 65536, 255, 64 }, { 65536, 255, 64 }, { 524288, 16, 64 } },
      "Auto-detected I1 cache configuration not supported: Cache set count is not a power of two.\n"
      "  I1: 65,536 B, 255-way, 64 B lines\n"
      "As it probably should be supported, please report a bug!\n"
      "Bypass this message by using option --I1=..." },
    { "AMD 255-way I1 and D1, --I1 given", amd_full_l1, CACHECONF_GIVEN_I1,
      CACHECONF_UNSUPPORTED, { { 65536, 255, 64 }, { 65536, 255, 64 }, { 524288, 16, 64 } },
      "Auto-detected I1 cache configuration not supported: Cache set count is not a power of two.\n"
      "  I1: 65,536 B, 255-way, 64 B lines\n"
      "Auto-detected D1 cache configuration not supported: Cache set count is not a power of two.\n"
      "  D1: 65,536 B, 255-way, 64 B lines\n"
      "As it probably should be supported, please report a bug!\n"
      "Bypass this message by using option --D1=..." },
    { "Core 2 (leaf 2 descriptors)", core2, 0, CACHECONF_DETECTED,
      { { 32768, 8, 64 }, { 32768, 8, 64 }, { 4194304, 16, 64 } }, "" },
    { "Xeon MP: descriptor 0x49 is an L3", xeon_mp, 0, CACHECONF_DETECTED,
      { { 32768, 8, 64 }, { 32768, 8, 64 }, { 4194304, 16, 64 } }, L3_FOUND },
    { "two unified L2s: not sensible", two_l2, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "L3 without L2: not sensible", l3_no_l2, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "L1 only: no LL", l1_only, 0, CACHECONF_DEFAULTED, DEFAULTS,
      "warning: L2 cache not installed, ignore LL results.\n" NO_AUTO },
    { "Pentium 4 trace cache (12K uops)", p4, 0, CACHECONF_DETECTED,
      { { 16384, 8, 32 }, { 8192, 4, 64 }, { 524288, 8, 64 } },
      "warning: Pentium 4 with 12 KB micro-op instruction trace cache\n"
      "         Simulating a 16 KB I-cache with 32 B lines" },
    { "Pentium 4 trace cache (32K uops)", p4_32k, 0, CACHECONF_DETECTED,
      { { 32768, 8, 32 }, { 8192, 4, 64 }, { 524288, 8, 64 } },
      "warning: Pentium 4 with 32 KB micro-op instruction trace cache\n"
      "         Simulating a 32 KB I-cache with 32 B lines" },
    { "leaf 2 needing two queries", two_trials, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "Intel max leaf 1", intel_leaf1, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "IA-64 descriptor", ia64, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "max leaf 0", leaf0, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "VIA: fixed Nehemiah values", via, 0, CACHECONF_DETECTED,
      { { 65536, 4, 16 }, { 65536, 16, 16 }, { 65536, 16, 16 } }, "" },
    { "Hygon: unknown vendor", hygon, 0, CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "unknown vendor, all given: silent", hygon, CACHECONF_GIVEN_ALL, CACHECONF_DEFAULTED,
      DEFAULTS, "" },
    { "unknown vendor, two given: warned", hygon, CACHECONF_GIVEN_I1 | CACHECONF_GIVEN_D1,
      CACHECONF_DEFAULTED, DEFAULTS, NO_AUTO },
    { "descriptor after 0xFF is lost", after_ff_lost, 0, CACHECONF_DEFAULTED, DEFAULTS,
      NO_AUTO },
    { "leaf 4 terminator bytes read as descriptors", after_ff_seen, 0, CACHECONF_DETECTED,
      { { 32768, 8, 64 }, { 32768, 8, 64 }, { 262144, 4, 64 } }, "" },
};

static void test_detect_tables(void)
{
    for (size_t i = 0; i < sizeof detect_cases / sizeof detect_cases[0]; i++) {
        const struct detect_case *dc = &detect_cases[i];
        struct cache_hierarchy h;
        struct cacheconf_warnings w;
        char what[160];

        cacheconf_warnings_clear(&w);
        int r = cacheconf_detect(&h, table_cpuid, (void *)dc->cpu, dc->given, &w);
        snprintf(what, sizeof what, "%s: result", dc->name);
        CHECK_INT(r, dc->ret, what);
        snprintf(what, sizeof what, "%s: I1", dc->name);
        check_config(&h.i1, &dc->want.i1, what);
        snprintf(what, sizeof what, "%s: D1", dc->name);
        check_config(&h.d1, &dc->want.d1, what);
        snprintf(what, sizeof what, "%s: LL", dc->name);
        check_config(&h.ll, &dc->want.ll, what);
        snprintf(what, sizeof what, "%s: warnings", dc->name);
        CHECK_STR(joined(&w), dc->warnings, what);
        CHECK_INT(w.dropped, 0, what);
    }
}

/* A CPUID whose leaf 4 never ends: detection must give up, not loop. */
static void endless_leaf4(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx)
{
    static const struct cpuid_row rows[] = {
        INTEL(0xb),
        { 1, 0, { 0x000906ea, 0, 0, 0 } },
        { 2, 0, { 0x0000ff01, 0, 0, 0 } },
        END,
    };
    if (leaf == 4) {
        const unsigned l1d[4] = { 0x1c004121, 0x01c0003f, 0x0000003f, 0 };
        memcpy(regs, l1d, sizeof l1d);
        return;
    }
    table_cpuid(leaf, subleaf, regs, (void *)rows);
}

static void test_detect_misc(void)
{
    struct cache_hierarchy h;
    struct cacheconf_warnings w;
    struct cache_hierarchy defaults = DEFAULTS;

    cacheconf_warnings_clear(&w);
    CHECK_INT(cacheconf_detect(&h, endless_leaf4, NULL, 0, &w), CACHECONF_DEFAULTED,
              "endless leaf 4 walk gives up");
    check_config(&h.ll, &defaults.ll, "endless leaf 4: default LL");
    CHECK_STR(joined(&w), NO_AUTO, "endless leaf 4: warnings");

    /* Warnings accumulate; a NULL warnings pointer is allowed. */
    cacheconf_detect(&h, table_cpuid, (void *)hygon, 0, &w);
    CHECK_INT(w.n, 4, "warnings are appended, not replaced");
    CHECK_INT(cacheconf_detect(&h, table_cpuid, (void *)spr, 0, NULL), CACHECONF_DETECTED,
              "detect without a warnings buffer");
    check_config(&h.ll, &(struct cache_config){ 109051904, 26, 64 }, "... same LL");

    /* Overflowing the buffer counts dropped lines. */
    cacheconf_warnings_clear(&w);
    for (int i = 0; i < 13; i++)
        cacheconf_detect(&h, table_cpuid, (void *)hygon, 0, &w);
    CHECK_INT(w.n, CACHECONF_WARN_MAX, "warnings buffer full");
    CHECK_INT(w.dropped, 26 - CACHECONF_WARN_MAX, "lines beyond it are counted");

    /* This machine: whatever it is, the result must be usable. */
    cacheconf_warnings_clear(&w);
    int r = cacheconf_detect_host(&h, 0, &w);
    CHECK(r == CACHECONF_DETECTED || r == CACHECONF_DEFAULTED, "host detection succeeds");
    CHECK(!cache_config_check(&h.i1) && !cache_config_check(&h.d1) &&
              !cache_config_check(&h.ll),
          "host geometries pass the checker");
}

int main(void)
{
    test_check();
    test_parse();
    test_tweak();
    test_defaults_describe_minline();
    test_detect_tables();
    test_detect_misc();
    return tap_done();
}
