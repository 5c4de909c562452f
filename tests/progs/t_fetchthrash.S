/* An instruction that straddles two lines, where the second line is evicted
 * between its executions and the first is not: the straddle's I1 miss must
 * be counted every round (the translator's fetch filter may skip a
 * straddling fetch only when both of its lines are their sets' most
 * recently used).  The movabs runs from page + 4093 into the next page;
 * then nine jumps, each to the start of a page further on, go through the
 * I1 set of that second line (set 0 of any I1 whose sets * line divides
 * 4096), more lines than it has ways, while the first line's set is left
 * alone. */
#include "t_common.h"
    .p2align 12
body:
    mov $50, %ecx
    xor %eax, %eax
    jmp 2f
    .org body + 4093, 0xcc
2:  movabs $0x1122334455667788, %rdx  /* 10 bytes, across the page boundary */
    add %rdx, %rax
    jmp body + 2 * 4096
    PAGE_JUMPS body
    dec %ecx
    jnz 2b
    ret
    .data
val: .quad 0
