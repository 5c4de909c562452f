/* sym_unit.c - an object's compile units, each one's DW_AT_stmt_list and
 * DW_AT_comp_dir, read from .debug_info without libdw.
 *
 * Owns: walking .debug_info unit by unit, reading only each unit's header
 * and first DIE (with its abbreviation from .debug_abbrev).  libdw's unit
 * walk cost more than the rest of reading glibc's lines together: it keeps
 * every unit's parsed abbreviations and its own copy of .debug_info (5.8
 * MB) until dwarf_end.  A compressed .debug_info is inflated and walked in
 * a second thread, units handed over in batches, so that the caller reads
 * symbol tables and decodes line programs meanwhile; the section and the
 * abbreviations are freed as soon as the walk is over.
 * Must not: decode line programs, print or exit.
 *
 * What it gives is what libdw's unit walk gave sym_line.c (dwarf_get_units,
 * dwarf_tag == DW_TAG_compile_unit, dwarf_formudata of DW_AT_stmt_list,
 * dwarf_formstring of DW_AT_comp_dir): the units in section order, the first
 * attribute of each name.  Anything outside what gcc and clang write - a
 * unit header or DIE that is not well formed, a form not listed here, a
 * string offset outside its section, a strx form without
 * DW_AT_str_offsets_base - is not guessed at: the walk ends with
 * SYM_UNITS_LIBDW and the caller starts again with libdw, which then
 * decides.
 */
#include <dwarf.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"
#include "core/cpus.h"
#include "core/sym_priv.h"

/* One unit as the walk found it; the strings are resolved by the reader's
 * thread (sym_units_next), which owns the string sections. */
struct rec {
    uint64_t stmt_list;
    uint64_t dir;      /* comp_dir's offset, or strx index */
    uint64_t str_base; /* DW_AT_str_offsets_base */
    char *dir_str;     /* comp_dir in DW_FORM_string, copied */
    uint32_t dir_form; /* 0: no DW_AT_comp_dir */
    uint8_t is64, has_base;
};

/* The walk itself (run by the second thread when there is one). */
struct walk {
    struct sym_sect info, abbrev;
    uint64_t off; /* of the next unit in .debug_info */
};

/* The attribute specifications of abbreviation `code` in the table at off:
 * a cursor on its first (name, form) pair and its tag; -1 if not found. */
static int find_abbrev(const struct sym_sect *ab, uint64_t off, uint64_t code, struct cur *spec, uint64_t *tag)
{
    if (off >= ab->len)
        return -1;
    struct cur c = {ab->p + off, ab->p + ab->len, 0};
    for (;;) {
        uint64_t k = rd_uleb(&c);
        if (c.bad || k == 0)
            return -1;
        *tag = rd_uleb(&c);
        rd_skip(&c, 1); /* DW_CHILDREN_* */
        *spec = c;
        if (k == code)
            return c.bad ? -1 : 0;
        for (;;) {
            uint64_t name = rd_uleb(&c), form = rd_uleb(&c);
            if (c.bad)
                return -1;
            if (form == DW_FORM_implicit_const)
                rd_uleb(&c); /* its value, signed: the same bytes */
            if (name == 0 && form == 0)
                break;
        }
    }
}

