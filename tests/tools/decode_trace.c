/* decode_trace.c - runs a small static program under ptrace, one instruction at
 * a time, and reports what core/decode.c says each executed instruction
 * accesses, so tests/e2e/decode_cachegrind.sh can compare it with Cachegrind
 * and Lackey run live on the same program.
 *
 *   decode_trace PROG          per source line: "LINE Ir Dr Dw" (Cachegrind's
 *                              counts: a modify is one Dr; rep instructions
 *                              count one extra Ir for their final check)
 *   decode_trace -t PROG       every data access, Lackey style:
 *                              "INSNADDR K ADDR,SIZE" with K in L S M
 *
 * Every step also checks the decoded length, control-flow kind and direct
 * target against where the instruction really went (an error if they disagree).
 *
 * Only for tests: the program must be static, single-threaded and not rely on
 * its own stack placement (Valgrind's differs).  Exit status: 0 when the program
 * ran to its exit, 1 on any failure (message on stderr).
 */
#include <cpuid.h>
#include <elfutils/libdw.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/decode.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* ------------------------------------------------------------ line table */

struct row {
    uint64_t addr;
    int line;
};
static struct row *rows;
static size_t nrows;

/* By address; at equal addresses an end-of-sequence row (line 0) sorts first,
 * so that a sequence starting where another ends keeps its own line. */
static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return (x->line != 0) - (y->line != 0);
}

static void load_lines(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        diag_die(1, "unable to open '%s': %s", path, strerror(errno));
    Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
    if (!dw)
        diag_die(1, "'%s' has no DWARF line information", path);
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        Dwarf_Lines *lines;
        size_t n;
        if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_getsrclines(&cu, &lines, &n) == 0) {
            rows = xrealloc(rows, (nrows + n) * sizeof *rows);
            for (size_t i = 0; i < n; i++) {
                Dwarf_Line *l = dwarf_onesrcline(lines, i);
                Dwarf_Addr a;
                int ln;
                bool end = false;
                if (dwarf_lineaddr(l, &a) == 0 && dwarf_lineno(l, &ln) == 0 &&
                    dwarf_lineendsequence(l, &end) == 0) {
                    rows[nrows].addr = a;
                    rows[nrows].line = end ? 0 : ln; /* code past a sequence has no line */
                    nrows++;
                }
            }
        }
        off = next;
    }
    qsort(rows, nrows, sizeof *rows, row_cmp);
    dwarf_end(dw);
    close(fd);
}

static int line_of(uint64_t pc)
{
    size_t lo = 0, hi = nrows;
    while (lo < hi) { /* first row with addr > pc */
        size_t mid = (lo + hi) / 2;
        if (rows[mid].addr <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? rows[lo - 1].line : 0;
}

/* --------------------------------------------------------------- counting */

struct cost {
    uint64_t ir, dr, dw;
};
static struct cost *costs;
static int ncosts;

static struct cost *cost_at(int line)
{
    if (line >= ncosts) {
        int n = line + 1024;
        costs = xrealloc(costs, (size_t)n * sizeof *costs);
        memset(costs + ncosts, 0, (size_t)(n - ncosts) * sizeof *costs);
        ncosts = n;
    }
    return &costs[line];
}

/* ------------------------------------------------------------------ main */

static void get_vregs(pid_t pid, uint8_t *vregs)
{
    static uint8_t xs[16384];
    struct iovec iov = { xs, sizeof xs };
    if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov) != 0)
        diag_die(1, "PTRACE_GETREGSET: %s", strerror(errno));
    for (int r = 0; r < 16; r++) { /* XSAVE standard layout: xmm at 160, ymm_hi at 576 */
        memcpy(vregs + 32 * r, xs + 160 + 16 * r, 16);
        memcpy(vregs + 32 * r + 16, xs + 576 + 16 * r, 16);
    }
}

