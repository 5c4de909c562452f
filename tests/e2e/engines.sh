# The translator engine against the single-step reference.  For every
# deterministic single-threaded test program, `--engine=step` and `--engine=dbt`
# must write byte-identical profiles, with cache simulation and with
# --cache-sim=no, and the program must print the same and exit the same way.
# Also: under --engine=dbt the tiny static programs (tests/progs/t_*.S) equal
# live Cachegrind's profiles (static_vs_cachegrind.sh, run with ENGINE=dbt), and
# the default engine writes the --engine=step profile.
#
# Skipped (exit 77) while `cachesim --engine=dbt` exits 2 (not built yet).
#
# Environment: ENGINES_A, ENGINES_B (default step, dbt) are the two engines
# compared (ENGINES_B=step tests this script itself); ENGINES_JOBS (default 2)
# is how many cachesim runs go at once.
#
# Sizes: the step engine runs ~30,000 instructions a second, so every program
# stays under ~1.6 M instructions.  sqlwork links SQLite statically and cxx
# libstdc++ and libgcc statically (libc stays dynamic): that saves ld.so about
# 1 M and 1.5 M instructions of symbol lookups.
. "$TOP/tests/e2e/lib.sh"
A=${ENGINES_A:-step} B=${ENGINES_B:-dbt} JOBS=${ENGINES_JOBS:-2}
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
P=$TOP/tests/progs E=$TOP/tests/e2e/progs
for e in "$A" "$B"; do
  "$CACHESIM" -q --engine="$e" --out-file=/dev/null /bin/true >/dev/null 2>&1
  [ $? -eq 2 ] && { echo "# --engine=$e is not available in this build: skipped"; exit 77; }
done

# launch TAG ENGINE "OPTIONS" COMMAND...: one cachesim run in the background
# (at most JOBS at once); leaves TAG.prof, .out (stdout), .err, .rc and .ms.
launch() {
  local tag=$1 eng=$2 opts=$3; shift 3
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  ( s=$(date +%s%N)
    "$CACHESIM" -q --engine="$eng" $opts --out-file="$tag.prof" "$@" > "$tag.out" 2> "$tag.err"
    echo $? > "$tag.rc"; echo $(( ($(date +%s%N) - s) / 1000000 )) > "$tag.ms" ) &
}
# add NAME "OPTIONS" COMMAND...: the four runs of one program (both engines,
# with and without cache simulation); compared once all have run.
NAMES=()
add() {
  local name=$1 opts=$2; shift 2
  NAMES+=("$name")
  launch "$name.A" "$A" "$G $opts" "$@"
  launch "$name.nA" "$A" "$G --cache-sim=no $opts" "$@"
  launch "$name.B" "$B" "$G $opts" "$@"
  launch "$name.nB" "$B" "$G --cache-sim=no $opts" "$@"
}
built() { # what command...: compile, a failed check if it does not
  local what=$1; shift
  "$@" 2> cc.err && return 0
  nok "$what builds"; cat cc.err; return 1
}
msA=0 msB=0
secs() { printf '%d.%01d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
summary() { sed -n 's/^summary: \([0-9]*\).*/\1/p' "$1"; }
# same NAME MODE WHAT: profile, stdout and exit status of the A and B runs
same() {
  local a=$1.${2}A b=$1.${2}B what=$3
  if [ -s "$a.prof" ] && grep -q '^summary: ' "$a.prof" && cmp -s "$a.prof" "$b.prof"; then
    ok "$what: $B profile byte-identical to $A's ($(summary "$a.prof") Ir)"
  else
    nok "$what: $B profile byte-identical to $A's"
    if [ -s "$a.prof" ] && [ -s "$b.prof" ]; then diff "$a.prof" "$b.prof" | head -10
    else echo "  profile sizes: $A $(wc -c < "$a.prof" 2>/dev/null), $B $(wc -c < "$b.prof" 2>/dev/null)"
      head -3 "$a.err" "$b.err"; fi
  fi
  check_file_eq "$a.out" "$b.out" "$what: same program output"
  check_eq "$(cat "$b.rc")" "$(cat "$a.rc")" "$what: same exit status"
  local ta tb; ta=$(cat "$a.ms" 2>/dev/null); tb=$(cat "$b.ms" 2>/dev/null)
  msA=$((msA + ${ta:-0})) msB=$((msB + ${tb:-0}))
}

# Static programs without libc.
for src in "$P"/t_*.S "$P"/e_*.S; do
  name=$(basename "$src" .S)
  built "$name" gcc -nostdlib -static -g -I"$P" -o "$name" "$src" || continue
  case $name in
    e_exit) add e_exit "" ./e_exit 7 ;;
    e_signal) add e_signal "" ./e_signal; add e_signal-abrt "" ./e_signal 6 ;;
    *) add "$name" "" "./$name" ;;
  esac
