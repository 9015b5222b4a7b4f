/*
 * The SQLite backend (st_store_sqlite): WAL journal, synchronous=FULL (a
 * reported capture survives a crash or power loss once the WAL is synced),
 * 8 KB pages and a checkpoint every 20,000 pages (both measured: about 15%
 * less commit time per event than 4 KB pages and the default 1,000),
 * one write connection that commits groups of documents in one transaction
 * with a savepoint and a chain link per document, and a pool of read
 * connections that serve queries from snapshots while writes go on.
 */
#include "store/sqlite_int.h"

#include <errno.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/error.h"
#include "store/chain.h"
#include "store/lineage.h"

static const char *const write_sql[SQ_COUNT] = {
    [SQ_IDENT_GET] = "SELECT id FROM ident WHERE key = ?1",
    [SQ_IDENT_ADD] = "INSERT INTO ident(key) VALUES (?1) ON CONFLICT DO NOTHING",
    [SQ_EVENT_ADD] = "INSERT INTO event(batch, record_time, event_time, type, action, biz_step,"
                     " disposition, read_point, biz_location, fields, hash, event_id, body,"
                     " xform) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                     " ON CONFLICT DO NOTHING", /* a duplicate: same hash or eventID */
    [SQ_EPC_ADD] = "INSERT INTO event_epc(ident, event, role) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT DO NOTHING",

    /* A later event (by event time) overrides what it says; an earlier one
     * arriving late only fills what is still unknown. */
    /* One row per item per document (statemerge.h): each column with the
     * time of the event that said it. A value at least as recent as the
     * stored state overrides it; an older one only fills what is unknown. */
    [SQ_STATE_UPSERT] =
        "INSERT INTO item_state(ident, first_seen, last_seen, last_event, disposition, read_point,"
        " biz_location, container, owner, possessor, lot, expiry, deleted)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?9, ?11, ?13, ?15, ?17, ?19, ?21)"
        " ON CONFLICT(ident) DO UPDATE SET"
        " first_seen = CASE WHEN ?2 < item_state.first_seen THEN ?2 ELSE item_state.first_seen END,"
        " last_seen = CASE WHEN ?3 >= item_state.last_seen THEN ?3 ELSE item_state.last_seen END,"
        " last_event = CASE WHEN ?3 >= item_state.last_seen THEN ?4 ELSE item_state.last_event END,"
#define LATEST(col, v, t)                                                                          \
    " " col " = CASE WHEN " v " IS NOT NULL AND (" t " >= item_state.last_seen OR item_state." col \
    " IS NULL) THEN " v " ELSE item_state." col " END"
    LATEST("disposition", "?5", "?6") "," LATEST("read_point", "?7", "?8") "," LATEST(
        "biz_location", "?9",
        "?10") "," LATEST("container", "?11",
                          "?12") "," LATEST("owner", "?13",
                                            "?14") "," LATEST("possessor", "?15",
                                                              "?16") "," LATEST("lot", "?17",
                                                                                "?18") "," LATEST("expiry",
                                                                                                  "?19",
                                                                                                  "?20") "," LATEST("deleted",
                                                                                                                    "?21",
                                                                                                                    "?22"),
#undef LATEST
    [SQ_UNPACK_ALL] = "SELECT c.child, s.container FROM containment c LEFT JOIN item_state s"
                      " ON s.ident = c.child WHERE c.parent = ?1 AND c.unpacked_event IS NULL",
    [SQ_LOT_ADD] = "INSERT INTO item_lot(lot, ident) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    [SQ_PACK] = "INSERT INTO containment(child, packed_event, parent) VALUES (?1, ?2, ?3)"
                " ON CONFLICT DO NOTHING",
    [SQ_UNPACK] = "UPDATE containment SET unpacked_event = ?2"
                  " WHERE child = ?1 AND unpacked_event IS NULL",
    [SQ_UNPACK_PARENT] = "UPDATE containment SET unpacked_event = ?2"
                         " WHERE parent = ?1 AND unpacked_event IS NULL",
    [SQ_GENEALOGY_ADD] = "INSERT INTO genealogy(xform, role, ident) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT DO NOTHING",
    [SQ_LOCATION_ADD] = "INSERT INTO location_child(parent, child) VALUES (?1, ?2)"
                        " ON CONFLICT DO NOTHING",
    [SQ_LAST_BATCH] = "SELECT id, hash, record_time FROM batch ORDER BY id DESC LIMIT 1",
    /* the single writer interns inside its transaction: every identifier
     * a projection names is in ident (schema v11) */
    [SQ_BATCH_ADD] = "INSERT INTO batch(id, record_time, first_event, last_event, events,"
                     " prev_hash, hash, ident_hw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                     " (SELECT coalesce(max(id), 0) FROM ident))",
    /* lifecycle (schema v3): the first commissioning, the earliest decommissioning */
    [SQ_COMMISSION] = "INSERT INTO item_life(ident, commissioned, commissioned_time)"
                      " VALUES (?1, ?2, ?3) ON CONFLICT(ident) DO UPDATE SET"
                      " commissioned = coalesce(item_life.commissioned, ?2),"
                      " commissioned_time = coalesce(item_life.commissioned_time, ?3)",
    [SQ_DECOMMISSION] = "INSERT INTO item_life(ident, decommissioned, decommissioned_time)"
                        " VALUES (?1, ?2, ?3) ON CONFLICT(ident) DO UPDATE SET"
                        " decommissioned = ?2, decommissioned_time = ?3"
                        " WHERE item_life.decommissioned IS NULL"
                        " OR ?3 < item_life.decommissioned_time",
    [SQ_GEO_ADD] = "INSERT INTO location_geo(ident, lat_e6, lon_e6) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT(ident) DO UPDATE SET lat_e6 = ?2, lon_e6 = ?3",
    [SQ_ANOMALY_ADD] = "INSERT INTO anomaly(event, ident, rule, location, detected_at, evidence)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