static void fill_regs(const struct user_regs_struct *u, struct dec_regs *r)
{
    memset(r->gpr, 0, sizeof r->gpr);
    r->gpr[DEC_RAX] = u->rax; r->gpr[DEC_RCX] = u->rcx; r->gpr[DEC_RDX] = u->rdx;
    r->gpr[DEC_RBX] = u->rbx; r->gpr[DEC_RSP] = u->rsp; r->gpr[DEC_RBP] = u->rbp;
    r->gpr[DEC_RSI] = u->rsi; r->gpr[DEC_RDI] = u->rdi; r->gpr[DEC_R8] = u->r8;
    r->gpr[DEC_R9] = u->r9; r->gpr[DEC_R10] = u->r10; r->gpr[DEC_R11] = u->r11;
    r->gpr[DEC_R12] = u->r12; r->gpr[DEC_R13] = u->r13; r->gpr[DEC_R14] = u->r14;
    r->gpr[DEC_R15] = u->r15; r->gpr[DEC_RIP] = u->rip;
    r->fs_base = u->fs_base;
    r->gs_base = u->gs_base;
}

/* The instruction at pc went to next: does its decoded flow allow that? */
static void check_flow(const struct dec_insn *in, uint64_t pc, uint64_t next)
{
    uint64_t fall = pc + in->len;
    int ok;
    switch (in->flow) {
    case DEC_FLOW_JMP: case DEC_FLOW_CALL:
        ok = next == in->target;
        break;
    case DEC_FLOW_JCC:
        ok = next == in->target || next == fall;
        break;
    case DEC_FLOW_JMP_IND: case DEC_FLOW_CALL_IND: case DEC_FLOW_RET:
        ok = 1;
        break;
    default: /* falls through, or repeats (rep string instructions) */
        ok = next == fall || (in->rep && next == pc);
        break;
    }
    if (!ok)
        diag_die(1, "instruction at 0x%llx (%s, length %u, flow %u, target 0x%llx) went to 0x%llx",
                 (unsigned long long)pc, in->text, in->len, in->flow,
                 (unsigned long long)in->target, (unsigned long long)next);
}

