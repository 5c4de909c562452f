/* System calls between loads and stores.  The translator steps a system
 * call; one that changes nothing it keeps (getpid, write, getuid here) is
 * counted through the thread's record stream once it ran (core/dbt.c,
 * sysc_defer), while others (getpgrp here) are counted after everything
 * recorded before them: both must give Cachegrind's counts and cache
 * misses, in either mode.  The getuid's syscall straddles a page (and so an
 * I1 line of any size), and nine jumps to the starts of further pages go
 * through the I1 set of its second line every round, more lines than the set
 * has ways, so that line misses each round while the first does not (the
 * stream's fetch record must test both lines, as translated code does). */
#include "t_common.h"
    .p2align 12
body:
    mov $40, %r12d
1:  lea buf(%rip), %rsi
    mov $48, %ecx
2:  mov (%rsi), %rax
    add %rax, %r13
    mov %r13, (%rsi)
    add $8, %rsi
    dec %ecx
    jnz 2b
    mov $39, %eax           /* getpid */
    syscall
    mov %eax, pid(%rip)
    mov $1, %eax            /* write(-1, buf, 8): EBADF, nothing written */
    mov $-1, %edi
    lea buf(%rip), %rsi
    mov $8, %edx
    syscall
    add %rax, total(%rip)
    mov $111, %eax          /* getpgrp: counted the usual way */
    syscall
    mov $102, %eax          /* getuid, on the straddling syscall */
    jmp 3f
    .org body + 4095, 0xcc
3:  syscall                 /* bytes at page + 4095 and + 4096 */
    add %rax, total(%rip)
    jmp body + 2 * 4096
    PAGE_JUMPS body
    dec %r12d
    jnz 1b
    ret
    .data
pid: .quad 0
total: .quad 0
    .p2align 6
buf: .fill 48, 8, 3
