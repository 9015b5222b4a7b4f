/*
 * The PostgreSQL backend (st_store_postgres) on libpq: the URL goes to
 * PQconnectdb as it is (so PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
 * and ~/.pgpass apply), except serialtrack's own parameter schema=NAME, which
 * keeps the store in that PostgreSQL schema (created when missing) so that
 * several stores can share one database. One write connection (commits,
 * migrations, administrative writes) and a pool of read connections, each
 * with its statements prepared once; reads come back in binary form, so
 * integers are ST_VAL_INT and BYTEA columns the very bytes written.
 * The write path is in postgres_commit.c, the schema in postgres_schema.c.
 */
#include "store/postgres_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/sbuf.h"

st_rc st_pg_fail(st_error *err, PGconn *c, const PGresult *r, const char *what)
{
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    if (!msg || !*msg)
        msg = c ? PQerrorMessage(c) : "no connection";
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    st_rc rc = state && !strncmp(state, "23", 2)  ? ST_ERR_ARG   /* integrity constraint */
               : state && !strcmp(state, "53200") ? ST_ERR_NOMEM /* out of memory */
                                                  : ST_ERR_IO;
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return st_fail(err, rc, -1, NULL, "%s: %.*s", what, (int)n, msg);
}

int st_pg_run(PGconn *c, const char *sql, st_error *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    int bad = s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK;
    if (bad)
        st_pg_fail(err, c, r, "PostgreSQL");
    PQclear(r);
    return bad ? -1 : 0;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* NOTICEs ("already exists, skipping") are not for the user */
}

/* "name" quoted as an SQL identifier into out (names are checked at open). */
static void quote_ident(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "\"%s\"", name);
}

int st_pg_session(st_pg *p, st_pg_conn *c, st_error *err)
{
    PQsetNoticeProcessor(c->c, quiet, NULL);
    /* every statement here is short (a trace step, a page of events, a
     * commit's rows): starting parallel workers or JIT-compiling a plan
     * cost more than the statement (measured: a genealogy step that finds
     * nothing took 160 ms with two workers instead of 0.3 ms) */
    if (st_pg_run(c->c, "SET max_parallel_workers_per_gather = 0; SET jit = off", err))
        return -1;
    /* The write connection runs the same few prepared statements over and
     * over: a generic plan, made once, instead of a custom plan per call.
     * Planning an insert into the partitioned event log cost several times
     * the insert itself (measured, 100,000 events: commit 118 -> 8 us per
     * event). Readers keep custom plans: a generic plan of a genealogy or
     * history step can be far worse for the values at hand. */
    if ((c == &p->w || c == &p->in) &&
        st_pg_run(c->c, "SET plan_cache_mode = force_generic_plan", err))
        return -1;
    if (!p->schema[0])
        return 0;
    char q[80], sql[200];
    quote_ident(p->schema, q, sizeof q);
    /* a fresh store in a new schema: create it (two nodes racing: one wins) */
    if (!p->read_only) {
        snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", q);
        if (st_pg_run(c->c, sql, NULL))
            st_pg_run(c->c, sql, NULL);
    }
    snprintf(sql, sizeof sql, "SET search_path TO %s", q);
    return st_pg_run(c->c, sql, err);
}

