/* Compute-bound work interrupted by SIGPROF every millisecond of CPU time (a
 * sampling profiler's timer): signals arrive anywhere in translated code.
 * argv[1]: iterations; argv[2] = "quiet": no timer (the reference run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftimer.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    prof_timer(!(argc > 2 && strcmp(argv[2], "quiet") == 0));
    unsigned long h = 1469598103934665603ul;
    double x = 0;
    for (long i = 0; i < n; i++) {
        h = (h ^ (unsigned long)(i & 255)) * 1099511628211ul;
        if ((i & 1023) == 0)
            x += (double)(h % 7);
    }
    prof_timer(0);
    printf("h %lu x %.0f\n", h, x);
    fprintf(stderr, "ticks %ld\n", ticks);
    return 0;
}
