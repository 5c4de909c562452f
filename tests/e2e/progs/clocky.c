/* Work that depends on the clock: spins until clock_gettime has advanced 20 us,
 * and loops time(NULL) % 7 more times. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long spins = 0;
    do {
        clock_gettime(CLOCK_MONOTONIC, &b);
        spins++;
    } while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 20000);
    long extra = 0;
    for (long i = 0; i < (long)(time(NULL) % 7) * 100; i++)
        extra += i;
    printf("%ld %ld\n", spins > 0, extra >= 0);
    return 0;
}
