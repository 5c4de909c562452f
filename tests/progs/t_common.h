/* t_common.h - shared by the tiny static test programs (no libc).  Each program
 * defines `body`, a function that returns to _start, which exits with status 0.
 * Data lives in .data so Valgrind reads the debug info (it wants a writable
 * segment next to the text). */
#define EXIT_SYSCALL            \
    mov $60, %eax;              \
    xor %edi, %edi;             \
    syscall

    .text
    .globl _start
_start:
    call body
    EXIT_SYSCALL
