/* sym_lookup.c - test helper: the (file, function, line) keys the symbolizer
 * gives for the code of a program, to compare with Cachegrind's output.
 *
 * Usage: sym_lookup [-e SUBSTR]... [-s SUBSTR]... -- PROG [ARG]...
 * Starts PROG under ptrace, lets it run to its exit_group system call, then,
 * for every executable mapping whose path contains one of the SUBSTRs, looks
 * up addresses and prints each distinct key once, as
 *     OBJECT<TAB>FILE<TAB>FUNCTION<TAB>LINE
 * (OBJECT = the mapping's file name without directory).
 *   -e: exact set: every byte inside the object's own FUNC/IFUNC symbols
 *       (read here from its .symtab and .dynsym), so padding between
 *       functions adds nothing;
 *   -s: sweep: every byte of the executable mapping (a superset of what any
 *       run can execute).
 * -a ADDR (hex, repeatable) instead prints "ADDR<TAB>FILE<TAB>FUNCTION<TAB>LINE"
 * for each given address of the stopped process.
 * -t: look up link-time addresses instead: reads lines "OBJECT ADDRESS"
 * (an object's path and a hex address as stated in that ELF file, which is
 * how Callgrind's --dump-instr=yes prints instruction addresses) from stdin,
 * adds the object's load bias in the stopped process and prints
 * "OBJECT<TAB>ADDRESS<TAB>FILE<TAB>FUNCTION<TAB>LINE"; lines naming an
 * object that is not mapped are skipped.
 * Exit: 0 ok, 1 failure (message on stderr), 2 usage.  The program's own
 * exit status is not passed on: it is killed at exit_group.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/sym.h"

/* Distinct keys: interned strings make (file, fn, line) a key of pointers. */
struct key {
    const char *file, *fn;
    unsigned long line;
    const char *obj;
};

static struct key *tab;
static size_t tabcap, tabn;

static size_t key_hash(const struct key *k)
{
    uint64_t h = (uintptr_t)k->file * 0x9e3779b97f4a7c15ULL;
    h ^= (uintptr_t)k->fn * 0xc2b2ae3d27d4eb4fULL;
    h ^= k->line * 0x165667b19e3779f9ULL;
    h ^= (uintptr_t)k->obj;
    return (size_t)(h ^ (h >> 29));
}

static void key_add(const struct key *k)
{
    if (2 * (tabn + 1) > tabcap) {
        size_t ncap = tabcap ? 2 * tabcap : 4096;
        struct key *nt = xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < tabcap; i++)
            if (tab[i].file) {
                size_t j = key_hash(&tab[i]) & (ncap - 1);
                while (nt[j].file)
                    j = (j + 1) & (ncap - 1);
                nt[j] = tab[i];
            }
        free(tab);
        tab = nt;
        tabcap = ncap;
    }
    size_t j = key_hash(k) & (tabcap - 1);
    while (tab[j].file) {
        if (tab[j].file == k->file && tab[j].fn == k->fn && tab[j].line == k->line && tab[j].obj == k->obj)
            return;
        j = (j + 1) & (tabcap - 1);
    }
    tab[j] = *k;
    tabn++;
}

static void lookup_range(struct sym *s, const char *obj, uint64_t lo, uint64_t hi)
{
    for (uint64_t a = lo; a < hi; a++) {
        struct sym_loc l;
        sym_lookup(s, a, &l);
        struct key k = {l.file, l.fn, l.line, obj};
        key_add(&k);
    }
}

/* Every FUNC/IFUNC symbol range of the object mapped at [start, end) from
 * offset foff, read straight from its ELF file. */
