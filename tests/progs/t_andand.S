/* &&-idioms (`if (a && b)`: a branch whose fall-through is a short block
 * ending in a branch to the same place), both ways, entered where a VEX
 * superblock starts (after a ret; after a conditional branch with no idiom)
 * and where one goes on (after a chased jmp): VEX merges the short block
 * only in the first case, and Cachegrind then counts it also when the first
 * branch skips it. */
#include "t_common.h"
body:
    LOOP_BITS
    call f
    test %eax, %eax     /* after a ret: a superblock starts here */
    je 3f
    test %ecx, %ecx
    je 3f
    add $1, %esi
3:  jmp 4f
4:  test %ecx, %ecx     /* after a chased jmp: the superblock goes on */
    jne 5f
    test %eax, %eax
    jne 5f
    add $2, %esi
5:  mov %ebx, %edx
    shr $2, %edx
    and $3, %edx
    cmp $2, %edx
    jb 6f
    add %edx, %esi
    add %edx, %esi
    add %edx, %esi
    add %edx, %esi
6:  test %edx, %edx     /* after a branch without idiom: a superblock starts */
    je 7f
    test %eax, %eax
    je 7f
    add $3, %esi
7:  inc %ebx
    cmp $300, %ebx
    jne 1b
    ret
f:  ret
    .data
unused: .quad 0 /* a writable segment: Valgrind reads the debug info */
