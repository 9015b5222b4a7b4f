/*
 * The PostgreSQL backend's read path (lib/store/postgres.c opens the
 * connections): a pool of read connections, each with a cache of prepared
 * statements; results come back in binary form, so integers are ST_VAL_INT
 * and BYTEA columns the very bytes written. A batch of independent reads
 * goes out in libpq's pipeline mode: many statements, one round trip.
 */
#include "store/postgres_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/* Type OIDs (PostgreSQL's pg_type.dat; stable across releases). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
};

#define MAX_COLS 32

/* A read connection for this call, locked (as the SQLite backend's pool). */
static st_pg_conn *reader_get(st_pg *p, st_error *err)
{
    int n = __atomic_load_n(&p->nr, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (pthread_mutex_trylock(&p->r[i].mu) == 0)
            return &p->r[i];
    pthread_mutex_lock(&p->pool_mu);
    n = p->nr;
    if (n < ST_PG_READERS && st_pg_conn_open(p, &p->r[n], err) == ST_OK) {
        pthread_mutex_lock(&p->r[n].mu);
        __atomic_store_n(&p->nr, n + 1, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&p->pool_mu);
        return &p->r[n];
    }
    pthread_mutex_unlock(&p->pool_mu);
    static unsigned turn; /* all busy: queue on one of them, in turn */
    st_pg_conn *c = &p->r[__atomic_fetch_add(&turn, 1, __ATOMIC_RELAXED) % (unsigned)n];
    pthread_mutex_lock(&c->mu);
    return c;
}

static uint64_t sql_hash(const char *s, const Oid *types, int n)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    for (int i = 0; i < n; i++)
        h = (h ^ types[i]) * 1099511628211ull;
    return h;
}

const char *st_pg_conn_stmt(st_pg_conn *c, const char *sql, const Oid *types, int n, char name[16],
                             st_error *err)
{
    int victim = 0;
    c->tick++;
    uint64_t h = sql_hash(sql, types, n);
    for (int i = 0; i < ST_PG_STMT_CACHE; i++) {
        if (c->cache[i].sql && c->cache[i].h == h && !strcmp(c->cache[i].sql, sql)) {
            c->cache[i].used = c->tick;
            snprintf(name, 16, "r%u", c->cache[i].name);
            return name;
        }
        if (c->cache[i].used < c->cache[victim].used)
            victim = i;
    }
    char *copy = strdup(sql);
    if (!copy) {
        st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
        return NULL;
    }
    if (c->cache[victim].sql) {
        char dealloc[40];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE r%u", c->cache[victim].name);
        st_pg_run(c->c, dealloc, NULL);
        free(c->cache[victim].sql);
        c->cache[victim].sql = NULL;
    }
    unsigned id = ++c->names;
    snprintf(name, 16, "r%u", id);
    PGresult *r = PQprepare(c->c, name, sql, n, types);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        st_pg_fail(err, c->c, r, "preparing a query");
        PQclear(r);
        free(copy);
        return NULL;
    }
    PQclear(r);
    c->cache[victim].sql = copy;
    c->cache[victim].h = h;
    c->cache[victim].used = c->tick;
    c->cache[victim].name = id;
    return name;
}

