/* sym_line.c - DWARF line tables read the way Cachegrind 3.19 reads them.
 *
 * Owns: decoding .debug_line (DWARF 2 to 5) into a table of address ranges ->
 * (file, line), with exactly the file names, ranges and quirks of Valgrind's
 * own reader (coregrind/m_debuginfo/readdwarf.c, storage.c), which is what
 * Cachegrind prints as `fl=` and line numbers.  The compile units and their
 * DW_AT_stmt_list and DW_AT_comp_dir come from sym_unit.c, or from libdw
 * for what sym_unit.c leaves to it (dwz alternate files, unusual forms); the
 * line programs themselves are decoded here, because libdw's
 * dwarf_getsrclines / dwarf_linesrc join directories differently, keep rows
 * Valgrind drops and pick other rows where several share an address.
 * Must not: print, exit, or know where the object is mapped (everything is in
 * link-time addresses).
 *
 * Each unit's program is decoded as soon as sym_unit.c hands the unit over
 * (while its thread walks on), straight into the table: nothing per program
 * outlives it but the interned names.
 *
 * The Cachegrind behaviours reproduced here, each marked "Cachegrind-compatible"
 * where it is implemented:
 * - file name = directory + "/" + name, where a relative directory (from the
 *   table, not the file name) is first prefixed with the unit's DW_AT_comp_dir
 *   and "/"; no normalisation at all.  DWARF < 5: directory 0 is comp_dir (or
 *   "." when there is none).  DWARF 5: directory 0 is the table's own entry 0.
 *   An empty directory gives the bare name; a bad file index gives "???".
 * - a row only starts a range when a previous row exists with a nonzero
 *   address; every range ends at the next row (or end_sequence); zero-length
 *   ranges are dropped; a range longer than 4095 bytes, or running backwards,
 *   shrinks to 1 byte; line numbers above 2^20-1 are dropped.
 * - a new range that continues the previous one with the same line number is
 *   merged into it even when the file differs (so the earlier file wins).
 * - ranges outside the executable segments are dropped; after sorting, a
 *   range overlapping the next one is cut short at the next one's start.
 * - is_stmt, discriminators, views and columns are ignored.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"
#include "core/sym_priv.h"

/* Valgrind stores a range's size in 12 bits and a line number in 20. */
#define LOC_SIZE_MAX 4095u
#define LINE_MAX_VG ((1u << 20) - 1)

/* A directory of the line program being decoded, and the name Cachegrind
 * gives it once one of its files is used. */
struct pdir {
    const char *name; /* as stored; DWARF < 5: entry 0 stands for comp_dir */
    const char *full; /* NULL until used */
};

/* A file of the line program being decoded, as its header (or
 * DW_LNE_define_file) gives it, and its name's intern id once used. */
struct pfile {
    const char *name; /* NULL: DWARF < 5 file 0, which does not exist */
    uint64_t dir;     /* directory index, or NO_DIR (define_file) */
    uint32_t id;      /* NO_FILE until used */
};
#define NO_DIR UINT64_MAX
#define NO_FILE UINT32_MAX

/* Everything the line-program reader needs besides the program itself. */
struct ctx {
    struct sym_lines *lines;
    const struct sym_range *rx;
    size_t nrx;
    struct intern *strs;
    struct sym_sect str, line_str;
    uint32_t unknown; /* "???" */
    char *buf;        /* scratch for joined names */
    size_t bufcap;
    /* The program being decoded (arrays reused from one to the next). */
    unsigned version;
    const char *comp_dir; /* its unit's DW_AT_comp_dir, or NULL */
    struct pdir *dirs;
    size_t ndirs, capdirs;
    struct pfile *files;
    size_t nfiles, capfiles;
};

/* dir + "/" + name in x's scratch buffer. */
static const char *join(struct ctx *x, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    if (dl + nl + 2 > x->bufcap) {
        x->bufcap = 2 * (dl + nl + 2);
        x->buf = xrealloc(x->buf, x->bufcap);
    }
    memcpy(x->buf, dir, dl);
    x->buf[dl] = '/';
    memcpy(x->buf + dl + 1, name, nl + 1);
    return x->buf;
}

