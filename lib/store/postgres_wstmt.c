/*
 * The prepared statements of the PostgreSQL write path (postgres_write.h),
 * planned once on the write connection (a generic plan: that connection
 * sets plan_cache_mode), and how they are run.
 */
#include "store/postgres_write.h"

#include <stdio.h>
#include <string.h>

/* ---- the write statements --------------------------------------------------------------- */

#define STATE_COLS                                                                                 \
    "i(ident, f, l, le, v5, t5, v7, t7, v9, t9, v11, t11, v13, t13, v15, t15, v17, t17, v19, t19," \
    " v21, t21)"
#define LATEST(col, n)                                                                             \
    " " col " = CASE WHEN i.v" n " IS NOT NULL AND (i.t" n " >= s.last_seen OR s." col             \
    " IS NULL) THEN i.v" n " ELSE s." col " END"

/* laid out by hand, so that the item-state statement reads as SQL */
// clang-format off
static const char *const write_sql[W_COUNT] = {
    [W_IDENT_GET] = "SELECT id, key FROM ident WHERE key = ANY($1::text[])",
    /* in the order given, so ids follow first sightings as in the SQLite backend */
    [W_IDENT_ADD] = "INSERT INTO ident(key) SELECT k FROM unnest($1::text[]) WITH ORDINALITY"
                    " AS u(k, o) ORDER BY o ON CONFLICT (key) DO NOTHING RETURNING id, key",
    /* ids for new identifiers, in order, from ident's identity sequence */
    [W_IDENT_IDS] = "SELECT nextval(pg_get_serial_sequence('ident', 'id'))"
                    " FROM generate_series(1, $1::bigint)",
    [W_DUP_HASH] = "SELECT hash FROM event_hash WHERE hash = ANY(SELECT decode(h, 'hex') FROM"
                   " unnest($1::text[]) AS u(h))",
    [W_DUP_EID] = "SELECT event_id FROM event_eid WHERE event_id = ANY($1::text[])",
    [W_LAST_BATCH] = "SELECT id, hash, record_time, last_event, ident_hw FROM batch"
                     " ORDER BY id DESC LIMIT 1",
    [W_BATCH_ADD] = "INSERT INTO batch(id, record_time, first_event, last_event, events,"
                    " prev_hash, hash, ident_hw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    /* the merged item states of a document (statemerge.h): the rule of the
     * SQLite backend's upsert, over arrays: update the items that have a
     * state, insert the others */
    [W_STATE] =
        "WITH i AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
        " $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],"
        " $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],"
        " $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], $20::bigint[],"
        " $21::bigint[], $22::bigint[]) AS " STATE_COLS "),"
        " u AS (UPDATE item_state s SET"
        " first_seen = CASE WHEN i.f < s.first_seen THEN i.f ELSE s.first_seen END,"
        " last_seen = CASE WHEN i.l >= s.last_seen THEN i.l ELSE s.last_seen END,"
        " last_event = CASE WHEN i.l >= s.last_seen THEN i.le ELSE s.last_event END,"
        LATEST("disposition", "5") "," LATEST("read_point", "7") ","
        LATEST("biz_location", "9") "," LATEST("container", "11") ","
        LATEST("owner", "13") "," LATEST("possessor", "15") ","
        LATEST("lot", "17") "," LATEST("expiry", "19") "," LATEST("deleted", "21")
        " FROM i WHERE s.ident = i.ident RETURNING s.ident)"
        " INSERT INTO item_state(ident, first_seen, last_seen, last_event, disposition,"
        " read_point, biz_location, container, owner, possessor, lot, expiry, deleted)"
        " SELECT ident, f, l, le, v5, v7, v9, v11, v13, v15, v17, v19, v21 FROM i"
        " WHERE ident NOT IN (SELECT ident FROM u)",
    [W_UNPACK_ALL] = "SELECT c.child, s.container FROM containment c LEFT JOIN item_state s"
                     " ON s.ident = c.child WHERE c.parent = $1 AND c.unpacked_event IS NULL",
    [W_UNPACK] = "UPDATE containment c SET unpacked_event = u.e FROM unnest($1::bigint[],"
                 " $2::bigint[]) AS u(child, e) WHERE c.child = u.child AND "
                 "c.unpacked_event IS NULL",
    [W_UNPACK_PARENT] = "UPDATE containment SET unpacked_event = $2"
                        " WHERE parent = $1 AND unpacked_event IS NULL",
    [W_LOT_ADD] = "INSERT INTO item_lot(lot, ident) SELECT * FROM unnest($1::bigint[],"
                  " $2::bigint[]) ON CONFLICT DO NOTHING",
    [W_GENEALOGY_ADD] = "INSERT INTO genealogy(xform, role, ident) SELECT * FROM"
                        " unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING",
    [W_LOCATION_ADD] = "INSERT INTO location_child(parent, child) SELECT * FROM"
                       " unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
    /* lifecycle, as the SQLite backend's upserts row by row in event order:
     * an upsert may touch a row once, so each identifier's rows are first
     * reduced to the one that row-by-row would leave: the first
     * commissioning (smallest event id); the earliest decommissioning
     * (smallest event time, then event id) */
    [W_COMMISSION] = "INSERT INTO item_life(ident, commissioned, commissioned_time)"
                     " SELECT DISTINCT ON (i) i, e, t FROM unnest($1::bigint[], $2::bigint[],"
                     " $3::bigint[]) AS u(i, e, t) ORDER BY i, e"
                     " ON CONFLICT (ident) DO UPDATE SET"
                     " commissioned = coalesce(item_life.commissioned, excluded.commissioned),"
                     " commissioned_time = coalesce(item_life.commissioned_time,"
                     " excluded.commissioned_time)",
    [W_DECOMMISSION] = "INSERT INTO item_life(ident, decommissioned, decommissioned_time)"
                       " SELECT DISTINCT ON (i) i, e, t FROM unnest($1::bigint[], $2::bigint[],"
                       " $3::bigint[]) AS u(i, e, t) ORDER BY i, t, e"
                       " ON CONFLICT (ident) DO UPDATE SET"
                       " decommissioned = excluded.decommissioned,"
                       " decommissioned_time = excluded.decommissioned_time"
                       " WHERE item_life.decommissioned IS NULL"
                       " OR excluded.decommissioned_time < item_life.decommissioned_time",
    /* the last coordinates given for a location win, as row by row */
    [W_GEO_ADD] = "INSERT INTO location_geo(ident, lat_e6, lon_e6)"
                  " SELECT DISTINCT ON (i) i, a, o FROM unnest($1::bigint[], $2::bigint[],"
                  " $3::bigint[]) WITH ORDINALITY AS u(i, a, o, n) ORDER BY i, n DESC"
                  " ON CONFLICT (ident) DO UPDATE SET lat_e6 = excluded.lat_e6,"
                  " lon_e6 = excluded.lon_e6",
    /* in the order given, so anomaly ids follow the events */
    [W_ANOMALY_ADD] = "INSERT INTO anomaly(event, ident, rule, location, detected_at, evidence)"
                      " SELECT e, i, r, l, d, v FROM unnest($1::bigint[], $2::bigint[],"
                      " $3::text[], $4::bigint[], $5::bigint[], $6::text[])"
                      " WITH ORDINALITY AS u(e, i, r, l, d, v, n) ORDER BY n",
};
// clang-format on
#undef LATEST

