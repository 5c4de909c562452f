/* Deep call stacks with big frames: push/call write the stack, pop/ret read
 * it; recursion 2000 deep with a 1 KiB frame touched at both ends. */
#include "t_common.h"
body:
    mov $2000, %edi
    call rec
    mov $3, %edi
    call leafy
    ret
rec:
    push %rbp
    mov %rsp, %rbp
    push %rbx
    sub $1024, %rsp
    movq %rdi, (%rsp)
    movq %rdi, 1000(%rsp)
    mov %edi, %ebx
    dec %edi
    jz 1f
    call rec
1:  mov (%rsp), %rax
    add $1024, %rsp
    pop %rbx
    leave
    ret
leafy:
    enter $32, $0
    pushq $7
    pushq 8(%rsp)
    popq %rax
    popq %rax
    leave
    ret
    .data
pad: .quad 0
