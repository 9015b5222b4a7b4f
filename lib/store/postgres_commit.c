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
 *  - rows go in bulk: COPY for event, event_hash, event_eid and event_epc,
 *    one statement over arrays (unnest) for each projection.
 */
#include "store/postgres_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/i64set.h"
#include "store/chain.h"
#include "store/lineage.h"

/* ---- a growable byte buffer ------------------------------------------------------------ */

typedef struct buf {
    char *p;       /* malloc'd */
    size_t n, cap; /* used and allocated */
    int oom;       /* an append failed */
} buf;

static void buf_put(buf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void buf_str(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_int(buf *b, int64_t v)
{
    char t[24];
    int k = snprintf(t, sizeof t, "%" PRId64, v);
    buf_put(b, t, (size_t)k);
}

static void buf_hex(buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char t[128];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        t[k++] = hex[p[i] >> 4];
        t[k++] = hex[p[i] & 15];
        if (k == sizeof t) {
            buf_put(b, t, k);
            k = 0;
        }
    }
    buf_put(b, t, k);
}

/* s as a COPY text field (backslash escapes). */
static void buf_copy_text(buf *b, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '\\'   ? "\\\\"
                        : *s == '\t' ? "\\t"
                        : *s == '\n' ? "\\n"
                        : *s == '\r' ? "\\r"
                                     : NULL;
        if (e)
            buf_str(b, e);
        else
            buf_put(b, s, 1);
    }
}

/* s as an element of an array literal ("..." with \ and " escaped). */
static void buf_array_text(buf *b, const char *s)
{
    buf_put(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_put(b, "\\", 1);
        buf_put(b, s, 1);
    }
    buf_put(b, "\"", 1);
}

static void buf_reset(buf *b)
{
    b->n = 0;
    b->oom = 0;
    if (b->p)
        b->p[0] = 0;
}

/* An array literal of integers being built: "{1,2,NULL}". */
typedef struct arr {
    buf b;
    size_t n; /* elements */
} arr;

static void arr_int(arr *a, int64_t v, int null)
{
    buf_put(&a->b, a->n++ ? "," : "{", 1);
    if (null)
        buf_str(&a->b, "NULL");
    else
        buf_int(&a->b, v);
}

static void arr_text(arr *a, const char *s)
{
    buf_put(&a->b, a->n++ ? "," : "{", 1);
    if (s)
        buf_array_text(&a->b, s);
    else
        buf_str(&a->b, "NULL");
}

static const char *arr_end(arr *a)
{
    if (!a->n)
        buf_put(&a->b, "{", 1);
    buf_put(&a->b, "}", 1);
    return a->b.p;
}

static void arr_reset(arr *a)
{
    buf_reset(&a->b);
    a->n = 0;
}

/* ---- the write statements --------------------------------------------------------------- */

enum {
    W_IDENT_GET,
    W_IDENT_ADD,
    W_DUP_HASH,
    W_DUP_EID,
    W_LAST_BATCH,
    W_BATCH_ADD,
    W_STATE,
    W_UNPACK_ALL,
    W_PACK,
    W_UNPACK,
    W_UNPACK_PARENT,
    W_LOT_ADD,
    W_GENEALOGY_ADD,
    W_LOCATION_ADD,
    W_COMMISSION,
    W_DECOMMISSION,
    W_GEO_ADD,
    W_ANOMALY_ADD,
    W_COUNT
};

#define STATE_COLS                                                                                 \
    "i(ident, f, l, le, v5, t5, v7, t7, v9, t9, v11, t11, v13, t13, v15, t15, v17, t17, v19, t19," \
    " v21, t21)"
#define LATEST(col, n)                                                                             \
    " " col " = CASE WHEN i.v" n " IS NOT NULL AND (i.t" n " >= s.last_seen OR s." col             \
    " IS NULL) THEN i.v" n " ELSE s." col " END"

