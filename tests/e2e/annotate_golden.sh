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
done_testing
