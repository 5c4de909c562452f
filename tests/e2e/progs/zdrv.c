/* Drives Debian's static zlib: compress2 + uncompress of N KiB of text-like data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
    size_t n = (argc > 1 ? strtoul(argv[1], 0, 10) : 64) * 1024;
    unsigned char *src = malloc(n), *dst, *back = malloc(n);
    unsigned long x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ul + 1442695040888963407ul;
        src[i] = "the quick brown fox jumps over a lazy dog "[(x >> 33) % 43 / ((x >> 40) % 3 + 1)];
    }
    uLongf dn = compressBound(n), bn = n;
    dst = malloc(dn);
    if (compress2(dst, &dn, src, n, 6) != Z_OK || uncompress(back, &bn, dst, dn) != Z_OK ||
        bn != n || memcmp(src, back, n) != 0)
        return 1;
    printf("%zu -> %lu\n", n, (unsigned long)dn);
    return 0;
}
