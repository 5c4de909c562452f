/* rep movsb and rep stosq that fault part way: the second page is PROT_NONE
 * until a SIGSEGV handler opens it, and the instruction then goes on with the
 * count it had left.  The translator counts each iteration with a counter and
 * must take back the one that faulted (core/dbt.c, translate_rep); the
 * reference engine counts iterations one by one.  The flags set before the
 * rep movsb must come out of it unchanged (the translated loop clobbers them
 * for its checks and puts them back before each iteration's move, also when
 * that move faults).  A few thousand copied bytes
 * otherwise, so that both engines run it quickly. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static char *page2;
static long faults;

static void on_segv(int sig)
{
    (void)sig;
    faults++;
    mprotect(page2, 4096, PROT_READ | PROT_WRITE);
}

int main(void)
{
    char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 1;
    page2 = m + 4096;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    static char src[3000];
    for (int i = 0; i < 3000; i++)
        src[i] = (char)(i * 7);
    unsigned long sum = 0;
    for (int round = 0; round < 3; round++) {
        mprotect(page2, 4096, PROT_NONE);
        char *d = page2 - 100 - 8 * round;
        const char *s = src + round;
        unsigned long n = 1000;
        unsigned char zf; /* the flags of a compare before it live across it */
        __asm__ volatile("cmp %4, %4\n\trep movsb\n\tsete %0"
                         : "=q"(zf), "+D"(d), "+S"(s), "+c"(n)
                         : "r"(n)
                         : "memory", "cc");
        sum += zf;
        mprotect(page2, 4096, PROT_NONE);
        unsigned long *q = (unsigned long *)(page2 - 64), v = 0x0101010101010101ul * (round + 1);
        n = 100;
        __asm__ volatile("rep stosq" : "+D"(q), "+c"(n) : "a"(v) : "memory");
        for (int i = 0; i < 2 * 4096; i++)
            sum = sum * 31 + (unsigned char)m[i];
    }
    printf("faults %ld sum %lu\n", faults, sum);
    return 0;
}
