/* vexdead.c - see vexdead.h.  The limits follow VEX 3.19's defaults
 * (--vex-guest-max-insns=50, chasing through unconditional direct jumps,
 * --px-file-backed=sp-at-mem-access). */
#include "core/vexdead.h"

#include <string.h>

#define MAX_INSNS 50

int vexdead_load_is_dead(struct dec *d, const struct dec_insn *in, uint64_t addr,
                         vexdead_read_fn read, void *ctx)
{
    if (!in->fx_load)
        return 0;
    /* What the load produced: its whole-key writes (a pop's rsp update does
     * not depend on the loaded value). */
    uint64_t live = in->fx_write;
    if (in->acc[0].addr.base == DEC_RSP)
        live &= ~DEC_FX_GPR(DEC_RSP);
    /* Valgrind keeps only rsp exact at memory accesses in code from files
     * (its --px-file-backed default, sp-at-mem-access). */
    int precise = (live & DEC_FX_GPR(DEC_RSP)) != 0;
    uint64_t pc = addr + in->len;
    struct dec_insn next;
    struct diag_err e;
    uint8_t code[32];

    for (int k = 1; k < MAX_INSNS && live; k++) {
        size_t n = read(ctx, pc, code, sizeof code);
        if (n == 0 || dec_decode(d, code, n, pc, &next, &e) != 0)
            return 0;
        if (next.fx_barrier || (next.fx_read & live))
            return 0;
        if (precise && next.n_acc)
            return 0;
        live &= ~next.fx_write;
        if (!live)
            return 1;
        switch (next.flow) {
        case DEC_FLOW_NONE:
            pc += next.len;
            break;
        case DEC_FLOW_JMP:
            pc = next.target; /* VEX chases direct jumps */
            break;
        default:
            return 0; /* side exit, call, return or indirect jump: state observable */
        }
    }
    return 0;
}

enum vex_end vex_end_of(const struct dec_insn *in)
{
    if (in->rep || in->special)
        return VEX_END_OTHER;
    switch (in->flow) {
    case DEC_FLOW_NONE: case DEC_FLOW_CPUID: case DEC_FLOW_RDTSC: case DEC_FLOW_RDRAND:
        return VEX_END_NONE;
    case DEC_FLOW_JMP: case DEC_FLOW_CALL:
        return VEX_END_UNCOND;
    case DEC_FLOW_JCC:
        return VEX_END_COND;
    default:
        return VEX_END_OTHER;
    }
}

/* One speculatively disassembled block (VEX: at most 3 instructions, till a
 * stop); its end as analyse_block_end classifies it. */
struct spec {
    int n, ok;                 /* instructions; all decoded */
    uint64_t addr[3];
    int guardable;             /* no loads, stores, locked or trapping ops, dirty helpers */
    enum vex_end end;
    uint64_t sx, ft;           /* COND: taken, fall-through; UNCOND: sx is the target */
};

static int might_trap_or_dirty(const struct dec_insn *x)
{
    return x->n_acc || x->fx_barrier || strncmp(x->text, "div", 3) == 0 ||
           strncmp(x->text, "idiv", 4) == 0 || strncmp(x->text, "lock", 4) == 0;
}

static void spec_block(struct dec *d, uint64_t pc, vexdead_read_fn read, void *ctx, struct spec *b)
{
    uint8_t code[32];
    struct dec_insn x;
    struct diag_err e;
    b->n = 0, b->ok = 1, b->guardable = 1, b->end = VEX_END_OTHER;
    while (b->n < 3) {
        size_t n = read(ctx, pc, code, sizeof code);
        if (n == 0 || dec_decode(d, code, n, pc, &x, &e) != 0) {
            b->ok = 0;
            return;
        }
        b->addr[b->n++] = pc;
        enum vex_end end = vex_end_of(&x);
        if (end == VEX_END_NONE) {
            if (might_trap_or_dirty(&x))
                b->guardable = 0;
            pc += x.len;
            continue;
        }
        b->end = end;
        if (end == VEX_END_COND) {
            b->sx = x.target, b->ft = pc + x.len;
            if (x.n_acc || x.fx_barrier)
                b->guardable = 0;
        } else if (end == VEX_END_UNCOND) {
            b->sx = x.target;
            b->guardable = 0; /* a call stores; not a Cond end anyway */
        }
        return;
    }
    b->end = VEX_END_UNCOND; /* cut at 3 insns: falls through to a known address */
    b->sx = pc;
}

/* analyse_block_end's "definitely does not jump to" */
static int never_to(const struct spec *b, uint64_t a)
{
    if (b->end == VEX_END_UNCOND)
        return b->sx != a;
    if (b->end == VEX_END_COND)
        return b->sx != a && b->ft != a;
    return 0;
}

unsigned vex_andand(struct dec *d, const struct dec_insn *in, uint64_t addr,
                    vexdead_read_fn read, void *ctx, uint64_t addrs[3])
{
    if (in->flow != DEC_FLOW_JCC)
        return 0;
    uint64_t SX = in->target, FT = addr + in->len;
    struct spec sx, ft;
    spec_block(d, SX, read, ctx, &sx);
    spec_block(d, FT, read, ctx, &ft);
    if (!sx.ok || !ft.ok)
        return 0;
    int ok = sx.end == VEX_END_COND || ft.end == VEX_END_COND;
    ok = ok && (never_to(&sx, FT) || never_to(&ft, SX));
    if (!ok || SX == FT || (sx.end == VEX_END_COND && sx.sx == sx.ft) ||
        (ft.end == VEX_END_COND && ft.sx == ft.ft))
        return 0;
    const struct spec *m = NULL; /* the block merged, guarded */
    if (sx.end == VEX_END_COND && (sx.ft == FT || sx.sx == FT))
        m = &sx;
    else if (ft.end == VEX_END_COND && (ft.ft == SX || ft.sx == SX))
        m = &ft;
    if (!m || !m->guardable)
        return 0;
    for (int i = 0; i < m->n; i++)
        addrs[i] = m->addr[i];
    return (unsigned)m->n;
}
