/* A link into the line the previous block ended on, after an &&-idiom whose
 * merged short block is elsewhere: Cachegrind fetches that block also when
 * the branch skips it, so the line the program goes on at is no longer its
 * I1 set's most recently used, and its fetch must be simulated (the
 * translator enters a block past its first fetch check only from a block
 * that ended on the same line and is not an &&-idiom).  J's jne skips to M,
 * 12 pages on, in the same I1 set as J's line (any I1 whose sets * line
 * divides 4096); either way the program goes on at C, on J's line, then
 * through seven more lines of that set, which evict whichever of J's line
 * and M's came second, before the next round fetches J's line again. */
#include "t_common.h"
    .p2align 12
body:
    mov $200, %ebx
    xor %esi, %esi
    jmp top
    .org body + 0x0fb, 0xcc
top:
    call f                  /* 5 bytes: J starts a superblock at 0x100 */
J:  test $1, %bl
    jne M                   /* taken side: M, the short block */
C:  add $1, %esi            /* J's line; sets every flag */
    jmp body + 2 * 4096 + 0x100
    .org body + 0x300, 0xcc
f:  ret
    /* Seven pages, each only a jump to the same offset of the next one. */
    .irp k, 2, 3, 4, 5, 6, 7
    .org body + \k * 4096 + 0x100, 0xcc
    jmp body + (\k + 1) * 4096 + 0x100
    .endr
    .org body + 8 * 4096 + 0x100, 0xcc
    jmp tail
    .org body + 8 * 4096 + 0x200, 0xcc
tail:
    dec %ebx
    jnz top
    ret
    .org body + 12 * 4096 + 0x100, 0xcc
M:  test $2, %bl
    jne C                   /* back into the other side's continuation */
    add $2, %esi
    jmp C
    .data
val: .quad 0
