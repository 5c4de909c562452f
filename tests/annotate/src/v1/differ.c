/* differ.c, version 1 */
int f(void) { return 1; }
