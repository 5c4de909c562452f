/* step.c - see step.h.
 *
 * Every thread of every traced process is single-stepped concurrently: we ask
 * the kernel to step each runnable thread and take whichever stops next, so a
 * thread blocked in a system call (futex, read) never holds up the others and
 * multi-threaded programs cannot deadlock under us.  Each stop is "before the
 * instruction at rip": read the registers, evaluate the instruction's data
 * addresses, hand the execution to the consumer, step it.
 */
#include "core/step.h"

#include <errno.h>
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cpus.h"
#include "core/dbt.h"
#include "core/proc.h"

struct thread {
    pid_t tid;
    struct tracee *t;
    /* The instruction we asked the kernel to step, with the data addresses
     * evaluated from the registers before it.  It is handed to the consumer
     * only when the step's trap proves it executed: a signal delivered to a
     * handler first means it runs later (after sigreturn), not now. */
    const struct cons_insn *pend;
    uint64_t pend_addr[DEC_MAX_ACCESSES];
    uint64_t pend_present;
    int pend_rep;       /* a rep iteration: check for Cachegrind's final Ir */
    int pend_counted;   /* already counted (a fork's system call, before the copy) */
    int pend_syscall;   /* a syscall: number and args (map changes, --deterministic) */
    uint64_t sysno, sysargs[6];
    struct dbt_thread *dt; /* --engine=dbt: its trace area, or NULL (stepped only) */
    int in_cache;          /* running translated code (PTRACE_CONT) */
    int after_event;       /* first step after a ptrace event stop: see run_thread */
    struct cons_sb sb;     /* where it is in VEX's superblocks (consumer.h) */
    /* The superblock states of the code its running signal handlers
     * interrupted: Valgrind delivers signals between superblocks, so the
     * interrupted one resumes after sigreturn as if nothing happened. */
    struct cons_sb sb_saved[8];
    unsigned n_saved;
    struct thread *next;
};

/* The translator's state of a traced process (--engine=dbt). */
struct proc_dbt {
    struct tracee *t;
    struct dbt *d;
    struct proc_dbt *next;
};

/* A forked child (not vfork: its own address space) and where it holds its
 * parent's cachesim memory, until it gets its own (dbt_new_forked). */
struct fork_note {
    pid_t pid;
    struct dbt_layout layout;
    struct fork_note *next;
};

struct engine {
    struct session *s;
    int dbt;               /* --engine=dbt */
    struct proc_dbt *dbts;
    struct fork_note *forks;
    struct thread *threads;
    pid_t main_pid;
    int main_status;
    int failed;
};

/* Can system call nr make a thread or a process? */
static int makes_process(uint64_t nr)
{
    return nr == SYS_clone || nr == SYS_clone3 || nr == SYS_fork || nr == SYS_vfork;
}

/* Does system call nr with first argument a1 make a thread (CLONE_THREAD:
 * clone's flags, or the first field of clone3's struct clone_args)?  fork,
 * vfork and a clone or clone3 without it make a process. */
static int makes_thread(struct tracee *t, uint64_t nr, uint64_t a1)
{
    uint64_t flags = 0;
    if (nr == SYS_clone)
        flags = a1;
    else if (nr != SYS_clone3 || proc_read(t->memfd, a1, &flags, sizeof flags) != sizeof flags)
        return nr == SYS_clone3; /* (unreadable: as it was, released) */
    return (flags & CLONE_THREAD) != 0;
}

static volatile sig_atomic_t pending_signal;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    /* A signal typed at the terminal reaches the program too; only forward
     * what another process sent to cachesim alone (kill, timeout, CI). */
    if (si->si_code <= 0)
        pending_signal = sig;
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
}

static struct thread *thread_find(struct engine *g, pid_t tid)
{
    for (struct thread *th = g->threads; th; th = th->next)
        if (th->tid == tid)
            return th;
    return NULL;
}

static struct thread *thread_add(struct engine *g, pid_t tid, struct tracee *t)
{
    struct thread *th = xcalloc(1, sizeof *th);
    th->tid = tid;
    th->t = t;
    th->next = g->threads;
    g->threads = th;
    return th;
}

static void thread_remove(struct engine *g, struct thread *th)
{
    for (struct thread **p = &g->threads; *p; p = &(*p)->next)
        if (*p == th) {
            *p = th->next;
            dbt_thread_end(th->dt); /* its last records are counted */
            cons_set_sb(th->t->cons, NULL);
            free(th);
            return;
        }
}

