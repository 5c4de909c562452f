/* sym_line.c - DWARF line tables read the way Cachegrind 3.19 reads them.
 *
 * Owns: decoding .debug_line (DWARF 2 to 5) into a table of address ranges ->
 * (file, line), with exactly the file names, ranges and quirks of Valgrind's
 * own reader (coregrind/m_debuginfo/readdwarf.c, storage.c), which is what
 * Cachegrind prints as `fl=` and line numbers.  libdw only walks the compile
 * units and decodes their DW_AT_stmt_list and DW_AT_comp_dir (it resolves
 * every string form, .debug_str, .debug_line_str and dwz's alternate file);
 * the line programs themselves are decoded here, because libdw's
 * dwarf_getsrclines / dwarf_linesrc join directories differently, keep rows
 * Valgrind drops and pick other rows where several share an address.
 * Must not: print, exit, or know where the object is mapped (everything is in
 * link-time addresses).
 *
 * Order of work, for start-up time: every program of .debug_line is decoded
 * first, into checked ranges with file numbers, while .debug_info is still
 * inflating in sym_sect.c's thread; then libdw walks the units, and each
 * unit's program gets its file names from the unit's comp_dir and adds its
 * ranges, merged exactly as if the programs had been read unit by unit.
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

/* A bounded reader over section bytes; any overrun sets bad and yields 0. */
struct cur {
    const uint8_t *p, *end;
    int bad;
};

static uint64_t rd_n(struct cur *c, unsigned n)
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

static uint64_t rd_uleb(struct cur *c)
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

static int64_t rd_sleb(struct cur *c)
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
static const char *rd_str(struct cur *c)
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

static void skip(struct cur *c, uint64_t n)
{
    if (c->bad || (uint64_t)(c->end - c->p) < n) {
        c->bad = 1;
        return;
    }
    c->p += n;
}

/* A file of a line program as its header (or DW_LNE_define_file) gives it;
 * the name is joined with its directory and the unit's DW_AT_comp_dir only
 * once the unit that reads the program is known. */
struct pfile {
    const char *name; /* NULL: DWARF < 5 file 0, which does not exist */
    uint64_t dir;     /* directory index, or NO_DIR (define_file) */
};
#define NO_DIR UINT64_MAX

/* One range a program adds, after Valgrind's checks, before merging: 16
 * bytes, since a whole object's worth is held until its units are known. */
struct prange {
    uint64_t addr;
    uint32_t size : 12; /* at most LOC_SIZE_MAX */
    uint32_t line : 20; /* at most LINE_MAX_VG */
    uint32_t file;      /* index into the program's files, or NO_FILE */
};
#define NO_FILE UINT32_MAX

/* A line program decoded on its own (see sym_lines_read). */
struct prog {
    uint64_t off;      /* in .debug_line */
    unsigned version;  /* 0: nothing usable; USED: added and released */
    const char **dirs; /* as stored; DWARF < 5: dirs[0] stands for comp_dir */
    size_t ndirs, capdirs;
    struct pfile *files;
    size_t nfiles, capfiles;
    struct prange *r;
    size_t nr, capr;
};
#define USED UINT32_MAX

/* Everything the line-program reader needs besides the program itself. */
struct ctx {
    struct sym_lines *lines;
    const struct sym_range *rx;
    size_t nrx;
    struct intern *strs;
    struct sym_sect str, line_str;
    const char *unknown; /* "???" */
    char *buf;           /* scratch for joined names */
    size_t bufcap;
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

/* One range [this, next) of line `line` in file number `file`, with
 * Valgrind's checks; kept in p until its unit adds it (add_entry). */
static void add_range(const struct ctx *x, struct prog *p, uint32_t file, uint64_t this, uint64_t next,
                      uint32_t line)
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
    if (p->nr == p->capr) {
        p->capr = p->capr ? 2 * p->capr : 256;
        p->r = xrealloc(p->r, p->capr * sizeof *p->r);
    }
    p->r[p->nr++] = (struct prange){this, (uint32_t)size, line, file};
}

