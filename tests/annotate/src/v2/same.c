/* same.c: identical under v1/ and v2/ */
int compute(int x) {
    return x * 2;
}