static const char *const write_sql[W_COUNT] = {
    [W_IDENT_GET] = "SELECT id, key FROM ident WHERE key = ANY($1::text[])",
    /* in the order given, so ids follow first sightings as in the SQLite backend */
    [W_IDENT_ADD] = "INSERT INTO ident(key) SELECT k FROM unnest($1::text[]) WITH ORDINALITY"
                    " AS u(k, o) ORDER BY o ON CONFLICT (key) DO NOTHING RETURNING id, key",
    [W_DUP_HASH] = "SELECT hash FROM event_hash WHERE hash = ANY(SELECT decode(h, 'hex') FROM"
                   " unnest($1::text[]) AS u(h))",
    [W_DUP_EID] = "SELECT event_id FROM event_eid WHERE event_id = ANY($1::text[])",
    [W_LAST_BATCH] = "SELECT id, hash, record_time, last_event FROM batch ORDER BY id DESC LIMIT 1",
    [W_BATCH_ADD] = "INSERT INTO batch(id, record_time, first_event, last_event, events,"
                    " prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    /* the merged item states of a document (statemerge.h): the rule of the
     * SQLite backend's upsert, over arrays: update the items that have a
     * state, insert the others */
    [W_STATE] =
        "WITH i AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], "
        "$4::bigint[],"
        " $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], "
        "$10::bigint[],"
        " $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], "
        "$15::bigint[],"
        " $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], $20::bigint[],"
        " $21::bigint[], $22::bigint[]) AS " STATE_COLS "),"
        " u AS (UPDATE item_state s SET"
        " first_seen = CASE WHEN i.f < s.first_seen THEN i.f ELSE s.first_seen END,"
        " last_seen = CASE WHEN i.l >= s.last_seen THEN i.l ELSE s.last_seen END,"
        " last_event = CASE WHEN i.l >= s.last_seen THEN i.le ELSE s.last_event "
        "END," LATEST("disposition", "5") "," LATEST("read_point", "7") "," LATEST("biz_location", "9") "," LATEST("container", "11") "," LATEST(
            "owner",
            "13") "," LATEST("possessor",
                             "15") "," LATEST("lot",
                                              "17") "," LATEST("ex"
                                                               "pi"
                                                               "r"
                                                               "y",
                                                               "1"
                                                               "9") "," LATEST("deleted",
                                                                               "21") " FROM i "
                                                                                     "WHERE "
                                                                                     "s.ident = "
                                                                                     "i.ident "
                                                                                     "RETURNING "
                                                                                     "s.ident)"
                                                                                     " INSERT INTO "
                                                                                     "item_state("
                                                                                     "ident, "
                                                                                     "first_seen, "
                                                                                     "last_seen, "
                                                                                     "last_event, "
                                                                                     "disposition,"
                                                                                     " read_point, "
                                                                                     "biz_location,"
                                                                                     " container, "
                                                                                     "owner, "
                                                                                     "possessor, "
                                                                                     "lot, expiry, "
                                                                                     "deleted)"
                                                                                     " SELECT "
                                                                                     "ident, f, l, "
                                                                                     "le, v5, v7, "
                                                                                     "v9, v11, "
                                                                                     "v13, v15, "
                                                                                     "v17, v19, "
                                                                                     "v21 FROM i"
                                                                                     " WHERE ident "
                                                                                     "NOT IN "
                                                                                     "(SELECT "
                                                                                     "ident FROM "
                                                                                     "u)",
    [W_UNPACK_ALL] = "SELECT c.child, s.container FROM containment c LEFT JOIN item_state s"
                     " ON s.ident = c.child WHERE c.parent = $1 AND c.unpacked_event IS NULL",
    [W_PACK] = "INSERT INTO containment(child, packed_event, parent) SELECT * FROM"
               " unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING",
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
#undef LATEST

st_rc st_pg_prepare_writes(st_pg *p, st_error *err)
{
    if (p->prepared)
        return ST_OK;
    for (int i = 0; i < W_COUNT; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        PGresult *r = PQprepare(p->w.c, name, write_sql[i], 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            st_rc rc = st_pg_fail(err, p->w.c, r, "preparing the write path");
            PQclear(r);
            return rc;
        }
        PQclear(r);
    }
    p->prepared = 1;
    return ST_OK;
}

/* Run write statement w with text parameters; the result (the caller
 * clears it), or NULL on failure with the reason in msg. */
static PGresult *wexec(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap)
{
    char name[16];
    snprintf(name, sizeof name, "w%d", w);
    PGresult *r = PQexecPrepared(p->w.c, name, n, vals, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return r;
    if (msg) {
        const char *m = PQresultErrorMessage(r);
        snprintf(msg, cap, "%s", m && *m ? m : PQerrorMessage(p->w.c));
        size_t k = strlen(msg);
        while (k && msg[k - 1] == '\n')
            msg[--k] = 0;
    }
    PQclear(r);
    return NULL;
}

/* The same, when no rows are wanted: 0 or -1. */
static int wrun(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap)
{
    PGresult *r = wexec(p, w, n, vals, msg, cap);
    PQclear(r);
    return r ? 0 : -1;
}

/* ---- interning identifiers ------------------------------------------------------------ */

/* Every key one document names, in the order of first sighting, but for
 * the events that are duplicates (dup[i]): those leave no trace. */
static void doc_keys(const st_cap_doc *d, const unsigned char *dup, void (*f)(void *, const char *),
                     void *ctx)
{
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        if (dup[i])
            continue;
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
        if (a->event >= d->n || dup[a->event])
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
static size_t still_missing(struct missing *m, arr *a)
{
    arr_reset(a);
    for (size_t i = 0; i < m->n; i++)
        if (!st_idcache_get(&m->p->ids, m->k[i], strlen(m->k[i])))
            arr_text(a, m->k[i]);
    arr_end(a);
    return a->n;
}

/* Cache the (id, key) rows of r. */
static void cache_rows(st_pg *p, PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++)
        st_idcache_put(&p->ids, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1),
                       strtoll(PQgetvalue(r, i, 0), NULL, 10));
}

struct wdoc;
static int mark_dups(struct wdoc *w, const st_cap_doc *d, unsigned char *dup);

/* Intern every key of d not cached (but those only duplicates name): look
 * them up, insert the new ones, each statement its own transaction
 * (autocommit). 0 or -1 (msg says why). */
static int intern_doc(struct wdoc *w, st_pg *p, const st_cap_doc *d, char *msg, size_t cap)
{
    struct missing m = {p, {0}, NULL, 0, 0, 0};
    arr a = {{0}, 0};
    st_idcache_init(&m.seen);
    int rc = -1;
    unsigned char *dup = calloc(d->n + 1, 1);
    if (!dup || mark_dups(w, d, dup)) {
        snprintf(msg, cap, "%s", dup ? "looking up duplicates failed" : "out of memory");
        goto out;
    }
    doc_keys(d, dup, add_missing, &m);
    /* look up first, then insert only what is new (an insert that
     * conflicts still uses up an identity value: ids would get gaps);
     * what another writer inserted meanwhile is skipped by the insert and
     * found by the next look-up; a deadlock between two writers inserting
     * the same new keys in other orders is retried */
    for (int step = 0; step < 10; step++) {
        if (!still_missing(&m, &a)) {
            rc = 0;
            goto out;
        }
        if (m.oom || a.b.oom) {
            snprintf(msg, cap, "out of memory");
            goto out;
        }
        const char *v[1] = {a.b.p};
        PGresult *r = wexec(p, step % 2 ? W_IDENT_ADD : W_IDENT_GET, 1, v, msg, cap);
        if (!r && !(step % 2 && strstr(msg, "deadlock")))
            goto out;
        if (r)
            cache_rows(p, r);
        PQclear(r);
    }
    snprintf(msg, cap, "identifiers could not be interned (concurrent writers)");
out:
    free(dup);
    free(m.k);
    free(a.b.p);
    st_idcache_free(&m.seen);
    return rc;
}

/* The ident id of key (interned already); 0 for NULL, -1 on error. */
static int64_t ident_id(st_pg *p, const char *key)
{
    if (!key)
        return 0;
    size_t n = strlen(key);
    int64_t id = st_idcache_get(&p->ids, key, n);
    if (id)
        return id;
    /* the cache was emptied since (it is bounded): read it back */
    arr a = {{0}, 0};
    arr_text(&a, key);
    const char *v[1] = {arr_end(&a)};
    PGresult *r = a.b.oom ? NULL : wexec(p, W_IDENT_GET, 1, v, NULL, 0);
    if (r && PQntuples(r) == 1) {
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        st_idcache_put(&p->ids, key, n, id);
    }
    PQclear(r);
    free(a.b.p);
    return id > 0 ? id : -1;
}

/* ---- a set of byte strings (hashes, eventIDs), for duplicates within a group -------------- */

typedef struct bset {
    struct bent {
        const void *p; /* borrowed */
        size_t n;
    } * e;
    size_t mask; /* slots - 1 */
} bset;

static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

/* A set for at most max members. 0, or -1 when out of memory. */
static int bset_init(bset *s, size_t max)
{
    size_t slots = 16;
    while (slots < 2 * max + 2)
        slots *= 2;
    s->e = calloc(slots, sizeof *s->e);
    s->mask = slots - 1;
    return s->e ? 0 : -1;
}

/* 1 when p[0..n) is in s; with add, it is added when it was not. */
static int bset_find(bset *s, const void *p, size_t n, int add)
{
    for (size_t i = fnv(p, n) & s->mask;; i = (i + 1) & s->mask) {
        if (!s->e[i].p) {
            if (add) {
                s->e[i].p = p;
                s->e[i].n = n;
            }
            return 0;
        }
        if (s->e[i].n == n && !memcmp(s->e[i].p, p, n))
            return 1;
    }
}

/* ---- one document --------------------------------------------------------------------------- */

enum { OP_PACK, OP_UNPACK };

/* What one document writes, built while its events are walked. */
typedef struct wdoc {
    st_pg *p;
    buf ev, hash, eid, epc;     /* COPY data of event, event_hash, event_eid, event_epc */
    arr lot[2], gen[3], loc[2]; /* item_lot, genealogy, location_child rows */
    arr com[3], dec[3], geo[3]; /* item_life (commissioned, decommissioned), location_geo */
    arr anom[6];                /* anomaly rows, by W_ANOMALY_ADD parameter */
    arr st[22];                 /* merged item states, by W_STATE parameter */
    struct cop {
        int64_t child, event, parent;
        int kind; /* OP_PACK or OP_UNPACK */
    } * ops;      /* containment changes, in event order */
    size_t nops, capops;
    char msg[256]; /* why the document failed */
} wdoc;

static void wdoc_free(wdoc *w)
{
    free(w->ev.p);
    free(w->hash.p);
    free(w->eid.p);
    free(w->epc.p);
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
    for (int i = 0; i < 22; i++)
        free(w->st[i].b.p);
    free(w->ops);
}

static void wdoc_reset(wdoc *w)
{
    buf_reset(&w->ev);
    buf_reset(&w->hash);
    buf_reset(&w->eid);
    buf_reset(&w->epc);
    for (int i = 0; i < 2; i++) {
        arr_reset(&w->lot[i]);
        arr_reset(&w->loc[i]);
    }
    for (int i = 0; i < 3; i++) {
        arr_reset(&w->gen[i]);
        arr_reset(&w->com[i]);
        arr_reset(&w->dec[i]);
        arr_reset(&w->geo[i]);
    }
    for (int i = 0; i < 6; i++)
        arr_reset(&w->anom[i]);
    w->nops = 0;
    w->msg[0] = 0;
}

static int fail(wdoc *w, const char *what)
{
    if (!w->msg[0])
        snprintf(w->msg, sizeof w->msg, "%s: %s", what, PQerrorMessage(w->p->w.c));
    return -1;
}

/* COPY the rows in b into the table of sql. */
static int copy_in(wdoc *w, const char *sql, const buf *b)
{
    if (!b->n)
        return 0;
    PGconn *c = w->p->w.c;
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        snprintf(w->msg, sizeof w->msg, "%s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok)
        return -1;
    ok = PQputCopyData(c, b->p, (int)b->n) == 1;
    ok = PQputCopyEnd(c, ok ? NULL : "the rows could not be sent") == 1 && ok;
    while ((r = PQgetResult(c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (ok)
                snprintf(w->msg, sizeof w->msg, "%s", PQresultErrorMessage(r));
            ok = 0;
        }
        PQclear(r);
    }
    return ok ? 0 : -1;
}

/* Apply the pending containment changes, each run of one kind in one
 * statement. In a run of unpackings only a child's first counts: it closes
 * the open row, and a second finds none (as row-by-row). */
static int flush_containment(wdoc *w)
{
    size_t i = 0;
    arr a[3] = {{{0}, 0}, {{0}, 0}, {{0}, 0}};
    int rc = 0;
    while (i < w->nops) {
        int kind = w->ops[i].kind;
        size_t j = i;
        bset seen = {0};
        while (j < w->nops && w->ops[j].kind == kind)
            j++;
        if (kind == OP_UNPACK && bset_init(&seen, j - i) < 0) {
            rc = -1;
            break;
        }
        for (size_t k = i; k < j; k++) {
            const struct cop *o = &w->ops[k];
            if (kind == OP_UNPACK && bset_find(&seen, &o->child, sizeof o->child, 1))
                continue;
            arr_int(&a[0], o->child, 0);
            arr_int(&a[1], o->event, 0);
            if (kind == OP_PACK)
                arr_int(&a[2], o->parent, 0);
        }
        free(seen.e);
        const char *v[3] = {arr_end(&a[0]), arr_end(&a[1]), arr_end(&a[2])};
        if (a[0].b.oom || a[1].b.oom || a[2].b.oom ||
            wrun(w->p, kind == OP_PACK ? W_PACK : W_UNPACK, kind == OP_PACK ? 3 : 2, v, w->msg,
                 sizeof w->msg)) {
            rc = -1;
            break;
        }
        for (int k = 0; k < 3; k++)
            arr_reset(&a[k]);
        i = j;
    }
    for (int k = 0; k < 3; k++)
        free(a[k].b.p);
    w->nops = 0;
    return rc;
}

static int add_op(wdoc *w, int kind, int64_t child, int64_t event, int64_t parent)
{
    if (w->nops == w->capops) {
        size_t cap = w->capops ? 2 * w->capops : 256;
        struct cop *o = realloc(w->ops, cap * sizeof *o);
        if (!o)
            return -1;
        w->ops = o;
        w->capops = cap;
    }
    w->ops[w->nops++] = (struct cop){child, event, parent, kind};
    return 0;
}

/* Write the merged item states (one statement for all). */
static int flush_states(wdoc *w)
{
    st_statemerge *m = &w->p->sm;
    if (!m->n)
        return 0;
    for (int i = 0; i < 22; i++)
        arr_reset(&w->st[i]);
    for (size_t i = 0; i < m->n; i++) {
        const st_state_delta *d = &m->d[i];
        arr_int(&w->st[0], d->ident, 0);
        arr_int(&w->st[1], d->first, 0);
        arr_int(&w->st[2], d->last, 0);
        arr_int(&w->st[3], d->last_event, 0);
        for (int c = 0; c < ST_SC_COUNT; c++) {
            int k =
                4 + 2 * (c < ST_SC_LOT + 1 ? c : c + 1); /* expiry sits between lot and deleted */
            arr_int(&w->st[k], d->col[c].v, !d->col[c].set);
            arr_int(&w->st[k + 1], d->col[c].t, !d->col[c].set);
        }
        arr_text(&w->st[18], d->expiry);
        arr_int(&w->st[19], d->expiry_t, !d->expiry);
    }
    const char *v[22];
    for (int i = 0; i < 22; i++) {
        v[i] = arr_end(&w->st[i]);
        if (w->st[i].b.oom)
            return -1;
    }
    if (wrun(w->p, W_STATE, 22, v, w->msg, sizeof w->msg))
        return -1;
    st_statemerge_reset(m);
    return 0;
}

/* The ids an event's projections need, looked up once per event. */
struct ev_ids {
    int64_t event, parent, biz_step, disposition, read_point, biz_location, owner, possessor;
};

static int is_instance(unsigned role)
{
    return role >= ST_ROLE_EPC && role <= ST_ROLE_OUTPUT;
}

#define MERGE_MAX 200000 /* items merged before a document's states are written */

/* As the SQLite backend's update_state. */
static int update_state(wdoc *w, const st_cap_event *e, const st_cap_ref *r, int64_t item,
                        const struct ev_ids *x)
{
    st_pg *p = w->p;
    int64_t t = e->event_time;
    if (p->sm.n >= MERGE_MAX && flush_states(w))
        return -1;
    st_state_delta *d = st_statemerge_touch(&p->sm, item, t, x->event);
    if (!d)
        return -1;
    if (x->disposition > 0)
        st_statemerge_set(d, ST_SC_DISPOSITION, x->disposition, t);
    if (x->read_point > 0)
        st_statemerge_set(d, ST_SC_READ_POINT, x->read_point, t);
    if (x->biz_location > 0)
        st_statemerge_set(d, ST_SC_BIZ_LOCATION, x->biz_location, t);
    if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD && x->parent > 0)
        st_statemerge_set(d, ST_SC_CONTAINER, e->action == ST_ACTION_DELETE ? 0 : x->parent, t);
    if (x->owner > 0)
        st_statemerge_set(d, ST_SC_OWNER, x->owner, t);
    if (x->possessor > 0)
        st_statemerge_set(d, ST_SC_POSSESSOR, x->possessor, t);
    if (r->lot_key) {
        int64_t lot = ident_id(p, r->lot_key);
        if (lot < 0)
            return -1;
        st_statemerge_set(d, ST_SC_LOT, lot, t);
        if (e->expiry)
            st_statemerge_expiry(d, e->expiry, t);
        arr_int(&w->lot[0], lot, 0);
        arr_int(&w->lot[1], item, 0);
    }
    if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_ADD)
        st_statemerge_set(d, ST_SC_DELETED, 0, t);
    else if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_DELETE)
        st_statemerge_set(d, ST_SC_DELETED, 1, t);
    return 0;
}