/* Adds a checked range to the table, in the order units are read. */
static void add_entry(struct ctx *x, const char *file, uint64_t this, uint32_t size, uint32_t line)
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

/* Skips an entry field Valgrind does not use; 0, or -1 for an unknown form. */
static int skip_form(struct cur *c, uint64_t form, int is64)
{
    switch (form) {
    case DW_FORM_block:
        skip(c, rd_uleb(c));
        break;
    case DW_FORM_block1:
        skip(c, rd_n(c, 1));
        break;
    case DW_FORM_block2:
        skip(c, rd_n(c, 2));
        break;
    case DW_FORM_block4:
        skip(c, rd_n(c, 4));
        break;
    case DW_FORM_flag:
    case DW_FORM_data1:
        skip(c, 1);
        break;
    case DW_FORM_data2:
        skip(c, 2);
        break;
    case DW_FORM_data4:
        skip(c, 4);
        break;
    case DW_FORM_data8:
        skip(c, 8);
        break;
    case DW_FORM_data16:
        skip(c, 16);
        break;
    case DW_FORM_string:
        rd_str(c);
        break;
    case DW_FORM_strp:
    case DW_FORM_line_strp:
    case DW_FORM_sec_offset:
        skip(c, is64 ? 8 : 4);
        break;
    case DW_FORM_udata:
        rd_uleb(c);
        break;
    case DW_FORM_sdata:
        rd_sleb(c);
        break;
    default:
        return -1;
    }
    return c->bad ? -1 : 0;
}

static void push_dir(struct prog *p, const char *d)
{
    if (p->ndirs == p->capdirs) {
        p->capdirs = p->capdirs ? 2 * p->capdirs : 16;
        p->dirs = xrealloc(p->dirs, p->capdirs * sizeof *p->dirs);
    }
    p->dirs[p->ndirs++] = d;
}

