/* newer.c line 1 */
/* newer.c line 2 */
/* newer.c line 3 */
