/* Work that depends on getrandom, /dev/urandom and a heap and stack address. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

int main(void)
{
    unsigned r = 0, u = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        return 1;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, &u, sizeof u) != sizeof u)
        return 1;
    close(fd);
    char *p = malloc(100);
    int local;
    unsigned long n = (r % 500) + (u % 300) + ((unsigned long)p >> 4) % 200 +
                      ((unsigned long)&local >> 4) % 100;
    volatile unsigned long s = 0;
    for (unsigned long i = 0; i < n; i++)
        s += i;
    free(p);
    puts("done");
    return 0;
}
