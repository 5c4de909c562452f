/* outname.c - see outname.h.  Valgrind's rules (m_options.c): any other %x is
 * an error, a leading '~' is an error (no shell expansion). */
#include "core/outname.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"
#include "core/base/strbuf.h"


/* One expansion engine for both check (b == NULL) and expand. */
static int expand(const char *t, pid_t pid, unsigned seq, struct strbuf *b, struct diag_err *e)
{
    char num[32];
    if (t[0] == '~')
        return diag_set(e, "bad output file name '%s': a leading '~' is not expanded", t);
    for (const char *p = t; *p; p++) {
        if (*p != '%') {
            if (b)
                strbuf_add(b, p, 1);
            continue;
        }
        p++;
        if (*p == '%') {
            if (b)
                strbuf_add(b, "%", 1);
        } else if (*p == 'p' || *p == 'n') {
            if (b) {
                snprintf(num, sizeof num, "%ld", *p == 'p' ? (long)pid : (long)seq);
                strbuf_add(b, num, strlen(num));
            }
        } else if (*p == 'q') {
            const char *close;
            if (p[1] != '{' || !(close = strchr(p + 2, '}')))
                return diag_set(e, "bad output file name '%s': %%q must be followed by {VAR}", t);
            char var[256];
            size_t n = (size_t)(close - (p + 2));
            if (n == 0 || n >= sizeof var)
                return diag_set(e, "bad output file name '%s': bad %%q{VAR}", t);
            memcpy(var, p + 2, n);
            var[n] = 0;
            const char *val = getenv(var);
            if (!val)
                return diag_set(e, "bad output file name '%s': environment variable '%s' is not set",
                                t, var);
            if (b)
                strbuf_add(b, val, strlen(val));
            p = close;
        } else {
            return diag_set(e, "bad output file name '%s': unknown %%-escape '%%%c'", t,
                            *p ? *p : ' ');
        }
    }
    return 0;
}

int outname_check(const char *tmpl, struct diag_err *e)
{
    return expand(tmpl, 0, 0, NULL, e);
}

char *outname_expand(const char *tmpl, pid_t pid, unsigned seq, const char *cwd,
                     struct diag_err *e)
{
    struct strbuf b = {0};
    if (tmpl[0] != '/' && cwd) {
        strbuf_add(&b, cwd, strlen(cwd));
        strbuf_add(&b, "/", 1);
    }
    if (expand(tmpl, pid, seq, &b, e) != 0) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : xstrdup("");
}
