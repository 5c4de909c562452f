/* intern.c - see intern.h.
 *
 * Strings live in arena blocks, each preceded by a small header (id, length,
 * hash), so intern_id()/intern_len() are one subtraction away from the
 * pointer.  The set itself is an open-addressing table of header pointers with
 * linear probing; it is the only thing that is ever reallocated, so string
 * pointers never move.  Must not print or exit (beyond xmalloc's OOM death).
 */
#include "core/base/intern.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"

struct istr {
    uint64_t hash;
    uint64_t len;
    uint32_t id;
    uint32_t pad;     /* keeps s[] 8-byte aligned */
    char s[];
};

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char mem[];
};

struct intern {
    struct istr **tab;    /* hash set, capacity tab_cap (power of two) */
    size_t tab_cap;
    struct istr **by_id;  /* id -> string */
    size_t n, by_id_cap;
    struct arena_block *blocks;
};

uint64_t intern_hash(const void *data, size_t len)
{
    /* Eight bytes at a time, each word mixed by a multiply; good enough for
     * file and function names and much faster than byte-wise FNV. */
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ intern_mix(w)) * 0x100000001b3ULL;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, len);
    h ^= intern_mix(w ^ ((uint64_t)len << 56));
    return intern_mix(h);
}

struct intern *intern_new(void)
{
    struct intern *in = xcalloc(1, sizeof *in);
    in->tab_cap = 1024;
    in->tab = xcalloc_now(in->tab_cap, sizeof *in->tab);
    return in;
}

void intern_free(struct intern *in)
{
    if (!in)
        return;
    struct arena_block *b = in->blocks;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(in->tab);
    free(in->by_id);
    free(in);
}

static struct istr *arena_alloc(struct intern *in, size_t len)
{
    size_t need = (offsetof(struct istr, s) + len + 1 + 7) & ~(size_t)7;
    struct arena_block *b = in->blocks;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
        struct arena_block *nb = xmalloc(sizeof *nb + cap);
        nb->used = 0;
        nb->cap = cap;
        if (cap == need && b) {
            /* A big string gets a block of its own, kept behind the current
             * block so the current one's free space is not wasted. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            in->blocks = nb;
        }
        b = nb;
    }
    struct istr *s = (struct istr *)(b->mem + b->used);
    b->used += need;
    return s;
}

static void grow(struct intern *in)
{
    size_t cap = in->tab_cap * 2;
    struct istr **tab = xcalloc_now(cap, sizeof *tab);
    for (size_t i = 0; i < in->tab_cap; i++) {
        struct istr *s = in->tab[i];
        if (!s)
            continue;
        size_t j = s->hash & (cap - 1);
        while (tab[j])
            j = (j + 1) & (cap - 1);
        tab[j] = s;
    }
    free(in->tab);
    in->tab = tab;
    in->tab_cap = cap;
}

const char *intern_strn(struct intern *in, const char *str, size_t len)
{
    uint64_t h = intern_hash(str, len);
    size_t mask = in->tab_cap - 1;
    size_t j = h & mask;
    struct istr *s;
    while ((s = in->tab[j]) != NULL) {
        if (s->hash == h && s->len == len && memcmp(s->s, str, len) == 0)
            return s->s;
        j = (j + 1) & mask;
    }
    s = arena_alloc(in, len);
    s->hash = h;
    s->id = (uint32_t)in->n;
    s->len = len;
    memcpy(s->s, str, len);
    s->s[len] = 0;
    in->tab[j] = s;
    if (in->n == in->by_id_cap) {
        in->by_id_cap = in->by_id_cap ? in->by_id_cap * 2 : 256;
        in->by_id = xrealloc(in->by_id, in->by_id_cap * sizeof *in->by_id);
    }
    in->by_id[in->n++] = s;
    /* Keep the load factor at most 1/2 so probe runs stay short. */
    if (in->n * 2 > in->tab_cap)
        grow(in);
    return s->s;
}

const char *intern_find(const struct intern *in, const char *str)
{
    size_t len = strlen(str);
    uint64_t h = intern_hash(str, len);
    size_t mask = in->tab_cap - 1;
    const struct istr *s;
    for (size_t j = h & mask; (s = in->tab[j]) != NULL; j = (j + 1) & mask)
        if (s->hash == h && s->len == len && memcmp(s->s, str, len) == 0)
            return s->s;
    return NULL;
}

const char *intern_str(struct intern *in, const char *s) { return intern_strn(in, s, strlen(s)); }

static const struct istr *hdr(const char *s)
{
    return (const struct istr *)(const void *)(s - offsetof(struct istr, s));
}

uint32_t intern_id(const char *s) { return hdr(s)->id; }
size_t intern_len(const char *s) { return hdr(s)->len; }
size_t intern_count(const struct intern *in) { return in->n; }
const char *intern_get(const struct intern *in, uint32_t id) { return in->by_id[id]->s; }
