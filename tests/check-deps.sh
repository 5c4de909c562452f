#!/usr/bin/env bash
# Keeps the module arrows one-way (see Makefile): a module may include only the
# folders listed for it.  System headers (<...>) are checked for the libraries
# that belong to the run-time core only.
set -u
cd "$(dirname "$0")/.."
bad=0
check() { # folder allowed-prefixes...
  local dir=$1; shift
  for f in $(find "$dir" -maxdepth 1 -name '*.[ch]'); do
    while IFS= read -r inc; do
      local ok=0
      for a in "$@"; do case "$inc" in "$a"*) ok=1;; esac; done
      [ $ok = 1 ] || { echo "check-deps: $f includes \"$inc\""; bad=1; }
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    if [ "$dir" != core ] && grep -Eq '#[[:space:]]*include[[:space:]]*<(capstone|elfutils|libelf|gelf|dwarf|demangle|libiberty|libdeflate)' "$f"; then
      echo "check-deps: $f uses a run-time-core library"; bad=1
    fi
  done
}
check core/base core/base/
check sim sim/
check core core/ sim/
check annotate annotate/ core/base/
check diff diff/ core/base/
[ $bad = 0 ] && echo "check-deps: module arrows one-way"
exit $bad
