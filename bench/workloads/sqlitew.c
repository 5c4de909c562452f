/* SQLite workload: an in-memory table of N rows, an index, aggregate queries. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db, "create table t(k integer primary key, v integer, s text)", 0, 0, 0);
    sqlite3_exec(db, "begin", 0, 0, 0);
    sqlite3_prepare_v2(db, "insert into t(v, s) values(?, ?)", -1, &st, 0);
    for (int i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "row %d", (i * 7919) % n);
        sqlite3_bind_int(st, 1, (i * 31337) % 1000);
        sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "commit", 0, 0, 0);
    sqlite3_exec(db, "create index iv on t(v)", 0, 0, 0);
    sqlite3_prepare_v2(db, "select count(*), sum(v) from t where v between 100 and 400", -1, &st, 0);
    sqlite3_step(st);
    printf("%d %lld\n", sqlite3_column_int(st, 0), (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
