/* test_sym.c - unit tests of the symbolizer (core/sym.h).
 *
 * The process looks itself up: functions here record their own line with
 * __LINE__ next to a call whose return address they keep, so the expected
 * (file, function, line) of that address is known without the symbolizer.
 * An inline function "from a header" comes from a #line section at the end
 * of this file.  Names that depend on glibc (versioned symbols, "(below
 * main)" frames) and the demangling tables are answers Valgrind 3.19's
 * Cachegrind printed on Debian 12 (glibc 2.36, gcc 12, rustc 1.95) for the
 * same symbols; the glibc checks only run on glibc 2.36 with libc6-dbg.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/sym.h"
#include "core/sym_priv.h"
#include "tests/unit/tap.h"

/* The caller's return address: an address inside the caller's call
 * instruction is ra - 1. */
__attribute__((noipa)) static void *where(void)
{
    return __builtin_return_address(0);
}

int main(void);

/* Defined at the end of the file, under #line "sym_test_header.h". */
static inline __attribute__((always_inline)) void *header_where(unsigned long *line);

__attribute__((noipa)) static void *probe_static(unsigned long *line)
{
    void *a = where(); *line = __LINE__;
    return a;
}

__attribute__((noipa)) static void *probe_inlined(unsigned long *line)
{
    return header_where(line);
}

static const char *lookup_fn(struct sym *s, const void *p)
{
    struct sym_loc l;
    sym_lookup(s, (uint64_t)(uintptr_t)p, &l);
    return l.fn;
}

/* "DIR/name" where DIR is absolute and "DIR/name" is a real file: the name
 * Cachegrind prints for a file compiled from the repository root. */
static int is_dir_plus(const char *file, const char *name, char *dir_out, size_t dir_len)
{
    size_t fl = strlen(file), nl = strlen(name);
    struct stat st;
    if (file[0] != '/' || fl <= nl + 1 || file[fl - nl - 1] != '/' || strcmp(file + fl - nl, name))
        return 0;
    if (dir_out) {
        snprintf(dir_out, dir_len, "%.*s", (int)(fl - nl - 1), file);
    }
    return stat(file, &st) == 0;
}

static void test_own_code(struct sym *s)
{
    unsigned long line = 0;
    char dir[4096] = "";
    struct sym_loc l;

    char *a = probe_static(&line);
    sym_lookup(s, (uint64_t)(uintptr_t)(a - 1), &l);
    CHECK_STR(l.fn, "probe_static", "static function: name");
    CHECK_INT(l.line, line, "static function: line of the call");
    CHECK(is_dir_plus(l.file, __FILE__, dir, sizeof dir), "static function: file is comp_dir/" __FILE__);

    struct sym_loc again;
    sym_lookup(s, (uint64_t)(uintptr_t)(a - 1), &again);
    CHECK(again.file == l.file && again.fn == l.fn, "names are interned: same pointers on a second lookup");

    a = probe_inlined(&line);
    sym_lookup(s, (uint64_t)(uintptr_t)(a - 1), &l);
    CHECK_STR(l.fn, "probe_inlined", "inlined header code: function is the outer one");
    CHECK_INT(l.line, line, "inlined header code: line in the header");
    char want[4200];
    snprintf(want, sizeof want, "%s/sym_test_header.h", dir);
    CHECK_STR(l.file, want, "inlined header code: file is comp_dir/header");

    CHECK_STR(lookup_fn(s, (void *)main), "main", "main is main");
    extern char _start[];
    sym_lookup(s, (uint64_t)(uintptr_t)_start, &l);
    CHECK_STR(l.fn, "(below main)", "_start becomes (below main)");
    CHECK_STR(l.file, "???", "_start has no line information");
    CHECK_INT(l.line, 0, "_start: line 0");
}

