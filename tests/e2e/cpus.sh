# Where the program runs (core/cpus.c, docs/usage.md "CPUs"): with two or
# more CPUs allowed, the program starts on one CPU (the engine's), and is
# released to all of them when it creates a thread; its threads and children
# get all of them.  CACHESIM_NO_PIN leaves it alone.  Counts do not depend on
# it: the profile's totals are the same either way.
. "$TOP/tests/e2e/lib.sh"
gcc -O1 -pthread -o affinity "$TOP/tests/e2e/progs/affinity.c"
all=$(./affinity | sed -n 's/^start //p')
if [ "$all" -lt 2 ]; then echo "one CPU: nothing is pinned"; exit 77; fi
"$CACHESIM" -q --out-file=cs.pin ./affinity > out.pin
check_eq "$(cat out.pin)" "$(printf 'start 1\nthread %s\nafter %s\nchild %s' "$all" "$all" "$all")" \
  "pinned to one CPU until it makes a thread, then all $all (threads and children too)"
"$CACHESIM" -q --out-file=cs.fork ./affinity fork > out.fork
check_eq "$(cat out.fork)" "$(printf 'start 1\nchild %s\nafter %s' "$all" "$all")" \
  "pinned until it forks, then all $all (the child too)"
CACHESIM_NO_PIN=1 "$CACHESIM" -q --out-file=cs.nopin ./affinity > out.nopin
check_eq "$(cat out.nopin)" "$(printf 'start %s\nthread %s\nafter %s\nchild %s' "$all" "$all" "$all" "$all")" \
  "CACHESIM_NO_PIN: all $all CPUs throughout"
# A program restricted from outside keeps its restriction.
taskset -c 0 "$CACHESIM" -q --out-file=cs.one ./affinity > out.one
check_eq "$(cat out.one)" "$(printf 'start 1\nthread 1\nafter 1\nchild 1')" "taskset -c 0: one CPU throughout"
# The counts are the same pinned or not (with an environment of the same
# size: the program sees the variable, and ld.so's and the stack's counts
# depend on the environment).
printf 'int main(void){volatile long s=0;for(long i=0;i<100000;i++)s+=i;return (int)(s&1);}\n' > loop.c
gcc -O1 -o loop loop.c
CACHESIM_NO_PIX=1 "$CACHESIM" -q --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cs.l1 ./loop
CACHESIM_NO_PIN=1 "$CACHESIM" -q --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cs.l2 ./loop
check_eq "$(grep '^summary:' cs.l1)" "$(grep '^summary:' cs.l2)" "same totals pinned and not"
done_testing
