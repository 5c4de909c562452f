/* sym_priv.h - the symbolizer's internal pieces, shared by core/sym.c,
 * core/sym_elf.c, core/sym_line.c, core/sym_unit.c and core/sym_sect.c.
 * Not a public surface: only those files and the symbolizer's own tests
 * include it.
 *
 * Owns: the per-object tables in link-time ("stated", svma) addresses - the
 * symbol table after Cachegrind's canonicalisation and the line table after
 * Cachegrind's DWARF line reader - and the functions that build them from
 * ELF files (sym_elf.c, sym_line.c, sym_unit.c for the compile units and
 * sym_sect.c for the DWARF sections).  A loaded object's tables do not
 * depend on where it is mapped, so they survive sym_invalidate and are
 * reused when a file is mapped again.
 * Must not: read /proc, know about processes, print or exit.
 */
#ifndef CACHESIM_SYM_PRIV_H
#define CACHESIM_SYM_PRIV_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <gelf.h>
#include <libelf.h>

#include "core/base/intern.h"

/* An address range [lo, hi) in link-time addresses. */
struct sym_range {
    uint64_t lo, hi;
};

/* One line-table entry: [addr, addr+size) is line `line` of file.  16
 * bytes: glibc's table has well over a hundred thousand entries. */
struct sym_lent {
    uint64_t addr;
    uint32_t size : 12; /* Valgrind's limit too: at most 4095 */
    uint32_t line : 20; /* likewise: at most 2^20 - 1 */
    uint32_t file;      /* intern id of "dir/file" as Cachegrind prints it */
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

/* An object's DWARF being read (sym_sect.c).  elf must stay open until
 * sym_dwarf_close.  The sections are decompressed when first asked for; two
 * threads may ask at once for different sections. */
struct sym_dwarf;
struct sym_dwarf *sym_dwarf_open(Elf *elf);
/* Nonzero if the sections are read here (sym_unit.c, sym_line.c); zero if
 * libdw must read the file as it is (dwz alternate file, 32-bit file). */
int sym_dwarf_own(const struct sym_dwarf *d);
/* A whole section (len 0 if absent or broken).  Without sym_dwarf_own, in
 * one thread only (libelf decompresses it), and not .debug_info. */
struct sym_sect sym_dwarf_section(struct sym_dwarf *d, const char *name);
/* Nonzero if sym_dwarf_section(d, name) will have to inflate. */
int sym_dwarf_inflates(const struct sym_dwarf *d, const char *name);
/* Frees a section's decompressed bytes before sym_dwarf_close. */
void sym_dwarf_drop(struct sym_dwarf *d, const char *name);
/* The ELF libdw should read: elf itself, or an in-memory image of just the
 * needed sections, decompressed.  NULL if .debug_info does not decompress
 * (no DWARF). */
Elf *sym_dwarf_elf(struct sym_dwarf *d);
void sym_dwarf_close(struct sym_dwarf *d);

/* Big scratch buffers, mapped and unmapped directly: a large block given
 * back with free() raises glibc's mmap threshold, and the next blocks of
 * that size then come from the heap and stay in the process's memory. */
void *sym_map(size_t n); /* NULL if there is no memory */
void sym_unmap(void *p, size_t n);

/* The compile units of an object (sym_unit.c): each full compile unit that
 * has a DW_AT_stmt_list, in .debug_info order, as libdw's unit walk gives
 * them (dwarf_get_units, dwarf_tag, dwarf_formudata, dwarf_formstring). */
struct sym_unit {
    uint64_t stmt_list;
    const char *comp_dir; /* NULL if absent; valid until the next call */
};
#define SYM_UNITS_LIBDW (-1) /* something this reader leaves to libdw */
struct sym_units;
/* Starts reading d's units (in a second thread if .debug_info must be
 * inflated); NULL if libdw must (see sym_dwarf_own). */
struct sym_units *sym_units_start(struct sym_dwarf *d);
/* 1 and the next unit in *out; 0 after the last one; SYM_UNITS_LIBDW (the
 * units given so far must then be forgotten). */
int sym_units_next(struct sym_units *u, struct sym_unit *out);
void sym_units_end(struct sym_units *u);

/* Fills the empty table lines with the line information of every compile
 * unit in dw, from u (sym_units_start(dw), started early so that it runs
 * while the caller does other work; ended here) or, if u is NULL, libdw.
 * rx lists the executable segments, entries outside them are dropped as
 * Cachegrind drops them.  Returns 0, or -1 if there is no usable DWARF (lines
 * then stays empty). */
int sym_lines_read(struct sym_lines *lines, struct sym_dwarf *dw, struct sym_units *u, const struct sym_range *rx,
                   size_t nrx, struct intern *strs);
/* Sorts the table and trims overlaps (Cachegrind's canonicalisation). */
void sym_lines_finish(struct sym_lines *lines);
/* The entry containing addr, or NULL (its file: intern_get of the table
 * the entries were made with). */
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
 * memory image), fd the file open (-1 for a memory image: its tables are
 * not kept across runs).  strs must be empty.  Never fails: an unreadable
 * object gives an empty table. */
