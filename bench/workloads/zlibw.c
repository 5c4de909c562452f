/* zlib workload: compress2 + uncompress of N KiB of semi-random text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
    size_t n = (argc > 1 ? strtoul(argv[1], 0, 10) : 2048) * 1024;
    unsigned char *src = malloc(n), *dst, *back = malloc(n);
    unsigned long seed = 12345;
    static const char *words[] = {"cache ", "line ", "miss ", "hit ", "set ", "way ", "tag ", "lru "};
    for (size_t i = 0; i < n;) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        const char *w = words[(seed >> 33) & 7];
        for (; *w && i < n; w++)
            src[i++] = (unsigned char)*w;
    }
    uLongf dlen = compressBound(n), blen = n;
    dst = malloc(dlen);
    if (compress2(dst, &dlen, src, n, 6) != Z_OK || uncompress(back, &blen, dst, dlen) != Z_OK ||
        blen != n || memcmp(src, back, n) != 0)
        return 1;
    printf("%zu -> %lu\n", n, (unsigned long)dlen);
    return 0;
}