static st_rc db_fail(st_error *err, sqlite3 *db, const char *what)
{
    int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    st_rc rc = code == SQLITE_NOMEM     ? ST_ERR_NOMEM
               : code == SQLITE_FULL    ? ST_ERR_IO
               : code == SQLITE_CORRUPT ? ST_ERR_IO
                                        : ST_ERR_IO;
    return st_fail(err, rc, -1, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ---- connections ----------------------------------------------------------- */

static void conn_close(st_sqlite_conn *c)
{
    if (!c->db)
        return;
    for (int i = 0; i < ST_SQLITE_STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    pthread_mutex_destroy(&c->mu);
    memset(c, 0, sizeof *c);
}

static st_rc conn_open(st_sqlite_conn *c, const char *path, int flags, st_error *err)
{
    memset(c, 0, sizeof *c);
    if (sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        st_rc rc = db_fail(err, c->db, path);
        sqlite3_close(c->db);
        c->db = NULL;
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    sqlite3_busy_timeout(c->db, 30000);
    sqlite3_extended_result_codes(c->db, 0);
    return ST_OK;
}

static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/*
 * Prepare sql with its portable $1..$N placeholders. SQLite reads "$1" as a
 * named parameter, numbered by order of first appearance rather than by its
 * digits, and it finds every name or number (?N too) by a linear search of
 * those seen so far: a statement of thousands of them (a multi-row INSERT,
 * an IN list) took quadratic time to prepare. When the placeholders are
 * exactly $1, $2, ... in order, each becomes an anonymous "?" (no search);
 * otherwise each becomes ?N (bound by its number, as PostgreSQL does).
 * Quoted literals are left as they are.
 */
static int prepare_numbered(sqlite3 *db, const char *sql, unsigned flags, sqlite3_stmt **st)
{
    size_t n = strlen(sql);
    char *t = malloc(n + 1);
    if (!t)
        return SQLITE_NOMEM;
    int in_order = 1;
    long next = 1;
    char quote = 0;
    for (size_t i = 0; i < n && in_order; i++) { /* are they 1, 2, 3, ...? */
        if (quote) {
            quote = sql[i] == quote ? 0 : quote;
        } else if (sql[i] == '\'' || sql[i] == '"') {
            quote = sql[i];
        } else if (sql[i] == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            in_order = strtol(sql + i + 1, NULL, 10) == next++;
        }
    }
    size_t o = 0;
    quote = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = sql[i];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            ch = '?';
            if (in_order)
                while (sql[i + 1] >= '0' && sql[i + 1] <= '9')
                    i++;
        }
        t[o++] = ch;
    }
    t[o] = '\0';
    int rc = sqlite3_prepare_v3(db, t, -1, flags, st, NULL);
    free(t);
    return rc;
}

/* The statement for sql on c, from the cache or newly prepared. Entries are
 * found by the text's hash; only a hash match is compared in full (the
 * texts share long prefixes, so comparing each entry cost more than the
 * queries themselves). */
static sqlite3_stmt *conn_stmt(st_sqlite_conn *c, const char *sql)
{
    int victim = 0;
    c->tick++;
    uint64_t h = sql_hash(sql);
    for (int i = 0; i < ST_SQLITE_STMT_CACHE; i++) {
        if (c->cache[i].sql && c->cache[i].h == h && !strcmp(c->cache[i].sql, sql)) {
            c->cache[i].used = c->tick;
            return c->cache[i].stmt;
        }
        if (c->cache[i].used < c->cache[victim].used)
            victim = i;
    }
    sqlite3_stmt *st = NULL;
    if (prepare_numbered(c->db, sql, SQLITE_PREPARE_PERSISTENT, &st) != SQLITE_OK)
        return NULL;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_finalize(c->cache[victim].stmt);
    free(c->cache[victim].sql);
    c->cache[victim].sql = copy;
    c->cache[victim].stmt = st;
    c->cache[victim].used = c->tick;
    c->cache[victim].h = h;
    return st;
}

static int bind_val(sqlite3_stmt *st, int i, const st_val *v)
{
    switch (v->type) {
    case ST_VAL_INT:
        return sqlite3_bind_int64(st, i, v->i);
    case ST_VAL_TEXT:
        return sqlite3_bind_text(st, i, v->p, (int)v->n, SQLITE_STATIC);
    case ST_VAL_BLOB:
        return sqlite3_bind_blob(st, i, v->p, (int)v->n, SQLITE_STATIC);
    default:
        return sqlite3_bind_null(st, i);
    }
}

/* A read connection on the store's file. Reads map the file (as much of it
 * as this SQLite allows: its SQLITE_MAX_MMAP_SIZE caps the request): pages
 * come straight from the page cache, without a copy and a read call each. */
static st_rc reader_open(st_sqlite *q, st_sqlite_conn *c, st_error *err)
{
    st_rc rc = conn_open(c, q->path, SQLITE_OPEN_READONLY, err);
    if (rc == ST_OK)
        exec_sql(c->db, "PRAGMA cache_size = -32768; PRAGMA mmap_size = 1099511627776");
    return rc;
}

/* A read connection for this call, locked: a free one, else a new one
 * while fewer than ST_SQLITE_READERS are open, else wait for one. Readers
 * never block each other (WAL) or the writer. */
static st_sqlite_conn *reader_get(st_sqlite *q, st_error *err)
{
    int n = __atomic_load_n(&q->nr, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (pthread_mutex_trylock(&q->r[i].mu) == 0)
            return &q->r[i];
    pthread_mutex_lock(&q->pool_mu);
    n = q->nr;
    if (n < ST_SQLITE_READERS && reader_open(q, &q->r[n], err) == ST_OK) {
        pthread_mutex_lock(&q->r[n].mu);
        __atomic_store_n(&q->nr, n + 1, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&q->pool_mu);
        return &q->r[n];
    }
    pthread_mutex_unlock(&q->pool_mu);
    if (n == 0) /* none could be opened (err says why) */
        return NULL;
    static unsigned turn; /* all busy: queue on one of them, in turn */
    st_sqlite_conn *c = &q->r[__atomic_fetch_add(&turn, 1, __ATOMIC_RELAXED) % (unsigned)n];
    pthread_mutex_lock(&c->mu);
    return c;
}

/* ---- schema ------------------------------------------------------------------ */

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static st_rc sq_schema_version(void *impl, int *v, st_error *err)
{
    st_sqlite *q = impl;
    sqlite3 *db = q->w.db ? q->w.db : q->r[0].db;
    if (user_version(db, v))
        return db_fail(err, db, "reading the schema version");
    return ST_OK;
}

static st_rc migrate_locked(st_sqlite *q, int *from, int *to, st_error *err)
{
    sqlite3 *db = q->w.db;
    if (exec_sql(db, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_fail(err, db, "starting the migration");
    int v = 0;
    if (user_version(db, &v)) {
        exec_sql(db, "ROLLBACK");
        return db_fail(err, db, "reading the schema version");
    }
    if (from)
        *from = v;
    if (v > st_sqlite_migration_count) {
        exec_sql(db, "ROLLBACK");
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "%s has schema version %d; this serialtrack knows up to %d: upgrade "
                       "serialtrack",
                       q->path, v, st_sqlite_migration_count);
    }
    for (; v < st_sqlite_migration_count; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (exec_sql(db, st_sqlite_migrations[v]) != SQLITE_OK ||
            exec_sql(db, pragma) != SQLITE_OK) {
            st_rc rc = db_fail(err, db, "migrating the schema");
            exec_sql(db, "ROLLBACK");
            return rc;
        }
    }
    if (exec_sql(db, "COMMIT") != SQLITE_OK) {
        st_rc rc = db_fail(err, db, "committing the migration");
        exec_sql(db, "ROLLBACK");
        return rc;
    }
    if (to)
        *to = v;
    return ST_OK;
}

static st_rc prepare_writes(st_sqlite *q, st_error *err)
{
    for (int i = 0; i < SQ_COUNT; i++) {
        if (q->st[i])
            continue;
        if (sqlite3_prepare_v3(q->w.db, write_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                               NULL) != SQLITE_OK)
            return db_fail(err, q->w.db, "preparing the write path");
    }
    return ST_OK;
}

static st_rc sq_migrate(void *impl, int *from, int *to, st_error *err)
{
    st_sqlite *q = impl;
    if (!q->w.db)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&q->w.mu);
    st_rc rc = migrate_locked(q, from, to, err);
    if (rc == ST_OK && from && q->version_at_open < *from)
        *from = q->version_at_open; /* open already applied them */
    if (rc == ST_OK)
        rc = prepare_writes(q, err);
    pthread_mutex_unlock(&q->w.mu);
    return rc;
}

/* ---- open and close ---------------------------------------------------------- */

static void sq_close(void *impl)
{
    st_sqlite *q = impl;
    if (!q)
        return;
    for (int i = 0; i < SQ_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    for (int i = 0; i < q->nr; i++) /* the writer closes last: it checkpoints the WAL */
        conn_close(&q->r[i]);
    pthread_mutex_destroy(&q->pool_mu);
    conn_close(&q->w);
    st_idcache_free(&q->ids);
    st_statemerge_free(&q->sm);
    free(q);
}

static st_rc sq_open(const char *target, const st_store_opts *o, void **impl, st_error *err)
{
    if (!target || !*target)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no database file given");
    if (strlen(target) >= sizeof((st_sqlite *)0)->path)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "the database path is longer than %zu bytes",
                       sizeof((st_sqlite *)0)->path - 1);
    struct stat sb;
    int exists = stat(target, &sb) == 0;
    if (!exists && o->read_only)
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no store at %s (capture something first)",
                       target);
    st_sqlite *q = calloc(1, sizeof *q);
    if (!q)
        return ST_ERR_NOMEM;
    snprintf(q->path, sizeof q->path, "%s", target);
    q->read_only = o->read_only;
    st_idcache_init(&q->ids);
    st_statemerge_init(&q->sm);
    pthread_mutex_init(&q->pool_mu, NULL);
    st_rc rc = ST_OK;
    if (!o->read_only) {
        rc = conn_open(&q->w, target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
        if (rc)
            goto fail;
        char *msg = NULL;
        if (sqlite3_exec(
                q->w.db,
                "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                " PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA "
                "wal_autocheckpoint = 20000;",
                NULL, NULL, &msg) != SQLITE_OK) {
            rc = st_fail(err, ST_ERR_IO, -1, NULL, "%s: %s", target,
                         msg ? msg : "cannot set the journal mode");
            sqlite3_free(msg);
            goto fail;
        }
        int v = 0;
        if (user_version(q->w.db, &v)) {
            rc = db_fail(err, q->w.db, target);
            goto fail;
        }
        q->version_at_open = v;
        if (v == 0 || (o->migrate && v < st_sqlite_migration_count)) {
            if ((rc = migrate_locked(q, NULL, NULL, err)))
                goto fail;
        } else if (v != st_sqlite_migration_count) {
            rc = st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                         v < st_sqlite_migration_count
                             ? "%s has schema version %d; this serialtrack needs %d: run "
                               "`serialtrack db migrate`"
                             : "%s has schema version %d; this serialtrack knows up to %d: "
                               "upgrade serialtrack",
                         target, v, st_sqlite_migration_count);
            goto fail;
        }
        if ((rc = prepare_writes(q, err)))
            goto fail;
    }
    rc = reader_open(q, &q->r[0], err);
    if (rc)
        goto fail;
    q->nr = 1;
    if (o->read_only) {
        int v = 0;
        if (user_version(q->r[0].db, &v)) {
            rc = db_fail(err, q->r[0].db, target);
            goto fail;
        }
        if (v != st_sqlite_migration_count) {
            rc = st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                         "%s has schema version %d; this serialtrack reads %d%s", target, v,
                         st_sqlite_migration_count,
                         v < st_sqlite_migration_count ? ": run `serialtrack db migrate`" : "");
            goto fail;
        }
    }
    *impl = q;
    return ST_OK;
fail:
    sq_close(q);
    return rc;
}

/* ---- the write path ------------------------------------------------------------ */

/* One statement: bind, step to the end, reset. Returns the sqlite code of the step. */
static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

static void bind_opt_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

/* The ident id of key (inserting it when new); 0 for a NULL key, -1 on error. */
static int64_t ident_id(st_sqlite *q, const char *key)
{
    if (!key)
        return 0;
    size_t n = strlen(key);
    int64_t id = st_idcache_get(&q->ids, key, n);
    if (id)
        return id;
    /* most keys the cache misses are new (first sighting is commissioning):
     * try the insert first, look up only when the key was already there */
    sqlite3_stmt *st = q->st[SQ_IDENT_ADD];
    sqlite3_bind_text(st, 1, key, (int)n, SQLITE_STATIC);
    if (run(st) != SQLITE_DONE)
        return -1;
    if (sqlite3_changes(q->w.db) == 1) {
        id = sqlite3_last_insert_rowid(q->w.db);
    } else {
        st = q->st[SQ_IDENT_GET];
        sqlite3_bind_text(st, 1, key, (int)n, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (!id)
            return -1;
    }
    st_idcache_put(&q->ids, key, n, id);
    return id;
}

/* The ids an event's state update needs, looked up once per event. */
struct ev_ids {
    int64_t event, parent, biz_step, disposition, read_point, biz_location, owner, possessor;
};

static int is_instance(unsigned role)
{
    return role >= ST_ROLE_EPC && role <= ST_ROLE_OUTPUT;
}

static int flush_states(st_sqlite *q);

#define MERGE_MAX 200000 /* items merged before a document's states are written */

/* Item state of one instance identifier named by e, merged into the
 * document's deltas (written by flush_states). */
static int update_state(st_sqlite *q, const st_cap_event *e, const st_cap_ref *r, int64_t item,
                        const struct ev_ids *x)
{
    int64_t t = e->event_time;
    if (q->sm.n >= MERGE_MAX && flush_states(q)) /* bounded memory for huge documents */
        return -1;
    st_state_delta *d = st_statemerge_touch(&q->sm, item, t, x->event);
    if (!d)
        return -1;
    if (x->disposition > 0)
        st_statemerge_set(d, ST_SC_DISPOSITION, x->disposition, t);
    if (x->read_point > 0)
        st_statemerge_set(d, ST_SC_READ_POINT, x->read_point, t);
    if (x->biz_location > 0)
        st_statemerge_set(d, ST_SC_BIZ_LOCATION, x->biz_location, t);
    /* container: set by aggregation ADD/OBSERVE of a child, cleared by DELETE */
    if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD && x->parent > 0)
        st_statemerge_set(d, ST_SC_CONTAINER, e->action == ST_ACTION_DELETE ? 0 : x->parent, t);
    if (x->owner > 0)
        st_statemerge_set(d, ST_SC_OWNER, x->owner, t);
    if (x->possessor > 0)
        st_statemerge_set(d, ST_SC_POSSESSOR, x->possessor, t);
    if (r->lot_key) {
        int64_t lot = ident_id(q, r->lot_key);
        if (lot < 0)
            return -1;
        st_statemerge_set(d, ST_SC_LOT, lot, t);
        if (e->expiry)
            st_statemerge_expiry(d, e->expiry, t);
        sqlite3_stmt *l = q->st[SQ_LOT_ADD];
        sqlite3_bind_int64(l, 1, lot);
        sqlite3_bind_int64(l, 2, item);
        if (run(l) != SQLITE_DONE)
            return -1;
    }
    if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_ADD)
        st_statemerge_set(d, ST_SC_DELETED, 0, t);
    else if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_DELETE)
        st_statemerge_set(d, ST_SC_DELETED, 1, t);
    return 0;
}

