/* gate.h - regression limits on the growth of one event between two profiles.
 *
 * Owns: the syntax of a limit ("EVENT=N" absolute, "EVENT=P%" relative), the
 * rule deciding whether a change exceeds it, and the percentage change shown
 * next to it.  All arithmetic is exact (integers, 128-bit intermediates), so
 * a gate never flips on a rounding error.  Must not: print, exit, read
 * profiles, know event names beyond the text it is given.
 *
 * Rule: with delta = new - old, a limit is exceeded when delta > N (absolute)
 * or delta > P% of |old| (relative).  Only growth can exceed a limit: an
 * improvement (delta <= 0) never does.  old = 0 and new > 0 exceeds every
 * relative limit, since no percentage of 0 allows any growth.
 */
#ifndef CACHESIM_GATE_H
#define CACHESIM_GATE_H
#include <stdint.h>

#include "core/base/diag.h"

#define GATE_EVENT_MAX 64 /* longer event names are refused */

enum gate_kind {
    GATE_ABSOLUTE, /* value: counts */
    GATE_PERCENT,  /* value: millionths of a percent (1% = 1000000) */
};

struct gate_limit {
    char event[GATE_EVENT_MAX];
    enum gate_kind kind;
    int64_t value;
};

/* Parses "EVENT=N" (N a decimal count, 0 <= N < 2^63) or "EVENT=P%" (P a
 * decimal 0 <= P <= 1000000000 with at most six fraction digits, e.g. "0.5%").
 * Fails (-1, message in e) on a missing '=', an empty or too long event name,
 * a malformed, negative or out-of-range number. */
int gate_parse(const char *spec, struct gate_limit *out, struct diag_err *e);

/* Whether the change from old to new exceeds l (the rule above). */
int gate_exceeded(const struct gate_limit *l, int64_t old, int64_t new_);

/* The change from old to new in hundredths of a percent of |old|, rounded to
 * the nearest hundredth (halves away from zero), into *out.  Returns 0, or -1
 * (and *out = 0) when old is 0: there is no percentage of nothing.  A result
 * beyond the int64 range is clamped to it. */
int gate_percent(int64_t old, int64_t new_, int64_t *out);

/* The limit's value as written back to users: "1%", "0.5%", "10000". */
void gate_format(const struct gate_limit *l, char *dst, unsigned long size);
#endif
