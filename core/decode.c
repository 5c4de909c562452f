/* decode.c - x86-64 bytes -> length, control flow and the data accesses
 * Cachegrind records for one execution of the instruction (see decode.h).
 *
 * Owns: the Capstone handle, our own per-instruction rule table (Capstone's
 * access bits are wrong too often to be trusted: stores reported as reads, RMW
 * reported as reads, implicit stack and string accesses missing), the
 * translation of each rule into VEX's access sequence, and recipe evaluation.
 * Must not: print, exit, know about engines or caches.
 *
 * How an instruction is described:
 *  1. Valgrind's 19-byte special sequences are recognised before Capstone sees
 *     the bytes (VEX does the same, it counts them as one instruction).
 *  2. Capstone gives length, operands (with sizes) and the mnemonic id.
 *  3. Instructions with implicit or unusual accesses (stack, strings, bt*,
 *     xchg/xadd/cmpxchg, x87 environment, fxsave/xsave, masked moves, gathers)
 *     have their own builder below, written after VEX's translation in
 *     guest_amd64_toIR.c (read, never copied).
 *  4. Every other instruction has at most one explicit memory operand.  If it is
 *     not operand 0 (Intel order) it is a source: one READ.  If it is operand 0
 *     it is the destination, and our table says whether the instruction stores
 *     (WRITE), updates (MODIFY; with lock: READ then MODIFY, VEX's load + CAS),
 *     only reads it (cmp, test, push, x87 loads ...), or touches nothing (lea,
 *     nop, prefetch*, clflush).  Only for ids missing from the table do we fall
 *     back on Capstone's access bits.
 * Every deliberate Cachegrind/VEX compatibility choice is marked "VEX:".
 */
#include "core/decode.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dcache.h"
#include "core/decode_tab.h"

/* A decode is a function of the address and the bytes at it (up to the
 * longest sequence recognised: Valgrind's 19-byte ones), and translating
 * decodes most instructions twice (VEX's look-ahead in vexdead.c, then the
 * instruction itself): a direct-mapped cache of recent decodes, checked
 * against those bytes, halves Capstone's share of start-up. */
#define DEC_CACHE_N 2048u
#define DEC_CACHE_ACC 2u /* instructions with more accesses are not kept */
#define DEC_KEY_MAX 19u
struct dec_cached {
    uint8_t n_key; /* 0: empty */
    uint8_t key[DEC_KEY_MAX];
    char text[sizeof ((struct dec_insn *)0)->text];
    unsigned char insn[DEC_INSN_SIZE(DEC_CACHE_ACC)];
};

struct dec {
    csh cs;
    cs_insn *ci;
    struct dcache *store; /* decodes kept across runs (dec_store_open), or NULL */
    struct dec_cached *cache; /* DEC_CACHE_N entries, or NULL */
    /* The address of each entry, apart: most decodes are of an instruction
     * not seen yet, and a probe of the 458 KB of entries missed the CPU's
     * caches (a fifth of this file's time at start-up). */
    uint64_t cache_addr[DEC_CACHE_N];
};

/* ---------------------------------------------------------------- registers */

/* Capstone general-purpose register (any width) -> enum dec_reg. */
static uint8_t gpr_of(unsigned r)
{
    switch (r) {
    case X86_REG_RAX: case X86_REG_EAX: case X86_REG_AX: case X86_REG_AL: case X86_REG_AH: return DEC_RAX;
    case X86_REG_RCX: case X86_REG_ECX: case X86_REG_CX: case X86_REG_CL: case X86_REG_CH: return DEC_RCX;
    case X86_REG_RDX: case X86_REG_EDX: case X86_REG_DX: case X86_REG_DL: case X86_REG_DH: return DEC_RDX;
    case X86_REG_RBX: case X86_REG_EBX: case X86_REG_BX: case X86_REG_BL: case X86_REG_BH: return DEC_RBX;
    case X86_REG_RSP: case X86_REG_ESP: case X86_REG_SP: case X86_REG_SPL: return DEC_RSP;
    case X86_REG_RBP: case X86_REG_EBP: case X86_REG_BP: case X86_REG_BPL: return DEC_RBP;
    case X86_REG_RSI: case X86_REG_ESI: case X86_REG_SI: case X86_REG_SIL: return DEC_RSI;
    case X86_REG_RDI: case X86_REG_EDI: case X86_REG_DI: case X86_REG_DIL: return DEC_RDI;
    case X86_REG_R8: case X86_REG_R8D: case X86_REG_R8W: case X86_REG_R8B: return DEC_R8;
    case X86_REG_R9: case X86_REG_R9D: case X86_REG_R9W: case X86_REG_R9B: return DEC_R9;
    case X86_REG_R10: case X86_REG_R10D: case X86_REG_R10W: case X86_REG_R10B: return DEC_R10;
    case X86_REG_R11: case X86_REG_R11D: case X86_REG_R11W: case X86_REG_R11B: return DEC_R11;
    case X86_REG_R12: case X86_REG_R12D: case X86_REG_R12W: case X86_REG_R12B: return DEC_R12;
    case X86_REG_R13: case X86_REG_R13D: case X86_REG_R13W: case X86_REG_R13B: return DEC_R13;
    case X86_REG_R14: case X86_REG_R14D: case X86_REG_R14W: case X86_REG_R14B: return DEC_R14;
    case X86_REG_R15: case X86_REG_R15D: case X86_REG_R15W: case X86_REG_R15B: return DEC_R15;
    case X86_REG_RIP: case X86_REG_EIP: return DEC_RIP;
    default: return DEC_REG_NONE;
    }
}

/* Capstone xmm/ymm/zmm register -> its number and width in bytes; -1 if not one. */
static int vreg_of(unsigned r, int *width)
{
    if (r >= X86_REG_XMM0 && r <= X86_REG_XMM31) {
        *width = 16;
        return (int)(r - X86_REG_XMM0);
    }
    if (r >= X86_REG_YMM0 && r <= X86_REG_YMM31) {
        *width = 32;
        return (int)(r - X86_REG_YMM0);
    }
    if (r >= X86_REG_ZMM0 && r <= X86_REG_ZMM31) {
        *width = 64;
        return (int)(r - X86_REG_ZMM0);
    }
    return -1;
}

/* ------------------------------------------------------------ access lists */

/* The instruction being built, plus what the builders need from Capstone. */
struct build {
    struct dec_insn *out;
    const uint8_t *code;  /* the instruction's bytes */
    const cs_insn *ci;
    const cs_x86 *x;
    int mem;          /* index of the (first) memory operand, -1 if none */
    int locked;       /* lock prefix */
    int opsize66;     /* 0x66 operand-size prefix */
    int addr32;       /* 0x67 address-size prefix */
    int overflow;     /* more than DEC_MAX_ACCESSES (a table bug; reported) */
};

static struct dec_access *add(struct build *b, int kind, unsigned size, const struct dec_addr *a)
{
    if (b->out->n_acc >= DEC_MAX_ACCESSES) {
        b->overflow = 1;
        return NULL;
    }
    struct dec_access *acc = &b->out->acc[b->out->n_acc++];
    memset(acc, 0, sizeof *acc); /* dec_decode zeroes only the first */
    acc->kind = (uint8_t)kind;
    acc->size = (uint8_t)size;
    acc->addr = *a;
    return acc;
}

/* Recipe of an explicit memory operand. */
static struct dec_addr mem_addr(const struct build *b, const cs_x86_op *op)
{
    struct dec_addr a;
    memset(&a, 0, sizeof a);
    a.seg = op->mem.segment == X86_REG_FS ? DEC_SEG_FS
          : op->mem.segment == X86_REG_GS ? DEC_SEG_GS : DEC_SEG_NONE;
    a.base = gpr_of(op->mem.base);
    a.index = gpr_of(op->mem.index);
    a.scale = (uint8_t)(op->mem.scale ? op->mem.scale : 1);
    a.disp = op->mem.disp;
    a.addr32 = (uint8_t)b->addr32;
    return a;
}