done
# The decoder's instruction catalogues, where this CPU runs them.
for src in "$P"/insns*.S; do
  name=$(basename "$src" .S)
  built "$name" gcc -nostdlib -static -g -o "$name" "$src" || continue
  if ./"$name" > /dev/null 2>&1; then add "$name" "" "./$name"
  else echo "# $name does not run on this CPU: not compared"; fi
done
built cwork gcc -O2 -g -static -nostdlib -ffreestanding -fno-stack-protector -no-pie \
  -o cwork "$P/cwork.c" && add cwork "" ./cwork
# The geometry both tools detect on a Zen 4 (a 48 KiB 12-way D1, a direct-mapped
# LL): the translator's worker searches 12 ways with AVX2, the step engine
# with the plain loop.
[ -x cwork ] && add cwork-12way "--D1=49152,12,64 --LL=33554432,1,64" ./cwork
built demo gcc -g -O1 -o demo "$P/demo.c" && add demo "" ./demo
# Clock- and randomness-dependent work under --deterministic; one static-PIE.
built clocky gcc -g -O1 -o clocky "$E/clocky.c" && add clocky --deterministic=yes ./clocky
built randy gcc -g -O1 -o randy "$E/randy.c" && add randy --deterministic=yes ./randy
built randy-static-pie gcc -g -O1 -static-pie -o randy-static-pie "$E/randy.c" &&
  add randy-static-pie --deterministic=yes ./randy-static-pie
# Client requests (START/STOP) and --toggle-collect.
if built regions gcc -g -O1 -o regions "$E/regions.c"; then
  add regions "" ./regions
  add regions-startstop --instr-at-start=no ./regions
  add regions-toggle "--toggle-collect=rec_*" ./regions
fi
# Signal handlers on an alternate stack, SIGALRM interrupting a read.
built signals gcc -g -O1 -o signals "$E/signals.c" && add signals "" ./signals
# rep movsb and rep stosq faulting part way, a handler opening the page.
built repfault gcc -g -O1 -o repfault "$E/repfault.c" && add repfault "" ./repfault
# setjmp/longjmp, siglongjmp out of an SA_SIGINFO handler, dlclose then dlopen
# of another library at the same address, posix_spawn.
printf 'long value(long x) { return x * 3 + 1; }\n' > liba.c
printf 'long value(long x) { long s = 0; for (long i = 0; i < x %% 7; i++) s += i ^ x; return s; }\n' > libb.c
if built liba gcc -O1 -shared -fPIC -o liba.so liba.c && built libb gcc -O1 -shared -fPIC -o libb.so libb.c &&
   built coverage gcc -g -O1 -o coverage "$E/coverage.c"; then
  add coverage --deterministic=yes ./coverage "$PWD"
fi
# Code written at run time: rewritten in place in a RWX mapping, and the W^X way.
built smc gcc -g -O1 -o smc "$E/smc.c" && add smc "" ./smc
# Generated code where only a chunk smaller than a whole one fits in reach.
built farcode gcc -g -O1 -o farcode "$E/farcode.c" && add farcode "" ./farcode
# The translator's MRU filter (tests/e2e/progs/filt.c): also under geometries
# with other line sizes, one set, direct-mapped, and more D1 sets than the
# filter holds (then every access is recorded).
GNAMES=()
if built filt gcc -g -O1 -o filt "$E/filt.c"; then
  add filt "" ./filt
  i=0
  for g in "--I1=256,2,32 --D1=512,1,32 --LL=65536,4,32" \
           "--I1=1024,16,64 --D1=1024,16,64 --LL=131072,8,128" \
           "--I1=65536,4,128 --D1=65536,2,128 --LL=1048576,8,128" \
           "--I1=32768,8,64 --D1=2097152,1,32 --LL=8388608,16,64"; do
    i=$((i + 1)); GNAMES+=("filt-g$i:$g")
    launch "filt-g$i.A" "$A" "$g" ./filt
    launch "filt-g$i.B" "$B" "$g" ./filt
  done
fi
built cxx g++ -g -O1 -static-libstdc++ -static-libgcc -o cxx "$E/cxx.cc" && add cxx "" ./cxx
if [ -f /usr/include/sqlite3.h ]; then
  sqlite=-lsqlite3
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    [ -f $d/libsqlite3.a ] && { sqlite="-Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lm"; break; }
  done
  built sqlwork gcc -g -O1 -o sqlwork "$E/sqlwork.c" $sqlite && add sqlwork "" ./sqlwork
