/*
 * Identifiers on PostgreSQL (postgres_write.h): every key a document names
 * is interned before the chain lock, each statement its own transaction,
 * so the identifier cache only ever holds committed ids and no capture
 * waits, holding the chain lock, on another node's uncommitted identifier.
 * Interning has a connection of its own: while one thread commits on the
 * write connection, the next document's keys are interned on this one.
 * The cache, shared by both, is guarded by p->ids_mu.
 */
#include "store/postgres_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interning identifiers ------------------------------------------------------------ */

/* Every key one document names, in the order of first sighting. The keys
 * of events stored before are interned already: naming them again adds
 * nothing (looking for duplicates first would cost every document a
 * look-up, to spare only documents that repeat events not cached). */
static void doc_keys(const st_cap_doc *d, void (*f)(void *, const char *), void *ctx)
{
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        const char *k[] = {e->biz_step,     e->disposition, e->read_point,
                           e->biz_location, e->owner,       e->possessor};
        for (size_t j = 0; j < sizeof k / sizeof *k; j++)
            if (k[j])
                f(ctx, k[j]);
        if (e->type == ST_EVENT_TRANSFORMATION && e->xform_id)
            f(ctx, e->xform_id);
        for (size_t j = 0; j < e->n_refs; j++) {
            f(ctx, e->refs[j].key);
            if (e->refs[j].lot_key)
                f(ctx, e->refs[j].lot_key);
        }
    }
    for (size_t i = 0; i < d->n_links; i++) {
        f(ctx, d->links[i].parent);
        f(ctx, d->links[i].child);
    }
    for (size_t i = 0; i < d->n_geo; i++)
        f(ctx, d->geo[i].loc);
    for (size_t i = 0; i < d->n_anom; i++) {
        const st_cap_anomaly *a = &d->anom[i];
        if (a->event >= d->n)
            continue;
        f(ctx, a->key);
        if (a->location)
            f(ctx, a->location);
    }
}

struct missing {
    st_pg *p;
    st_idcache seen; /* keys already listed */
    const char **k;  /* the keys not cached, in order of first sighting */
    size_t n, cap;
    int oom; /* listing one failed */
};

static void add_missing(void *ctx, const char *key)
{
    struct missing *m = ctx;
    size_t n = strlen(key);
    if (st_idcache_get(&m->p->ids, key, n) || st_idcache_get(&m->seen, key, n))
        return;
    st_idcache_put(&m->seen, key, n, 1);
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        const char **k = realloc(m->k, cap * sizeof *k);
        if (!k) {
            m->oom = 1;
            return;
        }
        m->k = k;
        m->cap = cap;
    }
    m->k[m->n++] = key;
}

/* The array literal of m's keys still not cached, into a; their count. */
static size_t still_missing(struct missing *m, st_pgarr *a)
{
    st_pgarr_reset(a);
    pthread_mutex_lock(&m->p->ids_mu);
    for (size_t i = 0; i < m->n; i++)
        if (!st_idcache_get(&m->p->ids, m->k[i], strlen(m->k[i])))
            st_pgarr_text(a, m->k[i]);
    pthread_mutex_unlock(&m->p->ids_mu);
    st_pgarr_end(a);
    return a->n;
}

/* Cache the (id, key) rows of r; their number. */
static int cache_rows(st_pg *p, PGresult *r)
{
    pthread_mutex_lock(&p->ids_mu);
    for (int i = 0; i < PQntuples(r); i++)
        st_idcache_put(&p->ids, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1),
                       strtoll(PQgetvalue(r, i, 0), NULL, 10));
    pthread_mutex_unlock(&p->ids_mu);
    return PQntuples(r);
}

/* All of m's keys not cached as new rows, their ids drawn from ident's
 * sequence, by one COPY in a transaction of its own: the usual case of a
 * document that names new units, at about half the server's work of an
 * INSERT ... ON CONFLICT ... RETURNING over an array (no speculative
 * insertion, no look-up before each row, no rows sent back). 1 when they
 * are interned; 0 when one was there already or another writer was adding
 * it (nothing is left of the attempt but a gap in the ids); -1 on another
 * failure (msg). */