/* The name Cachegrind prints for file `name` in directory dir (NULL: none). */
static const char *file_name(struct ctx *x, const char *dir, const char *name)
{
    if (!dir || !dir[0])
        return intern_str(x->strs, name);
    /* Cachegrind-compatible: "%s/%s" with no normalisation, even when name
     * is itself absolute. */
    return intern_str(x->strs, join(x, dir, name));
}

static int in_rx(const struct ctx *x, uint64_t lo, uint64_t hi_incl)
{
    for (size_t i = 0; i < x->nrx; i++)
        if (lo >= x->rx[i].lo && hi_incl < x->rx[i].hi)
            return 1;
    return 0;
}

/* Directory k of the program as Valgrind names it for its unit. */
static const char *dir_name(struct ctx *x, size_t k)
{
    const char *d = x->dirs[k].name;
    /* Cachegrind-compatible: DWARF < 5 directory 0 is comp_dir, or "."
     * without one. */
    if (x->version < 5 && k == 0)
        return x->comp_dir ? x->comp_dir : ".";
    /* Cachegrind-compatible: a relative directory gets comp_dir + "/" in
     * front when comp_dir is present and not empty, so glibc's "./string"
     * unit with directory "../sysdeps/x86" gives "./string/../sysdeps/x86". */
    if (d[0] != '/' && x->comp_dir && x->comp_dir[0])
        return intern_str(x->strs, join(x, x->comp_dir, d));
    return d;
}

/* The intern id of file k's name (k < nfiles), made the first time: a
 * header lists every file the unit includes, most of which hold no code. */
static uint32_t file_id(struct ctx *x, size_t k)
{
    struct pfile *f = &x->files[k];
    if (f->id == NO_FILE) {
        if (!f->name) {
            f->id = x->unknown;
        } else {
            const char *dir = NULL;
            if (f->dir < x->ndirs) {
                struct pdir *d = &x->dirs[f->dir];
                if (!d->full)
                    d->full = dir_name(x, f->dir);
                dir = d->full;
            }
            f->id = intern_id(file_name(x, dir, f->name));
        }
    }
    return f->id;
}

/* Adds a range to the table, in the order units are read. */
static void add_entry(struct ctx *x, uint32_t file, uint64_t this, uint32_t size, uint32_t line)
{
    struct sym_lines *L = x->lines;
    if (L->n > 0) {
        struct sym_lent *prev = &L->v[L->n - 1];
        /* Cachegrind-compatible: Valgrind merges a range into the previous
         * one when it continues it with the same line number, without
         * comparing files (and across units). */
        if (prev->line == line && prev->addr + prev->size == this && prev->size + size <= LOC_SIZE_MAX) {
            prev->size += size;
            return;
        }
    }
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 1024;
        L->v = xrealloc(L->v, L->cap * sizeof *L->v);
    }
    L->v[L->n++] = (struct sym_lent){this, size, line, file};
}

/* One range [this, next) of line `line` in file number `file` (NO_FILE:
 * outside the table), with Valgrind's checks. */
static void add_range(struct ctx *x, uint32_t file, uint64_t this, uint64_t next, uint32_t line)
{
    if (this == next)
        return;
    uint64_t size = next - this;
    /* Cachegrind-compatible: backwards or over-long ranges become 1 byte. */
    if (this > next || size > LOC_SIZE_MAX)
        size = 1;
    if (!in_rx(x, this, this + size - 1))
        return;
    /* Cachegrind-compatible: Valgrind's line number is a signed int limited
     * to 20 bits; others are dropped. */
    if ((int32_t)line < 0 || line > LINE_MAX_VG)
        return;
    add_entry(x, file == NO_FILE ? x->unknown : file_id(x, file), this, (uint32_t)size, line);
}

/* A path string of a DWARF 5 directory or file entry; NULL for forms Valgrind
 * does not read (the unit is then abandoned). */
