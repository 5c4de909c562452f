/* affinity.c - prints, at start, in a thread it creates, after that thread
 * and in a forked child (with an argument: forking first), how many CPUs it
 * may run on, twice: as sched_getaffinity says (what programs size thread
 * pools by) and as the kernel has it (/proc/self/status Cpus_allowed).
 * For tests/e2e/cpus.sh. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int cpus(void)
{
    cpu_set_t s;
    return sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
}

/* The bits set in the hex mask of this thread's Cpus_allowed line. */
static int kernel_cpus(void)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)gettid());
    FILE *f = fopen(path, "r");
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Cpus_allowed:", 13) == 0) {
            n = 0;
            for (const char *p = line + 13; *p; p++) {
                int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : 0;
                n += __builtin_popcount((unsigned)v);
            }
        }
    if (f)
        fclose(f);
    return n;
}

static void say(const char *what)
{
    printf("%s %d %d\n", what, cpus(), kernel_cpus());
    fflush(stdout);
}

static void *thread(void *arg)
{
    (void)arg;
    say("thread");
    return NULL;
}

static void child(void)
{
    pid_t p = fork();
    if (p == 0) {
        say("child");
        _exit(0);
    }
    waitpid(p, NULL, 0);
}

int main(int argc, char **argv)
{
    (void)argv;
    say("start");
    if (argc > 1) {
        child();
        say("after");
        return 0;
    }
    pthread_t t;
    pthread_create(&t, NULL, thread, NULL);
    pthread_join(t, NULL);
    say("after");
    child();
    return 0;
}
