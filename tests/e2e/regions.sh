# Client requests and --toggle-collect against Callgrind, run live: a program
# marked with callgrind.h START/STOP under --instr-at-start=no, and the same
# program with --toggle-collect (recursion and callees included), count within
# 50 instructions of Callgrind's total for the same options.  Tolerance: the
# request sequences themselves and where each tool switches counting on and
# off (Callgrind at block boundaries) differ by a few instructions.
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null || exit 77
[ -f /usr/include/valgrind/callgrind.h ] || exit 77
gcc -g -O1 -o regions "$TOP/tests/e2e/progs/regions.c"
total() { sed -n 's/^summary: \([0-9-]*\).*/\1/p' "$1"; }
within() { # ours theirs what
  local d=$(( $1 - $2 )); [ $d -lt 0 ] && d=$(( -d ))
  if [ -n "$1" ] && [ -n "$2" ] && [ $d -le 50 ]; then ok "$3: $1 vs Callgrind's $2"; else nok "$3: $1 vs Callgrind's $2"; fi
}
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=cg.startstop ./regions > /dev/null 2>&1
"$CACHESIM" -q --cache-sim=no --instr-at-start=no --out-file=cs.startstop ./regions > out.txt
check_eq "$(cat out.txt)" "$(./regions)" "program output unchanged"
within "$(total cs.startstop)" "$(sed -n 's/^totals: //p' cg.startstop)" "START/STOP with --instr-at-start=no"
check_eq "$(python3 "$TOP/tests/e2e/cgfun.py" cs.startstop other)" 0 "STOP: other() never counted"

valgrind --tool=callgrind --toggle-collect=kernel --callgrind-out-file=cg.toggle ./regions > /dev/null 2>&1
"$CACHESIM" -q --cache-sim=no --toggle-collect=kernel --out-file=cs.toggle ./regions > /dev/null
within "$(total cs.toggle)" "$(sed -n 's/^totals: //p' cg.toggle)" "--toggle-collect=kernel"
valgrind --tool=callgrind --toggle-collect='rec_*' --callgrind-out-file=cg.rec ./regions > /dev/null 2>&1
"$CACHESIM" -q --cache-sim=no --toggle-collect='rec_*' --out-file=cs.rec ./regions > /dev/null
within "$(total cs.rec)" "$(sed -n 's/^totals: //p' cg.rec)" "--toggle-collect=rec_* (recursion, callees)"
# Only functions on the stack are counted: nothing of main's own code.
check_eq "$(python3 "$TOP/tests/e2e/cgfun.py" cs.toggle main)" 0 "--toggle-collect counts nothing outside kernel"

# Instrumentation off from the start and never switched on: nothing counted.
printf 'int main(void){return 0;}\n' > plain.c && gcc -o plain plain.c
"$CACHESIM" -q --instr-at-start=no --out-file=cs.none ./plain
check_eq "$(total cs.none)" 0 "--instr-at-start=no without START counts nothing"

# Our own header: RUNNING_ON_CACHESIM is 1 under cachesim, 0 natively.
cat > mine.c <<'C'
#include <stdio.h>
#include "cachesim.h"
int main(void) { printf("%d\n", (int)RUNNING_ON_CACHESIM); return 0; }
C
gcc -I"$TOP/core" -o mine mine.c
check_eq "$(./mine)" 0 "RUNNING_ON_CACHESIM natively"
check_eq "$("$CACHESIM" -q --out-file=/dev/null ./mine)" 1 "RUNNING_ON_CACHESIM under cachesim"
# DUMP_STATS writes a numbered part; ZERO_STATS resets.
cat > dumps.c <<'C'
#include "cachesim.h"
volatile long s;
int main(void) { for (int i = 0; i < 100; i++) s += i; CACHESIM_DUMP_STATS;
                 for (int i = 0; i < 100; i++) s += i; CACHESIM_DUMP_STATS_AT("second loop");
                 return 0; }
C
gcc -O1 -I"$TOP/core" -o dumps dumps.c
"$CACHESIM" -q --cache-sim=no --out-file=part.%n ./dumps
check_eq "$(ls part.* | tr '\n' ' ')" "part.0 part.1 part.2 " "DUMP_STATS: numbered profile parts (%n)"
"$CACHESIM" -q --cache-sim=no --out-file=dump ./dumps
check_eq "$(ls dump dump.[0-9]* | tr '\n' ' ')" "dump dump.1 dump.2 " "dumps without %n get .1, .2; the final profile the plain name"
check_grep '^desc: Trigger: Client Request: second loop$' dump.2 "DUMP_STATS_AT names its part"
# The second loop's part counts the second loop only (zeroed after the first dump).
a=$(sed -n 's/^summary: //p' dump.1); b=$(sed -n 's/^summary: //p' dump.2)
[ "$b" -lt "$a" ] && ok "the second part starts from zero ($b < $a)" || nok "the second part starts from zero ($b vs $a)"
done_testing
