/* cacheconf.c - host cache detection through CPUID, the defaults and the LL
 * fix-up, following Valgrind 3.19 (coregrind/m_cache.c for the CPUID
 * decoding, cachegrind/cg_arch.c for the choice of caches, the fix-up and the
 * warnings; read for behaviour only, nothing copied).
 *
 * Everything CPUID-specific goes through the caller's callback so that canned
 * register tables can stand in for real processors in tests.  Arithmetic on
 * sizes is 32-bit unsigned on purpose wherever Valgrind's is, so that odd
 * inputs give Valgrind's odd results.  Must not print, exit, or include
 * anything outside libc (and the compiler's <cpuid.h> for the host's own
 * CPUID instruction).
 */
#include "sim/cacheconf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- warnings ------------------------------------------------------------ */

void cacheconf_warnings_clear(struct cacheconf_warnings *w)
{
    w->n = 0;
    w->dropped = 0;
}

static void warn(struct cacheconf_warnings *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct cacheconf_warnings *w, const char *fmt, ...)
{
    va_list ap;

    if (!w)
        return;
    if (w->n == CACHECONF_WARN_MAX) {
        w->dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(w->line[w->n++], CACHECONF_WARN_LEN, fmt, ap);
    va_end(ap);
}

/* v with a comma every three digits, like Valgrind's "%'u". */
static const char *commas(unsigned long long v, char buf[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    char *o = buf;

    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            *o++ = ',';
        *o++ = digits[i];
    }
    *o = '\0';
    return buf;
}

/* ---- what CPUID says: a list of caches, like Valgrind's VexCacheInfo ------ */

/* The values are leaf 4's cache type codes. */
enum hw_kind { HW_DATA = 1, HW_INSN = 2, HW_UNIFIED = 3 };

struct hw_cache {
    enum hw_kind kind;
    unsigned level;
    unsigned size; /* KB while decoding, bytes after get_caches() */
    unsigned assoc, line;
    int trace;     /* Pentium 4 trace cache: size counts micro-ops, no line size */
};

/* Real processors list at most five or six caches; the bound only stops a
 * broken or hostile CPUID from growing the list forever. */
#define HW_MAX 64

struct hw_info {
    unsigned n, levels;
    struct hw_cache c[HW_MAX];
};

static int hw_add(struct hw_info *ci, enum hw_kind kind, unsigned level, unsigned size_kb,
                  unsigned assoc, unsigned line, int trace)
{
    if (ci->n == HW_MAX)
        return -1;
    ci->c[ci->n++] = (struct hw_cache){ kind, level, size_kb, assoc, line, trace };
    if (ci->levels < level)
        ci->levels = level;
    return 0;
}

struct cpu {
    void (*fn)(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx);
    void *ctx;
};

static void cpuid(const struct cpu *cpu, unsigned leaf, unsigned subleaf, unsigned r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    cpu->fn(leaf, subleaf, r, cpu->ctx);
}

/* The 16 bytes of EAX, EBX, ECX, EDX in memory order (little-endian), the
 * form in which leaf 2 lists its one-byte descriptors. */
static void regs_to_bytes(const unsigned r[4], unsigned char b[16])
{
    for (int i = 0; i < 16; i++)
        b[i] = (unsigned char)(r[i / 4] >> (8 * (i % 4)));
}

/* ---- Intel ----------------------------------------------------------------- */

/* Leaf 2 descriptors that name a cache, as Valgrind 3.19 decodes them (sizes
 * in KB; from Intel's application note 485).  Every byte not listed here and
 * not handled in intel_caches() (TLBs, prefetch, "no L2/L3" 0x40, unknown) is
 * ignored, as Valgrind ignores it. */
static const struct intel_desc {
    unsigned char code;
    unsigned char kind, level;
    unsigned short size_kb;
    unsigned char assoc, line;
} intel_descs[] = {
    { 0x06, HW_INSN, 1, 8, 4, 32 },         { 0x08, HW_INSN, 1, 16, 4, 32 },
    { 0x09, HW_INSN, 1, 32, 4, 64 },        { 0x30, HW_INSN, 1, 32, 8, 64 },
    { 0x0a, HW_DATA, 1, 8, 2, 32 },         { 0x0c, HW_DATA, 1, 16, 4, 32 },
    { 0x0d, HW_DATA, 1, 16, 4, 64 },        { 0x0e, HW_DATA, 1, 24, 6, 64 },
    { 0x2c, HW_DATA, 1, 32, 8, 64 },        { 0x60, HW_DATA, 1, 16, 8, 64 },
    { 0x66, HW_DATA, 1, 8, 4, 64 },         { 0x67, HW_DATA, 1, 16, 4, 64 },
    { 0x68, HW_DATA, 1, 32, 4, 64 },
    { 0x21, HW_UNIFIED, 2, 256, 8, 64 },    { 0x39, HW_UNIFIED, 2, 128, 4, 64 },
    { 0x3c, HW_UNIFIED, 2, 256, 4, 64 },    { 0x41, HW_UNIFIED, 2, 128, 4, 32 },
    { 0x42, HW_UNIFIED, 2, 256, 4, 32 },    { 0x43, HW_UNIFIED, 2, 512, 4, 32 },
    { 0x44, HW_UNIFIED, 2, 1024, 4, 32 },   { 0x45, HW_UNIFIED, 2, 2048, 4, 32 },
    { 0x48, HW_UNIFIED, 2, 3072, 12, 64 },  { 0x4e, HW_UNIFIED, 2, 6144, 24, 64 },
    { 0x78, HW_UNIFIED, 2, 1024, 4, 64 },   { 0x79, HW_UNIFIED, 2, 128, 8, 64 },
    { 0x7a, HW_UNIFIED, 2, 256, 8, 64 },    { 0x7b, HW_UNIFIED, 2, 512, 8, 64 },
    { 0x7c, HW_UNIFIED, 2, 1024, 8, 64 },   { 0x7d, HW_UNIFIED, 2, 2048, 8, 64 },
    { 0x7e, HW_UNIFIED, 2, 256, 8, 128 },   { 0x7f, HW_UNIFIED, 2, 512, 2, 64 },
    { 0x80, HW_UNIFIED, 2, 512, 8, 64 },    { 0x81, HW_UNIFIED, 2, 128, 8, 32 },
    { 0x82, HW_UNIFIED, 2, 256, 8, 32 },    { 0x83, HW_UNIFIED, 2, 512, 8, 32 },
    { 0x84, HW_UNIFIED, 2, 1024, 8, 32 },   { 0x85, HW_UNIFIED, 2, 2048, 8, 32 },
    { 0x86, HW_UNIFIED, 2, 512, 4, 64 },    { 0x87, HW_UNIFIED, 2, 1024, 8, 64 },
    { 0x22, HW_UNIFIED, 3, 512, 4, 64 },    { 0x23, HW_UNIFIED, 3, 1024, 8, 64 },
    { 0x25, HW_UNIFIED, 3, 2048, 8, 64 },   { 0x29, HW_UNIFIED, 3, 4096, 8, 64 },
    { 0x46, HW_UNIFIED, 3, 4096, 4, 64 },   { 0x47, HW_UNIFIED, 3, 8192, 8, 64 },
    { 0x4a, HW_UNIFIED, 3, 6144, 12, 64 },  { 0x4b, HW_UNIFIED, 3, 8192, 16, 64 },
    { 0x4c, HW_UNIFIED, 3, 12288, 12, 64 }, { 0x4d, HW_UNIFIED, 3, 16384, 16, 64 },
    { 0xd0, HW_UNIFIED, 3, 512, 4, 64 },    { 0xd1, HW_UNIFIED, 3, 1024, 4, 64 },
    { 0xd2, HW_UNIFIED, 3, 2048, 4, 64 },   { 0xd6, HW_UNIFIED, 3, 1024, 8, 64 },
    { 0xd7, HW_UNIFIED, 3, 2048, 8, 64 },   { 0xd8, HW_UNIFIED, 3, 4096, 8, 64 },
    { 0xdc, HW_UNIFIED, 3, 1536, 12, 64 },  { 0xdd, HW_UNIFIED, 3, 3072, 12, 64 },
    { 0xde, HW_UNIFIED, 3, 6144, 12, 64 },  { 0xe2, HW_UNIFIED, 3, 2048, 16, 64 },
    { 0xe3, HW_UNIFIED, 3, 4096, 16, 64 },  { 0xe4, HW_UNIFIED, 3, 8192, 16, 64 },
    { 0xea, HW_UNIFIED, 3, 12288, 24, 64 }, { 0xeb, HW_UNIFIED, 3, 18432, 24, 64 },
    { 0xec, HW_UNIFIED, 3, 24576, 24, 64 },
};

/* IA-64 descriptors: Valgrind panics on them.  We give up detection instead
 * (no x86-64 processor reports them). */
static int is_ia64_desc(unsigned char d)
{
    static const unsigned char ia64[] = { 0x10, 0x15, 0x1a, 0x88, 0x89,
                                          0x8a, 0x8d, 0x90, 0x96, 0x9b };
    return memchr(ia64, d, sizeof ia64) != NULL;
}

/* Deterministic cache parameters, leaf 4: one subleaf per cache until type 0.
 * Leaves the last (terminating) registers in info, see intel_caches(). */
#define LEAF4_MAX 64
static int intel_leaf4(const struct cpu *cpu, struct hw_info *ci, unsigned char info[16])
{
    unsigned r[4];
    unsigned sub = 0;

    cpuid(cpu, 4, sub++, r);
    regs_to_bytes(r, info);
    while ((r[0] & 0x1f) != 0) {
        if (sub > LEAF4_MAX)
            return -1;
        unsigned assoc = ((r[1] >> 22) & 0x3ff) + 1;
        unsigned parts = ((r[1] >> 12) & 0x3ff) + 1;
        /* Cachegrind-compatible: 11 bits of line size, not Intel's 12. */
        unsigned line = (r[1] & 0x7ff) + 1;
        unsigned sets = r[2] + 1;
        unsigned size_kb = assoc * parts * line * sets / 1024;
        unsigned level = (r[0] >> 5) & 7, type = r[0] & 0x1f;

        /* Levels other than 1..3 and types other than data/insn/unified
         * are skipped, as in Valgrind. */
        if (level >= 1 && level <= 3 && type >= HW_DATA && type <= HW_UNIFIED &&
            hw_add(ci, (enum hw_kind)type, level, size_kb, assoc, line, 0) < 0)
            return -1;
        cpuid(cpu, 4, sub++, r);
        regs_to_bytes(r, info);
    }
    return 0;
}

static int intel_caches(const struct cpu *cpu, unsigned max_leaf, struct hw_info *ci)
{
    unsigned r[4];
    unsigned char info[16];

    if (max_leaf < 2)
        return -1;
    cpuid(cpu, 1, 0, r);
    unsigned family = (((r[0] >> 20) & 0xff) << 4) + ((r[0] >> 8) & 0xf);
    unsigned model = (((r[0] >> 16) & 0xf) << 4) + ((r[0] >> 4) & 0xf);

    cpuid(cpu, 2, 0, r);
    regs_to_bytes(r, info);
    /* AL is how many times leaf 2 must be queried; only 1 is handled. */
    if (info[0] != 1)
        return -1;
    info[0] = 0;

    for (int i = 0; i < 16; i++) {
        unsigned char d = info[i];
        size_t k;

        if (is_ia64_desc(d))
            return -1;
        if (d == 0xff) {
            /* Cachegrind-compatible: Valgrind reads leaf 4 into the same
             * 16-byte buffer it is walking, so the bytes after 0xff are
             * taken from the last leaf-4 registers (all zero on real
             * processors), not from leaf 2. */
            if (intel_leaf4(cpu, ci, info) < 0)
                return -1;
            continue;
        }
        if (d == 0x49) {
            /* On Xeon MP (family 15, model 6) this descriptor is the L3. */
            unsigned level = family == 15 && model == 6 ? 3 : 2;
            if (hw_add(ci, HW_UNIFIED, level, 4096, 16, 64, 0) < 0)
                return -1;
            continue;
        }
        if (d >= 0x70 && d <= 0x72) {
            /* Pentium 4 trace cache: 12K, 16K or 32K micro-ops, 8-way. */
            static const unsigned uops_k[] = { 12, 16, 32 };
            if (hw_add(ci, HW_INSN, 1, uops_k[d - 0x70], 8, 0, 1) < 0)
                return -1;
            continue;
        }
        for (k = 0; k < sizeof intel_descs / sizeof intel_descs[0]; k++)
            if (intel_descs[k].code == d)
                break;
        if (k < sizeof intel_descs / sizeof intel_descs[0]) {
            const struct intel_desc *e = &intel_descs[k];
            if (hw_add(ci, (enum hw_kind)e->kind, e->level, e->size_kb, e->assoc, e->line, 0) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- AMD ------------------------------------------------------------------- */

/* The L2/L3 associativity code of leaf 0x80000006.  Codes without a fixed
 * value (0 = disabled, 0xF = fully associative, 9 = "see leaf 0x8000001D" on
 * Zen, the rest reserved) all give 1: Cachegrind-compatible, which is why a
 * Zen L3 is simulated as direct-mapped (then reshaped by the LL fix-up). */
static unsigned amd_l2l3_assoc(unsigned code)
{
    static const unsigned char ways[16] = { [1] = 1,  [2] = 2,   [4] = 4,   [6] = 8,
                                            [8] = 16, [10] = 32, [11] = 48, [12] = 64,
                                            [13] = 96, [14] = 128 };
    return ways[code & 0xf] ? ways[code & 0xf] : 1;
}

static int amd_caches(const struct cpu *cpu, struct hw_info *ci)
{
    unsigned r[4];
    unsigned d1, i1, l2, l3;

    cpuid(cpu, 0x80000000, 0, r);
    if (!(r[0] & 0x80000000) || r[0] < 0x80000006)
        return -1;
    cpuid(cpu, 0x80000005, 0, r);
    d1 = r[2];
    i1 = r[3];
    cpuid(cpu, 0x80000006, 0, r);
    l2 = r[2];
    l3 = r[3];
    cpuid(cpu, 1, 0, r);
    /* Duron stepping A0 (signature 0x630) reports a 1 KB L2; it has 64 KB. */
    if (r[0] == 0x630)
        l2 = (64u << 16) | (l2 & 0xffff);

    /* L1: size KB [31:24], assoc [23:16] (0xFF, "full", taken literally as
     * 255 ways, like Valgrind), line [7:0]. */
    hw_add(ci, HW_DATA, 1, d1 >> 24, (d1 >> 16) & 0xff, d1 & 0xff, 0);
    hw_add(ci, HW_INSN, 1, i1 >> 24, (i1 >> 16) & 0xff, i1 & 0xff, 0);
    hw_add(ci, HW_UNIFIED, 2, l2 >> 16, amd_l2l3_assoc(l2 >> 12), l2 & 0xff, 0);
    /* An L3 exists iff its size field (units of 512 KB) is non-zero. */
    if ((l3 >> 18) & 0x3fff)
        hw_add(ci, HW_UNIFIED, 3, ((l3 >> 18) & 0x3fff) * 512, amd_l2l3_assoc(l3 >> 12),
               l3 & 0xff, 0);
    return 0;
}

/* ---- vendor dispatch and sanity -------------------------------------------- */

static int get_caches(const struct cpu *cpu, struct hw_info *ci)
{
    unsigned r[4];
    unsigned char b[16];
    char vendor[13];
    int ret;

    cpuid(cpu, 0, 0, r);
    unsigned max_leaf = r[0];
    regs_to_bytes(r, b);
    memcpy(vendor, b + 4, 4);      /* EBX, EDX, ECX spell the vendor */
    memcpy(vendor + 4, b + 12, 4);
    memcpy(vendor + 8, b + 8, 4);
    vendor[12] = '\0';
    if (max_leaf == 0)
        return -1;

    if (strcmp(vendor, "GenuineIntel") == 0) {
        ret = intel_caches(cpu, max_leaf, ci);
    } else if (strcmp(vendor, "AuthenticAMD") == 0) {
        ret = amd_caches(cpu, ci);
    } else if (strcmp(vendor, "CentaurHauls") == 0) {
        /* Cachegrind-compatible: VIA chips get fixed values (a Nehemiah). */
        hw_add(ci, HW_DATA, 1, 64, 16, 16, 0);
        hw_add(ci, HW_INSN, 1, 64, 4, 16, 0);
        hw_add(ci, HW_UNIFIED, 2, 64, 16, 16, 0);
        ret = 0;
    } else {
        return -1;
    }
    for (unsigned i = 0; i < ci->n; i++)
        ci->c[i].size *= 1024; /* 32-bit, like Valgrind's */
    return ret;
}

/* Valgrind's sanity rules: per level at least one cache, at most one of each
 * kind, a unified cache alone; and no level without the one below it. */
static int hw_sensible(const struct hw_info *ci)
{
    for (unsigned level = 1; level <= ci->levels; level++) {
        unsigned count[4] = { 0 };
        for (unsigned i = 0; i < ci->n; i++)
            if (ci->c[i].level == level)
                count[ci->c[i].kind]++;
        unsigned d = count[HW_DATA], in = count[HW_INSN], u = count[HW_UNIFIED];
        if (d + in + u == 0 || d > 1 || in > 1 || u > 1 || (u && (d || in)))
            return 0;
    }
    /* With no empty level 1..levels (checked above), the gap rule holds. */
    return 1;
}

static const struct hw_cache *hw_find(const struct hw_info *ci, enum hw_kind kind, unsigned level)
{
    for (unsigned i = 0; i < ci->n; i++)
        if (ci->c[i].kind == kind && ci->c[i].level == level)
            return &ci->c[i];
    return NULL;
}

/* ---- public ------------------------------------------------------------------ */

void cacheconf_defaults(struct cache_hierarchy *out)
{
    /* Cachegrind's x86/amd64 defaults. */
    out->i1 = (struct cache_config){ 65536, 2, 64 };
    out->d1 = (struct cache_config){ 65536, 2, 64 };
    out->ll = (struct cache_config){ 262144, 8, 64 };
}

/* Fills *out from ci if it has I1, D1 and a top-level unified cache; returns
 * 0 then, else -1.  Adds the warnings Cachegrind gives while choosing. */
static int choose(const struct hw_info *ci, struct cache_hierarchy *out,
                  struct cacheconf_warnings *w)
{
    const struct hw_cache *i1 = hw_find(ci, HW_INSN, 1);
    const struct hw_cache *d1 = hw_find(ci, HW_DATA, 1);
    const struct hw_cache *ll = hw_find(ci, HW_UNIFIED, ci->levels);

    if (ci->n > 0 && !ll)
        warn(w, "warning: L2 cache not installed, ignore LL results.");
    if (ll && ci->levels > 2)
        warn(w, "warning: L%u cache found, using its data for the LL simulation.", ci->levels);
    if (!i1 || !d1 || !ll)
        return -1;

    if (i1->trace) {
        /* Cachegrind-compatible guess: a trace cache of 12K or 16K micro-ops
         * becomes a 16 KB I1, anything else 32 KB, with 32-byte lines. */
        unsigned size = i1->size == 12 * 1024 || i1->size == 16 * 1024 ? 16 * 1024 : 32 * 1024;
        warn(w, "warning: Pentium 4 with %u KB micro-op instruction trace cache",
             i1->size / 1024);
        warn(w, "         Simulating a %u KB I-cache with %u B lines", size / 1024, 32u);
        out->i1 = (struct cache_config){ size, i1->assoc, 32 };
    } else {
        out->i1 = (struct cache_config){ i1->size, i1->assoc, i1->line };
    }
    out->d1 = (struct cache_config){ d1->size, d1->assoc, d1->line };
    out->ll = (struct cache_config){ ll->size, ll->assoc, ll->line };
    return 0;
}

int cacheconf_tweak_ll(struct cache_config *ll, struct cacheconf_warnings *w)
{
    uint32_t old_size = ll->size, old_assoc = ll->assoc, line = ll->line;
    uint32_t new_size, new_assoc = old_assoc;

    if (old_size == 0 || old_assoc == 0 || line == 0 || old_assoc * line == 0)
        return 0;
    uint32_t old_sets = old_size / (old_assoc * line);
    if (old_sets == 0)
        return 0;
    if ((old_sets & (old_sets - 1)) == 0) {
        new_size = line * old_assoc * old_sets;
    } else {
        uint32_t new_sets = 1u << (31 - __builtin_clz(old_sets));
        double factor = (double)old_sets / (double)new_sets;
        /* Cachegrind-compatible rounding: add 0.5, truncate. */
        new_assoc = (uint32_t)(0.5 + factor * (double)old_assoc);
        new_size = line * new_assoc * new_sets;
    }
    if (new_size == old_size && new_assoc == old_assoc)
        return 0;

    char a[32], b[32];
    warn(w, "warning: specified LL cache: line_size %u  assoc %u  total_size %s", line,
         old_assoc, commas(old_size, a));
    warn(w, "warning: simulated LL cache: line_size %u  assoc %u  total_size %s", line,
         new_assoc, commas(new_size, b));
    ll->size = new_size;
    ll->assoc = new_assoc;
    return 1;
}

void cacheconf_describe(const char *name, const struct cache_config *c, char *buf, size_t n)
{
    char geom[96];

    cache_describe(c, geom, sizeof geom);
    snprintf(buf, n, "%s cache:         %s", name, geom);
}

void cacheconf_describe_used(const char *name, const struct cache_config *c, char *buf, size_t n)
{
    char s[32];
    snprintf(buf, n, "  %s: %s B, %u-way, %u B lines", name, commas(c->size, s), c->assoc,
             c->line);
}

int cacheconf_detect(struct cache_hierarchy *out,
                     void (*fn)(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx),
                     void *ctx, unsigned given, struct cacheconf_warnings *w)
{
    struct cpu cpu = { fn, ctx };
    struct hw_info ci = { 0 };
    int ret = CACHECONF_DETECTED;

    /* Whatever went wrong, Valgrind forgets every cache found so far. */
    if (get_caches(&cpu, &ci) < 0 || !hw_sensible(&ci))
        memset(&ci, 0, sizeof ci);
    if (choose(&ci, out, w) < 0) {
        cacheconf_defaults(out);
        if (given != CACHECONF_GIVEN_ALL) {
            warn(w, "Warning: Cannot auto-detect cache config, using defaults.");
            warn(w, "         Run with -v to see.");
        }
        ret = CACHECONF_DEFAULTED;
    }
    cacheconf_tweak_ll(&out->ll, w);

    /* An unusable detected cache is fatal in Cachegrind unless the command
     * line replaces it. */
    const struct cache_config *cs[3] = { &out->i1, &out->d1, &out->ll };
    static const char *const names[3] = { "I1", "D1", "LL" };
    static const unsigned bits[3] = { CACHECONF_GIVEN_I1, CACHECONF_GIVEN_D1, CACHECONF_GIVEN_LL };
    for (int k = 0; k < 3; k++) {
        const char *msg = cache_config_check(cs[k]);
        char desc[CACHECONF_WARN_LEN];

        if (!msg)
            continue;
        warn(w, "Auto-detected %s cache configuration not supported: %s", names[k], msg);
        cacheconf_describe_used(names[k], cs[k], desc, sizeof desc);
        warn(w, "%s", desc);
        if (!(given & bits[k])) {
            warn(w, "As it probably should be supported, please report a bug!");
            warn(w, "Bypass this message by using option --%s=...", names[k]);
            return CACHECONF_UNSUPPORTED;
        }
    }
    return ret;
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
static void host_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx)
{
    (void)ctx;
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}
#else
/* No CPUID: leaf 0 reads as zero, which cacheconf_detect treats as "cannot
 * detect", exactly as on a processor with no usable leaves. */
static void host_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx)
{
    (void)leaf, (void)subleaf, (void)ctx;
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
}
#endif

int cacheconf_detect_host(struct cache_hierarchy *out, unsigned given,
                          struct cacheconf_warnings *w)
{
    return cacheconf_detect(out, host_cpuid, NULL, given, w);
}

unsigned cacheconf_min_line(const struct cache_hierarchy *h)
{
    unsigned m = h->i1.line;
    if (h->d1.line < m)
        m = h->d1.line;
    if (h->ll.line < m)
        m = h->ll.line;
    return m;
}
