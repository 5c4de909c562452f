/* genloop.h - generated code for the tests of code written at run time
 * (smc.c, farcode.c): at p, a function returning 1000 * v, computed in a
 * loop of 1000 rounds (two blocks: its head and its body); v is the
 * immediate at p + GENLOOP_V. */
#ifndef GENLOOP_H
#define GENLOOP_H
#include <string.h>

#define GENLOOP_V 8

static void emit_loop(unsigned char *p, int v)
{
    unsigned char loop[] = {0xb9, 0xe8, 0x03, 0, 0, /* mov ecx, 1000 */
                            0x31, 0xc0,             /* xor eax, eax */
                            0x05, 0, 0, 0, 0,       /* add eax, v */
                            0xff, 0xc9,             /* dec ecx */
                            0x75, 0xf7,             /* jnz add */
                            0xc3};                  /* ret */
    memcpy(loop + GENLOOP_V, &v, 4);
    memcpy(p, loop, sizeof loop);
}
#endif
