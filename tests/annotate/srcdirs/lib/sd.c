/* lib/sd.c: found only through --source-dir */
int sd(void) {
    return 0;
}
