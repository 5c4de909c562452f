/* A SIGUSR1 handler that loops (its instructions must be counted), an
 * alternate signal stack, SA_SIGINFO, and SIGALRM interrupting a blocking read. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile long handled;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)si; (void)uc;
    for (int i = 0; i < 500; i++)
        handled += sig;
}

static void on_alrm(int sig) { (void)sig; }

int main(void)
{
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < 3; i++)
        raise(SIGUSR1);
    struct sigaction sb;
    memset(&sb, 0, sizeof sb);
    sb.sa_handler = on_alrm; /* no SA_RESTART: the read fails with EINTR */
    sigaction(SIGALRM, &sb, NULL);
    alarm(1);
    int fds[2];
    pipe(fds);
    char c;
    ssize_t r = read(fds[0], &c, 1); /* interrupted by SIGALRM (no SA_RESTART) */
    printf("handled %ld, read %zd\n", handled, r);
    return 0;
}
