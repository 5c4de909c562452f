/* sym_sect.c - the DWARF sections the line reader needs, and only those,
 * decompressed, .debug_info in a second thread.
 *
 * Owns: choosing between an object's ELF as it is and a lean in-memory ELF
 * image that holds just .debug_info, .debug_abbrev, .debug_str,
 * .debug_str_offsets, .debug_line and .debug_line_str, decompressed (zlib
 * streams, SHF_COMPRESSED or old-style .zdebug_*) with libdeflate, which
 * inflates about twice as fast as zlib.  libdw's dwarf_begin_elf inflates
 * every debug section it knows before anything can be read, and glibc's debug
 * file spends a sixth of its 10 MB on location and range lists that the line
 * reader never looks at; reading a debug file was most of cachesim's start-up.
 * .debug_info, the largest section and the only one sym_line.c needs libdw
 * for, inflates in a second thread while the caller decodes line programs
 * from the others (sym_dwarf_section), until sym_dwarf_elf waits for it.
 * Must not: interpret DWARF (libdw and sym_line.c do), print or exit.
 *
 * The image gives libdw the same bytes under the same names as the file
 * would, so what libdw reports (units, DW_AT_stmt_list, DW_AT_comp_dir with
 * every string form) does not change.  A section that fails to decompress is
 * left out, as libdw skips it; .debug_info failing means no DWARF, as in
 * libdw.  Files that libdw must see as they are get no image: those with a
 * dwz alternate file (.gnu_debugaltlink: libdw finds it relative to the
 * file's own directory), ELFCLASS32 files, and files whose needed sections
 * are all stored uncompressed (libdw then decompresses nothing anyway).
 */
#include <elf.h>
#include <gelf.h>
#include <libdeflate.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"
#include "core/sym_priv.h"

/* The sections sym_line.c and libdw's unit walk read; .debug_info first. */
static const char *const wanted[] = {".debug_info", ".debug_abbrev", ".debug_str",
                                     ".debug_str_offsets", ".debug_line", ".debug_line_str"};
#define NWANT (sizeof wanted / sizeof *wanted)

/* One wanted section as the file stores it, and its place in the image. */
struct part {
    int present, zlib, ok;
    const uint8_t *src; /* the zlib stream, or the plain bytes */
    size_t srclen;
    size_t len; /* decompressed size */
    size_t off; /* offset in the image */
    uint64_t flags;
    uint8_t *dst;
};

struct sym_dwarf {
    Elf *elf;         /* the object's own ELF */
    uint8_t *img;     /* the image, or NULL: elf is read as it is */
    size_t size, names_off, shoff;
    struct part parts[NWANT];
    pthread_t th;     /* inflating parts[0] when threaded */
    int threaded, waited;
    Elf *mem;         /* the image as an ELF, once made */
};

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
        *p = (struct part){1, 1, 0, b + sizeof ch, n - sizeof ch, ch.ch_size, 0, flags, NULL};
    } else if (gnu && n >= 12 && !memcmp(b, "ZLIB", 4)) {
        /* Old GNU style: "ZLIB", the size as 8 big-endian bytes, the stream. */
        if (be64(b + 4) / 1032 > n)
            return -1;
        *p = (struct part){1, 1, 0, b + 12, n - 12, be64(b + 4), 0, flags, NULL};
    } else {
        *p = (struct part){1, 0, 0, b, n, n, 0, flags, NULL};
    }
    return 0;
}

static void inflate_part(struct part *p)
{
    if (!p->zlib) {
        memcpy(p->dst, p->src, p->len);
        p->ok = 1;
        return;
    }
    /* One decompressor per call: the calls run in two threads. */
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t got = 0;
    /* As libelf: the stream must end exactly at the stated size. */
    p->ok = d && libdeflate_zlib_decompress(d, p->src, p->srclen, p->dst, p->len, &got) == LIBDEFLATE_SUCCESS &&
            got == p->len;
    if (d)
        libdeflate_free_decompressor(d);
}

