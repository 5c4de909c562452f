#!/usr/bin/env bash
# sym_vs_cachegrind.sh - the symbolizer's (fl, fn, line) names against the
# names Cachegrind 3.19 itself prints, for small dynamically linked programs
# compiled here: C (DWARF 5 and DWARF 4, sources in a subdirectory, a header
# inline function, a glibc extern-inline; also with compressed DWARF and with
# the DWARF in a separate file found through .gnu_debuglink), C++ (namespaces, overloads,
# templates, virtual calls, a static constructor) and, when rustc is there,
# Rust with legacy and v0 mangling.
#
# Keys: Cachegrind's are the (fl, fn, line) with nonzero Ir in its output.
# Ours come from build/tools/sym_lookup, which runs the program to its
# exit_group and looks up every byte of the program's own functions (-e) and
# of the executable mappings of libc, ld.so, libstdc++, libm and libgcc_s (-s).
# Checks:
# - the program's own source keys (files given with an absolute path) equal
#   Cachegrind's exactly (every line of these programs runs);
# - the program's keys without line information (crt code, "(below main)")
#   all appear in Cachegrind's output;
# - coverage: the share of all of Cachegrind's keys (libraries included) that
#   we produce too, printed, and required to be at least 95%.  The libraries
#   are swept whole, so this shows that names are right, not which of them a
#   given run executes (glibc picks other string functions natively than
#   under Valgrind, whose CPU has no AVX-512).
# - per address: Callgrind (same Valgrind debug-info lookups) with
#   --dump-instr=yes lists every executed instruction as (object, link-time
#   address, file, function, line); sym_lookup -t looks the same object
#   addresses up natively.  File and line must agree everywhere; functions
#   must agree on 99% (Callgrind names a whole basic block after its first
#   instruction, so a block that runs from one symbol into the next - ld.so's
#   8-byte mempcpy into memcpy - keeps the first name, while Cachegrind names
#   each instruction; the figure is printed).
source "$TOP/tests/e2e/lib.sh"
TOOL=$TOP/build/tools/sym_lookup
command -v valgrind >/dev/null || { echo "# skipped: no valgrind"; exit 77; }
command -v gcc >/dev/null || { echo "# skipped: no gcc"; exit 77; }
[ -x "$TOOL" ] || { nok "sym_lookup tool built ($TOOL)"; done_testing; }

mkdir -p src
cat > src/util.h <<'EOF'
static inline int square(int x)
{
    return x * x;
}
EOF
cat > src/prog.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

static int table[64];

static int fill(int n)
{
    for (int i = 0; i < n; i++)
        table[i] = square(n - i) + 1;
    return n;
}

static int cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int main(void)
{
    int n = fill(atoi("40"));
    qsort(table, n, sizeof table[0], cmp);
    char buf[32];
    memcpy(buf, "symbols", 8);
    printf("%d %d %zu\n", table[n - 1], n, strlen(buf));
    return 0;
}
EOF
cat > src/shapes.cc <<'EOF'
#include <cstdio>
#include <cstdlib>
namespace geo {
struct Shape {
    virtual long area() const = 0;
};
struct Rect : Shape {
    long w, h;
    Rect(long w_, long h_) : w(w_), h(h_) {}
    long area() const override { return w * h; }
};
template <typename T> struct Pair {
    T a, b;
    __attribute__((noinline)) T sum() const { return a + b; }
};
__attribute__((noinline)) long scale(long x) { return 3 * x; }
__attribute__((noinline)) long scale(long x, int k) { return k * x; }
__attribute__((noinline)) long operator+(const Rect &r, long k) { return r.area() + k; }
__attribute__((noinline)) const Shape *pick(const Rect &r) { return &r; }
}
struct Counter {
    int n;
    Counter() : n(std::atoi("7")) {}
};
static Counter counter;
int main(int argc, char **)
{
    geo::Rect r(argc + 1, 3);
    const geo::Shape *s = geo::pick(r);
    geo::Pair<int> p{argc, 2};
    geo::Pair<double> q{0.5, 1.0 * argc};
    long t = s->area() + geo::scale(argc) + geo::scale(argc, 4) + p.sum() + (long)q.sum() + (r + 1) + counter.n;
    std::printf("%ld\n", t);
    return 0;
}
EOF

# cg_keys OUT: Cachegrind's keys with nonzero Ir, one "fl<TAB>fn<TAB>line" a line.
cg_keys() {
  awk '/^fl=/{fl=substr($0,4);next} /^fn=/{fn=substr($0,4);next}
       /^[0-9]/{ if ($2 > 0) print fl "\t" fn "\t" $1 }' "$1" | LC_ALL=C sort -u
}

