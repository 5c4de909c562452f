/* source.c - see source.h.  Whole-file reads (sources are small next to the
 * profile) and a line index; no printing. */
#include "annotate/source.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/diag.h"

/* Only regular files count as sources: a profile naming /dev/zero or a FIFO
 * must not make the annotator read forever or block. */
static int readable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return access(path, R_OK) == 0;
}

char *src_find(const char *name, const char *const *dirs, size_t n_dirs)
{
    if (readable_file(name))
        return xstrdup(name);
    if (name[0] == '/')
        return NULL;
    for (size_t i = 0; i < n_dirs; i++) {
        size_t n = strlen(dirs[i]) + strlen(name) + 2;
        char *p = xmalloc(n);
        snprintf(p, n, "%s/%s", dirs[i], name);
        if (readable_file(p))
            return p;
        free(p);
    }
    return NULL;
}

int src_load(const char *path, struct src_file *s)
{
    memset(s, 0, sizeof *s);
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, len = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
        ssize_t got = read(fd, data + len, cap - len);
        if (got < 0) {
            close(fd);
            free(data);
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    s->data = data;
    s->len = len;
    s->mtime = st.st_mtim;

    size_t n = 0, cap_l = 64;
    s->line_off = xmalloc(cap_l * sizeof *s->line_off);
    s->line_len = xmalloc(cap_l * sizeof *s->line_len);
    size_t i = 0;
    while (i < len) {
        size_t b = i;
        while (i < len && data[i] != '\n' && data[i] != '\r')
            i++;
        if (n == cap_l) {
            cap_l *= 2;
            s->line_off = xrealloc(s->line_off, cap_l * sizeof *s->line_off);
            s->line_len = xrealloc(s->line_len, cap_l * sizeof *s->line_len);
        }
        s->line_off[n] = b;
        s->line_len[n] = i - b;
        n++;
        if (i < len && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
            i += 2;
        else if (i < len)
            i++;
    }
    s->n_lines = n;
    return 0;
}

void src_release(struct src_file *s)
{
    free(s->data);
    free(s->line_off);
    free(s->line_len);
    memset(s, 0, sizeof *s);
}

int src_same(const struct src_file *a, const struct src_file *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}
