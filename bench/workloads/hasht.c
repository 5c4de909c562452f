/* Hash table: open addressing, N inserts then 2N lookups (half misses). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    size_t cap = 1;
    while (cap < (size_t)n * 2)
        cap <<= 1;
    uint64_t *keys = calloc(cap, sizeof *keys);
    for (long i = 1; i <= n; i++) {
        size_t h = mix((uint64_t)i) & (cap - 1);
        while (keys[h])
            h = (h + 1) & (cap - 1);
        keys[h] = (uint64_t)i;
    }
    long found = 0;
    for (long i = 1; i <= 2 * n; i++) {
        size_t h = mix((uint64_t)i) & (cap - 1);
        while (keys[h] && keys[h] != (uint64_t)i)
            h = (h + 1) & (cap - 1);
        found += keys[h] == (uint64_t)i;
    }
    printf("%ld\n", found);
    return 0;
}
