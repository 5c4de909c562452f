/* cacheconf.h - which I1, D1 and LL geometries to simulate when the user did
 * not say: host detection through CPUID, Cachegrind's x86-64 defaults and its
 * LL "tweak" (reference: cachegrind.md section 4).
 *
 * Owns: decoding CPUID the way Valgrind 3.19 does on x86-64 (Intel leaf 2
 * descriptors and the leaf 4 walk, AMD leaves 0x80000005/6, VIA's fixed
 * values), its sanity check, the choice of LL (the unified cache at the
 * highest level), the fallback defaults, the LL set-count fix-up, and
 * Cachegrind's warning texts for all of these.
 * Must not: print or exit (warnings are handed back as text), parse the
 * command line, or include anything outside libc.  Replacing a detected cache
 * by --I1/--D1/--LL is the caller's step, done after cacheconf_detect.
 */
#ifndef CACHESIM_SIM_CACHECONF_H
#define CACHESIM_SIM_CACHECONF_H
#include <stddef.h>

#include "sim/cache.h"

struct cache_hierarchy {
    struct cache_config i1, d1, ll;
};

/* Lines of warning text, in the order Cachegrind prints them.  Each line is
 * Cachegrind's stderr line verbatim without its "==pid== " / "--pid-- "
 * prefix and without the newline, e.g.
 *   "warning: L3 cache found, using its data for the LL simulation."
 * Lines that do not fit are counted in `dropped` (never happens with the
 * texts cacheconf produces: at most 13 lines). */
#define CACHECONF_WARN_MAX 24
#define CACHECONF_WARN_LEN 160
struct cacheconf_warnings {
    unsigned n, dropped;
    char line[CACHECONF_WARN_MAX][CACHECONF_WARN_LEN];
};

/* Empties w. */
void cacheconf_warnings_clear(struct cacheconf_warnings *w);

/* Bits of `given`: the caches the caller will take from the command line. */
enum {
    CACHECONF_GIVEN_I1 = 1,
    CACHECONF_GIVEN_D1 = 2,
    CACHECONF_GIVEN_LL = 4,
    CACHECONF_GIVEN_ALL = 7,
};

/* Return values of cacheconf_detect / cacheconf_detect_host. */
enum {
    CACHECONF_DETECTED = 0,  /* *out comes from CPUID (LL possibly tweaked) */
    CACHECONF_DEFAULTED = 1, /* CPUID gave nothing usable: *out = defaults */
    CACHECONF_UNSUPPORTED = -1, /* a detected cache fails cache_config_check
                                   and is not in `given`: Cachegrind stops
                                   here (an assertion); w says which */
};

/* Cachegrind's whole "which caches" step before command-line overrides
 * (3.19 verified):
 *  1. decode CPUID through `cpuid` (called as cpuid(leaf, subleaf, regs, ctx)
 *     and must fill regs = {EAX, EBX, ECX, EDX}); if the caches found are
 *     sensible and include I1, D1 and a unified cache at the top level, take
 *     them (warning "warning: L<n> cache found, using its data for the LL
 *     simulation." when n > 2); else the defaults (cacheconf_defaults), with
 *     "Warning: Cannot auto-detect cache config, using defaults." and
 *     "         Run with -v to see." unless given == CACHECONF_GIVEN_ALL;
 *  2. cacheconf_tweak_ll on the LL;
 *  3. cache_config_check on each of I1, D1, LL: a failure adds Cachegrind's
 *     "Auto-detected <X> cache configuration not supported: <message>" and
 *     "  <X>: <size with commas> B, <assoc>-way, <line> B lines"; if X is not
 *     in `given` also "As it probably should be supported, please report a
 *     bug!" and "Bypass this message by using option --<X>=...", and the
 *     result is CACHECONF_UNSUPPORTED (no later cache is checked).
 * Warnings are appended to w (not cleared first).  Always fills *out.
 * Deliberate differences: a CPUID that lists an IA-64 descriptor (Valgrind
 * panics) or a leaf-4 walk longer than 64 entries (Valgrind loops on) counts
 * as "nothing usable". */
int cacheconf_detect(struct cache_hierarchy *out,
                     void (*cpuid)(unsigned leaf, unsigned subleaf, unsigned regs[4], void *ctx),
                     void *ctx, unsigned given, struct cacheconf_warnings *w);

/* cacheconf_detect with this machine's own `cpuid` instruction (on a
 * non-x86 build: no CPUID, so the defaults path). */
int cacheconf_detect_host(struct cache_hierarchy *out, unsigned given,
                          struct cacheconf_warnings *w);

/* Cachegrind's x86/amd64 defaults (an old Athlon): I1 65536,2,64,
 * D1 65536,2,64, LL 262144,8,64. */
void cacheconf_defaults(struct cache_hierarchy *out);

/* Cachegrind's LL fix-up, for a detected LL only (a --LL whose set count is
 * not a power of two is rejected instead): with sets = size/(assoc*line) not
 * a power of two, sets becomes the largest power of two below it, assoc grows
 * by the same factor (rounded to nearest) and size = line*assoc*sets; with a
 * power of two, size is just recomputed as line*assoc*sets.  The line size
 * never changes; a geometry with a zero field or zero sets is left alone.
 * When anything changed, adds "warning: specified LL cache: line_size L
 * assoc A  total_size S" and "warning: simulated LL cache: ..." (sizes with
 * thousands commas, two spaces between fields) to w.
 * Returns 1 if ll changed, else 0. */
int cacheconf_tweak_ll(struct cache_config *ll, struct cacheconf_warnings *w);

/* The text of Cachegrind's output-file header line after "desc: ":
 * "I1 cache:         32768 B, 64 B, 8-way associative" (name, " cache:", nine
 * spaces so that cg_annotate's columns align, then cache_describe's text).
 * name is "I1", "D1" or "LL".  Truncates to fit n. */
void cacheconf_describe(const char *name, const struct cache_config *c, char *buf, size_t n);

/* "  I1: 32,768 B, 8-way, 64 B lines": how Cachegrind -v lists a cache under
 * "Cache configuration used:" (and in the unsupported-cache warning); size
 * with thousands commas.  Truncates to fit n. */
void cacheconf_describe_used(const char *name, const struct cache_config *c, char *buf, size_t n);

/* The smallest of the three line sizes: the bound on every access size fed
 * to cache_access (Cachegrind clamps larger accesses to it). */
unsigned cacheconf_min_line(const struct cache_hierarchy *h);
#endif