/* Write the document's merged item states: one upsert per item. */
static int flush_states(st_sqlite *q)
{
    sqlite3_stmt *st = q->st[SQ_STATE_UPSERT];
    for (size_t i = 0; i < q->sm.n; i++) {
        const st_state_delta *d = &q->sm.d[i];
        sqlite3_bind_int64(st, 1, d->ident);
        sqlite3_bind_int64(st, 2, d->first);
        sqlite3_bind_int64(st, 3, d->last);
        sqlite3_bind_int64(st, 4, d->last_event);
        for (int c = 0; c < ST_SC_COUNT; c++) {
            int p =
                5 + 2 * (c < ST_SC_LOT + 1 ? c : c + 1); /* expiry sits between lot and deleted */
            if (d->col[c].set) {
                sqlite3_bind_int64(st, p, d->col[c].v);
                sqlite3_bind_int64(st, p + 1, d->col[c].t);
            } else {
                sqlite3_bind_null(st, p);
                sqlite3_bind_null(st, p + 1);
            }
        }
        if (d->expiry) {
            sqlite3_bind_text(st, 19, d->expiry, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 20, d->expiry_t);
        } else {
            sqlite3_bind_null(st, 19);
            sqlite3_bind_null(st, 20);
        }
        if (run(st) != SQLITE_DONE)
            return -1;
    }
    st_statemerge_reset(&q->sm);
    return 0;
}