/* As the SQLite backend's unpack_all: every child still in the parent (by
 * its merged or stored state) leaves it. */
static int unpack_all(wdoc *w, const st_cap_event *e, const struct ev_ids *x)
{
    st_pg *p = w->p;
    if (flush_containment(w))
        return -1;
    char a[24], b[24];
    snprintf(a, sizeof a, "%" PRId64, x->parent);
    snprintf(b, sizeof b, "%" PRId64, x->event);
    const char *v[2] = {a, b};
    PGresult *r = wexec(p, W_UNPACK_ALL, 1, v, w->msg, sizeof w->msg);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t child = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        st_state_delta *d = st_statemerge_find(&p->sm, child);
        int64_t now = d && d->col[ST_SC_CONTAINER].set ? d->col[ST_SC_CONTAINER].v
                      : !PQgetisnull(r, i, 1)          ? strtoll(PQgetvalue(r, i, 1), NULL, 10)
                                                       : 0;
        if (now != x->parent)
            continue;
        if (!(d = st_statemerge_touch(&p->sm, child, e->event_time, x->event))) {
            PQclear(r);
            return -1;
        }
        st_statemerge_set(d, ST_SC_CONTAINER, 0, e->event_time);
    }
    PQclear(r);
    return wrun(p, W_UNPACK_PARENT, 2, v, w->msg, sizeof w->msg);
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
        int c = s[i] | 0x20;
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return 0;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return s[64] == 0 || s[64] == '?';
}

