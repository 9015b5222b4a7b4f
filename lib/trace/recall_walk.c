/*
 * The recall walk (recall_int.h): seeds from the criteria, then forward
 * level by level, each level a few set-based statements over chunks of
 * RCL_CHUNK ids (split between two reader threads when large): members of
 * lots (item_lot), outputs of the transformations that took a node as an
 * input or consumed its lot as a class (event_epc, genealogy), contents of
 * containers named by the seeds (containment). Nodes that lead nowhere are
 * the finished units; their facts (state, container chain, holder) and the
 * blanket scope are read the same way, in chunks.
 */
#include <pthread.h>
#include <serialtrack/limits.h>
#include <serialtrack/trace.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/i64map.h"
#include "common/i64set.h"
#include "store/capture.h"
#include "store/codec.h"
#include "store/store_int.h"
#include "trace/recall_int.h"

#define RCL_CHUNK 500   /* ids per statement */
#define RCL_PARALLEL 8  /* chunks from which a statement's work is split over two threads */
#define RCL_CHAIN_MAX 8 /* container levels followed */
#define DISP_PREFIX "https://ref.gs1.org/cbv/Disp-"
#define GTIN_PREFIX "https://id.gs1.org/01/"

/* ---- a growable array of ids ---------------------------------------------------------- */

typedef struct ivec {
    int64_t *v;
    size_t n, cap;
} ivec;

static int ivec_push(ivec *a, int64_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        int64_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* ---- rows of a chunked statement ------------------------------------------------------ */

/* Rows read: w integer columns each (NULL reads as 0), and with text set,
 * column w as a string copied into a. */
typedef struct rows {
    int64_t *v; /* n * w integers */
    char **t;   /* n strings, when text */
    size_t n, cap;
    int w;       /* integer columns */
    int text;    /* 1: one more column, text */
    st_arena *a; /* for the strings */
    st_rc rc;    /* ST_ERR_NOMEM when growing failed */
} rows;

static st_rc row_collect(void *ctx, const st_val *c, int nc)
{
    rows *r = ctx;
    if (nc < r->w + r->text)
        return ST_ERR_INTERNAL;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        int64_t *v = realloc(r->v, cap * (size_t)r->w * sizeof *v);
        if (!v)
            return ST_ERR_NOMEM;
        r->v = v;
        if (r->text) {
            char **t = realloc(r->t, cap * sizeof *t);
            if (!t)
                return ST_ERR_NOMEM;
            r->t = t;
        }
        r->cap = cap;
    }
    int64_t *o = r->v + r->n * (size_t)r->w;
    for (int i = 0; i < r->w; i++)
        o[i] = c[i].type == ST_VAL_INT ? c[i].i : 0;
    if (r->text) {
        const st_val *t = &c[r->w];
        r->t[r->n] = t->type == ST_VAL_TEXT ? st_arena_strndup(r->a, t->p, t->n) : NULL;
        if (t->type == ST_VAL_TEXT && !r->t[r->n])
            return ST_ERR_NOMEM;
    }
    r->n++;
    return ST_OK;
}

static void rows_free(rows *r)
{
    free(r->v);
    free(r->t);
    r->v = NULL;
    r->t = NULL;
    r->n = r->cap = 0;
}

/* Append the rows of from to out (the same columns); texts are copied into out->a. */
static st_rc rows_append(rows *out, const rows *from)
{
    st_rc rc = ST_OK;
    for (size_t i = 0; !rc && i < from->n; i++) {
        st_val c[8];
        for (int k = 0; k < from->w; k++)
            c[k] = st_val_int(from->v[i * (size_t)from->w + (size_t)k]);
        if (from->text)
            c[from->w] = st_val_text(from->t[i]);
        rc = row_collect(out, c, from->w + from->text);
    }
    return rc;
}

struct job {
    st_store *s;
    const char *sql;
    const int64_t *ids;
    size_t from, to; /* ids [from, to) */
    rows *out;
    st_rc rc;
    st_error err;
};

static void *job_run(void *p)
{
    struct job *j = p;
    st_val args[RCL_CHUNK];
    for (size_t off = j->from; off < j->to && !j->rc; off += RCL_CHUNK) {
        for (size_t k = 0; k < RCL_CHUNK; k++)
            args[k] = st_val_int(off + k < j->to ? j->ids[off + k] : 0);
        j->rc = st_store_exec(j->s, j->sql, args, RCL_CHUNK, row_collect, j->out, &j->err);
    }
    return NULL;
}

/* The walk's state. */
struct walk {
    st_store *s;
    st_error *err;
    st_rcl_result *r;
    st_arena *a;       /* r->a */
    char *sql_buf[16]; /* statements with an IN list, built once */
    int64_t only_lot;  /* the one lot whose leaves are all the leaves (lineage index), or 0 */
};

/*
 * Run sql (with "%s" where the IN list of RCL_CHUNK placeholders goes) over
 * ids[0..n), appending its rows to out (w integer columns, text as for
 * rows). Large inputs are split over two threads (two read connections).
 */
static st_rc chunked(struct walk *wk, int slot, const char *sql, const int64_t *ids, size_t n,
                     rows *out)
{
    if (!wk->sql_buf[slot]) {
        size_t len = strlen(sql) + RCL_CHUNK * 7 + 16;
        char *b = st_arena_alloc(wk->a, len), *p;
        if (!b)
            return ST_ERR_NOMEM;
        const char *mark = strstr(sql, "%s");
        memcpy(b, sql, (size_t)(mark - sql));
        p = b + (mark - sql);
        *p++ = '(';
        for (int i = 1; i <= RCL_CHUNK; i++)
            p += sprintf(p, i > 1 ? ",$%d" : "$%d", i);
        *p++ = ')';
        strcpy(p, mark + 2);
        wk->sql_buf[slot] = b;
    }
    if (!n)
        return ST_OK;
    size_t chunks = (n + RCL_CHUNK - 1) / RCL_CHUNK;
    if (chunks < RCL_PARALLEL) {
        struct job j = {wk->s, wk->sql_buf[slot], ids, 0, n, out, ST_OK, {0}};
        job_run(&j);
        if (j.rc)
            *wk->err = j.err;
        return j.rc;
    }
    /* two halves, the second on its own thread; its rows appended after */
    size_t half = (chunks / 2) * RCL_CHUNK;
    rows second = {NULL, NULL, 0, 0, out->w, out->text, NULL, ST_OK};
    st_arena *a2 = out->text ? st_arena_create(0) : NULL;
    second.a = a2;
    struct job j1 = {wk->s, wk->sql_buf[slot], ids, 0, half, out, ST_OK, {0}};
    struct job j2 = {wk->s, wk->sql_buf[slot], ids, half, n, &second, ST_OK, {0}};
    pthread_t th;
    int threaded = !(out->text && !a2) && !pthread_create(&th, NULL, job_run, &j2);
    job_run(&j1);
    if (threaded)
        pthread_join(th, NULL);
    else
        job_run(&j2);
    st_rc rc = j1.rc ? j1.rc : j2.rc;
    if (rc)
        *wk->err = j1.rc ? j1.err : j2.err;
    if (!rc)
        rc = rows_append(out, &second);
    rows_free(&second);
    st_arena_destroy(a2);
    return rc;
}

