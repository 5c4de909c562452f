/* clientreq.c - a program built with <cachesim.h> for tests/e2e/diff_clientreq.sh.
 *
 *   clientreq N plain   START; N iterations of a 2-instruction loop; STOP
 *   clientreq N dumps   the same after DUMP_STATS, ZERO_STATS,
 *                       DUMP_STATS_AT("phase one") and two TOGGLE_COLLECTs
 *
 * Prints "running=R" with R = RUNNING_ON_CACHESIM.  The loop is written in
 * assembly so its cost is exact: runs with N and N + K differ by 2K Ir under
 * any tool that honours START/STOP, whatever the compiler emits around it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cachesim.h>

static void spin(unsigned long n)
{
    /* n >= 1 iterations of "dec; jnz": exactly 2n instructions. */
    __asm__ __volatile__("1:\n\tdec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    unsigned long n = strtoul(argv[1], NULL, 10);
    if (n == 0)
        return 2;
    printf("running=%lu\n", RUNNING_ON_CACHESIM);
    fflush(stdout);
    if (strcmp(argv[2], "dumps") == 0) {
        CACHESIM_DUMP_STATS;
        CACHESIM_ZERO_STATS;
        CACHESIM_DUMP_STATS_AT("phase one");
        CACHESIM_TOGGLE_COLLECT;
        CACHESIM_TOGGLE_COLLECT;
    }
    CACHESIM_START_INSTRUMENTATION;
    spin(n);
    CACHESIM_STOP_INSTRUMENTATION;
    return 0;
}