static void lookup_symbols(struct sym *s, const char *obj, const char *path, uint64_t start, uint64_t end,
                           uint64_t foff)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        diag_die(EXIT_FAIL, "unable to open '%s': %s", path, strerror(errno));
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t nph;
    uint64_t bias = 0;
    int have_bias = 0;
    if (!elf || elf_getphdrnum(elf, &nph) != 0)
        diag_die(EXIT_FAIL, "'%s' is not an ELF file", path);
    for (size_t i = 0; i < nph && !have_bias; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
            ph.p_offset >= foff && ph.p_offset < foff + (end - start)) {
            bias = start - foff + ph.p_offset - ph.p_vaddr;
            have_bias = 1;
        }
    }
    if (!have_bias)
        diag_die(EXIT_FAIL, "no executable segment of '%s' at offset %#" PRIx64, path, foff);
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) || !sh.sh_entsize)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        for (size_t i = 1; d && i < d->d_size / sh.sh_entsize; i++) {
            GElf_Sym sy;
            if (!gelf_getsym(d, (int)i, &sy) || sy.st_size == 0 || sy.st_shndx == SHN_UNDEF)
                continue;
            int t = GELF_ST_TYPE(sy.st_info);
            if (t != STT_FUNC && t != STT_GNU_IFUNC)
                continue;
            uint64_t lo = sy.st_value + bias, hi = lo + sy.st_size;
            if (lo >= start && hi <= end)
                lookup_range(s, obj, lo, hi);
        }
    }
    elf_end(elf);
    close(fd);
}

/* One copy of each object name, so equal names are equal pointers. */
static const char *obj_name(const char *file)
{
    static const char *names[64];
    static int n;
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], base))
            return names[i];
    if (n == 64)
        diag_die(EXIT_FAIL, "too many objects");
    return names[n++] = xstrdup(base);
}

/* The load bias of the object at path in process pid (from its executable
 * mapping and ELF program headers); 0 and *ok = 0 if it is not mapped. */
static uint64_t bias_of(pid_t pid, const char *path, int *ok)
{
    char maps[64], file[4096], perms[8];
    snprintf(maps, sizeof maps, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(maps, "re");
    char *line = NULL;
    size_t cap = 0;
    uint64_t bias = 0;
    *ok = 0;
    while (f && !*ok && getline(&line, &cap, f) > 0) {
        uint64_t start, end, foff;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %4095s", &start, &end, perms, &foff,
                   file) != 5 ||
            !strchr(perms, 'x') || strcmp(file, path))
            continue;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
        size_t nph;
        for (size_t i = 0; elf && elf_getphdrnum(elf, &nph) == 0 && i < nph && !*ok; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
                ph.p_offset >= foff && ph.p_offset < foff + (end - start)) {
                bias = start - foff + ph.p_offset - ph.p_vaddr;
                *ok = 1;
            }
        }
        if (elf)
            elf_end(elf);
        if (fd >= 0)
            close(fd);
    }
    free(line);
    if (f)
        fclose(f);
    return bias;
}

static void translate(struct sym *s, pid_t pid)
{
    char *line = NULL, last[4096] = "";
    size_t cap = 0;
    uint64_t bias = 0;
    int ok = 0;
    while (getline(&line, &cap, stdin) > 0) {
        char obj[4096];
        uint64_t a;
        if (sscanf(line, "%4095s %" SCNx64, obj, &a) != 2)
            continue;
        if (strcmp(obj, last)) {
            snprintf(last, sizeof last, "%s", obj);
            bias = bias_of(pid, obj, &ok);
        }
        if (!ok)
            continue;
        struct sym_loc l;
        sym_lookup(s, a + bias, &l);
        printf("%s\t%#" PRIx64 "\t%s\t%s\t%lu\n", obj, a, l.file, l.fn, l.line);
    }
    free(line);
}

static int cmp_key(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    int c = strcmp(x->obj, y->obj);
    if (!c)
        c = strcmp(x->file, y->file);
    if (!c)
        c = strcmp(x->fn, y->fn);
    if (!c)
        c = (x->line > y->line) - (x->line < y->line);
    return c;
}

