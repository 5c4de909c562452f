/* decode_tab.h - the decoder's own rule table, keyed by Capstone instruction id
 * (private to core/decode.c).
 *
 * Owns: for every x86 instruction whose data accesses Capstone reports wrongly
 * or not at all, how VEX (and so Cachegrind) accesses memory.  Instructions not
 * listed have only their explicit memory operand, read if it is a source.
 * Must not: depend on anything but Capstone's instruction ids.
 */
#ifndef CACHESIM_DECODE_TAB_H
#define CACHESIM_DECODE_TAB_H
#include <stdint.h>

#include <capstone/capstone.h>

/* Capstone 4 calls ud1 "ud2b"; 5 renamed it. */
#if CS_API_MAJOR >= 5
#define TAB_INS_UD1 X86_INS_UD1
#else
#define TAB_INS_UD1 X86_INS_UD2B
#endif

enum tab_kind {
    TAB_DEFAULT = 0, /* explicit operand; `access` says what operand 0 in memory means */
    TAB_NONE,        /* no data access at all (lea, nop, prefetch*, clflush ...) */
    TAB_PUSH, TAB_POP, TAB_PUSHF, TAB_POPF, TAB_CALL, TAB_RET, TAB_FARRET, TAB_IRET,
    TAB_LEAVE, TAB_ENTER,
    TAB_MOVS, TAB_CMPS, TAB_STOS, TAB_LODS, TAB_SCAS, TAB_INS, TAB_OUTS,
    TAB_XCHG,        /* load + CAS whatever the prefix */
    TAB_XADD,        /* modify; locked: load + CAS */
    TAB_CAS,         /* cmpxchg*: one modify whatever the prefix; size if nonzero */
    TAB_BT,          /* bt, bts, btr, btc */
    TAB_FXSAVE, TAB_FXRSTOR, TAB_XSAVE, TAB_XRSTOR,
    TAB_VMASKMOV,    /* size = lane bytes */
    TAB_GATHER,      /* size = element bytes, size2 = index lane bytes */
    TAB_MASKMOV,     /* implicit [rdi] modify of `size` bytes */
    TAB_XLAT,
    TAB_FPENV,       /* x87 environment/state image: access, size (size2 with 0x66) */
    TAB_LANES,       /* VEX loads the source lane by lane: `size`-byte loads
                        covering the operand, in ascending order */
    TAB_MOVDDUP,     /* vmovddup ymm, m256: 8 bytes at +0 and +16 */
    TAB_VPERM2,      /* vperm2f128/vperm2i128: only the 16-byte halves the
                        immediate selects (VEX drops the unused load) */
    TAB_PUNPCKL,     /* punpckl{bw,wd,dq} mm, m32: VEX loads 8 bytes (Capstone 5
                        says 4, Capstone 4 says 8); xmm forms as Capstone says */
};

struct tab_rule {
    uint16_t id;     /* Capstone X86_INS_* */
    uint8_t kind;    /* enum tab_kind */
    uint8_t access;  /* TAB_DEFAULT/TAB_FPENV: DEC_READ/WRITE/MODIFY for a memory
                        operand 0; 0 = use Capstone's access bits */
    uint8_t size;    /* access size override in bytes, 0 = Capstone's operand size;
                        TAB_PUSHF/POPF: bytes; TAB_FARRET: number of 8-byte pops */
    uint8_t size2;   /* see enum tab_kind */
};

/* The rule for a Capstone instruction id, or NULL if it has none. */
const struct tab_rule *tab_lookup(unsigned id);
/* Rule for the SSE meaning of an id Capstone shares with a string instruction
 * (movsd, cmpsd), or NULL. */
const struct tab_rule *tab_lookup_sse(unsigned id);
/* Element size of a string instruction id (1, 2, 4, 8). */
unsigned tab_string_size(unsigned id);
int tab_is_string(int kind);

#endif
