/* prefault.h - memory about to be written, faulted in by a helper thread.
 *
 * Why: a fresh page costs a fault when first written, 2.5 us (anonymous) to
 * 4.1 us (the translator's shared code memory) on the VMs first measured,
 * 9.5 us on a VM whose hypervisor keeps shadow page tables, where a page
 * populated by MADV_POPULATE_WRITE (0.5 us) still costs 4 us at its first
 * touch by any thread of the process.  A fifth of the engine thread's start
 * was such faults: the code it emits, the consumer's records, the heap, the
 * indirect-branch table.  The helper populates and touches them on the
 * other CPU, which has little to do while the program starts
 * (docs/performance.md).
 *
 * Owns: one helper thread (started at the first request, on the helpers'
 * CPUs: core/cpus.h) and its queue of ranges.
 * Must not: change a byte of memory (the kernel maps the pages, their
 * contents stay), make a caller wait, or fail: a request that finds the
 * queue full is dropped, and on a kernel without MADV_POPULATE_WRITE (before
 * Linux 5.14) nothing is done; the writer then takes its faults as before.
 */
#ifndef CACHESIM_PREFAULT_H
#define CACHESIM_PREFAULT_H
#include <stddef.h>

/* Asks for the whole pages of [p, p + n) to be populated soon.  Memory
 * unmapped or reused by then is harmless: no byte changes, at worst a page
 * nobody needed is mapped. */
void prefault(void *p, size_t n);

/* Reads a byte of each page of [p, p + n) (on a VM with shadow page tables
 * this maps the page there too: see prefault.c), in the calling thread, up
 * to the first page that cannot be read; returns how many were read.  The
 * fault that stops it is caught (SIGSEGV and SIGBUS handlers, installed at
 * the first call, that give any other fault its old disposition); so the
 * helper survives memory unmapped while it works.  The calling thread must
 * not block SIGSEGV or SIGBUS. */
size_t prefault_touch(void *p, size_t n);
/* Asks for what the heap (the main arena, grown by brk) gained since the
 * last call: called by the engine thread at every stop, with malloc's top
 * pad at 256 KiB (core/main.c), so most of what the next translations
 * allocate is populated before they write it.  zlib's driver on 1 KiB:
 * -22 +- 2.7 ms; /bin/true -12.4 +- 1.3 ms (30 pairs each). */
void prefault_heap(void);
#endif