/* Runs argv under ptrace until its exit_group; returns the stopped pid. */
static pid_t run_to_exit(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        diag_die(EXIT_FAIL, "fork: %s", strerror(errno));
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "sym_lookup: error: unable to run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
        diag_die(EXIT_FAIL, "'%s' did not start", argv[0]);
    ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
    int sig = 0;
    for (;;) {
        if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig) != 0)
            diag_die(EXIT_FAIL, "ptrace: %s", strerror(errno));
        sig = 0;
        if (waitpid(pid, &st, 0) != pid)
            diag_die(EXIT_FAIL, "waitpid: %s", strerror(errno));
        if (WIFEXITED(st) || WIFSIGNALED(st))
            diag_die(EXIT_FAIL, "'%s' ended before exit_group", argv[0]);
        if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, pid, NULL, &regs);
            if (regs.orig_rax == SYS_exit_group)
                return pid;
        } else if (WSTOPSIG(st) != SIGTRAP) {
            sig = WSTOPSIG(st);
        }
    }
}

int main(int argc, char **argv)
{
    diag_set_prog("sym_lookup");
    const char *exact[16], *sweep[16];
    uint64_t addrs[256];
    int trans = 0;
    int ne = 0, ns = 0, na = 0, i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-e") && i + 1 < argc && ne < 16)
            exact[ne++] = argv[++i];
        else if (!strcmp(argv[i], "-s") && i + 1 < argc && ns < 16)
            sweep[ns++] = argv[++i];
        else if (!strcmp(argv[i], "-a") && i + 1 < argc && na < 256)
            addrs[na++] = strtoull(argv[++i], NULL, 16);
        else if (!strcmp(argv[i], "-t"))
            trans = 1;
        else {
            fprintf(stderr, "usage: sym_lookup [-e SUBSTR]... [-s SUBSTR]... [-a HEXADDR]... [-t] -- PROG [ARG]...\n");
            return EXIT_USAGE;
        }
    }
    if (i + 1 >= argc) {
        fprintf(stderr, "usage: sym_lookup [-e SUBSTR]... [-s SUBSTR]... [-a HEXADDR]... [-t] -- PROG [ARG]...\n");
        return EXIT_USAGE;
    }
    elf_version(EV_CURRENT);
    pid_t pid = run_to_exit(argv + i + 1);
    struct diag_err e = {{0}};
    struct sym *s = sym_new(pid, &e);
    if (!s)
        diag_die(EXIT_FAIL, "%s", e.msg);

    if (trans)
        translate(s, pid);
    for (int k = 0; k < na; k++) {
        struct sym_loc l;
        sym_lookup(s, addrs[k], &l);
        printf("%" PRIx64 "\t%s\t%s\t%lu\n", addrs[k], l.file, l.fn, l.line);
    }

    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        diag_die(EXIT_FAIL, "unable to read '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        uint64_t start, end, foff;
        char perms[8], file[4096];
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %4095s", &start, &end, perms, &foff,
                   file) != 5 ||
            !strchr(perms, 'x'))
            continue;
        const char *obj = obj_name(file);
        int done = 0;
        for (int k = 0; k < ne && !done; k++)
            if (strstr(file, exact[k])) {
                lookup_symbols(s, obj, file, start, end, foff);
                done = 1;
            }
        for (int k = 0; k < ns && !done; k++)
            if (strstr(file, sweep[k])) {
                lookup_range(s, obj, start, end);
                done = 1;
            }
    }
    free(line);
    fclose(f);

    struct key *out = xmalloc((tabn ? tabn : 1) * sizeof *out);
    size_t n = 0;
    for (size_t k = 0; k < tabcap; k++)
        if (tab[k].file)
            out[n++] = tab[k];
    qsort(out, n, sizeof *out, cmp_key);
    for (size_t k = 0; k < n; k++)
        printf("%s\t%s\t%s\t%lu\n", out[k].obj, out[k].file, out[k].fn, out[k].line);
    free(out);
    sym_free(s);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return EXIT_OK;
}
