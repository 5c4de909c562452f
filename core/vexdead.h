/* vexdead.h - loads that Valgrind's VEX optimizer deletes, so Cachegrind never
 * counts them.
 *
 * VEX translates a superblock (straight-line code, following direct jumps, up
 * to 50 instructions) into IR, removes register writes that a later write of
 * the same guest-state key overwrites unread ("redundant PUT removal"), and
 * then drops loads whose result is no longer used.  Cachegrind instruments what
 * is left, so `mov (%rsi),%eax; mov 8(%rsi),%rax` counts ONE data read.  To give
 * exactly Cachegrind's Dr we decide, once per static load, whether VEX deletes
 * it: scanning forward along the block, every key the load writes must be
 * written whole again before anything reads it, with no block end, side exit
 * (conditional branch), call, or helper that reads all state in between; a
 * load into rsp stays whenever a memory access intervenes (Valgrind keeps rsp
 * exact at memory accesses).
 * Must not: count, or know about engines.
 */
#ifndef CACHESIM_VEXDEAD_H
#define CACHESIM_VEXDEAD_H
#include <stddef.h>
#include <stdint.h>

#include "core/decode.h"

/* Reads up to n bytes of code at addr into buf; returns how many. */
typedef size_t (*vexdead_read_fn)(void *ctx, uint64_t addr, uint8_t *buf, size_t n);

/* 1 if VEX would delete the load `in` (decoded at addr), 0 if it stays. */
int vexdead_load_is_dead(struct dec *d, const struct dec_insn *in, uint64_t addr,
                         vexdead_read_fn read, void *ctx);
#endif
