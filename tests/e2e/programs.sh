# Dynamic C, C++ and Rust programs, threads, fork/exec, signals under the step
# engine: output and exit status unchanged; the programs' own functions have
# exactly Cachegrind's Ir, Dr and Dw (their code does not depend on the CPU
# Valgrind pretends to be); whole-program totals within a stated tolerance;
# every profile read by Valgrind's cg_annotate.
#
# Tolerance: whole-program Ir within 20% of Cachegrind's.  Under Valgrind, ld.so
# also loads vgpreload_core (about 15,000 more instructions) and glibc's start-up
# sees Valgrind's synthetic CPU, so its initialisation takes other paths.
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null || exit 77
P=$TOP/tests/e2e/progs
F=$TOP/tests/e2e/cgfun.py
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"

both() { # name outfile-prefix args... : run natively, under cachesim and under Cachegrind
  local name=$1; shift
  ./$name "$@" > native.$name.out 2>&1; echo $? > native.$name.rc
  "$CACHESIM" -q $G --out-file=cs.$name "./$name" "$@" > cs.$name.stdout 2>cs.$name.stderr; echo $? > cs.$name.rc
  valgrind --tool=cachegrind --cache-sim=yes $G --cachegrind-out-file=cg.$name "./$name" "$@" >/dev/null 2>&1
  check_file_eq native.$name.out cs.$name.stdout "$name: output unchanged"
  check_eq "$(cat cs.$name.rc)" "$(cat native.$name.rc)" "$name: exit status unchanged"
  cg_annotate cs.$name >/dev/null 2>ann.err; check_eq "$?:$(wc -c <ann.err)" "0:0" "$name: cg_annotate reads the profile"
}
same_fn() { # name fn : exact Ir Dr Dw of a function vs Cachegrind
  check_eq "$(python3 $F cs.$1 "$2" Ir Dr Dw)" "$(python3 $F cg.$1 "$2" Ir Dr Dw)" "$1: $2 has Cachegrind's Ir Dr Dw"
}
near_total() { # name : total Ir within 20%
  local a b
  a=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' cs.$1); b=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' cg.$1)
  if [ -n "$a" ] && [ -n "$b" ] && [ $((a * 100)) -ge $((b * 80)) ] && [ $((a * 100)) -le $((b * 120)) ]; then
    ok "$1: total Ir $a within 20% of Cachegrind's $b"
  else nok "$1: total Ir $a not within 20% of Cachegrind's $b"; fi
}

gcc -g -O1 -o demo "$TOP/tests/progs/demo.c"
both demo; same_fn demo sum_rows; same_fn demo sum_cols; same_fn demo main; near_total demo

# Static, static-PIE and non-PIE builds of the same program.
for kind in static static-pie no-pie; do
  gcc -g -O1 -$kind -o demo-$kind "$TOP/tests/progs/demo.c"
  both demo-$kind; same_fn demo-$kind sum_cols
done

# Threads blocked in system calls (futex, a pipe's read) that SIGALRM, a
# process signal, interrupts every 300 us: a call interrupted for a signal
# another thread took is restarted by the kernel (core/step.c, restarts).
gcc -g -O1 -pthread -o sigthreads "$P/sigthreads.c"
both sigthreads; same_fn sigthreads spin
gcc -g -O1 -pthread -o threads "$P/threads.c"
both threads; same_fn threads work; near_total threads
# Count-only mode counts most blocks in per-thread counters (not records).
"$CACHESIM" -q --cache-sim=no --out-file=cs.threads-n ./threads > /dev/null 2>&1
check_eq "$(python3 $F cs.threads-n work Ir)" "$(python3 $F cg.threads work Ir)" \
  "threads --cache-sim=no: work has Cachegrind's Ir"

gcc -g -O1 -o signals "$P/signals.c"
both signals; same_fn signals on_usr1; near_total signals