static struct dbt *dbt_of(struct engine *g, struct tracee *t)
{
    for (struct proc_dbt *p = g->dbts; p; p = p->next)
        if (p->t == t)
            return p->d;
    return NULL;
}

/* Forgets t's translator state (exec, exit); its threads must be gone.
 * last: the run ends with t (dbt_end). */
static void dbt_drop(struct engine *g, struct tracee *t, int last)
{
    for (struct proc_dbt **p = &g->dbts; *p; p = &(*p)->next)
        if ((*p)->t == t) {
            struct proc_dbt *x = *p;
            *p = x->next;
            if (last)
                dbt_end(x->d);
            else
                dbt_free(x->d);
            free(x);
            return;
        }
}

static void add_dbt(struct engine *g, struct tracee *t, struct dbt *d)
{
    struct proc_dbt *p = xcalloc(1, sizeof *p);
    p->t = t;
    p->d = d;
    p->next = g->dbts;
    g->dbts = p;
}

/* th is the first thread of a forked child that is known to be one (the
 * parent's fork event came): give it a code cache of its own. */
static void fork_setup(struct engine *g, struct thread *th)
{
    struct diag_err e;
    for (struct fork_note **pp = &g->forks, *f; (f = *pp); pp = &f->next) {
        if (f->pid != th->t->pid)
            continue;
        *pp = f->next;
        struct dbt *d = dbt_new_forked(g->s, th->t, th->tid, &f->layout, &e);
        free(f);
        if (!d) {
            diag_warn("%s; it is single-stepped", e.msg);
            return;
        }
        add_dbt(g, th->t, d);
        if (!(th->dt = dbt_thread_new(d, th->tid, &th->sb, &e)))
            diag_warn("%s; thread %d is single-stepped", e.msg, (int)th->tid);
        return;
    }
}

/* t is at its exec stop (thread th): give it a code cache.  The reference
 * engine too, which never enters it: a program must see the same address
 * space (its /proc/self/maps) under both engines to run the same way. */
static void dbt_setup(struct engine *g, struct thread *th)
{
    struct diag_err e;
    struct dbt *d = dbt_new(g->s, th->t, th->tid, &e);
    if (!d) {
        if (g->dbt)
            diag_warn("%s; continuing with the single-step engine", e.msg);
        return;
    }
    add_dbt(g, th->t, d);
    th->dt = dbt_thread_new(d, th->tid, &th->sb, &e);
    if (!th->dt)
        diag_warn("%s; thread %d is single-stepped", e.msg, (int)th->tid);
}

/* The value of field `key` (Tgid, PPid, SigCgt, ...) of /proc/TID/status into
 * out; 0, or -1 if the process is gone or has no such field. */
static int status_field(pid_t tid, const char *key, char *out, size_t n)
{
    char name[64], line[256];
    size_t klen = strlen(key);
    int rc = -1;
    snprintf(name, sizeof name, "/proc/%d/status", (int)tid);
    FILE *f = fopen(name, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            snprintf(out, n, "%s", line + klen + 1);
            rc = 0;
            break;
        }
    fclose(f);
    return rc;
}

static pid_t status_pid(pid_t tid, const char *key)
{
    char v[32];
    return status_field(tid, key, v, sizeof v) == 0 ? (pid_t)atoi(v) : -1;
}

/* A stop from a thread we have not seen: a new thread of a traced process, or
 * the first thread of a traced fork child (--trace-children=yes). */
static struct thread *thread_new_from_stop(struct engine *g, pid_t tid)
{
    pid_t tgid = status_pid(tid, "Tgid");
    struct tracee *t = session_tracee_find(g->s, tgid);
    if (!t) {
        struct tracee *parent = session_tracee_find(g->s, status_pid(tid, "PPid"));
        if (!parent)
            parent = g->s->tracees;
        char *cmd = xstrdup(parent ? parent->cmd : "???");
        t = session_tracee_new(g->s, tgid, parent, cmd);
        free(cmd);
    }
    struct thread *th = thread_add(g, tid, t);
    /* A new thread of a translated process gets its own trace area (a forked
     * child's process has no translator state yet: see fork_setup). */
    struct dbt *d = dbt_of(g, t);
    struct diag_err e;
    if (d && !(th->dt = dbt_thread_new(d, tid, &th->sb, &e)))
        diag_warn("%s; thread %d is single-stepped", e.msg, (int)tid);
    return th;
}

