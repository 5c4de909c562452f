/* gate.c - see gate.h.  Every comparison is done on exact integers:
 * "delta > P% of |old|" becomes delta * 100 * 10^6 > P_millionths * |old|,
 * which fits easily in 128 bits for 64-bit counts. */
#include "core/base/gate.h"

#include <stdio.h>
#include <string.h>

#include "core/base/textfmt.h"

#define PERCENT_MAX_MILLIONTHS (1000000000LL * 1000000LL) /* 10^9 percent */

/* Parses the digits in [s, end) with at most max_frac fraction digits into
 * value * 10^max_frac.  Returns 0, or -1 when malformed or above limit. */
static int parse_decimal(const char *s, const char *end, int max_frac, int64_t limit, int64_t *out)
{
    int64_t v = 0;
    int seen_digit = 0, frac = -1;
    for (; s < end; s++) {
        if (*s == '.' && frac < 0 && max_frac > 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        if (frac >= 0 && ++frac > max_frac)
            return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
            return -1;
        seen_digit = 1;
    }
    if (!seen_digit)
        return -1;
    for (int i = frac < 0 ? 0 : frac; i < max_frac; i++)
        if (__builtin_mul_overflow(v, 10, &v))
            return -1;
    if (v > limit)
        return -1;
    *out = v;
    return 0;
}

int gate_parse(const char *spec, struct gate_limit *out, struct diag_err *e)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return diag_set(e, "invalid limit '%s': expected EVENT=N or EVENT=PERCENT%%", spec);
    size_t elen = (size_t)(eq - spec);
    if (elen == 0)
        return diag_set(e, "invalid limit '%s': no event name before '='", spec);
    if (elen >= GATE_EVENT_MAX)
        return diag_set(e, "invalid limit '%s': event name too long", spec);
    memcpy(out->event, spec, elen);
    out->event[elen] = 0;
    const char *v = eq + 1, *end = v + strlen(v);
    if (end > v && end[-1] == '%') {
        out->kind = GATE_PERCENT;
        if (parse_decimal(v, end - 1, 6, PERCENT_MAX_MILLIONTHS, &out->value) < 0)
            return diag_set(e,
                            "invalid limit '%s': the percentage must be a number from 0 to "
                            "1000000000 with at most 6 decimals",
                            spec);
    } else {
        out->kind = GATE_ABSOLUTE;
        if (parse_decimal(v, end, 0, INT64_MAX, &out->value) < 0)
            return diag_set(e,
                            "invalid limit '%s': expected a count (a whole number >= 0) or a "
                            "percentage such as 1%%",
                            spec);
    }
    return 0;
}

int gate_exceeded(const struct gate_limit *l, int64_t old, int64_t new_)
{
    __int128 delta = (__int128)new_ - old;
    if (delta <= 0)
        return 0; /* only growth fails */
    if (l->kind == GATE_ABSOLUTE)
        return delta > l->value;
    __int128 mag = old < 0 ? -(__int128)old : (__int128)old;
    return delta * 100 * 1000000 > (__int128)l->value * mag;
}

int gate_percent(int64_t old, int64_t new_, int64_t *out)
{
    *out = 0;
    if (old == 0)
        return -1;
    __int128 delta = (__int128)new_ - old;
    __int128 mag = old < 0 ? -(__int128)old : (__int128)old;
    __int128 num = delta * 10000; /* hundredths of a percent: x 100 x 100 */
    __int128 q = (num < 0 ? -num : num), r;
    r = q % mag;
    q /= mag;
    if (2 * r >= mag)
        q++; /* halves away from zero */
    if (num < 0)
        q = -q;
    *out = q > INT64_MAX ? INT64_MAX : q < INT64_MIN ? INT64_MIN : (int64_t)q;
    return 0;
}

void gate_format(const struct gate_limit *l, char *dst, unsigned long size)
{
    char num[TEXTFMT_NUM_MAX];
    if (l->kind == GATE_ABSOLUTE)
        snprintf(dst, size, "%lld", (long long)l->value);
    else
        snprintf(dst, size, "%s%%", (textfmt_millionths(num, l->value), num));
}
