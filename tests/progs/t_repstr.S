/* rep string instructions: N iterations give N+1 Ir and N element accesses
 * (Cachegrind's rule); rep with rcx=0; repe/repne stopping early; a byte
 * copy whose source and destination are 32 KiB apart (one D1 set, line after
 * line: the translator skips the checks of iterations on the lines of the
 * previous one, core/dbt.c rep_skip_test) and a byte fill. */
#include "t_common.h"
body:
    cld
    lea src(%rip), %rsi
    lea dst(%rip), %rdi
    mov $1000, %ecx
    rep movsb
    lea dst(%rip), %rdi
    mov $100, %ecx
    xor %eax, %eax
    rep stosq
    xor %ecx, %ecx
    rep movsb                /* count 0: one Ir, no access */
    lea src(%rip), %rsi
    lea dst2(%rip), %rdi
    mov $64, %ecx
    repe cmpsb               /* differ at byte 10: stops early */
    lea src(%rip), %rdi
    mov $300, %ecx
    mov $9, %al
    repne scasb              /* finds 9 at offset 200 */
    lea src(%rip), %rsi
    lodsl                    /* no rep: one element (VEX ignores rep on lods) */
    add %eax, %edx
    lodsq
    add %rax, %rdx
    lea dst(%rip), %rdi
    stosw
    std
    lea src+500(%rip), %rsi
    lea dst+500(%rip), %rdi
    mov $50, %ecx
    rep movsq                /* backwards */
    cld
    lea far(%rip), %rsi
    lea far+32768(%rip), %rdi
    mov $3000, %ecx
    rep movsb
    lea far+32868(%rip), %rdi
    mov $2000, %ecx
    mov $7, %al
    rep stosb
    ret
    .data
    .balign 64
src: .fill 200, 1, 1
     .byte 9
     .fill 1200, 1, 1
dst: .fill 2048, 1, 0
dst2: .fill 10, 1, 1
     .fill 100, 1, 2
    .bss
    .balign 64
far: .skip 65536
