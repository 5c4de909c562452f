# Tiny static programs without libc: cachesim's profile must equal the one
# Valgrind's Cachegrind writes, live, with the same explicit geometry -- every
# total and every per-line cost (only the cmd: line may differ).
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 77; }
GEOMS=("--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
       "--I1=4096,2,32 --D1=8192,4,32 --LL=65536,4,64"
       "--I1=32768,8,64 --D1=49152,12,64 --LL=33554432,1,64")  # what both detect on a Zen 4
ENGINE=${ENGINE:-step}
for src in "$TOP"/tests/progs/t_*.S; do
  name=$(basename "$src" .S)
  gcc -nostdlib -static -g -I"$TOP/tests/progs" -o "$name" "$src" || { nok "$name builds"; continue; }
  gi=0
  for geom in "${GEOMS[@]}"; do
    gi=$((gi+1))
    valgrind --tool=cachegrind --cache-sim=yes $geom --cachegrind-out-file=cg.$name.$gi ./$name >/dev/null 2>&1
    "$CACHESIM" -q --engine=$ENGINE $geom --out-file=cs.$name.$gi ./$name
    rc=$?
    check_eq "$rc" 0 "$name geometry $gi: exit status"
    grep -v '^cmd:' cg.$name.$gi > a; grep -v '^cmd:' cs.$name.$gi > b
    check_file_eq a b "$name geometry $gi: profile equals Cachegrind's"
    check_eq "$(tail -1 cs.$name.$gi)" "$(tail -1 cg.$name.$gi)" "$name geometry $gi: summary"
  done
done
done_testing
