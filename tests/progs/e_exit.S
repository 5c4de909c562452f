/* Exits with the status given as the first digit of argv[1] (default 42). */
    .text
    .globl _start
_start:
    mov $42, %edi
    cmpq $2, (%rsp)
    jl 1f
    mov 16(%rsp), %rsi
    movzbl (%rsi), %edi
    sub $'0', %edi
1:  mov $60, %eax
    syscall
