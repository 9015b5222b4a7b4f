/*
 * The PostgreSQL write path: a group of prepared documents in one
 * transaction, each document its own savepoint and chain link, as the SQLite
 * backend, with these differences for many writers on one database:
 *  - identifiers are interned first, each in its own short transaction, so
 *    the identifier cache only ever holds committed ids and no capture waits
 *    on another's uncommitted identifier while holding the chain lock;
 *  - the chain append (read the tail, assign event ids and the record time,
 *    write the events, their projections and the link) holds the advisory
 *    lock ST_PG_LOCK_CHAIN until the commit, so there is one chain across
 *    every node, event ids are dense and become visible in id order (a
 *    reader polling "id > last seen" never skips one), and record times
 *    never go backwards. Reading, validating, hashing, encoding and
 *    interning, the bulk of a capture, run outside the lock;
 *  - rows go in bulk: binary COPY for event, event_hash, event_eid and
 *    event_epc, one statement over arrays (unnest) for each projection.
 * Its parts are listed in postgres_write.h.
 */
#include "store/postgres_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "store/chain.h"
#include "store/lineage.h"

/* ---- one document ------------------------------------------------------------------------ */

static void wdoc_free(st_pgwdoc *w)
{
    free(w->ev.p);
    free(w->hash.p);
    free(w->eid.p);
    free(w->epc.p);
    free(w->fresh.p);
    free(w->lotf.v);
    free(w->genf.v);
    free(w->life);
    st_i64map_free(&w->life_at);
    for (int i = 0; i < 2; i++) {
        free(w->lot[i].b.p);
        free(w->loc[i].b.p);
    }
    for (int i = 0; i < 3; i++) {
        free(w->gen[i].b.p);
        free(w->com[i].b.p);
        free(w->dec[i].b.p);
        free(w->geo[i].b.p);
    }
    for (int i = 0; i < 6; i++)
        free(w->anom[i].b.p);
    for (int i = 0; i < ST_PGW_STATE_PARAMS; i++)
        free(w->st[i].b.p);
    free(w->packs);
    st_i64map_free(&w->open_at);
    st_i64map_free(&w->unpack_at);
    free(w->unpack[0].b.p);
    free(w->unpack[1].b.p);
}

static void wdoc_reset(st_pgwdoc *w)
{
    st_pgbuf_reset(&w->ev);
    st_pgbuf_reset(&w->hash);
    st_pgbuf_reset(&w->eid);
    st_pgbuf_reset(&w->epc);
    st_pgbuf_reset(&w->fresh);
    w->lotf.n = w->genf.n = 0;
    w->lotf.w = 2;
    w->genf.w = 3;
    w->lotf.oom = w->genf.oom = 0;
    w->nlife = 0;
    st_i64map_free(&w->life_at);
    w->states_partial = 0;
    for (int i = 0; i < 2; i++) {
        st_pgarr_reset(&w->lot[i]);
        st_pgarr_reset(&w->loc[i]);
    }
    for (int i = 0; i < 3; i++) {
        st_pgarr_reset(&w->gen[i]);
        st_pgarr_reset(&w->com[i]);
        st_pgarr_reset(&w->dec[i]);
        st_pgarr_reset(&w->geo[i]);
    }
    for (int i = 0; i < 6; i++)
        st_pgarr_reset(&w->anom[i]);
    w->npacks = 0;
    st_i64map_free(&w->open_at);
    st_i64map_free(&w->unpack_at);
    st_pgarr_reset(&w->unpack[0]);
    st_pgarr_reset(&w->unpack[1]);
    w->cont_written = 0;
    w->msg[0] = 0;
}

static int fail(st_pgwdoc *w, const char *what)
{
    if (!w->msg[0])
        snprintf(w->msg, sizeof w->msg, "%s: %s", what, PQerrorMessage(w->p->w.c));
    return -1;
}