/* Recipe [reg + disp] for implicit operands (stack, strings). */
static struct dec_addr reg_addr(const struct build *b, unsigned reg, int64_t disp)
{
    struct dec_addr a;
    memset(&a, 0, sizeof a);
    a.base = (uint8_t)reg;
    a.scale = 1;
    a.disp = disp;
    a.addr32 = (uint8_t)b->addr32;
    return a;
}

static struct dec_addr stack_addr(int64_t disp)
{
    struct dec_addr a;
    memset(&a, 0, sizeof a);
    a.base = DEC_RSP;
    a.scale = 1;
    a.disp = disp;
    return a;
}

static const cs_x86_op *memop(const struct build *b)
{
    return b->mem >= 0 ? &b->x->operands[b->mem] : NULL;
}

/* The explicit memory operand as READ / WRITE / MODIFY; a locked MODIFY is a
 * load followed by a CAS, which Cachegrind records as Dr then Dm. */
static void explicit_access(struct build *b, int kind, unsigned size)
{
    struct dec_addr a = mem_addr(b, memop(b));
    if (kind == DEC_MODIFY && b->locked)
        add(b, DEC_READ, size, &a); /* VEX: lock = load + casLE (Cachegrind: Dr=2) */
    add(b, kind, size, &a);
}

/* ---------------------------------------------------------------- builders */

static unsigned opsize(const struct build *b, unsigned deflt)
{
    const cs_x86_op *m = memop(b);
    if (m && m->size)
        return m->size;
    return deflt;
}

/* Bytes push/pop move: 8, or 2 with a 16-bit operand (0x66, or a 16-bit
 * register).  Segment registers take a full slot (zero-extended) unless 0x66. */
static unsigned stack_slot(const struct build *b)
{
    const cs_x86 *x = b->x;
    if (b->opsize66)
        return 2;
    if (x->op_count >= 1 && x->operands[0].type == X86_OP_REG && x->operands[0].size == 2 &&
        gpr_of(x->operands[0].reg) != DEC_REG_NONE)
        return 2;
    return 8;
}

/* push: [rsp-size] written; push [m] reads m first (old rsp). */
static void build_push(struct build *b)
{
    unsigned size = stack_slot(b);
    if (b->mem >= 0) {
        size = opsize(b, size);
        struct dec_addr m = mem_addr(b, memop(b));
        add(b, DEC_READ, size, &m);
    }
    struct dec_addr s = stack_addr(-(int64_t)size);
    add(b, DEC_WRITE, size, &s);
}

/* pop: [rsp] read; pop [m] writes m computed with rsp already incremented. */
static void build_pop(struct build *b)
{
    unsigned size = stack_slot(b);
    if (b->mem >= 0)
        size = opsize(b, size);
    struct dec_addr s = stack_addr(0);
    add(b, DEC_READ, size, &s);
    if (b->mem >= 0) {
        struct dec_addr m = mem_addr(b, memop(b));
        if (m.base == DEC_RSP)
            m.disp += size; /* VEX: the address is formed after rsp += size */
        add(b, DEC_WRITE, size, &m);
    }
}

/* Element size of a string instruction from its bytes: Capstone 4.0.2 drops a
 * 0x66 prefix that precedes f3 (gas writes `rep stosw` as 66 f3 ab and Capstone
 * says "rep stosd"), so the id cannot be trusted for the size. */
static unsigned string_size(const struct build *b)
{
    int p66 = 0, w = 0;
    for (unsigned i = 0; i < b->ci->size; i++) {
        uint8_t c = b->code[i];
        if (c == 0x66)
            p66 = 1;
        else if (c == 0x67 || c == 0xF2 || c == 0xF3 || c == 0xF0 || c == 0x2E || c == 0x36 ||
                 c == 0x3E || c == 0x26 || c == 0x64 || c == 0x65)
            continue;
        else if ((c & 0xF0) == 0x40)
            w = (c & 8) != 0;
        else if (c & 1) /* opcode: even = byte form */
            return w ? 8 : p66 ? 2 : 4;
        else
            return 1;
    }
    return tab_string_size(b->ci->id);
}

/* String instructions: one element.  VEX order: movs load [rsi] then store
 * [rdi]; cmps loads [rdi] before [rsi]. */
static void build_string(struct build *b, int kind)
{
    unsigned size = string_size(b);
    struct dec_addr si = reg_addr(b, DEC_RSI, 0), di = reg_addr(b, DEC_RDI, 0);
    /* A segment override applies to the rsi operand only (es:[rdi] is fixed). */
    for (int i = 0; i < b->x->op_count; i++) {
        const cs_x86_op *op = &b->x->operands[i];
        if (op->type == X86_OP_MEM && gpr_of(op->mem.base) == DEC_RSI)
            si.seg = mem_addr(b, op).seg;
    }
    b->out->str_size = (uint8_t)size;
    switch (kind) {
    case TAB_MOVS:
        add(b, DEC_READ, size, &si);
        add(b, DEC_WRITE, size, &di);
        break;
    case TAB_CMPS:
        add(b, DEC_READ, size, &di); /* VEX: (rdi) is loaded first */
        add(b, DEC_READ, size, &si);
        break;
    case TAB_STOS: case TAB_INS:
        add(b, DEC_WRITE, size, &di);
        break;
    case TAB_LODS: case TAB_OUTS:
        add(b, DEC_READ, size, &si);
        break;
    case TAB_SCAS:
        add(b, DEC_READ, size, &di);
        break;
    }
}

/* bt/bts/btr/btc. */
static void build_bt(struct build *b)
{
    const cs_x86 *x = b->x;
    int writes = b->ci->id != X86_INS_BT;
    const cs_x86_op *dst = &x->operands[0], *src = &x->operands[1];
    unsigned size = dst->size;
    if (src->type == X86_OP_IMM) {
        /* VEX: an immediate bit offset is masked to the operand width; the whole
         * operand is loaded (and stored back). */
        if (dst->type == X86_OP_MEM)
            explicit_access(b, writes ? DEC_MODIFY : DEC_READ, size);
        return;
    }
    if (dst->type == X86_OP_MEM) {
        /* VEX: one byte at m + (sign-extended offset >> 3). */
        struct dec_addr a = mem_addr(b, dst);
        a.bitreg = gpr_of(src->reg);
        a.bitsize = (uint8_t)size;
        if (writes && b->locked)
            add(b, DEC_READ, 1, &a);
        add(b, writes ? DEC_MODIFY : DEC_READ, 1, &a);
        return;
    }
    /* VEX: register destination.  The register is stored below the red zone
     * at rsp-288, the byte is tested (and updated) there, and bts/btr/btc load
     * the register back: the "bt* reg,reg counts data accesses" quirk. */
    struct dec_addr slot = stack_addr(-288);
    add(b, DEC_WRITE, size, &slot);
    struct dec_addr bit = slot;
    bit.bitreg = gpr_of(src->reg);
    bit.bitsize = (uint8_t)size;
    bit.bitmask = 1;
    add(b, writes ? DEC_MODIFY : DEC_READ, 1, &bit);
    if (writes)
        add(b, DEC_READ, size, &slot);
}

/* fxsave/fxrstor/xsave/xrstor, as VEX's XSAVE/XRSTOR sequences.  `rfbm` 0
 * means the fx* forms (components 0 and 1, unconditional). */
static void build_xsave(struct build *b, int write, int is_x)
{
    int kind = write ? DEC_WRITE : DEC_READ;
    struct dec_addr base = mem_addr(b, memop(b)), a;
    if (is_x && !write) {
        /* VEX: xrstor reads XSTATE_BV, XCOMP_BV and header bytes 16..23 first. */
        for (int i = 0; i < 3; i++) {
            a = base;
            a.disp += 512 + 8 * i;
            add(b, DEC_READ, 8, &a);
        }
    }
    /* VEX: component 0 (x87) is one dirty helper over bytes 0..159. */
    a = base;
    a.rfbm = is_x ? 1 : 0;
    add(b, kind, 160, &a);
    /* VEX: MXCSR and MXCSR_MASK, a dirty helper of 8 bytes at 24, needed if
     * component 1 or 2 is requested. */
    a = base;
    a.disp += 24;
    a.rfbm = is_x ? 6 : 0;
    add(b, kind, 8, &a);
    for (int r = 0; r < 16; r++) { /* VEX: the 16 xmm registers, guarded stores/loads */
        a = base;
        a.disp += 160 + 16 * r;
        a.rfbm = is_x ? 2 : 0;
        add(b, kind, 16, &a);
    }
    if (!is_x)
        return;
    for (int r = 0; r < 16; r++) { /* VEX: upper ymm halves at 576 */
        a = base;
        a.disp += 576 + 16 * r;
        a.rfbm = 4;
        add(b, kind, 16, &a);
    }
    if (write) {
        /* VEX: XSTATE_BV |= rfbm: a one-byte load and store = one modify. */
        a = base;
        a.disp += 512;
        add(b, DEC_MODIFY, 1, &a);
    }
}

