/* Blocks that do not end a VEX superblock: they fall through, or end in a
 * direct jmp or call, which VEX chases.  The translator counts such a block
 * like one that ends a superblock when the code it leads to reaches an end of
 * every superblock before any &&-idiom (core/dbt.c, chain_ends_clean), and
 * records its start when an idiom comes first, whose merging depends on where
 * the superblock began.  Both kinds, each several ways, must equal
 * Cachegrind: a jmp and a call into code that ends cleanly, two jmps into an
 * idiom, a run of 60 instructions (longer than a translated block and than a
 * VEX superblock) that ends cleanly, and one that ends in an idiom. */
#include "t_common.h"
body:
    LOOP_BITS
    jmp 2f              /* chased into a clean end (the call's ret) */
2:  add $1, %esi
    call g
    test %eax, %eax
    jmp 3f              /* two chased jmps into an idiom */
3:  jmp 4f
4:  test %ecx, %ecx
    je 5f
    test %eax, %eax
    je 5f
    add $2, %esi
5:  mov %ebx, %edx
    and $3, %edx
    .rept 60            /* falls through twice, ends on a branch without idiom */
    add %edx, %esi
    .endr
    cmp $1, %edx
    jne 6f
    add $5, %esi
6:  .rept 60            /* falls through twice into an idiom */
    add %eax, %esi
    .endr
    test %ecx, %ecx
    jne 7f
    test %eax, %eax
    jne 7f
    add $3, %esi
7:  inc %ebx
    cmp $300, %ebx
    jne 1b
    ret
g:  add %eax, %esi      /* entered by a chased call: ends with ret */
    ret
    .data
unused: .quad 0 /* a writable segment: Valgrind reads the debug info */
