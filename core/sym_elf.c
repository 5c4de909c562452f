/* sym_elf.c - one ELF object's symbol table, chosen and trimmed the way
 * Cachegrind 3.19 does it, plus the search for its separate debug file.
 *
 * Owns: reading .symtab/.dynsym, Valgrind's rules for which symbols count
 * and which name an address range shows (coregrind/m_debuginfo/readelf.c
 * get_elf_symbol_info, storage.c canonicaliseSymtab and preferName), the
 * executable segments and .text range, and the debug-file search order
 * (build-id, then .gnu_debuglink).  Everything is in link-time addresses.
 * Must not: read /proc, print, exit.
 *
 * Cachegrind's rules reproduced (each marked "Cachegrind-compatible"):
 * - symbols: FUNC, OBJECT or GNU_IFUNC; LOCAL, GLOBAL or WEAK; named; size
 *   > 0; value whose low 32 bits are not 0; not inside .got or .plt.  A
 *   symbol is "text" unless its address is in .data, .sdata, .rodata, .bss or
 *   .sbss; text symbols must lie wholly inside one executable segment.  Only
 *   text symbols name code.
 * - tables read: .symtab of the main file (or of the debug file when the main
 *   file has none) and the main file's .dynsym.  Names are taken verbatim, so
 *   glibc's .symtab names keep their "@@GLIBC_2.34" / "@GLIBC_2.2.5" suffix
 *   and .dynsym names have none.
 * - aliases (same start and size) merge into one entry; its name is the
 *   preferred one: non-empty, non-blank, shortest before any '@', then the
 *   versioned one, then the alphabetically first.  Overlapping ranges are
 *   trimmed: the earlier one ends where the later starts; of two with the
 *   same start the shorter keeps it and the longer starts after it.
 * - the debug file is only looked for when the main file has no .debug_info:
 *   /usr/lib/debug/.build-id/xx/yyyy.debug (build-id must match), then the
 *   .gnu_debuglink name in the file's directory, its .debug/ subdirectory and
 *   under /usr/lib/debug (each also without a leading "/usr", for merged-/usr
 *   systems), CRC-checked.  Valgrind's debuginfod and --extra-debuginfo-path
 *   lookups are not done.
 */
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/sym_priv.h"

#define PAGE 4096u

/* Section ranges Valgrind looks at, in link-time addresses. */
struct layout {
    struct sym_range text, data, sdata, rodata, bss, sbss, got, plt;
    int has_text, has_data, has_sdata, has_rodata, has_bss, has_sbss, has_got, has_plt;
    struct sym_range *rx; /* executable segments as mapped (page-rounded) */
    size_t nrx;
    struct sym_range *xseg, *dseg; /* exec / non-exec PT_LOAD [vaddr, vaddr+memsz) */
    size_t nxseg, ndseg;
};

static void push_range(struct sym_range **v, size_t *n, uint64_t lo, uint64_t hi)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (struct sym_range){lo, hi};
}

static int in_any(const struct sym_range *v, size_t n, uint64_t a)
{
    for (size_t i = 0; i < n; i++)
        if (a >= v[i].lo && a < v[i].hi)
            return 1;
    return 0;
}

static int read_phdrs(Elf *elf, struct layout *L)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        int exec = (ph.p_flags & (PF_R | PF_X)) == (PF_R | PF_X);
        if (exec) {
            push_range(&L->xseg, &L->nxseg, ph.p_vaddr, ph.p_vaddr + ph.p_memsz);
            /* Cachegrind-compatible: on amd64 a mapping is "rx" when it is
             * readable and executable but not writable; the loader maps the
             * file part of the segment, page-rounded. */
            if (!(ph.p_flags & PF_W))
                push_range(&L->rx, &L->nrx, ph.p_vaddr & ~(uint64_t)(PAGE - 1),
                           (ph.p_vaddr + ph.p_filesz + PAGE - 1) & ~(uint64_t)(PAGE - 1));
        } else {
            push_range(&L->dseg, &L->ndseg, ph.p_vaddr, ph.p_vaddr + ph.p_memsz);
        }
    }
    return 0;
}

Elf_Scn *sym_next_section(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, const char **name)
{
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL)
        if (gelf_getshdr(scn, sh) && (*name = elf_strptr(elf, shstrndx, sh->sh_name)) != NULL)
            return scn;
    return NULL;
}

