/* diag.c - see diag.h.  The only place that formats error lines. */
#include "core/base/diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older headers lack it */
#endif

static const char *prog = "cachesim";

void diag_set_prog(const char *name) { prog = name; }
const char *diag_prog(void) { return prog; }

int diag_vset(struct diag_err *e, const char *fmt, va_list ap)
{
    if (e)
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return -1;
}

int diag_set(struct diag_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(e, fmt, ap);
    va_end(ap);
    return -1;
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
    char buf[DIAG_MSG_MAX + 64];
    vsnprintf(buf, sizeof buf, fmt, ap);
    /* One write so lines from several processes do not interleave. */
    fprintf(stderr, "%s: %s: %s\n", prog, kind, buf);
}

void diag_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("error", fmt, ap);
    va_end(ap);
}

void diag_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("warning", fmt, ap);
    va_end(ap);
}

void diag_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("error", fmt, ap);
    va_end(ap);
    exit(code);
}

static void *check(void *p)
{
    if (!p)
        diag_die(EXIT_FAIL, "out of memory");
    return p;
}

void *xmalloc(unsigned long n) { return check(malloc(n ? n : 1)); }
void *xcalloc(unsigned long n, unsigned long size) { return check(calloc(n ? n : 1, size ? size : 1)); }
static void (*back_by)(void *p, unsigned long n);
void mem_back_by(void (*fn)(void *p, unsigned long n)) { back_by = fn; }
void mem_back_now(void *p, unsigned long n)
{
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (e <= a)
        return;
    if (back_by)
        back_by((void *)a, e - a);
    else
        madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}
void *xcalloc_now(unsigned long n, unsigned long size)
{
    void *p = xcalloc(n, size);
    mem_back_now(p, n * size);
    return p;
}
void *xrealloc(void *p, unsigned long n) { return check(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check(strdup(s)); }
