/* decode.h - the decoder wrapper: x86-64 bytes -> what Cachegrind counts.
 *
 * Owns: turning one instruction's bytes (via Capstone plus our own table for what
 * Capstone 4.0.2 gets wrong or leaves implicit) into its length, control-flow kind,
 * rep kind and the ordered list of data accesses Cachegrind would record for one
 * execution (kind, size, address recipe), and evaluating those recipes against a
 * register state.  Decoding happens once per static instruction; evaluation is the
 * only per-execution part.
 * Must not: know about engines, ptrace, caches, profiles or symbols; print or exit.
 *
 * Counting rules encoded here (Cachegrind's, reference cachegrind.md §3/§6):
 * - accesses are listed in the order VEX issues them (it matters for LRU state);
 * - a load and a store of the same size at the same address in one instruction
 *   (read-modify-write) is one DEC_MODIFY access, which counts as a single Dr;
 *   a locked RMW (lock add, xchg with memory, lock xadd) is a load plus a CAS,
 *   so it is DEC_READ + DEC_MODIFY (Dr=2, Dw=0), like Cachegrind; cmpxchg,
 *   cmpxchg8b/16b are one DEC_MODIFY, locked or not (VEX: a CAS alone);
 * - Cachegrind does not count a load whose value VEX finds dead inside its
 *   superblock; that depends on the surrounding code and is not modelled (it
 *   does not happen in compiled code; docs/decoder.md);
 * - lea, nop with a memory operand and prefetch* touch no data;
 * - push/call write [rsp-8], pop/ret read [rsp], enter/leave their frame slot;
 * - string instructions describe ONE element access (per iteration); the rep
 *   kind tells the engine how many iterations and Ir count (N+1 rule; with a
 *   0x67 prefix the count is ECX; acc[].addr.addr32 is set);
 * - sizes are the VEX access sizes (1..32 bytes; x87 80-bit loads 10, fxsave-like
 *   areas their full size): the consumer clamps to the smallest line size;
 * - AVX2 gathers read every lane: a lane whose mask bit is clear reads 8 or 4
 *   bytes at [rsp] instead (VEX loads from an ITE address), like Cachegrind;
 * - docs/decoder.md lists every rule, the Capstone quirks handled and the VEX
 *   oddities reproduced, with the instruction forms checked against Valgrind;
 * - Valgrind's client-request sequence (16-byte rotate preamble + xchg marker,
 *   19 bytes) decodes as ONE instruction of kind DEC_FLOW_CLREQ, as Cachegrind
 *   counts it.
 */
#ifndef CACHESIM_DECODE_H
#define CACHESIM_DECODE_H
#include <stddef.h>
#include <stdint.h>

#include "core/base/diag.h"

#define DEC_MAX_ACCESSES 40 /* xrstor: 37 (header, x87, MXCSR, 16 xmm, 16 ymm halves) */
#define DEC_MAX_LEN 19      /* a client request is 19 bytes; real insns <= 15 */

/* General-purpose registers, numbered as in the kernel's struct user_regs_struct
 * order-independent: the engine maps them. */
enum dec_reg {
    DEC_REG_NONE = 0,
    DEC_RAX, DEC_RCX, DEC_RDX, DEC_RBX, DEC_RSP, DEC_RBP, DEC_RSI, DEC_RDI,
    DEC_R8, DEC_R9, DEC_R10, DEC_R11, DEC_R12, DEC_R13, DEC_R14, DEC_R15,
    DEC_RIP, /* base of a RIP-relative operand: the NEXT instruction's address */
    DEC_NREGS
};

enum dec_seg { DEC_SEG_NONE = 0, DEC_SEG_FS, DEC_SEG_GS };

enum dec_flow {
    DEC_FLOW_NONE = 0,  /* falls through */
    DEC_FLOW_JMP,       /* direct unconditional jump (target in .target) */
    DEC_FLOW_JCC,       /* direct conditional jump, jrcxz, loop* (target in .target) */
    DEC_FLOW_CALL,      /* direct call */
    DEC_FLOW_JMP_IND,   /* indirect jump (register or memory) */
    DEC_FLOW_CALL_IND,  /* indirect call */
    DEC_FLOW_RET,       /* ret, ret imm16 */
    DEC_FLOW_SYSCALL,   /* syscall */
    DEC_FLOW_CPUID,     /* cpuid: the engine virtualizes it */
    DEC_FLOW_CLREQ,     /* Valgrind client request (19 bytes, RAX -> args, RDX result) */
    DEC_FLOW_RDTSC,     /* rdtsc / rdtscp: virtualized under --deterministic */
    DEC_FLOW_RDRAND,    /* rdrand / rdseed */
    DEC_FLOW_TRAP,      /* int3, ud2, hlt, int N: ends a block, faults natively */
};