static void read_sections(Elf *elf, struct layout *L)
{
    int dynbss = 0;
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    const char *n;
    while ((scn = sym_next_section(elf, scn, &sh, &n)) != NULL) {
        if (sh.sh_size == 0)
            continue;
        struct sym_range r = {sh.sh_addr, sh.sh_addr + sh.sh_size};
        int inrx = in_any(L->xseg, L->nxseg, sh.sh_addr);
        int inrw = in_any(L->dseg, L->ndseg, sh.sh_addr);
        /* Only the first section of each name counts, and only where
         * Valgrind accepts it (it gives up on the whole object otherwise;
         * here the section is just ignored). */
        if (!strcmp(n, ".text") && inrx && !L->has_text) {
            L->text = r;
            L->has_text = 1;
        } else if (!strcmp(n, ".data") && inrw && !L->has_data) {
            L->data = r;
            L->has_data = 1;
        } else if (!strcmp(n, ".sdata") && inrw && !L->has_sdata) {
            L->sdata = r;
            L->has_sdata = 1;
        } else if (!strcmp(n, ".rodata") && (inrx || inrw) && !L->has_rodata) {
            L->rodata = r;
            L->has_rodata = 1;
        } else if (!strcmp(n, ".dynbss") && inrw && !L->has_bss) {
            L->bss = r;
            L->has_bss = 1;
            dynbss = 1;
        } else if (!strcmp(n, ".bss") && inrw) {
            /* .dynbss and the .bss right after it form one range. */
            if (dynbss && L->bss.hi == r.lo)
                L->bss.hi = r.hi;
            else if (!L->has_bss)
                L->bss = r;
            L->has_bss = 1;
            dynbss = 0;
        } else if ((!strcmp(n, ".sbss") || !strcmp(n, ".sdynbss")) && inrw && !L->has_sbss) {
            L->sbss = r;
            L->has_sbss = 1;
        } else if (!strcmp(n, ".got") && inrw && !L->has_got) {
            L->got = r;
            L->has_got = 1;
        } else if (!strcmp(n, ".plt") && inrx && !L->has_plt) {
            L->plt = r;
            L->has_plt = 1;
        }
    }
}

static int has_section(Elf *elf, const char *name, int with_data)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    const char *n;
    while ((scn = sym_next_section(elf, scn, &sh, &n)) != NULL)
        if (!strcmp(n, name) && (!with_data || sh.sh_type != SHT_NOBITS))
            return 1;
    return 0;
}

static Elf_Scn *find_scn(Elf *elf, const char *name, GElf_Shdr *out)
{
    Elf_Scn *scn = NULL;
    const char *n;
    while ((scn = sym_next_section(elf, scn, out, &n)) != NULL)
        if (out->sh_type != SHT_NOBITS && !strcmp(n, name))
            return scn;
    return NULL;
}

/* The GNU build-id as lowercase hex (malloc'd), or NULL. */
static char *build_id(Elf *elf)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d)
            continue;
        size_t off = 0, name_off, desc_off;
        GElf_Nhdr nh;
        while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
            if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
                memcmp((const char *)d->d_buf + name_off, "GNU", 4) != 0 || nh.n_descsz == 0)
                continue;
            const uint8_t *p = (const uint8_t *)d->d_buf + desc_off;
            char *hex = xmalloc(2 * nh.n_descsz + 1);
            for (size_t i = 0; i < nh.n_descsz; i++)
                snprintf(hex + 2 * i, 3, "%02x", p[i]);
            return hex;
        }
    }
    return NULL;
}