static void map_regs(const struct user_regs_struct *u, struct dec_regs *r)
{
    memset(r, 0, sizeof *r);
    r->gpr[DEC_RAX] = u->rax;
    r->gpr[DEC_RCX] = u->rcx;
    r->gpr[DEC_RDX] = u->rdx;
    r->gpr[DEC_RBX] = u->rbx;
    r->gpr[DEC_RSP] = u->rsp;
    r->gpr[DEC_RBP] = u->rbp;
    r->gpr[DEC_RSI] = u->rsi;
    r->gpr[DEC_RDI] = u->rdi;
    r->gpr[DEC_R8] = u->r8;
    r->gpr[DEC_R9] = u->r9;
    r->gpr[DEC_R10] = u->r10;
    r->gpr[DEC_R11] = u->r11;
    r->gpr[DEC_R12] = u->r12;
    r->gpr[DEC_R13] = u->r13;
    r->gpr[DEC_R14] = u->r14;
    r->gpr[DEC_R15] = u->r15;
    r->gpr[DEC_RIP] = u->rip;
    r->fs_base = u->fs_base;
    r->gs_base = u->gs_base;
}

/* ymm0..15 (32 bytes each) from the XSAVE area: low halves in the legacy
 * region at 160, high halves in the AVX component at 576. */
static int read_vregs(pid_t tid, uint8_t *out)
{
    static uint8_t xs[4096];
    struct iovec iov = {xs, sizeof xs};
    if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) != 0)
        return -1;
    for (int i = 0; i < 16; i++) {
        memcpy(out + 32 * i, xs + 160 + 16 * i, 16);
        if (iov.iov_len >= 576 + 256)
            memcpy(out + 32 * i + 16, xs + 576 + 16 * i, 16);
        else
            memset(out + 32 * i + 16, 0, 16);
    }
    return 0;
}

/* Fails the run: the message is printed, the program killed (its profile so far
 * is still written when its exit is seen). */
static void fail(struct engine *g, struct thread *th, const char *msg)
{
    diag_error("%s", msg);
    g->failed = 1;
    kill(th->t->pid, SIGKILL);
}

/* Did the rep instruction that just iterated finish with a final check?  VEX
 * loops back to the instruction (one more Ir, no access) when rcx reached 0
 * and the repeat condition held; with repe/repne a failed condition leaves
 * at once. */
static int rep_final_check(const struct cons_insn *in, const struct user_regs_struct *u)
{
    uint64_t rcx = in->dec.acc[0].addr.addr32 ? (u->rcx & 0xffffffffu) : u->rcx;
    if (rcx != 0)
        return 0;
    int zf = (u->eflags >> 6) & 1;
    switch (in->dec.rep) {
    case DEC_REPE:
        return zf;
    case DEC_REPNE:
        return !zf;
    default:
        return 1;
    }
}

/* The pending instruction executed: count it, and what follows from it. */
static void commit(struct engine *g, struct thread *th, struct user_regs_struct *u)
{
    const struct cons_insn *in = th->pend;
    /* A system call the translator counts (dbt_step_deferred): the worker
     * may be counting meanwhile, so the consumer is not touched here. */
    int in_stream = th->dt && dbt_step_deferred(th->dt);
    if (!in_stream)
        cons_set_sb(th->t->cons, &th->sb); /* for this and whatever run_thread counts next */
    if (!in)
        return;
    th->pend = NULL;
    if (in_stream)
        dbt_step_ran(th->dt);
    else if (!th->pend_counted)
        cons_exec(th->t->cons, in, th->pend_addr, th->pend_present);
    th->pend_counted = 0;
    if (th->pend_rep && u && u->rip != in->addr && rep_final_check(in, u))
        cons_exec(th->t->cons, in, NULL, 0);
    if (!th->pend_syscall || !u)
        return;
    /* New or removed code: forget descriptions and symbols. */
    if ((long long)u->rax >= 0 &&
        (th->sysno == SYS_munmap || th->sysno == SYS_mremap || th->sysno == SYS_mmap ||
         th->sysno == SYS_mprotect || th->sysno == SYS_pkey_mprotect))
        if (session_maps_syscall(g->s, th->t) && dbt_of(g, th->t))
            dbt_invalidate(dbt_of(g, th->t));
    /* Its CPUs as the program would see them without us (core/cpus.h). */
    uint8_t mask[128];
    uint64_t pid = th->sysargs[0];
    if (th->sysno == SYS_sched_getaffinity && (long long)u->rax > 0 &&
        (pid == 0 || pid == (uint64_t)th->tid || pid == (uint64_t)th->t->pid) &&
        cpus_program_mask(mask, u->rax)) {
        ssize_t w = pwrite(th->t->memfd, mask, u->rax, (off_t)th->sysargs[2]);
        (void)w; /* if it fails, the program sees the one CPU it runs on */
    }
    if (th->sysno == SYS_rt_sigreturn && th->n_saved)
        th->sb = th->sb_saved[--th->n_saved];
    int64_t ret = (int64_t)u->rax;
    if (session_syscall_done(g->s, th->t, th->sysno, th->sysargs, &ret)) {
        u->rax = (uint64_t)ret;
        ptrace(PTRACE_SETREGS, th->tid, 0, u);
    }
}

