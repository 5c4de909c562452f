/* Drives Debian's static libbz2: compress + decompress of N KiB. */
#include <bzlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned n = (argc > 1 ? (unsigned)strtoul(argv[1], 0, 10) : 64) * 1024;
    char *src = malloc(n), *dst, *back = malloc(n);
    unsigned long x = 777;
    for (unsigned i = 0; i < n; i++) {
        x = x * 6364136223846793005ul + 1442695040888963407ul;
        src[i] = "abcdefghij klmnop"[(x >> 35) % 17 / ((x >> 45) % 4 + 1)];
    }
    unsigned dn = n + n / 100 + 600, bn = n;
    dst = malloc(dn);
    if (BZ2_bzBuffToBuffCompress(dst, &dn, src, n, 9, 0, 30) != BZ_OK ||
        BZ2_bzBuffToBuffDecompress(back, &bn, dst, dn, 0, 0) != BZ_OK || bn != n ||
        memcmp(src, back, n) != 0)
        return 1;
    printf("%u -> %u\n", n, dn);
    return 0;
}
