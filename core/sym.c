/* sym.c - the symbolizer's public side: a process's code mappings, the
 * objects mapped there, and address -> (file, function, line) lookups with
 * Cachegrind's fallbacks and renames.
 *
 * Owns: reading /proc/PID/maps (lazily, again after sym_invalidate), the
 * cache of loaded objects (keyed by path, device and inode, so a library
 * mapped again after dlclose/dlopen or exec is not read twice), the vDSO
 * image (read from /proc/PID/mem), demangling and "(below main)".
 * The tables themselves are built by sym_elf.c (symbols) and sym_line.c
 * (lines), in link-time addresses; this file adds each mapping's bias.
 * Must not: print, exit, or know about engines, caches or profiles.
 *
 * Cost: a lookup is three binary searches (mapping, symbol, line) plus, the
 * first time a symbol is shown, one demangling; an object is read the first
 * time an address in it is looked up (libc with its debug file: tens of ms).
 *
 * Where Cachegrind has no answer, the choice made here (see docs/symbols.md):
 * - the vDSO: Valgrind removes it from amd64 programs, so Cachegrind never
 *   shows vDSO code; here it is read like any ELF object (its .dynsym), which
 *   gives fl=??? line 0 and e.g. fn=clock_gettime (the shortest alias);
 * - anonymous executable memory (JIT code), [vsyscall], unreadable or
 *   non-ELF files: "???" / "???" / 0, as Cachegrind shows code without
 *   debug information.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libiberty/demangle.h>

#include "core/base/diag.h"
#include "core/base/intern.h"
#include "core/cpus.h"
#include "core/sym.h"
#include "core/sym_priv.h"

/* One object (ELF file or vDSO image), loaded on first use, or ahead in a
 * thread of its own (sym_prefetch). */
struct mod {
    char *path;             /* file path, or "[vdso]" */
    uint64_t dev, ino;      /* file identity (0 for the vDSO) */
    uint64_t vdso_start;    /* the vDSO: where its image was read from */
    int loaded;
    int loading;            /* its loader thread runs or has not been joined */
    int done;               /* its loader thread has finished (atomic) */
    pthread_t th;
    pid_t pid;              /* for the loader: the process and the mapping */
    uint64_t map_start, map_end;
    Elf *elf;               /* kept for bias computation of new mappings */
    int fd;
    void *image;            /* the vDSO's bytes */
    /* Its names (symbols, line table files): a table of its own, so that a
     * loader thread shares nothing with lookups; sym_lookup interns what it
     * returns into struct sym's table. */
    struct intern *strs;
    struct sym_obj obj;
};

/* One executable mapping of the process. */
struct region {
    uint64_t start, end, foff;
    struct mod *mod;        /* NULL: anonymous or special, all "???" */
    int bias_state;         /* 0 not computed, 1 known, -1 unusable */
    uint64_t bias;
};

struct sym {
    pid_t pid;
    int maps_read;
    struct region *reg;
    size_t nreg, capreg;
    struct mod **mods;
    size_t nmods;
    struct intern *strs;
    const char *unknown, *below_main;
    size_t last;            /* index of the last region hit */
};

static int elf_ready;

static void init_elf(void)
{
    if (!elf_ready) {
        elf_version(EV_CURRENT);
        elf_ready = 1;
    }
}

struct sym *sym_new(pid_t pid, struct diag_err *e)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) {
        diag_set(e, "unable to read '%s': %s", path, strerror(errno));
        return NULL;
    }
    fclose(f);
    init_elf();
    struct sym *s = xcalloc(1, sizeof *s);
    s->pid = pid;
    s->strs = intern_new();
    s->unknown = intern_str(s->strs, "???");
    s->below_main = intern_str(s->strs, "(below main)");
    return s;
}

static void mod_join(struct mod *m)
{
    if (m->loading)
        pthread_join(m->th, NULL);
    m->loading = 0;
}

static void mod_free(struct mod *m)
{
    mod_join(m);
    sym_obj_release(&m->obj);
    if (m->strs)
        intern_free(m->strs);
    if (m->elf)
        elf_end(m->elf);
    if (m->fd >= 0)
        close(m->fd);
    free(m->image);
    free(m->path);
    free(m);
}

void sym_free(struct sym *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nmods; i++)
        mod_free(s->mods[i]);
    free(s->mods);
    free(s->reg);
    intern_free(s->strs);
    free(s);
}