# SIGPROF every millisecond of CPU time lands anywhere in translated code: the
# program's result is unchanged, the handler runs, and the loop's Ir (lines 16-19
# of ticks.c) is that of the same run without the timer.
gcc -g -O1 -o ticks "$P/ticks.c"
./ticks 30000000 quiet > ticks.native 2>/dev/null
"$CACHESIM" -q --cache-sim=no --out-file=cs.ticks0 ./ticks 30000000 quiet > ticks.quiet 2>/dev/null
"$CACHESIM" -q --out-file=cs.ticks ./ticks 30000000 > ticks.out 2> ticks.err
check_eq "$?" 0 "ticks: exit status"
check_file_eq ticks.native ticks.out "ticks: output unchanged by the signals"
check_grep '^ticks [1-9]' ticks.err "ticks: the SIGPROF handler ran"
"$CACHESIM" -q --cache-sim=no --out-file=cs.ticks1 ./ticks 30000000 > /dev/null 2>&1
loop_ir() { awk '/^fn=/{f=$0} f=="fn=main" && $1>=16 && $1<=19 {s+=$2} END{print s}' "$1"; }
check_eq "$(loop_ir cs.ticks1)" "$(loop_ir cs.ticks0)" \
  "ticks: the loop's Ir is the same with and without the timer"
# With cache simulation the loop's blocks (no data access) run without scratch
# registers (bare blocks, core/dbt.c): a signal inside one takes back its count.
"$CACHESIM" -q --out-file=cs.ticks2 ./ticks 30000000 quiet > /dev/null 2>&1
check_eq "$(loop_ir cs.ticks)" "$(loop_ir cs.ticks2)" \
  "ticks: with cache simulation too, the loop's Ir is the same with and without the timer"

# The same timer while a loop keeps its flags live across runs of stack
# accesses, which the translator checks with the flags held in ah/al and rax
# in a slot (core/dbt.c, flag_runs): the loop's result depends on both at
# every pass, and its Ir is that of the run without the timer.
gcc -g -O1 -o flagsig "$P/flagsig.c"
./flagsig 20000000 quiet > flagsig.native 2>/dev/null
"$CACHESIM" -q --out-file=cs.flagsig ./flagsig 20000000 > flagsig.out 2> flagsig.err
check_eq "$?" 0 "flagsig: exit status"
check_file_eq flagsig.native flagsig.out "flagsig: result unchanged by the signals"
check_grep '^ticks [1-9]' flagsig.err "flagsig: the SIGPROF handler ran"
"$CACHESIM" -q --out-file=cs.flagsig0 ./flagsig 20000000 quiet > /dev/null 2>&1
mix_ir() { awk '/^fn=/{f=$0} f=="fn=mix" && /^[0-9]/ {s+=$2} END{print s}' "$1"; }
check_eq "$(mix_ir cs.flagsig)" "$(mix_ir cs.flagsig0)" \
  "flagsig: the loop's Ir is the same with and without the timer"
check_eq "$(mix_ir cs.flagsig0)" 360000008 "flagsig: the loop's Ir (18 instructions a pass)"

g++ -g -O1 -o cxx "$P/cxx.cc"
both cxx; same_fn cxx main; near_total cxx

if command -v rustc >/dev/null; then
  rustc -g -O -o rs "$P/hello.rs" 2>/dev/null
  both rs; same_fn rs "hello::main"; near_total rs
fi

# fork: untraced children run natively; --trace-children=yes gives one profile a
# process, the forked child inheriting the parent's counts (like Cachegrind).
gcc -g -O1 -o forks "$P/forks.c"
"$CACHESIM" -q $G --out-file=u.%p ./forks x > u.stdout; check_eq $? 0 "forks: exit status"
check_eq "$(cat u.stdout)" "$(printf 'child status 5\nexec child status 0')" "forks: output"
check_eq "$(ls u.* | grep -vc stdout)" 1 "forks: one profile without --trace-children"
"$CACHESIM" -q $G --trace-children=yes --out-file=t.%p ./forks x > t.stdout; check_eq $? 0 "forks traced: exit status"
check_eq "$(ls t.* | grep -vc stdout)" 3 "forks traced: a profile for each of 3 processes"
valgrind --tool=cachegrind --cache-sim=yes $G --trace-children=yes --cachegrind-out-file=v.%p ./forks x >/dev/null 2>&1
ours=$(for f in t.[0-9]*; do python3 $F $f compute Ir; done | sort -n | tr '\n' ' ')
theirs=$(for f in v.[0-9]*; do python3 $F $f compute Ir; done | sort -n | tr '\n' ' ')
check_eq "$ours" "$theirs" "forks traced: compute's Ir in each profile equals Cachegrind's"
rm -f t.[0-9]*
"$CACHESIM" -q --cache-sim=no --trace-children=yes --out-file=t.%p ./forks x > /dev/null
ours=$(for f in t.[0-9]*; do python3 $F $f compute Ir; done | sort -n | tr '\n' ' ')
check_eq "$ours" "$theirs" "forks traced, --cache-sim=no: compute's Ir in each profile equals Cachegrind's"
done_testing