static const char *line_str(const struct ctx *x, struct cur *c, uint64_t form, int is64)
{
    uint64_t off;
    switch (form) {
    case DW_FORM_string:
        return rd_str(c);
    case DW_FORM_strp:
    case DW_FORM_line_strp: {
        off = rd_n(c, is64 ? 8 : 4);
        const struct sym_sect *s = form == DW_FORM_strp ? &x->str : &x->line_str;
        if (c->bad || off >= s->len || !memchr(s->p + off, 0, s->len - off))
            return NULL;
        return (const char *)s->p + off;
    }
    default:
        return NULL;
    }
}

/* Skips an entry field Valgrind does not use; 0, or -1 for a form its line
 * reader does not know (the unit is then abandoned). */
static int skip_form(struct cur *c, uint64_t form, int is64)
{
    switch (form) {
    case DW_FORM_block:
    case DW_FORM_block1:
    case DW_FORM_block2:
    case DW_FORM_block4:
    case DW_FORM_flag:
    case DW_FORM_data1:
    case DW_FORM_data2:
    case DW_FORM_data4:
    case DW_FORM_data8:
    case DW_FORM_data16:
    case DW_FORM_string:
    case DW_FORM_strp:
    case DW_FORM_line_strp:
    case DW_FORM_sec_offset:
    case DW_FORM_udata:
    case DW_FORM_sdata:
        break;
    default:
        return -1;
    }
    return sym_skip_form(c, form, is64 ? 8 : 4, 8, 5) != 0 || c->bad ? -1 : 0;
}

static void push_dir(struct ctx *x, const char *d)
{
    if (x->ndirs == x->capdirs) {
        x->capdirs = x->capdirs ? 2 * x->capdirs : 16;
        x->dirs = xrealloc(x->dirs, x->capdirs * sizeof *x->dirs);
    }
    x->dirs[x->ndirs++] = (struct pdir){d, NULL};
}

static void push_file(struct ctx *x, const char *name, uint64_t dir)
{
    if (x->nfiles == x->capfiles) {
        x->capfiles = x->capfiles ? 2 * x->capfiles : 16;
        x->files = xrealloc(x->files, x->capfiles * sizeof *x->files);
    }
    x->files[x->nfiles++] = (struct pfile){name, dir, NO_FILE};
}

/* The state machine registers Valgrind keeps. */
struct smr {
    uint64_t last_address, address;
    uint32_t last_file, last_line, file, line;
};

static void smr_reset(struct smr *r)
{
    *r = (struct smr){0, 0, 1, 1, 1, 1};
}

/* A row: close the range opened by the previous row. */
static void row(struct ctx *x, struct smr *r)
{
    /* Cachegrind-compatible: a range is only added when the previous row's
     * address is nonzero.  An index outside the table (as it stands at this
     * row) is Valgrind's "null" file, printed as "???" with the line kept. */
    if (r->last_address)
        add_range(x, r->last_file < x->nfiles ? r->last_file : NO_FILE, r->last_address, r->address, r->last_line);
    r->last_address = r->address;
    r->last_file = r->file;
    r->last_line = r->line;
}

/* Adds the ranges of the line program at offset off of .debug_line, for a
 * unit whose DW_AT_comp_dir is comp_dir (NULL if absent). */