static void copy_opt(buf *b, int64_t id)
{
    if (id > 0)
        buf_int(b, id);
    else
        buf_str(b, "\\N");
    buf_put(b, "\t", 1);
}

/* The item_life rows of item when e commissions or decommissions it. */
static void life(wdoc *w, const st_cap_event *e, unsigned role, int64_t item, int64_t event)
{
    arr *a[2] = {st_cap_commissions(e, role) ? w->com : NULL,
                 st_cap_decommissions(e, role) ? w->dec : NULL};
    for (int k = 0; k < 2; k++) {
        if (!a[k])
            continue;
        arr_int(&a[k][0], item, 0);
        arr_int(&a[k][1], event, 0);
        arr_int(&a[k][2], e->event_time, 0);
    }
}

/* The anomaly rows of event index i of d, stored as event (0: a duplicate,
 * whose anomalies were stored with it before); *next is the first anomaly
 * not yet taken (d->anom is in event order). */
static int add_anomalies(wdoc *w, const st_cap_doc *d, size_t i, int64_t event, int64_t record_ms,
                         size_t *next)
{
    for (; *next < d->n_anom && d->anom[*next].event <= i; ++*next) {
        const st_cap_anomaly *a = &d->anom[*next];
        if (a->event < i || !event)
            continue;
        int64_t item = ident_id(w->p, a->key), loc = ident_id(w->p, a->location);
        if (item < 0 || loc < 0)
            return -1;
        arr_int(&w->anom[0], event, 0);
        arr_int(&w->anom[1], item, 0);
        arr_text(&w->anom[2], a->rule);
        arr_int(&w->anom[3], loc, loc == 0);
        arr_int(&w->anom[4], record_ms, 0);
        arr_text(&w->anom[5], a->evidence);
    }
    return 0;
}