int sym_skip_form(struct cur *c, uint64_t form, unsigned offsize, unsigned addrsize,
                  unsigned version)
{
    switch (form) {
    case DW_FORM_flag_present:
    case DW_FORM_implicit_const:
        break;
    case DW_FORM_data1:
    case DW_FORM_ref1:
    case DW_FORM_flag:
    case DW_FORM_strx1:
    case DW_FORM_addrx1:
        rd_skip(c, 1);
        break;
    case DW_FORM_data2:
    case DW_FORM_ref2:
    case DW_FORM_strx2:
    case DW_FORM_addrx2:
        rd_skip(c, 2);
        break;
    case DW_FORM_strx3:
    case DW_FORM_addrx3:
        rd_skip(c, 3);
        break;
    case DW_FORM_data4:
    case DW_FORM_ref4:
    case DW_FORM_ref_sup4:
    case DW_FORM_strx4:
    case DW_FORM_addrx4:
        rd_skip(c, 4);
        break;
    case DW_FORM_data8:
    case DW_FORM_ref8:
    case DW_FORM_ref_sig8:
    case DW_FORM_ref_sup8:
        rd_skip(c, 8);
        break;
    case DW_FORM_data16:
        rd_skip(c, 16);
        break;
    case DW_FORM_addr:
        rd_skip(c, addrsize);
        break;
    case DW_FORM_ref_addr:
        /* DWARF 2 wrote it address-sized. */
        rd_skip(c, version == 2 ? addrsize : offsize);
        break;
    case DW_FORM_strp:
    case DW_FORM_line_strp:
    case DW_FORM_sec_offset:
    case DW_FORM_strp_sup:
        rd_skip(c, offsize);
        break;
    case DW_FORM_udata:
    case DW_FORM_sdata:
    case DW_FORM_ref_udata:
    case DW_FORM_strx:
    case DW_FORM_addrx:
    case DW_FORM_loclistx:
    case DW_FORM_rnglistx:
        rd_uleb(c);
        break;
    case DW_FORM_string:
        rd_str(c);
        break;
    case DW_FORM_block1:
        rd_skip(c, rd_n(c, 1));
        break;
    case DW_FORM_block2:
        rd_skip(c, rd_n(c, 2));
        break;
    case DW_FORM_block4:
        rd_skip(c, rd_n(c, 4));
        break;
    case DW_FORM_block:
    case DW_FORM_exprloc:
        rd_skip(c, rd_uleb(c));
        break;
    default:
        return -1;
    }
    return 0;
}

/* read_die's work, r zeroed. */
static int die_attrs(const struct walk *w, struct cur *c, uint64_t abbrev_off, unsigned offsize, unsigned addrsize,
                     unsigned version, struct rec *r)
{
    uint64_t code = rd_uleb(c), tag;
    struct cur spec;
    if (c->bad || code == 0 || find_abbrev(&w->abbrev, abbrev_off, code, &spec, &tag) != 0)
        return -1;
    /* Cachegrind-compatible: only full compile units are read (not partial,
     * type or skeleton units). */
    if (tag != DW_TAG_compile_unit)
        return 0;
    int has_stmt = 0;
    r->is64 = offsize == 8;
    for (;;) {
        uint64_t name = rd_uleb(&spec), form = rd_uleb(&spec);
        if (spec.bad)
            return -1;
        if (form == DW_FORM_implicit_const)
            rd_uleb(&spec);
        if (name == 0 && form == 0)
            break;
        const uint8_t *at = c->p;
        if (sym_skip_form(c, form, offsize, addrsize, version) != 0 || c->bad)
            return -1;
        struct cur v = {at, c->p, 0};
        /* libdw's dwarf_attr: the first attribute of a name counts. */
        if (name == DW_AT_stmt_list && !has_stmt) {
            has_stmt = 1;
            if (form == DW_FORM_sec_offset)
                r->stmt_list = rd_n(&v, offsize);
            else if (form == DW_FORM_data4 || form == DW_FORM_data8)
                r->stmt_list = rd_n(&v, form == DW_FORM_data4 ? 4 : 8);
            else
                return -1;
        } else if (name == DW_AT_comp_dir && !r->dir_form) {
            switch (form) {
            case DW_FORM_string:
                r->dir_str = xstrdup((const char *)at);
                break;
            case DW_FORM_strp:
            case DW_FORM_line_strp:
                r->dir = rd_n(&v, offsize);
                break;
            case DW_FORM_strx:
                r->dir = rd_uleb(&v);
                break;
            case DW_FORM_strx1:
            case DW_FORM_strx2:
            case DW_FORM_strx3:
            case DW_FORM_strx4:
                r->dir = rd_n(&v, (unsigned)(v.end - v.p));
                break;
            default:
                return -1;
            }
            r->dir_form = (uint32_t)form;
        } else if (name == DW_AT_str_offsets_base && !r->has_base) {
            if (form != DW_FORM_sec_offset)
                return -1;
            r->str_base = rd_n(&v, offsize);
            r->has_base = 1;
        }
    }
    return has_stmt ? 1 : 0;
}

/* Reads the first DIE at c (its abbreviations at abbrev_off): 1 and r filled
 * for a compile unit with a DW_AT_stmt_list, 0 for another unit, -1 if libdw
 * must decide (the DIE running past c's end included). */