static void decode_program(struct ctx *x, struct sym_sect line, uint64_t off, const char *comp_dir)
{
    x->ndirs = x->nfiles = 0;
    x->comp_dir = comp_dir;
    if (off >= line.len)
        return;
    struct cur c = {line.p + off, line.p + line.len, 0};
    uint64_t len = rd_n(&c, 4);
    int is64 = 0;
    if (len == 0xffffffffu) {
        is64 = 1;
        len = rd_n(&c, 8);
    }
    if (c.bad || len > (uint64_t)(c.end - c.p))
        return;
    c.end = c.p + len;
    unsigned version = (unsigned)rd_n(&c, 2);
    if (version < 2 || version > 5)
        return;
    if (version >= 5)
        rd_skip(&c, 2); /* address_size, segment_selector_size */
    rd_n(&c, is64 ? 8 : 4); /* header_length: Valgrind reads on sequentially */
    unsigned min_insn = (unsigned)rd_n(&c, 1);
    if (version >= 4 && rd_n(&c, 1) != 1)
        return; /* VLIW: Valgrind gives up on the unit too */
    rd_n(&c, 1); /* default_is_stmt */
    int line_base = (int8_t)rd_n(&c, 1);
    unsigned line_range = (unsigned)rd_n(&c, 1);
    unsigned opcode_base = (unsigned)rd_n(&c, 1);
    const uint8_t *std_lens = c.p;
    rd_skip(&c, opcode_base ? opcode_base - 1 : 0);
    if (c.bad || line_range == 0)
        return;
    x->version = version;

    if (version < 5) {
        /* Cachegrind-compatible: directory 0 and file 0 are implicit;
         * directory 0 is the unit's comp_dir (see dir_name). */
        push_dir(x, NULL);
        push_file(x, NULL, 0);
        while (!c.bad && c.p < c.end && *c.p) {
            const char *s = rd_str(&c);
            if (!s)
                break;
            push_dir(x, s);
        }
        rd_skip(&c, 1);
        while (!c.bad && c.p < c.end && *c.p) {
            const char *name = rd_str(&c);
            uint64_t di = rd_uleb(&c);
            rd_uleb(&c);
            rd_uleb(&c);
            if (c.bad)
                break;
            push_file(x, name, di);
        }
        rd_skip(&c, 1);
    } else {
        /* DWARF 5: the tables describe their own entry formats.  Valgrind
         * keeps one "path" and one "directory index" column number across
         * both tables; so do we. */
        uint64_t forms[256];
        unsigned p_ndx = 0, d_ndx = 0;
        unsigned nfmt = (unsigned)rd_n(&c, 1);
        for (unsigned n = 0; n < nfmt; n++) {
            uint64_t lnct = rd_uleb(&c), form = rd_uleb(&c);
            if (lnct == DW_LNCT_path)
                p_ndx = n;
            forms[n] = form;
        }
        uint64_t ndirs = rd_uleb(&c);
        for (uint64_t n = 0; n < ndirs && !c.bad; n++) {
            for (unsigned k = 0; k < nfmt && !c.bad; k++) {
                if (k == p_ndx) {
                    const char *s = line_str(x, &c, forms[k], is64);
                    if (!s) {
                        c.bad = 1;
                        break;
                    }
                    push_dir(x, s);
                } else if (skip_form(&c, forms[k], is64) != 0) {
                    c.bad = 1;
                }
            }
        }
        nfmt = (unsigned)rd_n(&c, 1);
        for (unsigned n = 0; n < nfmt; n++) {
            uint64_t lnct = rd_uleb(&c), form = rd_uleb(&c);
            if (lnct == DW_LNCT_path)
                p_ndx = n;
            if (lnct == DW_LNCT_directory_index)
                d_ndx = n;
            forms[n] = form;
        }
        uint64_t nfiles = rd_uleb(&c);
        for (uint64_t n = 0; n < nfiles && !c.bad; n++) {
            const char *name = NULL;
            uint64_t di = 0;
            for (unsigned k = 0; k < nfmt && !c.bad; k++) {
                if (k == p_ndx) {
                    name = line_str(x, &c, forms[k], is64);
                    if (!name)
                        c.bad = 1;
                } else if (k == d_ndx) {
                    switch (forms[k]) {
                    case DW_FORM_data1:
                        di = rd_n(&c, 1);
                        break;
                    case DW_FORM_data2:
                        di = rd_n(&c, 2);
                        break;
                    case DW_FORM_udata:
                        di = rd_uleb(&c);
                        break;
                    default:
                        c.bad = 1;
                    }
                } else if (skip_form(&c, forms[k], is64) != 0) {
                    c.bad = 1;
                }
            }
            if (c.bad || !name)
                break;
            push_file(x, name, di);
        }
    }

    struct smr r;
    smr_reset(&r);
    while (!c.bad && c.p < c.end) {
        unsigned op = (unsigned)rd_n(&c, 1);
        if (op >= opcode_base) {
            op -= opcode_base;
            r.address += (uint64_t)(op / line_range) * min_insn;
            r.line += (uint32_t)((int)(op % line_range) + line_base);
            row(x, &r);
            continue;
        }
        switch (op) {
        case 0: /* extended opcode (no name in dwarf.h) */ {
            uint64_t elen = rd_uleb(&c);
            if (elen == 0)
                break; /* Valgrind warns and carries on at the next byte */
            unsigned eop = (unsigned)rd_n(&c, 1);
            switch (eop) {
            case DW_LNE_end_sequence:
                if (r.last_address)
                    add_range(x, r.last_file < x->nfiles ? r.last_file : NO_FILE, r.last_address, r.address,
                              r.last_line);
                smr_reset(&r);
                break;
            case DW_LNE_set_address:
                r.address = rd_n(&c, 8);
                break;
            case DW_LNE_define_file: {
                const char *name = rd_str(&c);
                rd_uleb(&c);
                rd_uleb(&c);
                rd_uleb(&c);
                if (name)
                    push_file(x, name, NO_DIR);
                break;
            }
            case DW_LNE_set_discriminator:
                rd_uleb(&c);
                break;
            default:
                /* Valgrind does not skip an unknown extended opcode's
                 * operands; stepping over them by their length is the only
                 * sane reading, and gcc and clang emit none. */
                rd_skip(&c, elen - 1);
                break;
            }
            break;
        }
        case DW_LNS_copy:
            row(x, &r);
            break;
        case DW_LNS_advance_pc:
            r.address += (uint64_t)min_insn * rd_uleb(&c);
            break;
        case DW_LNS_advance_line:
            r.line += (uint32_t)rd_sleb(&c);
            break;
        case DW_LNS_set_file:
            r.file = (uint32_t)rd_uleb(&c);
            break;
        case DW_LNS_set_column:
            rd_uleb(&c);
            break;
        case DW_LNS_negate_stmt:
        case DW_LNS_set_basic_block:
        case DW_LNS_set_prologue_end:
        case DW_LNS_set_epilogue_begin:
            break;
        case DW_LNS_const_add_pc:
            r.address += (uint64_t)((255 - opcode_base) / line_range) * min_insn;
            break;
        case DW_LNS_fixed_advance_pc:
            r.address += rd_n(&c, 2);
            break;
        case DW_LNS_set_isa:
            rd_uleb(&c);
            break;
        default:
            /* An opcode this reader does not know: skip its operands. */
            for (unsigned k = std_lens[op - 1]; k > 0; k--)
                rd_uleb(&c);
            break;
        }
    }
}