static int signal_caught(pid_t tid, int sig);

/* A handler is about to run on th: keep the interrupted superblock state. */
static void handler_enter(struct thread *th)
{
    if (th->n_saved == sizeof th->sb_saved / sizeof *th->sb_saved) {
        /* Handlers that never return (longjmp) leave entries behind. */
        memmove(th->sb_saved, th->sb_saved + 1, sizeof th->sb_saved - sizeof *th->sb_saved);
        th->n_saved--;
    }
    th->sb_saved[th->n_saved++] = th->sb;
    memset(&th->sb, 0, sizeof th->sb);
}

/* Registers u after a system call's step: will the kernel restart it (its
 * restart codes, which a program never sees)? */
static int restarts(const struct user_regs_struct *u)
{
    int64_t r = (int64_t)u->rax;
    return (int64_t)u->orig_rax >= 0 && (r == -512 || r == -513 || r == -514 || r == -516);
}

/* The system call such a restart makes: the same, or restart_syscall for
 * -ERESTART_RESTARTBLOCK (nanosleep and friends). */
static uint64_t restarted_nr(const struct user_regs_struct *u)
{
    return (int64_t)u->rax == -516 ? (uint64_t)SYS_restart_syscall : u->orig_rax;
}

/* Steps th's pending instruction, delivering signal sig (0: none) first.  If
 * a handler runs, stepping stops at its first instruction and the pending one
 * runs after sigreturn, so it is not counted now.  Otherwise it runs now (or
 * the program dies). */
static void step_with(struct thread *th, int sig)
{
    if (sig && signal_caught(th->tid, sig)) {
        th->pend = NULL;
        handler_enter(th);
    }
    ptrace(PTRACE_SINGLESTEP, th->tid, 0, (void *)(long)sig);
}

/* The thread is stopped after a step (or at its start): count what executed,
 * then evaluate the next instruction and step it -- or, with the translator,
 * run it translated when it can be.  sig: a signal for the program to deliver
 * before that instruction (it left translated code to take it), or 0. */