struct tail {
    int64_t batch;          /* last link id */
    unsigned char hash[32]; /* its hash */
    int64_t record_ms;      /* its record time */
    int64_t last_event;     /* the largest event id */
    int64_t ident_hw;       /* no projection row names an ident id above it (>= 1) */
};

/* Store one document inside the open transaction; on failure its savepoint
 * is rolled back and d->rc says why. */
/* The lineage index's view of the write connection (lib/store/lineage.h). */
static st_rc lin_query(void *ctx, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                       void *arg, st_error *err)
{
    st_pg *p = ctx;
    return st_pg_query(&p->w, sql, args, nargs, cb, arg, NULL, err);
}

static int64_t lin_ident(void *ctx, const char *key)
{
    return st_pgw_ident(ctx, key);
}

static st_rc lin_copy(void *ctx, const char *table, const int64_t *pairs, size_t n, st_error *err)
{
    st_pgbuf b = {0};
    for (size_t i = 0; i < n; i++) {
        st_pgcopy_row(&b, 2);
        st_pgcopy_int(&b, pairs[2 * i]);
        st_pgcopy_int(&b, pairs[2 * i + 1]);
    }
    char sql[128], msg[256];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN (FORMAT binary)", table);
    int bad = st_pgw_copy(ctx, sql, &b, msg, sizeof msg);
    free(b.p);
    return bad ? st_fail(err, ST_ERR_IO, -1, NULL, "%s", msg) : ST_OK;
}

