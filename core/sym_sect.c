/* sym_sect.c - the DWARF sections the symbolizer reads, and only those,
 * each decompressed when first asked for and freed when no longer needed.
 *
 * Owns: finding .debug_info, .debug_abbrev, .debug_str, .debug_str_offsets,
 * .debug_line and .debug_line_str in an object's ELF (plain, SHF_COMPRESSED
 * or old-style .zdebug_*, zlib) and giving their bytes: a plain section in
 * place, a compressed one inflated with libdeflate (about twice as fast as
 * zlib) into a mapping of its own, unmapped when its reader is done with it
 * (sym_dwarf_drop: .debug_info and .debug_abbrev, the largest, as soon as
 * sym_unit.c has walked the units) or at sym_dwarf_close.  For libdw, when
 * sym_unit.c leaves a file to it, an in-memory ELF image of just these
 * sections is made instead (sym_dwarf_elf): libdw's dwarf_begin_elf would
 * inflate every debug section, location and range lists included.
 * Must not: interpret DWARF (sym_unit.c, sym_line.c and libdw do), print or
 * exit.
 *
 * The bytes are those libdw would see under the same names.  A section that
 * fails to decompress counts as absent, as libdw skips it; .debug_info
 * failing means no DWARF, as in libdw.  Files with a dwz alternate file
 * (.gnu_debugaltlink: libdw finds it relative to the file's own directory)
 * and ELFCLASS32 files are left to libdw as they are (sym_dwarf_own).
 */
#include <elf.h>
#include <gelf.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/base/diag.h"
#include "core/sym_priv.h"

/* The sections read here; .debug_info first. */
static const char *const wanted[] = {".debug_info", ".debug_abbrev", ".debug_str",
                                     ".debug_str_offsets", ".debug_line", ".debug_line_str"};
#define NWANT (sizeof wanted / sizeof *wanted)

/* One wanted section as the file stores it, and its decompressed bytes. */
struct part {
    int present, zlib;
    const uint8_t *src; /* the zlib stream, or the plain bytes */
    size_t srclen;
    size_t len; /* decompressed size */
    uint64_t flags;
    int tried;        /* inflated (or failed to) */
    uint8_t *buf;     /* mapped, len bytes, when inflated */
};

struct sym_dwarf {
    Elf *elf;   /* the object's own ELF */
    int own;    /* the parts are read here */
    int any_zlib;
    struct part parts[NWANT];
    uint8_t *img; /* the image for libdw, once made */
    size_t imgsize;
    int img_made;
    Elf *mem;
};