static void push_file(struct prog *p, const char *name, uint64_t dir)
{
    if (p->nfiles == p->capfiles) {
        p->capfiles = p->capfiles ? 2 * p->capfiles : 16;
        p->files = xrealloc(p->files, p->capfiles * sizeof *p->files);
    }
    p->files[p->nfiles++] = (struct pfile){name, dir};
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
static void row(const struct ctx *x, struct prog *p, struct smr *r)
{
    /* Cachegrind-compatible: a range is only added when the previous row's
     * address is nonzero.  An index outside the table (as it stands at this
     * row) is Valgrind's "null" file, printed as "???" with the line kept. */
    if (r->last_address)
        add_range(x, p, r->last_file < p->nfiles ? r->last_file : NO_FILE, r->last_address, r->address,
                  r->last_line);
    r->last_address = r->address;
    r->last_file = r->file;
    r->last_line = r->line;
}

/* Decodes the line program at offset off of .debug_line into p (ranges with
 * file numbers; the names wait for the unit's comp_dir, see add_program). */
static void decode_program(const struct ctx *x, struct sym_sect line, uint64_t off, struct prog *p)
{
    *p = (struct prog){.off = off};
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
        skip(&c, 2); /* address_size, segment_selector_size */
    rd_n(&c, is64 ? 8 : 4); /* header_length: Valgrind reads on sequentially */
    unsigned min_insn = (unsigned)rd_n(&c, 1);
    if (version >= 4 && rd_n(&c, 1) != 1)
        return; /* VLIW: Valgrind gives up on the unit too */
    rd_n(&c, 1); /* default_is_stmt */
    int line_base = (int8_t)rd_n(&c, 1);
    unsigned line_range = (unsigned)rd_n(&c, 1);
    unsigned opcode_base = (unsigned)rd_n(&c, 1);
    const uint8_t *std_lens = c.p;
    skip(&c, opcode_base ? opcode_base - 1 : 0);
    if (c.bad || line_range == 0)
        return;
    p->version = version;

    if (version < 5) {
        /* Cachegrind-compatible: directory 0 and file 0 are implicit;
         * directory 0 is the unit's comp_dir (see add_program). */
        push_dir(p, NULL);
        push_file(p, NULL, 0);
        while (!c.bad && c.p < c.end && *c.p) {
            const char *s = rd_str(&c);
            if (!s)
                break;
            push_dir(p, s);
        }
        skip(&c, 1);
        while (!c.bad && c.p < c.end && *c.p) {
            const char *name = rd_str(&c);
            uint64_t di = rd_uleb(&c);
            rd_uleb(&c);
            rd_uleb(&c);
            if (c.bad)
                break;
            push_file(p, name, di);
        }
        skip(&c, 1);
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
                    push_dir(p, s);
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
            push_file(p, name, di);
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
            row(x, p, &r);
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
                    add_range(x, p, r.last_file < p->nfiles ? r.last_file : NO_FILE, r.last_address, r.address,
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
                    push_file(p, name, NO_DIR);
                break;
            }
            case DW_LNE_set_discriminator:
                rd_uleb(&c);
                break;
            default:
                /* Valgrind does not skip an unknown extended opcode's
                 * operands; stepping over them by their length is the only
                 * sane reading, and gcc and clang emit none. */
                skip(&c, elen - 1);
                break;
            }
            break;
        }
        case DW_LNS_copy:
            row(x, p, &r);
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

static void prog_release(struct prog *p)
{
    free(p->dirs);
    free(p->files);
    free(p->r);
    p->dirs = NULL;
    p->files = NULL;
    p->r = NULL;
}

/* Directory k of program p as Valgrind names it for a unit whose
 * DW_AT_comp_dir is comp_dir (NULL if absent). */
static const char *dir_name(struct ctx *x, const struct prog *p, size_t k, const char *comp_dir)
{
    const char *d = p->dirs[k];
    /* Cachegrind-compatible: DWARF < 5 directory 0 is comp_dir, or "."
     * without one. */
    if (p->version < 5 && k == 0)
        return comp_dir ? comp_dir : ".";
    /* Cachegrind-compatible: a relative directory gets comp_dir + "/" in
     * front when comp_dir is present and not empty, so glibc's "./string"
     * unit with directory "../sysdeps/x86" gives "./string/../sysdeps/x86". */
    if (d[0] != '/' && comp_dir && comp_dir[0])
        return intern_str(x->strs, join(x, comp_dir, d));
    return d;
}

/* Adds program p's ranges to the table for a unit whose DW_AT_comp_dir is
 * comp_dir (NULL if absent).  Only the files that ranges use get a name: a
 * header lists every file the unit includes, most of which hold no code. */
static void add_program(struct ctx *x, const struct prog *p, const char *comp_dir)
{
    if (!p->version)
        return;
    const char **dirs = xcalloc(p->ndirs + 1, sizeof *dirs);
    const char **names = xcalloc(p->nfiles + 1, sizeof *names);
    for (size_t i = 0; i < p->nr; i++) {
        const struct prange *r = &p->r[i];
        const char *name = x->unknown;
        if (r->file != NO_FILE && !(name = names[r->file])) {
            const struct pfile *f = &p->files[r->file];
            const char *dir = NULL;
            if (f->dir < p->ndirs) {
                if (!dirs[f->dir])
                    dirs[f->dir] = dir_name(x, p, f->dir, comp_dir);
                dir = dirs[f->dir];
            }
            name = names[r->file] = f->name ? file_name(x, dir, f->name) : x->unknown;
        }
        add_entry(x, name, r->addr, r->size, r->line);
    }
    free(names);
    free(dirs);
}

/* The offset of the line program after the one at off; line.len at the end
 * or where a length is unreadable. */
static uint64_t next_program(struct sym_sect line, uint64_t off)
{
    struct cur c = {line.p + off, line.p + line.len, 0};
    uint64_t len = rd_n(&c, 4);
    if (len == 0xffffffffu)
        len = rd_n(&c, 8);
    if (c.bad || len > (uint64_t)(c.end - c.p))
        return line.len;
    return (uint64_t)(c.p - line.p) + len;
}

/* The decoded program at off, or NULL. */
static struct prog *find_prog(struct prog *v, size_t n, uint64_t off)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].off == off)
            return &v[mid];
        if (v[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int sym_lines_read(struct sym_lines *lines, struct sym_dwarf *dw, const struct sym_range *rx, size_t nrx,
                   struct intern *strs)
{
    struct ctx x = {lines, rx, nrx, strs, {NULL, 0}, {NULL, 0}, intern_str(strs, "???"), NULL, 0};
    struct sym_sect line = sym_dwarf_section(dw, ".debug_line");
    x.str = sym_dwarf_section(dw, ".debug_str");
    x.line_str = sym_dwarf_section(dw, ".debug_line_str");
    if (!line.len)
        return -1;
    /* Every program in .debug_line order, decoded while .debug_info is still
     * inflating (sym_sect.c): in practice each unit's stmt_list is one of
     * these offsets; one that is not is decoded when its unit asks. */
    struct prog *progs = NULL;
    size_t nprogs = 0, cap = 0;
    for (uint64_t off = 0; off < line.len; off = next_program(line, off)) {
        if (nprogs == cap) {
            cap = cap ? 2 * cap : 256;
            progs = xrealloc(progs, cap * sizeof *progs);
        }
        decode_program(&x, line, off, &progs[nprogs++]);
    }
    Elf *elf = sym_dwarf_elf(dw);
    Dwarf *d = elf ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
    Dwarf_CU *cu = NULL;
    Dwarf_Half version;
    uint8_t unit_type;
    Dwarf_Die cudie;
    while (d && dwarf_get_units(d, cu, &cu, &version, &unit_type, &cudie, NULL) == 0) {
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
        struct prog *p = find_prog(progs, nprogs, stmt);
        if (p && p->version != USED) {
            add_program(&x, p, comp_dir);
            /* Done with: units rarely share a program (one that does is
             * decoded again), and the table grows meanwhile. */
            prog_release(p);
            p->version = USED;
        } else {
            struct prog own;
            decode_program(&x, line, stmt, &own);
            add_program(&x, &own, comp_dir);
            prog_release(&own);
        }
    }
    for (size_t i = 0; i < nprogs; i++)
        prog_release(&progs[i]);
    free(progs);
    free(x.buf);
    if (!d)
        return -1;
    dwarf_end(d);
    return 0;
}

/* An entry's start (less the table's lowest) and its position in the order
 * Valgrind added it. */
struct addr_ix {
    uint64_t key;
    size_t ix;
};

#define RADIX_BITS 11

/* Sorts L by start address; equal starts (two units describing one address)
 * keep the order they were read in, so the later one survives the trimming
 * in sym_lines_finish (Valgrind's own sort leaves this order unspecified).
 * An LSD radix sort, stable by construction: glibc's table is a hundred
 * thousand entries in a few hundred interleaved runs (every unit's cold code
 * sits at the start of .text), where qsort took several milliseconds; the
 * starts of one object span a few MB, so this is two or three passes. */
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
    struct addr_ix *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++)
        a[i] = (struct addr_ix){L->v[i].addr - lo, i};
    uint64_t span = hi - lo;
    for (unsigned shift = 0; shift < 64 && (shift == 0 || span >> shift); shift += RADIX_BITS) {
        size_t count[(1u << RADIX_BITS) + 1] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i].key >> shift) & ((1u << RADIX_BITS) - 1)) + 1]++;
        for (size_t d = 1; d <= 1u << RADIX_BITS; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].key >> shift) & ((1u << RADIX_BITS) - 1)]++] = a[i];
        struct addr_ix *t = a;
        a = b;
        b = t;
    }
    struct sym_lent *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = L->v[a[i].ix];
    free(a);
    free(b);
    free(L->v);
    L->v = v;
    L->cap = n;
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