/* vmaskmovps/pd, vpmaskmovd/q: one guarded access per lane, lane order. */
static void build_vmaskmov(struct build *b, unsigned lane)
{
    const cs_x86 *x = b->x;
    int width = 16, vm = vreg_of(x->operands[1].reg, &width);
    struct dec_addr base = mem_addr(b, memop(b));
    int store = b->mem == 0;
    for (unsigned i = 0; i < (unsigned)width / lane; i++) {
        struct dec_addr a = base;
        a.disp += (int64_t)(i * lane);
        a.masked = 1;
        a.vmask = (uint8_t)vm;
        a.lane = (uint8_t)i;
        add(b, store ? DEC_WRITE : DEC_READ, lane, &a);
    }
    b->out->needs_vregs = 1;
}

/* AVX2 gathers: dst, vsib memory, mask (Intel operand order). */
static void build_gather(struct build *b, unsigned elem, unsigned idxlane)
{
    const cs_x86 *x = b->x;
    int dw = 16, iw = 16, mw = 16;
    const cs_x86_op *m = memop(b);
    vreg_of(x->operands[0].reg, &dw); /* only its width: it bounds the lane count */
    int vi = vreg_of(m->mem.index, &iw);
    int vm = vreg_of(x->operands[2].reg, &mw);
    unsigned n = (unsigned)dw / elem, ni = (unsigned)iw / idxlane;
    if (ni < n)
        n = ni;
    struct dec_addr base = mem_addr(b, m);
    base.index = DEC_REG_NONE;
    for (unsigned i = 0; i < n; i++) {
        struct dec_addr a = base;
        a.vsib = 1;
        a.vindex = (uint8_t)vi;
        a.vindex_q = idxlane == 8;
        a.vmask = (uint8_t)vm;
        a.lane = (uint8_t)i;
        add(b, DEC_READ, elem, &a);
    }
    b->out->needs_vregs = 1;
}

/* Implicit [rdi] (maskmovq/maskmovdqu: VEX loads and stores the whole
 * 8/16 bytes whatever the mask, so it is one modify). */
static void build_maskmov(struct build *b, unsigned size)
{
    struct dec_addr a = reg_addr(b, DEC_RDI, 0);
    for (int i = 0; i < b->x->op_count; i++)
        if (b->x->operands[i].type == X86_OP_MEM)
            a.seg = mem_addr(b, &b->x->operands[i]).seg;
    add(b, DEC_MODIFY, size, &a);
}

static void build_enter(struct build *b)
{
    unsigned level = b->x->op_count >= 2 ? (unsigned)(b->x->operands[1].imm & 31) : 0;
    struct dec_addr s = stack_addr(-8);
    add(b, DEC_WRITE, 8, &s); /* push rbp */
    /* Nesting levels > 0 (VEX rejects them): copy level-1 frame pointers, then
     * push the new frame pointer, as the hardware does. */
    for (unsigned k = 1; k < level; k++) {
        struct dec_addr r = reg_addr(b, DEC_RBP, -8 * (int64_t)k);
        r.addr32 = 0;
        add(b, DEC_READ, 8, &r);
        s = stack_addr(-8 - 8 * (int64_t)k);
        add(b, DEC_WRITE, 8, &s);
    }
    if (level > 0) {
        s = stack_addr(-8 - 8 * (int64_t)level);
        add(b, DEC_WRITE, 8, &s);
    }
}

/* The table rule of an instruction.  Capstone gives the string movsd/cmpsd and
 * the SSE movsd/cmpsd the same id; the SSE forms have an xmm operand. */
static const struct tab_rule *rule_of(const cs_insn *ci)
{
    const struct tab_rule *r = tab_lookup(ci->id);
    if (r && (r->kind == TAB_MOVS || r->kind == TAB_CMPS)) {
        const cs_x86 *x = &ci->detail->x86;
        int w;
        for (int i = 0; i < x->op_count; i++)
            if (x->operands[i].type == X86_OP_REG && vreg_of(x->operands[i].reg, &w) >= 0)
                return tab_lookup_sse(ci->id);
    }
    return r;
}