static void test_unknown(struct sym *s)
{
    struct sym_loc l;
    sym_lookup(s, 0, &l);
    CHECK(!strcmp(l.file, "???") && !strcmp(l.fn, "???") && l.line == 0, "address 0: ??? ??? 0");
    sym_lookup(s, 0x10, &l);
    CHECK(!strcmp(l.file, "???") && !strcmp(l.fn, "???") && l.line == 0, "unmapped address: ??? ??? 0");

    /* Anonymous executable memory appears after the maps were read: it stays
     * unknown until sym_invalidate, and is unknown after it too. */
    void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap an executable anonymous page");
    sym_invalidate(s, getpid());
    sym_lookup(s, (uint64_t)(uintptr_t)p + 16, &l);
    CHECK(!strcmp(l.file, "???") && !strcmp(l.fn, "???") && l.line == 0, "anonymous code: ??? ??? 0");
    munmap(p, 4096);
    sym_invalidate(s, getpid());
    CHECK_STR(lookup_fn(s, (void *)main), "main", "lookups still work after sym_invalidate");
}

/* dl_iterate_phdr callback: the debug file path of libc.so.6 from its GNU
 * build-id note, into data (empty if there is none). */
static int libc_debug_path(struct dl_phdr_info *info, size_t size, void *data)
{
    char *out = data;
    (void)size;
    if (!strstr(info->dlpi_name, "/libc.so.6"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const Elf64_Phdr *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(Elf64_Nhdr) <= end) {
            const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
            const unsigned char *name = p + sizeof *nh, *desc = name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
                nh->n_descsz >= 2 && nh->n_descsz < 64) {
                int n = sprintf(out, "/usr/lib/debug/.build-id/%02x/", desc[0]);
                for (unsigned k = 1; k < nh->n_descsz; k++)
                    n += sprintf(out + n, "%02x", desc[k]);
                strcpy(out + n, ".debug");
                return 1;
            }
            p = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

static int have_libc_debug(void)
{
    /* The glibc answers below are Debian 12's glibc 2.36 with libc6-dbg. */
    char path[256] = "";
    struct stat st;
    dl_iterate_phdr(libc_debug_path, path);
    return !strcmp(gnu_get_libc_version(), "2.36") && path[0] && stat(path, &st) == 0;
}

static void test_glibc(struct sym *s, void *main_ra)
{
    if (!have_libc_debug()) {
        printf("# skipped: glibc checks need glibc 2.36 and libc6-dbg\n");
        return;
    }
    struct sym_loc l;
    /* main returns into __libc_start_call_main: Cachegrind shows it as
     * fl=./csu/../sysdeps/nptl/libc_start_call_main.h fn=(below main), with
     * the call to main on line 58. */
    sym_lookup(s, (uint64_t)(uintptr_t)main_ra - 1, &l);
    CHECK_STR(l.fn, "(below main)", "__libc_start_call_main becomes (below main)");
    CHECK_STR(l.file, "./csu/../sysdeps/nptl/libc_start_call_main.h", "glibc file: relative dirs kept");
    CHECK_INT(l.line, 58, "glibc line of the call to main");

    /* Ask libc itself: a sanitizer runtime may define memcpy too. */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    CHECK(libc != NULL, "libc.so.6 is loaded");
    if (!libc)
        return;
    void *lsm = dlsym(libc, "__libc_start_main");
    sym_lookup(s, (uint64_t)(uintptr_t)lsm, &l);
    CHECK_STR(l.fn, "__libc_start_main@@GLIBC_2.34", "versioned name kept, not renamed");
    CHECK_STR(l.file, "./csu/../csu/libc-start.c", "comp_dir './csu' + dir '../csu'");

    void *old = dlvsym(libc, "memcpy", "GLIBC_2.2.5");
    CHECK_STR(lookup_fn(s, old), "memcpy@GLIBC_2.2.5", "old memcpy: the versioned alias wins");
    dlclose(libc);
}

/* The vDSO is not something Cachegrind ever shows (Valgrind removes it from
 * amd64 programs); the documented choice is its ELF name by Cachegrind's
 * alias rule (shortest): __vdso_clock_gettime is shown as clock_gettime. */
static void test_vdso(struct sym *s)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    if (!base) {
        printf("# skipped: no vDSO\n");
        return;
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
    uintptr_t bias = 0;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) {
            bias = base - ph[i].p_vaddr + ph[i].p_offset;
            break;
        }
    uintptr_t fn = 0;
    for (int i = 0; i < eh->e_shnum && !fn; i++) {
        if (sh[i].sh_type != SHT_DYNSYM)
            continue;
        const Elf64_Sym *sy = (const Elf64_Sym *)(base + sh[i].sh_offset);
        const char *str = (const char *)(base + sh[sh[i].sh_link].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *sy; k++)
            if (!strcmp(str + sy[k].st_name, "__vdso_clock_gettime"))
                fn = bias + sy[k].st_value;
    }
    CHECK(fn != 0, "vDSO has __vdso_clock_gettime");
    struct sym_loc l;
    sym_lookup(s, fn, &l);
    CHECK_STR(l.fn, "clock_gettime", "vDSO: shortest alias");
    CHECK_STR(l.file, "???", "vDSO: no line information");
}

static void check_demangle(const char *mangled, const char *want)
{
    char *got = sym_demangle(mangled);
    char what[256];
    snprintf(what, sizeof what, "demangle %.200s", mangled);
    CHECK_STR(got, want, what);
    free(got);
}

static void test_demangle(void)
{
    /* C++: the first two and operator new as Cachegrind printed them for a
     * g++ 12 program using std::vector; the others as c++filt prints them
     * (it agrees on the first ones too). */
    check_demangle("_ZNSt6vectorIiSaIiEE17_M_realloc_insertIJiEEEvN9__gnu_cxx17__normal_iteratorIPiS1_EEDpOT_",
                   "void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>(__gnu_cxx::__normal_"
                   "iterator<int*, std::vector<int, std::allocator<int> > >, int&&)");
    check_demangle("_ZNSt12_Vector_baseIiSaIiEED2Ev", "std::_Vector_base<int, std::allocator<int> >::~_Vector_base()");
    check_demangle("_ZN2ns5twiceEi", "ns::twice(int)");
    check_demangle("_ZN2ns5twiceEd", "ns::twice(double)");
    check_demangle("_ZNKSt5ctypeIcE8do_widenEc", "std::ctype<char>::do_widen(char) const");
    check_demangle("_Znwm", "operator new(unsigned long)");
    /* Rust legacy: the ::h<hash> suffix goes, $LT$/$GT$ escapes decode. */
    check_demangle("_ZN1r3fib17h68f661e397fcaed4E", "r::fib");
    check_demangle("_ZN1r5inner12Acc$LT$T$GT$5total17he774319548c23e23E", "r::inner::Acc<T>::total");
    check_demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17ha86af84d9cc65291E",
                   "std::rt::lang_start::{{closure}}");
    /* Rust v0: crate disambiguators are hidden, generics shown. */
    check_demangle("_RNvCs6GmmlP4bgsG_1r3fib", "r::fib");
    check_demangle("_RNvMNtCs6GmmlP4bgsG_1r5innerINtB2_3AccmE5totalB4_", "<r::inner::Acc<u32>>::total");
    check_demangle("_RNvMsa_NtCsgEmfK2I1SDS_4core3fmtNtB5_9Formatter12pad_integral",
                   "<core::fmt::Formatter>::pad_integral");
    check_demangle("_RINvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace28___rust_begin_short_backtraceFEuuECs6GmmlP4bgsG_1r",
                   "std::sys::backtrace::__rust_begin_short_backtrace::<fn(), ()>");
    /* Not mangled (or not valid): NULL, the caller shows the name as is. */
    CHECK(sym_demangle("main") == NULL, "plain C name: NULL");
    CHECK(sym_demangle("memcpy@GLIBC_2.2.5") == NULL, "versioned C name: NULL");
    CHECK(sym_demangle("_GLOBAL__sub_I_main") == NULL, "_GLOBAL__sub_I_: not demangled (Valgrind only tries _Z/_R)");
    CHECK(sym_demangle("_Zjunk") == NULL, "invalid _Z name: NULL");
    CHECK(sym_demangle("") == NULL && sym_demangle(NULL) == NULL, "empty and NULL: NULL");
}

