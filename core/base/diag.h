/* diag.h - diagnostics and exit codes shared by cachesim, cachesim-annotate and
 * cachesim-diff.
 *
 * Library code never prints or exits: it fills a `struct diag_err` and returns
 * a failure value.  Only a program's main (and the cachesim driver) calls
 * diag_error()/diag_die(), which print one line "PROG: error: MESSAGE" on stderr.
 * Message style (git's): lowercase, no full stop, names in quotes.
 */
#ifndef CACHESIM_DIAG_H
#define CACHESIM_DIAG_H
#include <stdarg.h>

/* Exit codes of our own programs (cachesim passes the program's status through). */
enum {
    EXIT_OK = 0,       /* success */
    EXIT_FAIL = 1,     /* bad input, I/O error, internal failure */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_LIMIT = 3,    /* cachesim-diff: a --limit was exceeded */
};

#define DIAG_MSG_MAX 1024

/* A message from library code to its caller.  msg[0] == 0 means "no error". */
struct diag_err {
    char msg[DIAG_MSG_MAX];
};

/* Fills e (if not NULL) with a printf-formatted message; always returns -1 so
 * library code can write `return diag_set(e, "...")`. */
int diag_set(struct diag_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int diag_vset(struct diag_err *e, const char *fmt, va_list ap);

/* Program name used as the message prefix ("cachesim"); default "cachesim". */
void diag_set_prog(const char *name);
const char *diag_prog(void);

/* "PROG: error: MSG\n" / "PROG: warning: MSG\n" on stderr. */
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* diag_error, then exit(code). */
void diag_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* malloc/calloc/realloc/strdup that die with "out of memory" (exit 1) on failure.
 * Running out of memory is not a condition any caller here can recover from. */
void *xmalloc(unsigned long n);
void *xcalloc(unsigned long n, unsigned long size);
/* Backs the whole pages inside [p, p + n) with memory now, where the kernel
 * can (MADV_POPULATE_WRITE; otherwise nothing happens): for zeroed tables
 * that are read before they are written, such as hash tables.  A page first
 * read maps the shared zero page; the first write then faults again, copies
 * it, and flushes the old mapping from every CPU that runs one of our threads,
 * with an inter-processor interrupt that the sender waits for (a VM exit on
 * a VM).  zlib with a 16 KiB input: 10.7 K -> 9.75 K page faults, 190 ->
 * 180 ms (docs/performance.md). */
void mem_back_now(void *p, unsigned long n);
/* From now on mem_back_now hands its pages to fn instead (a helper thread
 * that populates them while the caller goes on: core/prefault.h); fn must
 * change no byte.  Backing them here took 10 ms of the engine thread's
 * start of zlib's driver. */
void mem_back_by(void (*fn)(void *p, unsigned long n));
/* 1 where memory that lives until the process ends must still be freed
 * before it does: under AddressSanitizer, whose leak check is only worth
 * something if everything is.  Elsewhere the exit takes it back at once. */
#ifdef __SANITIZE_ADDRESS__
#define MEM_FREE_AT_EXIT 1
#else
#define MEM_FREE_AT_EXIT 0
#endif
/* xcalloc, then mem_back_now. */
void *xcalloc_now(unsigned long n, unsigned long size);
void *xrealloc(void *p, unsigned long n);
char *xstrdup(const char *s);
#endif