/* The facts of the leaves of wk->only_lot with ids in [lo, hi), read by
 * joining the lineage index's range with the states and keys: no IN list,
 * and the leaves are never listed apart. */
static const char *const SQL_LOT_STATE =
    "SELECT s.ident, s.disposition, s.biz_location, s.container, s.owner, s.possessor, s.lot,"
    " i.key FROM lineage_leaf l JOIN item_state s ON s.ident = l.ident"
    " JOIN ident i ON i.id = l.ident WHERE l.lot = $1 AND l.ident >= $2 AND l.ident < $3";

static st_rc lot_facts(struct walk *wk, int64_t lo, int64_t hi, rows *out)
{
    st_val args[3] = {st_val_int(wk->only_lot), st_val_int(lo), st_val_int(hi)};
    return st_store_exec(wk->s, SQL_LOT_STATE, args, 3, row_collect, out, wk->err);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- seeds ------------------------------------------------------------------------------ */

static st_rc row_one(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int64_t *)ctx = c[0].i;
    return ST_OK;
}

static st_rc ident_of(struct walk *wk, const char *key, int64_t *id)
{
    *id = 0;
    st_val arg = st_val_text(key);
    return st_store_exec(wk->s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_one, id,
                         wk->err);
}

/* The idents of events at a location (or a read point under it) in a window. */
struct win {
    struct walk *wk;
    st_cap_doc *doc; /* scratch: decoded events' identifiers */
    size_t events;
    st_rc rc;
};

static st_rc row_window_event(void *ctx, const st_val *c, int n)
{
    struct win *w = ctx;
    if (n < 1 || c[0].type != ST_VAL_BLOB)
        return ST_OK;
    if (++w->events > ST_RECALL_MAX_WINDOW_EVENTS)
        return st_fail(w->wk->err, ST_ERR_LIMIT, -1, NULL,
                       "a location criterion matches more than %d events; the limit is %d "
                       "(ST_RECALL_MAX_WINDOW_EVENTS): narrow its time window",
                       ST_RECALL_MAX_WINDOW_EVENTS, ST_RECALL_MAX_WINDOW_EVENTS);
    st_event ev;
    st_evnode *bindings = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_codec_decode(c[0].p, c[0].n, w->doc->arena, &ev, &bindings, &e);
    if (!rc)
        rc = st_cap_add_event(w->doc, bindings, &ev);
    return rc;
}

static st_rc seeds_at(struct walk *wk, const st_rcl_loc *l, ivec *seeds)
{
    /* the location and every read point under it (its key + "/254/...") */
    size_t kn = strlen(l->key);
    char *lo = st_arena_alloc(wk->a, kn + 8), *hi = st_arena_alloc(wk->a, kn + 8);
    if (!lo || !hi)
        return ST_ERR_NOMEM;
    snprintf(lo, kn + 8, "%s/254/", l->key);
    snprintf(hi, kn + 8, "%s/2540", l->key);
    rows locs = {0};
    locs.w = 1;
    st_val a3[3] = {st_val_text(l->key), st_val_text(lo), st_val_text(hi)};
    st_rc rc =
        st_store_exec(wk->s, "SELECT id FROM ident WHERE key = $1 OR (key >= $2 AND key < $3)", a3,
                      3, row_collect, &locs, wk->err);
    struct win w = {wk, st_cap_doc_create(), 0, ST_OK};
    if (!w.doc)
        rc = rc ? rc : ST_ERR_NOMEM;
    for (size_t i = 0; !rc && i < locs.n; i++) {
        st_val args[3] = {st_val_int(locs.v[i]), st_val_int(l->from), st_val_int(l->to)};
        rc = st_store_exec(wk->s,
                           "SELECT body FROM event WHERE read_point = $1 AND event_time >= $2 AND "
                           "event_time <= $3",
                           args, 3, row_window_event, &w, wk->err);
        if (!rc)
            rc = st_store_exec(wk->s,
                               "SELECT body FROM event WHERE biz_location = $1 AND read_point IS "
                               "NOT $1 AND event_time >= $2 AND event_time <= $3",
                               args, 3, row_window_event, &w, wk->err);
    }
    for (size_t i = 0; !rc && w.doc && i < w.doc->n; i++)
        for (size_t k = 0; !rc && k < w.doc->ev[i].n_refs; k++) {
            int64_t id = 0;
            rc = ident_of(wk, w.doc->ev[i].refs[k].key, &id);
            if (!rc && id && ivec_push(seeds, id))
                rc = ST_ERR_NOMEM;
        }
    st_cap_doc_destroy(w.doc);
    rows_free(&locs);
    return rc;
}

/* ---- the walk forward ------------------------------------------------------------------- */

/* Node flags */
#define N_CLASS 1     /* a class (lot): expand to its units */
#define N_CONTAINER 2 /* reached from a seed through containment: expand to its contents */

/* Members of lots with the transformations they went into (event NULL: none) */
static const char *const SQL_MEMBER_EVENTS =
    "SELECT l.ident, x.event FROM item_lot l LEFT JOIN event_epc x ON x.ident = l.ident AND"
    " x.role IN (4, 8) WHERE l.lot IN %s";
/* Transformations that took a node as input (a lot: as a class) */
static const char *const SQL_INPUT_EVENTS =
    "SELECT x.ident, x.event FROM event_epc x WHERE x.ident IN %s AND x.role IN (4, 8)";
/* Their outputs, by transformation key (genealogy.xform) */
static const char *const SQL_XFORM_OUT =
    "SELECT xform, ident, role FROM genealogy WHERE xform IN %s AND role IN (5, 9)";
static const char *const SQL_CONTENTS = "SELECT parent, child FROM containment WHERE parent IN %s";