int main(int argc, char **argv)
{
    int trace = 0;
    diag_set_prog("decode_trace");
    if (argc > 1 && strcmp(argv[1], "-t") == 0) {
        trace = 1;
        argv++;
        argc--;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: decode_trace [-t] PROG [ARGS...]\n");
        return 2;
    }
    if (!trace)
        load_lines(argv[1]);

    struct diag_err e = { { 0 } };
    struct dec *d = dec_new(&e);
    if (!d)
        diag_die(1, "%s", e.msg);

    pid_t pid = fork();
    if (pid < 0)
        diag_die(1, "fork: %s", strerror(errno));
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        personality(ADDR_NO_RANDOMIZE);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
        diag_die(1, "unable to start '%s'", argv[1]);
    char mempath[64];
    snprintf(mempath, sizeof mempath, "/proc/%d/mem", (int)pid);
    int memfd = open(mempath, O_RDONLY);
    if (memfd < 0)
        diag_die(1, "unable to open '%s': %s", mempath, strerror(errno));

    static uint8_t vregs[32 * 32];
    struct dec_insn insn;
    /* A rep instruction's last step: Cachegrind counts one more Ir for the final
     * "rcx == 0?" check when the loop ended on the count, not on the condition. */
    int pend_rep = 0;
    uint64_t pend_pc = 0;
    int pend_line = 0;
    /* The previous instruction, to check its flow against where it went. */
    int have_prev = 0;
    struct dec_insn prev;
    uint64_t prev_pc = 0;
    for (;;) {
        struct user_regs_struct u;
        if (ptrace(PTRACE_GETREGS, pid, NULL, &u) != 0)
            diag_die(1, "PTRACE_GETREGS: %s", strerror(errno));
        if (have_prev)
            check_flow(&prev, prev_pc, u.rip);
        if (pend_rep && u.rip != pend_pc) {
            int zf = (u.eflags >> 6) & 1;
            int extra = u.rcx == 0 && (pend_rep == DEC_REP || (pend_rep == DEC_REPE && zf) ||
                                       (pend_rep == DEC_REPNE && !zf));
            if (extra && !trace)
                cost_at(pend_line)->ir++;
        }
        pend_rep = 0;

        uint8_t code[32];
        ssize_t got = pread(memfd, code, sizeof code, (off_t)u.rip);
        if (got <= 0)
            diag_die(1, "unable to read code at 0x%llx", (unsigned long long)u.rip);
        if (dec_decode(d, code, (size_t)got, u.rip, &insn, &e) != 0)
            diag_die(1, "%s", e.msg);

        struct dec_regs r;
        fill_regs(&u, &r);
        r.vregs = NULL;
        if (insn.needs_vregs) {
            get_vregs(pid, vregs);
            r.vregs = vregs;
        }
        int line = trace ? 0 : line_of(u.rip);
        struct cost *c = trace ? NULL : cost_at(line);
        if (c)
            c->ir++;
        int active = 1;
        if (insn.rep) {
            uint64_t count = u.rcx;
            if (insn.n_acc && insn.acc[0].addr.addr32)
                count = (uint32_t)count;
            active = count != 0;
            if (active) {
                pend_rep = insn.rep;
                pend_pc = u.rip;
                pend_line = line;
            }
        }
        for (unsigned i = 0; active && i < insn.n_acc; i++) {
            uint64_t a;
            if (!dec_eval(&insn, i, &r, &a))
                continue;
            if (trace)
                printf("%08llx %c %08llx,%u\n", (unsigned long long)u.rip,
                       "?LSM"[insn.acc[i].kind], (unsigned long long)a, insn.acc[i].size);
            else if (insn.acc[i].kind == DEC_WRITE)
                c->dw++;
            else
                c->dr++; /* a modify counts as one read, like Cachegrind */
        }

        prev = insn;
        prev_pc = u.rip;
        have_prev = 1;
        if (insn.special == DEC_SPECIAL_CLREQ || insn.special == DEC_SPECIAL_NRADDR) {
            /* One instruction for Valgrind, five natively (all no-ops): step
             * over the 19 bytes.  A request's result (RDX) is left at its
             * default, as outside Valgrind. */
            u.rip += insn.len;
            if (ptrace(PTRACE_SETREGS, pid, NULL, &u) != 0)
                diag_die(1, "PTRACE_SETREGS: %s", strerror(errno));
            continue;
        }
        if (insn.flow == DEC_FLOW_CPUID) {
            /* cpuid, run here rather than stepped: a hypervisor that emulates
             * it may deliver the step's trap one instruction late (seen on
             * an AMD VM: "went to" the instruction after the next). */
            unsigned a, b, cx, dx;
            __cpuid_count((unsigned)u.rax, (unsigned)u.rcx, a, b, cx, dx);
            u.rax = a, u.rbx = b, u.rcx = cx, u.rdx = dx;
            u.rip += insn.len;
            if (ptrace(PTRACE_SETREGS, pid, NULL, &u) != 0)
                diag_die(1, "PTRACE_SETREGS: %s", strerror(errno));
            continue;
        }
        if (insn.special != DEC_SPECIAL_NONE)
            diag_die(1, "unsupported Valgrind special sequence at 0x%llx (%s)",
                     (unsigned long long)u.rip, insn.text);
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0)
            diag_die(1, "PTRACE_SINGLESTEP: %s", strerror(errno));
        if (waitpid(pid, &st, 0) < 0)
            diag_die(1, "waitpid: %s", strerror(errno));
        if (WIFEXITED(st) || WIFSIGNALED(st))
            break;
        if (WSTOPSIG(st) != SIGTRAP)
            diag_die(1, "program stopped by signal %d at 0x%llx (%s)", WSTOPSIG(st),
                     (unsigned long long)u.rip, insn.text);
    }
    if (!trace)
        for (int l = 1; l < ncosts; l++)
            if (costs[l].ir)
                printf("%d %llu %llu %llu\n", l, (unsigned long long)costs[l].ir,
                       (unsigned long long)costs[l].dr, (unsigned long long)costs[l].dw);
    dec_free(d);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
