/* affinity.c - prints how many CPUs it may run on: at start, in a thread it
 * creates, after that thread, in a forked child; with an argument, it forks
 * first.  For tests/e2e/cpus.sh. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int cpus(void)
{
    cpu_set_t s;
    return sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
}

static void *thread(void *arg)
{
    *(int *)arg = cpus();
    return NULL;
}

static void child(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        printf("child %d\n", cpus());
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, NULL, 0);
}

int main(int argc, char **argv)
{
    (void)argv;
    printf("start %d\n", cpus());
    if (argc > 1) {
        child();
        printf("after %d\n", cpus());
        return 0;
    }
    int in_thread = 0;
    pthread_t t;
    pthread_create(&t, NULL, thread, &in_thread);
    pthread_join(t, NULL);
    printf("thread %d\nafter %d\n", in_thread, cpus());
    child();
    return 0;
}
