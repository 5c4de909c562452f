/* profile.h - the cost table and Cachegrind's profile file format.
 *
 * Owns: the in-memory table (file, function, line) -> N signed 64-bit counts,
 * the header lines (desc:, cmd:, events:), reading files written by cachesim or
 * by Valgrind's Cachegrind 3.19..3.2x (with the reader tolerances of the
 * reference, cachegrind.md section 1), writing the exact byte format Cachegrind
 * writes, totals, merging and subtraction.  Shared by cachesim (writer),
 * cachesim-annotate and cachesim-diff (readers); the only parser of the format.
 * Must not: print, exit, know about engines, caches or report layouts.
 *
 * Strings passed in are copied (interned: equal names share one copy).
 * Counts are int64_t so that difference profiles (negative) use the same code.
 */
#ifndef CACHESIM_PROFILE_H
#define CACHESIM_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/diag.h"

#define PROFILE_MAX_EVENTS 64

struct profile;

/* Empty profile: no events, no header lines.  Never NULL (dies on OOM). */
struct profile *profile_new(void);
void profile_free(struct profile *p);

/* Sets the events from the text after "events:" (e.g. "Ir I1mr ... DLmw ").
 * The text is kept verbatim for writing (Cachegrind's cache-sim events line
 * ends in a space, and we write it byte-identically); names are split on
 * white space.  Fails (-1, message in e) on no names, more than
 * PROFILE_MAX_EVENTS, a repeated name, or if cells already exist. */
int profile_set_events(struct profile *p, const char *text, struct diag_err *e);
size_t profile_n_events(const struct profile *p);
const char *profile_event(const struct profile *p, size_t i);
const char *profile_events_text(const struct profile *p);
/* Index of the event called name, or -1. */
int profile_event_index(const struct profile *p, const char *name);

/* Header lines, each the text after "desc: " / "cmd: ". */
void profile_add_desc(struct profile *p, const char *text);
void profile_clear_desc(struct profile *p);
size_t profile_n_desc(const struct profile *p);
const char *profile_desc(const struct profile *p, size_t i);
void profile_set_cmd(struct profile *p, const char *text);
/* on: profile_write_* leave out lines whose counts are all zero (cachesim's
 * own profiles: an engine may describe an instruction before it runs, and a
 * line that never ran says nothing). */
void profile_set_skip_zero(struct profile *p, int on);
const char *profile_cmd(const struct profile *p); /* NULL if none */

/* The cost cell of (file, fn, line): profile_n_events() counters, created
 * zeroed on first use.  The pointer stays valid until profile_free (cells never
 * move), so a caller may resolve once and bump counters directly ("resolve
 * once, count many").  The events must have been set (NULL otherwise). */
int64_t *profile_cell(struct profile *p, const char *file, const char *fn, unsigned long line);

/* One cost line, for iteration. */
struct profile_entry {
    const char *file;
    const char *fn;
    unsigned long line;
    const int64_t *counts;
};

/* All cells without sorting (cheap), same entry format and lifetime as
 * profile_sorted: grouped by (file, fn) pair, pairs in order of first
 * appearance, each pair's lines in order of first appearance. */
size_t profile_unsorted(struct profile *p, const struct profile_entry **out);

/* Every (file, fn) pair seen, in profile_unsorted's order: its cells are
 * entries [first, first + n) of that array.  Includes pairs without cells
 * (n == 0): the reader records the pair of each fn= line, and the
 * (file, "<unspecified>") pair of each fl= line, even when no cost line
 * follows - cg_annotate 3.21+ lists such pairs, with zero counts, at
 * --threshold=0.  Owned by p, valid until p is next modified. */
struct profile_pair {
    const char *file;
    const char *fn;
    size_t first, n;
};
size_t profile_pairs(struct profile *p, const struct profile_pair **out);

/* All cells sorted as Cachegrind writes them: file name bytewise (strcmp), then
 * function name bytewise, then line ascending.  Returns the count; *out points
 * to an array owned by p, valid until p is next modified. */
size_t profile_sorted(struct profile *p, const struct profile_entry **out);
size_t profile_n_cells(const struct profile *p);

/* Column sums of all cells into totals[profile_n_events()]. */
void profile_totals(const struct profile *p, int64_t *totals);

