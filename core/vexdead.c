/* vexdead.c - see vexdead.h.  The limits follow VEX 3.19's defaults
 * (--vex-guest-max-insns=50, chasing through unconditional direct jumps,
 * --px-file-backed=sp-at-mem-access). */
#include "core/vexdead.h"

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
