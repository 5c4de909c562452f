/* subst.c - see subst.h.  Splits the s/old/new/flags expression, compiles the
 * pattern with regcomp(REG_EXTENDED), pre-parses the replacement into literal
 * pieces and capture references, and applies it.  Must not print or exit. */
#include "core/base/subst.h"
#include "core/base/strbuf.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* One piece of a replacement: a literal byte run, or capture number `group`. */
struct piece {
    int group;          /* -1 for a literal */
    size_t off, len;    /* literal bytes in subst.lit */
};

struct subst {
    regex_t re;
    int global;
    size_t nsub;        /* re.re_nsub + 1 */
    struct piece *pieces;
    size_t n_pieces;
    char *lit;          /* the literal bytes of all pieces */
};


/* A '/' at i is a delimiter unless a backslash precedes it (cg_annotate's
 * (?<!\\)/ lookbehind: "\\/" therefore also counts as escaped). */
static int is_delim(const char *s, size_t i) { return s[i] == '/' && s[i - 1] != '\\'; }

/* Copy of s[0..n) with every "\/" turned into "/". */
static char *unescape_slashes(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '/')
            continue;
        out[k++] = s[i];
    }
    out[k] = 0;
    return out;
}

static void add_piece(struct subst *s, struct strbuf *lit, int group, const char *text, size_t n)
{
    if (group < 0 && n == 0)
        return;
    /* Merge adjacent literals. */
    if (group < 0 && s->n_pieces && s->pieces[s->n_pieces - 1].group < 0) {
        s->pieces[s->n_pieces - 1].len += n;
        strbuf_add(lit, text, n);
        return;
    }
    s->pieces = xrealloc(s->pieces, (s->n_pieces + 1) * sizeof *s->pieces);
    struct piece *p = &s->pieces[s->n_pieces++];
    p->group = group;
    p->off = lit->len;
    p->len = n;
    if (group < 0)
        strbuf_add(lit, text, n);
}

static int parse_repl(struct subst *s, const char *r, const char *expr, struct diag_err *e)
{
    struct strbuf lit = {0};
    strbuf_add(&lit, "", 0);
    for (size_t i = 0; r[i];) {
        if (r[i] != '\\') {
            size_t j = i;
            while (r[j] && r[j] != '\\')
                j++;
            add_piece(s, &lit, -1, r + i, j - i);
            i = j;
            continue;
        }
        char c = r[i + 1];
        long group = -1;
        const char *ctl = NULL;
        size_t used = 2;
        if (c == 0) {
            free(lit.p);
            return diag_set(e, "invalid substitution '%s': replacement ends in a backslash", expr);
        } else if (c >= '1' && c <= '9') {
            group = c - '0';
            if (r[i + 2] >= '0' && r[i + 2] <= '9') {
                group = group * 10 + (r[i + 2] - '0');
                used = 3;
            }
        } else if (c == 'g' && r[i + 2] == '<') {
            char *end;
            group = strtol(r + i + 3, &end, 10);
            if (end == r + i + 3 || *end != '>' || group < 0) {
                free(lit.p);
                return diag_set(e, "invalid substitution '%s': bad \\g<N> group reference", expr);
            }
            used = (size_t)(end + 1 - (r + i));
        } else if (c == '0') {
            /* Python reads \0 as an octal escape (NUL); a name cannot hold a
             * NUL, so refuse it rather than cut names short. */
            free(lit.p);
            return diag_set(e, "invalid substitution '%s': \\0 is not supported", expr);
        } else if (c == '\\') {
            ctl = "\\";
        } else if (strchr("ntrfvab", c)) {
            static const char from[] = "ntrfvab", to[] = "\n\t\r\f\v\a\b";
            ctl = &to[strchr(from, c) - from];
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            free(lit.p);
            return diag_set(e, "invalid substitution '%s': bad escape \\%c", expr, c);
        } else {
            /* Python leaves other escapes alone: backslash and character. */
            add_piece(s, &lit, -1, r + i, 2);
            i += 2;
            continue;
        }
        if (ctl) {
            add_piece(s, &lit, -1, ctl, 1);
        } else {
            if ((size_t)group >= s->nsub) {
                free(lit.p);
                return diag_set(e, "invalid substitution '%s': invalid group reference %ld", expr,
                                group);
            }
            add_piece(s, &lit, (int)group, NULL, 0);
        }
        i += used;
    }
    s->lit = lit.p;
    return 0;
}