/* Accesses of one instruction by its table rule. */
static void build_accesses(struct build *b)
{
    const struct tab_rule *r = rule_of(b->ci);
    int kind = r ? r->kind : TAB_DEFAULT;
    const cs_x86_op *m = memop(b);
    struct dec_addr a;

    switch (kind) {
    case TAB_NONE:
        return;
    case TAB_PUSH:
        build_push(b);
        return;
    case TAB_POP:
        build_pop(b);
        return;
    case TAB_PUSHF:
        a = stack_addr(-(int64_t)r->size);
        add(b, DEC_WRITE, r->size, &a);
        return;
    case TAB_POPF:
        a = stack_addr(0);
        add(b, DEC_READ, r->size, &a);
        return;
    case TAB_CALL: /* call [m]: VEX loads the target, then pushes */
        if (m)
            explicit_access(b, DEC_READ, opsize(b, 8));
        a = stack_addr(-8);
        add(b, DEC_WRITE, 8, &a);
        return;
    case TAB_RET:
        a = stack_addr(0);
        add(b, DEC_READ, 8, &a);
        return;
    case TAB_IRET: /* VEX: rip, rflags and rsp from [rsp], [rsp+16], [rsp+24] */
        for (int i = 0; i < 3; i++) {
            a = stack_addr(i ? 8 + 8 * i : 0);
            add(b, DEC_READ, 8, &a);
        }
        return;
    case TAB_LANES:
        if (m) {
            unsigned lanes = m->size / r->size;
            for (unsigned i = 0; i < lanes; i++) {
                a = mem_addr(b, m);
                a.disp += (int64_t)(i * r->size);
                add(b, DEC_READ, r->size, &a);
            }
        }
        return;
    case TAB_MOVDDUP:
        if (m && m->size == 32) { /* VEX: the two even qwords only */
            for (int i = 0; i < 2; i++) {
                a = mem_addr(b, m);
                a.disp += 16 * i;
                add(b, DEC_READ, 8, &a);
            }
            return;
        }
        break;
    case TAB_VPERM2:
        if (m) {
            /* VEX loads both halves of m256, then iropt drops those no
             * destination half selects (selector 2 = low, 3 = high half of
             * the memory operand; bits 3 and 7 zero a destination half). */
            unsigned imm = 0;
            for (int i = 0; i < b->x->op_count; i++)
                if (b->x->operands[i].type == X86_OP_IMM)
                    imm = (unsigned)b->x->operands[i].imm;
            int use[2] = { 0, 0 };
            for (int h = 0; h < 2; h++) {
                unsigned sel = (imm >> (4 * h)) & 0xf;
                if (!(sel & 8) && (sel & 3) >= 2)
                    use[(sel & 3) - 2] = 1;
            }
            for (int h = 0; h < 2; h++)
                if (use[h]) {
                    a = mem_addr(b, m);
                    a.disp += 16 * h;
                    add(b, DEC_READ, 16, &a);
                }
        }
        return;
    case TAB_PUNPCKL:
        if (m) {
            int mmx = 0;
            for (int i = 0; i < b->x->op_count; i++)
                if (b->x->operands[i].type == X86_OP_REG && b->x->operands[i].reg >= X86_REG_MM0 &&
                    b->x->operands[i].reg <= X86_REG_MM7)
                    mmx = 1;
            explicit_access(b, DEC_READ, mmx ? 8 : m->size);
        }
        return;
    case TAB_FARRET: /* hardware pops rip then cs (VEX does not decode it) */
        for (int i = 0; i < r->size; i++) {
            a = stack_addr(8 * i);
            add(b, DEC_READ, 8, &a);
        }
        return;
    case TAB_LEAVE:
        a = reg_addr(b, DEC_RBP, 0);
        a.addr32 = 0;
        add(b, DEC_READ, 8, &a);
        return;
    case TAB_ENTER:
        build_enter(b);
        return;
    case TAB_MOVS: case TAB_CMPS: case TAB_STOS: case TAB_LODS: case TAB_SCAS:
    case TAB_INS: case TAB_OUTS:
        build_string(b, kind);
        return;
    case TAB_XCHG: /* VEX: xchg with memory is always locked: load + CAS */
        if (m) {
            a = mem_addr(b, m);
            add(b, DEC_READ, m->size, &a);
            add(b, DEC_MODIFY, m->size, &a);
        }
        return;
    case TAB_XADD:
        if (m)
            explicit_access(b, DEC_MODIFY, m->size);
        return;
    case TAB_CAS: /* cmpxchg: load+store, or (locked) a CAS alone: one modify */
        if (m) {
            a = mem_addr(b, m);
            add(b, DEC_MODIFY, r->size ? r->size : m->size, &a);
        }
        return;
    case TAB_BT:
        build_bt(b);
        return;
    case TAB_FXSAVE: case TAB_FXRSTOR: case TAB_XSAVE: case TAB_XRSTOR:
        if (m)
            build_xsave(b, kind == TAB_FXSAVE || kind == TAB_XSAVE,
                        kind == TAB_XSAVE || kind == TAB_XRSTOR);
        return;
    case TAB_VMASKMOV:
        if (m)
            build_vmaskmov(b, r->size);
        return;
    case TAB_GATHER:
        if (m)
            build_gather(b, r->size, r->size2);
        return;
    case TAB_MASKMOV:
        build_maskmov(b, r->size);
        return;
    case TAB_XLAT:
        a = reg_addr(b, DEC_RBX, 0);
        if (m)
            a = mem_addr(b, m);
        a.idx_al = 1;
        a.index = DEC_REG_NONE;
        add(b, DEC_READ, 1, &a);
        return;
    case TAB_FPENV: /* x87 environment/state images, fixed VEX sizes */
        if (m) {
            unsigned size = r->size;
            if (b->opsize66 && r->size2)
                size = r->size2; /* VEX: 16-bit fnsave/frstor image, 94 bytes */
            explicit_access(b, r->access, size);
        }
        return;
    default:
        break;
    }

    if (!m)
        return;
    unsigned size = r && r->size ? r->size : m->size;
    if (b->mem != 0) { /* a source operand */
        explicit_access(b, DEC_READ, size);
        return;
    }
    int acc;
    if (r && r->access) {
        acc = r->access;
    } else {
        /* Not in our table: Capstone's bits, reads-and-writes meaning update. */
        int rd = (m->access & CS_AC_READ) != 0, wr = (m->access & CS_AC_WRITE) != 0;
        acc = rd && wr ? DEC_MODIFY : rd ? DEC_READ : DEC_WRITE;
    }
    explicit_access(b, acc, size);
}

/* ------------------------------------------------------------------ flow */

static void set_flow(csh cs, struct dec_insn *out, const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    int imm = x->op_count >= 1 && x->operands[0].type == X86_OP_IMM;
    switch (ci->id) {
    case X86_INS_JMP:
        out->flow = imm ? DEC_FLOW_JMP : DEC_FLOW_JMP_IND;
        break;
    case X86_INS_LJMP:
        out->flow = DEC_FLOW_JMP_IND;
        break;
    case X86_INS_CALL:
        out->flow = imm ? DEC_FLOW_CALL : DEC_FLOW_CALL_IND;
        break;
    case X86_INS_LCALL:
        out->flow = DEC_FLOW_CALL_IND;
        break;
    case X86_INS_RET: case X86_INS_RETF: case X86_INS_RETFQ:
    case X86_INS_IRET: case X86_INS_IRETD: case X86_INS_IRETQ:
        out->flow = DEC_FLOW_RET;
        break;
    case X86_INS_SYSCALL: case X86_INS_SYSENTER:
        out->flow = DEC_FLOW_SYSCALL;
        break;
    case X86_INS_CPUID:
        out->flow = DEC_FLOW_CPUID;
        break;
    case X86_INS_RDTSC: case X86_INS_RDTSCP:
        out->flow = DEC_FLOW_RDTSC;
        break;
    case X86_INS_RDRAND: case X86_INS_RDSEED:
        out->flow = DEC_FLOW_RDRAND;
        break;
    case X86_INS_INT3: case X86_INS_INT: case X86_INS_INTO: case X86_INS_UD2:
    case TAB_INS_UD1: case X86_INS_UD0: case X86_INS_HLT:
        out->flow = DEC_FLOW_TRAP;
        break;
    case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE: /* not in Capstone 4's jump group */
    case X86_INS_JRCXZ: case X86_INS_JECXZ: case X86_INS_JCXZ:
        out->flow = DEC_FLOW_JCC;
        break;
    default:
        if (imm && cs_insn_group(cs, ci, X86_GRP_JUMP))
            out->flow = DEC_FLOW_JCC;
        break;
    }
    if ((out->flow == DEC_FLOW_JMP || out->flow == DEC_FLOW_JCC || out->flow == DEC_FLOW_CALL) && imm)
        out->target = (uint64_t)x->operands[0].imm;
}

/* --------------------------------------------------------------- decoding */

/* Valgrind's client-request preamble: rol rdi by 3, 13, 61, 51. */
static const uint8_t clreq_preamble[16] = {
    0x48, 0xC1, 0xC7, 0x03, 0x48, 0xC1, 0xC7, 0x0D,
    0x48, 0xC1, 0xC7, 0x3D, 0x48, 0xC1, 0xC7, 0x33,
};

static int decode_special(const uint8_t *code, size_t avail, struct dec_insn *out)
{
    if (avail < 19 || memcmp(code, clreq_preamble, 16) != 0 || code[16] != 0x48 || code[17] != 0x87)
        return 0;
    struct dec_addr a;
    switch (code[18]) {
    case 0xDB:
        out->special = DEC_SPECIAL_CLREQ;
        out->flow = DEC_FLOW_CLREQ;
        snprintf(out->text, sizeof out->text, "client request");
        break;
    case 0xC9:
        out->special = DEC_SPECIAL_NRADDR;
        snprintf(out->text, sizeof out->text, "valgrind get-nraddr");
        break;
    case 0xD2:
        /* VEX: rsp -= 8; store the return address; jump to rax. */
        out->special = DEC_SPECIAL_CALL_NOREDIR;
        out->flow = DEC_FLOW_CALL_IND;
        a = stack_addr(-8);
        out->acc[0].kind = DEC_WRITE;
        out->acc[0].size = 8;
        out->acc[0].addr = a;
        out->n_acc = 1;
        snprintf(out->text, sizeof out->text, "valgrind call-noredir rax");
        break;
    case 0xFF:
        out->special = DEC_SPECIAL_INJECT_IR;
        snprintf(out->text, sizeof out->text, "valgrind inject-ir");
        break;
    default:
        return 0; /* VEX rejects the preamble with any other marker */
    }
    out->len = 19;
    return 1;
}

/* "mnemonic operands", cut to fit. */
static void set_text(char *text, size_t cap, const cs_insn *ci)
{
    size_t k = strnlen(ci->mnemonic, sizeof ci->mnemonic);
    if (k > cap - 1)
        k = cap - 1;
    memcpy(text, ci->mnemonic, k);
    if (ci->op_str[0] && k + 1 < cap - 1) {
        text[k++] = ' ';
        size_t m = strnlen(ci->op_str, cap - 1 - k);
        memcpy(text + k, ci->op_str, m);
        k += m;
    }
    text[k] = 0;
}

