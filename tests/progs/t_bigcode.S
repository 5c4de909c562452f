/* Code larger than I1 (48 KiB of straight-line code, run 3 times through a
 * 32 KiB I1): instruction-fetch misses and LL hits. */
#include "t_common.h"
body:
    mov $3, %ecx
1:  lea buf(%rip), %rsi
    .rept 16000
    add (%rsi), %rax
    .endr
    dec %ecx
    jnz 1b
    ret
    .data
buf: .quad 1