/* The units as libdw walks them, for what sym_unit.c leaves to it; -1 if
 * libdw finds no DWARF. */
static int units_by_libdw(struct ctx *x, struct sym_dwarf *dw, struct sym_sect line)
{
    Elf *elf = sym_dwarf_elf(dw);
    Dwarf *d = elf ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
    if (!d)
        return -1;
    Dwarf_CU *cu = NULL;
    Dwarf_Half version;
    uint8_t unit_type;
    Dwarf_Die cudie;
    while (dwarf_get_units(d, cu, &cu, &version, &unit_type, &cudie, NULL) == 0) {
        /* Cachegrind-compatible: only full compile units are read (not
         * partial, type or skeleton units), in .debug_info order. */
        if (dwarf_tag(&cudie) != DW_TAG_compile_unit)
            continue;
        Dwarf_Attribute a;
        Dwarf_Word stmt;
        if (!dwarf_attr(&cudie, DW_AT_stmt_list, &a) || dwarf_formudata(&a, &stmt) != 0)
            continue;
        const char *comp_dir = NULL;
        if (dwarf_attr(&cudie, DW_AT_comp_dir, &a))
            comp_dir = dwarf_formstring(&a);
        decode_program(x, line, stmt, comp_dir);
    }
    dwarf_end(d);
    return 0;
}

