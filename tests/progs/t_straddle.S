/* Accesses that straddle two cache lines: one access, at most one miss. */
#include "t_common.h"
body:
    lea buf(%rip), %rsi
    mov $100, %ecx
1:  mov 60(%rsi), %rax       /* 8 bytes across a 64-byte boundary */
    movl %eax, 126(%rsi)     /* 4 bytes across */
    movdqu 120(%rsi), %xmm0  /* 16 bytes across */
    movw 191(%rsi), %ax      /* 2 bytes across */
    add $256, %rsi
    dec %ecx
    jnz 1b
    ret
    .data
    .balign 64
buf: .fill 30000, 1, 1
