/* What the translator's MRU filter must get right (engines.sh compares the
 * translator's profile with the single-step engine's, under several cache
 * geometries): accesses that straddle two lines, accesses where the program
 * still needs the flags, bt with a register bit offset, rep string
 * instructions of every kind and count, sets thrashed past their
 * associativity, an instruction that straddles two lines, and a fault in the
 * middle of a block (its access recorded, the instruction never run). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static unsigned char buf[3 * 8192] __attribute__((aligned(4096)));
static sigjmp_buf back;

/* Unaligned loads and stores of 2..16 bytes all along the buffer: every
 * 64-, 32- and 16-byte line boundary is crossed. */
static __attribute__((noinline)) uint64_t straddle(int rounds)
{
    uint64_t s = 0;
    for (int r = 0; r < rounds; r++)
        for (int i = 1; i < 4096; i += 7) {
            uint16_t a; uint32_t b; uint64_t c; unsigned char d[16];
            memcpy(&a, buf + i, 2);
            memcpy(&b, buf + i + 1, 4);
            memcpy(&c, buf + i + 3, 8);
            memcpy(d, buf + i + 5, 16);
            s += a + b + c + d[0] + d[15];
            c += r;
            memcpy(buf + 8192 + i + 2, &c, 8);
        }
    return s;
}

/* Loads between a compare and the branch or adc that reads its flags. */
static __attribute__((noinline)) uint64_t flags_live(int rounds)
{
    uint64_t s = 0;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < 4096; i += 8) {
            uint64_t v, w = (uint64_t)i;
            __asm__ volatile("cmp $2048, %[w]\n\t"
                             "mov (%[p]), %[v]\n\t"
                             "jb 1f\n\t"
                             "add $3, %[v]\n"
                             "1:\n\t"
                             "cmp $1000, %[w]\n\t"
                             "adc 8(%[p]), %[v]\n\t"
                             "mov 4096(%[p]), %[w]\n\t"
                             "setc %b[w]\n\t"
                             "cmovz 16(%[p]), %[v]\n\t"
                             /* an SSE compare leaves the flags alone */
                             "cmp $1536, %[v]\n\t"
                             "mov 24(%[p]), %[w]\n\t"
                             "cmpltsd %%xmm1, %%xmm0\n\t"
                             "jae 2f\n\t"
                             "add $5, %[w]\n"
                             "2:\n\t"
                             : [v] "=&r"(v), [w] "+&r"(w)
                             : [p] "r"(buf + i)
                             : "cc", "memory", "xmm0");
            s += v + w;
        }
    return s;
}

/* bt, bts, btr, btc on memory with a register bit offset, both signs. */
static __attribute__((noinline)) uint64_t bits(int rounds)
{
    uint64_t s = 0;
    unsigned char *mid = buf + 8192;
    for (int r = 0; r < rounds; r++)
        for (long off = -20000; off < 20000; off += 997) {
            int32_t o32 = (int32_t)off;
            int16_t o16 = (int16_t)(off / 4);
            uint64_t c;
            __asm__ volatile("bt %[o], (%[m])\n\tsetc %b[c]\n\t"
                             "bts %[o], (%[m])\n\t"
                             "btr %k[o32], (%[m])\n\t"
                             "btc %w[o16], (%[m])\n\t"
                             : [c] "=&q"(c)
                             : [o] "r"(off), [o32] "r"(o32), [o16] "r"(o16), [m] "r"(mid)
                             : "cc", "memory");
            s += c & 1;
        }
    return s;
}

/* rep movs/stos/cmps/scas/lods with counts 0, 1 and more. */
static __attribute__((noinline)) uint64_t strings(int rounds)
{
    uint64_t s = 0;
    static const int counts[] = {0, 1, 2, 63, 64, 65, 300};
    for (int r = 0; r < rounds; r++)
        for (unsigned k = 0; k < sizeof counts / sizeof *counts; k++) {
            long n = counts[k];
            void *d = buf + 9000 + k, *src = buf + 100 + 3 * k;
            __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
            n = counts[k] / 8;
            d = buf + 12000;
            __asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"((uint64_t)k) : "memory");
            n = counts[k];
            d = buf + 9000;
            src = buf + 9000 + 1;
            unsigned char z;
            __asm__ volatile("repe cmpsb\n\tsetz %0" : "=q"(z), "+D"(d), "+S"(src), "+c"(n)
                             : : "cc", "memory");
            s += z + (uint64_t)n;
            n = counts[k];
            d = buf + 100;
            __asm__ volatile("repne scasb" : "+D"(d), "+c"(n) : "a"(0x55) : "cc", "memory");
            s += (uint64_t)n;
            n = counts[k] > 8 ? 8 : counts[k];
            src = buf + 200;
            uint64_t a = 0;
            __asm__ volatile("rep lodsb" : "+S"(src), "+c"(n), "+a"(a) : : "memory");
            s += a;
        }
    return s;
}

/* Ten lines 4096 bytes apart: one set of most geometries, over its ways. */
static __attribute__((noinline)) uint64_t thrash(int rounds)
{
    uint64_t s = 0;
    static unsigned char big[10 * 4096] __attribute__((aligned(4096)));
    for (int r = 0; r < rounds; r++)
        for (int w = 1; w <= 10; w++)
            for (int i = 0; i < 10; i += (i % 3) + 1)
                s += big[(i % w) * 4096 + (r & 63)]++;
    return s;
}

/* An instruction across a 64-byte line: a mov with an imm64 at line end - 3. */
static __attribute__((noinline)) uint64_t fetch_straddle(int rounds)
{
    uint64_t s = 0;
    for (int r = 0; r < rounds; r++) {
        uint64_t v;
        __asm__ volatile(".p2align 6\n\t"
                         ".fill 61, 1, 0x90\n\t"
                         "movabs $0x1122334455667788, %0\n\t"
                         : "=r"(v));
        s += v >> r % 64;
    }
    return s;
}

static void on_segv(int sig) { siglongjmp(back, sig); }

/* Loads in a loop; the third round's last one faults (after the load
 * before it in the same block). */
static __attribute__((noinline)) uint64_t fault(volatile unsigned char *p, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++)
        s += p[i * 64] + p[i * 64 + 4096];
    return s;
}

int main(void)
{
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    uint64_t s = straddle(3) + flags_live(3) + bits(3) + strings(3) + thrash(40) +
                 fetch_straddle(100);
    unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 1;
    mprotect(m + 4096, 4096, PROT_NONE);
    signal(SIGSEGV, on_segv);
    for (int k = 0; k < 3; k++) {
        int got = sigsetjmp(back, 1);
        if (got == 0)
            s += fault(m, 64);
        else
            s += (uint64_t)got;
    }
    printf("%llu\n", (unsigned long long)s);
    return 0;
}
