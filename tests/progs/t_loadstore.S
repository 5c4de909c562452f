/* Loads and stores of every width, strided walks that miss and hit, a store
 * then reload, fs:-relative access (after setting the fs base). */
#include "t_common.h"
body:
    lea buf(%rip), %rsi
    mov $512, %ecx
1:  movb (%rsi), %al
    movw 2(%rsi), %ax
    movl 4(%rsi), %eax
    movq 8(%rsi), %rax
    movq %rax, 16(%rsi)
    movl %eax, 24(%rsi)
    movb %al, 28(%rsi)
    add $64, %rsi
    dec %ecx
    jnz 1b
    /* a second walk with a 4 KiB stride: same sets, evictions */
    lea buf(%rip), %rsi
    mov $16, %ecx
2:  mov (%rsi), %rax
    add $4096, %rsi
    dec %ecx
    jnz 2b
    /* fs-relative: arch_prctl(ARCH_SET_FS, buf+1024) */
    mov $158, %eax
    mov $0x1002, %edi
    lea buf+1024(%rip), %rsi
    syscall
    mov %fs:8, %rax
    mov %rax, %fs:16
    ret
    .data
    .balign 64
buf: .fill 70000, 1, 7