struct fr {
    ivec id;    /* nodes */
    ivec flags; /* N_* of each */
};

static int fr_add(struct fr *f, st_i64set *seen, int64_t id, int flags, st_rc *rc)
{
    int added = st_i64set_add(seen, id);
    if (added < 0) {
        *rc = ST_ERR_LIMIT;
        return -1;
    }
    if (added && (ivec_push(&f->id, id) || ivec_push(&f->flags, flags))) {
        *rc = ST_ERR_NOMEM;
        return -1;
    }
    return 0;
}

/* Transformations with a transformationID: event id -> xform ident, sorted. */
struct xmap {
    int64_t *ev, *xf;
    size_t n;
};

static int xcmp(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static st_rc load_xmap(struct walk *wk, rows *xr)
{
    xr->w = 2;
    st_rc rc = st_store_exec(wk->s, "SELECT id, xform FROM event WHERE xform IS NOT NULL", NULL, 0,
                             row_collect, xr, wk->err);
    if (!rc && xr->n)
        qsort(xr->v, xr->n, 2 * sizeof *xr->v, xcmp);
    return rc;
}

static int64_t xmap_get(const rows *xr, int64_t ev)
{
    size_t lo = 0, hi = xr->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t k = xr->v[2 * mid];
        if (k == ev)
            return xr->v[2 * mid + 1];
        if (k < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Add the transformation key of event ev (its transformationID's ident,
 * else minus its id) to keys, once. */
static st_rc add_xform(const rows *xr, st_i64map *done, ivec *keys, int64_t ev)
{
    int64_t x = xr->n ? xmap_get(xr, ev) : 0;
    int64_t k = x ? x : -ev;
    size_t d;
    /* the map holds positive ids: key it by the event */
    if (st_i64map_get(done, ev, &d))
        return ST_OK;
    return st_i64map_put(done, ev, 0) || ivec_push(keys, k) ? ST_ERR_NOMEM : ST_OK;
}

/*
 * Walk forward from the seeds, level by level; the leaves (instances that
 * went into no transformation and hold nothing named by the criteria) go
 * to leaves. Members of a lot that went into a transformation are not
 * visited one by one: only their transformations are.
 */
static st_rc walk_forward(struct walk *wk, struct fr *cur, st_i64set *seen, ivec *leaves)
{
    st_rc rc = ST_OK;
    rows xr = {0};
    st_i64set inner;
    st_i64set_init(&inner, ST_RECALL_MAX_NODES);
    struct fr next = {{0}, {0}};
    ivec sel = {0}, keys = {0};
    st_i64map done = {0}; /* events whose transformation is taken */
    rc = load_xmap(wk, &xr);
    while (!rc && cur->id.n) {
        rows r = {0};
        keys.n = 0;
        /* 1. lots: their members, and the transformations these went into */
        sel.n = 0;
        for (size_t i = 0; i < cur->id.n; i++)
            if ((cur->flags.v[i] & N_CLASS) && ivec_push(&sel, cur->id.v[i]))
                rc = ST_ERR_NOMEM;
        r.w = 2;
        if (!rc)
            rc = chunked(wk, 0, SQL_MEMBER_EVENTS, sel.v, sel.n, &r);
        for (size_t i = 0; !rc && i < r.n; i++) {
            /* a member that went into something is not itself visited (nor
             * remembered: a lot's cells would fill the set for nothing) */
            int64_t m = r.v[2 * i], ev = r.v[2 * i + 1];
            int added = ev ? 0 : st_i64set_add(seen, m);
            if (added < 0)
                rc = ST_ERR_LIMIT;
            else if (ev)
                rc = add_xform(&xr, &done, &keys, ev);
            else if (added && ivec_push(leaves, m)) /* went nowhere */
                rc = ST_ERR_NOMEM;
        }
        rows_free(&r);
        /* 2. every node as an input (a lot as a class) */
        r.w = 2;
        if (!rc)
            rc = chunked(wk, 1, SQL_INPUT_EVENTS, cur->id.v, cur->id.n, &r);
        for (size_t i = 0; !rc && i < r.n; i++)
            if (st_i64set_add(&inner, r.v[2 * i]) < 0)
                rc = ST_ERR_LIMIT;
            else
                rc = add_xform(&xr, &done, &keys, r.v[2 * i + 1]);
        rows_free(&r);
        /* 3. the outputs of those transformations */
        r.w = 3;
        if (!rc)
            rc = chunked(wk, 2, SQL_XFORM_OUT, keys.v, keys.n, &r);
        for (size_t i = 0; !rc && i < r.n; i++)
            fr_add(&next, seen, r.v[3 * i + 1], r.v[3 * i + 2] == ST_ROLE_OUTPUT_CLASS, &rc);
        rows_free(&r);
        /* 4. containers named by the criteria: their contents, at any depth */
        sel.n = 0;
        for (size_t i = 0; !rc && i < cur->id.n; i++)
            if ((cur->flags.v[i] & N_CONTAINER) && ivec_push(&sel, cur->id.v[i]))
                rc = ST_ERR_NOMEM;
        r.w = 2;
        if (!rc)
            rc = chunked(wk, 3, SQL_CONTENTS, sel.v, sel.n, &r);
        for (size_t i = 0; !rc && i < r.n; i++)
            if (st_i64set_add(&inner, r.v[2 * i]) < 0 ||
                fr_add(&next, seen, r.v[2 * i + 1], N_CONTAINER, &rc))
                rc = rc ? rc : ST_ERR_LIMIT;
        rows_free(&r);
        /* 5. what led nowhere is a finished unit */
        for (size_t i = 0; !rc && i < cur->id.n; i++)
            if (!(cur->flags.v[i] & N_CLASS) && !st_i64set_has(&inner, cur->id.v[i]) &&
                ivec_push(leaves, cur->id.v[i]))
                rc = ST_ERR_NOMEM;
        free(cur->id.v);
        free(cur->flags.v);
        *cur = next;
        memset(&next, 0, sizeof next);
    }
    if (rc == ST_ERR_LIMIT)
        st_fail(wk->err, rc, -1, NULL,
                "the recall walk reached more than %d identifiers; the limit is %d "
                "(ST_RECALL_MAX_NODES)",
                ST_RECALL_MAX_NODES, ST_RECALL_MAX_NODES);
    free(next.id.v);
    free(next.flags.v);
    free(sel.v);
    free(keys.v);
    st_i64map_free(&done);
    rows_free(&xr);
    st_i64set_free(&inner);
    return rc;
}

/* ---- the lineage index ---------------------------------------------------------------- */

struct leafrows {
    st_i64set *seen;
    ivec *leaves;
};

static st_rc row_leaf(void *ctx, const st_val *c, int n)
{
    struct leafrows *lr = ctx;
    if (n < 1 || c[0].type != ST_VAL_INT)
        return ST_OK;
    int added = st_i64set_add(lr->seen, c[0].i);
    if (added < 0)
        return ST_ERR_LIMIT;
    return added && ivec_push(lr->leaves, c[0].i) ? ST_ERR_NOMEM : ST_OK;
}

/* The descendants of lot that went into nothing, from lineage_leaf (lib/store/lineage.h). */
static st_rc lot_leaves(struct walk *wk, int64_t lot, st_i64set *seen, ivec *leaves)
{
    struct leafrows lr = {seen, leaves};
    st_val arg = st_val_int(lot);
    st_rc rc = st_store_exec(wk->s, "SELECT ident FROM lineage_leaf WHERE lot = $1", &arg, 1,
                             row_leaf, &lr, wk->err);
    if (rc == ST_ERR_LIMIT)
        st_fail(wk->err, rc, -1, NULL,
                "the recall reached more than %d identifiers; the limit is %d "
                "(ST_RECALL_MAX_NODES)",
                ST_RECALL_MAX_NODES, ST_RECALL_MAX_NODES);
    return rc;
}

/* ---- facts of the finished units -------------------------------------------------------- */

/* State columns of a unit or container. */
enum { C_ID, C_DISP, C_LOC, C_CONT, C_OWNER, C_POSS, C_LOT, C_NCOLS };

static const char *const SQL_UNIT_STATE =
    "SELECT s.ident, s.disposition, s.biz_location, s.container, s.owner, s.possessor, s.lot,"
    " i.key FROM item_state s JOIN ident i ON i.id = s.ident WHERE s.ident IN %s";
static const char *const SQL_STATE =
    "SELECT ident, disposition, biz_location, container, owner, possessor, lot"
    " FROM item_state WHERE ident IN %s";
static const char *const SQL_LAST_PARENT =
    "SELECT child, parent, packed_event FROM containment WHERE child IN %s";
static const char *const SQL_KEYS = "SELECT id, key FROM ident WHERE id IN %s";

/* States of containers, by id (rows of C_NCOLS). */
struct cstates {
    rows r;
    st_i64map at; /* id -> row */
};

/* Read the states of ids not yet in cs, then of their containers, up the chain. */
static st_rc load_containers(struct walk *wk, struct cstates *cs, ivec *want)
{
    st_rc rc = ST_OK;
    for (int level = 0; !rc && want->n && level < RCL_CHAIN_MAX; level++) {
        size_t from = cs->r.n;
        rc = chunked(wk, 6, SQL_STATE, want->v, want->n, &cs->r);
        want->n = 0;
        for (size_t i = from; !rc && i < cs->r.n; i++)
            if (st_i64map_put(&cs->at, cs->r.v[i * C_NCOLS + C_ID], i))
                rc = ST_ERR_NOMEM;
        for (size_t i = from; !rc && i < cs->r.n; i++) {
            int64_t p = cs->r.v[i * C_NCOLS + C_CONT];
            size_t dummy;
            if (p > 0 && !st_i64map_get(&cs->at, p, &dummy) && ivec_push(want, p))
                rc = ST_ERR_NOMEM;
        }
    }
    return rc;
}

/* The state row of id in cs, or NULL. */
static const int64_t *cstate(const struct cstates *cs, int64_t id)
{
    size_t i;
    return st_i64map_get(&cs->at, id, &i) ? cs->r.v + i * C_NCOLS : NULL;
}

/* Keys of vocabulary and container ids, by id. */
struct keys {
    rows r;
    st_i64map at;
};

static st_rc load_keys(struct walk *wk, struct keys *k, ivec *want)
{
    ivec miss = {0};
    st_rc rc = ST_OK;
    st_i64map asked = {0};
    for (size_t i = 0; i < want->n && !rc; i++) {
        size_t d;
        if (want->v[i] > 0 && !st_i64map_get(&k->at, want->v[i], &d) &&
            !st_i64map_get(&asked, want->v[i], &d))
            rc = st_i64map_put(&asked, want->v[i], 0) || ivec_push(&miss, want->v[i]) ? ST_ERR_NOMEM
                                                                                      : ST_OK;
    }
    size_t from = k->r.n;
    if (!rc)
        rc = chunked(wk, 7, SQL_KEYS, miss.v, miss.n, &k->r);
    for (size_t i = from; !rc && i < k->r.n; i++)
        if (st_i64map_put(&k->at, k->r.v[i], i))
            rc = ST_ERR_NOMEM;
    free(miss.v);
    st_i64map_free(&asked);
    want->n = 0;
    return rc;
}

static const char *key_str(const struct keys *k, int64_t id)
{
    size_t i;
    return id > 0 && st_i64map_get(&k->at, id, &i) ? k->r.t[i] : NULL;
}

/* The outermost current container of a state row, or the row itself. */
static const int64_t *outermost(const struct cstates *cs, const int64_t *s)
{
    const int64_t *top = s;
    for (int d = 0; d < RCL_CHAIN_MAX && top[C_CONT] > 0; d++) {
        const int64_t *p = cstate(cs, top[C_CONT]);
        if (!p || p == s)
            break;
        top = p;
    }
    return top;
}

/* The holding party along a chain of state rows (possessor before owner), or 0. */
static int64_t party_along(const struct cstates *cs, const int64_t *s)
{
    for (int d = 0; s && d <= RCL_CHAIN_MAX; d++) {
        if (s[C_POSS] > 0)
            return s[C_POSS];
        if (s[C_OWNER] > 0)
            return s[C_OWNER];
        s = s[C_CONT] > 0 ? cstate(cs, s[C_CONT]) : NULL;
    }
    return 0;
}

static const char *disp_name(const char *key)
{
    size_t n = sizeof DISP_PREFIX - 1;
    return key && !strncmp(key, DISP_PREFIX, n) ? key + n : key;
}

/*
 * Units in nothing whose own state names no party (unpacked at a store,
 * say): the party of the containers they were last packed in, up to
 * RCL_CHAIN_MAX levels (a case's pallet), into *held (unit -> party).
 * Container states read are added to cs; ids wanted for keys to want.
 */
static st_rc former_holders(struct walk *wk, struct cstates *cs, const rows *us, int64_t sold_id,
                            st_i64map *held, ivec *want)
{
    ivec unit = {0}, cur = {0}, ask = {0};
    st_rc rc = ST_OK;
    for (size_t i = 0; !rc && i < us->n; i++) {
        const int64_t *s = us->v + i * C_NCOLS;
        if (s[C_DISP] != sold_id && !party_along(cs, s) &&
            (ivec_push(&unit, s[C_ID]) || ivec_push(&cur, s[C_ID])))
            rc = ST_ERR_NOMEM;
    }
    for (int level = 0; !rc && cur.n && level < RCL_CHAIN_MAX; level++) {
        /* the latest packing of each distinct id */
        st_i64map asked = {0}, last = {0};
        ask.n = 0;
        for (size_t i = 0; !rc && i < cur.n; i++) {
            size_t d;
            if (!st_i64map_get(&asked, cur.v[i], &d) &&
                (st_i64map_put(&asked, cur.v[i], 0) || ivec_push(&ask, cur.v[i])))
                rc = ST_ERR_NOMEM;
        }
        rows lp = {0};
        lp.w = 3;
        if (!rc)
            rc = chunked(wk, 8, SQL_LAST_PARENT, ask.v, ask.n, &lp);
        ask.n = 0;
        for (size_t i = 0; !rc && i < lp.n; i++) {
            size_t j, d;
            if (st_i64map_get(&last, lp.v[3 * i], &j) && lp.v[3 * j + 2] > lp.v[3 * i + 2])
                continue;
            if (st_i64map_put(&last, lp.v[3 * i], i) ||
                (!st_i64map_get(&cs->at, lp.v[3 * i + 1], &d) && ivec_push(&ask, lp.v[3 * i + 1])))
                rc = ST_ERR_NOMEM;
        }
        if (!rc)
            rc = load_containers(wk, cs, &ask);
        size_t kept = 0;
        for (size_t i = 0; !rc && i < cur.n; i++) {
            size_t j;
            if (!st_i64map_get(&last, cur.v[i], &j))
                continue;
            int64_t parent = lp.v[3 * j + 1];
            const int64_t *p = cstate(cs, parent);
            int64_t party = p ? party_along(cs, p) : 0;
            if (party) {
                if (st_i64map_put(held, unit.v[i], (size_t)party) || ivec_push(want, party))
                    rc = ST_ERR_NOMEM;
            } else {
                unit.v[kept] = unit.v[i];
                cur.v[kept++] = parent;
            }
        }
        unit.n = cur.n = kept;
        rows_free(&lp);
        st_i64map_free(&asked);
        st_i64map_free(&last);
    }
    free(unit.v);
    free(cur.v);
    free(ask.v);
    return rc;
}

/* ---- scope --------------------------------------------------------------------------------- */

struct tally {
    st_i64map at; /* name pointer (as id) -> entry: names are interned per key id */
    st_rcl_count *c;
    size_t n, cap;
};

static st_rcl_count *tally_at(struct tally *t, int64_t id, const char *name)
{
    size_t i;
    if (st_i64map_get(&t->at, id, &i))
        return &t->c[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        st_rcl_count *c = realloc(t->c, cap * sizeof *c);
        if (!c)
            return NULL;
        t->c = c;
        t->cap = cap;
    }
    if (st_i64map_put(&t->at, id, t->n))
        return NULL;
    t->c[t->n] = (st_rcl_count){name, 0, 0};
    return &t->c[t->n++];
}

static int count_cmp(const void *a, const void *b)
{
    const st_rcl_count *x = a, *y = b;
    if (x->affected != y->affected)
        return x->affected > y->affected ? -1 : 1;
    if (x->blanket != y->blanket)
        return x->blanket > y->blanket ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Tally ids: 1 "unknown", 2 "sold", else key ids + 2. */
#define T_UNKNOWN 1
#define T_SOLD 2

static st_rc blanket_scope(struct walk *wk, struct keys *k, int64_t sold_id, struct tally *loc,
                           struct tally *party)
{
    st_rcl_result *r = wk->r;
    /* the GTINs of the affected units, and their lots */
    char **gt = NULL;
    size_t ng = 0;
    st_rc rc = ST_OK;
    for (size_t i = 0; i < r->n && !rc; i++) {
        const char *key = r->u[i].key, *e;
        if (strncmp(key, GTIN_PREFIX, sizeof GTIN_PREFIX - 1) ||
            !(e = strstr(key + sizeof GTIN_PREFIX - 1, "/21/")))
            continue;
        size_t len = (size_t)(e - key) + 4, j;
        for (j = 0; j < ng; j++)
            if (strlen(gt[j]) == len && !strncmp(gt[j], key, len))
                break;
        if (j < ng)
            continue;
        char **g2 = realloc(gt, (ng + 1) * sizeof *g2);
        if (!g2 || !(g2[ng] = st_arena_strndup(wk->a, key, len)))
            rc = ST_ERR_NOMEM;
        if (g2)
            gt = g2;
        if (!rc)
            ng++;
    }
    rows b = {0};
    b.w = 11;
    for (size_t j = 0; j < ng && !rc; j++) {
        size_t len = strlen(gt[j]);
        char *hi = st_arena_strndup(wk->a, gt[j], len);
        if (!hi) {
            rc = ST_ERR_NOMEM;
            break;
        }
        hi[len - 1] = '0'; /* ".../21/" < key < ".../210" */
        st_val args[2] = {st_val_text(gt[j]), st_val_text(hi)};
        rc = st_store_exec(
            wk->s,
            "SELECT s.disposition, s.biz_location, s.possessor, s.owner, c1.biz_location,"
            " c1.possessor, c1.owner, c2.biz_location, c2.possessor, c2.owner, count(*)"
            " FROM ident i JOIN item_state s ON s.ident = i.id"
            " LEFT JOIN item_state c1 ON c1.ident = s.container AND s.container > 0"
            " LEFT JOIN item_state c2 ON c2.ident = c1.container AND c1.container > 0"
            " WHERE i.key >= $1 AND i.key < $2 GROUP BY s.disposition, s.biz_location,"
            " s.possessor, s.owner, c1.biz_location, c1.possessor, c1.owner, c2.biz_location,"
            " c2.possessor, c2.owner",
            args, 2, row_collect, &b, wk->err);
    }
    ivec want = {0};
    for (size_t i = 0; i < b.n && !rc; i++)
        for (int c = 0; c < 10; c++)
            if (b.v[i * 11 + c] > 0 && ivec_push(&want, b.v[i * 11 + c]))
                rc = ST_ERR_NOMEM;
    if (!rc)
        rc = load_keys(wk, k, &want);
    for (size_t i = 0; i < b.n && !rc; i++) {
        const int64_t *v = b.v + i * 11;
        int64_t l = v[7] > 0 ? v[7] : v[4] > 0 ? v[4] : v[1];
        int64_t p = 0;
        for (int c = 2; c < 10 && !p; c++)
            if (c != 4 && c != 7 && v[c] > 0)
                p = v[c];
        if (v[0] == sold_id && sold_id)
            p = -T_SOLD;
        st_rcl_count *cl = tally_at(loc, l > 0 ? l + 2 : T_UNKNOWN,
                                    l > 0 && key_str(k, l) ? key_str(k, l) : "unknown");
        st_rcl_count *cp = tally_at(party,
                                    p > 0   ? p + 2
                                    : p < 0 ? T_SOLD
                                            : T_UNKNOWN,
                                    p > 0 && key_str(k, p) ? key_str(k, p)
                                    : p < 0                ? "sold"
                                                           : "unknown");
        if (!cl || !cp) {
            rc = ST_ERR_NOMEM;
            break;
        }
        cl->blanket += v[10];
        cp->blanket += v[10];
        r->blanket += v[10];
    }
    rows_free(&b);
    free(want.v);
    free(gt);
    return rc;
}

/* ---- the whole walk ------------------------------------------------------------------------ */

/* What the units in one container share. */
struct cmemo {
    const int64_t *top; /* the outermost container's state row, or NULL when unknown */
    int64_t party;      /* the holding party along the container's chain, or 0 */
    const char *chain;  /* the container chain as text, innermost first */
};

/* A part of the affected units, read, placed and composed by one thread
 * with its own arena and statements: the units of ids [lo, hi) of the one
 * lot (wk->only_lot), or the leaves given. */
struct part {
    struct walk wk;     /* this part's (its own arena, wk.a) */
    const ivec *leaves; /* the leaves, or NULL for the lot's range */
    int64_t lo, hi;     /* the range of ids in the lot */
    int64_t sold_id;    /* ident of Disp-retail_sold, or 0 */
    st_rcl_unit *u;     /* composed units (in wk.a) */
    size_t n;           /* entries in u */
    st_i64map lots;     /* finished lots seen (ids, as keys) */
    st_rc rc;           /* outcome */
    st_error err;       /* its detail */
};

static st_rc part_run(struct part *pt)
{
    struct walk *wk = &pt->wk;
    const ivec *leaves = pt->leaves;
    int64_t sold_id = pt->sold_id;
    rows us = {0};
    us.w = C_NCOLS;
    us.text = 1;
    us.a = wk->a;
    struct cstates cs = {{0}, {0}};
    cs.r.w = C_NCOLS;
    struct keys k = {{0}, {0}};
    k.r.w = 1;
    k.r.text = 1;
    k.r.a = wk->a;
    ivec want = {0};
    st_rc rc = !leaves ? lot_facts(wk, pt->lo, pt->hi, &us)
                       : chunked(wk, 5, SQL_UNIT_STATE, leaves->v, leaves->n, &us);
    /* containers, up their chains (each asked for once) */
    st_i64map asked = {0};
    for (size_t i = 0; !rc && i < us.n; i++) {
        int64_t c = us.v[i * C_NCOLS + C_CONT];
        size_t d;
        if (c > 0 && !st_i64map_get(&asked, c, &d) &&
            (st_i64map_put(&asked, c, 0) || ivec_push(&want, c)))
            rc = ST_ERR_NOMEM;
    }
    st_i64map_free(&asked);
    if (!rc)
        rc = load_containers(wk, &cs, &want);
    /* units holding nothing and in nothing: the last container they were in */
    st_i64map last = {0}; /* unit -> party of the containers it was last in */
    if (!rc)
        rc = former_holders(wk, &cs, &us, sold_id, &last, &want);
    /* what units in one container share (its chain, its outermost state,
     * its party), worked out once per container rather than per unit */
    struct cmemo *cm = NULL;
    size_t ncm = 0, ccm = 0;
    st_i64map cm_at = {0};
    pt->u = st_arena_alloc(wk->a, (us.n ? us.n : 1) * sizeof *pt->u);
    if (!pt->u)
        rc = rc ? rc : ST_ERR_NOMEM;
    int64_t last_disp = -1, last_loc = -1; /* consecutive units mostly share them */
    for (size_t i = 0; !rc && i < us.n; i++) {
        const int64_t *s = us.v + i * C_NCOLS;
        if ((s[C_DISP] != last_disp && ivec_push(&want, last_disp = s[C_DISP])) ||
            (s[C_LOC] != last_loc && ivec_push(&want, last_loc = s[C_LOC])) ||
            ivec_push(&want, s[C_POSS] > 0 ? s[C_POSS] : s[C_OWNER]))
            rc = ST_ERR_NOMEM;
        size_t j;
        if (!rc && s[C_CONT] > 0 && !st_i64map_get(&cm_at, s[C_CONT], &j)) {
            if (ncm == ccm) {
                size_t cap = ccm ? 2 * ccm : 256;
                struct cmemo *g = realloc(cm, cap * sizeof *g);
                if (!g) {
                    rc = ST_ERR_NOMEM;
                    break;
                }
                cm = g;
                ccm = cap;
            }
            const int64_t *c = cstate(&cs, s[C_CONT]);
            struct cmemo *m = &cm[ncm];
            m->top = c ? outermost(&cs, c) : NULL;
            m->party = c ? party_along(&cs, c) : 0;
            m->chain = NULL;
            if (st_i64map_put(&cm_at, s[C_CONT], ncm++) || ivec_push(&want, m->party) ||
                (m->top && ivec_push(&want, m->top[C_LOC])))
                rc = ST_ERR_NOMEM;
            for (const int64_t *x = s; !rc && x[C_CONT] > 0 && (x = cstate(&cs, x[C_CONT]));)
                if (ivec_push(&want, x[C_ID]))
                    rc = ST_ERR_NOMEM;
        }
        if (!rc && st_i64map_get(&last, s[C_ID], &j) && ivec_push(&want, (int64_t)j))
            rc = ST_ERR_NOMEM;
    }
    if (!rc)
        rc = load_keys(wk, &k, &want);
    /* the containers' chains, as text */
    for (size_t i = 0; !rc && cm_at.k && i <= cm_at.mask; i++) {
        if (!cm_at.k[i])
            continue;
        struct cmemo *m = &cm[cm_at.v[i]];
        size_t len = 0;
        const int64_t *c = cstate(&cs, cm_at.k[i]);
        for (const int64_t *x = c; x; x = x[C_CONT] > 0 ? cstate(&cs, x[C_CONT]) : NULL)
            len += (key_str(&k, x[C_ID]) ? strlen(key_str(&k, x[C_ID])) : 0) + 1;
        char *chain = len ? st_arena_alloc(wk->a, len) : NULL, *p = chain;
        if (len && !chain) {
            rc = ST_ERR_NOMEM;
            break;
        }
        for (const int64_t *x = c; x; x = x[C_CONT] > 0 ? cstate(&cs, x[C_CONT]) : NULL) {
            const char *ck = key_str(&k, x[C_ID]);
            if (p > chain)
                *p++ = ' ';
            size_t n = ck ? strlen(ck) : 0;
            memcpy(p, ck, n);
            p += n;
        }
        if (chain)
            *p = '\0';
        m->chain = chain;
    }
    /* compose */
    const char *disp_s = NULL;
    last_disp = -1;
    for (size_t i = 0; !rc && i < us.n; i++) {
        const int64_t *s = us.v + i * C_NCOLS;
        const char *key = us.t[i];
        if (!key || strstr(key, "/00/")) /* an SSCC is a container, not a unit */
            continue;
        st_rcl_unit *u = &pt->u[pt->n];
        memset(u, 0, sizeof *u);
        u->id = s[C_ID];
        u->key = key;
        if (s[C_DISP] != last_disp)
            disp_s = disp_name(key_str(&k, last_disp = s[C_DISP]));
        u->status = disp_s;
        size_t j;
        const struct cmemo *m =
            s[C_CONT] > 0 && st_i64map_get(&cm_at, s[C_CONT], &j) ? &cm[j] : NULL;
        const int64_t *top = m && m->top ? m->top : s;
        int64_t l = top != s && top[C_LOC] > 0 ? top[C_LOC] : s[C_LOC];
        u->location = key_str(&k, l);
        u->loc_id = l;
        u->container = m && m->chain && m->chain[0] ? m->chain : NULL;
        int64_t hp = s[C_POSS] > 0 ? s[C_POSS] : s[C_OWNER] > 0 ? s[C_OWNER] : m ? m->party : 0;
        u->party = hp ? key_str(&k, hp) : NULL;
        u->party_id = hp && u->party ? hp + 2 : T_UNKNOWN;
        if (sold_id && s[C_DISP] == sold_id) {
            u->holder = u->party = "sold";
            u->party_id = T_SOLD;
            u->location = key_str(&k, s[C_LOC]); /* where it was sold */
            u->loc_id = s[C_LOC];
        } else if (hp) {
            u->holder = key_str(&k, hp);
        } else if (st_i64map_get(&last, s[C_ID], &j)) {
            u->holder = key_str(&k, (int64_t)j);
        }
        if (!u->party)
            u->party = "unknown";
        pt->n++;
        if (s[C_LOT] > 0 && !st_i64map_get(&pt->lots, s[C_LOT], &j) &&
            st_i64map_put(&pt->lots, s[C_LOT], 0))
            rc = ST_ERR_NOMEM;
    }
    free(cm);
    st_i64map_free(&cm_at);
    st_i64map_free(&last);
    free(want.v);
    rows_free(&us);
    rows_free(&cs.r);
    st_i64map_free(&cs.at);
    rows_free(&k.r);
    st_i64map_free(&k.at);
    return rc;
}

static void *part_thread(void *p)
{
    struct part *pt = p;
    pt->rc = part_run(pt);
    return NULL;
}

static st_rc row_two(void *ctx, const st_val *c, int n)
{
    int64_t *v = ctx;
    for (int i = 0; i < 2 && i < n; i++)
        v[i] = c[i].type == ST_VAL_INT ? c[i].i : 0;
    return ST_OK;
}

/* The range [*lo, *hi) of the one lot's leaf ids; empty when it has none. */
static st_rc lot_range(struct walk *wk, int64_t *lo, int64_t *hi)
{
    int64_t range[2] = {0, 0};
    st_val arg = st_val_int(wk->only_lot);
    st_rc rc =
        st_store_exec(wk->s, "SELECT min(ident), max(ident) FROM lineage_leaf WHERE lot = $1", &arg,
                      1, row_two, range, wk->err);
    *lo = range[0];
    *hi = range[1] ? range[1] + 1 : range[0];
    return rc;
}

#define RCL_SPLIT 4096 /* ids in a lot's range from which two threads share its units */

static st_rc unit_facts(struct walk *wk, const ivec *leaves, int blanket)
{
    st_rcl_result *r = wk->r;
    struct tally loc, party;
    memset(&loc, 0, sizeof loc);
    memset(&party, 0, sizeof party);
    struct keys k = {{0}, {0}};
    k.r.w = 1;
    k.r.text = 1;
    k.r.a = wk->a;
    struct part pt[2];
    memset(pt, 0, sizeof pt);
    int nparts = 1;
    int64_t sold_id = 0, lo = 0, hi = 0;
    st_val arg = st_val_text(DISP_PREFIX "retail_sold");
    st_rc rc = st_store_exec(wk->s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_one,
                             &sold_id, wk->err);
    if (!rc && wk->only_lot)
        rc = lot_range(wk, &lo, &hi);
    if (!rc && wk->only_lot && hi - lo >= RCL_SPLIT)
        nparts = 2;
    for (int i = 0; i < nparts && !rc; i++) {
        pt[i].wk = (struct walk){wk->s, &pt[i].err, r, st_arena_create(0), {0}, wk->only_lot};
        pt[i].leaves = wk->only_lot ? NULL : leaves;
        pt[i].lo = i ? lo + (hi - lo) / 2 : lo;
        pt[i].hi = nparts == 1 || i ? hi : lo + (hi - lo) / 2;
        pt[i].sold_id = sold_id;
        r->part_a[i] = pt[i].wk.a; /* the units' strings live there */
        if (!pt[i].wk.a)
            rc = ST_ERR_NOMEM;
    }
    if (!rc) {
        pthread_t th;
        int threaded = nparts == 2 && !pthread_create(&th, NULL, part_thread, &pt[1]);
        part_thread(&pt[0]);
        if (threaded)
            pthread_join(th, NULL);
        else if (nparts == 2)
            part_thread(&pt[1]);
        for (int i = 0; i < nparts && !rc; i++)
            if ((rc = pt[i].rc))
                *wk->err = pt[i].err;
    }
    size_t total = pt[0].n + pt[1].n;
    if (!rc && total > ST_RECALL_MAX_UNITS)
        rc = st_fail(wk->err, ST_ERR_LIMIT, -1, NULL,
                     "the recall affects %zu units; the limit is %d (ST_RECALL_MAX_UNITS)", total,
                     ST_RECALL_MAX_UNITS);
    if (!rc) {
        r->u = st_arena_alloc(wk->a, (total ? total : 1) * sizeof *r->u);
        if (!r->u)
            rc = ST_ERR_NOMEM;
        for (int i = 0; !rc && i < nparts; i++) {
            if (pt[i].n)
                memcpy(r->u + r->n, pt[i].u, pt[i].n * sizeof *r->u);
            r->n += pt[i].n;
        }
    }
    /* scope: affected and blanket by location and party */
    if (!rc && blanket) {
        int64_t t0 = now_ms();
        rc = blanket_scope(wk, &k, sold_id, &loc, &party);
        r->scope_ms = now_ms() - t0;
    }
    for (size_t i = 0; !rc && i < r->n; i++) {
        const st_rcl_unit *u = &r->u[i];
        st_rcl_count *cl = tally_at(&loc, u->loc_id > 0 ? u->loc_id + 2 : T_UNKNOWN,
                                    u->location ? u->location : "unknown");
        st_rcl_count *cp = tally_at(&party, u->party_id, u->party);
        if (!cl || !cp) {
            rc = ST_ERR_NOMEM;
            break;
        }
        cl->affected++;
        cp->affected++;
    }
    if (!rc && blanket) {
        /* units of the affected finished lots */
        st_i64map lots = {0};
        for (int p = 0; p < nparts; p++)
            for (size_t i = 0; !rc && pt[p].lots.k && i <= pt[p].lots.mask; i++) {
                int64_t lot = pt[p].lots.k[i];
                size_t d;
                if (lot <= 0 || st_i64map_get(&lots, lot, &d))
                    continue;
                if (st_i64map_put(&lots, lot, 0))
                    rc = ST_ERR_NOMEM;
                int64_t cnt = 0;
                st_val a1 = st_val_int(lot);
                if (!rc)
                    rc = st_store_exec(wk->s, "SELECT count(*) FROM item_lot WHERE lot = $1", &a1,
                                       1, row_one, &cnt, wk->err);
                r->blanket_lot += cnt;
            }
        st_i64map_free(&lots);
    }
    if (!rc) {
        if (loc.n) /* c is NULL when empty: qsort and memcpy must not see it */
            qsort(loc.c, loc.n, sizeof *loc.c, count_cmp);
        if (party.n)
            qsort(party.c, party.n, sizeof *party.c, count_cmp);
        r->loc = st_arena_alloc(wk->a, (loc.n + 1) * sizeof *r->loc);
        r->party = st_arena_alloc(wk->a, (party.n + 1) * sizeof *r->party);
        if (!r->loc || !r->party)
            rc = ST_ERR_NOMEM;
        else {
            if (loc.n)
                memcpy(r->loc, loc.c, loc.n * sizeof *loc.c);
            if (party.n)
                memcpy(r->party, party.c, party.n * sizeof *party.c);
            r->nloc = loc.n;
            r->nparty = party.n;
        }
    }
    free(loc.c);
    st_i64map_free(&loc.at);
    free(party.c);
    st_i64map_free(&party.at);
    for (int i = 0; i < 2; i++)
        st_i64map_free(&pt[i].lots);
    rows_free(&k.r);
    st_i64map_free(&k.at);
    return rc;
}

st_rc st_rcl_walk(st_store *s, const st_rcl_criteria *c, int blanket, st_rcl_result *r,
                  st_error *err)
{
    memset(r, 0, sizeof *r);
    r->a = st_arena_create(0);
    if (!r->a)
        return ST_ERR_NOMEM;
    int64_t t0 = now_ms();
    struct walk wk = {s, err, r, r->a, {0}, 0};
    struct fr cur = {{0}, {0}};
    st_i64set seen;
    st_i64set_init(&seen, ST_RECALL_MAX_NODES);
    ivec seeds = {0}, leaves = {0};
    st_rc rc = ST_OK;
    /* seeds: lots (through the lineage index when it is built: their
     * descendants that went into nothing are the leaves already), serials
     * (unknown ones lead nowhere), locations */
    int64_t built = 0;
    rc = st_store_exec(s, "SELECT built FROM lineage_state", NULL, 0, row_one, &built, err);
    for (size_t i = 0; !rc && i < c->nlots; i++) {
        int64_t id = 0;
        rc = ident_of(&wk, c->lots[i], &id);
        if (!rc && id && built && c->nlots == 1 && !c->nids && !c->nlocs)
            wk.only_lot = id; /* its leaves are read with their facts */
        else if (!rc && id && built)
            rc = lot_leaves(&wk, id, &seen, &leaves);
        else if (!rc && id)
            fr_add(&cur, &seen, id, N_CLASS, &rc);
    }
    for (size_t i = 0; !rc && i < c->nids; i++) {
        int64_t id = 0;
        rc = ident_of(&wk, c->ids[i], &id);
        if (!rc && id)
            fr_add(&cur, &seen, id, N_CONTAINER, &rc);
    }
    for (size_t i = 0; !rc && i < c->nlocs; i++)
        rc = seeds_at(&wk, &c->locs[i], &seeds);
    for (size_t i = 0; !rc && i < seeds.n; i++)
        fr_add(&cur, &seen, seeds.v[i], N_CONTAINER, &rc);
    if (!rc)
        rc = walk_forward(&wk, &cur, &seen, &leaves);
    r->nodes = (int64_t)seen.n;
    if (!rc)
        rc = unit_facts(&wk, &leaves, blanket);
    if (wk.only_lot)
        r->nodes = (int64_t)r->n;
    r->walk_ms = now_ms() - t0 - r->scope_ms;
    free(cur.id.v);
    free(cur.flags.v);
    free(seeds.v);
    free(leaves.v);
    st_i64set_free(&seen);
    return rc;
}

void st_rcl_result_free(st_rcl_result *r)
{
    if (r) {
        st_arena_destroy(r->part_a[0]);
        st_arena_destroy(r->part_a[1]);
        st_arena_destroy(r->a);
        memset(r, 0, sizeof *r);
    }
}
