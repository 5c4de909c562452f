# decode_cachegrind.sh - the decoder against Valgrind itself, run live.
#
# tests/progs/insns.S executes several hundred instruction forms, one per source
# line; tests/progs/insns_libs.S the memory-operand forms found in system
# libraries.  Cachegrind's per-line Ir, Dr and Dw must equal what the decoder derives
# for the same run (build/tools/decode_trace single-steps the program natively
# and evaluates each instruction's access recipes), and Lackey's access trace
# (kind, address, size, order) must equal the decoder's, access for access.
#
# Valgrind runs with --vex-guest-max-insns=1: one instruction per superblock, so
# VEX cannot delete a load whose value a later instruction overwrites (that
# cross-instruction dead-code elimination depends on the surrounding code, not
# on the instruction, and is a documented divergence, docs/decoder.md).
# tests/progs/insns_xsave.S is compared with default options: it checks the
# xsave/xrstor guards VEX folds when EAX is known inside the superblock.  So is
# tests/progs/cwork.c, ordinary gcc -O2 code, where no load is dead.
source "$TOP/tests/e2e/lib.sh"

command -v valgrind >/dev/null 2>&1 || { echo "# valgrind not installed"; exit 77; }
command -v gcc >/dev/null 2>&1 || { echo "# gcc not installed"; exit 77; }
tool=$TOP/build/tools/decode_trace
[ -x "$tool" ] || { nok "build/tools/decode_trace exists (make e2e builds it)"; done_testing; }

# cg_lines CGOUT SRC: "LINE Ir Dr Dw" for every line of SRC in a Cachegrind file.
cg_lines() {
  awk -v src="$2" '/^fl=/ { f = (substr($0, length($0) - length(src) + 1) == src) }
       f && /^[0-9]/ { ir[$1] += $2; dr[$1] += $5; dw[$1] += $8 }
       END { for (l in ir) print l, ir[l], dr[l], dw[l] }' "$1" | sort -n
}
# explain OURS THEIRS SRC: one line per disagreeing source line.
explain() {
  join -a1 -a2 -e - -o 0,1.2,1.3,1.4,2.2,2.3,2.4 <(sort -k1,1 "$1") <(sort -k1,1 "$2") |
    awk '$2 != $5 || $3 != $6 || $4 != $7' | sort -n | head -40 |
    while read -r l a b c x y z; do
      echo "  line $l: decoder Ir=$a Dr=$b Dw=$c, cachegrind Ir=$x Dr=$y Dw=$z: $(sed -n "${l}p" "$3" | sed 's/^ *//')"
    done
}

vg_cache="--cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"

# compare PROG MINLINES MINACC: insns.S-style program against Cachegrind per
# line and Lackey per access, one instruction per superblock.
compare() {
  local prog=$1 minlines=$2 minacc=$3 src=$TOP/tests/progs/$1.S def=
  # A CPU (a VM's) that runs rdtscp without saying so in CPUID: VEX refuses it.
  grep -qw rdtscp /proc/cpuinfo || def=-DNO_RDTSCP
  if ! gcc -nostdlib -static -g $def -o "$prog" "$src" 2> cc.err; then
    nok "$prog.S assembles"; cat cc.err; return
  fi
  ok "$prog.S assembles"
  if ! "$tool" "./$prog" > "$prog.ours" 2> trace.err; then
    if grep -qi "operation not permitted" trace.err; then echo "# ptrace not permitted here"; exit 77; fi
    nok "decode_trace runs $prog"; cat trace.err; return
  fi
  ok "decode_trace runs $prog"

  valgrind --tool=cachegrind $vg_cache --vex-guest-max-insns=1 --cachegrind-out-file="$prog.cg" "./$prog" 2> cg.err
  check_eq "$?" 0 "$prog runs under cachegrind"
  cg_lines "$prog.cg" "$prog.S" > "$prog.lines"
  local nlines
  nlines=$(wc -l < "$prog.lines")
  check_eq "$([ "$nlines" -ge "$minlines" ] && echo yes)" yes \
    "cachegrind reports at least $minlines lines of $prog.S (got $nlines)"
  if cmp -s "$prog.ours" "$prog.lines"; then
    ok "$prog: Ir, Dr, Dw agree with cachegrind on all $nlines lines"
  else
    nok "$prog: Ir, Dr, Dw agree with cachegrind on all $nlines lines"
    explain "$prog.ours" "$prog.lines" "$src"
  fi

  valgrind --tool=lackey --trace-mem=yes --vex-guest-max-insns=1 --log-file="$prog.lk" "./$prog"
  check_eq "$?" 0 "$prog runs under lackey"
  awk '/^I/ { split($2, a, ","); ia = a[1] } /^ [LSM]/ { print ia, $1, $2 }' "$prog.lk" > "$prog.lktrace"
  "$tool" -t "./$prog" > "$prog.trace"
  local nacc
  nacc=$(wc -l < "$prog.lktrace")
  check_eq "$([ "$nacc" -ge "$minacc" ] && echo yes)" yes \
    "lackey traces at least $minacc accesses of $prog (got $nacc)"
  if cmp -s "$prog.trace" "$prog.lktrace"; then
    ok "$prog: kind, address, size and order agree with lackey on all $nacc accesses"
  else
    nok "$prog: kind, address, size and order agree with lackey on all $nacc accesses"
    diff "$prog.trace" "$prog.lktrace" | head -20
  fi
}

compare insns 800 1000
compare insns_libs 400 400

# ---- insns_xsave.S: guards folded inside a superblock, default options ----
src=$TOP/tests/progs/insns_xsave.S
gcc -nostdlib -static -g -o xs "$src"
"$tool" ./xs > xs.ours
valgrind --tool=cachegrind $vg_cache --cachegrind-out-file=xs.cg ./xs 2> xs.err
cg_lines xs.cg insns_xsave.S > xs.lines
if [ -s xs.lines ] && cmp -s xs.ours xs.lines; then
  ok "xsave/xrstor with EAX known in the superblock agree with cachegrind"
else
  nok "xsave/xrstor with EAX known in the superblock agree with cachegrind"
  explain xs.ours xs.lines "$src"
fi

# ---- cwork.c: compiled C code, Cachegrind's default options ----
src=$TOP/tests/progs/cwork.c
if gcc -O2 -g -static -nostdlib -ffreestanding -fno-stack-protector -no-pie -o cwork "$src" 2> cc.err; then
  "$tool" ./cwork > cwork.ours
  valgrind --tool=cachegrind $vg_cache --cachegrind-out-file=cwork.cg ./cwork 2> cwork.err
  cg_lines cwork.cg cwork.c > cwork.lines
  total=$(awk '{ s += $2 } END { print s + 0 }' cwork.lines)
  if [ "$total" -gt 50000 ] && cmp -s cwork.ours cwork.lines; then
    ok "gcc -O2 code ($total instructions): every line agrees with cachegrind in default mode"
  else
    nok "gcc -O2 code ($total instructions): every line agrees with cachegrind in default mode"
    explain cwork.ours cwork.lines "$src"
  fi
else
  nok "cwork.c compiles"; cat cc.err
fi

done_testing
