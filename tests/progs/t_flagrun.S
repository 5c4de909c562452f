/* Sites where the flags are live, in runs whose instructions between leave
 * the flags and rax alone (core/dbt.c, flag_runs): the translator saves the
 * flags once before the first site and restores them after the last.  The
 * branches after each run read flags set before it, so a flag the runs lost
 * or a wrong rax would send them the other way.  Pushes and pops, stack
 * stores and loads through mov, a run ended by an instruction that uses rax,
 * one whose last site's instruction reads the flags itself (adc), a function
 * whose run goes into its ret (the dispatch takes the flags held) with the
 * caller branching on them after, and a branch on what esi took.  All of it
 * must equal Cachegrind. */
#include "t_common.h"
body:
    LOOP_BITS
    lea scratch(%rip), %r8
    mov %ebx, %edx
    and $7, %edx
    cmp $3, %edx         /* CF, ZF live across the run */
    push %rbx
    push %rdx
    mov %rsi, 8(%r8)
    mov 8(%r8), %r9
    pop %rdx
    pop %rbx
    jb 2f
    add $1, %esi
2:  cmp %ecx, %eax       /* a run that rax ends */
    mov %rdx, -8(%rsp)
    mov -8(%rsp), %r10
    movzbl %bl, %eax     /* uses rax: the run stops before it, another follows */
    mov %r10, (%r8,%rdx,8)
    mov (%r8), %r11
    je 3f
    add $2, %esi
3:  cmp $5, %edx         /* the last site's instruction reads CF */
    push %rcx
    pop %rcx
    adc (%r8), %esi
    seta %r11b
    movzbl %r11b, %r11d
    add %r11d, %esi
    cmp $6, %edx         /* flags live through keep's run and its ret */
    call keep
    jbe 5f
    add $3, %esi
5:  test $4, %esi        /* what follows depends on everything esi took */
    jz 4f
    add $1, %r12d
4:  inc %ebx
    cmp $300, %ebx
    jne 1b
    ret
keep:                    /* pushes and pops, then the ret, the caller's flags live */
    push %rbx
    push %rdx
    mov %rsi, 16(%r8)
    pop %rdx
    pop %rbx
    ret
    .data
    .p2align 6
scratch:
    .fill 128, 1, 0
