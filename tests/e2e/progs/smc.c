/* Generated code: written into a read-write-execute mapping and rewritten in
 * place (executed between), then the W^X way (write, mprotect to read-execute,
 * run, back to writable, rewrite).  Every version must run and be counted. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static int emit(unsigned char *p, int v)
{
    unsigned char code[] = {0xb8, 0, 0, 0, 0, 0xc3}; /* mov eax, v; ret */
    memcpy(code + 1, &v, 4);
    memcpy(p, code, sizeof code);
    return (int)sizeof code;
}

int main(void)
{
    unsigned char *rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED || wx == MAP_FAILED)
        return 1;
    long sum = 0;
    for (int v = 1; v <= 50; v++) {
        emit(rwx, v);
        sum += ((int (*)(void))rwx)();
    }
    for (int v = 1; v <= 5; v++) {
        mprotect(wx, 4096, PROT_READ | PROT_WRITE);
        emit(wx, 100 * v);
        mprotect(wx, 4096, PROT_READ | PROT_EXEC);
        for (int i = 0; i < 10; i++)
            sum += ((int (*)(void))wx)();
    }
    printf("sum %ld\n", sum);
    return sum == 1275 + 15000 ? 0 : 1;
}
