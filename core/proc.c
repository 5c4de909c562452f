/* proc.c - see proc.h. */
#include "core/proc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/diag.h"

/* Why path cannot be run, or NULL if it can. */
static const char *unrunnable(const char *path, int *code)
{
    struct stat st;
    unsigned char h[EI_NIDENT + 16];
    *code = PROC_EXIT_NOEXEC;
    if (stat(path, &st) != 0) {
        *code = PROC_EXIT_NOTFOUND;
        return strerror(errno);
    }
    if (S_ISDIR(st.st_mode))
        return "is a directory";
    if (!S_ISREG(st.st_mode))
        return "not a regular file";
    if (access(path, X_OK) != 0)
        return "not executable (Permission denied)";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n >= 2 && h[0] == '#' && h[1] == '!')
        return NULL; /* the kernel runs its interpreter, which we trace */
    if (n < (ssize_t)sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0)
        return "not an ELF executable";
    if (h[EI_CLASS] != ELFCLASS64)
        return "a 32-bit ELF: cachesim runs x86-64 programs only";
    uint16_t machine;
    memcpy(&machine, h + 18, 2);
    if (machine != EM_X86_64)
        return "not an x86-64 ELF";
    return NULL;
}

int proc_resolve(const char *name, char **path, struct diag_err *e)
{
    int code;
    const char *why;
    *path = NULL;
    if (!*name)
        return diag_set(e, "program '' not found"), PROC_EXIT_NOTFOUND;
    if (strchr(name, '/')) {
        if ((why = unrunnable(name, &code)))
            return diag_set(e, "cannot run '%s': %s", name, why), code;
        *path = xstrdup(name);
        return 0;
    }
    /* Like execvp: the first PATH entry holding an executable wins; remember
     * why a non-executable match failed in case nothing better turns up. */
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/local/bin:/usr/bin:/bin";
    char *first_bad = NULL;
    const char *first_why = NULL;
    int first_code = 0;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = xmalloc(n + strlen(name) + 3);
        snprintf(cand, n + strlen(name) + 3, "%.*s/%s", (int)n, n ? p : ".", name);
        why = unrunnable(cand, &code);
        if (!why) {
            free(first_bad);
            *path = cand;
            return 0;
        }
        if (code != PROC_EXIT_NOTFOUND && !first_bad) {
            first_bad = cand;
            first_why = why;
            first_code = code;
        } else {
            free(cand);
        }
        p = colon ? colon + 1 : p + n;
    }
    if (first_bad) {
        diag_set(e, "cannot run '%s': %s", first_bad, first_why);
        free(first_bad);
        return first_code;
    }
    return diag_set(e, "program '%s' not found in PATH", name), PROC_EXIT_NOTFOUND;
}

int proc_spawn(const struct proc_spawn *s, pid_t *pid, struct diag_err *e)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return diag_set(e, "pipe: %s", strerror(errno));
    pid_t child = fork();
    if (child < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return diag_set(e, "fork: %s", strerror(errno));
    }
    if (child == 0) {
        close(pfd[0]);
        if (!s->aslr)
            personality(ADDR_NO_RANDOMIZE);
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
            goto fail;
        if (s->envp)
            execve(s->path, s->argv, s->envp);
        else
            execv(s->path, s->argv);
    fail:;
        int err = errno;
        if (write(pfd[1], &err, sizeof err) < 0)
            _exit(127);
        _exit(127);
    }
    close(pfd[1]);
    int err = 0, st;
    ssize_t n = read(pfd[0], &err, sizeof err);
    close(pfd[0]);
    if (n == (ssize_t)sizeof err) {
        waitpid(child, &st, 0);
        return diag_set(e, "cannot run '%s': %s", s->path, strerror(err));
    }
    /* The exec succeeded: the child stops with SIGTRAP before its first instruction. */
    if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
        kill(child, SIGKILL);
        return diag_set(e, "'%s' did not stop at its exec", s->path);
    }
    *pid = child;
    return 0;
}

int proc_open_mem(pid_t pid)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/mem", (int)pid);
    return open(name, O_RDWR | O_CLOEXEC);
}

size_t proc_read(int memfd, uint64_t addr, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(memfd, (char *)buf + done, n - done, (off_t)(addr + done));
        if (r <= 0) {
            /* A read across into an unmapped page fails whole: retry up to the page end. */
            uint64_t page_end = ((addr + done) | 4095) + 1;
            size_t part = (size_t)(page_end - (addr + done));
            if (r < 0 && part < n - done) {
                r = pread(memfd, (char *)buf + done, part, (off_t)(addr + done));
                if (r > 0) {
                    done += (size_t)r;
                    continue;
                }
            }
            break;
        }
        done += (size_t)r;
    }
    return done;
}

int proc_exit_status(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return EXIT_FAIL;
}

char *proc_cmdline(pid_t pid)
{
    char name[64], buf[65536];
    snprintf(name, sizeof name, "/proc/%d/cmdline", (int)pid);
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return xstrdup("???");
    if (buf[n - 1] == 0)
        n--;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = ' ';
    buf[n] = 0;
    return xstrdup(buf);
}