void *sym_map(size_t n)
{
    void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void sym_unmap(void *p, size_t n)
{
    if (p)
        munmap(p, n ? n : 1);
}

/* Which wanted section a section name is (".debug_x" or ".zdebug_x"), or -1. */
static int wanted_ix(const char *name, int *gnu)
{
    *gnu = name[0] == '.' && name[1] == 'z';
    for (size_t i = 0; i < NWANT; i++)
        if (*gnu ? !strcmp(name + 2, wanted[i] + 1) : !strcmp(name, wanted[i]))
            return (int)i;
    return -1;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Fills p from section scn; 0, or -1 if its compression is not one libelf
 * 0.188 reads (the section then counts as absent). */
static int locate(struct part *p, Elf_Scn *scn, const GElf_Shdr *sh, int gnu)
{
    Elf_Data *d = elf_rawdata(scn, NULL);
    if (!d || !d->d_buf)
        return -1;
    const uint8_t *b = d->d_buf;
    size_t n = d->d_size;
    uint64_t flags = sh->sh_flags & ~(uint64_t)SHF_COMPRESSED;
    if (sh->sh_flags & SHF_COMPRESSED) {
        Elf64_Chdr ch;
        if (n < sizeof ch)
            return -1;
        memcpy(&ch, b, sizeof ch);
        /* deflate expands at most 1032 times: a larger stated size is a
         * broken file, not worth an allocation. */
        if (ch.ch_type != ELFCOMPRESS_ZLIB || ch.ch_size / 1032 > n)
            return -1;
        *p = (struct part){1, 1, b + sizeof ch, n - sizeof ch, ch.ch_size, flags, 0, NULL};
    } else if (gnu && n >= 12 && !memcmp(b, "ZLIB", 4)) {
        /* Old GNU style: "ZLIB", the size as 8 big-endian bytes, the stream. */
        if (be64(b + 4) / 1032 > n)
            return -1;
        *p = (struct part){1, 1, b + 12, n - 12, be64(b + 4), flags, 0, NULL};
    } else {
        *p = (struct part){1, 0, b, n, n, flags, 0, NULL};
    }
    return 0;
}

/* Inflates p's whole stream into dst (p->len bytes); 0, or -1 if it does not
 * decompress to exactly that size (as libelf requires). */
static int inflate_whole(const struct part *p, uint8_t *dst)
{
    /* One decompressor per call: two threads may inflate at once. */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t got = 0;
    int ok = d && libdeflate_zlib_decompress(d, p->src, p->srclen, dst, p->len, &got) == LIBDEFLATE_SUCCESS &&
             got == p->len;
    if (d)
        libdeflate_free_decompressor(d);
    return ok ? 0 : -1;
}

struct sym_dwarf *sym_dwarf_open(Elf *elf)
{
    struct sym_dwarf *d = xcalloc(1, sizeof *d);
    d->elf = elf;
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return d;
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    const char *n;
    while ((scn = sym_next_section(elf, scn, &sh, &n)) != NULL) {
        if (!strcmp(n, ".gnu_debugaltlink"))
            return d;
        int gnu, ix = wanted_ix(n, &gnu);
        /* As libdw: the first section of a name counts, NOBITS ones do not. */
        if (ix < 0 || d->parts[ix].present || sh.sh_type == SHT_NOBITS)
            continue;
        if (locate(&d->parts[ix], scn, &sh, gnu) == 0)
            d->any_zlib |= d->parts[ix].zlib;
    }
    d->own = 1;
    return d;
}

int sym_dwarf_own(const struct sym_dwarf *d)
{
    return d->own;
}

/* A section of an ELF libdw reads as it is: decompressed in place, as libdw
 * does when it opens the file. */
static struct sym_sect find_section(Elf *elf, const char *name)
{
    struct sym_sect s = {NULL, 0};
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    const char *n;
    while ((scn = sym_next_section(elf, scn, &sh, &n)) != NULL) {
        if (sh.sh_type == SHT_NOBITS)
            continue;
        int gnu = 0;
        if (strcmp(n, name) != 0) {
            /* Old-style GNU compression renames .debug_x to .zdebug_x. */
            if (!(n[0] == '.' && n[1] == 'z' && strcmp(n + 2, name + 1) == 0))
                continue;
            gnu = 1;
        }
        if (sh.sh_flags & SHF_COMPRESSED)
            elf_compress(scn, 0, 0);
        else if (gnu)
            elf_compress_gnu(scn, 0, 0);
        Elf_Data *data = elf_getdata(scn, NULL);
        if (data && data->d_buf) {
            s.p = data->d_buf;
            s.len = data->d_size;
        }
        return s;
    }
    return s;
}

struct sym_sect sym_dwarf_section(struct sym_dwarf *d, const char *name)
{
    struct sym_sect s = {NULL, 0};
    if (!d->own)
        return find_section(d->elf, name);
    int gnu, ix = wanted_ix(name, &gnu);
    if (ix < 0 || !d->parts[ix].present)
        return s;
    struct part *p = &d->parts[ix];
    if (!p->zlib)
        return (struct sym_sect){p->src, p->len};
    if (!p->tried) {
        p->tried = 1;
        p->buf = sym_map(p->len);
        if (p->buf && inflate_whole(p, p->buf) != 0) {
            sym_unmap(p->buf, p->len);
            p->buf = NULL;
        }
    }
    if (p->buf)
        s = (struct sym_sect){p->buf, p->len};
    return s;
}

void sym_dwarf_drop(struct sym_dwarf *d, const char *name)
{
    int gnu, ix = wanted_ix(name, &gnu);
    if (ix < 0)
        return;
    struct part *p = &d->parts[ix];
    sym_unmap(p->buf, p->len);
    p->buf = NULL;
}

int sym_dwarf_inflates(const struct sym_dwarf *d, const char *name)
{
    int gnu, ix = wanted_ix(name, &gnu);
    return d->own && ix >= 0 && d->parts[ix].zlib;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* An ELF image holding the present sections, decompressed, under their
 * names; NULL if .debug_info does not decompress. */
static Elf *make_image(struct sym_dwarf *d)
{
    size_t off[NWANT] = {0}, at = sizeof(Elf64_Ehdr), names = 1 + sizeof ".shstrtab", nsec = 2;
    int ok[NWANT] = {0};
    for (size_t i = 0; i < NWANT; i++) {
        if (!d->parts[i].present)
            continue;
        at = align8(at);
        off[i] = at;
        at += d->parts[i].len;
        names += strlen(wanted[i]) + 1;
        nsec++;
    }
    size_t names_off = at, shoff = align8(at + names);
    d->imgsize = shoff + nsec * sizeof(Elf64_Shdr);
    d->img = sym_map(d->imgsize);
    if (!d->img)
        return NULL;
    for (size_t i = 0; i < NWANT; i++) {
        const struct part *p = &d->parts[i];
        if (!p->present)
            continue;
        if (p->zlib) {
            ok[i] = inflate_whole(p, d->img + off[i]) == 0;
        } else {
            memcpy(d->img + off[i], p->src, p->len);
            ok[i] = 1;
        }
    }
    if (!ok[0])
        return NULL;
    GElf_Ehdr eh;
    gelf_getehdr(d->elf, &eh);
    char *strs = (char *)d->img + names_off;
    Elf64_Shdr *sh = (Elf64_Shdr *)(d->img + shoff);
    size_t name = 1, n = 1;
    strs[0] = 0;
    sh[0] = (Elf64_Shdr){0};
    for (size_t i = 0; i < NWANT; i++) {
        const struct part *p = &d->parts[i];
        if (!p->present || !ok[i])
            continue;
        sh[n++] = (Elf64_Shdr){.sh_name = (Elf64_Word)name, .sh_type = SHT_PROGBITS, .sh_flags = p->flags,
                               .sh_offset = off[i], .sh_size = p->len, .sh_addralign = 1};
        size_t l = strlen(wanted[i]) + 1;
        memcpy(strs + name, wanted[i], l);
        name += l;
    }
    sh[n] = (Elf64_Shdr){.sh_name = (Elf64_Word)name, .sh_type = SHT_STRTAB, .sh_offset = names_off,
                         .sh_size = name + sizeof ".shstrtab", .sh_addralign = 1};
    memcpy(strs + name, ".shstrtab", sizeof ".shstrtab");
    Elf64_Ehdr *e = (Elf64_Ehdr *)d->img;
    *e = (Elf64_Ehdr){.e_type = eh.e_type, .e_machine = eh.e_machine, .e_version = EV_CURRENT,
                      .e_shoff = shoff, .e_ehsize = sizeof *e,
                      .e_shentsize = sizeof *sh, .e_shnum = (Elf64_Half)(n + 1),
                      .e_shstrndx = (Elf64_Half)n};
    memcpy(e->e_ident, eh.e_ident, EI_NIDENT);
    return elf_memory((char *)d->img, d->imgsize);
}

Elf *sym_dwarf_elf(struct sym_dwarf *d)
{
    /* Without compressed sections libdw decompresses nothing anyway. */
    if (!d->own || !d->any_zlib || !d->parts[0].present)
        return d->elf;
    if (!d->img_made) {
        d->img_made = 1;
        d->mem = make_image(d);
    }
    return d->mem;
}

void sym_dwarf_close(struct sym_dwarf *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < NWANT; i++)
        sym_unmap(d->parts[i].buf, d->parts[i].len);
    if (d->mem)
        elf_end(d->mem);
    sym_unmap(d->img, d->imgsize);
    free(d);
}
