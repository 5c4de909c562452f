/* Pointer chasing: a random cyclic permutation of N nodes (64 bytes each),
 * followed K times around. */
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; long pad[7]; };

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000, k = argc > 2 ? atol(argv[2]) : 4;
    struct node *v = calloc(n, sizeof *v);
    long *perm = malloc(n * sizeof *perm);
    unsigned long seed = 7;
    for (long i = 0; i < n; i++)
        perm[i] = i;
    for (long i = n - 1; i > 0; i--) {
        seed = seed * 6364136223846793005ul + 1;
        long j = (long)((seed >> 17) % (unsigned long)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (long i = 0; i < n; i++)
        v[perm[i]].next = &v[perm[(i + 1) % n]];
    struct node *p = &v[perm[0]];
    for (long i = 0; i < n * k; i++)
        p = p->next;
    printf("%ld\n", (long)(p - v));
    return 0;
}
