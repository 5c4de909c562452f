/* maxrss.c - runs a command (output discarded) and prints the largest resident
 * set, in KiB, of any process of its tree, from wait4's rusage.  A small C
 * program because the kernel charges a child with its parent's memory high-water
 * mark at exec: measured from Python, every child would start at ~14 MiB. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: maxrss command [args...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        return 1;
    printf("%ld\n", ru.ru_maxrss);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
