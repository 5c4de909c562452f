# Bad input gets one clear line and a documented exit status; programs that
# exit with a status, crash, or are killed still leave their profile.
. "$TOP/tests/e2e/lib.sh"
P=$TOP/tests/progs
gcc -nostdlib -static -g -o e_exit "$P/e_exit.S" && gcc -nostdlib -static -g -o e_signal "$P/e_signal.S"
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"

one_line() { # status-wanted what cmd...
  local want=$1 what=$2; shift 2
  "$@" >out 2>err; local rc=$?
  check_eq "$rc" "$want" "$what: exit status"
  check_eq "$(wc -l <err)" 1 "$what: one line on stderr"
  check_grep '^cachesim: error: ' err "$what: error prefix"
}
one_line 127 "missing program" "$CACHESIM" ./no-such-program
one_line 127 "missing program in PATH" "$CACHESIM" no-such-program-xyz
printf 'hello\n' > text; chmod +x text
one_line 126 "not an ELF" "$CACHESIM" ./text
cp e_exit noexec; chmod -x noexec
one_line 126 "not executable" "$CACHESIM" ./noexec
cp e_exit elf32; printf '\001' | dd of=elf32 bs=1 seek=4 conv=notrunc 2>/dev/null
one_line 126 "32-bit ELF" "$CACHESIM" ./elf32
one_line 126 "a directory" "$CACHESIM" /tmp
one_line 2 "unknown option" "$CACHESIM" --bogus ./e_exit
one_line 2 "bad cache geometry" "$CACHESIM" --D1=1000,3,64 ./e_exit
one_line 2 "line size below an AVX register" "$CACHESIM" --D1=8192,4,16 ./e_exit
one_line 2 "no program" "$CACHESIM" -q
one_line 2 "bad out-file template" "$CACHESIM" --out-file=x.%z ./e_exit
check_eq "$(ls cachesim.out.* 2>/dev/null | wc -l)" 0 "nothing written for bad input"

"$CACHESIM" -q $G --out-file=p.exit ./e_exit 7; check_eq $? 7 "exit status passes through"
check_grep '^summary: ' p.exit "profile written at exit"
"$CACHESIM" -q $G --out-file=p.segv ./e_signal; check_eq $? 139 "SIGSEGV: 128+11"
check_grep '^summary: ' p.segv "profile written after a crash"
"$CACHESIM" -q $G --out-file=p.abrt ./e_signal 6; check_eq $? 134 "SIGABRT: 128+6"
check_grep '^summary: ' p.abrt "profile written after abort"
"$CACHESIM" -q $G --out-file=p.kill9 ./e_signal 9; check_eq $? 137 "self SIGKILL: 128+9"
check_grep '^summary: ' p.kill9 "profile written after self-SIGKILL"
"$CACHESIM" -q $G --out-file=p.ext ./e_signal w & cs=$!
sleep 1; kill -KILL $(pgrep -P $cs); wait $cs; check_eq $? 137 "killed from outside: 128+9"
check_grep '^summary: ' p.ext "profile written when killed from outside"
"$CACHESIM" -q $G --out-file=p.term ./e_signal w & cs=$!
sleep 1; kill -TERM $cs; wait $cs; check_eq $? 143 "SIGTERM to cachesim is forwarded: 128+15"
check_grep '^summary: ' p.term "profile written when cachesim is terminated"
# A program that sets its own gs base (the translator's per-thread area): one
# clear line, exit 1, the profile so far written; the reference engine runs it.
gcc -O1 -o setgs "$TOP/tests/e2e/progs/setgs.c"
"$CACHESIM" -q --out-file=p.setgs ./setgs > setgs.out 2> setgs.err; check_eq $? 1 "sets gs: exit 1"
check_grep '^cachesim: error: the program sets its gs base .*--engine=step$' setgs.err "sets gs: one clear line"
check_eq "$(wc -l < setgs.err)" 1 "sets gs: only that line"
check_grep '^summary: ' p.setgs "sets gs: profile written"
"$CACHESIM" -q --engine=step --out-file=p.setgs-step ./setgs > setgs.out 2>&1; check_eq $? 0 "sets gs: runs under --engine=step"
# a profile is never half-written: no temporary files left behind
check_eq "$(ls -a | grep -c '\.tmp')" 0 "no temporary files left"
for f in p.*; do cg_annotate "$f" >/dev/null 2>ann.err; check_eq "$?:$(wc -c <ann.err)" "0:0" "cg_annotate reads $f"; done
done_testing
