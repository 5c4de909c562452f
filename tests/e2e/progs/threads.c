/* Four threads each sum a slice; the main thread joins and prints. */
#include <pthread.h>
#include <stdio.h>

#define N 4
static long part[N];

static void *work(void *arg)
{
    long id = (long)arg, s = 0;
    for (long i = 0; i < 2000; i++)
        s += i * (id + 1);
    part[id] = s;
    return NULL;
}

int main(void)
{
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    long total = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        total += part[i];
    }
    printf("total %ld\n", total);
    return 0;
}
