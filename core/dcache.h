/* dcache.h - a store of decodes that outlives the run: what the translator
 * decoded once, the next run (of any program, with this same build of
 * cachesim on this same CPU) finds instead of decoding it again.
 *
 * Why: the start of a run is mostly translation, and a third of that is
 * decoding (Capstone and what we derive from it): tens of milliseconds for
 * the dynamic loader and libc alone, paid again by every run of a CI job's
 * benchmarks (docs/performance.md).  With ASLR off (cachesim's default) the
 * same code is at the same address run after run.
 *
 * Owns: one file per build identity (the caller's 64-bit number, which must
 * change whenever what a decode yields could) in the cache directory:
 * $CACHESIM_CACHE_DIR, else $XDG_CACHE_HOME/cachesim, else
 * $HOME/.cache/cachesim.  Entries are keyed by an address and the code bytes
 * there (the caller's key, up to DCACHE_KEY_MAX bytes); their values are
 * opaque blobs, each checked against its own checksum when read.  The file
 * is read through a read-only mapping and replaced whole (a new file renamed
 * over it) when a run learned enough, so runs at once never see half a file.
 * Must not: fail or print.  Any trouble (no directory, no space, a damaged or
 * foreign file, another build's file) makes the store empty or leaves it
 * unwritten: decoding then takes its usual time, and counts are never
 * affected (a blob is only used for exactly the key it was stored under).
 */
#ifndef CACHESIM_CORE_DCACHE_H
#define CACHESIM_CORE_DCACHE_H
#include <stddef.h>
#include <stdint.h>

#define DCACHE_KEY_MAX 19u
#define DCACHE_BLOB_MAX 4096u

struct dcache;

/* The store of build identity `build`, or NULL when the directory cannot be
 * found or made (nothing is stored then). */
struct dcache *dcache_open(uint64_t build);

/* The blob stored for addr with exactly these n_key key bytes, or NULL;
 * *len its length.  Valid until the next dcache_get or dcache_close. */
const void *dcache_get(struct dcache *c, uint64_t addr, const uint8_t *key, unsigned n_key,
                       size_t *len);

/* Remembers a blob (len <= DCACHE_BLOB_MAX) for addr and key, to be written
 * at dcache_close. */
void dcache_put(struct dcache *c, uint64_t addr, const uint8_t *key, unsigned n_key,
                const void *blob, size_t len);

/* Gives back the memory the mapping's pages hold (they stay in the page
 * cache): for a caller whose start, where most lookups are, is over; from
 * then on that happens every 2,048 lookups (before, every 16,384), and a
 * lookup maps only the pages it reads; only the first call does anything.
 * NULL is allowed. */
void dcache_trim(struct dcache *c);

/* What the run did with it, for -v. */
struct dcache_stats {
    char path[4096]; /* the store's file */
    uint64_t asked, found, added;
    int written; /* the file was replaced */
};

/* Writes the file back if this run added enough to it (at least 256 entries
 * and a sixteenth of what it held), fills *st if not NULL, frees c.  NULL is
 * allowed. */
void dcache_close(struct dcache *c, struct dcache_stats *st);

/* A 64-bit FNV-1a hash of n bytes, continuing from h (start: DCACHE_HASH0),
 * for callers that make a build identity. */
#define DCACHE_HASH0 0xcbf29ce484222325ull
uint64_t dcache_hash(uint64_t h, const void *p, size_t n);

/* h continued with a file's identity: device, inode, size, modification
 * time (a file rewritten or replaced differs). */
struct stat;
uint64_t dcache_file_hash(uint64_t h, const struct stat *st);
/* h continued with the identity of this cachesim executable (any rebuild
 * differs), or 0 if it cannot be read.  Whatever a store keeps that this
 * build's code derived must be keyed by it. */
uint64_t dcache_exe_hash(uint64_t h);

/* The cache directory (see above) into out, made if missing: 0, or -1 if
 * there is none (no variable set, a path too long, mkdir failed). */
int dcache_dir(char *out, size_t n);

/* Unlinks the files of dir named prefix*.bin or prefix*.tmp, other than
 * keep (a name, or NULL), that were not written for DCACHE_STALE_SECONDS:
 * other builds' stores, and temporary files a killed run left. */
#define DCACHE_STALE_SECONDS (24 * 3600)
void dcache_remove_stale(const char *dir, const char *prefix, const char *keep);
#endif