static void test_prefer_name(void)
{
    /* Valgrind's preferName order: non-empty, non-blank, shortest part
     * before '@', versioned, alphabetical.  The glibc cases are what
     * Cachegrind printed for these aliases. */
    CHECK(sym_prefer_name("__libc_start_main@@GLIBC_2.34", "__libc_start_main@GLIBC_2.2.5"), "@@ sorts before @G");
    CHECK(sym_prefer_name("__libc_start_main@@GLIBC_2.34", "__libc_start_main"), "versioned beats plain of same length");
    CHECK(!sym_prefer_name("__libc_start_main_impl", "__libc_start_main@GLIBC_2.2.5"), "shorter base name wins");
    CHECK(sym_prefer_name("__memcpy_avx_unaligned_erms", "__memmove_avx_unaligned_erms"), "shorter alias wins");
    CHECK(sym_prefer_name("clock_gettime", "__vdso_clock_gettime"), "vDSO alias: shorter wins");
    CHECK(sym_prefer_name("abc", "abd") && !sym_prefer_name("abd", "abc"), "equal length: alphabetical");
    CHECK(sym_prefer_name("x", "@ver") && !sym_prefer_name("@ver", "x"), "empty base name loses");
    CHECK(sym_prefer_name("x", "  ") && !sym_prefer_name("  ", "x"), "blank name loses");
    CHECK(sym_prefer_name("PMPI_Send", "MPI_Send") && !sym_prefer_name("MPI_Send", "PMPI_Send"), "MPI hack");
}

