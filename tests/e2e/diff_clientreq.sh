# core/cachesim.h, the client-request header: `make install` puts it and its
# pkg-config file in place; a program built with it carries Valgrind's exact
# amd64 client-request bytes with Callgrind's request codes; it runs natively
# (every request returns the default 0), and Valgrind's Callgrind and cachesim
# both honour START/STOP (runs with N and N+1000 loop iterations differ by
# exactly 2000 Ir) and the dump requests.
. "$TOP/tests/e2e/lib.sh"
make -s -C "$TOP" install PREFIX="$PWD/inst" >make.log 2>&1; check_eq $? 0 "make install PREFIX=..."
check_eq "$(ls inst/include/cachesim.h inst/lib/pkgconfig/cachesim.pc 2>&1)" \
  "inst/include/cachesim.h
inst/lib/pkgconfig/cachesim.pc" "header and pkg-config file installed"
check_file_eq inst/include/cachesim.h "$TOP/core/cachesim.h" "installed header is core/cachesim.h"
check_eq "$(grep '^prefix=' inst/lib/pkgconfig/cachesim.pc)" "prefix=$PWD/inst" "@PREFIX@ replaced"
cflags=$(PKG_CONFIG_PATH=$PWD/inst/lib/pkgconfig pkg-config --cflags cachesim | sed 's/ *$//')
check_eq "$cflags" "-I$PWD/inst/include" "pkg-config --cflags cachesim"

# The header compiles cleanly as C89+GNU, C11 and C++, pedantic.
cat >hdr.c <<'C'
#include <cachesim.h>
int main(void)
{
    unsigned long r = RUNNING_ON_CACHESIM;
    CACHESIM_START_INSTRUMENTATION;
    CACHESIM_STOP_INSTRUMENTATION;
    CACHESIM_TOGGLE_COLLECT;
    CACHESIM_ZERO_STATS;
    CACHESIM_DUMP_STATS;
    CACHESIM_DUMP_STATS_AT("x");
    return (int)r;
}
C
for std in "gcc -std=gnu89" "gcc -std=c11" "g++ -std=c++17 -x c++"; do
  $std $cflags -Wall -Wextra -Wpedantic -Werror -c -o hdr.o hdr.c 2>hdr.err
  check_eq "$?:$(wc -c <hdr.err)" "0:0" "compiles warning-free with $std"
done

gcc -O2 -g $cflags -o cr "$TOP/tests/diff/clientreq.c" || { nok "compile clientreq.c"; done_testing; }
gcc -O0 -g $cflags -o cr0 "$TOP/tests/diff/clientreq.c" || { nok "compile clientreq.c -O0"; done_testing; }

# The bytes of main: objdump's hex column, one stream.
main_bytes() {
  objdump -d "$1" | awk '/^[0-9a-f]+ <main>:$/ { on = 1; next } /^$/ { on = 0 }
    on { split($0, f, "\t"); printf "%s ", f[2] }' | tr -s ' '
}
seq="48 c1 c7 03 48 c1 c7 0d 48 c1 c7 3d 48 c1 c7 33 48 87 db"
for b in cr cr0; do
  # 8 requests in main: RUNNING, DUMP, ZERO, DUMP_AT, TOGGLE x2, START, STOP.
  check_eq "$(main_bytes $b | grep -o "$seq" | wc -l)" 8 "$b: Valgrind's 19-byte sequence, once per request"
done
dis=$(objdump -d cr | awk '/^[0-9a-f]+ <main>:$/ { on = 1; next } /^$/ { on = 0 } on')
# Callgrind's codes ('C' << 24 | 'T' << 16) + 0..5 and cachesim's own 'C','S'
# request: each stored as an immediate into a request block (TOGGLE twice).
for cc in 0x43530000:1 0x43540000:1 0x43540001:1 0x43540002:2 0x43540003:1 0x43540004:1 0x43540005:1; do
  check_eq "$(grep -c "\$${cc%:*}," <<<"$dis")" "${cc#*:}" "request code ${cc%:*} stored ${cc#*:} time(s)"
done

# Natively: no tool, every request is a no-op returning 0.
./cr 1000 dumps >out; check_eq "$?:$(cat out)" "0:running=0" "native run: exit 0, RUNNING_ON_CACHESIM = 0"

# Callgrind (same codes): START/STOP bracket exactly the loop.
if command -v valgrind >/dev/null; then
  cgtot() { valgrind -q --tool=callgrind --instr-atstart=no --callgrind-out-file=cg.$1.$2 ./cr "$1" "$2" >cg.stdout 2>/dev/null &&
            grep '^totals:' cg.$1.$2 | cut -d' ' -f2; }
  t1=$(cgtot 1000 plain); t2=$(cgtot 2000 plain)
  check_eq "$((t2 - t1))" 2000 "callgrind: 1000 more iterations = 2000 more Ir between START and STOP"
  check_eq "$(cat cg.stdout)" "running=0" "callgrind: RUNNING_ON_CACHESIM = 0 (not cachesim)"
  cgtot 1000 dumps >/dev/null
  check_grep '^desc: Trigger: Client Request$' cg.1000.dumps.1 "callgrind: DUMP_STATS dumped"
  check_grep '^desc: Trigger: Client Request: phase one$' cg.1000.dumps.2 "callgrind: DUMP_STATS_AT names the dump"
else
  nok "valgrind is not installed"
fi

# cachesim: the same requests, and cachesim-diff gates on the exact count.
"$CACHESIM" -q --instr-at-start=no --out-file=cs.1000 ./cr 1000 plain >/dev/null; check_eq $? 0 "cachesim run 1000"
"$CACHESIM" -q --instr-at-start=no --out-file=cs.2000 ./cr 2000 plain >/dev/null; check_eq $? 0 "cachesim run 2000"
"$CACHESIM_DIFF" --limit Ir=2000 cs.1000 cs.2000 >rep; check_eq $? 0 "cachesim: +2000 Ir is within Ir=2000"
"$CACHESIM_DIFF" --limit Ir=1999 cs.1000 cs.2000 >rep; check_eq $? 3 "cachesim: +2000 Ir exceeds Ir=1999"
"$CACHESIM" -q --instr-at-start=no --out-file=cs.%n ./cr 1000 dumps >/dev/null; check_eq $? 0 "cachesim run with dumps"
check_eq "$(ls cs.[0-9] | wc -l)" 3 "cachesim: two dumps and the final profile"
done_testing
