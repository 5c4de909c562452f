/* derived.h - events computed from a profile's recorded events.
 *
 * Owns: the table of derived events (name, formula, definition) and resolving
 * any event name -- recorded or derived -- against a profile's events into a
 * linear combination of its columns.  Every derived event here is a sum of
 * recorded events with integer coefficients, so it can be evaluated on any
 * cost line, on totals and on differences alike (derived(B) - derived(A) =
 * derived(B - A)).  Must not: print, exit, know about reports or limits.
 *
 * The derived events (docs/diff.md lists them with their formulas):
 *   D         Dr + Dw                                 data accesses
 *   L1m       I1mr + D1mr + D1mw                      L1 misses
 *   LLm       ILmr + DLmr + DLmw                      LL misses
 *   L1hits    Ir + Dr + Dw - L1m                      accesses that hit L1
 *   LLhits    L1m - LLm                               L1 misses that hit LL
 *   RAMhits   LLm                                     accesses that went to memory
 *   EstCycles L1hits + 5*LLhits + 35*RAMhits          iai-callgrind's estimate
 *             (= Ir + Dr + Dw + 4*L1m + 30*LLm)
 *   B         Bc + Bi                                 branches executed
 *   Bm        Bcm + Bim                               branches mispredicted
 * A derived event exists only when every event it needs was recorded; a
 * recorded event of the same name wins over the derived one.
 */
#ifndef CACHESIM_DERIVED_H
#define CACHESIM_DERIVED_H
#include <stddef.h>
#include <stdint.h>

#include "core/base/diag.h"
#include "core/base/profile.h"

#define DERIVED_MAX_TERMS 9

/* An event resolved against one profile's events: the value on a cost line
 * with counts c[] is the sum of coef * c[index] over the terms. */
struct derived_event {
    const char *name;    /* static storage or the profile's event name */
    const char *formula; /* NULL for a recorded event */
    size_t n_terms;
    struct {
        size_t index; /* column in the profile */
        int64_t coef;
    } terms[DERIVED_MAX_TERMS];
};

/* The derived events, in documentation order (i < derived_count()). */
size_t derived_count(void);
const char *derived_name(size_t i);
const char *derived_formula(size_t i);

/* Resolves name against p's events into *out.  Fails (-1, message in e) with
 * "unknown event 'X'" or "event 'X' needs 'Y', which the profile does not
 * record (events: ...)". */
int derived_resolve(const struct profile *p, const char *name, struct derived_event *out,
                    struct diag_err *e);

/* Whether name resolves against p (no message). */
int derived_available(const struct profile *p, const char *name);

/* The value of ev on counts (one per event of the profile ev was resolved
 * against) into *out.  Returns 0, or -1 if the value does not fit in 64 bits. */
int derived_eval(const struct derived_event *ev, const int64_t *counts, int64_t *out);
#endif
