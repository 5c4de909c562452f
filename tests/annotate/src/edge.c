/* edge.c - source for the golden tests: 45 lines, line i says 'line i'. */
/* edge.c line 2 */
int main(void) {  /* line 3 */
    int x = 0;    /* line 4 */
/* edge.c line 5 */
/* edge.c line 6 */
/* edge.c line 7 */
/* edge.c line 8 */
/* edge.c line 9 */
/* edge.c line 10 */
/* edge.c line 11 */
    x += 12;      /* line 12 */
/* edge.c line 13 */
/* edge.c line 14 */
/* edge.c line 15 */
/* edge.c line 16 */
/* edge.c line 17 */
/* edge.c line 18 */
/* edge.c line 19 */
/* edge.c line 20 */
/* edge.c line 21 */
/* edge.c line 22 */
/* edge.c line 23 */
/* edge.c line 24 */
/* edge.c line 25 */
/* edge.c line 26 */
/* edge.c line 27 */
/* edge.c line 28 */
/* edge.c line 29 */
    return x;     /* line 30 */
}                 /* line 31 */
/* edge.c line 32 */
/* edge.c line 33 */
/* edge.c line 34 */
/* edge.c line 35 */
/* edge.c line 36 */
/* edge.c line 37 */
/* edge.c line 38 */
/* edge.c line 39 */
/* edge.c line 40 */
/* edge.c line 41 */
/* edge.c line 42 */
/* edge.c line 43 */
/* line 44 */
/* line 45: the last line */