void sym_obj_load(struct sym_obj *o, Elf *elf, const char *path, int fd, struct intern *strs);

/* The symbol store (sym_store.c): a loaded object's symbols and lines kept
 * in the cache directory (core/dcache.h) for the next run.  The key of the
 * object read from open file fd with its debug file dbg_fd (-1: none), or 0
 * when nothing is kept (the store is off, fd is -1, no cache directory). */
uint64_t sym_store_key(int fd, int dbg_fd);
/* o's symbols and lines (nothing else) from the store into o, with their
 * names interned into the empty table strs in their stored order: 0, or -1
 * when there is nothing usable under key (strs may then hold some names). */
int sym_store_load(struct sym_obj *o, uint64_t key, struct intern *strs);
/* Keeps o's symbols and lines (and strs, whose ids they use) under key,
 * unless they are small enough to read again quickly.  Silent on failure. */
void sym_store_save(const struct sym_obj *o, uint64_t key, const struct intern *strs);
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

/* A bounded reader over section bytes (sym_line.c, sym_unit.c); any
 * overrun sets bad and yields 0. */
struct cur {
    const uint8_t *p, *end;
    int bad;
};

static inline uint64_t rd_n(struct cur *c, unsigned n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

static inline uint64_t rd_uleb(struct cur *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        if (c->bad || c->p >= c->end) {
            c->bad = 1;
            return 0;
        }
        uint8_t b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            return v;
    }
}

static inline int64_t rd_sleb(struct cur *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        if (c->bad || c->p >= c->end) {
            c->bad = 1;
            return 0;
        }
        b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

/* A NUL-terminated string in place; NULL (and bad) if it runs off the end. */
static inline const char *rd_str(struct cur *c)
{
    if (c->bad)
        return NULL;
    const uint8_t *nul = memchr(c->p, 0, (size_t)(c->end - c->p));
    if (!nul) {
        c->bad = 1;
        return NULL;
    }
    const char *s = (const char *)c->p;
    c->p = nul + 1;
    return s;
}

static inline void rd_skip(struct cur *c, uint64_t n)
{
    if (c->bad || (uint64_t)(c->end - c->p) < n) {
        c->bad = 1;
        return;
    }
    c->p += n;
}

/* Steps over one DWARF attribute value of form `form` (offsize: 4 or 8 for
 * 32- or 64-bit DWARF; version: the unit's, for DWARF 2's address-sized
 * DW_FORM_ref_addr).  0, or -1 for a form not handled here. */
int sym_skip_form(struct cur *c, uint64_t form, unsigned offsize, unsigned addrsize,
                  unsigned version);

/* GNU debuglink CRC-32 of a buffer (exposed for the unit tests). */
uint32_t sym_crc32(uint32_t crc, const void *buf, size_t len);
#endif
