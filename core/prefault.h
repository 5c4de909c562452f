/* prefault.h - memory about to be written, faulted in by a helper thread.
 *
 * Why: a fresh page costs a fault when first written, 2.5 us (anonymous) to
 * 4.1 us (the translator's shared code memory) on the VMs measured, and a
 * fifth of the engine thread's start was such faults: the code it emits,
 * the consumer's records, the indirect-branch table.  Faulting them in
 * ahead costs as much (MADV_POPULATE_WRITE: 2.0-3.3 us a page), but in a
 * helper thread it is done on the other CPU, which has little to do while
 * the program starts (docs/performance.md).
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
#endif
