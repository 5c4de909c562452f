/* work.c - the benchmark of the live cachesim-diff tests (tests/e2e/diff_live.sh):
 * fills and sums an array of argv[1] ints, so two runs with different sizes
 * differ by a known amount of work in main and sum.  Built with -g so
 * profiles carry file and line names. */
#include <stdlib.h>

static long sum(const int *a, int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += a[i];
    return s;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int *a = malloc((size_t)n * sizeof *a);
    if (!a)
        return 2;
    for (int i = 0; i < n; i++)
        a[i] = i;
    long s = sum(a, n);
    free(a);
    return s == 42; /* uses s, so the loops cannot be dropped */
}
