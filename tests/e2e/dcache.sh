# The decode store (core/dcache.h): decodes kept across runs change how long
# a start takes, never a count.  A cold run writes the store, a warm one finds
# every decode in it, and the profiles of both equal a run without it, under
# both engines; a damaged, cut-short or unreachable store, and cold runs
# racing to write one, change nothing either.
. "$TOP/tests/e2e/lib.sh"
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
gcc -O2 -o hello "$TOP/tests/e2e/progs/libchello.c"
# found / asked / added / written from a -v run's line
stats() { sed -n 's/.*decode cache: \([0-9]*\) of \([0-9]*\) decodes found in .*; \([0-9]*\) new ones \(.*\)/\1 \2 \3 \4/p' "$1"; }

export CACHESIM_CACHE_DIR=$PWD/store
"$CACHESIM" $G --decode-cache=no -q --out-file=none.out ./hello >/dev/null
check_eq "$(ls store 2>/dev/null | grep -c '^decode-')" 0 "--decode-cache=no: no store made"

"$CACHESIM" $G -v --out-file=cold.out ./hello >/dev/null 2>cold.err
read -r found asked added written <<< "$(stats cold.err)"
check_eq "$found $written" "0 written" "cold run: nothing found, the store written"
[ "${added:-0}" -ge 1000 ] && ok "cold run: $added decodes added" || nok "cold run: $added decodes added"
check_eq "$(ls store | grep -c '^decode-[0-9a-f]*\.bin$')" 1 "one store file, named by the build"
check_file_eq none.out cold.out "cold run: profile equal to one without the store"

cold_added=$added
"$CACHESIM" $G -v --out-file=warm.out ./hello >/dev/null 2>warm.err
read -r found asked added written <<< "$(stats warm.err)"
check_eq "$found $asked" "$cold_added $cold_added" "warm run: every decode the cold run added asked for and found"
check_eq "$written" "not written" "warm run: the store left as it was"
check_file_eq none.out warm.out "warm run: profile equal to one without the store"

"$CACHESIM" $G --engine=step --decode-cache=no -q --out-file=step0.out ./hello >/dev/null
"$CACHESIM" $G --engine=step -q --out-file=step1.out ./hello >/dev/null
check_file_eq step0.out step1.out "step engine: profile equal with a warm store"
check_file_eq none.out step1.out "step engine: profile equal to the translator's"

# Damage: bytes overwritten at four places (records then fail their checksum
# or their key), then the file cut to half its length (all of it ignored).
f=$(ls store/decode-*.bin)
size=$(stat -c %s "$f")
for at in 5000 70000 $((size / 2)) $((size - 300)); do
  printf 'garbagegarbagegarbage' | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
done
"$CACHESIM" $G -v --out-file=damaged.out ./hello >/dev/null 2>damaged.err
check_eq "$?" 0 "damaged store: exit status"
check_file_eq none.out damaged.out "damaged store: profile equal"
check_eq "$(grep -v '^--[0-9]*--\|^==[0-9]*==' damaged.err)" "" "damaged store: nothing said about it"
read -r found asked added written <<< "$(stats damaged.err)"
[ "$found" -lt "$asked" ] && ok "damaged store: damaged entries not used ($found of $asked found)" ||
  nok "damaged store: damaged entries not used ($found of $asked found)"
truncate -s $((size / 2)) "$f"
"$CACHESIM" $G -v --out-file=cut.out ./hello >/dev/null 2>cut.err
read -r found asked added written <<< "$(stats cut.err)"
check_eq "$found $written" "0 written" "store cut short: ignored, written afresh"
check_file_eq none.out cut.out "store cut short: profile equal"

# Nowhere to keep it: the run goes on without a word.  (The program sees
# the variable too, so a baseline of its own: the stack moves with it.)
export CACHESIM_CACHE_DIR=/proc/no-such-dir
"$CACHESIM" $G --decode-cache=no -q --out-file=nodir0.out ./hello >/dev/null
"$CACHESIM" $G -v --out-file=nodir.out ./hello >/dev/null 2>nodir.err
check_eq "$?" 0 "no cache directory: exit status"
check_file_eq nodir0.out nodir.out "no cache directory: profile equal"
check_eq "$(grep -c 'decode cache' nodir.err)" 0 "no cache directory: no store used"

race_cold --decode-cache=no
"$CACHESIM" $G -v --out-file=after.out ./hello >/dev/null 2>after.err
read -r found asked added written <<< "$(stats after.err)"
[ "$found" = "$asked" ] && [ "${asked:-0}" -ge 1000 ] &&
  ok "after the race: a whole store, every decode found ($found)" ||
  nok "after the race: a whole store, every decode found ($found of $asked)"
check_eq "$(ls race | grep -c '\.tmp$')" 0 "after the race: no temporary file left"

"$CACHESIM" --decode-cache=maybe ./hello >/dev/null 2>bad.err
check_eq "$?" 2 "--decode-cache=maybe: usage error"
done_testing