void sym_invalidate(struct sym *s, pid_t pid)
{
    s->pid = pid;
    s->maps_read = 0; /* the list stays until a new one is read (read_maps) */
    s->last = 0;
}

static struct mod *find_mod(struct sym *s, const char *path, uint64_t dev, uint64_t ino, uint64_t vdso_start)
{
    for (size_t i = 0; i < s->nmods; i++) {
        struct mod *m = s->mods[i];
        if (m->dev == dev && m->ino == ino && m->vdso_start == vdso_start && !strcmp(m->path, path))
            return m;
    }
    struct mod *m = xcalloc(1, sizeof *m);
    m->path = xstrdup(path);
    m->dev = dev;
    m->ino = ino;
    m->vdso_start = vdso_start;
    m->fd = -1;
    m->strs = intern_new();
    s->mods = xrealloc(s->mods, (s->nmods + 1) * sizeof *s->mods);
    s->mods[s->nmods++] = m;
    return m;
}

static void read_maps(struct sym *s)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)s->pid);
    s->maps_read = 1;
    /* A process that is gone (no file) or exiting (an empty one) keeps the
     * list it had: the consumer names instructions described before its end
     * only then (cons_set_namer), and they lie in the mappings it had when
     * last read (a mapping removed since had its instructions named first;
     * one added since has none described yet). */
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    size_t kept = s->nreg;
    struct region *old = s->reg;
    s->reg = NULL, s->nreg = s->capreg = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        uint64_t start, end, foff, ino;
        unsigned maj, min;
        char perms[8];
        int n = 0;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &start, &end, perms,
                   &foff, &maj, &min, &ino, &n) < 7)
            continue;
        if (!strchr(perms, 'x'))
            continue;
        char *name = line + n;
        name[strcspn(name, "\n")] = 0;
        struct mod *m = NULL;
        if (name[0] == '/')
            m = find_mod(s, name, ((uint64_t)maj << 32) | min, ino, 0);
        else if (!strcmp(name, "[vdso]"))
            m = find_mod(s, name, 0, 0, start);
        if (s->nreg == s->capreg) {
            s->capreg = s->capreg ? 2 * s->capreg : 32;
            s->reg = xrealloc(s->reg, s->capreg * sizeof *s->reg);
        }
        s->reg[s->nreg++] = (struct region){start, end, foff, m, 0, 0};
    }
    free(line);
    fclose(f);
    if (s->nreg == 0 && kept) {
        free(s->reg);
        s->reg = old, s->nreg = s->capreg = kept;
    } else {
        free(old);
    }
}

/* Opens a mapped file; a file deleted since it was mapped is still reachable
 * through /proc/PID/map_files. */
static int open_mapped(const struct mod *m, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    char alt[96];
    snprintf(alt, sizeof alt, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)m->pid, m->map_start,
             m->map_end);
    return open(alt, O_RDONLY | O_CLOEXEC);
}

/* Reads a mapped file's symbols and lines (m->pid and m->map_* set). */
static void load_file(struct mod *m)
{
    const char *path = m->path;
    static const char deleted[] = " (deleted)";
    size_t pl = strlen(path), dl = sizeof deleted - 1;
    char *trimmed = NULL;
    if (pl > dl && !strcmp(path + pl - dl, deleted)) {
        trimmed = xstrdup(path);
        trimmed[pl - dl] = 0;
        path = trimmed;
    }
    m->fd = open_mapped(m, path);
    if (m->fd >= 0)
        m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, NULL);
    sym_obj_load(&m->obj, m->elf, path, m->fd, m->strs);
    free(trimmed);
}

static void *load_thread(void *arg)
{
    struct mod *m = arg;
    load_file(m);
    __atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void load_mod(struct sym *s, struct mod *m, const struct region *r)
{
    if (m->loading) { /* sym_prefetch started it */
        mod_join(m);
        m->loaded = 1;
        return;
    }
    m->loaded = 1;
    if (m->vdso_start) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int)s->pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        size_t len = r->end - r->start;
        m->image = xmalloc(len);
        ssize_t got = pread(fd, m->image, len, (off_t)r->start);
        close(fd);
        if (got != (ssize_t)len)
            return;
        m->elf = elf_memory(m->image, len);
        sym_obj_load(&m->obj, m->elf, NULL, -1, m->strs);
        return;
    }
    m->pid = s->pid, m->map_start = r->start, m->map_end = r->end;
    load_file(m);
}