/* Rows and projections of one new event, id x->event. */
static int store_event(wdoc *w, const st_cap_event *e, int64_t batch, int64_t record_ms,
                       struct ev_ids *x)
{
    st_pg *p = w->p;
    if ((x->biz_step = ident_id(p, e->biz_step)) < 0 ||
        (x->disposition = ident_id(p, e->disposition)) < 0 ||
        (x->read_point = ident_id(p, e->read_point)) < 0 ||
        (x->biz_location = ident_id(p, e->biz_location)) < 0 ||
        (x->owner = ident_id(p, e->owner)) < 0 || (x->possessor = ident_id(p, e->possessor)) < 0)
        return -1;
    int64_t xform_id = 0;
    if (e->type == ST_EVENT_TRANSFORMATION && e->xform_id &&
        (xform_id = ident_id(p, e->xform_id)) < 0)
        return -1;
    buf *b = &w->ev;
    buf_int(b, x->event);
    buf_put(b, "\t", 1);
    buf_int(b, batch);
    buf_put(b, "\t", 1);
    buf_int(b, record_ms);
    buf_put(b, "\t", 1);
    buf_int(b, e->event_time);
    buf_put(b, "\t", 1);
    buf_int(b, e->type);
    buf_put(b, "\t", 1);
    buf_int(b, e->action);
    buf_put(b, "\t", 1);
    copy_opt(b, x->biz_step);
    copy_opt(b, x->disposition);
    copy_opt(b, x->read_point);
    copy_opt(b, x->biz_location);
    buf_int(b, e->fields);
    buf_put(b, "\t", 1);
    copy_opt(b, xform_id);
    buf_str(b, "\\\\x");
    buf_hex(b, e->hash, 32);
    buf_put(b, "\t", 1);
    if (e->event_id)
        buf_copy_text(b, e->event_id);
    else
        buf_str(b, "\\N");
    buf_str(b, "\t\\\\x");
    buf_hex(b, e->body, e->body_len);
    buf_put(b, "\n", 1);
    buf_str(&w->hash, "\\\\x");
    buf_hex(&w->hash, e->hash, 32);
    buf_put(&w->hash, "\t", 1);
    buf_int(&w->hash, x->event);
    buf_put(&w->hash, "\n", 1);
    if (e->event_id) {
        buf_copy_text(&w->eid, e->event_id);
        buf_put(&w->eid, "\t", 1);
        buf_int(&w->eid, x->event);
        buf_put(&w->eid, "\n", 1);
    }

