# Real library code, statically linked from Debian's packages (zlib, bzip2,
# SQLite, no debug information: file "???"): with the default engine every
# library function's Ir, Dr and Dw must equal live Cachegrind's.  Required:
# 100% of the library's Ir for zlib and bzip2, at least 99% for SQLite (a
# few functions differ by the odd data read: memset-style code whose loads
# VEX keeps or drops depending on the superblock it lands in).
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 77; }
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
P="$TOP/tests/e2e/progs"
have_static() { [ -f "/usr/lib/x86_64-linux-gnu/lib$1.a" ]; }

check_lib() { # name min-share cmd...
  local name=$1 min=$2; shift 2
  valgrind --tool=cachegrind --cache-sim=yes $G --cachegrind-out-file=cg.$name "$@" >out.cg 2>/dev/null
  "$CACHESIM" -q $G --out-file=cs.$name "$@" >out.cs
  check_eq "$?" 0 "$name: exit status"
  check_file_eq out.cg out.cs "$name: output as under Cachegrind"
  python3 "$TOP/tests/e2e/libfuncs.py" cg.$name cs.$name "???" > cmp.$name
  local share; share=$(head -1 cmp.$name | cut -d' ' -f1)
  if python3 -c "import sys; sys.exit(0 if $share >= $min else 1)"; then
    ok "$name: $share of the library's Ir in functions equal to Cachegrind's (>= $min)"
  else
    nok "$name: $share of the library's Ir in functions equal to Cachegrind's (>= $min)"
    cat cmp.$name
  fi
}

if have_static z; then
  gcc -O2 -o zdrv "$TOP/bench/workloads/zlibw.c" -Wl,-Bstatic -lz -Wl,-Bdynamic && check_lib zlib 1.0 ./zdrv 64
fi
if have_static bz2; then
  gcc -O2 -o bzdrv "$P/bzdrv.c" -Wl,-Bstatic -lbz2 -Wl,-Bdynamic && check_lib bzip2 1.0 ./bzdrv 64
fi
if have_static sqlite3; then
  gcc -O2 -o sqdrv "$TOP/bench/workloads/sqlitew.c" -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lm &&
    check_lib sqlite 1.0 ./sqdrv 2000
fi
[ $n -gt 0 ] || { echo "no static zlib, bzip2 or SQLite"; exit 77; }
done_testing
