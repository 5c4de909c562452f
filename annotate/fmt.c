/* fmt.c - see fmt.h.  Small, exact formatting helpers; no layout decisions. */
#include "annotate/fmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/textfmt.h"

/* cg_annotate's f"{n:,d}": the shared rendering. */
size_t fmt_commify(char *dst, int64_t v) { return textfmt_commify(dst, v, 0); }

size_t fmt_perc(char *dst, int64_t v, int64_t total)
{
    /* Python: v * 100 / total, with ints: the product is exact and the true
     * division correctly rounded.  Doubles give the same result whenever both
     * operands are exact in 53 bits; beyond that long double is as close as
     * we can cheaply get. */
    __int128 num = (__int128)v * 100;
    const __int128 lim = (__int128)1 << 53;
    double q;
    if (num > -lim && num < lim && total > -(int64_t)(1LL << 53) && total < (int64_t)(1LL << 53))
        q = (double)(int64_t)num / (double)total;
    else
        q = (double)((long double)num / (long double)total);
    /* "%.1f" without printf: q * 10 is exact in long double (53 + 4 bits of
     * mantissa), and rintl rounds exact ties to even, as printf does; so the
     * digits are the same, at a fraction of the cost. */
    long double x = (long double)q * 10.0L;
    if (!(fabsl(x) < 4e18L)) {
        int n = snprintf(dst, FMT_NUM_MAX, "%.1f", q);
        return n < 0 ? 0 : (size_t)n;
    }
    long long r = (long long)rintl(x);
    unsigned long long a = r < 0 ? 0ULL - (unsigned long long)r : (unsigned long long)r;
    char tmp[32];
    size_t k = sizeof tmp;
    tmp[--k] = (char)('0' + a % 10);
    tmp[--k] = '.';
    a /= 10;
    do {
        tmp[--k] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (signbit(q))
        tmp[--k] = '-'; /* also "-0.0", as printf and Python print it */
    size_t len = sizeof tmp - k;
    memcpy(dst, tmp + k, len);
    dst[len] = 0;
    return len;
}

void fmt_pyfloat(char *dst, double x)
{
    if (isnan(x)) {
        strcpy(dst, "nan");
        return;
    }
    if (isinf(x)) {
        strcpy(dst, x < 0 ? "-inf" : "inf");
        return;
    }
    /* Shortest decimal that reads back as x, as Python's repr does. */
    char buf[40];
    int prec;
    for (prec = 0; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* buf is "[-]d[.ddd]e[+-]XX": collect the digits and the exponent. */
    char digits[24];
    size_t nd = 0;
    const char *s = buf;
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            digits[nd++] = *s;
    int exp = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char *o = dst;
    if (neg)
        *o++ = '-';
    if (exp >= -5 + 1 && exp < 16) {
        /* Fixed notation, always with a fractional part ("1.0"). */
        if (exp < 0) {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -exp - 1; i++)
                *o++ = '0';
            memcpy(o, digits, nd);
            o += nd;
        } else {
            for (int i = 0; i <= exp; i++)
                *o++ = (size_t)i < nd ? digits[i] : '0';
            *o++ = '.';
            if (nd > (size_t)exp + 1) {
                memcpy(o, digits + exp + 1, nd - (size_t)exp - 1);
                o += nd - (size_t)exp - 1;
            } else {
                *o++ = '0';
            }
        }
        *o = 0;
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

size_t fmt_width(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t w = 0;
    while (*s) {
        size_t n = utf8_len(s);
        s += n ? n : 1;
        w++;
    }
    return w;
}

void out_init(struct out *o, FILE *f)
{
    o->f = f;
    o->n = 0;
    o->err = 0;
}

static void out_flush(struct out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
        o->err = 1;
    o->n = 0;
}

void out_put(struct out *o, const char *s, size_t len)
{
    if (o->n + len > sizeof o->buf) {
        out_flush(o);
        if (len > sizeof o->buf) {
            if (fwrite(s, 1, len, o->f) != len)
                o->err = 1;
            return;
        }
    }
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

void out_str(struct out *o, const char *s) { out_put(o, s, strlen(s)); }

void out_fmt(struct out *o, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        out_put(o, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->err = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out_put(o, big, (size_t)n);
    free(big);
}

void out_pad(struct out *o, char c, size_t n)
{
    while (n) {
        if (o->n == sizeof o->buf)
            out_flush(o);
        size_t k = sizeof o->buf - o->n;
        if (k > n)
            k = n;
        memset(o->buf + o->n, c, k);
        o->n += k;
        n -= k;
    }
}

int out_close(struct out *o)
{
    out_flush(o);
    if (fflush(o->f) != 0 || ferror(o->f))
        o->err = 1;
    return o->err ? -1 : 0;
}

void fmt_json_str(struct out *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    out_chr(f, '"');
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            out_chr(f, '\\');
            out_chr(f, (char)c);
            s++;
        } else if (c < 0x20 || c == 0x7f) {
            static const char esc[] = "btnvfr";
            if (c >= 8 && c <= 13 && c != 11)
                out_fmt(f, "\\%c", esc[c - 8]);
            else
                out_fmt(f, "\\u%04x", c);
            s++;
        } else if (c < 0x80) {
            out_chr(f, (char)c);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n) {
                out_put(f, (const char *)s, n);
                s += n;
            } else {
                out_fmt(f, "\\u%04x", c);
                s++;
            }
        }
    }
    out_chr(f, '"');
}
