/* textfmt.c - see textfmt.h.  Renderings only; every function works on
 * integers so that reports are byte-identical across machines. */
#include "core/base/textfmt.h"

#include <ctype.h>
#include <string.h>

/* Magnitude of v without overflow for INT64_MIN. */
static uint64_t magnitude(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

/* Writes the sign (if any) and the digits of x, with a ',' every three digits
 * when group is set, and fraction digits below a '.' when frac > 0. */
static size_t render(char *dst, int neg, int plus, uint64_t x, int group, int frac)
{
    char tmp[TEXTFMT_NUM_MAX];
    size_t k = sizeof tmp;
    int digits = 0;
    do {
        if (frac && digits == frac)
            tmp[--k] = '.';
        else if (group && digits > frac && (digits - frac) % 3 == 0)
            tmp[--k] = ',';
        tmp[--k] = (char)('0' + x % 10);
        x /= 10;
        digits++;
    } while (x || digits <= frac);
    if (neg)
        tmp[--k] = '-';
    else if (plus)
        tmp[--k] = '+';
    size_t len = sizeof tmp - k;
    memcpy(dst, tmp + k, len);
    dst[len] = 0;
    return len;
}

size_t textfmt_commify(char *dst, int64_t v, int plus)
{
    return render(dst, v < 0, plus && v > 0, magnitude(v), 1, 0);
}

size_t textfmt_hundredths(char *dst, int64_t h, int plus)
{
    return render(dst, h < 0, plus && h > 0, magnitude(h), 0, 2);
}

size_t textfmt_millionths(char *dst, int64_t v)
{
    size_t len = render(dst, v < 0, 0, magnitude(v), 0, 6);
    /* "0.500000" -> "0.5", "1.000000" -> "1". */
    while (dst[len - 1] == '0')
        dst[--len] = 0;
    if (dst[len - 1] == '.')
        dst[--len] = 0;
    return len;
}

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void textfmt_json_str(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    putc('"', f);
    while (*s) {
        unsigned c = *s;
        size_t n;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            n = 1;
        } else if (c == '\n') {
            fputs("\\n", f), n = 1;
        } else if (c == '\t') {
            fputs("\\t", f), n = 1;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c), n = 1;
        } else if ((n = utf8_seq(s)) != 0) {
            fwrite(s, 1, n, f);
        } else {
            /* Not UTF-8 (e.g. a Latin-1 file name): keep the byte's value. */
            fprintf(f, "\\u%04x", c), n = 1;
        }
        s += n;
    }
    putc('"', f);
}

void textfmt_md_code(FILE *f, const char *s)
{
    size_t longest = 0, run = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    /* CommonMark strips one space from each end of a span that starts and
     * ends with one; the padding keeps such names (and backticks at the
     * edges) intact. */
    int pad = len && (s[0] == '`' || s[len - 1] == '`' || (s[0] == ' ' && s[len - 1] == ' '));
    for (size_t i = 0; i <= longest; i++)
        putc('`', f);
    if (pad)
        putc(' ', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '|')
            putc('\\', f);
        putc(s[i], f);
    }
    if (pad)
        putc(' ', f);
    for (size_t i = 0; i <= longest; i++)
        putc('`', f);
}

void textfmt_md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (ispunct((unsigned char)*s) && (unsigned char)*s < 0x80)
            putc('\\', f);
        putc(*s, f);
    }
}
