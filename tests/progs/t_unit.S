/* Loops the translator makes into units (core/dbt.c, translate): blocks
 * that count themselves, translated as one stretch along the way the loop
 * most likely goes, where only the first part counts and later parts' counts
 * are derived; side exits between parts take the later parts' counts back.
 * Each loop leaves through its side exits in turn (bits of ebx), so every
 * part is skipped some of the time:
 *   1. longest_match's chain walk: an &&-idiom first (its fresh variant
 *      heads the unit), a load in the first and last parts, back to the
 *      start past the scratch save;
 *   2. three parts joined by a forward branch and a direct jmp, a store in
 *      the middle one, the loop closed by a jmp back to the start;
 *   3. a one-block loop back to itself with a load, and one without access.
 * All of it must equal Cachegrind. */
#include "t_common.h"
body:
    LOOP_BITS
    mov %ebx, %edx
    and $7, %edx
    lea buf(%rip), %r10
    /* 1: the chain walk.  esi here counts the passes; edi bounds them. */
    mov $5, %edi
    mov $3, %r8d
    mov %ebx, %ebp
    jmp 13f
11: and $15, %ebp
    movzwl (%r10,%rbp,2), %ebp
    cmp %ebp, %r8d
    jae 14f
    sub $1, %edi
    je 14f
13: mov %ebp, %r9d
    add %edx, %r9d
    cmpb $0, 1(%r10,%r9,1)
    jne 11b
    add $1, %ebp
    jmp 11b
14: /* 2: three parts, the loop closed by a jmp */
    mov %edx, %ecx
    add $2, %ecx
21: test $1, %ecx
    jnz 22f             /* forward: the side exit, taken on odd counts */
    add $3, %r11d
    jmp 23f
22: add $1, %r11d
    jmp 24f
23: mov %r11d, 64(%r10,%rcx,4)
    sub $1, %ecx
    cmp $1, %ecx
    jbe 25f             /* forward: leaves the loop */
    jmp 21b
24: sub $1, %ecx
    cmp $1, %ecx
    ja 21b
25: /* 3: loops of one block */
    mov %edx, %ecx
    add $1, %ecx
31: add (%r10,%rcx,8), %r11
    dec %ecx
    jnz 31b
    mov %ebx, %ecx
    and $3, %ecx
    inc %ecx
32: add %ecx, %r11d
    dec %ecx
    jnz 32b
    inc %ebx
    cmp $300, %ebx
    jne 1b
    ret
    .data
    .p2align 6
buf:
    .word 3, 9, 0, 7, 1, 12, 5, 2, 14, 4, 0, 8, 6, 11, 3, 10
    .byte 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0
    .fill 96, 1, 0
