#!/usr/bin/env bash
# annotate_golden.sh - cachesim-annotate against the golden reports in
# tests/annotate/ (hand-written profiles whose edge cases are commented inside
# them; cases listed in tests/annotate/cases).  Runs in a copy of that
# directory with fixed file dates, so the "source newer than profile" warning
# is deterministic.  ANNOTATE_REGEN=1 rewrites the .exp/.err files instead of
# checking them (review the diff before committing).
. "$TOP/tests/e2e/lib.sh"
gold=$TOP/tests/annotate
cp -r "$gold" ann && cd ann || exit 1
: > empty.cgout
find src srcdirs -type f -exec touch -d '2001-01-01 00:00:00' {} +
touch -d '2002-01-01 00:00:00' ./*.cgout
touch -d '2003-01-01 00:00:00' src/newer.c
# Run through a link so the "Invocation:" line does not name this machine's path.
mkdir -p bin && ln -sf "$CACHESIM_ANNOTATE" bin/cachesim-annotate

while IFS='|' read -r name want args; do
  case "$name" in ''|'#'*) continue;; esac
  read -ra argv <<<"$args"
  PATH=$PWD/bin:$PATH cachesim-annotate "${argv[@]}" >"$name.out" 2>"$name.stderr"
  rc=$?
  if [ "${ANNOTATE_REGEN:-}" = 1 ]; then
    if [ "$want" = 0 ]; then cp "$name.out" "$gold/$name.exp"; else cp "$name.stderr" "$gold/$name.err"; fi
  fi
  check_eq "$rc" "$want" "$name: exit status"
  if [ "$want" = 0 ]; then
    check_file_eq "$name.out" "$gold/$name.exp" "$name: report equals $name.exp"
    check_eq "$(cat "$name.stderr")" "" "$name: nothing on stderr"
  else
    check_file_eq "$name.stderr" "$gold/$name.err" "$name: message equals $name.err"
    check_eq "$(wc -c <"$name.out")" 0 "$name: no report"
  fi
done <"$gold/cases"

# The fuzz target's checks (tests/tools/fuzz_profile.c) replayed over every
# profile here and over tests/annotate/fuzz/, inputs saved from libFuzzer runs
# (mostly damaged files): each is refused with a message naming it, or
# survives write -> read -> write byte-identically.  The same inputs must
# not crash the annotator either (exit 0 or 1 only).
"$TOP/build/tools/fuzz_profile" "$gold" "$gold/fuzz" >fuzz.out 2>&1
check_eq "$?" 0 "fuzz_profile replay: $(tail -1 fuzz.out)"
bad=0
for f in "$gold"/fuzz/*; do
  "$CACHESIM_ANNOTATE" --threshold=0 "$f" >/dev/null 2>&1
  rc=$?; [ $rc -le 1 ] || { bad=1; echo "  exit $rc on $f"; }
done
check_eq "$bad" 0 "annotator exits 0 or 1 on every saved fuzz input"
done_testing
