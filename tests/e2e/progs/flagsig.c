/* SIGPROF every millisecond of CPU time while a loop keeps flags live across
 * runs of stack accesses (core/dbt.c, flag_runs: the translator holds the
 * flags in ah/al and rax in a slot between the run's sites, and into a ret's
 * dispatch): a signal inside such a run must give the program back its flags
 * and rax.  The loop's
 * result depends on both at every pass.  argv[1]: passes; argv[2] = "quiet":
 * no timer (the reference run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftimer.h"

unsigned long mix(unsigned long n);
__asm__(".text\n"
        ".globl mix\n"
        ".type mix, @function\n"
        "mix:\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    xor %eax, %eax\n"
        "    xor %ecx, %ecx\n"
        "    mov $0x9e3779b97f4a7c15, %rdx\n"
        "1:  mov %rcx, %rbx\n"
        "    and $255, %ebx\n"
        "    cmp $100, %ebx\n"      /* CF and ZF live across the run */
        "    push %rbx\n"
        "    push %rdx\n"
        "    mov %rcx, %r12\n"
        "    mov %r12, -16(%rsp)\n"
        "    mov -16(%rsp), %r8\n"
        "    pop %rdx\n"
        "    pop %rbx\n"
        "    call keep\n"           /* and across keep's run into its ret */
        "    cmovb %r8, %r12\n"
        "    adc $0, %rax\n"
        "    add %r12, %rax\n"
        "    imul %rdx, %rax\n"
        "    inc %rcx\n"
        "    cmp %rdi, %rcx\n"
        "    jne 1b\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size mix, .-mix\n"
        "keep:\n"
        "    push %rbx\n"
        "    push %rdx\n"
        "    pop %rdx\n"
        "    pop %rbx\n"
        "    ret\n");

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 1000000;
    prof_timer(!(argc > 2 && strcmp(argv[2], "quiet") == 0));
    unsigned long r = mix(n);
    prof_timer(0);
    printf("mix %lu\n", r);
    fprintf(stderr, "ticks %ld\n", ticks);
    return 0;
}