static void run_thread(struct engine *g, struct thread *th, int sig)
{
    struct session *s = g->s;
    struct tracee *t = th->t;
    struct user_regs_struct u;
    struct diag_err e;

    if (g->forks && g->dbt && !th->dt && th->tid == t->pid && !dbt_of(g, t))
        fork_setup(g, th);
    if (ptrace(PTRACE_GETREGS, th->tid, 0, &u) != 0)
        return; /* it died meanwhile: its exit is reported next */
    /* The first step from an event stop (fork, clone, exec) stops before the
     * instruction ran (the kernel reports the step at the system call's
     * exit): nothing executed, nothing to count. */
    if (th->after_event && th->pend && u.rip == th->pend->addr)
        th->pend = NULL;
    th->after_event = 0;
    int was_syscall = th->pend && th->pend_syscall;
    commit(g, th, &u);
    /* A system call interrupted by a signal (the step reported with one of
     * the kernel's restart codes in rax): unless a handler runs first, the
     * kernel restarts it when the thread goes on, moving rip back over the
     * syscall instruction, which then runs again -- so that is what is
     * pending, and the thread stays out of translated code, where rip - 2 is
     * not an instruction.  In a program with threads a process signal can
     * interrupt one thread's futex and be taken by another: nothing then
     * stops the restart, which sent the translator's threads into the
     * padding between blocks (SIGTRAP). */
    struct cons_insn *again = was_syscall && restarts(&u) ? session_insn(s, t, u.rip - 2, &e) : NULL;
    int restart = again && again->dec.flow == DEC_FLOW_SYSCALL;
    if (restart && th->dt)
        dbt_stay(th->dt);

    for (;;) {
        /* (Only the first instruction can be a restart, which is stepped.) */
        struct cons_insn *in = restart ? again : session_insn(s, t, u.rip, &e);
        if (!in) {
            fail(g, th, e.msg);
            return;
        }
        const struct dec_insn *d = &in->dec;
        if (g->dbt && th->dt && !sig && !restart) {
            int r = dbt_enter(th->dt, &u, &e);
            if (r < 0) {
                fail(g, th, e.msg);
                return;
            }
            if (r > 0) {
                th->in_cache = 1;
                ptrace(PTRACE_CONT, th->tid, 0, 0);
                return;
            }
        }
        if (d->flow == DEC_FLOW_CPUID && !sig) {
            uint64_t r[4];
            cons_exec(t->cons, in, NULL, 0);
            session_cpuid(s, (uint32_t)u.rax, (uint32_t)u.rcx, r);
            u.rax = r[0];
            u.rbx = r[1];
            u.rcx = r[2];
            u.rdx = r[3];
            u.rip += d->len;
            ptrace(PTRACE_SETREGS, th->tid, 0, &u);
            continue;
        }
        uint64_t tsc;
        if (d->flow == DEC_FLOW_RDTSC && !sig && session_rdtsc(s, t, &tsc)) {
            cons_exec(t->cons, in, NULL, 0);
            u.rax = tsc & 0xffffffffu;
            u.rdx = tsc >> 32;
            if (in->bytes[2] == 0xf9) /* rdtscp: TSC_AUX in ecx */
                u.rcx = 0;
            u.rip += d->len;
            ptrace(PTRACE_SETREGS, th->tid, 0, &u);
            continue;
        }
        if (d->special && d->flow != DEC_FLOW_CLREQ && !sig) {
            /* Valgrind's other 19-byte markers (get NRADDR, call-noredir, inject
             * IR): no-ops natively, one instruction to Cachegrind. */
            cons_exec(t->cons, in, NULL, 0);
            u.rip += d->len;
            ptrace(PTRACE_SETREGS, th->tid, 0, &u);
            continue;
        }
        if (d->flow == DEC_FLOW_CLREQ && !sig) {
            uint64_t args[6] = {0};
            cons_exec(t->cons, in, NULL, 0);
            if (proc_read(t->memfd, u.rax, args, sizeof args) == sizeof args)
                u.rdx = session_clreq(s, t, args, u.rdx);
            u.rip += d->len;
            ptrace(PTRACE_SETREGS, th->tid, 0, &u);
            continue;
        }

        struct dec_regs r;
        uint8_t vregs[16 * 32];
        map_regs(&u, &r);
        if (d->needs_vregs && read_vregs(th->tid, vregs) == 0)
            r.vregs = vregs;
        th->pend = in;
        th->pend_present = 0;
        th->pend_rep = 0;
        /* A rep instruction with rcx == 0 is only its check: one Ir, no access. */
        uint64_t rcx = d->rep && d->acc[0].addr.addr32 ? (u.rcx & 0xffffffffu) : u.rcx;
        if (!d->rep || rcx != 0) {
            th->pend_rep = d->rep != DEC_REP_NONE;
            for (unsigned i = 0; i < d->n_acc; i++)
                th->pend_present |= (uint64_t)dec_eval(d, i, &r, &th->pend_addr[i]) << i;
        }
        if (g->dbt && th->dt && dbt_sets_gs(in, &u)) {
            fail(g, th, "the program sets its gs base (wrgsbase or arch_prctl(ARCH_SET_GS)), "
                        "which the translator uses: run it with --engine=step");
            return;
        }
        th->pend_syscall = d->flow == DEC_FLOW_SYSCALL;
        th->sysno = restart ? restarted_nr(&u) : u.rax;
        th->sysargs[0] = u.rdi;
        th->sysargs[1] = u.rsi;
        th->sysargs[2] = u.rdx;
        th->sysargs[3] = u.r10;
        th->sysargs[4] = u.r8;
        th->sysargs[5] = u.r9;
        /* A program that makes threads runs wherever it likes from now on
         * (threads it makes, and children it forks after, inherit that), as
         * it would natively.  A process it forks keeps its CPU when it is
         * traced too (core/cpus.h); one that is not runs as it would
         * natively, on every CPU. */
        if (th->pend_syscall && (makes_thread(t, th->sysno, u.rdi) ||
                                 (!g->s->opt->trace_children && makes_process(th->sysno))))
            cpus_release(th->tid);
        if (th->pend_syscall && th->sysno == SYS_sched_setaffinity)
            cpus_program_sets();
        break;
    }
    step_with(th, sig);
}