    for (size_t i = 0; i < e->n_refs; i++)
        if (e->refs[i].role == ST_ROLE_PARENT && (x->parent = ident_id(p, e->refs[i].key)) < 0)
            return -1;
    int64_t xform = xform_id ? xform_id : -x->event;
    int children = 0;
    st_i64set pairs; /* (ident, role) already named by this event */
    st_i64set_init(&pairs, SIZE_MAX);
    int rc = 0;
    for (size_t i = 0; i < e->n_refs && !rc; i++) {
        const st_cap_ref *r = &e->refs[i];
        int64_t item = ident_id(p, r->key);
        if (item < 0) {
            rc = -1;
            break;
        }
        int added = st_i64set_add(&pairs, item * 16 + r->role);
        if (added < 0) {
            rc = -1;
            break;
        }
        if (added) {
            buf_int(&w->epc, item);
            buf_put(&w->epc, "\t", 1);
            buf_int(&w->epc, x->event);
            buf_put(&w->epc, "\t", 1);
            buf_int(&w->epc, r->role);
            buf_put(&w->epc, "\n", 1);
        }
        if (is_instance(r->role) && update_state(w, e, r, item, x))
            rc = -1;
        if (is_instance(r->role))
            life(w, e, r->role, item, x->event);
        if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD && x->parent > 0) {
            children++;
            if ((e->action == ST_ACTION_ADD || e->action == ST_ACTION_OBSERVE) &&
                add_op(w, OP_PACK, item, x->event, x->parent))
                rc = -1;
            else if (e->action == ST_ACTION_DELETE && add_op(w, OP_UNPACK, item, x->event, 0))
                rc = -1;
        }
        if (e->type == ST_EVENT_TRANSFORMATION && r->role >= ST_ROLE_INPUT &&
            r->role != ST_ROLE_EPC_CLASS && r->role != ST_ROLE_CHILD_CLASS) {
            arr_int(&w->gen[0], xform, 0);
            arr_int(&w->gen[1], r->role, 0);
            arr_int(&w->gen[2], item, 0);
        }
    }
    st_i64set_free(&pairs);
    if (rc)
        return -1;
    if (e->type == ST_EVENT_AGGREGATION && e->action == ST_ACTION_DELETE && x->parent > 0 &&
        !children && unpack_all(w, e, x))
        return -1;
    return 0;
}

/* ---- one document in the open transaction ------------------------------------------------ */

/* Write the lifecycle rows of the document: item_life, location_geo and
 * anomaly, one statement each (none when there is nothing to write). */
static int flush_life(wdoc *w)
{
    struct {
        int stmt, ncols;
        arr *a;
    } t[] = {{W_COMMISSION, 3, w->com},
             {W_DECOMMISSION, 3, w->dec},
             {W_GEO_ADD, 3, w->geo},
             {W_ANOMALY_ADD, 6, w->anom}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (!t[i].a[0].n)
            continue;
        const char *v[6];
        for (int k = 0; k < t[i].ncols; k++) {
            v[k] = arr_end(&t[i].a[k]);
            if (t[i].a[k].b.oom) {
                snprintf(w->msg, sizeof w->msg, "out of memory");
                return -1;
            }
        }
        if (wrun(w->p, t[i].stmt, t[i].ncols, v, w->msg, sizeof w->msg))
            return -1;
    }
    return 0;
}

/* The chain's tail as the transaction sees it. */
struct tail {
    int64_t batch;          /* last link id */
    unsigned char hash[32]; /* its hash */
    int64_t record_ms;      /* its record time */
    int64_t last_event;     /* the largest event id */
};

/* "\x..." (bytea text output) into out[0..32); 0 when it is not 32 bytes. */
static int bytea32(const char *s, unsigned char out[32])
{
    if (strncmp(s, "\\x", 2) || strlen(s) != 66)
        return 0;
    char z[80];
    snprintf(z, sizeof z, "ni:///sha-256;%s", s + 2);
    return hashid_digest(z, out);
}

/* The stored events among d's (by hash, declared hash ID and eventID): their
 * hashes and eventIDs into hs and es (pointing into *hr, *er and dig). */