static void commit_doc(st_pgwdoc *w, st_cap_doc *d, struct tail *t, int64_t record_ms)
{
    st_pg *p = w->p;
    PGconn *c = p->w.c;
    d->stored = d->duplicates = 0;
    d->batch = 0;
    d->record_ms = record_ms;
    d->rc = ST_OK;
    wdoc_reset(w);
    w->fresh_above = t->ident_hw;
    if (st_pg_run(c, "SAVEPOINT doc", NULL)) {
        d->rc = ST_ERR_IO;
        snprintf(d->msg, sizeof d->msg, "%s", PQerrorMessage(c));
        return;
    }
    int64_t batch = t->batch + 1, next = t->last_event + 1, first = 0, last = 0;
    st_chain ch = {0};
    st_rc side = ST_OK; /* the failure of a side statement, if that was it */
    unsigned char *dup = calloc(d->n + 1, 1);
    if (!dup || st_chain_begin(&ch, t->hash, batch, record_ms) != ST_OK) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        goto fail;
    }
    if (st_pgw_mark_dups(w, d, dup))
        goto fail;
    size_t next_anom = 0;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        if (dup[i]) {
            d->duplicates++;
            if (d->n_anom && st_pgw_anomalies(w, d, i, 0, record_ms, &next_anom))
                goto fail;
            continue;
        }
        st_pgw_ids x = {0};
        x.event = next++;
        if (st_pgw_event(w, e, batch, record_ms, &x) ||
            (d->n_anom && st_pgw_anomalies(w, d, i, x.event, record_ms, &next_anom)))
            goto fail;
        if (!first)
            first = x.event;
        last = x.event;
        d->stored++;
        st_chain_event(&ch, e->hash);
    }
    for (size_t i = 0; i < d->n_links; i++) {
        int64_t pa = st_pgw_ident(p, d->links[i].parent), ch_ = st_pgw_ident(p, d->links[i].child);
        if (pa < 0 || ch_ < 0)
            goto fail;
        st_pgarr_int(&w->loc[0], pa, 0);
        st_pgarr_int(&w->loc[1], ch_, 0);
    }
    for (size_t i = 0; i < d->n_geo; i++) {
        int64_t loc = st_pgw_ident(p, d->geo[i].loc);
        if (loc < 0)
            goto fail;
        st_pgarr_int(&w->geo[0], loc, 0);
        st_pgarr_int(&w->geo[1], d->geo[i].lat_e6, 0);
        st_pgarr_int(&w->geo[2], d->geo[i].lon_e6, 0);
    }
    if (w->ev.oom || w->hash.oom || w->eid.oom || w->epc.oom) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        goto fail;
    }
    if (st_pgw_flush_containment(w))
        goto fail;
    char *m = w->msg;
    size_t mc = sizeof w->msg;
    if (st_pgw_copy(p,
                    "COPY event(id, batch, record_time, event_time, type, action, biz_step,"
                    " disposition, read_point, biz_location, fields, xform, hash, event_id, body)"
                    " FROM STDIN (FORMAT binary)",
                    &w->ev, m, mc))
        goto fail;
    if (st_pgw_copy(p, "COPY event_hash(hash, event) FROM STDIN (FORMAT binary)", &w->hash, m,
                    mc) ||
        st_pgw_copy(p, "COPY event_eid(event_id, event) FROM STDIN (FORMAT binary)", &w->eid, m,
                    mc) ||
        st_pgw_copy(p, "COPY event_epc(ident, event, role) FROM STDIN (FORMAT binary)", &w->epc, m,
                    mc))
        goto fail;
    if (st_pgw_flush_states(w, 1))
        goto fail;
    if (st_pgw_flush_rows(w) || st_pgw_flush_life(w))
        goto fail;
    st_write_io lio = {p, lin_query, lin_ident, 100, 1, w->fresh_above, lin_copy};
    st_error lerr;
    st_error_clear(&lerr);
    if (d->stored && st_lin_apply(&lio, d, dup, first, &lerr) != ST_OK) {
        snprintf(w->msg, sizeof w->msg, "%s", lerr.msg);
        goto fail;
    }
    unsigned char h[32];
    if (st_chain_end(&ch, h) != ST_OK)
        goto fail;
    if (p->ref_max > t->ident_hw)
        t->ident_hw = p->ref_max; /* also when the document fails: a bound may only be loose */
    if (d->stored) {
        char a[6][24];
        st_pgbuf ph = {0}, hh = {0};
        st_pgbuf_str(&ph, "\\x");
        st_pgbuf_hex(&ph, t->hash, 32);
        st_pgbuf_str(&hh, "\\x");
        st_pgbuf_hex(&hh, h, 32);
        int64_t iv[6] = {batch, record_ms, first, last, (int64_t)d->stored, t->ident_hw};
        for (int i = 0; i < 6; i++)
            snprintf(a[i], sizeof a[i], "%" PRId64, iv[i]);
        const char *v[8] = {a[0], a[1], a[2], a[3], a[4], ph.p, hh.p, a[5]};
        int bad = ph.oom || hh.oom || st_pgw_run(p, W_BATCH_ADD, 8, v, w->msg, sizeof w->msg);
        free(ph.p);
        free(hh.p);
        if (bad)
            goto fail;
    }
    /* the statements that stand or fall with the events (capture.h) */
    if (d->n_side && (side = st_pg_side_run(p, d, w->msg, sizeof w->msg)) != ST_OK)
        goto fail;
    if (st_pg_run(c, "RELEASE doc", NULL))
        goto fail;
    if (d->stored) {
        t->batch = batch;
        t->last_event = last;
        memcpy(t->hash, h, 32);
        d->batch = batch;
    }
    goto out;
fail:
    if (p->ref_max > t->ident_hw)
        t->ident_hw = p->ref_max;
    st_chain_abort(&ch);
    d->rc = side ? side : ST_ERR_IO;
    if (!w->msg[0])
        fail(w, "PostgreSQL");
    snprintf(d->msg, sizeof d->msg, "storing the document failed: %s", w->msg);
    st_pg_run(c, "ROLLBACK TO doc", NULL);
    st_pg_run(c, "RELEASE doc", NULL);
    st_statemerge_reset(&p->sm);
    d->stored = d->duplicates = 0;
out:
    free(dup);
}