static void *inflate_thread(void *arg)
{
    inflate_part(arg);
    return NULL;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Places the present parts in a new image and decompresses them, all but
 * .debug_info before returning.  0, or -1 if there is no memory for it
 * (libdw then reads the file as it is). */
static int start_image(struct sym_dwarf *d)
{
    size_t off = sizeof(Elf64_Ehdr), names = 1 + sizeof ".shstrtab", nsec = 2;
    for (size_t i = 0; i < NWANT; i++) {
        if (!d->parts[i].present)
            continue;
        off = align8(off);
        d->parts[i].off = off;
        off += d->parts[i].len;
        names += strlen(wanted[i]) + 1;
        nsec++;
    }
    d->names_off = off;
    d->shoff = align8(off + names);
    d->size = d->shoff + nsec * sizeof(Elf64_Shdr);
    d->img = malloc(d->size);
    if (!d->img)
        return -1;
    for (size_t i = 0; i < NWANT; i++)
        d->parts[i].dst = d->img + d->parts[i].off;
    if (d->parts[0].zlib) {
        /* The thread takes no signals: cachesim's handlers expect them in
         * the thread that waits for the traced program. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        d->threaded = pthread_create(&d->th, NULL, inflate_thread, &d->parts[0]) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    for (size_t i = d->threaded ? 1 : 0; i < NWANT; i++)
        if (d->parts[i].present)
            inflate_part(&d->parts[i]);
    return 0;
}

struct sym_dwarf *sym_dwarf_open(Elf *elf)
{
    struct sym_dwarf *d = xcalloc(1, sizeof *d);
    d->elf = elf;
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return d;
    int any_zlib = 0;
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
            any_zlib |= d->parts[ix].zlib;
    }
    if (any_zlib && d->parts[0].present)
        start_image(d);
    return d;
}

/* A section of an ELF read as it is: decompressed in place, as libdw does
 * when it opens the file. */
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
    if (!d->img)
        return find_section(d->elf, name);
    int gnu, ix = wanted_ix(name, &gnu);
    struct sym_sect s = {NULL, 0};
    if (ix > 0 && d->parts[ix].ok)
        s = (struct sym_sect){d->parts[ix].dst, d->parts[ix].len};
    return s;
}

/* Waits for .debug_info and writes the image's ELF header and section
 * headers around the sections that decompressed. */
static Elf *finish_image(struct sym_dwarf *d)
{
    if (d->threaded)
        pthread_join(d->th, NULL);
    d->threaded = 0;
    if (!d->parts[0].ok)
        return NULL;
    GElf_Ehdr eh;
    gelf_getehdr(d->elf, &eh);
    char *strs = (char *)d->img + d->names_off;
    Elf64_Shdr *sh = (Elf64_Shdr *)(d->img + d->shoff);
    size_t at = 1, nsec = 1;
    strs[0] = 0;
    sh[0] = (Elf64_Shdr){0};
    for (size_t i = 0; i < NWANT; i++) {
        const struct part *p = &d->parts[i];
        if (!p->present || !p->ok)
            continue;
        sh[nsec++] = (Elf64_Shdr){.sh_name = (Elf64_Word)at, .sh_type = SHT_PROGBITS, .sh_flags = p->flags,
                                  .sh_offset = p->off, .sh_size = p->len, .sh_addralign = 1};
        size_t l = strlen(wanted[i]) + 1;
        memcpy(strs + at, wanted[i], l);
        at += l;
    }
    sh[nsec] = (Elf64_Shdr){.sh_name = (Elf64_Word)at, .sh_type = SHT_STRTAB, .sh_offset = d->names_off,
                            .sh_size = at + sizeof ".shstrtab", .sh_addralign = 1};
    memcpy(strs + at, ".shstrtab", sizeof ".shstrtab");
    Elf64_Ehdr *e = (Elf64_Ehdr *)d->img;
    *e = (Elf64_Ehdr){.e_type = eh.e_type, .e_machine = eh.e_machine, .e_version = EV_CURRENT,
                      .e_shoff = d->shoff, .e_ehsize = sizeof *e,
                      .e_shentsize = sizeof *sh, .e_shnum = (Elf64_Half)(nsec + 1),
                      .e_shstrndx = (Elf64_Half)nsec};
    memcpy(e->e_ident, eh.e_ident, EI_NIDENT);
    return elf_memory((char *)d->img, d->size);
}

Elf *sym_dwarf_elf(struct sym_dwarf *d)
{
    if (!d->img)
        return d->elf;
    if (!d->waited) {
        d->waited = 1;
        d->mem = finish_image(d);
    }
    return d->mem;
}

void sym_dwarf_close(struct sym_dwarf *d)
{
    if (!d)
        return;
    if (d->threaded)
        pthread_join(d->th, NULL);
    if (d->mem)
        elf_end(d->mem);
    free(d->img);
    free(d);
}
