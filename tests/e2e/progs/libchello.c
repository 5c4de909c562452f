/* libchello.c - a small program whose start runs the dynamic loader and
 * glibc (stdio's formatting): for the stores' tests (dcache.sh, symstore.sh). */
#include <stdio.h>
#include <string.h>
int main(void) { char b[64]; snprintf(b, sizeof b, "%s %d", "hello", 42); puts(b); return strlen(b) != 8; }