st_rc st_pg_conn_open(st_pg *p, st_pg_conn *c, st_error *err)
{
    memset(c, 0, sizeof *c);
    c->c = PQconnectdb(p->conninfo);
    if (!c->c || PQstatus(c->c) != CONNECTION_OK) {
        st_rc rc = st_pg_fail(err, c->c, NULL, "connecting to PostgreSQL");
        PQfinish(c->c);
        c->c = NULL;
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    if (st_pg_session(p, c, err)) {
        st_pg_conn_close(c);
        return ST_ERR_IO;
    }
    return ST_OK;
}

void st_pg_conn_reset(st_pg *p, st_pg_conn *c)
{
    PQreset(c->c);
    st_pg_session(p, c, NULL);
    for (int i = 0; i < ST_PG_STMT_CACHE; i++) { /* a new session has none of them */
        free(c->cache[i].sql);
        c->cache[i].sql = NULL;
    }
}

void st_pg_conn_close(st_pg_conn *c)
{
    if (!c->c)
        return;
    for (int i = 0; i < ST_PG_STMT_CACHE; i++)
        free(c->cache[i].sql);
    PQfinish(c->c);
    pthread_mutex_destroy(&c->mu);
    memset(c, 0, sizeof *c);
}

/* ---- the URL ------------------------------------------------------------------------ */

/* Split url into the libpq URL (without schema=) and the schema name. */
static st_rc parse_url(const char *url, st_pg *p, st_error *err)
{
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);
    if (n >= sizeof p->conninfo)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "the store URL is longer than %zu bytes",
                       sizeof p->conninfo - 1);
    memcpy(p->conninfo, url, n);
    p->conninfo[n] = 0;
    char sep = '?';
    while (q && *q) {
        const char *a = q + 1, *e = strchr(a, '&');
        size_t len = e ? (size_t)(e - a) : strlen(a);
        if (len > 7 && !strncmp(a, "schema=", 7)) {
            size_t k = len - 7;
            if (k >= sizeof p->schema)
                return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                               "the schema name in the store URL is longer than %zu bytes",
                               sizeof p->schema - 1);
            for (size_t i = 0; i < k; i++) {
                char c = a[7 + i];
                if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9')))
                    return st_fail(err, ST_ERR_ARG, -1, NULL,
                                   "schema=%.*s in the store URL: a schema name is letters, "
                                   "digits and _",
                                   (int)k, a + 7);
            }
            memcpy(p->schema, a + 7, k);
            p->schema[k] = 0;
        } else if (len) {
            size_t m = strlen(p->conninfo);
            if (m + 1 + len >= sizeof p->conninfo)
                return st_fail(err, ST_ERR_LIMIT, -1, NULL, "the store URL is too long");
            p->conninfo[m] = sep;
            memcpy(p->conninfo + m + 1, a, len);
            p->conninfo[m + 1 + len] = 0;
            sep = '&';
        }
        q = e;
    }
    return ST_OK;
}

/* ---- schema ------------------------------------------------------------------------- */

/* The schema version as c sees it (0: no store there yet). */
static st_rc read_version(PGconn *c, int *v, st_error *err)
{
    *v = 0;
    PGresult *r = PQexec(c, "SELECT to_regclass('schema_version') IS NOT NULL");
    st_rc rc = ST_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = st_pg_fail(err, c, r, "reading the schema version");
    else if (PQgetvalue(r, 0, 0)[0] == 't') {
        PQclear(r);
        r = PQexec(c, "SELECT coalesce(max(version), 0) FROM schema_version");
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            rc = st_pg_fail(err, c, r, "reading the schema version");
        else
            *v = atoi(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return rc;
}

static st_rc pg_schema_version(void *impl, int *v, st_error *err)
{
    st_pg *p = impl;
    st_pg_conn *c = p->w.c ? &p->w : &p->r[0];
    pthread_mutex_lock(&c->mu);
    st_rc rc = read_version(c->c, v, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Apply the missing migrations in one transaction, serialised across
 * nodes by an advisory lock; then the event partitions. w.mu held. */
static st_rc migrate_locked(st_pg *p, int *from, int *to, st_error *err)
{
    PGconn *c = p->w.c;
    char sql[96];
    st_rc rc = ST_OK;
    int v = 0;
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)", ST_PG_LOCK_MIGRATE);
    if (st_pg_run(c, sql, err))
        goto fail;
    if ((rc = read_version(c, &v, err)))
        goto fail;
    if (from)
        *from = v;
    if (v > st_pg_migration_count) {
        rc = st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                     "the store has schema version %d; this serialtrack knows up to %d: upgrade "
                     "serialtrack",
                     v, st_pg_migration_count);
        goto fail;
    }
    if (v == 0 && st_pg_run(c, "CREATE TABLE schema_version (version BIGINT NOT NULL)", err))
        goto fail;
    for (; v < st_pg_migration_count; v++) {
        snprintf(sql, sizeof sql,
                 "DELETE FROM schema_version; INSERT INTO schema_version"
                 " VALUES (%d)",
                 v + 1);
        if (st_pg_run(c, st_pg_migrations[v], err) || st_pg_run(c, sql, err))
            goto fail;
    }
    if (st_pg_run(c, "COMMIT", err))
        goto fail;
    if (to)
        *to = v;
    return st_pg_partitions_ensure(p, &p->w, wall_ms(), err);
fail:
    st_pg_run(c, "ROLLBACK", NULL);
    return rc ? rc : ST_ERR_IO;
}

static st_rc pg_migrate(void *impl, int *from, int *to, st_error *err)
{
    st_pg *p = impl;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&p->w.mu);
    st_rc rc = migrate_locked(p, from, to, err);
    if (rc == ST_OK && from && p->version_at_open < *from)
        *from = p->version_at_open; /* open already applied them */
    if (rc == ST_OK)
        rc = st_pg_prepare_writes(p, err);
    pthread_mutex_unlock(&p->w.mu);
    return rc;
}

/* ---- open and close ------------------------------------------------------------------ */

static void pg_close(void *impl)
{
    st_pg *p = impl;
    if (!p)
        return;
    for (int i = 0; i < p->nr; i++)
        st_pg_conn_close(&p->r[i]);
    st_pg_conn_close(&p->w);
    st_pg_conn_close(&p->in);
    st_pg_conn_close(&p->listen);
    pthread_mutex_destroy(&p->pool_mu);
    pthread_mutex_destroy(&p->listen_mu);
    pthread_mutex_destroy(&p->in_mu);
    pthread_mutex_destroy(&p->ids_mu);
    st_idcache_free(&p->ids);
    st_statemerge_free(&p->sm);
    free(p);
}

static st_rc check_version(int v, int read_only, st_error *err)
{
    if (v == st_pg_migration_count)
        return ST_OK;
    if (v == 0 && read_only)
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL,
                       "no store in this PostgreSQL database (capture something first)");
    return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                   v < st_pg_migration_count
                       ? "the store has schema version %d; this serialtrack needs %d: run "
                         "`serialtrack db migrate`"
                       : "the store has schema version %d; this serialtrack knows up to %d: "
                         "upgrade serialtrack",
                   v, st_pg_migration_count);
}

