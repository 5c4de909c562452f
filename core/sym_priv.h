/* sym_priv.h - the symbolizer's internal pieces, shared by core/sym.c,
 * core/sym_elf.c, core/sym_line.c and core/sym_sect.c.  Not a public surface:
 * only those files and the symbolizer's own tests include it.
 *
 * Owns: the per-object tables in link-time ("stated", svma) addresses - the
 * symbol table after Cachegrind's canonicalisation and the line table after
 * Cachegrind's DWARF line reader - and the functions that build them from
 * ELF files (sym_elf.c, sym_line.c, and sym_sect.c for the DWARF sections).  A loaded object's tables do not depend on where it is mapped,
 * so they survive sym_invalidate and are reused when a file is mapped again.
 * Must not: read /proc, know about processes, print or exit.
 */
#ifndef CACHESIM_SYM_PRIV_H
#define CACHESIM_SYM_PRIV_H
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

#include "core/base/intern.h"

/* An address range [lo, hi) in link-time addresses. */
struct sym_range {
    uint64_t lo, hi;
};

/* One line-table entry: [addr, addr+size) is line `line` of file. */
struct sym_lent {
    uint64_t addr;
    uint32_t size;
    uint32_t line;
    const char *file; /* "dir/file" as Cachegrind prints it (interned) */
};

/* The line table of one object, as Cachegrind builds it (see sym_line.c). */
struct sym_lines {
    struct sym_lent *v;
    size_t n, cap;
};

/* The bytes of a section, decompressed; len 0 if absent. */
struct sym_sect {
    const uint8_t *p;
    size_t len;
};

/* An object's DWARF being read (sym_sect.c): the sections the line reader
 * needs, decompressed; .debug_info may still be inflating in a second thread
 * until sym_dwarf_elf.  elf must stay open until sym_dwarf_close. */
struct sym_dwarf;
struct sym_dwarf *sym_dwarf_open(Elf *elf);
/* A section other than .debug_info, ready at once (len 0 if absent). */
struct sym_sect sym_dwarf_section(struct sym_dwarf *d, const char *name);
/* Waits for .debug_info; the ELF libdw should read: elf itself, or an
 * in-memory image of just the needed sections.  NULL if .debug_info does not
 * decompress (no DWARF). */
Elf *sym_dwarf_elf(struct sym_dwarf *d);
void sym_dwarf_close(struct sym_dwarf *d);

/* Appends the line information of every compile unit in dw to lines.  rx
 * lists the executable segments, entries outside them are dropped as
 * Cachegrind drops them.  Returns 0, or -1 if there is no usable DWARF (lines
 * then stays as it was). */
int sym_lines_read(struct sym_lines *lines, struct sym_dwarf *dw, const struct sym_range *rx, size_t nrx,
                   struct intern *strs);
/* Sorts the table and trims overlaps (Cachegrind's canonicalisation). */
void sym_lines_finish(struct sym_lines *lines);
/* The entry containing addr, or NULL. */
const struct sym_lent *sym_lines_find(const struct sym_lines *lines, uint64_t addr);
void sym_lines_release(struct sym_lines *lines);

/* One symbol of the canonical table: disjoint, sorted ranges. */
struct sym_fsym {
    uint64_t addr, size;
    const char *raw;   /* the preferred ELF name (interned), before demangling */
    const char *shown; /* demangled and renamed (interned), filled on first use */
    int is_text;
};

/* Everything known about one ELF object. */
struct sym_obj {
    int usable;               /* 0: not an ELF object we can read: all "???" */
    struct sym_range *rx;     /* executable PT_LOAD segments, page-rounded */
    size_t nrx;
    int text_present;         /* the .text section: the only place with lines */
    struct sym_range text;
    struct sym_fsym *syms;
    size_t nsyms;
    struct sym_lines lines;
};

/* Loads the object whose main ELF image is elf (a file or a memory image).
 * path is where the main file lives (for .gnu_debuglink search; NULL for a
 * memory image).  Never fails: an unreadable object gives an empty table. */
void sym_obj_load(struct sym_obj *o, Elf *elf, const char *path, struct intern *strs);
void sym_obj_release(struct sym_obj *o);

/* Bias of the object mapped at [start, start+size) from file offset foff:
 * runtime address = link-time address + bias.  Returns 0 and sets *bias, or
 * -1 if no PT_LOAD segment starts inside the mapping. */
int sym_obj_bias(Elf *elf, uint64_t start, uint64_t size, uint64_t foff, uint64_t *bias);

/* The section after scn (NULL: the first) whose header and name can be read,
 * with them in *sh and *name; NULL after the last. */
Elf_Scn *sym_next_section(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, const char **name);

/* The canonical symbol containing addr (text or not), or NULL. */
struct sym_fsym *sym_obj_find_sym(struct sym_obj *o, uint64_t addr);

/* Cachegrind's choice between two names of one address range: nonzero if a
 * is preferred to b (exposed for the unit tests). */
int sym_prefer_name(const char *a, const char *b);

/* GNU debuglink CRC-32 of a buffer (exposed for the unit tests). */
uint32_t sym_crc32(uint32_t crc, const void *buf, size_t len);
#endif
