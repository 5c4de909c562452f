# Same binary and input give byte-identical profiles run after run: with
# default options (ASLR off) for address-dependent work and an SQLite
# workload, and with --deterministic=yes for clock-, getrandom- and
# /dev/urandom-dependent work and Lua (whose string hash is seeded from the
# clock and addresses).  Three runs each, in parallel (two at a time).
. "$TOP/tests/e2e/lib.sh"
P=$TOP/tests/e2e/progs
three() { # name cachesim-args... : three runs, profiles must be identical
  local name=$1; shift
  for i in 1 2 3; do "$CACHESIM" -q --out-file=$name.$i "$@" > $name.$i.stdout & 
    [ $i = 2 ] && wait; done; wait
  if cmp -s $name.1 $name.2 && cmp -s $name.1 $name.3 && [ -s $name.1 ]; then
    ok "$name: three byte-identical profiles ($(sed -n 's/^summary: \([0-9]*\).*/\1/p' $name.1) Ir)"
  else
    nok "$name: profiles differ"; diff $name.1 $name.2 | head -5; diff $name.1 $name.3 | head -5
  fi
}
gcc -g -O1 -o clocky "$P/clocky.c"
gcc -g -O1 -o randy "$P/randy.c"
three clocky --deterministic=yes ./clocky
three randy --deterministic=yes ./randy
check_eq "$(cat randy.1.stdout)" done "randy: output"
grep -q '^desc: I1 cache:         32768 B, 64 B, 8-way associative' randy.1 &&
grep -q '^desc: LL cache:         8388608 B, 64 B, 16-way associative' randy.1 &&
  ok "--deterministic pins the cache geometry" || nok "--deterministic pins the cache geometry"
# The virtual clock: time() under --deterministic is 2020-01-01 plus 1 ns per instruction.
printf '#include <stdio.h>\n#include <time.h>\nint main(void){printf("%%ld\\n",(long)time(0));return 0;}\n' > t.c
gcc -o t t.c
check_eq "$("$CACHESIM" -q --deterministic=yes --out-file=/dev/null ./t)" 1577836800 "virtual wall clock"
if [ -f /usr/include/sqlite3.h ]; then
  gcc -g -O1 -o sqlwork "$P/sqlwork.c" -lsqlite3
  three sqlite --cache-sim=no ./sqlwork
  check_eq "$(cat sqlite.1.stdout)" "$(./sqlwork)" "sqlite: output unchanged"
fi
if command -v lua5.4 >/dev/null; then
  three lua --cache-sim=no --deterministic=yes lua5.4 "$P/strhash.lua"
  check_eq "$(cat lua.1.stdout)" 20100 "lua: output"
fi
done_testing
