/* stackalign.c - see stackalign.h.  The arithmetic follows Valgrind 3.19's
 * setup_client_stack (coregrind/m_initimg/initimg-linux.c), described in our
 * own words: size = argc word + argv[0] + argv + NULL + envp + NULL + auxv +
 * strings rounded up to 8; strings = exe name, args, env, the platform string,
 * 16 random bytes and the exe name again (AT_EXECFN); the stack pointer is
 * (page end - 1 - size) rounded down to 16. */
#include "core/stackalign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/proc.h"

static size_t remote_strlen(int memfd, uint64_t addr)
{
    char buf[256];
    size_t n = 0;
    for (;;) {
        size_t got = proc_read(memfd, addr + n, buf, sizeof buf);
        if (got == 0)
            return n;
        char *z = memchr(buf, 0, got);
        if (z)
            return n + (size_t)(z - buf);
        n += got;
    }
}

/* Reads the environment variable name= from the remote envp into buf (value
 * only); returns 1 if present. */
static int remote_env_has(int memfd, const uint64_t *envp, size_t envc, const char *name)
{
    size_t k = strlen(name);
    char buf[128];
    for (size_t i = 0; i < envc; i++) {
        if (proc_read(memfd, envp[i], buf, k) != k)
            continue;
        if (memcmp(buf, name, k) == 0)
            return 1;
    }
    return 0;
}

/* Where a shell would find valgrind (the value of "_" under it). */
static const char *valgrind_path(void)
{
    static char found[4096];
    if (found[0])
        return found;
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(found, sizeof found, "%.*s/valgrind", (int)n, p);
        if (n && access(found, X_OK) == 0)
            return found;
        p = colon ? colon + 1 : p + n;
    }
    snprintf(found, sizeof found, "/usr/bin/valgrind");
    return found;
}

int64_t stackalign_valgrind_offset(int memfd, uint64_t rsp, const char *cwd)
{
    uint64_t argc, w, p;
    if (proc_read(memfd, rsp, &argc, 8) != 8 || argc == 0 || argc > 1u << 20)
        return -1;
    uint64_t strings = 0, envc = 0, nauxv = 0;
    uint64_t *argv = xmalloc(argc * 8);
    if (proc_read(memfd, rsp + 8, argv, argc * 8) != argc * 8) {
        free(argv);
        return -1;
    }
    for (uint64_t i = 0; i < argc; i++)
        strings += remote_strlen(memfd, argv[i]) + 1;
    uint64_t exe = remote_strlen(memfd, argv[0]) + 1;
    strings += exe; /* AT_EXECFN repeats the exe name */
    free(argv);

    p = rsp + 8 * (argc + 2);
    uint64_t env_start = p;
    do {
        if (proc_read(memfd, p, &w, 8) != 8)
            return -1;
        if (w) {
            strings += remote_strlen(memfd, w) + 1;
            envc++;
        }
        p += 8;
    } while (w);
    uint64_t *envp = xmalloc((envc + 1) * 8);
    if (proc_read(memfd, env_start, envp, envc * 8) != envc * 8) {
        free(envp);
        return -1;
    }
    /* The shell sets "_" to the command it runs: valgrind's path there, ours here. */
    for (size_t i = 0; i < envc; i++) {
        char head[2];
        if (proc_read(memfd, envp[i], head, 2) == 2 && head[0] == '_' && head[1] == '=') {
            strings -= remote_strlen(memfd, envp[i]) - 2;
            strings += strlen(valgrind_path());
            break;
        }
    }
    /* What Debian's wrapper and Valgrind's core add to the environment
     * (n: the program's own variables; envc grows with the additions). */
    const size_t n = envc;
    if (remote_env_has(memfd, envp, n, "LD_LIBRARY_PATH="))
        strings += strlen(":/usr/lib/debug");
    else
        strings += strlen("LD_LIBRARY_PATH=/usr/lib/debug") + 1, envc++;
    if (!remote_env_has(memfd, envp, n, "GLIBCPP_FORCE_NEW="))
        strings += strlen("GLIBCPP_FORCE_NEW=1") + 1, envc++;
    if (!remote_env_has(memfd, envp, n, "GLIBCXX_FORCE_NEW="))
        strings += strlen("GLIBCXX_FORCE_NEW=1") + 1, envc++;
    if (!remote_env_has(memfd, envp, n, "PWD="))
        strings += strlen("PWD=") + strlen(cwd) + 1, envc++;
    if (remote_env_has(memfd, envp, n, "LD_PRELOAD="))
        strings += strlen("/usr/libexec/valgrind/vgpreload_core-amd64-linux.so:");
    else
        strings += strlen("LD_PRELOAD=/usr/libexec/valgrind/vgpreload_core-amd64-linux.so") + 1,
            envc++;
    free(envp);

    for (;; p += 16) {
        uint64_t av[2];
        if (proc_read(memfd, p, av, 16) != 16)
            return -1;
        nauxv++;
        if (av[0] == 0)
            break;
        if (av[0] == 15 /* AT_PLATFORM */ || av[0] == 24 /* AT_BASE_PLATFORM */)
            strings += remote_strlen(memfd, av[1]) + 1;
        else if (av[0] == 25 /* AT_RANDOM */)
            strings += 16;
    }
    uint64_t size = 8 + 8 + 8 * (argc - 1) + 8 + 8 * envc + 8 + 16 * nauxv + ((strings + 7) & ~7ull);
    uint64_t sp = (0xfffull - size) & ~15ull; /* page end - 1 - size, 16-aligned */
    return (int64_t)(sp & (STACKALIGN_SPAN - 1));
}

uint64_t stackalign_move(int memfd, uint64_t rsp, uint64_t offset)
{
    uint64_t argc, w, p;
    if (proc_read(memfd, rsp, &argc, 8) != 8)
        return rsp;
    p = rsp + 8 * (argc + 2);
    do {
        if (proc_read(memfd, p, &w, 8) != 8)
            return rsp;
        p += 8;
    } while (w);
    for (;; p += 16) {
        uint64_t av[2];
        if (proc_read(memfd, p, av, 16) != 16)
            return rsp;
        if (av[0] == 0) {
            p += 16;
            break;
        }
    }
    size_t len = (size_t)(p - rsp);
    uint64_t delta = (rsp - offset) & (STACKALIGN_SPAN - 1);
    if (delta == 0)
        return rsp;
    uint8_t *block = xmalloc(len);
    uint64_t nsp = rsp - delta;
    int ok = proc_read(memfd, rsp, block, len) == len &&
             pwrite(memfd, block, len, (off_t)nsp) == (ssize_t)len;
    free(block);
    return ok ? nsp : rsp;
}