/* ModRM memory operand at p (after the opcode) -> recipe and total operand
 * bytes; rex_x/rex_b extend index/base.  0 if the operand is a register. */
static size_t modrm_mem(const uint8_t *p, size_t avail, int rex_x, int rex_b, struct dec_addr *a)
{
    static const uint8_t gpr[16] = { DEC_RAX, DEC_RCX, DEC_RDX, DEC_RBX, DEC_RSP, DEC_RBP,
                                     DEC_RSI, DEC_RDI, DEC_R8, DEC_R9, DEC_R10, DEC_R11,
                                     DEC_R12, DEC_R13, DEC_R14, DEC_R15 };
    if (avail < 1)
        return 0;
    unsigned mod = p[0] >> 6, rm = p[0] & 7;
    size_t k = 1;
    if (mod == 3)
        return 0;
    memset(a, 0, sizeof *a);
    a->scale = 1;
    if (rm == 4) { /* SIB */
        if (avail < 2)
            return 0;
        unsigned sib = p[1], idx = ((sib >> 3) & 7) | (rex_x << 3), base = (sib & 7) | (rex_b << 3);
        k = 2;
        a->scale = (uint8_t)(1u << (sib >> 6));
        if (idx != 4)
            a->index = gpr[idx];
        if ((sib & 7) == 5 && mod == 0)
            mod = 2, a->base = DEC_REG_NONE; /* disp32, no base */
        else
            a->base = gpr[base];
    } else if (rm == 5 && mod == 0) {
        a->base = DEC_RIP;
        mod = 2;
    } else {
        a->base = gpr[rm | (rex_b << 3)];
    }
    if (mod == 1) {
        if (avail < k + 1)
            return 0;
        a->disp = (int8_t)p[k];
        k += 1;
    } else if (mod == 2) {
        if (avail < k + 4)
            return 0;
        int32_t d;
        memcpy(&d, p + k, 4);
        a->disp = d;
        k += 4;
    }
    return k;
}

/* Instructions Capstone 4.0.2 cannot decode although they run (1 if
 * recognised, *out filled):
 * - vbroadcasti128 ymm, m128 (VEX.256.66.0F38.W0 5A /r): R 16;
 * - the hint-NOP space 0F 19, 0F 1C..1F with any prefixes, which CET uses
 *   (rdsspd/q = F3 0F 1E /1 in libgcc's unwinder): no access, like VEX, which
 *   decodes them all as nop;
 * - rdpkru / wrpkru (0F 01 EE / EF): no memory access. */
static int decode_hole(const uint8_t *code, size_t avail, struct dec_insn *out)
{
    size_t i = 0;
    int addr32 = 0, seg = DEC_SEG_NONE, rex = 0;
    for (; i < avail && i < 14; i++) {
        uint8_t c = code[i];
        if (c == 0x67)
            addr32 = 1;
        else if (c == 0x64)
            seg = DEC_SEG_FS;
        else if (c == 0x65)
            seg = DEC_SEG_GS;
        else if (c != 0x66 && c != 0xF0 && c != 0xF2 && c != 0xF3 && c != 0x2E && c != 0x36 &&
                 c != 0x3E && c != 0x26)
            break;
    }
    struct dec_addr a;
    size_t k;
    if (i + 1 < avail && (code[i] & 0xF0) == 0x40 && code[i + 1] == 0x0F) {
        rex = code[i];
        i++;
    }
    if (i + 2 < avail && code[i] == 0x0F) {
        unsigned op = code[i + 1];
        if (op == 0x01 && (code[i + 2] == 0xEE || code[i + 2] == 0xEF)) {
            out->len = (uint8_t)(i + 3);
            snprintf(out->text, sizeof out->text, code[i + 2] == 0xEE ? "rdpkru" : "wrpkru");
            return 1;
        }
        if (op == 0x19 || (op >= 0x1C && op <= 0x1F)) {
            k = modrm_mem(code + i + 2, avail - i - 2, (rex >> 1) & 1, rex & 1, &a);
            if (!k && (code[i + 2] >> 6) != 3)
                return 0; /* truncated memory operand */
            out->len = (uint8_t)(i + 2 + (k ? k : 1));
            snprintf(out->text, sizeof out->text, "nop (hint space 0f %02x)", op);
            return 1;
        }
    }
    if (rex || avail < i + 5 || code[i] != 0xC4)
        return 0;
    unsigned b1 = code[i + 1], b2 = code[i + 2], opc = code[i + 3];
    int map = b1 & 0x1f, w = b2 >> 7, l = (b2 >> 2) & 1, pp = b2 & 3;
    if (map != 2 || opc != 0x5A || pp != 1 || !l || w)
        return 0;
    k = modrm_mem(code + i + 4, avail - i - 4, !((b1 >> 6) & 1), !((b1 >> 5) & 1), &a);
    if (!k)
        return 0;
    a.seg = (uint8_t)seg;
    a.addr32 = (uint8_t)addr32;
    out->len = (uint8_t)(i + 4 + k);
    out->acc[0].kind = DEC_READ;
    out->acc[0].size = 16;
    out->acc[0].addr = a;
    out->n_acc = 1;
    snprintf(out->text, sizeof out->text, "vbroadcasti128");
    return 1;
}

/* An AVX-512 instruction: EVEX (0x62 after the legacy prefixes), or one of the
 * VEX-encoded opmask instructions (kmov*, kortest*, ktest*, kand* ... in map 0F,
 * kshift* in map 0F3A), which Capstone 4 does not know either. */
static int is_avx512(const uint8_t *code, size_t avail)
{
    size_t i = 0;
    for (; i < avail && i < 15; i++) {
        uint8_t c = code[i];
        if (c != 0x66 && c != 0x67 && c != 0xF0 && c != 0xF2 && c != 0xF3 && c != 0x2E &&
            c != 0x36 && c != 0x3E && c != 0x26 && c != 0x64 && c != 0x65)
            break;
    }
    if (i >= avail)
        return 0;
    if (code[i] == 0x62)
        return 1;
    unsigned map, opc;
    if (code[i] == 0xC5 && i + 2 < avail) {
        map = 1;
        opc = code[i + 2];
    } else if (code[i] == 0xC4 && i + 3 < avail) {
        map = code[i + 1] & 0x1f;
        opc = code[i + 3];
    } else {
        return 0;
    }
    if (map == 1)
        return (opc >= 0x41 && opc <= 0x4B) || (opc >= 0x90 && opc <= 0x93) || opc == 0x98 || opc == 0x99;
    return map == 3 && opc >= 0x30 && opc <= 0x33;
}

static int undecodable(const uint8_t *code, size_t avail, uint64_t addr, struct diag_err *e)
{
    char hex[15 * 3 + 1];
    size_t n = avail < 15 ? avail : 15, k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(hex + k, sizeof hex - k, "%s%02x", i ? " " : "", code[i]);
    hex[k] = 0;
    if (is_avx512(code, avail))
        return diag_set(e, "undecodable instruction at 0x%lx: bytes %s (AVX-512? run with --cpuid=masked)",
                        (unsigned long)addr, hex);
    return diag_set(e, "undecodable instruction at 0x%lx: bytes %s (invalid, or an extension Capstone %s does not know)",
                    (unsigned long)addr, hex, dec_capstone_version());
}

struct dec *dec_new(struct diag_err *e)
{
    struct dec *d = calloc(1, sizeof *d);
    if (!d) {
        diag_set(e, "out of memory");
        return NULL;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &d->cs) != CS_ERR_OK) {
        diag_set(e, "unable to open Capstone for x86-64");
        free(d);
        return NULL;
    }
    cs_option(d->cs, CS_OPT_DETAIL, CS_OPT_ON);
    d->ci = cs_malloc(d->cs);
    d->cache = calloc(DEC_CACHE_N, sizeof *d->cache); /* none is no error: slower */
    if (d->cache)
        mem_back_now(d->cache, DEC_CACHE_N * sizeof *d->cache);
    if (!d->ci) {
        free(d->cache);
        diag_set(e, "out of memory");
        cs_close(&d->cs);
        free(d);
        return NULL;
    }
    return d;
}