fi
if command -v rustc >/dev/null; then
  built hello.rs rustc -g -O -o rs "$E/hello.rs" && add rs "" ./rs
fi
command -v lua5.4 >/dev/null && add lua --deterministic=yes lua5.4 "$E/strhash.lua"

# The default engine (no --engine) writes the step engine's profile.
dflt=t_calls
if [ -x $dflt ]; then
  "$CACHESIM" -q $G --out-file=default.prof ./$dflt > /dev/null 2>&1
  if [ "$A" != step ] && [ "$B" != step ]; then launch $dflt.S step "$G" ./$dflt; fi
fi
wait

for name in "${NAMES[@]}"; do
  same "$name" "" "$name"
  same "$name" n "$name --cache-sim=no"
done
for ng in "${GNAMES[@]}"; do
  same "${ng%%:*}" "" "filt ${ng#*:}"
done
echo "# time in the runs compared, summed: $A $(secs $msA) s, $B $(secs $msB) s"
if [ -x $dflt ]; then
  ref=$dflt.S.prof; [ "$A" = step ] && ref=$dflt.A.prof; [ "$B" = step ] && ref=$dflt.B.prof
  check_file_eq default.prof "$ref" "$dflt: default engine's profile equals --engine=step's"
fi

# t_syscalls' getpid, write and getuid (40 rounds) are counted through the
# thread's record stream once they ran (core/dbt.c, sysc_defer), its getpgrp
# the usual way: the comparisons above test that path only if it is taken.
if [ -x t_syscalls ] && [ "$B" = dbt ]; then
  for mode in "" --cache-sim=no; do
    n=$("$CACHESIM" -v $G $mode --out-file=/dev/null ./t_syscalls 2>&1 |
        sed -n 's/.*(\([0-9]*\) system calls counted in the stream).*/\1/p')
    check_eq "$n" 120 "t_syscalls ${mode:-with cache simulation}: system calls counted in the stream"
  done
fi

# smc's generated code runs translated, each block comparing its bytes at
# entry: 49 of its 50 rewrites in place are found that way (the first finds
# nothing translated), and the loop rewritten three times behind a linked
# jump, two blocks each time (its head and its body: a link still pointing
# at a stale block would find it stale again and again).  The W^X rewrites
# follow an mprotect, which drops every translation.
if [ -x smc ] && [ "$B" = dbt ]; then
  n=$("$CACHESIM" -v $G --out-file=/dev/null ./smc 2>&1 |
      sed -n 's/.* \([0-9]*\) blocks found rewritten.*/\1/p')
  check_eq "$n" 55 "smc: blocks of generated code found rewritten at their entry"
fi

# farcode's code is translated (in a chunk of 16 MiB placed in the one hole
# in reach): its two rewrites are found at the entries of its two blocks.
if [ -x farcode ] && [ "$B" = dbt ]; then
  n=$("$CACHESIM" -v $G --out-file=/dev/null ./farcode 2>&1 |
      sed -n 's/.* \([0-9]*\) blocks found rewritten.*/\1/p')
  check_eq "$n" 4 "farcode: code with no room for a whole chunk in reach is translated"
fi

# t_unit's loops are translated as units, three of which loop back to their
# start (what makes its comparisons above test them).
if [ -x t_unit ] && [ "$B" = dbt ]; then
  v=$("$CACHESIM" -v $G --out-file=/dev/null ./t_unit 2>&1)
  check_eq "$(echo "$v" | sed -n 's/.* in \([0-9]*\) units; \([0-9]*\) loops back .*/\1 \2/p')" "9 4" \
    "t_unit: 9 units, 4 loops back to their start"
fi

# Under B, the t_*.S profiles equal live Cachegrind's.
run_sub svc "ENGINE=$B" "$TOP/tests/e2e/static_vs_cachegrind.sh" ENGINE="$B"
[ $? -eq 77 ] && echo "# static_vs_cachegrind.sh skipped (no valgrind?)"
# And so they do where the CPU has no BMI2: the data checks then find a
# filter entry with mov and shr, not rorx (CACHESIM_NO_BMI2 makes it so here).
if [ "$B" = dbt ]; then
  run_sub svc_nobmi2 "ENGINE=$B without BMI2" "$TOP/tests/e2e/static_vs_cachegrind.sh" \
    ENGINE="$B" CACHESIM_NO_BMI2=1
fi
done_testing
