/* cwork.c - ordinary compiled code (gcc -O2) for comparing the decoder with
 * Cachegrind in its default mode: insertion sort and quicksort, a small matrix
 * product, a linked-list walk, FNV hashing and a word count.  Freestanding, no
 * libc, so that Valgrind's different CPUID cannot change which code runs:
 *   gcc -O2 -g -static -nostdlib -ffreestanding -fno-stack-protector -no-pie
 * About 80 000 instructions, so single-stepping it takes a couple of seconds. */
typedef unsigned long u64;

static u64 seed = 88172645463325252ull;
static int arr[256];
static double ma[12][12], mb[12][12], mc[12][12];
static struct node {
    struct node *next;
    u64 key;
} nodes[200];
static char text[512];
static unsigned hashes[16];
volatile u64 sink;

static u64 rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

__attribute__((noinline)) static void isort(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

__attribute__((noinline)) static void qsort_ints(int *a, int lo, int hi)
{
    while (lo < hi) {
        int p = a[(lo + hi) / 2], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i <= j) {
                int t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            qsort_ints(a, lo, j);
            lo = i;
        } else {
            qsort_ints(a, i, hi);
            hi = j;
        }
    }
}

__attribute__((noinline)) static void matmul(void)
{
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < 12; j++) {
            double s = 0;
            for (int k = 0; k < 12; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
}

__attribute__((noinline)) static u64 walk(const struct node *n)
{
    u64 s = 0;
    for (; n; n = n->next)
        s += n->key;
    return s;
}

__attribute__((noinline)) static unsigned fnv(const char *s, int n)
{
    unsigned h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

__attribute__((noinline)) static int count_words(const char *s, int n)
{
    int w = 0, in = 0;
    for (int i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

int main(void)
{
    for (int i = 0; i < 256; i++)
        arr[i] = (int)(rnd() & 0xffff);
    isort(arr, 48);
    qsort_ints(arr, 0, 255);
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < 12; j++) {
            ma[i][j] = (double)(rnd() & 255) / 7.0;
            mb[i][j] = (double)(i ^ j);
        }
    matmul();
    for (int i = 0; i < 200; i++) {
        nodes[i].key = rnd();
        nodes[i].next = i ? &nodes[rnd() % (u64)i] : 0;
    }
    u64 s = 0;
    for (int r = 0; r < 10; r++)
        s += walk(&nodes[199 - r]);
    for (int i = 0; i < 512; i++)
        text[i] = (char)(rnd() % 6 ? 'a' + (int)(rnd() % 26) : ' ');
    for (int i = 0; i < 16; i++)
        hashes[i] = fnv(text + i * 16, 64);
    sink = s + (u64)count_words(text, 512) + hashes[7] + (u64)mc[3][4];
    return 0;
}

/* Entry point: align the stack, call main, exit(main()). */
__asm__(".globl _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  and $-16, %rsp\n"
        "  call main\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n"
        "  syscall\n");
