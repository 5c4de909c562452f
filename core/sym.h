/* sym.h - the symbolizer: code address -> (file, function, line), as Cachegrind names them.
 *
 * Owns: libdw/libdwfl sessions over the traced process's mapped ELF files,
 * separate debug info (build-id under /usr/lib/debug, .gnu_debuglink), demangling
 * (C++ and Rust legacy and v0), Cachegrind's fallbacks and renames.
 * Must not: know about engines, caches or profiles; print or exit.
 *
 * Naming rules (Cachegrind's, reference cachegrind.md §1 and §6):
 * - file = DWARF line table's directory + "/" + file name (no normalisation; a
 *   relative directory stays relative, so glibc gives "./elf/../sysdeps/...");
 *   unknown -> "???" and line 0;
 * - function = the ELF symbol containing the address (outer, non-inlined),
 *   demangled, symbol versions kept as Valgrind shows them; unknown -> "???";
 * - __libc_start_main, __libc_start_call_main, generic_start_main*, _start and
 *   __libc_start_main.* (exact names) become "(below main)".
 * It is called once per static instruction; speed matters but it is not a hot path.
 * Implementation: core/sym.c, core/sym_elf.c, core/sym_line.c, core/sym_sect.c;
 * every rule, the vDSO and unknown-code choices and the remaining differences:
 * docs/symbols.md.
 */
#ifndef CACHESIM_SYM_H
#define CACHESIM_SYM_H
#include <stdint.h>
#include <sys/types.h>

#include "core/base/diag.h"

struct sym;

/* A result.  The strings are owned by the struct sym and live until sym_free
 * (interned: equal names are the same pointer). */
struct sym_loc {
    const char *file;
    const char *fn;
    unsigned long line;
};

/* Symbolizer for process pid (normally stopped under ptrace); reads
 * /proc/PID/maps lazily.  NULL on failure with a message. */
struct sym *sym_new(pid_t pid, struct diag_err *e);
void sym_free(struct sym *s);

/* Looks addr up.  Never fails: unknown parts get "???" / line 0. */
void sym_lookup(struct sym *s, uint64_t addr, struct sym_loc *out);

/* Whether sym_lookup(s, addr) would find addr's object read, instead of
 * waiting for a thread still reading it.  An object not read yet starts
 * being read in a thread of its own (as sym_prefetch does), so a caller that
 * can name addr later (the consumer, cons_insn_add) need not wait at all. */
int sym_ready(struct sym *s, uint64_t addr);

/* The process's mappings changed (exec, mmap/munmap of code, dlopen/dlclose):
 * drop what was reported; the next lookup re-reads /proc/PID/maps.  After an
 * exec, pass the (same) pid again. */
void sym_invalidate(struct sym *s, pid_t pid);

/* New code was mapped (a shared library, say): starts reading the objects
 * of pid's executable mappings that are not read yet, each in a thread of
 * its own, so that the first lookup there (which waits for it) finds it
 * done or nearly.  Call it while pid is stopped right after the change. */
void sym_prefetch(struct sym *s);

/* The symbol store (docs/symbols.md): the tables of large objects kept in
 * the cache directory (core/dcache.h) for later runs.  On unless turned off
 * here before any object is read. */
void sym_store_enable(int on);
/* How many objects this process found there, and how many it wrote. */
void sym_store_stats(uint64_t *found, uint64_t *written);

/* Demangles a C++ or Rust (legacy or v0) symbol as Valgrind shows it; returns a
 * malloc'd string, or NULL if name is not mangled. */
char *sym_demangle(const char *name);

#endif