total_cg=0; total_hit=0
# run NAME OWN_PREFIX ALL_RUNS: profile ./NAME with Cachegrind and with
# sym_lookup, compare.  ALL_RUNS=1: every function of the program runs, so
# its keys without line information must all be in Cachegrind's output too.
run() {
  local name=$1 own=$2 all_runs=$3
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="cg.$name" "./$name" >/dev/null 2>"vg.$name" ||
    { nok "$name: cachegrind ran"; cat "vg.$name"; return; }
  "$TOOL" -e "$PWD/$name" -s libc.so -s ld-linux -s libstdc++ -s libm.so -s libgcc_s -- "./$name" > "ours.$name" ||
    { nok "$name: sym_lookup ran"; return; }
  cg_keys "cg.$name" > "cgk.$name"
  cut -f2- "ours.$name" | LC_ALL=C sort -u > "ourk.$name"
  # The program's own source lines: exact.
  awk -F'\t' -v p="$own" 'index($1, p) == 1' "cgk.$name" > "cg_own.$name"
  awk -F'\t' -v p="$own" -v o="$name" '$1 == o && index($2, p) == 1 { print $2 "\t" $3 "\t" $4 }' "ours.$name" |
    LC_ALL=C sort -u > "our_own.$name"
  local n_own; n_own=$(wc -l < "cg_own.$name")
  if [ "$n_own" -gt 0 ] && cmp -s "cg_own.$name" "our_own.$name"; then
    ok "$name: own source keys equal Cachegrind's ($n_own keys)"
  else
    nok "$name: own source keys equal Cachegrind's"; diff "cg_own.$name" "our_own.$name" | head -20
  fi
  # The program's code without line information.
  if [ "$all_runs" = 1 ]; then
    awk -F'\t' -v o="$name" '$1 == o && $2 == "???" { print $2 "\t" $3 "\t" $4 }' "ours.$name" > "our_nl.$name"
    local missing; missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "our_nl.$name") "cgk.$name")
    check_eq "$missing" "" "$name: keys without line info ($(wc -l < "our_nl.$name")) all in Cachegrind's output"
  fi
  # Coverage of everything Cachegrind names.
  local n_cg n_hit
  n_cg=$(wc -l < "cgk.$name"); n_hit=$(LC_ALL=C comm -12 "cgk.$name" "ourk.$name" | wc -l)
  total_cg=$((total_cg + n_cg)); total_hit=$((total_hit + n_hit))
  echo "# $name: $n_hit of $n_cg Cachegrind keys reproduced"
  LC_ALL=C comm -23 "cgk.$name" "ourk.$name" | head -5 | sed 's/^/#   missing: /'
  if [ $((n_hit * 100)) -ge $((n_cg * 95)) ] && [ "$n_cg" -gt 0 ]; then
    ok "$name: at least 95% of Cachegrind's keys reproduced"
  else
    nok "$name: at least 95% of Cachegrind's keys reproduced ($n_hit of $n_cg)"
  fi
}

# per_address NAME: the Callgrind per-instruction comparison described above.
per_address() {
  local name=$1
  valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no --separate-recs=1 \
    --callgrind-out-file="cl.$name" "./$name" >/dev/null 2>"vgcl.$name" ||
    { nok "$name: callgrind ran"; cat "vgcl.$name"; return; }
  # fn= starts a function in file fl=; fi=/fe= switch files inside it; the
  # cost line after calls= is a call's inclusive cost, not an instruction;
  # Callgrind names symbol-less code "0x<address>" where Cachegrind says ???.
  awk '/^ob=/ { ob = substr($0, 4); next }
       /^fl=/ { fl = substr($0, 4); file = fl; next }
       /^(fi|fe)=/ { file = substr($0, 4); next }
       /^fn=/ { fn = substr($0, 4); file = fl; next }
       /^calls=/ { skip = 1; next }
       /^0x/ { if (skip) { skip = 0; next } if (ob == "???") next
               print ob "\t" $1 "\t" file "\t" (fn ~ /^0x[0-9a-f]+$/ ? "???" : fn) "\t" $2 }' "cl.$name" |
    LC_ALL=C sort -u > "cla.$name"
  cut -f1,2 "cla.$name" | tr '\t' ' ' | "$TOOL" -t -- "./$name" | LC_ALL=C sort -u > "oura.$name"
  local res
  res=$(LC_ALL=C join -t $'\t' <(awk -F'\t' '{ print $1 "@" $2 "\t" $3 "\t" $4 "\t" $5 }' "cla.$name") \
                                 <(awk -F'\t' '{ print $1 "@" $2 "\t" $3 "\t" $4 "\t" $5 }' "oura.$name") |
        awk -F'\t' '{ n++; if ($2 == $5 && $4 == $7) fl++; else if (bad++ < 5) print "#   differs: " $0 > "/dev/stderr"
                      if ($3 == $6) fn++ } END { print n + 0, fl + 0, fn + 0 }')
  local n fl fn; read -r n fl fn <<<"$res"
  echo "# $name: $n executed instructions; file and line agree on $fl, function on $fn"
  [ "$n" -gt 1000 ] && [ "$fl" -eq "$n" ] && ok "$name: per address, file and line equal Callgrind's ($n addresses)" ||
    nok "$name: per address, file and line equal Callgrind's ($fl of $n)"
  [ "$n" -gt 0 ] && [ $((fn * 100)) -ge $((n * 99)) ] && ok "$name: per address, functions agree on at least 99%" ||
    nok "$name: per address, functions agree on at least 99% ($fn of $n)"
}

