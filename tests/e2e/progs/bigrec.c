/* bigrec.c - more trace records than both of a thread's buffers hold: every
 * iteration writes a new line of a 64 MiB array and reads another line of it
 * (each a D1 miss, so each is recorded), 2 M iterations in all (about 32 MB of
 * records against 2 x 3 MiB of buffers).  Its own function's counts are
 * Cachegrind's; tests/e2e/buffers.sh. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned long walk(unsigned char *a, size_t n, int reps)
{
    unsigned long s = 0;
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i += 64) {
            a[i] = (unsigned char)i;
            s += a[(i * 7919) & (n - 1)];
        }
    return s;
}

int main(void)
{
    size_t n = 64u << 20;
    unsigned char *a = malloc(n);
    if (!a)
        return 1;
    printf("%lu\n", walk(a, n, 2));
    free(a);
    return 0;
}
