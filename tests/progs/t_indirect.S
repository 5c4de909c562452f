/* Jump tables and indirect calls through registers and memory. */
#include "t_common.h"
body:
    xor %ebx, %ebx
1:  mov %ebx, %eax
    and $3, %eax
    lea table(%rip), %rdx
    jmp *(%rdx,%rax,8)
case0: lea f0(%rip), %rax
    call *%rax
    jmp 2f
case1: call *fptr(%rip)
    jmp 2f
case2: lea fptrs(%rip), %rdx
    call *8(%rdx)
    jmp 2f
case3: lea back(%rip), %r11
    jmp *%r11
back: jmp 2f
2:  inc %ebx
    cmp $400, %ebx
    jne 1b
    ret
f0: ret
f1: add $1, %eax
    ret
    .data
    .balign 8
table: .quad case0, case1, case2, case3
fptr: .quad f1
fptrs: .quad f0, f1