gcc -g -O1 -o c5 src/prog.c && ok "compile C, DWARF 5" || nok "compile C, DWARF 5"
gcc -g -gdwarf-4 -O1 -o c4 src/prog.c && ok "compile C, DWARF 4" || nok "compile C, DWARF 4"
run c5 "/" 1
run c4 "/" 1
per_address c5
# Compressed sections, and a separate debug file found by .gnu_debuglink
# (no build-id, so the name and CRC are what finds it).
gcc -g -gz -O1 -o cgz src/prog.c && ok "compile C, compressed DWARF" || nok "compile C, compressed DWARF"
run cgz "/" 1
if command -v objcopy >/dev/null; then
  cp c5 cdl && objcopy --only-keep-debug cdl cdl.debug &&
    objcopy --strip-debug --remove-section=.note.gnu.build-id --add-gnu-debuglink=cdl.debug cdl &&
    ok "split C debug info into cdl.debug" || nok "split C debug info into cdl.debug"
  run cdl "/" 1
else
  echo "# no objcopy: .gnu_debuglink part skipped"
fi
# Known from the sources: prog.c, the header it includes and glibc's
# extern-inline atoi; relative names joined with the compile directory.
check_eq "$(cut -f1 cg_own.c5 | LC_ALL=C sort -u | tr '\n' ' ')" \
  "$PWD/src/prog.c $PWD/src/util.h /usr/include/stdlib.h " "C: Cachegrind's own file names, as expected"
check_eq "$(cut -f1 cg_own.c4 | LC_ALL=C sort -u | tr '\n' ' ')" \
  "$PWD/src/prog.c $PWD/src/util.h /usr/include/stdlib.h " "C, DWARF 4: the same file names"

if command -v g++ >/dev/null; then
  g++ -g -O1 -o cxx src/shapes.cc && ok "compile C++" || nok "compile C++"
  run cxx "/" 1
  per_address cxx
  # Names known from the source (and Cachegrind's output): parameters shown,
  # the static-constructor function left mangled-looking as Valgrind does.
  for fn in 'geo::scale(long, int)' 'geo::operator+(geo::Rect const&, long)' 'geo::Pair<double>::sum() const' \
            '_GLOBAL__sub_I__ZN3geo5scaleEl'; do
    grep -qF $'\t'"$fn"$'\t' cg_own.cxx && ok "C++: '$fn' named alike" || nok "C++: '$fn' named alike"
  done
fi

if command -v rustc >/dev/null; then
  cat > src/r.rs <<'EOF'
mod inner {
    pub struct Acc<T> { pub v: Vec<T> }
    impl<T: Copy + std::ops::Add<Output = T>> Acc<T> {
        #[inline(never)]
        pub fn total(&self, zero: T) -> T { self.v.iter().fold(zero, |a, &b| a + b) }
    }
}
#[inline(never)]
fn fib(n: u64) -> u64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
fn main() {
    let a = inner::Acc { v: vec![1u32, 2, 3] };
    println!("{} {}", a.total(0), fib(15));
}
EOF
  # Rust links its standard library statically, so only r.rs is exact.
  rustc -g -O -o rlegacy src/r.rs 2>/dev/null && ok "compile Rust, legacy mangling" || nok "compile Rust, legacy mangling"
  rustc -g -O -C symbol-mangling-version=v0 -o rv0 src/r.rs 2>/dev/null && ok "compile Rust, v0 mangling" ||
    nok "compile Rust, v0 mangling"
  run rlegacy "$PWD/src/" 0
  run rv0 "$PWD/src/" 0
  grep -qF $'\tr::inner::Acc<T>::total\t' cg_own.rlegacy && ok "Rust legacy: 'r::inner::Acc<T>::total'" ||
    nok "Rust legacy: 'r::inner::Acc<T>::total'"
  grep -qF $'\t<r::inner::Acc<u32>>::total\t' cg_own.rv0 && ok "Rust v0: '<r::inner::Acc<u32>>::total'" ||
    nok "Rust v0: '<r::inner::Acc<u32>>::total'"
else
  echo "# no rustc: Rust part skipped"
fi

echo "# all programs: $total_hit of $total_cg Cachegrind keys reproduced"
done_testing
