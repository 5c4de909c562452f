/* derived.c - see derived.h.  The table below is the single definition of
 * every derived event; the formulas in docs/diff.md are copied from it. */
#include "core/base/derived.h"

#include <stdio.h>
#include <string.h>

struct term_def {
    const char *event;
    int64_t coef;
};

struct derived_def {
    const char *name;
    const char *formula; /* as shown to users */
    struct term_def terms[DERIVED_MAX_TERMS + 1]; /* ends with {NULL, 0} */
};

/* EstCycles is iai-callgrind's estimate, L1 hits + 5 x LL hits + 35 x RAM
 * hits, expanded: (Ir+Dr+Dw - L1m) + 5(L1m - LLm) + 35 LLm
 * = Ir + Dr + Dw + 4 L1m + 30 LLm. */
static const struct derived_def defs[] = {
    {"D", "Dr + Dw", {{"Dr", 1}, {"Dw", 1}, {NULL, 0}}},
    {"L1m", "I1mr + D1mr + D1mw", {{"I1mr", 1}, {"D1mr", 1}, {"D1mw", 1}, {NULL, 0}}},
    {"LLm", "ILmr + DLmr + DLmw", {{"ILmr", 1}, {"DLmr", 1}, {"DLmw", 1}, {NULL, 0}}},
    {"L1hits",
     "Ir + Dr + Dw - (I1mr + D1mr + D1mw)",
     {{"Ir", 1}, {"Dr", 1}, {"Dw", 1}, {"I1mr", -1}, {"D1mr", -1}, {"D1mw", -1}, {NULL, 0}}},
    {"LLhits",
     "(I1mr + D1mr + D1mw) - (ILmr + DLmr + DLmw)",
     {{"I1mr", 1}, {"D1mr", 1}, {"D1mw", 1}, {"ILmr", -1}, {"DLmr", -1}, {"DLmw", -1}, {NULL, 0}}},
    {"RAMhits", "ILmr + DLmr + DLmw", {{"ILmr", 1}, {"DLmr", 1}, {"DLmw", 1}, {NULL, 0}}},
    {"EstCycles",
     "L1hits + 5 * LLhits + 35 * RAMhits",
     {{"Ir", 1},
      {"Dr", 1},
      {"Dw", 1},
      {"I1mr", 4},
      {"D1mr", 4},
      {"D1mw", 4},
      {"ILmr", 30},
      {"DLmr", 30},
      {"DLmw", 30},
      {NULL, 0}}},
    {"B", "Bc + Bi", {{"Bc", 1}, {"Bi", 1}, {NULL, 0}}},
    {"Bm", "Bcm + Bim", {{"Bcm", 1}, {"Bim", 1}, {NULL, 0}}},
};

#define N_DEFS (sizeof defs / sizeof defs[0])

size_t derived_count(void) { return N_DEFS; }
const char *derived_name(size_t i) { return i < N_DEFS ? defs[i].name : NULL; }
const char *derived_formula(size_t i) { return i < N_DEFS ? defs[i].formula : NULL; }

/* The profile's event names separated by single spaces (the events: text may
 * carry Cachegrind's trailing space), cut to fit. */
static void join_events(const struct profile *p, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < profile_n_events(p); i++) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", profile_event(p, i));
        if (n < 0 || (size_t)n >= size - len)
            break;
        len += (size_t)n;
    }
}

int derived_resolve(const struct profile *p, const char *name, struct derived_event *out,
                    struct diag_err *e)
{
    int k = profile_event_index(p, name);
    if (k >= 0) {
        /* A recorded event wins over a derived one of the same name. */
        out->name = profile_event(p, (size_t)k);
        out->formula = NULL;
        out->n_terms = 1;
        out->terms[0].index = (size_t)k;
        out->terms[0].coef = 1;
        return 0;
    }
    for (size_t i = 0; i < N_DEFS; i++) {
        if (strcmp(defs[i].name, name) != 0)
            continue;
        out->name = defs[i].name;
        out->formula = defs[i].formula;
        out->n_terms = 0;
        for (const struct term_def *t = defs[i].terms; t->event; t++) {
            int j = profile_event_index(p, t->event);
            if (j < 0) {
                char have[DIAG_MSG_MAX / 2];
                join_events(p, have, sizeof have);
                return diag_set(e, "event '%s' needs '%s', which the profile does not record (events: %s)",
                                name, t->event, have);
            }
            out->terms[out->n_terms].index = (size_t)j;
            out->terms[out->n_terms].coef = t->coef;
            out->n_terms++;
        }
        return 0;
    }
    return diag_set(e, "unknown event '%s'", name);
}

int derived_available(const struct profile *p, const char *name)
{
    struct derived_event ev;
    return derived_resolve(p, name, &ev, NULL) == 0;
}

int derived_eval(const struct derived_event *ev, const int64_t *counts, int64_t *out)
{
    int64_t sum = 0;
    for (size_t i = 0; i < ev->n_terms; i++) {
        int64_t x;
        if (__builtin_mul_overflow(counts[ev->terms[i].index], ev->terms[i].coef, &x) ||
            __builtin_add_overflow(sum, x, &sum))
            return -1;
    }
    *out = sum;
    return 0;
}
