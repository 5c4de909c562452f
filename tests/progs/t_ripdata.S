/* RIP-relative data: constant addresses, whose filter check the translator
 * makes with the line known in advance.  Every width, one line or straddling
 * two (known in advance too), loads, stores and read-modify-writes; a loop
 * through globals that share D1 sets (4 KiB apart: one set under both test
 * geometries, more lines than its ways), so that they miss the filter and
 * D1 and the cold paths run, then a loop that hits.  Every load's value is
 * used: VEX drops a load whose register is overwritten unread. */
#include "t_common.h"
body:
    xor %edx, %edx
    mov $300, %ecx
1:  movzbl g0(%rip), %eax
    addw g0+2(%rip), %dx
    addl g0+4(%rip), %edx
    addq g0+8(%rip), %rdx
    movq %rdx, g1(%rip)
    addl $1, g2(%rip)            /* read-modify-write */
    movdqu g0+16(%rip), %xmm0
    movdqu %xmm0, g1+16(%rip)
    vmovdqu g0+32(%rip), %ymm1   /* 32 bytes: one line at 64, exactly one at 32 */
    vmovdqu %ymm1, g3+32(%rip)
    addq g0+60(%rip), %rdx       /* straddles two 64-byte lines */
    addl g1+30(%rip), %edx       /* two 32-byte lines, one 64-byte line */
    addw g2+63(%rip), %dx        /* straddles at both line sizes */
    movw %dx, g3+127(%rip)       /* a store across two lines */
    addq g3(%rip), %rdx
    addq g4(%rip), %rdx
    addq g5(%rip), %rdx
    add %eax, %edx
    dec %ecx
    jnz 1b
    /* the same lines again and again: filter hits */
    mov $1000, %ecx
2:  addq g0+8(%rip), %rdx
    addq %rdx, g0+16(%rip)
    dec %ecx
    jnz 2b
    ret
    .data
    .balign 4096
g0: .fill 4096, 1, 1
g1: .fill 4096, 1, 2
g2: .fill 4096, 1, 3
g3: .fill 4096, 1, 4
g4: .fill 4096, 1, 5
g5: .fill 4096, 1, 6