static int64_t be_int(const unsigned char *p, int n)
{
    uint64_t v = p[0] & 0x80 ? ~0ull : 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* A binary NUMERIC holding an integer, as int64; 0 when it is not one. */
static int numeric_int(const unsigned char *p, int len, int64_t *out)
{
    if (len < 8)
        return 0;
    int nd = (int)be_int(p, 2) & 0xffff, weight = (int16_t)be_int(p + 2, 2);
    int sign = (int)be_int(p + 4, 2) & 0xffff;
    if (len < 8 + 2 * nd || sign == 0xC000 || weight >= 5 || nd - 1 > weight)
        return 0;
    int64_t v = 0;
    for (int i = 0; i <= weight; i++)
        v = v * 10000 + (i < nd ? (be_int(p + 8 + 2 * i, 2) & 0xffff) : 0);
    *out = sign == 0x4000 ? -v : v;
    return 1;
}

/* Hand each row of r to cb as st_val columns (binary results). */
st_rc st_pg_rows(PGresult *r, st_row_cb cb, void *ctx)
{
    int ncols = PQnfields(r), nrows = PQntuples(r);
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    st_val cols[MAX_COLS];
    char num[MAX_COLS][40];
    for (int row = 0; row < nrows; row++) {
        for (int i = 0; i < ncols; i++) {
            const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, i);
            int len = PQgetlength(r, row, i);
            Oid t = PQftype(r, i);
            int64_t x = 0;
            if (PQgetisnull(r, row, i)) {
                cols[i] = (st_val){ST_VAL_NULL, 0, NULL, 0};
            } else if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2 || t == OID_OID ||
                       t == OID_BOOL) {
                x = t == OID_OID ? (int64_t)(uint32_t)be_int(v, 4) : be_int(v, len);
                cols[i] = st_val_int(t == OID_BOOL ? v[0] != 0 : x);
            } else if (t == OID_NUMERIC && numeric_int(v, len, &x)) {
                cols[i] = st_val_int(x);
            } else if (t == OID_FLOAT8 || t == OID_FLOAT4) {
                double d;
                if (t == OID_FLOAT8) {
                    uint64_t u = (uint64_t)be_int(v, 8);
                    memcpy(&d, &u, 8);
                } else {
                    uint32_t u = (uint32_t)be_int(v, 4);
                    float f;
                    memcpy(&f, &u, 4);
                    d = f;
                }
                snprintf(num[i], sizeof num[i], "%.17g", d); /* as SQLite hands out REALs */
                cols[i] = st_val_text(num[i]);
            } else if (t == OID_BYTEA) {
                cols[i] = st_val_blob(v, (size_t)len);
            } else { /* text, varchar, name, unknown: the bytes, NUL-terminated by libpq */
                cols[i] = (st_val){ST_VAL_TEXT, 0, v, (size_t)len};
            }
        }
        st_rc rc = cb(ctx, cols, ncols);
        if (rc)
            return rc;
    }
    return ST_OK;
}

st_rc st_pg_args_new(const st_val *args, int nargs, struct st_pg_args **out, st_error *err)
{
    *out = NULL;
    if (nargs > ST_STORE_MAX_SQL_ARGS)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "a statement with %d parameters; the most is %d (ST_STORE_MAX_SQL_ARGS)",
                       nargs, ST_STORE_MAX_SQL_ARGS);
    size_t n = nargs > 0 ? (size_t)nargs : 1;
    struct st_pg_args *a =
        malloc(sizeof *a + n * (sizeof *a->types + sizeof *a->vals + sizeof *a->lens +
                                sizeof *a->fmts + sizeof *a->ints));
    if (!a)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    /* the widest members first, so each array is aligned */
    a->vals = (const char **)(a + 1);
    a->ints = (char(*)[24])(a->vals + n);
    a->types = (Oid *)(a->ints + n);
    a->lens = (int *)(a->types + n);
    a->fmts = a->lens + n;
    for (int i = 0; i < nargs; i++) {
        a->lens[i] = 0;
        a->fmts[i] = 0;
        switch (args[i].type) {
        case ST_VAL_INT:
            a->types[i] = OID_INT8;
            snprintf(a->ints[i], sizeof a->ints[i], "%" PRId64, args[i].i);
            a->vals[i] = a->ints[i];
            break;
        case ST_VAL_TEXT:
            a->types[i] = OID_TEXT;
            a->vals[i] = args[i].p;
            break;
        case ST_VAL_BLOB:
            a->types[i] = OID_BYTEA;
            a->vals[i] = args[i].n ? args[i].p : "";
            a->lens[i] = (int)args[i].n;
            a->fmts[i] = 1;
            break;
        default:
            a->types[i] = 0;
            a->vals[i] = NULL;
        }
    }
    *out = a;
    return ST_OK;
}

/* reader_get, reconnected (once) when the server went away meanwhile. */
static st_pg_conn *reader_ready(st_pg *p, st_error *err)
{
    st_pg_conn *c = reader_get(p, err);
    if (PQstatus(c->c) != CONNECTION_OK) /* the server restarted: reconnect once */
        st_pg_conn_reset(p, c);
    return c;
}