uint32_t sym_crc32(uint32_t crc, const void *buf, size_t len)
{
    /* The CRC-32 of .gnu_debuglink (IEEE 802.3, reflected, as zlib's). */
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* An opened debug file. */
struct dfile {
    int fd;
    Elf *elf;
};

static int open_elf(const char *path, struct dfile *df)
{
    df->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (df->fd < 0)
        return -1;
    df->elf = elf_begin(df->fd, ELF_C_READ_MMAP, NULL);
    if (!df->elf || elf_kind(df->elf) != ELF_K_ELF) {
        if (df->elf)
            elf_end(df->elf);
        close(df->fd);
        df->fd = -1;
        df->elf = NULL;
        return -1;
    }
    return 0;
}

static void close_elf(struct dfile *df)
{
    if (df->elf)
        elf_end(df->elf);
    if (df->fd >= 0)
        close(df->fd);
    df->elf = NULL;
    df->fd = -1;
}

/* Opens path as the debug file if it matches: same build-id when want_id is
 * given and crc is 0 (as Valgrind checks), else same CRC. */
static int try_debug(const char *path, const char *want_id, uint32_t crc, struct dfile *df)
{
    if (open_elf(path, df) != 0)
        return -1;
    if (want_id && crc == 0) {
        char *id = build_id(df->elf);
        int ok = id && !strcmp(id, want_id);
        free(id);
        if (ok)
            return 0;
    } else {
        uint32_t c = 0;
        char buf[1 << 16];
        ssize_t got;
        off_t off = 0;
        while ((got = pread(df->fd, buf, sizeof buf, off)) > 0) {
            c = sym_crc32(c, buf, (size_t)got);
            off += got;
        }
        if (got == 0 && c == crc)
            return 0;
    }
    close_elf(df);
    return -1;
}

/* Valgrind's search for the separate debug file of the object at path. */
static int find_debug(Elf *elf, const char *path, struct dfile *df)
{
    char *id = build_id(elf);
    char buf[PATH_MAX + 64];
    if (id && strlen(id) > 2) {
        snprintf(buf, sizeof buf, "/usr/lib/debug/.build-id/%c%c/%s.debug", id[0], id[1], id + 2);
        if (try_debug(buf, id, 0, df) == 0) {
            free(id);
            return 0;
        }
    }
    GElf_Shdr sh;
    Elf_Scn *scn = find_scn(elf, ".gnu_debuglink", &sh);
    Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
    const char *name = d ? d->d_buf : NULL;
    size_t nlen = name ? strnlen(name, d->d_size) : 0;
    int found = -1;
    if (path && name && nlen < d->d_size) {
        size_t crc_off = (nlen + 1 + 3) & ~(size_t)3;
        uint32_t crc = 0;
        if (crc_off + 4 <= d->d_size) {
            const uint8_t *q = (const uint8_t *)d->d_buf + crc_off;
            /* The CRC is stored in the file's byte order; x86-64 is little-endian. */
            crc = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        }
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        /* Merged /usr: the same directory without its leading ".../usr". */
        const char *usr = strstr(dir, "usr");
        const char *merged = usr ? usr + 3 : NULL;
        const char *fmts[] = {"%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s"};
        if (name[0] == '/' && try_debug(name, id, crc, df) == 0)
            found = 0;
        for (size_t k = 0; found != 0 && k < sizeof fmts / sizeof *fmts; k++) {
            snprintf(buf, sizeof buf, fmts[k], dir, name);
            if (try_debug(buf, id, crc, df) == 0) {
                found = 0;
                break;
            }
            if (merged) {
                snprintf(buf, sizeof buf, fmts[k], merged, name);
                if (try_debug(buf, id, crc, df) == 0)
                    found = 0;
            }
        }
    }
    free(id);
    return found;
}

/* A symbol before canonicalisation. */
struct cand {
    uint64_t addr, size;
    const char *name; /* best name so far; points into an open Elf */
    int is_text;
};

struct cands {
    struct cand *v;
    size_t n, cap;
};

static int range_hits(const struct sym_range *r, int has, uint64_t a)
{
    return has && a >= r->lo && a < r->hi;
}

static int range_meets(const struct sym_range *r, int has, uint64_t lo, uint64_t size)
{
    return has && !(lo + size <= r->lo || lo >= r->hi);
}

/* Valgrind's get_elf_symbol_info: does this symbol count, and is it text? */
static int accept_sym(const struct layout *L, const GElf_Sym *s, const char *name, struct cand *out)
{
    int bind = GELF_ST_BIND(s->st_info), type = GELF_ST_TYPE(s->st_info);
    if (bind != STB_GLOBAL && bind != STB_LOCAL && bind != STB_WEAK)
        return 0;
    if (type != STT_FUNC && type != STT_OBJECT && type != STT_GNU_IFUNC)
        return 0;
    if (!name || !name[0])
        return 0;
    /* Sizes are kept in a signed 32-bit int. */
    uint64_t size = (int64_t)s->st_size < 0 ? 1 : s->st_size;
    if (size > INT_MAX)
        size = INT_MAX;
    if (size == 0)
        return 0;
    /* Cachegrind-compatible: Valgrind drops symbols whose value truncated
     * to 32 bits is 0 ("reduces junk symbols"). */
    if ((uint32_t)s->st_value == 0)
        return 0;
    uint64_t a = s->st_value;
    int is_text;
    if (range_hits(&L->text, L->has_text, a))
        is_text = 1;
    else if (range_hits(&L->data, L->has_data, a) || range_hits(&L->sdata, L->has_sdata, a) ||
             range_hits(&L->rodata, L->has_rodata, a) || range_hits(&L->bss, L->has_bss, a) ||
             range_hits(&L->sbss, L->has_sbss, a))
        is_text = 0;
    else
        is_text = 1; /* Valgrind: "assume it's in .text" */
    if (range_hits(&L->got, L->has_got, a) || range_hits(&L->plt, L->has_plt, a))
        return 0;
    if (is_text) {
        int ok = 0;
        for (size_t i = 0; i < L->nrx && !ok; i++)
            ok = a >= L->rx[i].lo && a + size - 1 < L->rx[i].hi;
        if (!ok)
            return 0;
    } else if (!range_meets(&L->data, L->has_data, a, size) && !range_meets(&L->sdata, L->has_sdata, a, size) &&
               !range_meets(&L->rodata, L->has_rodata, a, size) && !range_meets(&L->bss, L->has_bss, a, size) &&
               !range_meets(&L->sbss, L->has_sbss, a, size)) {
        return 0;
    }
    *out = (struct cand){a, size, name, is_text};
    return 1;
}

static void read_symtab(struct cands *c, Elf *elf, const char *secname, const struct layout *L)
{
    GElf_Shdr sh;
    Elf_Scn *scn = find_scn(elf, secname, &sh);
    if (!scn || sh.sh_entsize == 0)
        return;
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d)
        return;
    size_t n = d->d_size / sh.sh_entsize;
    /* Entry 0 is the undefined symbol. */
    for (size_t i = 1; i < n; i++) {
        GElf_Sym s;
        if (!gelf_getsym(d, (int)i, &s))
            continue;
        const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
        struct cand k;
        if (!accept_sym(L, &s, name, &k))
            continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            c->v = xrealloc(c->v, c->cap * sizeof *c->v);
        }
        c->v[c->n++] = k;
    }
}