static st_rc pg_open(const char *target, const st_store_opts *o, void **impl, st_error *err)
{
    st_pg *p = calloc(1, sizeof *p);
    if (!p)
        return ST_ERR_NOMEM;
    pthread_mutex_init(&p->pool_mu, NULL);
    pthread_mutex_init(&p->in_mu, NULL);
    pthread_mutex_init(&p->listen_mu, NULL);
    pthread_mutex_init(&p->ids_mu, NULL);
    st_idcache_init(&p->ids);
    st_statemerge_init(&p->sm);
    p->read_only = o->read_only;
    st_rc rc = parse_url(target, p, err);
    if (rc)
        goto fail;
    if (!o->read_only) {
        if ((rc = st_pg_conn_open(p, &p->w, err)))
            goto fail;
        int v = 0;
        if ((rc = read_version(p->w.c, &v, err)))
            goto fail;
        p->version_at_open = v;
        if (v == 0 || (o->migrate && v < st_pg_migration_count)) {
            if ((rc = migrate_locked(p, NULL, NULL, err)))
                goto fail;
        } else if ((rc = check_version(v, 0, err))) {
            goto fail;
        }
        if ((rc = st_pg_prepare_writes(p, err)))
            goto fail;
    }
    if ((rc = st_pg_conn_open(p, &p->r[0], err)))
        goto fail;
    p->nr = 1;
    /* an existing store is taken as analyzed (autovacuum's, or another
     * node's): this handle analyzes when it has doubled from here */
    PGresult *r = PQexec(p->r[0].c, "SELECT coalesce(max(last_event), 0) FROM batch");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        p->analyzed_at = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (o->read_only) {
        int v = 0;
        if ((rc = read_version(p->r[0].c, &v, err)) || (rc = check_version(v, 1, err)))
            goto fail;
    }
    *impl = p;
    return ST_OK;
fail:
    pg_close(p);
    return rc;
}

/* ---- administration ---------------------------------------------------------------------- */

