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
/* Instructions in a VEX superblock at most (--vex-guest-max-insns). */
#define VEX_MAX_INSNS 50

/* Where a VEX basic block ends, as the superblock builder sees it. */
enum vex_end {
    VEX_END_NONE = 0, /* falls through to the next instruction */
    VEX_END_OTHER,    /* ret, indirect jump or call, syscall, trap, rep string, ... */
    VEX_END_UNCOND,   /* direct jmp or call: VEX chases into the target */
    VEX_END_COND,     /* conditional branch to two known addresses */
};
enum vex_end vex_end_of(const struct dec_insn *in);

/* Where a superblock would go on after instruction in at addr, whose block
 * end is `end` (vex_end_of): its direct jump's or call's target (VEX chases
 * it), or the next address. */
static inline uint64_t vex_next(const struct dec_insn *in, uint64_t addr, unsigned end)
{
    return end == VEX_END_UNCOND ? in->target : addr + in->len;
}

/* VEX 3.15+ "&&-idiom" recovery: a superblock ending in a conditional branch
 * whose one side is a short block (<= 3 insns, no memory access, nothing that
 * can trap) ending in a conditional branch back into the other side's
 * continuation gets that short block appended, guarded.  Its instructions'
 * IMarks then run every time the superblock ends there, so Cachegrind counts
 * their Ir (and I1 fetches) also when the branch goes the other way.
 * For the conditional branch `in` at addr: returns how many instructions are
 * merged (0: no idiom), their addresses in addrs[], the first of them being
 * where the branch must go for the count to be honest. */
unsigned vex_andand(struct dec *d, const struct dec_insn *in, uint64_t addr,
                    vexdead_read_fn read, void *ctx, uint64_t addrs[3]);
#endif
