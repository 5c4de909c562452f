/* stackalign.h - start the program with its stack where Cachegrind's would be,
 * modulo 64 KiB.
 *
 * Valgrind builds its client's initial stack itself (argc, argv, envp, auxv and
 * the strings, below a page boundary), so under Cachegrind the stack pointer
 * at the first instruction has a different offset within the page than
 * natively -- and stack accesses land in different cache sets and lines.  To
 * give exactly Cachegrind's miss counts, we compute the stack pointer Valgrind
 * 3.19 (as Debian runs it: the `valgrind` wrapper adds LD_LIBRARY_PATH,
 * GLIBCXX_FORCE_NEW, GLIBCPP_FORCE_NEW and, through /bin/sh, PWD; the core adds
 * LD_PRELOAD) would give this argv and environment, and move the initial
 * vectors (argc .. auxv) down so that our stack pointer is congruent to it
 * modulo 64 KiB.  The strings stay where they are; every pointer stays valid.
 * Must not: change anything but the initial stack pointer's position.
 */
#ifndef CACHESIM_STACKALIGN_H
#define CACHESIM_STACKALIGN_H
#include <stdint.h>

#define STACKALIGN_SPAN 65536u

/* Valgrind's initial client stack pointer modulo STACKALIGN_SPAN for a
 * program whose kernel-built initial stack starts at rsp (read through memfd),
 * started from directory cwd.  -1 on a read failure. */
int64_t stackalign_valgrind_offset(int memfd, uint64_t rsp, const char *cwd);

/* Moves the initial vectors at rsp down so the new stack pointer is congruent
 * to offset modulo STACKALIGN_SPAN; returns the new stack pointer, or rsp
 * unchanged if it cannot (the caller then just runs with the native layout). */
uint64_t stackalign_move(int memfd, uint64_t rsp, uint64_t offset);
#endif