static void test_crc(void)
{
    /* The standard CRC-32 check value. */
    CHECK_INT(sym_crc32(0, "123456789", 9), 0xCBF43926u, "debuglink CRC-32 check value");
    CHECK_INT(sym_crc32(sym_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u, "CRC-32 in two pieces");
}

static void test_new_fails(void)
{
    struct diag_err e = {{0}};
    /* Larger than any pid_max. */
    struct sym *s = sym_new(99999999, &e);
    CHECK(s == NULL, "sym_new on a missing process fails");
    CHECK(strstr(e.msg, "unable to read '/proc/99999999/maps'") != NULL, "message names the maps file");
}

static void test_speed(struct sym *s)
{
    /* Once per static instruction: 100,000 lookups across libc's text must
     * take milliseconds, not seconds (the object is loaded already). */
    char *base = (char *)(uintptr_t)dlsym(RTLD_DEFAULT, "fputs");
    struct sym_loc l;
    sym_lookup(s, (uint64_t)(uintptr_t)base, &l);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 100000; i++)
        sym_lookup(s, (uint64_t)(uintptr_t)(base + (i * 13) % 600000), &l);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("# 100000 lookups: %.1f ms\n", ms);
    CHECK(ms < 500, "100000 lookups in under 0.5 s");
}

int main(void)
{
    void *main_ra = __builtin_return_address(0);
    struct diag_err e = {{0}};
    struct sym *s = sym_new(getpid(), &e);
    CHECK(s != NULL, "sym_new on this process");
    if (!s) {
        printf("  %s\n", e.msg);
        return tap_done();
    }
    test_own_code(s);
    test_glibc(s, main_ra);
    test_vdso(s);
    test_unknown(s);
    test_speed(s);
    sym_free(s);
    test_demangle();
    test_prefer_name();
    test_crc();
    test_new_fails();
    return tap_done();
}

/* A "header": everything below is attributed to sym_test_header.h, as code
 * from an #include'd file would be.  Keep it at the end of the file. */
#line 1 "sym_test_header.h"
static inline __attribute__((always_inline)) void *header_where(unsigned long *line)
{
    void *a = where(); *line = __LINE__;
    return a;
}
