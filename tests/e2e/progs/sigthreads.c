/* sigthreads.c - threads blocked in system calls (pthread_join's futex, a
 * pipe's read) while an interval timer's SIGALRM, a process signal caught
 * with SA_RESTART, keeps interrupting them.  A signal taken by one thread
 * can interrupt another's system call with nothing to deliver to it: the
 * kernel then restarts the call by moving the thread's rip back over its
 * syscall instruction.  What it prints, and spin's counts, do not depend on
 * the signals. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

enum { THREADS = 3, ROUNDS = 2000, STEPS = 200 };

static volatile long alarms;
static int pipefd[2];

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

__attribute__((noinline)) unsigned spin(unsigned h, int n)
{
    for (int i = 0; i < n; i++)
        h = h * 33 + (unsigned)i;
    return h;
}

static void *worker(void *arg)
{
    long id = (long)arg;
    unsigned h = (unsigned)id;
    char c = 'x';
    for (int i = 0; i < ROUNDS; i++) {
        h = spin(h, STEPS);
        /* Thread 0 reads what thread 1 writes: it often waits. */
        if (id == 0 && read(pipefd[0], &c, 1) != 1)
            return NULL;
        if (id == 1 && write(pipefd[1], &c, 1) != 1)
            return NULL;
    }
    return (void *)(unsigned long)h;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    if (pipe(pipefd) != 0)
        return 1;
    struct itimerval it = {{0, 300}, {0, 300}};
    setitimer(ITIMER_REAL, &it, NULL);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    unsigned sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum ^= (unsigned)(unsigned long)r;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("sum %u\n", sum);
    return sum == 0;
}
