/* text.h - the text report, in cg_annotate 3.21+'s layout.
 *
 * Owns: the layout of every section (Metadata, Summary, File:function,
 * Function:file, Annotated source file, Annotation summary): column widths,
 * padding, percentages, context windows, markers and warning boxes.
 * Must not: compute any number (the model did) or exit.
 */
#ifndef CACHESIM_ANNOTATE_TEXT_H
#define CACHESIM_ANNOTATE_TEXT_H
#include <stdio.h>

#include "annotate/model.h"

/* Writes the report for r to f.  Returns 0, or -1 if writing failed
 * (any write error on f). */
int text_report(const struct ann_report *r, FILE *f);
#endif