/* ---- the group ------------------------------------------------------------------------------ */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define PART_MARGIN_MS (7 * 86400000LL) /* partitions are made this long before they are needed */

/* Take the chain lock and read the tail (in the open transaction). */
static st_rc lock_tail(st_pg *p, struct tail *t, st_error *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", ST_PG_LOCK_CHAIN);
    if (st_pg_run(p->w.c, sql, err))
        return ST_ERR_IO;
    memset(t, 0, sizeof *t);
    char msg[256];
    PGresult *r = st_pgw_exec(p, W_LAST_BATCH, 0, NULL, msg, sizeof msg);
    if (!r)
        return st_fail(err, ST_ERR_IO, -1, NULL, "reading the chain: %s", msg);
    int linked = PQntuples(r) == 1;
    if (linked) {
        t->batch = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        st_pgw_bytea32(PQgetvalue(r, 0, 1), t->hash);
        t->record_ms = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        t->last_event = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        if (!PQgetisnull(r, 0, 4))
            t->ident_hw = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    }
    PQclear(r);
    /* no link yet: no event is stored, so no projection row exists (they
     * are made from events); a link without a bound (none is written so):
     * any identifier may be named */
    if (linked && !t->ident_hw) {
        PGresult *m = PQexec(p->w.c, "SELECT coalesce(max(id), 0) FROM ident");
        if (PQresultStatus(m) != PGRES_TUPLES_OK) {
            st_rc rc = st_pg_fail(err, p->w.c, m, "reading the identifiers");
            PQclear(m);
            return rc;
        }
        t->ident_hw = strtoll(PQgetvalue(m, 0, 0), NULL, 10);
        PQclear(m);
    }
    if (t->ident_hw < 1)
        t->ident_hw = 1;
    return ST_OK;
}

/* Planner statistics for tables that grew fast. Autovacuum analyzes plain
 * tables, but never a partitioned table as a whole, and in the first
 * minutes of a bulk load it falls behind: without statistics a trace can
 * take seconds instead of milliseconds. So each handle analyzes whenever
 * the event log has grown fourfold since it last did (at 5,000 events,
 * 20,000, 80,000, ...): every table while the store is small, then only
 * the event log, whose plain tables autovacuum keeps up with by then
 * (analyzing them all at 320,000 events took 2.7 s, 4.4 us per captured
 * event over the first 1,000,000). */
#define ANALYZE_ALL_UNTIL 100000 /* events: every table is analyzed up to here */

static void analyze(st_pg *p, int64_t events)
{
    p->analyzed_at = events;
    st_pg_run(p->w.c,
              events <= ANALYZE_ALL_UNTIL
                  ? "ANALYZE event, event_epc, event_hash, ident, item_state, item_lot,"
                    " containment, genealogy, batch"
                  : "ANALYZE event",
              NULL);
}

