/* tap.h - the unit tests' only harness: TAP-like lines, checks that stay on
 * under NDEBUG (never assert()).  Each test file includes it once, calls the
 * CHECK macros and ends main() with `return tap_done();`. */
#ifndef CACHESIM_TAP_H
#define CACHESIM_TAP_H
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_result(int ok, const char *what, const char *file, int line)
{
    tap_n++;
    if (!ok)
        tap_failed++;
    printf("%s %d - %s%s", ok ? "ok" : "not ok", tap_n, what, ok ? "\n" : "");
    if (!ok)
        printf("  (%s:%d)\n", file, line);
}

#define CHECK(cond, what) tap_result(!!(cond), (what), __FILE__, __LINE__)

#define CHECK_INT(got, want, what)                                                      \
    do {                                                                                \
        long long g_ = (long long)(got), w_ = (long long)(want);                        \
        tap_result(g_ == w_, (what), __FILE__, __LINE__);                               \
        if (g_ != w_)                                                                   \
            printf("  got %lld, want %lld\n", g_, w_);                                  \
    } while (0)

#define CHECK_STR(got, want, what)                                                      \
    do {                                                                                \
        const char *g_ = (got), *w_ = (want);                                           \
        int ok_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;                            \
        tap_result(ok_, (what), __FILE__, __LINE__);                                    \
        if (!ok_)                                                                       \
            printf("  got  \"%s\"\n  want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n# %d passed, %d failed\n", tap_n, tap_n - tap_failed, tap_failed);
    return tap_failed ? 1 : 0;
}
#endif
