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

/* Nine pages after base + 2 pages, each only a jump to the start of the next
 * one, up to base + 11 pages: a walk through I1 set 0 (of any I1 whose sets
 * times line size divide 4096) that uses more lines than it has ways, and
 * leaves the other sets alone.  Enter it with `jmp base + 2 * 4096`. */
    .macro PAGE_JUMPS base
    .irp k, 2, 3, 4, 5, 6, 7, 8, 9, 10
    .org \base + \k * 4096, 0xcc
    jmp \base + (\k + 1) * 4096
    .endr
    .org \base + 11 * 4096, 0xcc
    .endm

/* The start of a loop over ebx = 0, 1, ... (esi sums what the loop adds):
 * label 1 (for `jne 1b`), then eax = bit 0 of ebx and ecx = bit 1, so that
 * branches on them go each way in turn. */
    .macro LOOP_BITS
    xor %ebx, %ebx
    xor %esi, %esi
1:  mov %ebx, %eax
    and $1, %eax
    mov %ebx, %ecx
    and $2, %ecx
    .endm
