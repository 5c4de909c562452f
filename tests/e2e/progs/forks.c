/* fork, a child that computes and exits 5, and exec of /bin/true by another. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static long compute(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += i;
    return s;
}

int main(int argc, char **argv)
{
    pid_t p = fork();
    if (p == 0)
        _exit(compute(1000) == 499500 ? 5 : 1);
    int st;
    waitpid(p, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    if (argc > 1) {
        pid_t q = fork();
        if (q == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        waitpid(q, &st, 0);
        printf("exec child status %d\n", WEXITSTATUS(st));
    }
    return 0;
}