st_rc st_pg_exec(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                 void *ctx, st_error *err)
{
    st_pg *p = impl;
    struct st_pg_args *a = NULL;
    st_rc rc = st_pg_args_new(args, nargs, &a, err);
    if (rc)
        return rc;
    st_pg_conn *c = reader_ready(p, err);
    char name[16];
    PGresult *r = NULL;
    if (!st_pg_conn_stmt(c, sql, a->types, nargs, name, err)) {
        rc = ST_ERR_IO;
        goto out;
    }
    r = PQexecPrepared(c->c, name, nargs, a->vals, a->lens, a->fmts, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = st_pg_fail(err, c->c, r, "running a query");
        goto out;
    }
    if (cb)
        rc = st_pg_rows(r, cb, ctx);
out:
    PQclear(r);
    pthread_mutex_unlock(&c->mu);
    free(a);
    return rc;
}

/* ---- batches: libpq's pipeline mode -------------------------------------------------------- */

/* Statements sent before their results are read: few enough that the
 * statements and results in flight fit the socket buffers (libpq blocks
 * while sending; so would a server whose results are not being read), and
 * fewer than the statement cache, so none is evicted before it runs. */
#define PIPE_MAX 16

/* reads[0..n) (n <= PIPE_MAX) on c in one pipeline: the prepared
 * statements sent, one sync, then each result in order. Every result is
 * read to the sync whatever fails, so c is left idle. */
static st_rc pipe_run(st_pg_conn *c, const st_read *reads, size_t n, st_error *err)
{
    struct st_pg_args *a[PIPE_MAX] = {0};
    char name[PIPE_MAX][16];
    st_rc rc = ST_OK, prep = ST_OK;
    size_t sent = 0, total = n;
    /* prepared on c (when new) one by one; a statement that cannot be
     * prepared ends the pipeline before it: the reads ahead of it still run */
    for (size_t i = 0; i < total; i++) {
        if ((prep = st_pg_args_new(reads[i].args, reads[i].nargs, &a[i], err)) == ST_OK &&
            !st_pg_conn_stmt(c, reads[i].sql, a[i]->types, reads[i].nargs, name[i], err))
            prep = ST_ERR_IO;
        if (prep) {
            n = i;
            break;
        }
    }
    if (!n)
        goto out;
    if (!PQenterPipelineMode(c->c)) {
        rc = st_pg_fail(err, c->c, NULL, "starting a pipeline of reads");
        goto out;
    }
    for (; sent < n; sent++)
        if (!PQsendQueryPrepared(c->c, name[sent], reads[sent].nargs, a[sent]->vals, a[sent]->lens,
                                 a[sent]->fmts, 1))
            break;
    int synced = PQpipelineSync(c->c); /* also after a failed send: flushes what went */
    if (sent < n || !synced)
        rc = st_pg_fail(err, c->c, NULL, "sending a pipeline of reads");
    /* each statement sent: one result, then NULL; then the sync's */
    for (size_t i = 0; i < sent && PQstatus(c->c) == CONNECTION_OK; i++) {
        PGresult *r;
        while ((r = PQgetResult(c->c))) {
            ExecStatusType s = PQresultStatus(r);
            if (rc == ST_OK && s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
                rc = st_pg_fail(err, c->c, r, "running a query");
            else if (rc == ST_OK && reads[i].cb)
                rc = st_pg_rows(r, reads[i].cb, reads[i].ctx);
            PQclear(r);
        }
    }
    for (PGresult *r; synced && PQstatus(c->c) == CONNECTION_OK && (r = PQgetResult(c->c));) {
        int sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(c->c) && rc == ST_OK)
        rc = st_pg_fail(err, c->c, NULL, "ending a pipeline of reads");
out:
    for (size_t i = 0; i < total; i++)
        free(a[i]);
    return rc ? rc : prep;
}

st_rc st_pg_exec_batch(void *impl, const st_read *reads, size_t n, st_error *err)
{
    st_pg *p = impl;
    st_pg_conn *c = reader_ready(p, err);
    st_rc rc = ST_OK;
    for (size_t off = 0; off < n && !rc; off += PIPE_MAX)
        rc = pipe_run(c, reads + off, n - off < PIPE_MAX ? n - off : PIPE_MAX, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}
