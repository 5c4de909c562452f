/* farcode.c - generated code in the middle of a 2 GiB reservation with one
 * 18 MiB hole near it: the translator's code chunks must be within 1 GiB of
 * the code they translate, a whole one (64 MiB) fits nowhere in reach, a
 * smaller one fits in the hole (core/dbt.c, chunk_for).  HotSpot leaves the
 * top of the address space like that.  The code is rewritten twice, which a
 * translated block finds at its entry (cachesim -v: blocks found rewritten);
 * stepped, it would find nothing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "genloop.h"

int main(void)
{
    const size_t g = 1ul << 30;
    char *base = (char *)0x100000000000ull;
    char *r = mmap(base, 2 * g, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                   MAP_FIXED_NOREPLACE, -1, 0);
    if (r != base)
        return 2;
    munmap(r + g - (32ul << 20), 18ul << 20);
    unsigned char *code = mmap(r + g, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (code != (unsigned char *)r + g)
        return 2;
    long sum = 0;
    for (int v = 1; v <= 3; v++) {
        emit_loop(code, v);
        for (int i = 0; i < 5; i++)
            sum += ((int (*)(void))code)();
    }
    printf("sum %ld\n", sum);
    return sum == 5000L * (1 + 2 + 3) ? 0 : 1;
}
