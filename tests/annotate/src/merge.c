/* merge.c - source for the merge and diff golden tests (20 lines). */
/* merge.c line 2 */
/* merge.c line 3 */
/* merge.c line 4 */
void setup(void) {       /* line 5 */
/* merge.c line 6 */
/* merge.c line 7 */
/* merge.c line 8 */
/* merge.c line 9 */
    work();              /* line 10 */
/* merge.c line 11 */
/* merge.c line 12 */
/* merge.c line 13 */
/* merge.c line 14 */
void only_in_b(void) {   /* line 15 */
/* merge.c line 16 */
/* merge.c line 17 */
/* merge.c line 18 */
/* merge.c line 19 */
/* merge.c line 20 */