static int stored_dups(wdoc *w, const st_cap_doc *d, bset *hs, bset *es, PGresult **hr,
                       PGresult **er, unsigned char (**dig)[32])
{
    arr h = {{0}, 0}, e = {{0}, 0};
    buf hex = {0};
    int rc = -1;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *ev = &d->ev[i];
        unsigned char declared[32];
        buf_reset(&hex);
        buf_hex(&hex, ev->hash, 32);
        arr_text(&h, hex.p);
        if (ev->event_id && hashid_digest(ev->event_id, declared)) {
            buf_reset(&hex);
            buf_hex(&hex, declared, 32);
            arr_text(&h, hex.p);
        }
        if (ev->event_id)
            arr_text(&e, ev->event_id);
    }
    const char *hv[1] = {arr_end(&h)}, *ev[1] = {arr_end(&e)};
    if (h.b.oom || e.b.oom || hex.oom)
        goto out;
    if (!(*hr = wexec(w->p, W_DUP_HASH, 1, hv, w->msg, sizeof w->msg)))
        goto out;
    if (e.n && !(*er = wexec(w->p, W_DUP_EID, 1, ev, w->msg, sizeof w->msg)))
        goto out;
    int nh = PQntuples(*hr);
    if (!(*dig = malloc(((size_t)nh + 1) * 32)))
        goto out;
    for (int i = 0; i < nh; i++)
        if (bytea32(PQgetvalue(*hr, i, 0), (*dig)[i]))
            bset_find(hs, (*dig)[i], 32, 1);
    for (int i = 0; *er && i < PQntuples(*er); i++)
        bset_find(es, PQgetvalue(*er, i, 0), (size_t)PQgetlength(*er, i, 0), 1);
    rc = 0;
out:
    free(h.b.p);
    free(e.b.p);
    free(hex.p);
    return rc;
}

/* dup[i] = 1 for each event of d that is a duplicate: same hash, same
 * eventID, or a declared eventID that is the hash ID of a stored event
 * (stored before, or earlier in d). 0, or -1 (w->msg says why). */
static int mark_dups(wdoc *w, const st_cap_doc *d, unsigned char *dup)
{
    bset hs = {0}, es = {0};
    PGresult *hr = NULL, *er = NULL;
    unsigned char(*dig)[32] = NULL;
    int rc = -1;
    if (bset_init(&hs, 3 * d->n) || bset_init(&es, 2 * d->n)) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        goto out;
    }
    if (stored_dups(w, d, &hs, &es, &hr, &er, &dig))
        goto out;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        unsigned char declared[32];
        dup[i] = (e->event_id && hashid_digest(e->event_id, declared) &&
                  bset_find(&hs, declared, 32, 0)) ||
                 bset_find(&hs, e->hash, 32, 0) ||
                 (e->event_id && bset_find(&es, e->event_id, strlen(e->event_id), 0));
        if (dup[i])
            continue;
        bset_find(&hs, e->hash, 32, 1);
        if (e->event_id)
            bset_find(&es, e->event_id, strlen(e->event_id), 1);
    }
    rc = 0;
out:
    free(hs.e);
    free(es.e);
    PQclear(hr);
    PQclear(er);
    free(dig);
    return rc;
}

/* Store one document inside the open transaction; on failure its savepoint
 * is rolled back and d->rc says why. */
/* The lineage index's view of the write connection (lib/store/lineage.h). */
static st_rc lin_query(void *ctx, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                       void *arg, st_error *err)
{
    st_pg *p = ctx;
    return st_pg_query(p->w.c, sql, args, nargs, cb, arg, NULL, err);
}

static int64_t lin_ident(void *ctx, const char *key)
{
    return ident_id(ctx, key);
}

