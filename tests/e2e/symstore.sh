# The symbol store (core/sym_store.c): large objects' symbol and line tables
# (glibc's, read from Debian's libc6-dbg, which `make check` installs) kept
# across runs change how long a start takes, never a name or a count.  A
# cold run writes them, a warm one finds them, and the profiles of both equal
# a run without the store, under both engines; a damaged or cut-short file
# is read as if it were not there and written again.
. "$TOP/tests/e2e/lib.sh"
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
gcc -O2 -o hello "$TOP/tests/e2e/progs/libchello.c"
# found / written from a -v run's line
stats() { sed -n 's/.*symbol cache: \([0-9]*\) objects found, \([0-9]*\) written/\1 \2/p' "$1"; }
nfiles() { ls store 2>/dev/null | grep -c '^sym-[0-9a-f]*\.bin$'; }

export CACHESIM_CACHE_DIR=$PWD/store
"$CACHESIM" $G --symbol-cache=no -q --out-file=none.out ./hello >/dev/null
check_eq "$(nfiles)" 0 "--symbol-cache=no: no table kept"
grep -q '^fl=.*printf' none.out && ok "libc's file names come from its debug file" ||
  nok "libc's file names come from its debug file"

"$CACHESIM" $G -v --out-file=cold.out ./hello >/dev/null 2>cold.err
read -r found written <<< "$(stats cold.err)"
check_eq "$found" 0 "cold run: nothing found"
check_eq "$written" 2 "cold run: glibc's and ld.so's tables kept (both from libc6-dbg)"
check_eq "$(nfiles)" "$written" "one file per table kept"
check_file_eq none.out cold.out "cold run: profile equal to one without the store"

cold_written=$written
"$CACHESIM" $G -v --out-file=warm.out ./hello >/dev/null 2>warm.err
read -r found written <<< "$(stats warm.err)"
check_eq "$found $written" "$cold_written 0" "warm run: every table kept is found, none written"
check_file_eq none.out warm.out "warm run: profile equal to one without the store"

"$CACHESIM" $G --engine=step --symbol-cache=no -q --out-file=step0.out ./hello >/dev/null
"$CACHESIM" $G --engine=step -q --out-file=step1.out ./hello >/dev/null
check_file_eq step0.out step1.out "step engine: profile equal with a warm store"

# Damage: bytes overwritten inside the largest file (its checksum fails),
# then that file cut to half its length.
f=$(ls -S store/sym-*.bin | head -1)
size=$(stat -c %s "$f")
printf 'garbagegarbagegarbage' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$CACHESIM" $G -v --out-file=damaged.out ./hello >/dev/null 2>damaged.err
check_eq "$?" 0 "damaged table: exit status"
check_file_eq none.out damaged.out "damaged table: profile equal"
check_eq "$(grep -v '^--[0-9]*--\|^==[0-9]*==' damaged.err)" "" "damaged table: nothing said about it"
read -r found written <<< "$(stats damaged.err)"
check_eq "$found $written" "$((cold_written - 1)) 1" "damaged table: not used, read and kept again"
truncate -s $((size / 2)) "$f"
"$CACHESIM" $G -v --out-file=cut.out ./hello >/dev/null 2>cut.err
read -r found written <<< "$(stats cut.err)"
check_eq "$found $written" "$((cold_written - 1)) 1" "table cut short: not used, read and kept again"
check_file_eq none.out cut.out "table cut short: profile equal"
"$CACHESIM" $G -v --out-file=again.out ./hello >/dev/null 2>again.err
read -r found written <<< "$(stats again.err)"
check_eq "$found $written" "$cold_written 0" "after the damage: every table found again"

race_cold --symbol-cache=no
"$CACHESIM" $G -v --out-file=after.out ./hello >/dev/null 2>after.err
read -r found written <<< "$(stats after.err)"
check_eq "$found $written" "$cold_written 0" "after the race: every table found"
check_eq "$(ls race | grep -c '\.tmp$')" 0 "after the race: no temporary file left"

"$CACHESIM" --symbol-cache=maybe ./hello >/dev/null 2>bad.err
check_eq "$?" 2 "--symbol-cache=maybe: usage error"
done_testing
