/* Generated code: written into a read-write-execute mapping and rewritten in
 * place (executed between), then the W^X way (write, mprotect to read-execute,
 * run, back to writable, rewrite).  Every version must run and be counted.
 * Last, a loop in generated code reached by a direct jump from other
 * generated code (the translator links the two), where only the loop is
 * rewritten: the jump must then reach the new loop.  The translator runs
 * code in writable memory translated, comparing its bytes at each block's
 * entry (core/dbt.c, emit_verify). */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "genloop.h"

static int emit(unsigned char *p, int v)
{
    unsigned char code[] = {0xb8, 0, 0, 0, 0, 0xc3}; /* mov eax, v; ret */
    memcpy(code + 1, &v, 4);
    memcpy(p, code, sizeof code);
    return (int)sizeof code;
}

/* At p: jmp p+64.  At p+64: emit_loop's. */
static void emit_chain(unsigned char *p, int v)
{
    unsigned char jmp[] = {0xe9, 59, 0, 0, 0}; /* jmp rel32: p+5+59 = p+64 */
    memcpy(p, jmp, sizeof jmp);
    emit_loop(p + 64, v);
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
    long chain = 0;
    emit_chain(rwx, 1);
    for (int v = 1; v <= 4; v++) {
        memcpy(rwx + 64 + GENLOOP_V, &v, 4); /* the loop's immediate only */
        for (int i = 0; i < 3; i++)
            chain += ((int (*)(void))rwx)();
    }
    printf("sum %ld chain %ld\n", sum, chain);
    return sum == 1275 + 15000 && chain == 3000L * (1 + 2 + 3 + 4) ? 0 : 1;
}