/* Does tid's process catch sig with a handler (SigCgt in /proc status)? */
static int signal_caught(pid_t tid, int sig)
{
    char v[64];
    if (status_field(tid, "SigCgt", v, sizeof v) != 0)
        return 0;
    return (strtoull(v, NULL, 16) >> (sig - 1)) & 1;
}

/* A process is at its exec: let the session prepare it (--deterministic). */
static void exec_stop(struct engine *g, struct thread *th)
{
    struct user_regs_struct u;
    if (ptrace(PTRACE_GETREGS, th->tid, 0, &u) != 0)
        return;
    uint64_t sp = session_exec_stop(g->s, th->t, u.rsp);
    if (sp != u.rsp) {
        u.rsp = sp;
        ptrace(PTRACE_SETREGS, th->tid, 0, &u);
    }
}

/* Is this SIGTRAP the end of our single step (or a handler entry after a step
 * delivered a signal), rather than a trap the program raised itself? */
static int is_step_trap(pid_t tid)
{
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) != 0)
        return 1;
    return si.si_code > 0 && si.si_code != SI_KERNEL;
}

static void on_event(struct engine *g, struct thread *th, int event)
{
    unsigned long msg = 0;
    switch (event) {
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
        /* The child inherits the counts up to and including the fork itself
         * (Valgrind counts an instruction before it runs), copied now rather
         * than at the child's first stop, when the parent may have run on. */
        ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &msg);
        if (th->pend && !th->pend_counted) {
            cons_set_sb(th->t->cons, &th->sb);
            cons_exec(th->t->cons, th->pend, th->pend_addr, th->pend_present);
            th->pend_counted = 1;
        }
        if (!session_tracee_find(g->s, (pid_t)msg))
            session_tracee_new(g->s, (pid_t)msg, th->t, th->t->cmd);
        /* A fork child (not vfork: that one shares our memory) can get a code
         * cache of its own; until then, and for vfork, it is stepped. */
        if (event == PTRACE_EVENT_FORK && dbt_of(g, th->t)) {
            struct fork_note *f = xcalloc(1, sizeof *f);
            f->pid = (pid_t)msg;
            dbt_layout_of(dbt_of(g, th->t), &f->layout);
            f->next = g->forks;
            g->forks = f;
        }
        break;
    case PTRACE_EVENT_CLONE:
        /* The thread's own first stop arrives separately (thread_new_from_stop). */
        break;
    case PTRACE_EVENT_EXEC: {
        ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &msg);
        /* Other threads of the process are gone. */
        for (struct thread *o = g->threads, *next; o; o = next) {
            next = o->next;
            if (o != th && o->t == th->t)
                thread_remove(g, o);
        }
        th->tid = th->t->pid;
        th->pend = NULL;
        /* The old image's records count for it; its code cache is gone. */
        if (th->dt) {
            dbt_thread_end(th->dt);
            th->dt = NULL;
        }
        th->in_cache = 0;
        dbt_drop(g, th->t, 0);
        if (!session_exec(g->s, th->t)) {
            /* Not following exec: the new program runs natively. */
            ptrace(PTRACE_DETACH, th->tid, 0, 0);
            thread_remove(g, th);
            return;
        }
        cpus_pin_exec(th->tid);
        exec_stop(g, th);
        dbt_setup(g, th);
        break;
    }
    default:
        break;
    }
    run_thread(g, th, 0);
    th->after_event = !th->in_cache;
}

