/* Control flow the translator must follow exactly: setjmp/longjmp out of a
 * deep call chain, a signal handler (SA_SIGINFO, SA_RESTART) that longjmps
 * back, a library unloaded and another loaded at the same address
 * (translations of the old code must not run), posix_spawn (vfork inside).
 * argv[1]: a directory holding liba.so and libb.so (both define value()). */
#include <dlfcn.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static jmp_buf jb;
static sigjmp_buf sjb;

static int deep(int n)
{
    if (n == 0)
        longjmp(jb, 42);
    return deep(n - 1) + 1;
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    siglongjmp(sjb, sig + (si->si_code == SI_TKILL ? 100 : 0));
}

static long call_value(const char *dir, const char *lib)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, lib);
    void *h = dlopen(path, RTLD_NOW);
    if (!h)
        return -1;
    long (*value)(long) = (long (*)(long))dlsym(h, "value");
    long s = 0;
    for (long i = 0; i < 1000; i++)
        s += value(i);
    printf("%s at %p: %ld\n", lib, (void *)value == NULL ? NULL : (void *)1, s);
    dlclose(h);
    return s;
}

int main(int argc, char **argv)
{
    int r = setjmp(jb);
    if (r == 0)
        deep(500);
    printf("longjmp %d\n", r);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    int s = sigsetjmp(sjb, 1);
    if (s == 0)
        raise(SIGUSR1);
    printf("siglongjmp %d\n", s);

    if (argc > 1) {
        long a = call_value(argv[1], "liba.so"), b = call_value(argv[1], "libb.so");
        printf("a %ld b %ld\n", a, b);
    }

    pid_t pid;
    char *args[] = {"/bin/true", NULL};
    if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) == 0) {
        int st;
        waitpid(pid, &st, 0);
        printf("spawned: %d\n", WEXITSTATUS(st));
    }
    return 0;
}