static int containment(st_sqlite *q, const st_cap_event *e, int64_t child, const struct ev_ids *x)
{
    if (e->action == ST_ACTION_ADD || e->action == ST_ACTION_OBSERVE) {
        /* packing into a new parent ends the previous period implicitly:
         * a period lasts until its unpacking or the child's next packing;
         * an observation of the packing confirms it (and starts a period
         * when the packing itself was never captured) */
        sqlite3_stmt *st = q->st[SQ_PACK];
        sqlite3_bind_int64(st, 1, child);
        sqlite3_bind_int64(st, 2, x->event);
        sqlite3_bind_int64(st, 3, x->parent);
        return run(st) == SQLITE_DONE ? 0 : -1;
    }
    if (e->action == ST_ACTION_DELETE) {
        sqlite3_stmt *st = q->st[SQ_UNPACK];
        sqlite3_bind_int64(st, 1, child);
        sqlite3_bind_int64(st, 2, x->event);
        return run(st) == SQLITE_DONE ? 0 : -1;
    }
    return 0;
}

/* An AggregationEvent DELETE without children empties the parent: every
 * child still in it (by its merged or stored state) leaves it. */
static int unpack_all(st_sqlite *q, const st_cap_event *e, const struct ev_ids *x)
{
    sqlite3_stmt *st = q->st[SQ_UNPACK_ALL]; /* before the rows are closed */
    sqlite3_bind_int64(st, 1, x->parent);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t child = sqlite3_column_int64(st, 0);
        st_state_delta *d = st_statemerge_find(&q->sm, child);
        int64_t now = d && d->col[ST_SC_CONTAINER].set               ? d->col[ST_SC_CONTAINER].v
                      : sqlite3_column_type(st, 1) == SQLITE_INTEGER ? sqlite3_column_int64(st, 1)
                                                                     : 0;
        if (now != x->parent)
            continue; /* it has moved on since */
        if (!(d = st_statemerge_touch(&q->sm, child, e->event_time, x->event))) {
            sqlite3_reset(st);
            return -1;
        }
        st_statemerge_set(d, ST_SC_CONTAINER, 0, e->event_time);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    st = q->st[SQ_UNPACK_PARENT];
    sqlite3_bind_int64(st, 1, x->parent);
    sqlite3_bind_int64(st, 2, x->event);
    return run(st) == SQLITE_DONE ? 0 : -1;
}

