/* proftimer.h - SIGPROF every millisecond of CPU time (a sampling profiler's
 * timer), for test programs whose signals must land anywhere in translated
 * code.  Included by one file of a program. */
#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile long ticks; /* SIGPROFs handled */
static void on_tick(int s) { (void)s; ticks++; }

/* Starts the timer (on) or stops it; the first call installs the handler. */
static void prof_timer(int on)
{
    static int installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_tick;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGPROF, &sa, NULL);
        installed = 1;
    }
    struct itimerval it = {{0, on ? 1000 : 0}, {0, on ? 1000 : 0}};
    setitimer(ITIMER_PROF, &it, NULL);
}