void dec_free(struct dec *d)
{
    if (!d)
        return;
    dcache_close(d->store, NULL);
    cs_free(d->ci, 1);
    cs_close(&d->cs);
    free(d->cache);
    free(d);
}

/* ------------------------------------------------------- register effects */

/* The VEX guest-state keys register r occupies when read (*rkey) and when
 * written (*wkey), and whether a write writes that key whole: VEX writes 64- and
 * 32-bit GPR destinations as one 64-bit PUT, 8- and 16-bit ones as smaller
 * PUTs; an xmm write is a 128-bit PUT, a ymm write a 256-bit one. */
static void reg_keys(unsigned r, uint64_t *rkey, uint64_t *wkey, int *whole)
{
    static const unsigned wide[] = {
        X86_REG_RAX, X86_REG_RBX, X86_REG_RCX, X86_REG_RDX, X86_REG_RSI, X86_REG_RDI,
        X86_REG_RBP, X86_REG_RSP, X86_REG_R8,  X86_REG_R9,  X86_REG_R10, X86_REG_R11,
        X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15, X86_REG_EAX, X86_REG_EBX,
        X86_REG_ECX, X86_REG_EDX, X86_REG_ESI, X86_REG_EDI, X86_REG_EBP, X86_REG_ESP,
        X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D, X86_REG_R12D, X86_REG_R13D,
        X86_REG_R14D, X86_REG_R15D};
    int w;
    uint8_t g = gpr_of(r);
    *rkey = *wkey = 0;
    *whole = 0;
    if (g != DEC_REG_NONE && g != DEC_RIP) {
        *rkey = *wkey = DEC_FX_GPR(g);
        for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
            if (wide[i] == r)
                *whole = 1;
        return;
    }
    int v = vreg_of(r, &w);
    if (v >= 0 && v < 16 && w <= 32) {
        *rkey = DEC_FX_V128(v) | DEC_FX_V256(v);
        *wkey = w == 16 ? DEC_FX_V128(v) : DEC_FX_V256(v);
        *whole = 1;
    }
}

/* Instructions VEX handles as "dest = 0" without reading the source. */
static int zero_idiom(const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    if (x->op_count != 2 || x->operands[0].type != X86_OP_REG || x->operands[1].type != X86_OP_REG ||
        x->operands[0].reg != x->operands[1].reg)
        return 0;
    return ci->id == X86_INS_XOR || ci->id == X86_INS_SUB;
}

/* Loads that only put a loaded (possibly widened) value into a register. */
static int plain_load(unsigned id)
{
    switch (id) {
    case X86_INS_MOV: case X86_INS_MOVZX: case X86_INS_MOVSX: case X86_INS_MOVSXD:
    case X86_INS_POP: case X86_INS_MOVABS:
    case X86_INS_MOVDQU: case X86_INS_MOVDQA: case X86_INS_MOVUPS: case X86_INS_MOVAPS:
    case X86_INS_MOVUPD: case X86_INS_MOVAPD: case X86_INS_LDDQU: case X86_INS_MOVNTDQA:
    case X86_INS_MOVD: case X86_INS_MOVQ: case X86_INS_MOVSS: case X86_INS_MOVSD:
    case X86_INS_VMOVDQU: case X86_INS_VMOVDQA: case X86_INS_VMOVUPS: case X86_INS_VMOVAPS:
    case X86_INS_VMOVUPD: case X86_INS_VMOVAPD: case X86_INS_VLDDQU:
        return 1;
    default:
        return 0;
    }
}

#define ALL_FLAGS_MOD                                                                           \
    (X86_EFLAGS_MODIFY_CF | X86_EFLAGS_MODIFY_PF | X86_EFLAGS_MODIFY_AF | X86_EFLAGS_MODIFY_ZF | \
     X86_EFLAGS_MODIFY_SF | X86_EFLAGS_MODIFY_OF)

/* The registers of x's explicit operands into out->gprs; where a
 * RIP-relative displacement sits. */
static void add_operand_gprs(struct dec_insn *out, const cs_x86 *x, int *riprel)
{
    for (int i = 0; i < x->op_count; i++) {
        const cs_x86_op *op = &x->operands[i];
        if (op->type == X86_OP_REG && gpr_of(op->reg) && gpr_of(op->reg) != DEC_RIP)
            out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(op->reg));
        if (op->type != X86_OP_MEM)
            continue;
        if (op->mem.base == X86_REG_RIP)
            *riprel = 1, out->rip_disp = x->encoding.disp_offset;
        else if (gpr_of(op->mem.base))
            out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(op->mem.base));
        if (gpr_of(op->mem.index))
            out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(op->mem.index));
    }
}

static void set_effects(csh cs, struct dec_insn *out, const cs_insn *ci)
{
    cs_regs rd, wr;
    uint8_t nrd = 0, nwr = 0;
    uint64_t rk, wk;
    int whole;
    if (cs_regs_access(cs, ci, rd, &nrd, wr, &nwr) != CS_ERR_OK) {
        /* Capstone 4.0.2 has no access table for some instructions (bt r, r):
         * the explicit operands and the implicit lists still name every
         * register, which is all a translator needs. */
        out->fx_barrier = 1;
        const cs_detail *dt = ci->detail;
        const cs_x86 *x = &dt->x86;
        int riprel = 0;
        for (unsigned i = 0; i < dt->regs_read_count; i++)
            if (gpr_of(dt->regs_read[i]) && gpr_of(dt->regs_read[i]) != DEC_RIP)
                out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(dt->regs_read[i]));
        for (unsigned i = 0; i < dt->regs_write_count; i++)
            if (gpr_of(dt->regs_write[i]) && gpr_of(dt->regs_write[i]) != DEC_RIP)
                out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(dt->regs_write[i]));
        add_operand_gprs(out, x, &riprel);
        out->copyable = !riprel || (out->rip_disp && out->rip_disp + 4 <= ci->size);
        return;
    }
    int zero = zero_idiom(ci);
    const cs_x86 *x = &ci->detail->x86;
    int riprel = 0;
    for (unsigned i = 0; i < nrd; i++)
        if (gpr_of(rd[i]) && gpr_of(rd[i]) != DEC_RIP)
            out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(rd[i]));
    for (unsigned i = 0; i < nwr; i++)
        if (gpr_of(wr[i]) && gpr_of(wr[i]) != DEC_RIP)
            out->gprs |= (uint32_t)DEC_FX_GPR(gpr_of(wr[i]));
    add_operand_gprs(out, x, &riprel);
    out->copyable = !riprel || (out->rip_disp && out->rip_disp + 4 <= ci->size);
    for (unsigned i = 0; i < nrd; i++)
        if (!zero) {
            reg_keys(rd[i], &rk, &wk, &whole);
            out->fx_read |= rk;
        }
    for (unsigned i = 0; i < nwr; i++) {
        reg_keys(wr[i], &rk, &wk, &whole);
        if (whole)
            out->fx_write |= wk;
        else if (wk)
            out->fx_partial = 1;
    }
    uint64_t fl = ci->detail->x86.eflags;
    uint64_t tests = X86_EFLAGS_TEST_CF | X86_EFLAGS_TEST_PF | X86_EFLAGS_TEST_AF |
                     X86_EFLAGS_TEST_ZF | X86_EFLAGS_TEST_SF | X86_EFLAGS_TEST_OF | X86_EFLAGS_TEST_DF;
    uint64_t mods = ALL_FLAGS_MOD | X86_EFLAGS_RESET_CF | X86_EFLAGS_RESET_OF | X86_EFLAGS_SET_CF |
                    X86_EFLAGS_UNDEFINED_AF | X86_EFLAGS_UNDEFINED_PF | X86_EFLAGS_UNDEFINED_OF |
                    X86_EFLAGS_UNDEFINED_CF | X86_EFLAGS_UNDEFINED_ZF | X86_EFLAGS_UNDEFINED_SF |
                    X86_EFLAGS_RESET_AF | X86_EFLAGS_RESET_ZF | X86_EFLAGS_RESET_SF |
                    X86_EFLAGS_RESET_PF;
    /* Flags written whole only when all six arithmetic flags are set from
     * scratch; a partial update (inc, dec, rotates, bt) merges with the old
     * thunk in VEX, which reads it. */
    int cf = !!(fl & (X86_EFLAGS_MODIFY_CF | X86_EFLAGS_RESET_CF | X86_EFLAGS_SET_CF | X86_EFLAGS_UNDEFINED_CF));
    int pf = !!(fl & (X86_EFLAGS_MODIFY_PF | X86_EFLAGS_RESET_PF | X86_EFLAGS_UNDEFINED_PF));
    int af = !!(fl & (X86_EFLAGS_MODIFY_AF | X86_EFLAGS_RESET_AF | X86_EFLAGS_UNDEFINED_AF));
    int zf = !!(fl & (X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_RESET_ZF | X86_EFLAGS_UNDEFINED_ZF));
    int sf = !!(fl & (X86_EFLAGS_MODIFY_SF | X86_EFLAGS_RESET_SF | X86_EFLAGS_UNDEFINED_SF));
    int of = !!(fl & (X86_EFLAGS_MODIFY_OF | X86_EFLAGS_RESET_OF | X86_EFLAGS_UNDEFINED_OF));
    if (fl & tests)
        out->fx_read |= DEC_FX_FLAGS;
    if (fl & mods) {
        if (cf && pf && af && zf && sf && of)
            out->fx_write |= DEC_FX_FLAGS;
        else
            out->fx_read |= DEC_FX_FLAGS, out->fx_partial = 1;
    }
    out->fx_write &= ~out->fx_read;
    if (out->rep || out->special || out->flow == DEC_FLOW_CPUID || out->flow == DEC_FLOW_SYSCALL ||
        out->flow == DEC_FLOW_RDTSC || out->flow == DEC_FLOW_TRAP || ci->id == X86_INS_XSAVE ||
        ci->id == X86_INS_XSAVEC || ci->id == X86_INS_XSAVEOPT || ci->id == X86_INS_XSAVES ||
        ci->id == X86_INS_FXSAVE || ci->id == X86_INS_XRSTOR || ci->id == X86_INS_FXRSTOR ||
        ci->id == X86_INS_XRSTORS)
        out->fx_barrier = 1;
    out->fx_load = out->n_acc == 1 && out->acc[0].kind == DEC_READ && out->flow == DEC_FLOW_NONE &&
                   !out->fx_partial && !out->fx_barrier && plain_load(ci->id) &&
                   (out->fx_write & ~DEC_FX_GPR(DEC_RSP)) != 0;
}

