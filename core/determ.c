/* determ.c - see determ.h. */
#include "core/determ.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/proc.h"

#define EPOCH_NS 1577836800000000000ull /* 2020-01-01T00:00:00Z */
#define MAX_FDS 64

struct determ {
    uint64_t rng;             /* splitmix64 state, fixed seed */
    int rand_fd[MAX_FDS];     /* fds open on /dev/urandom or /dev/random */
    int n_rand_fd;
};

struct determ *determ_new(void)
{
    struct determ *d = xcalloc(1, sizeof *d);
    d->rng = 0x6361636865736d31ull; /* "cachesm1" */
    return d;
}

void determ_free(struct determ *d) { free(d); }

static uint64_t next_rand(struct determ *d)
{
    uint64_t z = (d->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fill_random(struct determ *d, int memfd, uint64_t addr, uint64_t n)
{
    uint8_t buf[4096];
    while (n) {
        size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        for (size_t i = 0; i < k; i += 8) {
            uint64_t r = next_rand(d);
            memcpy(buf + i, &r, k - i < 8 ? k - i : 8);
        }
        if (pwrite(memfd, buf, k, (off_t)addr) != (ssize_t)k)
            return;
        addr += k;
        n -= k;
    }
}

int determ_exec(struct determ *d, int memfd, uint64_t rsp)
{
    uint64_t argc, w, p = rsp;
    if (proc_read(memfd, p, &argc, 8) != 8)
        return -1;
    p += 8 * (argc + 2); /* argv[], NULL */
    do {                 /* envp[], NULL */
        if (proc_read(memfd, p, &w, 8) != 8)
            return -1;
        p += 8;
    } while (w);
    for (;; p += 16) {   /* auxv: (type, value) pairs up to AT_NULL */
        uint64_t av[2];
        if (proc_read(memfd, p, av, 16) != 16)
            return -1;
        if (av[0] == 0)
            break;
        if (av[0] == 33 /* AT_SYSINFO_EHDR */) {
            uint64_t ignore = 1; /* AT_IGNORE: no vDSO, clocks become syscalls */
            if (pwrite(memfd, &ignore, 8, (off_t)p) != 8)
                return -1;
        } else if (av[0] == 25 /* AT_RANDOM */) {
            fill_random(d, memfd, av[1], 16);
        }
    }
    return 0;
}

static int is_rand_fd(const struct determ *d, int fd)
{
    for (int i = 0; i < d->n_rand_fd; i++)
        if (d->rand_fd[i] == fd)
            return i;
    return -1;
}

static void write_pair(int memfd, uint64_t addr, uint64_t a, uint64_t b)
{
    uint64_t v[2] = {a, b};
    if (addr && pwrite(memfd, v, 16, (off_t)addr) != 16)
        return;
}

uint64_t determ_tsc(uint64_t executed) { return executed; }

int determ_syscall(struct determ *d, int memfd, uint64_t nr, const uint64_t args[6], int64_t *ret,
                   uint64_t executed)
{
    uint64_t wall = EPOCH_NS + executed, mono = executed;
    int i;
    switch (nr) {
    case SYS_open:
    case SYS_openat: {
        char path[32] = {0};
        uint64_t pa = nr == SYS_open ? args[0] : args[1];
        if (*ret < 0 || proc_read(memfd, pa, path, sizeof path - 1) == 0)
            return 0;
        if ((strcmp(path, "/dev/urandom") == 0 || strcmp(path, "/dev/random") == 0) &&
            d->n_rand_fd < MAX_FDS && is_rand_fd(d, (int)*ret) < 0)
            d->rand_fd[d->n_rand_fd++] = (int)*ret;
        return 0;
    }
    case SYS_close:
        if ((i = is_rand_fd(d, (int)args[0])) >= 0)
            d->rand_fd[i] = d->rand_fd[--d->n_rand_fd];
        return 0;
    case SYS_read:
    case SYS_pread64:
        if (*ret > 0 && is_rand_fd(d, (int)args[0]) >= 0)
            fill_random(d, memfd, args[1], (uint64_t)*ret);
        return 0;
    case SYS_getrandom:
        if (*ret > 0)
            fill_random(d, memfd, args[0], (uint64_t)*ret);
        return 0;
    case SYS_time:
        *ret = (int64_t)(wall / 1000000000ull);
        if (args[0]) {
            uint64_t t = (uint64_t)*ret;
            if (pwrite(memfd, &t, 8, (off_t)args[0]) != 8)
                return 1;
        }
        return 1;
    case SYS_gettimeofday:
        if (*ret == 0)
            write_pair(memfd, args[0], wall / 1000000000ull, wall % 1000000000ull / 1000);
        return 0;
    case SYS_clock_gettime:
        if (*ret == 0) {
            /* CLOCK_REALTIME (0) and its variants (5 coarse, 11 TAI) are wall clocks. */
            uint64_t t = args[0] == 0 || args[0] == 5 || args[0] == 11 ? wall : mono;
            write_pair(memfd, args[1], t / 1000000000ull, t % 1000000000ull);
        }
        return 0;
    default:
        return 0;
    }
}

char **determ_env(char **env)
{
    static const char *const keep[] = {"PATH=", "HOME=", "TMPDIR=", "LD_LIBRARY_PATH="};
    size_t n = 0;
    char **out = xcalloc(8, sizeof *out);
    for (char **e = env; e && *e; e++)
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
            if (strncmp(*e, keep[k], strlen(keep[k])) == 0 && n < 4)
                out[n++] = *e;
    out[n++] = (char *)"LANG=C";
    out[n++] = (char *)"LC_ALL=C";
    out[n++] = (char *)"TZ=UTC";
    out[n] = NULL;
    return out;
}