static int read_die(const struct walk *w, struct cur *c, uint64_t abbrev_off, unsigned offsize, unsigned addrsize,
                    unsigned version, struct rec *r)
{
    *r = (struct rec){0};
    int k = die_attrs(w, c, abbrev_off, offsize, addrsize, version, r);
    if (k != 1) {
        free(r->dir_str);
        r->dir_str = NULL;
    }
    return k;
}

/* The next compile unit with a DW_AT_stmt_list: 1 and r, 0 after the last
 * one, or SYM_UNITS_LIBDW. */
static int walk_next(struct walk *w, struct rec *r)
{
    while (w->off < w->info.len) {
        const uint8_t *b = w->info.p + w->off;
        struct cur c = {b, w->info.p + w->info.len, 0};
        uint64_t len = rd_n(&c, 4);
        unsigned offsize = 4;
        if (len == 0xffffffffu) {
            offsize = 8;
            len = rd_n(&c, 8);
        } else if (len >= 0xfffffff0u) {
            return SYM_UNITS_LIBDW;
        }
        if (c.bad || len < 2 || len > (uint64_t)(c.end - c.p))
            return SYM_UNITS_LIBDW;
        /* The header and the DIE may not run past their unit. */
        c.end = c.p + len;
        unsigned version = (unsigned)rd_n(&c, 2), addrsize;
        uint64_t abbrev_off;
        if (version < 2 || version > 5)
            return SYM_UNITS_LIBDW;
        if (version == 5) {
            unsigned type = (unsigned)rd_n(&c, 1);
            addrsize = (unsigned)rd_n(&c, 1);
            abbrev_off = rd_n(&c, offsize);
            if (type == DW_UT_skeleton || type == DW_UT_split_compile)
                rd_skip(&c, 8); /* dwo_id */
            else if (type == DW_UT_type || type == DW_UT_split_type)
                rd_skip(&c, 8 + offsize); /* type signature and offset */
            else if (type != DW_UT_compile && type != DW_UT_partial)
                return SYM_UNITS_LIBDW;
        } else {
            abbrev_off = rd_n(&c, offsize);
            addrsize = (unsigned)rd_n(&c, 1);
        }
        if (c.bad || (addrsize != 4 && addrsize != 8))
            return SYM_UNITS_LIBDW;
        int k = read_die(w, &c, abbrev_off, offsize, addrsize, version, r);
        if (k < 0)
            return SYM_UNITS_LIBDW;
        w->off = (uint64_t)(c.end - w->info.p);
        if (k == 1)
            return 1;
    }
    return 0;
}

struct sym_units {
    struct sym_dwarf *d;
    struct walk w;
    int threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Units found and not yet taken, and how the walk ended (once done). */
    struct rec *q;
    size_t qn, qcap, qnext;
    int done, status, stop, waiting;
    char *given; /* the DW_FORM_string comp_dir handed out last */
};

/* The walk, its sections' inflating included, in whichever thread runs it. */
static int walk_step(struct sym_units *u, struct rec *r)
{
    if (!u->w.info.p) {
        u->w.abbrev = sym_dwarf_section(u->d, ".debug_abbrev");
        u->w.info = sym_dwarf_section(u->d, ".debug_info");
        /* An absent or broken section: libdw says which it is. */
        if (!u->w.abbrev.len || !u->w.info.len)
            return SYM_UNITS_LIBDW;
    }
    return walk_next(&u->w, r);
}

/* The walk's sections are its own: freed as soon as it is over. */
static void walk_done(struct sym_units *u)
{
    sym_dwarf_drop(u->d, ".debug_info");
    sym_dwarf_drop(u->d, ".debug_abbrev");
}

/* The reader, faster than the walk, waits for this many units at a time:
 * a wake-up per unit cost more than reading glibc's units. */
#define BATCH 64

