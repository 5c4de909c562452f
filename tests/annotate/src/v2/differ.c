/* differ.c, version 2 */
int f(void) { return 2; }
