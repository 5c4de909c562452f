/* pdiff.c - see pdiff.h.  A difference is two profile_add calls into a fresh
 * profile whose header was set first (profile_add copies a header only into
 * a profile that has none). */
#include "core/base/pdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Event names of p joined by single spaces (malloc'd). */
static char *joined_events(const struct profile *p)
{
    size_t len = 1;
    for (size_t i = 0; i < profile_n_events(p); i++)
        len += strlen(profile_event(p, i)) + 1;
    char *s = xmalloc(len), *o = s;
    for (size_t i = 0; i < profile_n_events(p); i++)
        o += sprintf(o, "%s%s", i ? " " : "", profile_event(p, i));
    *o = 0;
    return s;
}

static int same_event_names(const struct profile *a, const struct profile *b)
{
    if (profile_n_events(a) != profile_n_events(b))
        return 0;
    for (size_t i = 0; i < profile_n_events(a); i++)
        if (strcmp(profile_event(a, i), profile_event(b, i)) != 0)
            return 0;
    return 1;
}

struct profile *pdiff_collapse(struct profile *p, struct diag_err *e)
{
    struct profile *c = profile_new();
    if (profile_set_events(c, profile_events_text(p), e) < 0) {
        profile_free(c);
        return NULL;
    }
    for (size_t i = 0; i < profile_n_desc(p); i++)
        profile_add_desc(c, profile_desc(p, i));
    if (profile_cmd(p))
        profile_set_cmd(c, profile_cmd(p));
    const struct profile_entry *ent;
    size_t n = profile_unsorted(p, &ent), n_ev = profile_n_events(p);
    for (size_t i = 0; i < n; i++) {
        int64_t *cell = profile_cell(c, ent[i].file, ent[i].fn, 0);
        for (size_t k = 0; k < n_ev; k++) {
            if (__builtin_add_overflow(cell[k], ent[i].counts[k], &cell[k])) {
                diag_set(e, "counts of function '%s' in '%s' overflow 64 bits", ent[i].fn, ent[i].file);
                profile_free(c);
                return NULL;
            }
        }
    }
    return c;
}

struct profile *pdiff_new(struct profile *a, struct profile *b, const char *name_a,
                          const char *name_b, int flags, struct diag_err *e)
{
    if (!same_event_names(a, b)) {
        char *ea = joined_events(a), *eb = joined_events(b);
        diag_set(e, "events in data files don't match ('%s' in '%s', '%s' in '%s')", ea, name_a, eb,
                 name_b);
        free(ea);
        free(eb);
        return NULL;
    }
    /* The summary written is the sum of the difference's cells, which wraps
     * silently if B's total minus A's does not fit: refuse that here. */
    size_t n_ev = profile_n_events(a);
    int64_t ta[PROFILE_MAX_EVENTS], tb[PROFILE_MAX_EVENTS], td;
    profile_totals(a, ta);
    profile_totals(b, tb);
    for (size_t k = 0; k < n_ev; k++)
        if (__builtin_sub_overflow(tb[k], ta[k], &td)) {
            diag_set(e, "the difference of the '%s' totals overflows 64 bits", profile_event(a, k));
            return NULL;
        }

    struct profile *d = profile_new();
    char *ev = joined_events(a);
    int rc = profile_set_events(d, ev, e);
    free(ev);
    if (rc < 0) {
        profile_free(d);
        return NULL;
    }
    /* cg_diff's header: "Files compared:" with three spaces, "CMD_A; CMD_B". */
    size_t dl = strlen(name_a) + strlen(name_b) + 32;
    char *desc = xmalloc(dl);
    snprintf(desc, dl, "Files compared:   %s; %s", name_a, name_b);
    profile_add_desc(d, desc);
    free(desc);
    const char *ca = profile_cmd(a) ? profile_cmd(a) : "", *cb = profile_cmd(b) ? profile_cmd(b) : "";
    size_t cl = strlen(ca) + strlen(cb) + 3;
    char *cmd = xmalloc(cl);
    snprintf(cmd, cl, "%s; %s", ca, cb);
    profile_set_cmd(d, cmd);
    free(cmd);

    struct profile *fa = a, *fb = b;
    if (flags & PDIFF_FUNCTIONS) {
        fa = pdiff_collapse(a, e);
        fb = fa ? pdiff_collapse(b, e) : NULL;
        if (!fb) {
            profile_free(fa);
            profile_free(d);
            return NULL;
        }
    }
    rc = profile_add(d, fb, +1, e);
    if (rc == 0)
        rc = profile_add(d, fa, -1, e);
    if (fa != a) {
        profile_free(fa);
        profile_free(fb);
    }
    if (rc < 0) {
        profile_free(d);
        return NULL;
    }
    return d;
}