static int copy_new(st_pg *p, struct missing *m, char *msg, size_t cap)
{
    const char **k = malloc((m->n ? m->n : 1) * sizeof *k);
    int64_t *ids = malloc((m->n ? m->n : 1) * sizeof *ids);
    st_pgbuf b = {0};
    int rc = -1;
    size_t n = 0;
    if (!k || !ids) {
        snprintf(msg, cap, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&p->ids_mu);
    for (size_t i = 0; i < m->n; i++)
        if (!st_idcache_get(&p->ids, m->k[i], strlen(m->k[i])))
            k[n++] = m->k[i];
    pthread_mutex_unlock(&p->ids_mu);
    if (!n) {
        rc = 1;
        goto out;
    }
    PGconn *c = p->in.c;
    st_error e;
    if (st_pg_run(c, "BEGIN", &e)) {
        snprintf(msg, cap, "%s", e.msg);
        goto out;
    }
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    const char *v[1] = {count};
    PGresult *r = st_pgw_exec_on(c, W_IDENT_IDS, 1, v, msg, cap);
    if (!r || (size_t)PQntuples(r) != n) {
        if (r)
            snprintf(msg, cap, "the identifier sequence gave %d ids for %zu", PQntuples(r), n);
        PQclear(r);
        goto rollback;
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
        st_pgcopy_row(&b, 2);
        st_pgcopy_int(&b, ids[i]);
        st_pgcopy_bytes(&b, k[i], strlen(k[i]));
    }
    PQclear(r);
    int x = st_pgw_copy_on(c, "COPY ident(id, key) FROM STDIN (FORMAT binary)", &b, msg, cap);
    if (x) {
        rc = x == -2 ? 0 : -1;
        goto rollback;
    }
    if (st_pg_run(c, "COMMIT", &e)) {
        snprintf(msg, cap, "%s", e.msg);
        goto out;
    }
    pthread_mutex_lock(&p->ids_mu);
    for (size_t i = 0; i < n; i++)
        st_idcache_put(&p->ids, k[i], strlen(k[i]), ids[i]);
    pthread_mutex_unlock(&p->ids_mu);
    rc = 1;
    goto out;
rollback:
    st_pg_run(c, "ROLLBACK", NULL);
out:
    free(k);
    free(ids);
    free(b.p);
    return rc;
}

/* Intern every key of d not cached: insert the new ones and look up the
 * others, each statement its own transaction (autocommit) on p->in. 0 or
 * -1 (msg says why). */
static int intern(st_pg *p, const st_cap_doc *d, char *msg, size_t cap)
{
    struct missing m = {p, {0}, NULL, 0, 0, 0};
    st_pgarr a = {{0}, 0};
    st_idcache_init(&m.seen);
    int rc = -1;
    pthread_mutex_lock(&p->ids_mu);
    doc_keys(d, add_missing, &m);
    int first = p->intern_insert_first ? 1 : 0;
    pthread_mutex_unlock(&p->ids_mu);
    if (m.oom) {
        snprintf(msg, cap, "out of memory");
        goto out;
    }
    if (first) { /* all new, as the last document's mostly were? */
        int x = copy_new(p, &m, msg, cap);
        if (x) {
            rc = x > 0 ? 0 : -1;
            goto out;
        }
        first = 0; /* some were there: look them up, then add the others */
    }
    /* Keys not cached are mostly new (a commissioning) or mostly stored (a
     * process that has not seen them yet): the statement that served the
     * last document best goes first. An insert skips what another writer
     * inserted meanwhile, and the look-up after it finds that; a key that
     * conflicts still uses up an identity value (ids get a gap, nothing
     * else). A deadlock between two writers inserting the same new keys
     * in other orders is retried. */
    for (int step = first; step < first + 10; step++) {
        size_t want = still_missing(&m, &a);
        if (!want) {
            rc = 0;
            goto out;
        }
        if (m.oom || a.b.oom) {
            snprintf(msg, cap, "out of memory");
            goto out;
        }
        const char *v[1] = {a.b.p};
        int add = step % 2;
        PGresult *r = st_pgw_exec_on(p->in.c, add ? W_IDENT_ADD : W_IDENT_GET, 1, v, msg, cap);
        if (!r && !(add && strstr(msg, "deadlock")))
            goto out;
        int got = r ? cache_rows(p, r) : 0;
        if (step == first) { /* most of them were what this statement finds */
            pthread_mutex_lock(&p->ids_mu);
            p->intern_insert_first = add ? 2 * (size_t)got >= want : 2 * (size_t)got < want;
            pthread_mutex_unlock(&p->ids_mu);
        }
        PQclear(r);
    }
    snprintf(msg, cap, "identifiers could not be interned (concurrent writers)");
out:
    free(m.k);
    free(a.b.p);
    st_idcache_free(&m.seen);
    return rc;
}

st_rc st_pgw_intern_docs(st_pg *p, st_cap_doc **docs, size_t n, st_error *err)
{
    pthread_mutex_lock(&p->in_mu);
    st_rc rc = ST_OK;
    if (p->in.c && PQstatus(p->in.c) != CONNECTION_OK) { /* the server restarted */
        st_pg_conn_close(&p->in);
        p->in_prepared = 0;
    }
    if (!p->in.c && (rc = st_pg_conn_open(p, &p->in, err)) == ST_OK)
        p->in_prepared = 0;
    if (!rc)
        rc = st_pg_prepare_on(&p->in, &p->in_prepared, err);
    for (size_t i = 0; !rc && i < n; i++) {
        docs[i]->rc = ST_OK;
        docs[i]->msg[0] = 0;
        char msg[200];
        if (intern(p, docs[i], msg, sizeof msg)) {
            docs[i]->rc = ST_ERR_IO;
            snprintf(docs[i]->msg, sizeof docs[i]->msg, "storing the document failed: %s", msg);
        }
    }
    pthread_mutex_unlock(&p->in_mu);
    return rc;
}

/* The ident id of key (interned already); 0 for NULL, -1 on error. */
int64_t st_pgw_ident(st_pg *p, const char *key)
{
    if (!key)
        return 0;
    size_t n = strlen(key);
    pthread_mutex_lock(&p->ids_mu);
    int64_t id = st_idcache_get(&p->ids, key, n);
    pthread_mutex_unlock(&p->ids_mu);
    if (id > p->ref_max)
        p->ref_max = id;
    if (id)
        return id;
    /* the cache was emptied since (it is bounded): read it back */
    st_pgarr a = {{0}, 0};
    st_pgarr_text(&a, key);
    const char *v[1] = {st_pgarr_end(&a)};
    PGresult *r = a.b.oom ? NULL : st_pgw_exec(p, W_IDENT_GET, 1, v, NULL, 0);
    if (r && PQntuples(r) == 1) {
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        pthread_mutex_lock(&p->ids_mu);
        st_idcache_put(&p->ids, key, n, id);
        pthread_mutex_unlock(&p->ids_mu);
    }
    PQclear(r);
    free(a.b.p);
    if (id > p->ref_max)
        p->ref_max = id;
    return id > 0 ? id : -1;
}