int sym_prefer_name(const char *a, const char *b)
{
    /* Valgrind's preferName, rule by rule. */
    size_t la = strlen(a), lb = strlen(b);
    const char *va = strchr(a, '@'), *vb = strchr(b, '@');
    if (va)
        la = (size_t)(va - a);
    if (vb)
        lb = (size_t)(vb - b);
    /* The MPI profiling hack: PMPI_x before MPI_x. */
    if (!strncmp(a, "MPI_", 4) && !strncmp(b, "PMPI_", 5) && !strcmp(a, b + 1))
        return 0;
    if (!strncmp(b, "MPI_", 4) && !strncmp(a, "PMPI_", 5) && !strcmp(b, a + 1))
        return 1;
    if (la && !lb)
        return 1;
    if (lb && !la)
        return 0;
    int blank_a = 1, blank_b = 1;
    for (const char *p = a; *p && blank_a; p++)
        blank_a = *p == ' ' || (*p >= '\t' && *p <= '\r');
    for (const char *p = b; *p && blank_b; p++)
        blank_b = *p == ' ' || (*p >= '\t' && *p <= '\r');
    if (!blank_a && blank_b)
        return 1;
    if (!blank_b && blank_a)
        return 0;
    if (la != lb)
        return la < lb;
    if (va && !vb)
        return 1;
    if (vb && !va)
        return 0;
    return strcmp(a, b) <= 0;
}

static int cmp_cand(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    if (a->size != b->size)
        return a->size < b->size ? -1 : 1;
    return 0;
}

/* Valgrind's canonicaliseSymtab: merge aliases, trim overlaps, repeat. */
static void canonicalise(struct cands *c)
{
    for (;;) {
        qsort(c->v, c->n, sizeof *c->v, cmp_cand);
        /* Identical ranges become one entry: text if any of them is, named
         * by the preferred name of all. */
        size_t w = 0;
        for (size_t r = 0; r < c->n; r++) {
            if (w > 0 && c->v[w - 1].addr == c->v[r].addr && c->v[w - 1].size == c->v[r].size) {
                struct cand *k = &c->v[w - 1];
                k->is_text |= c->v[r].is_text;
                if (!sym_prefer_name(k->name, c->v[r].name))
                    k->name = c->v[r].name;
                continue;
            }
            c->v[w++] = c->v[r];
        }
        c->n = w;
        size_t truncated = 0;
        for (size_t i = 0; i + 1 < c->n; i++) {
            struct cand *p = &c->v[i], *q = &c->v[i + 1];
            if (p->addr + p->size <= q->addr)
                continue;
            uint64_t s1 = p->addr, e1 = p->addr + p->size - 1;
            uint64_t s2 = q->addr, e2 = q->addr + q->size - 1;
            if (s1 < s2) {
                e1 = s2 - 1;
            } else if (e1 > e2) {
                /* Same start, p longer: q keeps the start, p follows it. */
                struct cand t = *p;
                *p = *q;
                *q = t;
                uint64_t ns = e2 + 1;
                s1 = s2;
                e1 = e2;
                s2 = ns;
                e2 = t.addr + t.size - 1;
            } else if (e1 < e2) {
                s2 = e1 + 1;
            } else {
                continue; /* identical: merged on the next round */
            }
            p->addr = s1;
            p->size = e1 - s1 + 1;
            q->addr = s2;
            q->size = e2 - s2 + 1;
            /* Keep the array sorted by start. */
            for (size_t j = i + 1; j + 1 < c->n && c->v[j].addr > c->v[j + 1].addr; j++) {
                struct cand t = c->v[j];
                c->v[j] = c->v[j + 1];
                c->v[j + 1] = t;
            }
            truncated++;
        }
        if (!truncated)
            return;
    }
}

