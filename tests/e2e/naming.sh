# Instructions named at the end.  While a library's symbols are still being
# read (in a thread, after ld.so maps it), the translator describes its
# instructions without waiting: they count apart and are named when counts
# are read, or earlier if their code goes away (cons_insn_add, docs/symbols.md).
# CACHESIM_NAME_AT_END makes every instruction take that path, so each run
# here must write the profile a run naming everything at once writes,
# byte for byte: dynamic and static programs, C++ names, a library unloaded
# and another loaded at the same address (the first one's instructions named
# before its code goes), a program killed by a signal, both engines.
# --toggle-collect needs names at once and ignores the variable.
# The other run sets a variable of the same length instead, so that both
# programs see environments of the same size (stack addresses, and ld.so's
# work on the environment, are then the same).
. "$TOP/tests/e2e/lib.sh"
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
P=$TOP/tests/progs E=$TOP/tests/e2e/progs

# pair NAME ENGINE "OPTIONS" COMMAND...: both runs, compared.
pair() {
  local name=$1 eng=$2 opts=$3; shift 3
  env -i CACHESIM_NAME_AT_EN_=1 "$CACHESIM" -q --engine="$eng" $G $opts \
    --out-file="$name.now" "$@" > "$name.now.out" 2>&1
  local rc1=$?
  env -i CACHESIM_NAME_AT_END=1 "$CACHESIM" -q --engine="$eng" $G $opts \
    --out-file="$name.end" "$@" > "$name.end.out" 2>&1
  local rc2=$?
  check_eq "$rc2" "$rc1" "$name ($eng): same exit status"
  if [ -s "$name.now" ] && grep -q '^summary: ' "$name.now"; then
    check_file_eq "$name.now" "$name.end" "$name ($eng): named at the end, the same profile"
  else
    nok "$name ($eng): a profile was written"
  fi
}

gcc -nostdlib -static -g -I"$P" -o t_calls "$P/t_calls.S" && {
  pair t_calls step "" ./t_calls
  pair t_calls dbt "" ./t_calls
}
gcc -nostdlib -static -g -o e_signal "$P/e_signal.S" && pair e_signal dbt "" ./e_signal 9
gcc -g -O1 -o demo "$P/demo.c" && {
  pair demo step "" ./demo
  pair demo dbt "" ./demo
}
g++ -g -O1 -o cxx "$E/cxx.cc" && pair cxx dbt "" ./cxx
# Two libraries with value() at the same address, compiled with -g: their
# instructions have different files and lines.
printf 'long value(long x) { return x * 3 + 1; }\n' > liba.c
printf 'long value(long x) { long s = 0; for (long i = 0; i < x %% 7; i++) s += i ^ x; return s; }\n' > libb.c
if gcc -g -O1 -shared -fPIC -o liba.so liba.c && gcc -g -O1 -shared -fPIC -o libb.so libb.c &&
   gcc -g -O1 -o coverage "$E/coverage.c"; then
  pair coverage dbt --deterministic=yes ./coverage "$PWD"
  check_grep '^fl=.*/liba\.c$' coverage.end "coverage: liba.so's lines named as liba.c's"
  check_grep '^fl=.*/libb\.c$' coverage.end "coverage: libb.so's lines named as libb.c's"
fi
gcc -g -O1 -o regions "$E/regions.c" && pair regions-toggle dbt "--toggle-collect=rec_*" ./regions
done_testing