static void *walk_thread(void *arg)
{
    struct sym_units *u = arg;
    for (;;) {
        struct rec r;
        int k = walk_step(u, &r);
        pthread_mutex_lock(&u->mu);
        if (k == 1) {
            if (u->qn == u->qcap) {
                u->qcap = u->qcap ? 2 * u->qcap : 256;
                u->q = xrealloc(u->q, u->qcap * sizeof *u->q);
            }
            u->q[u->qn++] = r;
        } else {
            u->done = 1;
            u->status = k;
        }
        int stop = u->done || u->stop;
        if (u->waiting && (u->done || u->qn - u->qnext >= BATCH))
            pthread_cond_signal(&u->cv);
        pthread_mutex_unlock(&u->mu);
        if (stop)
            break;
    }
    walk_done(u);
    return NULL;
}

struct sym_units *sym_units_start(struct sym_dwarf *d)
{
    if (!sym_dwarf_own(d))
        return NULL;
    struct sym_units *u = xcalloc(1, sizeof *u);
    u->d = d;
    /* A plain .debug_info is walked as the units are asked for; a
     * compressed one inflates in the second thread. */
    if (sym_dwarf_inflates(d, ".debug_info")) {
        pthread_mutex_init(&u->mu, NULL);
        pthread_cond_init(&u->cv, NULL);
        u->threaded = cpus_thread_create(&u->th, walk_thread, u) == 0;
        if (!u->threaded) {
            pthread_cond_destroy(&u->cv);
            pthread_mutex_destroy(&u->mu);
        }
    }
    return u;
}

/* The string at off of a string section, or NULL if it is not all there. */
static const char *str_at(struct sym_sect s, uint64_t off)
{
    if (off >= s.len || !memchr(s.p + off, 0, s.len - off))
        return NULL;
    return (const char *)s.p + off;
}

/* r's DW_AT_comp_dir as dwarf_formstring reads it; 0, or -1 if libdw must
 * decide. */
static int comp_dir(struct sym_units *u, const struct rec *r, const char **out)
{
    *out = NULL;
    switch (r->dir_form) {
    case 0:
        return 0;
    case DW_FORM_string:
        *out = r->dir_str;
        return 0;
    case DW_FORM_strp:
        *out = str_at(sym_dwarf_section(u->d, ".debug_str"), r->dir);
        break;
    case DW_FORM_line_strp:
        *out = str_at(sym_dwarf_section(u->d, ".debug_line_str"), r->dir);
        break;
    default: {
        /* strx: an index into the unit's part of .debug_str_offsets. */
        struct sym_sect so = sym_dwarf_section(u->d, ".debug_str_offsets");
        unsigned size = r->is64 ? 8 : 4;
        if (!r->has_base || r->str_base > so.len || r->dir > (so.len - r->str_base) / size ||
            so.len - r->str_base - r->dir * size < size)
            return -1;
        struct cur c = {so.p + r->str_base + r->dir * size, so.p + so.len, 0};
        *out = str_at(sym_dwarf_section(u->d, ".debug_str"), rd_n(&c, size));
        break;
    }
    }
    return *out ? 0 : -1;
}

int sym_units_next(struct sym_units *u, struct sym_unit *out)
{
    free(u->given);
    u->given = NULL;
    struct rec r;
    int k;
    if (u->threaded) {
        pthread_mutex_lock(&u->mu);
        if (u->qnext == u->qn && !u->done) {
            u->waiting = 1;
            while (u->qn - u->qnext < BATCH && !u->done)
                pthread_cond_wait(&u->cv, &u->mu);
            u->waiting = 0;
        }
        k = u->qnext < u->qn ? 1 : u->status;
        if (k == 1)
            r = u->q[u->qnext++];
        pthread_mutex_unlock(&u->mu);
    } else {
        k = walk_step(u, &r);
    }
    if (k != 1)
        return k;
    u->given = r.dir_str;
    out->stmt_list = r.stmt_list;
    return comp_dir(u, &r, &out->comp_dir) == 0 ? 1 : SYM_UNITS_LIBDW;
}

void sym_units_end(struct sym_units *u)
{
    if (!u)
        return;
    if (u->threaded) {
        pthread_mutex_lock(&u->mu);
        u->stop = 1;
        pthread_mutex_unlock(&u->mu);
        pthread_join(u->th, NULL);
        pthread_cond_destroy(&u->cv);
        pthread_mutex_destroy(&u->mu);
        for (size_t i = u->qnext; i < u->qn; i++)
            free(u->q[i].dir_str);
        free(u->q);
    } else {
        walk_done(u);
    }
    free(u->given);
    free(u);
}
