/* A small SQLite workload: an in-memory table, inserts, an index, a query. */
#include <sqlite3.h>
#include <stdio.h>

int main(void)
{
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db, "create table t(k integer primary key, v text)", 0, 0, 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "insert into t(v) values(?)", -1, &st, 0);
    for (int i = 0; i < 40; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "value %d", (i * 7919) % 1000);
        sqlite3_bind_text(st, 1, buf, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "create index iv on t(v)", 0, 0, 0);
    sqlite3_prepare_v2(db, "select count(*) from t where v > 'value 5'", -1, &st, 0);
    sqlite3_step(st);
    printf("%d\n", sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