struct subst *subst_new(const char *expr, struct diag_err *e)
{
    size_t n = strlen(expr);
    if (n < 4 || expr[0] != 's' || expr[1] != '/')
        goto malformed;
    /* The last '/' ends the replacement; what follows must be the flags. */
    const char *last = strrchr(expr, '/');
    size_t end = (size_t)(last - expr);
    if (end < 2 || !is_delim(expr, end))
        goto malformed;
    const char *flags = expr + end + 1;
    if (strcmp(flags, "") && strcmp(flags, "g") && strcmp(flags, "i") && strcmp(flags, "gi") &&
        strcmp(flags, "ig"))
        goto malformed;
    /* The middle delimiter: the last unescaped '/' before it (the pattern
     * part is greedy in cg_annotate's parse). */
    size_t mid = 0;
    for (size_t i = end - 1; i >= 2; i--) {
        if (is_delim(expr, i)) {
            mid = i;
            break;
        }
    }
    if (mid == 0)
        goto malformed;

    struct subst *s = xcalloc(1, sizeof *s);
    s->global = strchr(flags, 'g') != NULL;
    char *pat = unescape_slashes(expr + 2, mid - 2);
    char *repl = unescape_slashes(expr + mid + 1, end - mid - 1);
    int rc = regcomp(&s->re, pat, REG_EXTENDED | (strchr(flags, 'i') ? REG_ICASE : 0));
    if (rc != 0) {
        char msg[256];
        regerror(rc, &s->re, msg, sizeof msg);
        diag_set(e, "invalid substitution '%s': %s", expr, msg);
        free(pat);
        free(repl);
        free(s);
        return NULL;
    }
    free(pat);
    s->nsub = s->re.re_nsub + 1;
    if (parse_repl(s, repl, expr, e) < 0) {
        free(repl);
        subst_free(s);
        return NULL;
    }
    free(repl);
    return s;

malformed:
    diag_set(e, "invalid substitution '%s': expected s/old/new/ with optional flags g and i", expr);
    return NULL;
}

void subst_free(struct subst *s)
{
    if (!s)
        return;
    regfree(&s->re);
    free(s->pieces);
    free(s->lit);
    free(s);
}

char *subst_apply(const struct subst *s, const char *name)
{
    struct strbuf out = {0};
    strbuf_add(&out, "", 0);
    regmatch_t stack_m[10];
    regmatch_t *m = s->nsub <= 10 ? stack_m : xmalloc(s->nsub * sizeof *m);
    size_t len = strlen(name), pos = 0;
    int done = 0;
    while (!done && pos <= len) {
        if (regexec(&s->re, name + pos, s->nsub, m, pos ? REG_NOTBOL : 0) != 0)
            break;
        size_t so = pos + (size_t)m[0].rm_so, eo = pos + (size_t)m[0].rm_eo;
        strbuf_add(&out, name + pos, so - pos);
        for (size_t k = 0; k < s->n_pieces; k++) {
            const struct piece *p = &s->pieces[k];
            if (p->group < 0)
                strbuf_add(&out, s->lit + p->off, p->len);
            else if (m[p->group].rm_so >= 0)  /* an unmatched group inserts nothing, like Python */
                strbuf_add(&out, name + pos + m[p->group].rm_so,
                        (size_t)(m[p->group].rm_eo - m[p->group].rm_so));
        }
        if (!s->global)
            done = 1;
        if (eo == so) {
            /* Empty match: keep the next character and move past it. */
            if (so < len)
                strbuf_add(&out, name + so, 1);
            pos = so + 1;
        } else {
            pos = eo;
        }
    }
    if (pos < len)
        strbuf_add(&out, name + pos, len - pos);
    if (m != stack_m)
        free(m);
    return out.p;
}
