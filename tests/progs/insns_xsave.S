/* insns_xsave.S - xsave/xrstor with the component mask (EAX) known inside the
 * superblock, as in ld.so's _dl_runtime_resolve_xsave.  VEX then folds the
 * guards of its x87 and MXCSR dirty helpers and drops those that are off; the
 * decoder models exactly this case (see docs/decoder.md).  Each group starts a
 * new superblock (indirect jump) so that EAX and EDX are both constants in it.  Compared with
 * Cachegrind run with default options (no --vex-guest-max-insns).  Static, no
 * libc: `gcc -nostdlib -static -g`. */
        .text
        .globl _start
        .type _start, @function
_start:
        lea stack_top(%rip), %rsp
        lea xarea(%rip), %rdi
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $7, %eax
        xor %edx, %edx
        xsave (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $6, %eax
        xor %edx, %edx
        xsave (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $6, %eax
        xor %edx, %edx
        xrstor (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $1, %eax
        xor %edx, %edx
        xsave (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $1, %eax
        xor %edx, %edx
        xrstor (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $4, %eax
        xor %edx, %edx
        xsave (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $2, %eax
        xor %edx, %edx
        xrstor (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $5, %eax
        xor %edx, %edx
        xsave (%rdi)
        lea 1f(%rip), %r11
        jmp *%r11      /* ends the superblock */
1:
        mov $3, %eax
        xor %edx, %edx
        xrstor (%rdi)
        mov $60, %eax
        xor %edi, %edi
        syscall

        .data
        .balign 64
xarea:  .fill 1088, 1, 0

        .bss
        .balign 64
stack:  .fill 4096
stack_top:
        .fill 64