int step_run(struct session *s, pid_t pid, const char *cmd)
{
    struct engine g = {.s = s, .dbt = s->opt->engine == ENGINE_DBT, .main_pid = pid, .main_status = 0};
    long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE |
                PTRACE_O_TRACEEXEC;
    if (s->opt->trace_children)
        opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
    if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)opts) != 0)
        diag_die(EXIT_FAIL, "ptrace(SETOPTIONS): %s", strerror(errno));
    install_handlers();

    struct tracee *t = session_tracee_new(s, pid, NULL, cmd);
    struct thread *th = thread_add(&g, pid, t);
    exec_stop(&g, th);
    dbt_setup(&g, th);
    run_thread(&g, th, 0);

    int main_done = 0;
    while (g.threads || !main_done) {
        int st;
        pid_t tid = waitpid(-1, &st, __WALL);
        if (tid < 0) {
            if (errno == EINTR) {
                if (pending_signal) {
                    kill(g.main_pid, pending_signal);
                    pending_signal = 0;
                }
                continue;
            }
            break; /* ECHILD: nothing left */
        }
        struct thread *th = thread_find(&g, tid);
        /* A system call counted through the stream (dbt_step_deferred) that
         * ran: nothing is counted here, so nothing waits.  Anything else
         * happening to that thread first is counted as usual, after what it
         * recorded. */
        int in_stream = th && th->dt && dbt_step_deferred(th->dt);
        if (in_stream && !(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && (st >> 16) == 0 &&
                           is_step_trap(tid))) {
            dbt_undefer(th->dt);
            in_stream = 0;
        }
        /* Counting in the order things happened: what the worker threads
         * still count comes before anything counted here. */
        if (!in_stream && (!th || !th->in_cache || !WIFSTOPPED(st)))
            for (struct proc_dbt *p = g.dbts; p; p = p->next)
                dbt_sync(p->d);
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            if (th) {
                /* The exit system call itself ran (Cachegrind counts it). */
                if (th->pend && th->pend_syscall)
                    commit(&g, th, NULL);
                thread_remove(&g, th);
            }
            struct tracee *tr = session_tracee_find(s, tid);
            if (tr) {
                for (struct thread *o = g.threads, *next; o; o = next) {
                    next = o->next;
                    if (o->t == tr)
                        thread_remove(&g, o);
                }
                dbt_drop(&g, tr, session_last(s, tr));
                session_tracee_exit(s, tr, st);
            }
            if (tid == g.main_pid) {
                g.main_status = st;
                main_done = 1;
            }
            continue;
        }
        if (!WIFSTOPPED(st))
            continue;
        int sig = WSTOPSIG(st), event = st >> 16;
        if (!th) {
            /* First stop of a new thread or traced child: its SIGSTOP is ours. */
            th = thread_new_from_stop(&g, tid);
            run_thread(&g, th, 0);
            continue;
        }
        if (event) {
            on_event(&g, th, event);
            continue;
        }
        if (th->in_cache) {
            struct user_regs_struct u;
            struct diag_err e;
            switch (dbt_stop(th->dt, sig, &u, &e)) {
            case DBT_RESUME:
                ptrace(PTRACE_CONT, tid, 0, 0);
                break;
            case DBT_STEP:
                th->in_cache = 0;
                run_thread(&g, th, 0);
                break;
            case DBT_SIGNAL:
                th->in_cache = 0;
                run_thread(&g, th, sig);
                break;
            case DBT_ERROR:
                th->in_cache = 0;
                fail(&g, th, e.msg);
                break;
            }
            continue;
        }
        /* A SIGTRAP after a plain instruction is our step's; only after a
         * trap or a system call (kill, tgkill) could it be the program's own. */
        if (sig == SIGTRAP &&
            (th->pend && th->pend->dec.flow != DEC_FLOW_TRAP && th->pend->dec.flow != DEC_FLOW_SYSCALL
                 ? 1 : is_step_trap(tid))) {
            run_thread(&g, th, 0);
            continue;
        }
        /* A signal for the program, arrived before the pending instruction ran. */
        step_with(th, sig);
    }
    while (g.forks) {
        struct fork_note *f = g.forks;
        g.forks = f->next;
        free(f);
    }
    if (!main_done)
        return EXIT_FAIL;
    return g.failed ? EXIT_FAIL : proc_exit_status(g.main_status);
}
