/* Sets its own gs base: the translator refuses it with a clear message. */
#include <asm/prctl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static long area[16];
int main(void) { printf("before\n"); fflush(stdout); syscall(SYS_arch_prctl, ARCH_SET_GS, area); printf("after\n"); return 0; }