st_rc st_pg_query(st_pg_conn *c, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                  void *ctx, int64_t *changes, st_error *err)
{
    struct st_pg_args *a = NULL;
    st_rc rc = st_pg_args_new(args, nargs, &a, err);
    if (rc)
        return rc;
    char name[16];
    if (!st_pg_conn_stmt(c, sql, a->types, nargs, name, err)) {
        free(a);
        return err && err->rc ? err->rc : ST_ERR_IO;
    }
    PGresult *r = PQexecPrepared(c->c, name, nargs, a->vals, a->lens, a->fmts, 1);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
        rc = st_pg_fail(err, c->c, r, "a statement on the write connection");
    else if (cb)
        rc = st_pg_rows(r, cb, ctx);
    if (!rc && changes)
        *changes = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    free(a);
    return rc;
}

/* Run d's side statements on the write connection (inside its commit). */
st_rc st_pg_side_run(st_pg *p, const st_cap_doc *d, char *msg, size_t cap)
{
    st_error e;
    st_error_clear(&e);
    st_rc rc = ST_OK;
    if (d->n_side > ST_STORE_MAX_SIDE_STATEMENTS)
        rc = st_fail(&e, ST_ERR_LIMIT, -1, NULL,
                     "%zu statements to commit with the document; the limit is %d "
                     "(ST_STORE_MAX_SIDE_STATEMENTS)",
                     d->n_side, ST_STORE_MAX_SIDE_STATEMENTS);
    for (size_t k = 0; k < d->n_side && !rc; k++) {
        const st_cap_side *x = &d->side[k];
        rc = st_pg_query(&p->w, x->sql, x->args, x->nargs, x->cb, x->ctx, NULL, &e);
        if (rc) {
            char why[sizeof e.msg];
            snprintf(why, sizeof why, "%s", e.msg[0] ? e.msg : st_strerror(rc));
            st_fail(&e, rc, -1, NULL, "a statement committed with the events failed: %s", why);
        }
    }
    if (rc)
        snprintf(msg, cap, "%s", e.msg);
    return rc;
}

static st_rc pg_admin_exec(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                           void *ctx, int64_t *changes, st_error *err)
{
    st_pg *p = impl;
    if (changes)
        *changes = 0;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&p->w.mu);
    int64_t n = 0;
    st_rc rc = ST_OK;
    if (st_pg_run(p->w.c, "BEGIN", err)) {
        rc = ST_ERR_IO;
        goto out;
    }
    if ((rc = st_pg_query(&p->w, sql, args, nargs, cb, ctx, &n, err)))
        goto rollback;
    if (st_pg_run(p->w.c, "COMMIT", err)) {
        rc = ST_ERR_IO;
        goto rollback;
    }
    if (changes)
        *changes = n;
    goto out;
rollback:
    st_pg_run(p->w.c, "ROLLBACK", NULL);
out:
    pthread_mutex_unlock(&p->w.mu);
    return rc;
}

static st_rc row_bytes(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

static st_rc pg_info(void *impl, st_store_info *info, st_error *err)
{
    st_pg *p = impl;
    snprintf(info->backend, sizeof info->backend, "postgres");
    /* the URL without a password (user:password@ or password=) */
    char loc[sizeof info->location];
    snprintf(loc, sizeof loc, "%s", p->conninfo);
    char *at = strchr(loc, '@'), *scheme = strstr(loc, "://");
    if (at && scheme) {
        char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
        if (colon)
            memmove(colon, at, strlen(at) + 1);
    }
    char *pw = strstr(loc, "password=");
    if (pw)
        *pw = 0;
    st_sbuf b;
    st_sbuf_init(&b, info->location, sizeof info->location);
    st_sbuf_puts(&b, loc);
    if (p->schema[0]) {
        st_sbuf_puts(&b, " schema ");
        st_sbuf_puts(&b, p->schema);
    }
    int64_t bytes = 0;
    st_rc rc = st_pg_exec(p,
                          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM"
                          " pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE"
                          " n.nspname = current_schema() AND c.relkind = 'r'",
                          NULL, 0, row_bytes, &bytes, err);
    info->bytes = bytes;
    return rc;
}

const st_store_methods st_store_postgres = {
    .name = "postgres",
    .open = pg_open,
    .close = pg_close,
    .schema_version = pg_schema_version,
    .migrate = pg_migrate,
    .commit = st_pg_commit,
    .prepare = st_pg_prepare,
    .wait_change = st_pg_wait_change,
    .info = pg_info,
    .exec = st_pg_exec,
    .exec_batch = st_pg_exec_batch,
    .admin_exec = pg_admin_exec,
    .write_tx = st_pg_write_tx,
};