st_rc st_pg_prepare_on(st_pg_conn *c, int *done, st_error *err)
{
    if (*done)
        return ST_OK;
    for (int i = 0; i < W_COUNT; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        PGresult *r = PQprepare(c->c, name, write_sql[i], 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            st_rc rc = st_pg_fail(err, c->c, r, "preparing the write path");
            PQclear(r);
            return rc;
        }
        PQclear(r);
    }
    *done = 1;
    return ST_OK;
}

st_rc st_pg_prepare_writes(st_pg *p, st_error *err)
{
    return st_pg_prepare_on(&p->w, &p->prepared, err);
}

/* Run write statement w with text parameters; the result (the caller
 * clears it), or NULL on failure with the reason in msg. */
PGresult *st_pgw_exec(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap)
{
    return st_pgw_exec_on(p->w.c, w, n, vals, msg, cap);
}

PGresult *st_pgw_exec_on(PGconn *c, int w, int n, const char *const *vals, char *msg, size_t cap)
{
    char name[16];
    snprintf(name, sizeof name, "w%d", w);
    PGresult *r = PQexecPrepared(c, name, n, vals, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return r;
    if (msg) {
        const char *m = PQresultErrorMessage(r);
        snprintf(msg, cap, "%s", m && *m ? m : PQerrorMessage(c));
        size_t k = strlen(msg);
        while (k && msg[k - 1] == '\n')
            msg[--k] = 0;
    }
    PQclear(r);
    return NULL;
}

/* The same, when no rows are wanted: 0 or -1. */
int st_pgw_run(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap)
{
    PGresult *r = st_pgw_exec(p, w, n, vals, msg, cap);
    PQclear(r);
    return r ? 0 : -1;
}

#define ST_PGW_COPY_CHUNK (1u << 20) /* bytes per PQputCopyData */

int st_pgw_copy_on(PGconn *c, const char *sql, st_pgbuf *b, char *msg, size_t cap)
{
    if (!b->n)
        return 0;
    st_pgcopy_end(b);
    if (b->oom) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN, unique = 0;
    if (!ok)
        snprintf(msg, cap, "%s", PQresultErrorMessage(r));
    PQclear(r);
    if (ok) {
        for (size_t off = 0; ok && off < b->n; off += ST_PGW_COPY_CHUNK) {
            size_t k = b->n - off < ST_PGW_COPY_CHUNK ? b->n - off : ST_PGW_COPY_CHUNK;
            ok = PQputCopyData(c, b->p + off, (int)k) == 1;
        }
        ok = PQputCopyEnd(c, ok ? NULL : "the rows could not be sent") == 1 && ok;
        while ((r = PQgetResult(c))) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                unique |= state && (!strcmp(state, "23505") || !strcmp(state, "40P01"));
                if (ok)
                    snprintf(msg, cap, "%s", PQresultErrorMessage(r));
                ok = 0;
            }
            PQclear(r);
        }
    }
    st_pgbuf_reset(b);
    return ok ? 0 : unique ? -2 : -1;
}

int st_pgw_copy(st_pg *p, const char *sql, st_pgbuf *b, char *msg, size_t cap)
{
    return st_pgw_copy_on(p->w.c, sql, b, msg, cap) ? -1 : 0;
}