static int add_genealogy(st_sqlite *q, int64_t xform, unsigned role, int64_t item)
{
    sqlite3_stmt *st = q->st[SQ_GENEALOGY_ADD];
    sqlite3_bind_int64(st, 1, xform);
    sqlite3_bind_int(st, 2, (int)role);
    sqlite3_bind_int64(st, 3, item);
    return run(st) == SQLITE_DONE ? 0 : -1;
}

/* The digest of a hash ID ("ni:///sha-256;" and 64 hex digits, then "?..."
 * or nothing) into out; 0 when s is not one. */
static int hashid_digest(const char *s, unsigned char out[32])
{
    static const char pre[] = "ni:///sha-256;";
    if (strncmp(s, pre, sizeof pre - 1))
        return 0;
    s += sizeof pre - 1;
    for (int i = 0; i < 64; i++) {
        int c = s[i] | 0x20; /* lower case; digits are unchanged */
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return 0;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return s[64] == 0 || s[64] == '?';
}

/* item_life of item when e commissions or decommissions it. */
static int life(st_sqlite *q, const st_cap_event *e, unsigned role, int64_t item, int64_t event)
{
    int c = st_cap_commissions(e, role), dc = st_cap_decommissions(e, role);
    for (int k = 0; k < 2; k++) {
        if (!(k ? dc : c))
            continue;
        sqlite3_stmt *st = q->st[k ? SQ_DECOMMISSION : SQ_COMMISSION];
        sqlite3_bind_int64(st, 1, item);
        sqlite3_bind_int64(st, 2, event);
        sqlite3_bind_int64(st, 3, e->event_time);
        if (run(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* The anomalies of event index i (stored as event id) of d; *next is the
 * first anomaly not yet written (d->anom is in event order). */
static int add_anomalies(st_sqlite *q, const st_cap_doc *d, size_t i, int64_t event,
                         int64_t record_ms, size_t *next)
{
    for (; *next < d->n_anom && d->anom[*next].event <= i; ++*next) {
        const st_cap_anomaly *a = &d->anom[*next];
        if (a->event < i || !event)
            continue; /* its event was a duplicate: stored before, with what it found then */
        int64_t item = ident_id(q, a->key), loc = ident_id(q, a->location);
        if (item < 0 || loc < 0)
            return -1;
        sqlite3_stmt *st = q->st[SQ_ANOMALY_ADD];
        sqlite3_bind_int64(st, 1, event);
        sqlite3_bind_int64(st, 2, item);
        sqlite3_bind_text(st, 3, a->rule, -1, SQLITE_STATIC);
        bind_opt_id(st, 4, loc);
        sqlite3_bind_int64(st, 5, record_ms);
        sqlite3_bind_text(st, 6, a->evidence, -1, SQLITE_STATIC);
        if (run(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

static int add_geo(st_sqlite *q, const st_cap_doc *d)
{
    for (size_t i = 0; i < d->n_geo; i++) {
        int64_t loc = ident_id(q, d->geo[i].loc);
        if (loc < 0)
            return -1;
        sqlite3_stmt *st = q->st[SQ_GEO_ADD];
        sqlite3_bind_int64(st, 1, loc);
        sqlite3_bind_int64(st, 2, d->geo[i].lat_e6);
        sqlite3_bind_int64(st, 3, d->geo[i].lon_e6);
        if (run(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* Store one event and its projections. *stored is 1 when it was new. */
static int store_event(st_sqlite *q, const st_cap_event *e, int64_t batch, int64_t record_ms,
                       int *stored, int64_t *event_id)
{
    *stored = 0;
    /* An event that declared its own hash ID as eventID keeps no event_id
     * (capture.h), so the insert's conflict cannot see that eventID again: a
     * declared eventID that is the hash ID of a stored event is a duplicate. */
    unsigned char declared[32];
    if (e->event_id && hashid_digest(e->event_id, declared)) {
        sqlite3_stmt *st = conn_stmt(&q->w, "SELECT 1 FROM event WHERE hash = ?1");
        if (!st)
            return -1;
        sqlite3_bind_blob(st, 1, declared, 32, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return 0;
        if (rc != SQLITE_DONE)
            return -1;
    }
    struct ev_ids x = {0};
    if ((x.biz_step = ident_id(q, e->biz_step)) < 0 ||
        (x.disposition = ident_id(q, e->disposition)) < 0 ||
        (x.read_point = ident_id(q, e->read_point)) < 0 ||
        (x.biz_location = ident_id(q, e->biz_location)) < 0 ||
        (x.owner = ident_id(q, e->owner)) < 0 || (x.possessor = ident_id(q, e->possessor)) < 0)
        return -1;
    sqlite3_stmt *st = q->st[SQ_EVENT_ADD];
    sqlite3_bind_int64(st, 1, batch);
    sqlite3_bind_int64(st, 2, record_ms);
    sqlite3_bind_int64(st, 3, e->event_time);
    sqlite3_bind_int(st, 4, e->type);
    sqlite3_bind_int(st, 5, e->action);
    bind_opt_id(st, 6, x.biz_step);
    bind_opt_id(st, 7, x.disposition);
    bind_opt_id(st, 8, x.read_point);
    bind_opt_id(st, 9, x.biz_location);
    sqlite3_bind_int64(st, 10, e->fields);
    sqlite3_bind_blob(st, 11, e->hash, 32, SQLITE_STATIC);
    if (e->event_id)
        sqlite3_bind_text(st, 12, e->event_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 12);
    sqlite3_bind_blob(st, 13, e->body, (int)e->body_len, SQLITE_STATIC);
    int64_t xform_id = 0;
    if (e->type == ST_EVENT_TRANSFORMATION && e->xform_id &&
        (xform_id = ident_id(q, e->xform_id)) < 0)
        return -1;
    bind_opt_id(st, 14, xform_id);
    if (run(st) != SQLITE_DONE)
        return -1;
    if (sqlite3_changes(q->w.db) == 0)
        return 0; /* already stored: nothing else changes */
    x.event = sqlite3_last_insert_rowid(q->w.db);
    *event_id = x.event;
    *stored = 1;

    for (size_t i = 0; i < e->n_refs; i++)
        if (e->refs[i].role == ST_ROLE_PARENT && (x.parent = ident_id(q, e->refs[i].key)) < 0)
            return -1;
    int64_t xform = xform_id ? xform_id : -x.event;
    int children = 0;
    for (size_t i = 0; i < e->n_refs; i++) {
        const st_cap_ref *r = &e->refs[i];
        int64_t item = ident_id(q, r->key);
        if (item < 0)
            return -1;
        /* one row per statement: measured faster than multi-row VALUES
         * with ON CONFLICT, which SQLite runs through a co-routine */
        st = q->st[SQ_EPC_ADD];
        sqlite3_bind_int64(st, 1, item);
        sqlite3_bind_int64(st, 2, x.event);
        sqlite3_bind_int(st, 3, r->role);
        if (run(st) != SQLITE_DONE)
            return -1;
        if (is_instance(r->role) && update_state(q, e, r, item, &x))
            return -1;
        if (is_instance(r->role) && life(q, e, r->role, item, x.event))
            return -1;
        if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD && x.parent > 0) {
            children++;
            if (containment(q, e, item, &x))
                return -1;
        }
        if (e->type == ST_EVENT_TRANSFORMATION && r->role >= ST_ROLE_INPUT &&
            r->role != ST_ROLE_EPC_CLASS && r->role != ST_ROLE_CHILD_CLASS &&
            add_genealogy(q, xform, r->role, item))
            return -1;
    }
    if (e->type == ST_EVENT_AGGREGATION && e->action == ST_ACTION_DELETE && x.parent > 0 &&
        !children && unpack_all(q, e, &x))
        return -1;
    return 0;
}

static int add_links(st_sqlite *q, const st_cap_doc *d)
{
    for (size_t i = 0; i < d->n_links; i++) {
        int64_t p = ident_id(q, d->links[i].parent), c = ident_id(q, d->links[i].child);
        if (p < 0 || c < 0)
            return -1;
        sqlite3_stmt *st = q->st[SQ_LOCATION_ADD];
        sqlite3_bind_int64(st, 1, p);
        sqlite3_bind_int64(st, 2, c);
        if (run(st) != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* The chain's tail as the transaction sees it. */
struct tail {
    int64_t batch;          /* last link id */
    unsigned char hash[32]; /* its hash */
    int64_t record_ms;      /* its record time */
};

static int read_tail(st_sqlite *q, struct tail *t)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *st = q->st[SQ_LAST_BATCH];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->batch = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == 32)
            memcpy(t->hash, sqlite3_column_blob(st, 1), 32);
        t->record_ms = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static st_rc conn_run(st_sqlite_conn *c, const char *sql, const st_val *args, int nargs,
                      st_row_cb cb, void *ctx, st_error *err);

/* The lineage index's view of the write connection (lib/store/lineage.h). */
static st_rc lin_query(void *ctx, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                       void *arg, st_error *err)
{
    st_sqlite *q = ctx;
    return conn_run(&q->w, sql, args, nargs, cb, arg, err);
}

static int64_t lin_ident(void *ctx, const char *key)
{
    return ident_id(ctx, key);
}

static st_rc run_side(st_sqlite *q, st_cap_doc *d);

/* Store one document inside the open transaction; on failure its savepoint
 * is rolled back and d->rc says why. */
static void commit_doc(st_sqlite *q, st_cap_doc *d, struct tail *t, int64_t record_ms)
{
    d->stored = d->duplicates = 0;
    d->batch = 0;
    d->record_ms = record_ms;
    d->rc = ST_OK;
    if (exec_sql(q->w.db, "SAVEPOINT doc") != SQLITE_OK) {
        d->rc = ST_ERR_IO;
        snprintf(d->msg, sizeof d->msg, "%s", sqlite3_errmsg(q->w.db));
        return;
    }
    int64_t batch = t->batch + 1, first = 0, last = 0;
    st_chain ch = {0};
    st_rc side = ST_OK; /* the failure of a side statement, if that was it */
    st_error lerr;
    st_error_clear(&lerr);
    unsigned char *skip = calloc(d->n + 1, 1);
    if (!skip || st_chain_begin(&ch, t->hash, batch, record_ms) != ST_OK)
        goto fail;
    size_t next_anom = 0;
    for (size_t i = 0; i < d->n; i++) {
        int stored = 0;
        int64_t id = 0;
        if (store_event(q, &d->ev[i], batch, record_ms, &stored, &id))
            goto fail;
        if (d->n_anom && add_anomalies(q, d, i, stored ? id : 0, record_ms, &next_anom))
            goto fail;
        if (!stored) {
            d->duplicates++;
            skip[i] = 1;
            continue;
        }
        if (!first)
            first = id;
        last = id;
        d->stored++;
        st_chain_event(&ch, d->ev[i].hash);
    }
    if (flush_states(q) || add_links(q, d) || add_geo(q, d))
        goto fail;
    st_write_io lio = {q, lin_query, lin_ident, 1, 0, 0, NULL};
    if (d->stored && st_lin_apply(&lio, d, skip, first, &lerr) != ST_OK)
        goto fail;
    unsigned char h[32];
    if (st_chain_end(&ch, h) != ST_OK)
        goto fail;
    if (d->stored) {
        sqlite3_stmt *st = q->st[SQ_BATCH_ADD];
        sqlite3_bind_int64(st, 1, batch);
        sqlite3_bind_int64(st, 2, record_ms);
        sqlite3_bind_int64(st, 3, first);
        sqlite3_bind_int64(st, 4, last);
        sqlite3_bind_int64(st, 5, (int64_t)d->stored);
        sqlite3_bind_blob(st, 6, t->hash, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, h, 32, SQLITE_STATIC);
        if (run(st) != SQLITE_DONE)
            goto fail;
    }
    /* the statements that stand or fall with the events (capture.h) */
    if (d->n_side && (side = run_side(q, d)) != ST_OK)
        goto fail;
    if (exec_sql(q->w.db, "RELEASE doc") != SQLITE_OK)
        goto fail;
    if (d->stored) {
        t->batch = batch;
        memcpy(t->hash, h, 32);
        d->batch = batch;
    }
    free(skip);
    return;
fail:
    free(skip);
    st_chain_abort(&ch);
    d->rc = side                                                ? side
            : sqlite3_errcode(q->w.db) == SQLITE_NOMEM || !skip ? ST_ERR_NOMEM
                                                                : ST_ERR_IO;
    if (!side) /* run_side wrote its own reason */
        snprintf(d->msg, sizeof d->msg, "storing the document failed: %s",
                 lerr.msg[0] ? lerr.msg : sqlite3_errmsg(q->w.db));
    exec_sql(q->w.db, "ROLLBACK TO doc");
    exec_sql(q->w.db, "RELEASE doc");
    st_statemerge_reset(&q->sm);
    st_idcache_clear(&q->ids); /* ids inserted by the rolled-back part are gone */
    d->stored = d->duplicates = 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static st_rc sq_commit(void *impl, st_cap_doc **docs, size_t n, st_error *err)
{
    st_sqlite *q = impl;
    if (!q->w.db)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&q->w.mu);
    st_rc rc = ST_OK;
    struct tail t;
    if (exec_sql(q->w.db, "BEGIN IMMEDIATE") != SQLITE_OK) {
        rc = db_fail(err, q->w.db, "starting the capture");
        goto out;
    }
    if (read_tail(q, &t)) {
        rc = db_fail(err, q->w.db, "reading the chain");
        exec_sql(q->w.db, "ROLLBACK");
        goto out;
    }
    /* record times never go backwards, whatever the clock does */
    int64_t record_ms = now_ms();
    if (record_ms < t.record_ms)
        record_ms = t.record_ms;
    for (size_t i = 0; i < n; i++)
        commit_doc(q, docs[i], &t, record_ms);
    if (exec_sql(q->w.db, "COMMIT") != SQLITE_OK) {
        rc = db_fail(err, q->w.db, "committing the capture");
        exec_sql(q->w.db, "ROLLBACK");
        st_idcache_clear(&q->ids);
    }
out:
    if (rc != ST_OK)
        for (size_t i = 0; i < n; i++) {
            docs[i]->rc = rc;
            docs[i]->stored = docs[i]->duplicates = 0;
            docs[i]->batch = 0;
            snprintf(docs[i]->msg, sizeof docs[i]->msg, "%s",
                     err && err->msg[0] ? err->msg : "the capture failed");
        }
    pthread_mutex_unlock(&q->w.mu);
    return rc;
}

/* ---- reads ----------------------------------------------------------------------- */

#define MAX_COLS 32

/* Hand the current row of st to cb as st_val columns (the first MAX_COLS). */
static st_rc row_out(sqlite3_stmt *st, st_row_cb cb, void *ctx)
{
    int ncols = sqlite3_column_count(st);
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    st_val cols[MAX_COLS];
    for (int i = 0; i < ncols; i++) {
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            cols[i] = st_val_int(sqlite3_column_int64(st, i));
            break;
        case SQLITE_TEXT:
        case SQLITE_FLOAT:
            cols[i].type = ST_VAL_TEXT;
            cols[i].p = sqlite3_column_text(st, i);
            cols[i].n = (size_t)sqlite3_column_bytes(st, i);
            cols[i].i = 0;
            break;
        case SQLITE_BLOB:
            cols[i] = st_val_blob(sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i));
            break;
        default:
            cols[i] = (st_val){ST_VAL_NULL, 0, NULL, 0};
        }
    }
    return cb(ctx, cols, ncols);
}

/* A read transaction this thread holds across several reads of one store
 * (sq_read_begin .. sq_read_end): its reads share one connection, one
 * snapshot and one WAL read lock instead of taking them per statement. */
static _Thread_local struct {
    st_sqlite *q;      /* the store, or NULL when none is held */
    st_sqlite_conn *c; /* its connection, locked by this thread */
    int depth;         /* begins not yet ended */
    int other;         /* begins on other stores while one is held (not pinned) */
} pin;

static st_rc sq_read_begin(void *impl, st_error *err)
{
    st_sqlite *q = impl;
    if (pin.q == q) {
        pin.depth++;
        return ST_OK;
    }
    if (pin.q) {
        pin.other++;
        return ST_OK;
    }
    st_sqlite_conn *c = reader_get(q, err);
    if (!c)
        return err && err->rc ? err->rc : ST_ERR_IO;
    if (exec_sql(c->db, "BEGIN") != SQLITE_OK) {
        st_rc rc = db_fail(err, c->db, "starting a read transaction");
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    pin.q = q;
    pin.c = c;
    pin.depth = 1;
    return ST_OK;
}

static void sq_read_end(void *impl)
{
    if (pin.q != impl) {
        if (pin.other)
            pin.other--;
        return;
    }
    if (--pin.depth > 0)
        return;
    exec_sql(pin.c->db, "COMMIT"); /* a read: nothing to lose if it fails */
    pthread_mutex_unlock(&pin.c->mu);
    pin.q = NULL;
    pin.c = NULL;
}

/* Run sql on c (whose lock the caller holds), its rows to cb. */
static st_rc conn_run(st_sqlite_conn *c, const char *sql, const st_val *args, int nargs,
                      st_row_cb cb, void *ctx, st_error *err)
{
    sqlite3_stmt *st = conn_stmt(c, sql);
    if (!st)
        return db_fail(err, c->db, "preparing a query");
    st_rc rc = ST_OK;
    for (int i = 0; i < nargs; i++)
        if (bind_val(st, i + 1, &args[i]) != SQLITE_OK) {
            rc = db_fail(err, c->db, "binding a query parameter");
            goto done;
        }
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if (cb && (rc = row_out(st, cb, ctx)) != ST_OK)
            goto done;
    if (s != SQLITE_DONE)
        rc = db_fail(err, c->db, "running a query");
done:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static st_rc sq_exec(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                     void *ctx, st_error *err)
{
    st_sqlite *q = impl;
    int pinned = pin.q == q;
    st_sqlite_conn *c = pinned ? pin.c : reader_get(q, err);
    if (!c)
        return err && err->rc ? err->rc : ST_ERR_IO;
    st_rc rc = conn_run(c, sql, args, nargs, cb, ctx, err);
    if (!pinned)
        pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- other work in a write transaction ------------------------------------------------- */

static st_rc sq_write_tx(void *impl, st_write_fn fn, void *ctx, st_error *err)
{
    st_sqlite *q = impl;
    if (!q->w.db)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&q->w.mu);
    st_rc rc = ST_OK;
    if (exec_sql(q->w.db, "BEGIN IMMEDIATE") != SQLITE_OK)
        rc = db_fail(err, q->w.db, "starting a write");
    else {
        st_write_io io = {q, lin_query, lin_ident, 1, 0, 0, NULL};
        rc = fn(&io, ctx, err);
        if (!rc && exec_sql(q->w.db, "COMMIT") != SQLITE_OK)
            rc = db_fail(err, q->w.db, "committing a write");
        if (rc) {
            exec_sql(q->w.db, "ROLLBACK");
            st_idcache_clear(&q->ids); /* ids inserted by the rolled-back part are gone */
        }
    }
    pthread_mutex_unlock(&q->w.mu);
    return rc;
}

/* ---- administration ------------------------------------------------------------------ */

/* The side statements of d (capture.h) on the write connection, inside the
 * document's savepoint: ST_OK, or the first failure's code with its reason
 * in d->msg (a violated constraint is ST_ERR_ARG, as in sq_admin_exec). */
static st_rc run_side(st_sqlite *q, st_cap_doc *d)
{
    if (d->n_side > ST_STORE_MAX_SIDE_STATEMENTS) {
        snprintf(d->msg, sizeof d->msg,
                 "%zu statements to commit with the document; the limit is %d "
                 "(ST_STORE_MAX_SIDE_STATEMENTS)",
                 d->n_side, ST_STORE_MAX_SIDE_STATEMENTS);
        return ST_ERR_LIMIT;
    }
    for (size_t k = 0; k < d->n_side; k++) {
        const st_cap_side *x = &d->side[k];
        sqlite3_stmt *st = NULL;
        st_rc rc = ST_OK;
        int s = prepare_numbered(q->w.db, x->sql, 0, &st);
        for (int i = 0; s == SQLITE_OK && i < x->nargs; i++)
            s = bind_val(st, i + 1, &x->args[i]);
        if (s == SQLITE_OK)
            while ((s = sqlite3_step(st)) == SQLITE_ROW)
                if (x->cb && (rc = row_out(st, x->cb, x->ctx)) != ST_OK)
                    break;
        if (!rc && s != SQLITE_DONE)
            rc = sqlite3_errcode(q->w.db) == SQLITE_CONSTRAINT ? ST_ERR_ARG
                 : sqlite3_errcode(q->w.db) == SQLITE_NOMEM    ? ST_ERR_NOMEM
                                                               : ST_ERR_IO;
        if (rc)
            snprintf(d->msg, sizeof d->msg, "a statement committed with the events failed: %s",
                     s == SQLITE_DONE || s == SQLITE_ROW ? st_strerror(rc)
                                                         : sqlite3_errmsg(q->w.db));
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    return ST_OK;
}

static st_rc sq_admin_exec(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                           void *ctx, int64_t *changes, st_error *err)
{
    st_sqlite *q = impl;
    if (changes)
        *changes = 0;
    if (!q->w.db)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&q->w.mu);
    st_rc rc = ST_OK;
    sqlite3_stmt *st = NULL;
    if (exec_sql(q->w.db, "BEGIN IMMEDIATE") != SQLITE_OK) {
        rc = db_fail(err, q->w.db, "starting an administrative write");
        goto out;
    }
    if (prepare_numbered(q->w.db, sql, 0, &st) != SQLITE_OK) {
        rc = db_fail(err, q->w.db, "preparing an administrative write");
        goto rollback;
    }
    for (int i = 0; i < nargs; i++)
        if (bind_val(st, i + 1, &args[i]) != SQLITE_OK) {
            rc = db_fail(err, q->w.db, "binding a parameter");
            goto rollback;
        }
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if (cb && (rc = row_out(st, cb, ctx)) != ST_OK)
            goto rollback;
    if (s != SQLITE_DONE) {
        if (sqlite3_errcode(q->w.db) == SQLITE_CONSTRAINT)
            rc = st_fail(err, ST_ERR_ARG, -1, NULL, "%s", sqlite3_errmsg(q->w.db));
        else
            rc = db_fail(err, q->w.db, "an administrative write");
        goto rollback;
    }
    int64_t n = sqlite3_changes(q->w.db);
    sqlite3_finalize(st);
    st = NULL;
    if (exec_sql(q->w.db, "COMMIT") != SQLITE_OK) {
        rc = db_fail(err, q->w.db, "committing an administrative write");
        goto rollback;
    }
    if (changes)
        *changes = n;
    goto out;
rollback:
    sqlite3_finalize(st);
    exec_sql(q->w.db, "ROLLBACK");
out:
    pthread_mutex_unlock(&q->w.mu);
    return rc;
}

static int64_t file_size(const char *path, const char *suffix)
{
    char p[600];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    struct stat sb;
    return stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static st_rc sq_info(void *impl, st_store_info *info, st_error *err)
{
    st_sqlite *q = impl;
    snprintf(info->backend, sizeof info->backend, "sqlite");
    snprintf(info->location, sizeof info->location, "%s", q->path);
    info->bytes = file_size(q->path, "") + file_size(q->path, "-wal");
    return ST_OK;
}

const st_store_methods st_store_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .migrate = sq_migrate,
    .commit = sq_commit,
    .info = sq_info,
    .exec = sq_exec,
    .admin_exec = sq_admin_exec,
    .write_tx = sq_write_tx,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
};
