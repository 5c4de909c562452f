# lib.sh - sourced by every end-to-end test.  Gives TAP-like checks.
# Environment (set by run-e2e.sh): TOP, CACHESIM, CACHESIM_ANNOTATE, CACHESIM_DIFF.
n=0; nfail=0
ok()   { n=$((n+1)); echo "ok $n - $*"; }
nok()  { n=$((n+1)); nfail=$((nfail+1)); echo "not ok $n - $*"; }
# check_eq GOT WANT WHAT
check_eq() { if [ "$1" == "$2" ]; then ok "$3"; else nok "$3"; echo "  got:  $1"; echo "  want: $2"; fi; }
# check_rc CMD... : run, compare exit status with $WANT_RC
check_cmd() { local want=$1 what=$2; shift 2; "$@"; local rc=$?; check_eq "$rc" "$want" "$what (exit status)"; }
check_file_eq() { if cmp -s "$1" "$2"; then ok "$3"; else nok "$3"; diff "$1" "$2" | head -20; fi; }
check_grep() { if grep -qE -- "$1" "$2"; then ok "$3"; else nok "$3"; echo "  no line matching /$1/ in $2:"; head -5 "$2"; fi; }
done_testing() { [ $nfail -eq 0 ]; exit $?; }
# race_cold OFF: the stores' race (dcache.sh, symstore.sh): in the fresh
# cache directory ./race, four cold runs of ./hello (options $G) at once, each
# renaming its whole file into place, against one run with option OFF (that
# store off); checks the profiles are equal.  Leaves CACHESIM_CACHE_DIR there.
race_cold() {
  export CACHESIM_CACHE_DIR=$PWD/race
  "$CACHESIM" $G "$1" -q --out-file=race0.out ./hello >/dev/null
  local i same=1
  for i in 1 2 3 4; do "$CACHESIM" $G -q --out-file=race$i.out ./hello >/dev/null & done; wait
  for i in 1 2 3 4; do cmp -s race0.out race$i.out || same=0; done
  check_eq "$same" 1 "four cold runs at once: profiles equal"
}
# run_sub DIR WHAT SCRIPT [VAR=VALUE...]: runs another end-to-end script in the
# new subdirectory DIR with the given environment and counts each of its checks
# as one of this script's, named "WHAT: ..."; its other lines are shown indented.
# Returns its exit status (77: it skipped, nothing was counted).
run_sub() {
  local dir=$1 what=$2 script=$3 out rc line; shift 3
  mkdir -p "$dir"
  out=$(cd "$dir" && env "$@" bash "$script" 2>&1); rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok "*) ok "$what: ${line#ok * - }" ;;
      "not ok "*) nok "$what: ${line#not ok * - }" ;;
      "") ;;
      *) echo "  $line" ;;
    esac
  done <<< "$out"
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && ! grep -q '^not ok ' <<< "$out"; then
    nok "$what: $(basename "$script") exited with status $rc"
  fi
  return $rc
}
