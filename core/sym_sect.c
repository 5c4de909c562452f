/* sym_sect.c - the DWARF sections the line reader needs, and only those,
 * decompressed for libdw.
 *
 * Owns: choosing between an object's ELF as it is and a lean in-memory ELF
 * image that holds just .debug_info, .debug_abbrev, .debug_str,
 * .debug_str_offsets, .debug_line and .debug_line_str, decompressed (zlib,
 * SHF_COMPRESSED or old-style .zdebug_*).  libdw's dwarf_begin_elf inflates
 * every debug section it knows before anything can be read, and glibc's debug
 * file spends a sixth of its 10 MB on location and range lists that the line
 * reader never looks at; reading a debug file was most of cachesim's start-up.
 * Decompressing here also lets the largest section (.debug_info) inflate in a
 * second thread while the others inflate in this one.
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
        if (ch.ch_type != ELFCOMPRESS_ZLIB)
            return -1;
        *p = (struct part){1, 1, 0, b + sizeof ch, n - sizeof ch, ch.ch_size, 0, flags, NULL};
    } else if (gnu && n >= 12 && !memcmp(b, "ZLIB", 4)) {
        /* Old GNU style: "ZLIB", the size as 8 big-endian bytes, the stream. */
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

Elf *sym_dwarf_elf(Elf *elf, void **image)
{
    *image = NULL;
    GElf_Ehdr eh;
    size_t shstrndx;
    if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 || elf_getshdrstrndx(elf, &shstrndx) != 0)
        return elf;
    struct part parts[NWANT] = {{0}};
    int any_zlib = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!n)
            continue;
        if (!strcmp(n, ".gnu_debugaltlink"))
            return elf;
        int gnu, ix = wanted_ix(n, &gnu);
        /* As libdw: the first section of a name counts, NOBITS ones do not. */
        if (ix < 0 || parts[ix].present || sh.sh_type == SHT_NOBITS)
            continue;
        if (locate(&parts[ix], scn, &sh, gnu) == 0)
            any_zlib |= parts[ix].zlib;
    }
    if (!any_zlib || !parts[0].present)
        return elf;

    /* Layout: ELF header, the sections, their names, the section headers. */
    size_t off = sizeof(Elf64_Ehdr), names = 1, nsec = 1;
    for (size_t i = 0; i < NWANT; i++) {
        if (!parts[i].present)
            continue;
        off = align8(off);
        parts[i].off = off;
        off += parts[i].len;
        names += strlen(wanted[i]) + 1;
        nsec++;
    }
    size_t names_off = off, shoff = align8(off + names + sizeof ".shstrtab");
    size_t total = shoff + (nsec + 1) * sizeof(Elf64_Shdr);
    uint8_t *img = xmalloc(total);
    for (size_t i = 0; i < NWANT; i++)
        parts[i].dst = img + parts[i].off;

    /* .debug_info, by far the largest, in a second thread. */
    pthread_t th;
    int threaded = parts[0].zlib && pthread_create(&th, NULL, inflate_thread, &parts[0]) == 0;
    for (size_t i = threaded ? 1 : 0; i < NWANT; i++)
        if (parts[i].present)
            inflate_part(&parts[i]);
    if (threaded)
        pthread_join(th, NULL);
    if (!parts[0].ok) {
        free(img);
        return NULL;
    }

    Elf64_Ehdr *e = (Elf64_Ehdr *)img;
    memset(e, 0, sizeof *e);
    memcpy(e->e_ident, eh.e_ident, EI_NIDENT);
    e->e_type = eh.e_type;
    e->e_machine = eh.e_machine;
    e->e_version = EV_CURRENT;
    e->e_ehsize = sizeof *e;
    e->e_shentsize = sizeof(Elf64_Shdr);
    e->e_shoff = shoff;
    Elf64_Shdr *sh = (Elf64_Shdr *)(img + shoff);
    memset(sh, 0, sizeof *sh);
    char *strs = (char *)img + names_off;
    size_t k = 1, at = 1;
    strs[0] = 0;
    for (size_t i = 0; i < NWANT; i++) {
        if (!parts[i].present || !parts[i].ok)
            continue;
        sh[k++] = (Elf64_Shdr){.sh_name = (Elf64_Word)at, .sh_type = SHT_PROGBITS, .sh_flags = parts[i].flags,
                               .sh_offset = parts[i].off, .sh_size = parts[i].len, .sh_addralign = 1};
        size_t l = strlen(wanted[i]) + 1;
        memcpy(strs + at, wanted[i], l);
        at += l;
    }
    sh[k] = (Elf64_Shdr){.sh_name = (Elf64_Word)at, .sh_type = SHT_STRTAB, .sh_offset = names_off,
                         .sh_size = at + sizeof ".shstrtab", .sh_addralign = 1};
    memcpy(strs + at, ".shstrtab", sizeof ".shstrtab");
    e->e_shstrndx = (Elf64_Half)k;
    e->e_shnum = (Elf64_Half)(k + 1);

    Elf *mem = elf_memory((char *)img, total);
    if (!mem) {
        free(img);
        return elf;
    }
    *image = img;
    return mem;
}
