# Where the program runs (core/cpus.c, docs/usage.md "CPUs"): with two or
# more CPUs allowed, the program starts on one CPU (the engine's), and is
# released to all of them when it creates a thread (or, not following its
# children, a process); its threads and children get all of them, until a
# child execs (pinned again).  A child it forks under --trace-children keeps
# the CPU.  While it is pinned, sched_getaffinity still
# tells it every CPU (programs size thread pools by it).  CACHESIM_NO_PIN
# leaves it alone.  Each line: what, CPUs as sched_getaffinity says, CPUs as
# the kernel has them.  Counts do not depend on any of it.
. "$TOP/tests/e2e/lib.sh"
gcc -O1 -pthread -o affinity "$TOP/tests/e2e/progs/affinity.c"
all=$(./affinity | sed -n 's/^start \([0-9]*\) .*/\1/p')
if [ "$all" -lt 2 ]; then echo "one CPU: nothing is pinned"; exit 77; fi
for engine in dbt step; do
  "$CACHESIM" -q --engine=$engine --out-file=cs.pin ./affinity > out.pin
  check_eq "$(cat out.pin)" "$(printf 'start %s 1\nthread %s %s\nafter %s %s\nchild %s %s' $all $all $all $all $all $all $all)" \
    "$engine: pinned to one CPU (sched_getaffinity says $all) until it makes a thread, then all $all"
done
"$CACHESIM" -q --out-file=cs.fork ./affinity fork > out.fork
check_eq "$(cat out.fork)" "$(printf 'start %s 1\nchild %s %s\nafter %s %s' $all $all $all $all $all)" \
  "pinned until it forks, then all $all (the child too, run natively)"
"$CACHESIM" -q --trace-children=yes --out-file=cs.tfork.%p ./affinity fork > out.tfork
check_eq "$(cat out.tfork)" "$(printf 'start %s 1\nchild %s 1\nafter %s 1' $all $all $all)" \
  "--trace-children: a forked child keeps the CPU, and so does its parent (sched_getaffinity says $all)"
# A process that execs is one thread again: pinned again, like the first
# program (a shell forks, the child execs, the shell waits).
"$CACHESIM" -q --trace-children=yes --out-file=cs.exec.%p sh -c './affinity; exit 0' > out.exec
check_eq "$(cat out.exec)" "$(printf 'start %s 1\nthread %s %s\nafter %s %s\nchild %s %s' $all $all $all $all $all $all $all)" \
  "--trace-children: a forked child that execs is pinned again until it makes a thread"
CACHESIM_NO_PIN=1 "$CACHESIM" -q --out-file=cs.nopin ./affinity > out.nopin
check_eq "$(cat out.nopin)" "$(printf 'start %s %s\nthread %s %s\nafter %s %s\nchild %s %s' $all $all $all $all $all $all $all $all)" \
  "CACHESIM_NO_PIN: all $all CPUs throughout"
# A program restricted from outside keeps its restriction and sees it.
taskset -c 0 "$CACHESIM" -q --out-file=cs.one ./affinity > out.one
check_eq "$(cat out.one)" "$(printf 'start 1 1\nthread 1 1\nafter 1 1\nchild 1 1')" "taskset -c 0: one CPU throughout"
# A program that sets its own affinity sees what it set.
cat > own.c <<'C'
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
int main(void) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(0, &s); sched_setaffinity(0, sizeof s, &s);
  sched_getaffinity(0, sizeof s, &s); printf("%d\n", CPU_COUNT(&s)); return 0; }
C
gcc -O1 -o own own.c
check_eq "$("$CACHESIM" -q --out-file=cs.own ./own)" 1 "its own sched_setaffinity to one CPU: it sees one"
# The counts are the same pinned or not (with an environment of the same
# size: the program sees the variable, and ld.so's and the stack's counts
# depend on the environment).
printf 'int main(void){volatile long s=0;for(long i=0;i<100000;i++)s+=i;return (int)(s&1);}\n' > loop.c
gcc -O1 -o loop loop.c
CACHESIM_NO_PIX=1 "$CACHESIM" -q --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cs.l1 ./loop
CACHESIM_NO_PIN=1 "$CACHESIM" -q --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cs.l2 ./loop
check_eq "$(grep '^summary:' cs.l1)" "$(grep '^summary:' cs.l2)" "same totals pinned and not"
done_testing