/* Starts reading m (mapped at r) in a thread of its own, unless it is read,
 * being read, or the vDSO (read from memory at once: a few pages). */
static void load_async(struct sym *s, struct mod *m, const struct region *r)
{
    if (!m || m->loaded || m->loading || m->vdso_start)
        return;
    m->pid = s->pid, m->map_start = r->start, m->map_end = r->end;
    m->loading = cpus_thread_create(&m->th, load_thread, m) == 0;
}

void sym_prefetch(struct sym *s)
{
    if (!s->maps_read)
        read_maps(s);
    for (size_t i = 0; i < s->nreg; i++)
        load_async(s, s->reg[i].mod, &s->reg[i]);
}

static struct region *find_region(struct sym *s, uint64_t addr)
{
    if (s->last < s->nreg && addr >= s->reg[s->last].start && addr < s->reg[s->last].end)
        return &s->reg[s->last];
    size_t lo = 0, hi = s->nreg;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (addr < s->reg[mid].start)
            hi = mid;
        else if (addr >= s->reg[mid].end)
            lo = mid + 1;
        else {
            s->last = mid;
            return &s->reg[mid];
        }
    }
    return NULL;
}

/* Cachegrind-compatible: these exact names (after demangling) become
 * "(below main)" (Valgrind's Linux list, --show-below-main=no). */
static int is_below_main(const char *n)
{
    return !strcmp(n, "__libc_start_main") || !strcmp(n, "__libc_start_call_main") ||
           !strncmp(n, "__libc_start_main.", 18) || !strcmp(n, "generic_start_main") ||
           !strncmp(n, "generic_start_main.", 19) || !strcmp(n, "_start");
}

static const char *shown_name(struct sym *s, struct sym_fsym *f)
{
    if (!f->shown) {
        char *d = sym_demangle(f->raw);
        const char *n = d ? d : f->raw;
        f->shown = is_below_main(n) ? s->below_main : intern_str(s->strs, n);
        free(d);
    }
    return f->shown;
}

int sym_ready(struct sym *s, uint64_t addr)
{
    if (!s->maps_read)
        read_maps(s);
    struct region *r = find_region(s, addr);
    if (!r || !r->mod || r->mod->loaded)
        return 1;
    if (r->mod->vdso_start) { /* read now, from memory that is gone once the process is */
        load_mod(s, r->mod, r);
        return 1;
    }
    load_async(s, r->mod, r);
    return !r->mod->loading || __atomic_load_n(&r->mod->done, __ATOMIC_ACQUIRE);
}

void sym_lookup(struct sym *s, uint64_t addr, struct sym_loc *out)
{
    out->file = s->unknown;
    out->fn = s->unknown;
    out->line = 0;
    if (!s->maps_read)
        read_maps(s);
    struct region *r = find_region(s, addr);
    if (!r || !r->mod)
        return;
    struct mod *m = r->mod;
    if (!m->loaded)
        load_mod(s, m, r);
    if (!m->obj.usable)
        return;
    if (r->bias_state == 0)
        r->bias_state = sym_obj_bias(m->elf, r->start, r->end - r->start, r->foff, &r->bias) == 0 ? 1 : -1;
    if (r->bias_state < 0)
        return;
    uint64_t a = addr - r->bias;
    /* Cachegrind-compatible: address 0 never has a function name. */
    struct sym_fsym *f = addr ? sym_obj_find_sym(&m->obj, a) : NULL;
    if (f && f->is_text)
        out->fn = shown_name(s, f);
    /* Cachegrind-compatible: lines are only looked up inside .text. */
    if (m->obj.text_present && a >= m->obj.text.lo && a < m->obj.text.hi) {
        const struct sym_lent *e = sym_lines_find(&m->obj.lines, a);
        if (e) {
            out->file = intern_str(s->strs, intern_get(m->strs, e->file));
            out->line = e->line;
        }
    }
}

char *sym_demangle(const char *name)
{
    /* Cachegrind-compatible: Valgrind hands names starting "_Z" (C++, Rust
     * legacy) or "_R" (Rust v0) to libiberty's cplus_demangle with
     * DMGL_PARAMS | DMGL_ANSI in automatic style, which tries Rust first
     * (dropping the legacy "::h<hash>" suffix) and then the C++ ABI. */
    if (!name || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
        return NULL;
    return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI);
}
