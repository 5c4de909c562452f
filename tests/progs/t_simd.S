/* SSE and AVX2 loads, stores and arithmetic: 16- and 32-byte accesses. */
#include "t_common.h"
body:
    lea a(%rip), %rsi
    lea b(%rip), %rdi
    mov $64, %ecx
1:  movdqa (%rsi), %xmm0
    paddd 16(%rsi), %xmm0
    movdqa %xmm0, (%rdi)
    movups 32(%rsi), %xmm1
    addps %xmm1, %xmm1
    movss 48(%rsi), %xmm2
    movsd %xmm2, 48(%rdi)
    vmovdqu (%rsi), %ymm3
    vpaddd 32(%rsi), %ymm3, %ymm4
    vmovdqu %ymm4, 64(%rdi)
    vbroadcastss 4(%rsi), %ymm5
    vmulps %ymm5, %ymm4, %ymm6
    vmovaps %ymm6, 96(%rdi)
    vpxor %ymm0, %ymm0, %ymm0
    movhps 8(%rsi), %xmm1
    pinsrd $1, 12(%rsi), %xmm1
    pextrd $2, %xmm1, 16(%rdi)
    add $128, %rsi
    add $128, %rdi
    dec %ecx
    jnz 1b
    vzeroupper
    ret
    .data
    .balign 64
a: .fill 9000, 1, 3
    .balign 64
b: .fill 9000, 1, 0
