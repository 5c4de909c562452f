/* Regions marked with Valgrind's callgrind.h: START/STOP around kernel(1000);
 * kernel is also called once outside the region, and recursion in rec_kernel
 * for --toggle-collect with recursion and callees. */
#include <stdio.h>
#include <valgrind/callgrind.h>
__attribute__((noinline)) long kernel(long n) { long s = 0; for (long i = 0; i < n; i++) s += i ^ (s >> 3); return s; }
__attribute__((noinline)) long rec_kernel(int d) { return d ? kernel(50) + rec_kernel(d - 1) : 0; }
__attribute__((noinline)) long other(long n) { long s = 1; for (long i = 0; i < n; i++) s += i * 3; return s; }
int main(void)
{
    long a = other(500);
    CALLGRIND_START_INSTRUMENTATION;
    long b = kernel(1000);
    CALLGRIND_STOP_INSTRUMENTATION;
    long c = other(700) + kernel(10) + rec_kernel(4);
    printf("%ld\n", a + b + c);
    return 0;
}
