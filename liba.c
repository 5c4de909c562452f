long value(long x) { return x * 3 + 1; }