enum dec_rep { DEC_REP_NONE = 0, DEC_REP, DEC_REPE, DEC_REPNE };

/* Valgrind's special 19-byte sequences (rotate preamble + one of four markers).
 * All decode as one instruction of length 19, as VEX and Cachegrind see them;
 * natively the whole sequence changes nothing (rdi rotated by 128 bits). */
enum dec_special {
    DEC_SPECIAL_NONE = 0,
    DEC_SPECIAL_CLREQ,        /* xchg rbx,rbx: client request, flow DEC_FLOW_CLREQ */
    DEC_SPECIAL_NRADDR,       /* xchg rcx,rcx: rax = guest_NRADDR (0 unless wrapping);
                                 flow DEC_FLOW_NONE, no access */
    DEC_SPECIAL_CALL_NOREDIR, /* xchg rdx,rdx: call *rax unredirected: VEX writes the
                                 return address at [rsp-8]; flow DEC_FLOW_CALL_IND
                                 (natively no call happens: the engine must emulate) */
    DEC_SPECIAL_INJECT_IR,    /* xchg rdi,rdi: VEX test hook; flow DEC_FLOW_NONE */
};

enum dec_acc_kind { DEC_READ = 1, DEC_WRITE = 2, DEC_MODIFY = 3 /* counted as one Dr */ };

/* How to form one access's address:  seg_base + base + index*scale + disp
 * (+ rip_next for DEC_RIP), evaluated with the register values BEFORE the
 * instruction executes, except where a recipe says otherwise:
 * - vsib: index is vector register `vindex` lane `lane` (dword or qword lanes); if
 *   lane `lane` of the mask register `vmask` (lanes as wide as the access) has its
 *   sign bit clear, the access still happens, at [rsp] (VEX's gather loads from
 *   rsp for disabled lanes; Cachegrind counts those reads);
 * - masked (vmaskmov/vpmaskmov): access happens only if lane `lane` of `vmask`
 *   (lanes as wide as the access) has its sign bit set;
 * - bitreg (bt/bts/btr/btc with a register bit offset): add the register's value,
 *   sign-extended from `bitsize` bytes (or first masked to bitsize*8-1 if
 *   `bitmask`), arithmetically shifted right by 3; added after addr32 and seg;
 * - idx_al (xlat): add AL zero-extended, instead of index*scale;
 * - rfbm (xsave/xrstor): the access happens only if (EAX & rfbm) != 0;
 * - addr32: the sum wraps to 32 bits before the segment base is added;
 * - an rsp-relative memory operand of `pop` already has the +8 folded into disp. */
struct dec_addr {
    uint8_t seg;      /* enum dec_seg */
    uint8_t base;     /* enum dec_reg */
    uint8_t index;    /* enum dec_reg, DEC_REG_NONE if none */
    uint8_t scale;    /* 1, 2, 4, 8 */
    int64_t disp;
    uint8_t vsib;     /* 1: index is vector reg vindex (ymm/xmm number) */
    uint8_t vindex;
    uint8_t vindex_q; /* vsib lanes are 64-bit */
    uint8_t masked;   /* 1: guarded by lane `lane` sign bit of vector reg vmask */
    uint8_t vmask;
    uint8_t lane;
    uint8_t addr32;   /* 0x67 prefix: address wraps to 32 bits */
    uint8_t bitreg;   /* enum dec_reg: bt* bit-offset register, DEC_REG_NONE if none */
    uint8_t bitsize;  /* its operand size in bytes (2, 4, 8) */
    uint8_t bitmask;  /* 1: offset masked to bitsize*8-1 first (register-operand form) */
    uint8_t idx_al;   /* 1: add AL zero-extended (xlat) */
    uint8_t rfbm;     /* nonzero: happens only if (EAX & rfbm) != 0 (xsave/xrstor) */
};

struct dec_access {
    uint8_t kind; /* enum dec_acc_kind */
    uint8_t size; /* bytes, before clamping */
    struct dec_addr addr;
};

