/* intern.h - string interning: equal strings share one stable copy.
 *
 * Owns: an arena of NUL-terminated string copies and the hash set that finds
 * them.  Each interned string gets a dense id (0, 1, 2, ... in order of first
 * interning), so callers can keep per-string data in plain arrays and compare
 * names by pointer.  Must not: print, exit (except xmalloc's out-of-memory
 * death), or know what the strings mean.
 *
 * Interned pointers stay valid (and never move) until intern_free.
 */
#ifndef CACHESIM_INTERN_H
#define CACHESIM_INTERN_H
#include <stddef.h>
#include <stdint.h>

struct intern;

/* An empty table.  Never NULL (dies on OOM). */
struct intern *intern_new(void);
/* Frees the table and every string it handed out. */
void intern_free(struct intern *in);

/* The interned copy of the len bytes at s (which need not be NUL-terminated
 * and must not contain a NUL byte).  Equal byte strings give the same pointer. */
const char *intern_strn(struct intern *in, const char *s, size_t len);
/* The same for a NUL-terminated string. */
const char *intern_str(struct intern *in, const char *s);

/* The interned copy of s if there is one, else NULL (inserts nothing). */
const char *intern_find(const struct intern *in, const char *s);

/* The dense id of a pointer returned by intern_str/intern_strn (of any table:
 * the id is stored next to the string).  Undefined for other pointers. */
uint32_t intern_id(const char *interned);
/* Length of an interned string (O(1)). */
size_t intern_len(const char *interned);

/* Number of distinct strings interned so far; ids are 0 .. count-1. */
size_t intern_count(const struct intern *in);
/* The string with the given id (id < intern_count). */
const char *intern_get(const struct intern *in, uint32_t id);

/* The hash function the table uses, exposed so that other tables (profile
 * cells) mix keys the same cheap way. */
uint64_t intern_hash(const void *data, size_t len);
static inline uint64_t intern_mix(uint64_t x)
{
    /* splitmix64's finaliser: cheap, and every input bit reaches every output bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
#endif
