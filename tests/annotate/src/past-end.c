/* past-end.c line 1 of 5 */
/* past-end.c line 2 of 5 */
/* past-end.c line 3 of 5 */
/* past-end.c line 4 of 5 */
/* past-end.c line 5 of 5 */
