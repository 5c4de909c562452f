/* json.h - the JSON report (--format=json), schema "cachesim-annotate" v1.
 *
 * Owns: the JSON rendering of the model (schema documented in
 * docs/annotate.md).  It prints the same rows, after the same threshold
 * filtering and in the same order as the text report, with every event's
 * count (not only the --show ones) and no percentages.
 * Must not: compute numbers or exit.
 */
#ifndef CACHESIM_ANNOTATE_JSON_H
#define CACHESIM_ANNOTATE_JSON_H
#include <stdio.h>

#include "annotate/model.h"

#define ANN_JSON_VERSION 1

/* Writes the report for r to f.  Returns 0, or -1 if writing failed. */
int json_report(const struct ann_report *r, FILE *f);
#endif
