/* demo.c - the example `make demo` runs: the same 256x64 matrix summed
 * row by row (sequential, cache friendly) and column by column (a new cache
 * line almost every access), so the D1 misses land on two different lines. */
#include <stdio.h>

#define ROWS 256
#define COLS 64

static int m[ROWS][COLS];

static long sum_rows(void)
{
    long s = 0;
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            s += m[r][c];
    return s;
}

static long sum_cols(void)
{
    long s = 0;
    for (int c = 0; c < COLS; c++)
        for (int r = 0; r < ROWS; r++)
            s += m[r][c];
    return s;
}

int main(void)
{
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            m[r][c] = r ^ c;
    long a = sum_rows(), b = sum_cols();
    printf("sum by rows %ld, by columns %ld\n", a, b);
    return a != b;
}
