# The translator's trace buffers (core/dbt.c, buf_ahead): a program that
# fills both of its thread's buffers many times over has them populated in
# its own mapping, whole (what -v reports), and its counts do not change:
# its own function has exactly Cachegrind's Ir, Dr, Dw and D1 misses.
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null || exit 77
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
F=$TOP/tests/e2e/cgfun.py
gcc -O1 -g -o bigrec "$TOP/tests/e2e/progs/bigrec.c" || { nok "bigrec builds"; done_testing; }
./bigrec > native.out
"$CACHESIM" $G -v --out-file=cs.out ./bigrec > cs.stdout 2> cs.err
check_file_eq native.out cs.stdout "output unchanged"
check_grep "trace buffers populated in the program: 6144 KiB" cs.err "both 3 MiB buffers populated in the program"
full=$(sed -n 's/.* \([0-9]*\) full buffers.*/\1/p' cs.err)
check_eq "$([ "${full:-0}" -ge 8 ] && echo yes)" yes "the buffers filled at least 8 times (${full:-none})"
valgrind --tool=cachegrind --cache-sim=yes $G --cachegrind-out-file=cg.out ./bigrec >/dev/null 2>&1
check_eq "$(python3 "$F" cs.out walk Ir Dr Dw D1mr D1mw)" "$(python3 "$F" cg.out walk Ir Dr Dw D1mr D1mw)" \
  "walk has Cachegrind's Ir, Dr, Dw, D1mr and D1mw"
done_testing
