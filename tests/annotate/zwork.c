/* zwork.c - a small program over real library code (zlib, libc qsort and
 * string functions) for tests/e2e/annotate_valgrind.sh: Valgrind's
 * Cachegrind profiles it live, and cachesim-annotate's report of that
 * profile is checked against Valgrind's own cg_annotate.
 * Usage: zwork N  (N KiB of data; different N give different profiles). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static unsigned checksum(const unsigned char *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + p[i];
    return s;
}

int main(int argc, char **argv)
{
    size_t n = (argc > 1 ? (size_t)atoi(argv[1]) : 64) * 1024;
    unsigned char *src = malloc(n), *back = malloc(n);
    uLongf zlen = compressBound(n), blen = n;
    unsigned char *z = malloc(zlen);
    if (!src || !back || !z)
        return 1;
    unsigned seed = 12345;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        src[i] = (unsigned char)("abcdefgh"[(seed >> 16) & 7]);
    }
    if (compress2(z, &zlen, src, n, 6) != Z_OK || uncompress(back, &blen, z, zlen) != Z_OK)
        return 1;
    int *v = malloc(n / 16 * sizeof *v);
    for (size_t i = 0; i < n / 16; i++)
        v[i] = (int)checksum(src + i * 16, 16);
    qsort(v, n / 16, sizeof *v, cmp_int);
    printf("%zu -> %lu bytes, %s, checksum %u, min %d\n", n, (unsigned long)zlen,
           memcmp(src, back, n) == 0 ? "round trip ok" : "MISMATCH", checksum(z, zlen), v[0]);
    free(v);
    free(src);
    free(back);
    free(z);
    return 0;
}
