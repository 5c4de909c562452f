/* test_prefault.c - the helper that faults memory in ahead (core/prefault.h):
 * it maps what it is asked for, changes no byte, survives memory unmapped
 * under it, and leaves every other fault its old disposition. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/prefault.h"
#include "tests/unit/tap.h"

#define PAGES 64

/* Pages of [p, p + PAGES pages) resident (mincore). */
static int resident(void *p)
{
    unsigned char v[PAGES];
    if (mincore(p, PAGES * 4096, v) != 0)
        return -1;
    int n = 0;
    for (int i = 0; i < PAGES; i++)
        n += v[i] & 1;
    return n;
}

/* Waits (up to 5 s: the helper runs beside us) until all PAGES are in. */
static int wait_resident(void *p)
{
    struct timespec ms = {0, 1000000};
    int n = 0;
    for (int i = 0; i < 5000 && (n = resident(p)) != PAGES; i++)
        nanosleep(&ms, NULL);
    return n;
}

int main(void)
{
    /* A fresh mapping, two pages written first: all 64 come in, and the
     * written bytes stay. */
    char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    p[5] = 42, p[40 * 4096 + 7] = 9;
    CHECK_INT(resident(p), 2, "two pages written before");
    prefault(p, PAGES * 4096);
    CHECK_INT(wait_resident(p), PAGES, "every page populated by the helper");
    CHECK_INT(p[5] + p[40 * 4096 + 7], 51, "written bytes unchanged");
    int zero = 1;
    for (int i = 0; i < PAGES * 4096; i++)
        if (i != 5 && i != 40 * 4096 + 7 && p[i])
            zero = 0;
    CHECK(zero, "the rest still zero");

    /* Touching reads every page, and stops at the first one that cannot be
     * read (here: made PROT_NONE) without killing anyone. */
    CHECK_INT(prefault_touch(p, PAGES * 4096), PAGES, "touch reads every page");
    mprotect(p + 10 * 4096, 4096, PROT_NONE);
    CHECK_INT(prefault_touch(p, PAGES * 4096), 10, "touch stops at an unreadable page");
    munmap(p, PAGES * 4096);
    CHECK_INT(prefault_touch(p, PAGES * 4096), 0, "touch of unmapped memory reads nothing");

    /* Memory unmapped while the helper works on it: the helper goes on. */
    for (int i = 0; i < 200; i++) {
        char *q = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                       0);
        prefault(q, PAGES * 4096);
        munmap(q, PAGES * 4096);
    }
    char *r = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    prefault(r, PAGES * 4096);
    CHECK_INT(wait_resident(r), PAGES, "the helper still works after ranges unmapped under it");
    munmap(r, PAGES * 4096);

    /* The heap: what the break gained since the last call is populated
     * (100 KiB blocks: under malloc's mmap threshold, so from the heap;
     * not under AddressSanitizer, whose malloc takes nothing from it). */
#ifdef __SANITIZE_ADDRESS__
    printf("# AddressSanitizer: the heap's growth is not checked\n");
#else
    prefault_heap();
    char *old_top = sbrk(0), *blocks[8];
    int k = 0;
    while (k < 8 && (char *)sbrk(0) < old_top + 16 * 4096)
        blocks[k++] = malloc(100 << 10);
    CHECK((char *)sbrk(0) >= old_top + 16 * 4096, "the break moved");
    prefault_heap();
    char *grown = (char *)(((uintptr_t)old_top + 4095) & ~(uintptr_t)4095);
    unsigned char v[8];
    int n = 0;
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000 && n != 8; i++) {
        n = 0;
        if (mincore(grown + 4 * 4096, 8 * 4096, v) == 0) /* (past the first blocks' headers) */
            for (int j = 0; j < 8; j++)
                n += v[j] & 1;
        if (n != 8)
            nanosleep(&ms, NULL);
    }
    CHECK_INT(n, 8, "what the heap grew by is populated");
    while (k)
        free(blocks[--k]);
#endif

    /* Any other fault keeps its old disposition: a child that dereferences
     * a bad address dies of SIGSEGV. */
    pid_t pid = fork();
    if (pid == 0) {
        prefault_touch(NULL, 0);
        volatile int *bad = (volatile int *)(uintptr_t)getpid(); /* (a low address, unmapped) */
        *(bad - getpid() / 4 + 4) = 1;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    /* And one sent from outside (kill) still ends the process the first time. */
    pid_t pid2 = fork();
    if (pid2 == 0) {
        prefault_touch(NULL, 0);
        kill(getpid(), SIGSEGV);
        _exit(0);
    }
    int st2;
    waitpid(pid2, &st2, 0);
    CHECK(!(WIFEXITED(st2) && WEXITSTATUS(st2) == 0), "a SIGSEGV sent by kill still ends the process");
#ifdef __SANITIZE_ADDRESS__ /* (its own handler reports the fault and exits) */
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 0, "a fault elsewhere still meets the old handler");
#else
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a fault elsewhere still kills with SIGSEGV");
#endif
    return tap_done();
}
