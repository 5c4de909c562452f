/* Read-modify-write (one Dr, like Cachegrind's "modify") and locked
 * instructions (a load plus a CAS: Dr=2). */
#include "t_common.h"
body:
    lea buf(%rip), %rdi
    mov $200, %ecx
1:  addl $1, (%rdi)
    incq 8(%rdi)
    orb $4, 16(%rdi)
    lock addl $1, 24(%rdi)
    lock incq 32(%rdi)
    mov $5, %eax
    xchg %eax, 40(%rdi)
    lock xadd %eax, 44(%rdi)
    mov 48(%rdi), %eax
    mov $7, %edx
    lock cmpxchg %edx, 48(%rdi)
    cmpxchg %edx, 52(%rdi)
    notq 56(%rdi)
    negl 64(%rdi)
    shll $1, 68(%rdi)
    btsl $3, 72(%rdi)
    add %eax, 76(%rdi)
    sub 80(%rdi), %eax
    add $128, %rdi
    dec %ecx
    jnz 1b
    ret
    .data
    .balign 64
buf: .fill 30000, 1, 0
