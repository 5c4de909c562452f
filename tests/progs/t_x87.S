/* x87: loads and stores of 4, 8 and 10 bytes, control word, integer loads. */
#include "t_common.h"
body:
    lea v(%rip), %rsi
    mov $50, %ecx
    fninit
1:  flds (%rsi)
    fldl 8(%rsi)
    faddp
    fldt 16(%rsi)
    fmulp
    fstpl 32(%rsi)
    fildl 40(%rsi)
    fistpl 44(%rsi)
    fnstcw 48(%rsi)
    fldcw 48(%rsi)
    fld1
    fadds (%rsi)
    fstps 52(%rsi)
    dec %ecx
    jnz 1b
    ret
    .data
    .balign 64
v: .float 1.5
   .fill 4, 1, 0
   .double 2.25
   .fill 16, 1, 0
   .fill 64, 1, 0