int sym_obj_bias(Elf *elf, uint64_t start, uint64_t size, uint64_t foff, uint64_t *bias)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
                continue;
            /* First choice: the executable segment this mapping holds. */
            if (pass == 0 && (ph.p_flags & (PF_R | PF_X)) != (PF_R | PF_X))
                continue;
            if (ph.p_offset >= foff && ph.p_offset < foff + size) {
                *bias = start - foff + ph.p_offset - ph.p_vaddr;
                return 0;
            }
        }
    }
    return -1;
}

void sym_obj_load(struct sym_obj *o, Elf *elf, const char *path, int fd, struct intern *strs)
{
    *o = (struct sym_obj){0};
    struct layout L = {0};
    if (!elf || elf_kind(elf) != ELF_K_ELF || read_phdrs(elf, &L) != 0 || L.nrx == 0)
        goto out;
    read_sections(elf, &L);
    o->usable = 1;

    struct dfile dbg = {-1, NULL};
    int main_dwarf = has_section(elf, ".debug_info", 1) || has_section(elf, ".zdebug_info", 1);
    if (!main_dwarf)
        find_debug(elf, path, &dbg);
    uint64_t key = sym_store_key(path ? fd : -1, dbg.fd);
    if (sym_store_load(o, key, strs) == 0) {
        close_elf(&dbg);
        goto layout;
    }

    /* The compile units are read from now on, so that .debug_info, the
     * largest section, inflates (in a second thread) while the symbol
     * tables are read. */
    struct sym_dwarf *dw = main_dwarf ? sym_dwarf_open(elf) : dbg.elf ? sym_dwarf_open(dbg.elf) : NULL;
    struct sym_units *units = dw ? sym_units_start(dw) : NULL;

    struct cands c = {0};
    if (has_section(elf, ".symtab", 1))
        read_symtab(&c, elf, ".symtab", &L);
    else if (dbg.elf)
        read_symtab(&c, dbg.elf, ".symtab", &L);
    read_symtab(&c, elf, ".dynsym", &L);
    canonicalise(&c);
    o->syms = xcalloc(c.n ? c.n : 1, sizeof *o->syms);
    for (size_t i = 0; i < c.n; i++)
        o->syms[i] = (struct sym_fsym){c.v[i].addr, c.v[i].size, intern_str(strs, c.v[i].name), NULL,
                                       c.v[i].is_text};
    o->nsyms = c.n;
    free(c.v);

    if (dw)
        sym_lines_read(&o->lines, dw, units, L.rx, L.nrx, strs);
    sym_dwarf_close(dw);
    sym_lines_finish(&o->lines);
    close_elf(&dbg);
    sym_store_save(o, key, strs);
layout:
    o->rx = L.rx;
    o->nrx = L.nrx;
    L.rx = NULL;
    o->text_present = L.has_text;
    o->text = L.text;
out:
    free(L.rx);
    free(L.xseg);
    free(L.dseg);
}

struct sym_fsym *sym_obj_find_sym(struct sym_obj *o, uint64_t addr)
{
    size_t lo = 0, hi = o->nsyms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct sym_fsym *s = &o->syms[mid];
        if (addr < s->addr)
            hi = mid;
        else if (addr - s->addr >= s->size)
            lo = mid + 1;
        else
            return s;
    }
    return NULL;
}

void sym_obj_release(struct sym_obj *o)
{
    free(o->rx);
    free(o->syms);
    sym_lines_release(&o->lines);
    *o = (struct sym_obj){0};
}
