/* Kills itself with the signal number in argv[1]'s first digit (default
 * SIGSEGV by a bad store); with argument "w" it waits in pause() forever. */
    .text
    .globl _start
_start:
    cmpq $2, (%rsp)
    jl crash
    mov 16(%rsp), %rsi
    movzbl (%rsi), %edi
    cmp $'w', %edi
    je wait
    sub $'0', %edi
    mov %edi, %esi
    mov $39, %eax          /* getpid */
    syscall
    mov %eax, %edi
    mov $62, %eax          /* kill(getpid(), sig) */
    syscall
    mov $60, %eax
    xor %edi, %edi
    syscall
crash:
    movq $1, 0
wait:
    mov $34, %eax          /* pause */
    syscall
    jmp wait