static int decode_one(struct dec *d, const uint8_t *code, size_t avail, uint64_t addr,
                      struct dec_insn *out, struct diag_err *e)
{
    if (decode_special(code, avail, out))
        return 0;

    const uint8_t *p = code;
    size_t n = avail < 15 ? avail : 15;
    uint64_t a = addr;
    if (n == 0 || !cs_disasm_iter(d->cs, &p, &n, &a, d->ci)) {
        if (decode_hole(code, avail < 15 ? avail : 15, out))
            return 0;
        return undecodable(code, avail, addr, e);
    }
    const cs_insn *ci = d->ci;
    /* Capstone 4.x decodes AVX-512 only partly and wrongly (masked moves report
     * no access); Valgrind does not run it at all.  Refuse it there. */
    if (is_avx512(code, avail) && !dec_has_avx512())
        return undecodable(code, avail, addr, e);

    out->len = (uint8_t)ci->size;
    set_text(out->text, sizeof out->text, ci);
    set_flow(d->cs, out, ci);

    struct build b;
    memset(&b, 0, sizeof b);
    b.out = out;
    b.code = code;
    b.ci = ci;
    b.x = &ci->detail->x86;
    b.mem = -1;
    for (int i = 0; i < b.x->op_count; i++)
        if (b.x->operands[i].type == X86_OP_MEM) {
            b.mem = i;
            break;
        }
    /* Prefixes from the bytes: Capstone keeps one of lock/rep/repne only (an
     * xacquire/xrelease lock has two) and loses a 66 that precedes f3. */
    int repb = 0;
    for (unsigned i = 0; i < ci->size; i++) {
        uint8_t c = code[i];
        if (c == 0xF0)
            b.locked = 1;
        else if (c == 0xF2 || c == 0xF3)
            repb = c;
        else if (c == 0x66)
            b.opsize66 = 1;
        else if (c == 0x67)
            b.addr32 = 1;
        else if (c != 0x2E && c != 0x36 && c != 0x3E && c != 0x26 && c != 0x64 && c != 0x65)
            break;
    }

    /* rep kinds (string instructions only; `rep ret`, `rep nop` = pause, ...
     * are not repeated). */
    const struct tab_rule *r = rule_of(ci);
    if (r && tab_is_string(r->kind)) {
        int f3 = repb == 0xF3, f2 = repb == 0xF2;
        if (r->kind == TAB_CMPS || r->kind == TAB_SCAS)
            out->rep = f3 ? DEC_REPE : f2 ? DEC_REPNE : DEC_REP_NONE;
        else
            out->rep = f3 || f2 ? DEC_REP : DEC_REP_NONE;
    }

    build_accesses(&b);
    set_effects(d->cs, out, ci);
    if (b.overflow)
        return diag_set(e, "instruction at 0x%lx (%s) has more than %d data accesses",
                        (unsigned long)addr, out->text, DEC_MAX_ACCESSES);
    for (unsigned i = 0; i < out->n_acc; i++)
        if (out->acc[i].addr.vsib || out->acc[i].addr.masked)
            out->needs_vregs = 1;
    return 0;
}

/* A mnemonic (or its start) and its length, for the lists below: compared
 * first by their first letter (these run for every instruction decoded,
 * and were 3% of a start-up's time as strlen and strncmp calls). */
struct mnem {
    const char *s;
    unsigned char len;
};
#define MNEM(s) {s, sizeof s - 1}

/* Does the instruction read the flags?  Capstone's flag effects, and the
 * mnemonics of the instructions known to read them, in case its table misses
 * one. */
static int reads_flags(const struct dec_insn *x)
{
    static const struct mnem readers[] = {
        MNEM("adc"),   MNEM("adox"),  MNEM("sbb"),  MNEM("rcl"),  MNEM("rcr"),
        MNEM("set"),   MNEM("cmov"),  MNEM("fcmov"), MNEM("pushf"), MNEM("lahf"),
        MNEM("j"),     MNEM("loop"),  MNEM("into"), MNEM("salc"), MNEM("cmc")};
    if (x->fx_read & DEC_FX_FLAGS)
        return 1;
    for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
        if (x->text[0] == readers[i].s[0] && strncmp(x->text, readers[i].s, readers[i].len) == 0)
            return 1;
    return 0;
}

/* Does every execution set all six arithmetic flags, whatever the operands?
 * Only instructions known to (by mnemonic, any size suffix, and Capstone
 * agreeing): its flag table alone is not enough (4.0.2 has SSE `cmpltsd`
 * write them, mistaking it for the string `cmpsd`; `syscall` leaves them as
 * they were).  Not shifts and rotates: a count of 0 leaves them alone. */