/* Adds sign * src into dst, cell by cell (sign is +1 or -1).  If dst has no
 * events yet it takes src's (and src's desc/cmd lines).  Fails if the events
 * differ ("events in data files don't match", as cg_annotate says). */
int profile_add(struct profile *dst, const struct profile *src, int sign, struct diag_err *e);

/* A name rewrite applied while reading (cg_annotate's --mod-filename and
 * --mod-funcname): the text of a Perl-style s/old/new/[gi] expression, POSIX
 * extended regex, \1..\9 captures in the replacement. */
struct profile_subst;
struct profile_subst *profile_subst_new(const char *expr, struct diag_err *e); /* NULL on bad expr */
void profile_subst_free(struct profile_subst *s);
/* Returns a malloc'd rewritten copy of name. */
char *profile_subst_apply(const struct profile_subst *s, const char *name);

/* What each successfully read file contributed to the header, in reading
 * order (cg_annotate prints them per file when merging).  desc is the text of
 * the file's desc: lines, each followed by "\n" ("" if none); cmd the text of
 * its cmd: line.  profile_add appends src's list to dst's. */
struct profile_source {
    const char *name;
    const char *desc;
    const char *cmd;
};
size_t profile_n_sources(const struct profile *p);
const struct profile_source *profile_source(const struct profile *p, size_t i); /* NULL if i >= n */

/* The original names (as written in the files, before --mod-filename) of the
 * fl= lines that were read into `file` (a name as stored in the profile).
 * Returns their number (0 if none were recorded, e.g. for cells made with
 * profile_cell) and points *out at an array owned by p, in first-seen order,
 * valid until p is next modified. */
size_t profile_file_origins(const struct profile *p, const char *file, const char *const **out);

struct profile_read_opts {
    const struct profile_subst *mod_filename; /* may be NULL */
    const struct profile_subst *mod_funcname; /* may be NULL */
    int sign;                                 /* +1 (0 means +1) or -1: add or subtract */
};

/* Reads a Cachegrind-format file and adds its costs into p (merging: repeated
 * keys are summed, several files may be read into one profile).  The first
 * file read sets the events (unless set before), desc lines (unless some were
 * added before) and cmd (unless set before); later files must have the same
 * event names (white space may differ).  Every file read successfully is
 * also recorded as a profile_source.  Accepts what Valgrind's readers accept (blank and '#' lines,
 * optional desc:, short count lists padded with 0, negative counts).  On
 * damage fails with "FILE:LINE: what is wrong" in e; on open failure with
 * "unable to open 'FILE': strerror".  The file's summary: line is checked
 * against the computed totals (a mismatch is an error, like cg_annotate 3.21+).
 * name is used in messages; path "-" reads stdin.
 *
 * Details of the accepted format (a superset of what Valgrind 3.19..3.2x
 * write and read): header lines desc:* cmd: events: in that order, each key
 * followed by optional white space; blank lines (white space only) and lines
 * starting with '#' anywhere; "\r\n" line ends; a cost line starts with a
 * digit; counts are [+-]digits separated by white space, fewer than the
 * events are padded with 0; costs between fl= and the first fn= belong to
 * function "<unspecified>" (as in cg_annotate 3.21+).  Refused with a
 * "FILE:LINE:" message: no cmd:/events:/summary: line, a last line without
 * "\n" (truncated file), '.' or other non-numeric counts, more counts than
 * events, 64-bit overflow, fn= or cost lines before the first fl=, anything
 * after summary:, NUL bytes, unknown lines.  On failure p keeps what was read
 * before the bad line (callers normally discard it). */
int profile_read_file(struct profile *p, const char *path, const struct profile_read_opts *o,
                      struct diag_err *e);
int profile_read_stream(struct profile *p, FILE *f, const char *name,
                        const struct profile_read_opts *o, struct diag_err *e);

/* Writes p in Cachegrind's format: desc: lines, cmd:, events: (verbatim
 * text), then fl=/fn=/cost lines sorted (fl= when the file changes, fn= when the
 * function changes and after every fl=), all counts always written, then
 * "summary:" with the column sums.  Returns 0 or -1 (message in e). */
int profile_write_stream(struct profile *p, FILE *f, struct diag_err *e);
/* The same into path, atomically: a temporary file in the same directory
 * (mode 0600, like Cachegrind's output), then rename().  A reader never sees a
 * half-written profile. */
int profile_write_file(struct profile *p, const char *path, struct diag_err *e);

#endif