st_rc st_pg_commit(void *impl, st_cap_doc **docs, size_t n, st_error *err)
{
    st_pg *p = impl;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    /* identifiers first, on a connection of their own, outside the chain
     * lock and the write connection (another thread may be committing),
     * unless prepare did it; a document whose identifiers cannot be
     * interned fails alone */
    st_rc rc = ST_OK;
    for (size_t i = 0; i < n && !rc; i++)
        if (!docs[i]->prepared)
            rc = st_pgw_intern_docs(p, &docs[i], 1, err);
    pthread_mutex_lock(&p->w.mu);
    st_pgwdoc w = {.p = p};
    struct tail t;
    int open = 0;
    p->ref_max = 0;
    if (rc)
        goto out;
    if (PQstatus(p->w.c) != CONNECTION_OK) { /* the server restarted: reconnect */
        st_pg_conn_reset(p, &p->w);
        p->prepared = 0;
    }
    if ((rc = st_pg_prepare_writes(p, err)))
        goto out;
    int64_t now = wall_ms();
    if (now + PART_MARGIN_MS >= p->parts_until &&
        (rc = st_pg_partitions_ensure(p, &p->w, now + PART_MARGIN_MS, err)))
        goto out;
    int64_t record_ms = 0;
    for (int attempt = 0;; attempt++) {
        if (st_pg_run(p->w.c, "BEGIN", err)) {
            rc = ST_ERR_IO;
            goto out;
        }
        open = 1;
        if ((rc = lock_tail(p, &t, err)))
            goto out;
        /* record times never go backwards, whatever any node's clock does */
        record_ms = wall_ms();
        if (record_ms < t.record_ms)
            record_ms = t.record_ms;
        if (record_ms < p->parts_until || attempt)
            break;
        st_pg_run(p->w.c, "ROLLBACK", NULL); /* a clock ahead of the partitions */
        open = 0;
        if ((rc = st_pg_partitions_ensure(p, &p->w, record_ms + PART_MARGIN_MS, err)))
            goto out;
    }
    size_t stored = 0;
    for (size_t i = 0; i < n; i++) {
        if (docs[i]->rc != ST_OK)
            continue;
        commit_doc(&w, docs[i], &t, record_ms);
        stored += docs[i]->stored;
    }
    /* wake the event streams of every node (delivered at the commit) */
    char notify[128]; /* the payload names the store: several may share the database */
    snprintf(notify, sizeof notify, "NOTIFY " ST_PG_NOTIFY ", '%s'", p->schema);
    if (stored && st_pg_run(p->w.c, notify, err)) {
        rc = ST_ERR_IO;
        goto out;
    }
    open = 0;
    if (st_pg_run(p->w.c, "COMMIT", err))
        rc = ST_ERR_IO;
    else if (t.last_event >= 4 * p->analyzed_at + 5000)
        analyze(p, t.last_event);
out:
    if (open)
        st_pg_run(p->w.c, "ROLLBACK", NULL);
    if (rc != ST_OK)
        for (size_t i = 0; i < n; i++) {
            docs[i]->rc = rc;
            docs[i]->stored = docs[i]->duplicates = 0;
            docs[i]->batch = 0;
            snprintf(docs[i]->msg, sizeof docs[i]->msg, "%s",
                     err && err->msg[0] ? err->msg : "the capture failed");
        }
    st_statemerge_reset(&p->sm);
    wdoc_free(&w);
    pthread_mutex_unlock(&p->w.mu);
    return rc;
}

st_rc st_pg_prepare(void *impl, st_cap_doc *d, st_error *err)
{
    st_pg *p = impl;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    st_rc rc = st_pgw_intern_docs(p, &d, 1, err);
    if (rc) {
        d->rc = rc;
        snprintf(d->msg, sizeof d->msg, "%s", err && err->msg[0] ? err->msg : "interning failed");
        return rc;
    }
    d->prepared = d->rc == ST_OK;
    return d->rc;
}

/* ---- other work in a write transaction ------------------------------------------------------- */

st_rc st_pg_write_tx(void *impl, st_write_fn fn, void *ctx, st_error *err)
{
    st_pg *p = impl;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&p->w.mu);
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", ST_PG_LOCK_CHAIN);
    st_rc rc = st_pg_prepare_writes(p, err);
    if (!rc && st_pg_run(p->w.c, "BEGIN", err))
        rc = ST_ERR_IO;
    else if (!rc) {
        st_write_io io = {p, lin_query, lin_ident, 100, 1, 0, NULL};
        if (st_pg_run(p->w.c, sql, err)) /* serialised with every node's commits */
            rc = ST_ERR_IO;
        if (!rc)
            rc = fn(&io, ctx, err);
        if (!rc && st_pg_run(p->w.c, "COMMIT", err))
            rc = ST_ERR_IO;
        if (rc)
            st_pg_run(p->w.c, "ROLLBACK", NULL);
    }
    pthread_mutex_unlock(&p->w.mu);
    return rc;
}
