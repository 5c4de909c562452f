/* cachesim.h - client requests for programs profiled with cachesim.
 *
 * Header only; include it, nothing to link.  Installed by `make install`
 * (pkg-config name "cachesim": `cc $(pkg-config --cflags cachesim) ...`).
 *
 * A program marks the part worth measuring:
 *
 *     #include <cachesim.h>
 *     ...
 *     CACHESIM_START_INSTRUMENTATION;   // run with --instr-at-start=no
 *     benchmark();
 *     CACHESIM_STOP_INSTRUMENTATION;
 *
 *   CACHESIM_START_INSTRUMENTATION   count from here on
 *   CACHESIM_STOP_INSTRUMENTATION    stop counting (cache state is kept)
 *   CACHESIM_TOGGLE_COLLECT          flip counting on/off
 *   CACHESIM_ZERO_STATS              set every count to zero
 *   CACHESIM_DUMP_STATS              write the profile so far, then zero
 *   CACHESIM_DUMP_STATS_AT(str)      the same, with str naming the dump
 *   RUNNING_ON_CACHESIM              nonzero under cachesim, 0 otherwise
 *
 * Each macro is one Valgrind client request on x86-64: the six-word block
 * {request, arg1..arg5} is passed by address in RAX, the default result in
 * RDX, then the marker sequence
 *     48 c1 c7 03   rol $3,  %rdi
 *     48 c1 c7 0d   rol $13, %rdi
 *     48 c1 c7 3d   rol $61, %rdi
 *     48 c1 c7 33   rol $51, %rdi      (3+13+61+51 = 128: RDI unchanged)
 *     48 87 db      xchg %rbx, %rbx    ("do a client request")
 * leaves the result in RDX.  On a real CPU the sequence does nothing and RDX
 * keeps the default 0, so the program runs natively at full speed.  The
 * request codes are Callgrind's (('C' << 24) | ('T' << 16)) + 0..5, so a
 * program built with this header behaves the same under cachesim and under
 * `valgrind --tool=callgrind` (Callgrind's --instr-atstart=no is cachesim's
 * --instr-at-start=no).  Cachesim counts the sequence as one instruction,
 * like Valgrind.
 *
 * RUNNING_ON_CACHESIM uses a request of its own, ('C' << 24) | ('S' << 16):
 * cachesim answers 1, a CPU and Valgrind's tools leave the default 0 (Valgrind
 * ignores request codes no tool claims, silently unless run with -v -v -v).
 * Unlike Valgrind's RUNNING_ON_VALGRIND, which cachesim answers with 0 so that
 * programs take their native paths, use it to label output, not to change
 * what the program does: that would change what is measured.
 *
 * On other architectures or compilers without GNU inline assembly, and when
 * CACHESIM_NO_CLIENT_REQUESTS is defined, every macro compiles to the default
 * result (0) and emits no code.  Works in C (C89 with GNU extensions and
 * later) and C++.
 */
#ifndef CACHESIM_H
#define CACHESIM_H

#define CACHESIM_REQ_DUMP_STATS            0x43540000UL /* ('C' << 24) | ('T' << 16) */
#define CACHESIM_REQ_ZERO_STATS            0x43540001UL
#define CACHESIM_REQ_TOGGLE_COLLECT        0x43540002UL
#define CACHESIM_REQ_DUMP_STATS_AT         0x43540003UL
#define CACHESIM_REQ_START_INSTRUMENTATION 0x43540004UL
#define CACHESIM_REQ_STOP_INSTRUMENTATION  0x43540005UL
#define CACHESIM_REQ_RUNNING               0x43530000UL /* ('C' << 24) | ('S' << 16) */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CACHESIM_NO_CLIENT_REQUESTS)
/* Issues request req with arguments a1..a5; returns what the tool puts in
 * RDX, or dflt when nothing intercepts the sequence.  Always inlined so the
 * marker sits at the call site, as with Valgrind's own macros. */
static __inline__ __attribute__((__always_inline__, __unused__)) unsigned long
cachesim_client_request(unsigned long dflt, unsigned long req, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5)
{
    /* volatile: the tool reads the block through RAX, which the compiler
     * cannot see; the stores must happen, in full, before the marker. */
    volatile unsigned long block[6];
    unsigned long result;
    block[0] = req;
    block[1] = a1;
    block[2] = a2;
    block[3] = a3;
    block[4] = a4;
    block[5] = a5;
    __asm__ __volatile__("rolq $3, %%rdi\n\t"
                         "rolq $13, %%rdi\n\t"
                         "rolq $61, %%rdi\n\t"
                         "rolq $51, %%rdi\n\t"
                         "xchgq %%rbx, %%rbx"
                         : "=d"(result)
                         : "a"(&block[0]), "0"(dflt)
                         : "cc", "memory");
    return result;
}
#define CACHESIM_CLIENT_REQUEST_(dflt, req, a1) \
    cachesim_client_request((dflt), (req), (a1), 0, 0, 0, 0)
#else
#define CACHESIM_CLIENT_REQUEST_(dflt, req, a1) ((void)(a1), (unsigned long)(dflt))
#endif

#define CACHESIM_START_INSTRUMENTATION \
    ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_START_INSTRUMENTATION, 0))
#define CACHESIM_STOP_INSTRUMENTATION \
    ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_STOP_INSTRUMENTATION, 0))
#define CACHESIM_TOGGLE_COLLECT ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_TOGGLE_COLLECT, 0))
#define CACHESIM_ZERO_STATS ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_ZERO_STATS, 0))
#define CACHESIM_DUMP_STATS ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_DUMP_STATS, 0))
/* str: a NUL-terminated string the tool may read during the request. */
#define CACHESIM_DUMP_STATS_AT(str) \
    ((void)CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_DUMP_STATS_AT, (unsigned long)(const void *)(str)))
/* An unsigned long: 1 under cachesim, 0 natively and under Valgrind. */
#define RUNNING_ON_CACHESIM (CACHESIM_CLIENT_REQUEST_(0, CACHESIM_REQ_RUNNING, 0))

#endif
