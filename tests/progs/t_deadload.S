/* Loads VEX deletes as dead (a register written again, unread, later in the
 * same superblock) and loads it keeps (partial writes, a side exit or a call
 * in between, flags still live, rsp/rbp across a memory access). */
    .text
    .globl _start
_start:
    lea buf(%rip), %rsi
    lea buf2(%rip), %rdi
    movl 4(%rsi), %eax
    movq 8(%rsi), %rax
    movw 2(%rsi), %ax
    movq 8(%rsi), %rax
    movq (%rsi), %rbx
    movq 8(%rsi), %rbx
    movq (%rsi), %rcx
    test %rsi, %rsi
    jz 1f
    movq 8(%rsi), %rcx
1:  movq (%rsi), %rdx
    movq (%rdi), %r8
    movq 8(%rsi), %rdx
    movq (%rsi), %r9
    movq %r8, (%rdi)
    movq 8(%rsi), %r9
    movdqu (%rsi), %xmm0
    movdqu 16(%rsi), %xmm0
    movq (%rsi), %r10
    xor %r10d, %r10d
    movq (%rsi), %r11
    movq $1, %r11
    movq (%rsi), %r12
    jmp 2f
2:  movq 8(%rsi), %r12
    add (%rsi), %r13
    mov $1, %r13
    movb (%rsi), %al
    movq 8(%rsi), %rax
    movq (%rsi), %r14
    call f
    movq 8(%rsi), %r14
    movzbl (%rsi), %r15d
    movq 8(%rsi), %r15
    call more
    mov $60, %eax
    xor %edi, %edi
    syscall
f:  ret
more:
    mov (%rsi), %rbp
    mov 8(%rsi), %rbp
    push %rax
    push %rax
    pop %rcx
    pop %rcx
    ret
    .data
buf: .fill 64,1,1
buf2: .fill 64,1,1