static void commit_doc(wdoc *w, st_cap_doc *d, struct tail *t, int64_t record_ms)
{
    st_pg *p = w->p;
    PGconn *c = p->w.c;
    d->stored = d->duplicates = 0;
    d->batch = 0;
    d->record_ms = record_ms;
    d->rc = ST_OK;
    wdoc_reset(w);
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
    if (mark_dups(w, d, dup))
        goto fail;
    size_t next_anom = 0;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        if (dup[i]) {
            d->duplicates++;
            if (d->n_anom && add_anomalies(w, d, i, 0, record_ms, &next_anom))
                goto fail;
            continue;
        }
        struct ev_ids x = {0};
        x.event = next++;
        if (store_event(w, e, batch, record_ms, &x) ||
            (d->n_anom && add_anomalies(w, d, i, x.event, record_ms, &next_anom)))
            goto fail;
        if (!first)
            first = x.event;
        last = x.event;
        d->stored++;
        st_chain_event(&ch, e->hash);
    }
    for (size_t i = 0; i < d->n_links; i++) {
        int64_t pa = ident_id(p, d->links[i].parent), ch_ = ident_id(p, d->links[i].child);
        if (pa < 0 || ch_ < 0)
            goto fail;
        arr_int(&w->loc[0], pa, 0);
        arr_int(&w->loc[1], ch_, 0);
    }
    for (size_t i = 0; i < d->n_geo; i++) {
        int64_t loc = ident_id(p, d->geo[i].loc);
        if (loc < 0)
            goto fail;
        arr_int(&w->geo[0], loc, 0);
        arr_int(&w->geo[1], d->geo[i].lat_e6, 0);
        arr_int(&w->geo[2], d->geo[i].lon_e6, 0);
    }
    if (w->ev.oom || w->hash.oom || w->eid.oom || w->epc.oom) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        goto fail;
    }
    if (flush_containment(w) ||
        copy_in(w,
                "COPY event(id, batch, record_time, event_time, type, action, biz_step,"
                " disposition, read_point, biz_location, fields, xform, hash, event_id, body)"
                " FROM STDIN",
                &w->ev) ||
        copy_in(w, "COPY event_hash(hash, event) FROM STDIN", &w->hash) ||
        copy_in(w, "COPY event_eid(event_id, event) FROM STDIN", &w->eid) ||
        copy_in(w, "COPY event_epc(ident, event, role) FROM STDIN", &w->epc) || flush_states(w))
        goto fail;
    const char *lv[2] = {arr_end(&w->lot[0]), arr_end(&w->lot[1])};
    const char *gv[3] = {arr_end(&w->gen[0]), arr_end(&w->gen[1]), arr_end(&w->gen[2])};
    const char *cv[2] = {arr_end(&w->loc[0]), arr_end(&w->loc[1])};
    if ((w->lot[0].n > 0 && wrun(p, W_LOT_ADD, 2, lv, w->msg, sizeof w->msg)) ||
        (w->gen[0].n > 0 && wrun(p, W_GENEALOGY_ADD, 3, gv, w->msg, sizeof w->msg)) ||
        (w->loc[0].n > 0 && wrun(p, W_LOCATION_ADD, 2, cv, w->msg, sizeof w->msg)) || flush_life(w))
        goto fail;
    st_write_io lio = {p, lin_query, lin_ident, 100};
    st_error lerr;
    st_error_clear(&lerr);
    if (d->stored && st_lin_apply(&lio, d, dup, first, &lerr) != ST_OK) {
        snprintf(w->msg, sizeof w->msg, "%s", lerr.msg);
        goto fail;
    }
    unsigned char h[32];
    if (st_chain_end(&ch, h) != ST_OK)
        goto fail;
    if (d->stored) {
        char a[5][24];
        buf ph = {0}, hh = {0};
        buf_str(&ph, "\\x");
        buf_hex(&ph, t->hash, 32);
        buf_str(&hh, "\\x");
        buf_hex(&hh, h, 32);
        int64_t iv[5] = {batch, record_ms, first, last, (int64_t)d->stored};
        for (int i = 0; i < 5; i++)
            snprintf(a[i], sizeof a[i], "%" PRId64, iv[i]);
        const char *v[7] = {a[0], a[1], a[2], a[3], a[4], ph.p, hh.p};
        int bad = ph.oom || hh.oom || wrun(p, W_BATCH_ADD, 7, v, w->msg, sizeof w->msg);
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
    PGresult *r = wexec(p, W_LAST_BATCH, 0, NULL, msg, sizeof msg);
    if (!r)
        return st_fail(err, ST_ERR_IO, -1, NULL, "reading the chain: %s", msg);
    if (PQntuples(r) == 1) {
        t->batch = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        bytea32(PQgetvalue(r, 0, 1), t->hash);
        t->record_ms = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        t->last_event = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
    return ST_OK;
}

/* Planner statistics for tables that grew fast. Autovacuum analyzes plain
 * tables in time, but not a partitioned table as a whole, and a bulk load
 * outruns it: without statistics a trace can take seconds instead of
 * milliseconds. So each handle analyzes whenever the event log has grown
 * fourfold since it last did (at 5,000 events, 20,000, 80,000, ...): a
 * logarithmic number of times, each reading a fixed-size sample (measured:
 * doubling cost about 15 us per event at 1M events, a tenth of a commit). */
static void analyze(st_pg *p, int64_t events)
{
    p->analyzed_at = events;
    st_pg_run(p->w.c,
              "ANALYZE event, event_epc, event_hash, ident, item_state, item_lot, containment,"
              " genealogy, batch",
              NULL);
}

st_rc st_pg_commit(void *impl, st_cap_doc **docs, size_t n, st_error *err)
{
    st_pg *p = impl;
    if (!p->w.c)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the store is open read-only");
    pthread_mutex_lock(&p->w.mu);
    st_rc rc = ST_OK;
    wdoc w = {.p = p};
    struct tail t;
    int open = 0;
    if (PQstatus(p->w.c) != CONNECTION_OK) { /* the server restarted: reconnect */
        PQreset(p->w.c);
        st_pg_session(p, &p->w, NULL);
        p->prepared = 0;
    }
    if ((rc = st_pg_prepare_writes(p, err)))
        goto out;
    int64_t now = wall_ms();
    if (now + PART_MARGIN_MS >= p->parts_until &&
        (rc = st_pg_partitions_ensure(p, &p->w, now + PART_MARGIN_MS, err)))
        goto out;
    /* identifiers first, outside the chain lock; a document whose
     * identifiers cannot be interned fails alone */
    for (size_t i = 0; i < n; i++) {
        docs[i]->rc = ST_OK;
        docs[i]->msg[0] = 0;
        char msg[200];
        if (intern_doc(&w, p, docs[i], msg, sizeof msg)) {
            docs[i]->rc = ST_ERR_IO;
            snprintf(docs[i]->msg, sizeof docs[i]->msg, "storing the document failed: %s", msg);
        }
    }
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
    if (stored && st_pg_run(p->w.c, "NOTIFY " ST_PG_NOTIFY, err)) {
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
        st_write_io io = {p, lin_query, lin_ident, 100};
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
