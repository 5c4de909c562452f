long value(long x) { long s = 0; for (long i = 0; i < x % 7; i++) s += i ^ x; return s; }