static int sets_flags(const struct dec_insn *x)
{
    static const struct mnem setters[] = {
        MNEM("add"),      MNEM("sub"),      MNEM("and"),     MNEM("or"),      MNEM("xor"),
        MNEM("cmp"),      MNEM("test"),     MNEM("neg"),     MNEM("imul"),    MNEM("mul"),
        MNEM("div"),      MNEM("idiv"),     MNEM("bsf"),     MNEM("bsr"),     MNEM("tzcnt"),
        MNEM("lzcnt"),    MNEM("popcnt"),   MNEM("ucomiss"), MNEM("ucomisd"), MNEM("comiss"),
        MNEM("comisd"),   MNEM("vucomiss"), MNEM("vucomisd"), MNEM("vcomiss"), MNEM("vcomisd"),
        MNEM("xadd"),     MNEM("cmpxchg"),  MNEM("andn"),    MNEM("blsr"),    MNEM("blsi"),
        MNEM("blsmsk"),   MNEM("bzhi")};
    if (x->flow != DEC_FLOW_NONE || !(x->fx_write & DEC_FX_FLAGS))
        return 0;
    const char *m = x->text;
    if (strncmp(m, "lock ", 5) == 0)
        m += 5;
    size_t len = strcspn(m, " ");
    for (size_t i = 0; i < sizeof setters / sizeof *setters; i++) {
        size_t kl = setters[i].len;
        if (m[0] == setters[i].s[0] && strncmp(m, setters[i].s, kl) == 0 &&
            (len == kl || (len == kl + 1 && strchr("bwlq", m[kl]))))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ the store */

/* A decode as the store keeps it: DEC_INSN_SIZE(n_acc) bytes, then the text
 * and its terminator. */
static void store_put(struct dec *d, uint64_t addr, const uint8_t *key, size_t n_key,
                      const struct dec_insn *x)
{
    uint8_t blob[DEC_INSN_SIZE(DEC_MAX_ACCESSES) + sizeof x->text];
    size_t n = DEC_INSN_SIZE(x->n_acc), t = strnlen(x->text, sizeof x->text - 1);
    if (!d->store)
        return;
    memcpy(blob, x, n);
    memcpy(blob + n, x->text, t);
    blob[n + t] = 0;
    dcache_put(d->store, addr, key, (unsigned)n_key, blob, n + t + 1);
}

/* The stored decode of addr with these key bytes into *out, if the store has
 * one of the right shape. */
static int store_get(struct dec *d, uint64_t addr, const uint8_t *key, size_t n_key,
                     struct dec_insn *out)
{
    size_t len;
    const uint8_t *b = d->store ? dcache_get(d->store, addr, key, (unsigned)n_key, &len) : NULL;
    if (!b || len < DEC_INSN_SIZE(0) + 1)
        return 0;
    uint8_t n_acc = b[offsetof(struct dec_insn, n_acc)];
    size_t n = DEC_INSN_SIZE(n_acc);
    if (n_acc > DEC_MAX_ACCESSES || len < n + 1 || len - n > sizeof out->text || b[len - 1] != 0)
        return 0;
    memcpy(out, b, n);
    memcpy(out->text, b + n, len - n);
    return 1;
}

int dec_store_open(struct dec *d)
{
    /* What a decode yields depends on this build (the executable itself: any
     * rebuild is another store), Capstone's, the struct's layout and whether
     * the CPU runs AVX-512. */
    static const char kind[] = "cachesim-decodes-1";
    uint64_t h = dcache_exe_hash(dcache_hash(DCACHE_HASH0, kind, sizeof kind - 1));
    const char *cs = dec_capstone_version();
    size_t sz = sizeof(struct dec_insn);
    int avx = dec_has_avx512();
    if (!h)
        return -1;
    h = dcache_hash(h, cs, strlen(cs));
    h = dcache_hash(h, &sz, sizeof sz);
    h = dcache_hash(h, &avx, sizeof avx);
    d->store = dcache_open(h);
    return d->store ? 0 : -1;
}

void dec_store_trim(struct dec *d) { dcache_trim(d->store); }

int dec_store_close(struct dec *d, struct dcache_stats *st)
{
    if (!d->store)
        return 0;
    dcache_close(d->store, st);
    d->store = NULL;
    return 1;
}

int dec_decode(struct dec *d, const uint8_t *code, size_t avail, uint64_t addr,
               struct dec_insn *out, struct diag_err *e)
{
    /* The fixed part and the first access (the special sequences write
     * acc[0] directly; add() zeroes the others it fills): a whole struct is
     * 1.7 KB, and zeroing it was a fifth of this function's time. */
    memset(out, 0, DEC_INSN_SIZE(1));
    out->text[0] = 0;
    size_t n_key = avail < DEC_KEY_MAX ? avail : DEC_KEY_MAX;
    size_t slot = (addr ^ addr >> 11 ^ addr >> 22) & (DEC_CACHE_N - 1);
    struct dec_cached *k = d->cache ? &d->cache[slot] : NULL;
    if (k && d->cache_addr[slot] == addr && k->n_key == n_key && n_key &&
        memcmp(k->key, code, n_key) == 0) {
        memcpy(out, k->insn, DEC_INSN_SIZE(k->insn[offsetof(struct dec_insn, n_acc)]));
        memcpy(out->text, k->text, sizeof k->text);
        return 0;
    }
    if (!(n_key && store_get(d, addr, code, n_key, out))) {
        int r = decode_one(d, code, avail, addr, out, e);
        if (r != 0)
            return r;
        out->flags_read = (uint8_t)reads_flags(out);
        out->flags_set = (uint8_t)sets_flags(out);
        if (n_key)
            store_put(d, addr, code, n_key, out);
    }
    if (k && n_key && out->n_acc <= DEC_CACHE_ACC) {
        d->cache_addr[slot] = addr;
        k->n_key = (uint8_t)n_key;
        memcpy(k->key, code, n_key);
        memcpy(k->text, out->text, sizeof k->text);
        memcpy(k->insn, out, DEC_INSN_SIZE(out->n_acc));
    }
    return 0;
}

/* ------------------------------------------------------------- evaluation */

static int lane_sign(const uint8_t *vregs, unsigned reg, unsigned lane, unsigned width)
{
    const uint8_t *p = vregs + 32 * reg + width * lane;
    return (p[width - 1] & 0x80) != 0;
}

static int64_t lane_value(const uint8_t *vregs, unsigned reg, unsigned lane, int q)
{
    const uint8_t *p = vregs + 32 * reg + (q ? 8 : 4) * lane;
    if (q) {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t dec_bit_offset(const struct dec_addr *m, uint64_t raw)
{
    int64_t off;
    unsigned bits = 8u * m->bitsize;
    if (m->bitmask)
        off = (int64_t)(raw & (bits - 1));
    else if (bits == 16)
        off = (int16_t)raw;
    else if (bits == 32)
        off = (int32_t)raw;
    else
        off = (int64_t)raw;
    return (uint64_t)(off >> 3); /* VEX: arithmetic shift (Sar64) */
}

int dec_eval(const struct dec_insn *insn, unsigned i, const struct dec_regs *r, uint64_t *addr)
{
    const struct dec_access *acc = &insn->acc[i];
    const struct dec_addr *m = &acc->addr;

    if (m->rfbm && !(r->gpr[DEC_RAX] & m->rfbm))
        return 0;
    if ((m->masked || m->vsib) && !r->vregs)
        return 0; /* the caller could not read the vector registers */
    if (m->masked && !lane_sign(r->vregs, m->vmask, m->lane, acc->size))
        return 0;
    if (m->vsib && !lane_sign(r->vregs, m->vmask, m->lane, acc->size)) {
        /* VEX: a disabled gather lane loads from rsp (and Cachegrind counts it). */
        *addr = r->gpr[DEC_RSP];
        return 1;
    }

    uint64_t v = (uint64_t)m->disp;
    if (m->base == DEC_RIP)
        v += r->gpr[DEC_RIP] + insn->len;
    else if (m->base)
        v += r->gpr[m->base];
    if (m->vsib)
        v += (uint64_t)lane_value(r->vregs, m->vindex, m->lane, m->vindex_q) * m->scale;
    else if (m->index)
        v += r->gpr[m->index] * m->scale;
    if (m->idx_al)
        v += r->gpr[DEC_RAX] & 0xff;
    if (m->addr32)
        v = (uint32_t)v;
    if (m->seg == DEC_SEG_FS)
        v += r->fs_base;
    else if (m->seg == DEC_SEG_GS)
        v += r->gs_base;
    if (m->bitreg)
        v += dec_bit_offset(m, r->gpr[m->bitreg]);
    *addr = v;
    return 1;
}

const char *dec_capstone_version(void)
{
    static char buf[16];
    int major = 0, minor = 0;
    cs_version(&major, &minor);
    snprintf(buf, sizeof buf, "%d.%d", major, minor);
    return buf;
}

int dec_has_avx512(void)
{
    int major = 0, minor = 0;
    cs_version(&major, &minor);
    return major >= 5;
}
