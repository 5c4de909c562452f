/* source.h - finding and reading the source files a profile names.
 *
 * Owns: locating a recorded source path (as recorded, then under each
 * --source-dir when it is relative), loading a whole file and splitting it
 * into lines the way Python's text-mode readline does ("\n", "\r\n" or a lone
 * "\r" end a line; a last line without an end still counts).
 * Must not: print, exit, or know about profiles or report layout.
 */
#ifndef CACHESIM_ANNOTATE_SOURCE_H
#define CACHESIM_ANNOTATE_SOURCE_H
#include <stddef.h>
#include <time.h>

struct src_file {
    char *data;           /* the whole file */
    size_t len;
    size_t n_lines;
    size_t *line_off;     /* line i (0-based) is data[line_off[i] .. +line_len[i]) */
    size_t *line_len;     /* without its line end */
    struct timespec mtime;
};

/* A malloc'd path under which name can be opened for reading: name itself,
 * else (if name is relative) DIR/name for the first of dirs that works.
 * NULL if none is a readable regular file (directories, devices and FIFOs
 * count as unreadable, so a strange name cannot make us block). */
char *src_find(const char *name, const char *const *dirs, size_t n_dirs);

/* Reads path into s.  0, or -1 if it cannot be opened or read or is not a
 * regular file; s is then empty and needs no release. */
int src_load(const char *path, struct src_file *s);
void src_release(struct src_file *s);

/* 1 if the two loaded files have identical bytes. */
int src_same(const struct src_file *a, const struct src_file *b);
#endif