int sym_lines_read(struct sym_lines *lines, struct sym_dwarf *dw, struct sym_units *u, const struct sym_range *rx,
                   size_t nrx, struct intern *strs)
{
    struct ctx x = {.lines = lines, .rx = rx, .nrx = nrx, .strs = strs, .unknown = intern_id(intern_str(strs, "???"))};
    struct sym_sect line = sym_dwarf_section(dw, ".debug_line");
    x.str = sym_dwarf_section(dw, ".debug_str");
    x.line_str = sym_dwarf_section(dw, ".debug_line_str");
    int ret = -1;
    if (!line.len) {
        sym_units_end(u);
    } else {
        int k = SYM_UNITS_LIBDW;
        if (u) {
            struct sym_unit cu;
            while ((k = sym_units_next(u, &cu)) == 1)
                decode_program(&x, line, cu.stmt_list, cu.comp_dir);
            sym_units_end(u);
        }
        if (k != 0)
            lines->n = 0; /* whatever the walk gave is not to be kept */
        ret = k == 0 ? 0 : units_by_libdw(&x, dw, line);
    }
    free(x.dirs);
    free(x.files);
    free(x.buf);
    return ret;
}

#define RADIX_BITS 11

/* Sorts L by start address; equal starts (two units describing one address)
 * keep the order they were read in, so the later one survives the trimming
 * in sym_lines_finish (Valgrind's own sort leaves this order unspecified).
 * An LSD radix sort of the entries themselves, stable by construction:
 * glibc's table is over a hundred thousand entries in a few hundred
 * interleaved runs (every unit's cold code sits at the start of .text),
 * where qsort took several milliseconds; the starts of one object span a
 * few MB, so this is two or three passes, through one scratch copy. */
static void sort_lines(struct sym_lines *L)
{
    size_t n = L->n;
    int sorted = 1;
    uint64_t lo = L->v[0].addr, hi = lo;
    for (size_t i = 0; i + 1 < n; i++) {
        sorted &= L->v[i].addr < L->v[i + 1].addr;
        lo = L->v[i + 1].addr < lo ? L->v[i + 1].addr : lo;
        hi = L->v[i + 1].addr > hi ? L->v[i + 1].addr : hi;
    }
    if (sorted)
        return;
    /* Mapped, not malloc'd: see sym_map.  xmalloc dies when memory is out. */
    struct sym_lent *tmp = sym_map(n * sizeof *tmp), *heap = tmp ? NULL : xmalloc(n * sizeof *tmp);
    if (heap)
        tmp = heap;
    struct sym_lent *a = L->v, *b = tmp;
    uint64_t span = hi - lo;
    for (unsigned shift = 0; shift < 64 && (shift == 0 || span >> shift); shift += RADIX_BITS) {
        size_t count[(1u << RADIX_BITS) + 1] = {0};
        for (size_t i = 0; i < n; i++)
            count[(((a[i].addr - lo) >> shift) & ((1u << RADIX_BITS) - 1)) + 1]++;
        for (size_t d = 1; d <= 1u << RADIX_BITS; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++)
            b[count[((a[i].addr - lo) >> shift) & ((1u << RADIX_BITS) - 1)]++] = a[i];
        struct sym_lent *t = a;
        a = b;
        b = t;
    }
    if (a != L->v)
        memcpy(L->v, a, n * sizeof *a);
    if (heap)
        free(heap);
    else
        sym_unmap(tmp, n * sizeof *tmp);
}

void sym_lines_finish(struct sym_lines *L)
{
    size_t n = L->n;
    if (n == 0)
        return;
    sort_lines(L);
    /* Cachegrind-compatible: an entry running into the next is cut at the
     * next one's start; entries left empty disappear. */
    for (size_t i = 0; i + 1 < n; i++)
        if (L->v[i].addr + L->v[i].size > L->v[i + 1].addr)
            L->v[i].size = (uint32_t)(L->v[i + 1].addr - L->v[i].addr);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (L->v[i].size > 0)
            L->v[w++] = L->v[i];
    L->n = w;
    /* The table stays for the object's life: give back its growth room. */
    L->cap = w ? w : 1;
    L->v = xrealloc(L->v, L->cap * sizeof *L->v);
}

const struct sym_lent *sym_lines_find(const struct sym_lines *L, uint64_t addr)
{
    size_t lo = 0, hi = L->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sym_lent *e = &L->v[mid];
        if (addr < e->addr)
            hi = mid;
        else if (addr - e->addr >= e->size)
            lo = mid + 1;
        else
            return e;
    }
    return NULL;
}

void sym_lines_release(struct sym_lines *L)
{
    free(L->v);
    *L = (struct sym_lines){0};
}