struct dec_insn {
    uint8_t len;       /* bytes (1..15, 19 for a client request) */
    uint8_t flow;      /* enum dec_flow */
    uint8_t rep;       /* enum dec_rep (string instructions only) */
    uint8_t n_acc;
    uint8_t needs_vregs; /* some access needs vector register values (vsib/masked) */
    uint8_t str_size;  /* string insns: element size; 0 for others */
    uint8_t special;   /* enum dec_special: Valgrind's 19-byte sequences */
    uint64_t target;   /* direct branch target, else 0 */
    /* Register effects, for VEX's dead-load elimination (core/vexdead.h).  Bits
     * are VEX guest-state "keys": DEC_FX_GPR(r) a whole 64-bit GPR (written
     * whole by 64- and 32-bit destinations), DEC_FX_V128(v) the low 128 bits of
     * vector register v, DEC_FX_V256(v) all of it, DEC_FX_FLAGS the flags
     * thunk.  fx_read: keys read (any part); fx_write: keys written whole and
     * not read; fx_partial: some register or flag written only in part. */
    uint64_t fx_read, fx_write;
    uint8_t fx_partial;
    uint8_t fx_barrier; /* may read all guest state (dirty helpers) or ends a VEX block */
    uint8_t fx_load;    /* one plain read whose only results are fx_write keys */
    /* For a binary translator (core/dbt.h): the general-purpose registers the
     * instruction touches, explicitly or implicitly (bit DEC_FX_GPR(r)), and
     * the offset of its RIP-relative disp32 in the bytes (0: none).  Valid only
     * if `copyable` (Capstone reported every register access). */
    uint32_t gprs;
    uint8_t rip_disp;
    uint8_t copyable;
    /* The arithmetic flags, for a translator whose own code clobbers them:
     * flags_read, the instruction may read them (Capstone's table, or a
     * mnemonic known to read them in case the table misses one: a wrong "no"
     * would change what the program computes); flags_set, every execution
     * of it sets all six, whatever its operands. */
    uint8_t flags_read, flags_set;
    /* After the fixed part, so that a copy may keep only the first n_acc
     * entries (DEC_INSN_SIZE). */
    struct dec_access acc[DEC_MAX_ACCESSES];
    /* Only in a whole struct, not in such a copy: nothing kept needs it. */
    char text[64];     /* "mnemonic operands", for messages */
};

#define DEC_FX_GPR(r) (1ull << ((r) - 1))      /* r: enum dec_reg, RAX..R15 */
#define DEC_FX_V128(v) (1ull << (16 + (v)))    /* v: 0..15 */
#define DEC_FX_V256(v) (1ull << (32 + (v)))
#define DEC_FX_FLAGS (1ull << 48)
/* Bytes of a struct dec_insn holding only its first n accesses (and no text). */
#define DEC_INSN_SIZE(n) (offsetof(struct dec_insn, acc) + (size_t)(n) * sizeof(struct dec_access))

struct dec;

/* A decoder instance (owns the Capstone handle).  NULL on failure (message in e). */
struct dec *dec_new(struct diag_err *e);
void dec_free(struct dec *d);

/* Decodes the instruction at address `addr` whose bytes are code[0..avail).
 * 0 on success; -1 if undecodable (message in e names the address and the bytes,
 * and a hint: e.g. AVX-512 needs --cpuid=masked or a newer Capstone).  Only
 * the first DEC_INSN_SIZE(out->n_acc) bytes of *out and its text up to the
 * terminator are defined (the accesses it does not have are left as they were). */
int dec_decode(struct dec *d, const uint8_t *code, size_t avail, uint64_t addr,
               struct dec_insn *out, struct diag_err *e);

/* Register state for evaluating recipes. */
struct dec_regs {
    uint64_t gpr[DEC_NREGS]; /* indexed by enum dec_reg; gpr[DEC_RIP] = insn address */
    uint64_t fs_base, gs_base;
    const uint8_t *vregs;    /* 16 (or 32) ymm registers, 32 bytes each, or NULL */
};

/* Evaluates access i of insn at register state r.  Returns 1 and sets *addr if the
 * access happens, 0 if a guard (mask lane, xsave component bit) suppresses it.
 * r->vregs must be set when insn->needs_vregs; if it is NULL, lane-dependent
 * accesses are reported as not happening. */
int dec_eval(const struct dec_insn *insn, unsigned i, const struct dec_regs *r, uint64_t *addr);

/* The byte offset a bt-family access adds for bit-offset register value raw
 * (m->bitreg set): what dec_eval adds, for an engine that records raw. */
uint64_t dec_bit_offset(const struct dec_addr *m, uint64_t raw);

/* Capstone's version as "major.minor" (for --version and messages). */
const char *dec_capstone_version(void);

/* Keeps decodes across runs (core/dcache.h): d's decodes are looked up in,
 * and new ones added to, the store of this build of cachesim on this CPU.
 * Decodes are the same either way; only their time changes.  Returns -1
 * (and d goes on without one) when there is no usable cache directory. */
int dec_store_open(struct dec *d);
/* The store's pages given back to the page cache (dcache_trim): for an
 * engine whose start is over, so they are not in its peak memory. */
void dec_store_trim(struct dec *d);
/* Writes the store back if the run added enough to it and fills *st with
 * what the run asked of it.  Returns 0 (st untouched) if d had none.
 * dec_free closes it too, without the statistics. */
struct dcache_stats;
int dec_store_close(struct dec *d, struct dcache_stats *st);
/* 1 if the linked Capstone decodes AVX-512 (EVEX) instructions reliably. */
int dec_has_avx512(void);

#endif
