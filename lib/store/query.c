/*
 * The EPCIS simple event query (query.h; public part in serialtrack/store.h):
 * running a query page by page (st_query_run) and writing a page as an
 * EPCISQueryDocument (st_store_query_write).
 *
 * st_query_set parses each parameter once into canonical values (CBV Web
 * URIs, identifier keys, ms UTC), as capture.c stores them (query_param.c,
 * query_value.c). st_query_run builds one SQL statement per page
 * (query_sql.c: portable SQL that narrows by indexed columns only and orders
 * by (event_time, id) or id); it runs in keyset batches bound by a snapshot
 * (the largest event id when the first page was served) and the post-filter
 * (query_filter.c) decides on the decoded tree whatever SQL left open. Pages
 * continue through a token (query_token.c). Shared declarations: query_int.h.
 *
 * Answered by SQL: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action,
 * EQ_bizStep, EQ_disposition, EQ_/WD_readPoint, EQ_/WD_bizLocation, the nine
 * MATCH_ parameters (event_epc through ident keys; patterns as key ranges),
 * EQ_eventID (hash or declared eventID), EQ_transformationID (event.xform),
 * EXISTS_ of the ST_FIELD_* fields and of bizStep, disposition, readPoint,
 * bizLocation. Every post-filtered parameter also narrows by its field bit.
 * By the post-filter: EQ_persistentDisposition_set/unset, EQ_errorReason,
 * GE_/LT_errorDeclarationTime, EQ_correctiveEventID, EQ_source_/destination_/
 * bizTransaction_<type>, *_quantity[_<uom>], the sensor parameters, EXISTS_
 * of other standard fields, and EQ_/GT_/GE_/LT_/LE_/EXISTS_ of extension
 * fields (top level, INNER_, ILMD_, ERROR_DECLARATION_, SENSORELEMENT_,
 * SENSORMETADATA_, SENSORREPORT_, readPoint_, bizLocation_).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/error.h"
#include "epcis/write.h"
#include "store/capture.h"
#include "store/codec.h"
#include "store/query_int.h"
#include "store/store_int.h"

#define BATCH_POST 256          /* candidates per batch when the post-filter decides */
#define BATCH_MAX 1024          /* candidates per batch at most */
#define BATCH_BYTES (32u << 20) /* body bytes one batch holds before it is cut short */

/* ---- running a page ------------------------------------------------------------------------ */

/* One candidate row. */
typedef struct cand {
    int64_t id, event_time, record_ms;
    unsigned char *body; /* malloc'd copy, or NULL */
    size_t n;
} cand;

typedef struct batch {
    cand *c;
    size_t n, cap;
    size_t bytes; /* of the bodies held */
    int cut;      /* stopped at BATCH_BYTES: more rows may follow */
} batch;

static void batch_clear(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->c[i].body);
    b->n = 0;
    b->bytes = 0;
    b->cut = 0;
}

static st_rc row_cand(void *ctx, const st_val *v, int ncols)
{
    batch *b = ctx;
    if (ncols < 3)
        return ST_ERR_INTERNAL;
    if (b->bytes > BATCH_BYTES) { /* enough for one batch: stop the read here */
        b->cut = 1;
        return ST_ERR_LIMIT;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        cand *c = realloc(b->c, cap * sizeof *c);
        if (!c)
            return ST_ERR_NOMEM;
        b->c = c;
        b->cap = cap;
    }
    cand *c = &b->c[b->n];
    memset(c, 0, sizeof *c);
    c->id = v[0].i;
    c->event_time = v[1].i;
    c->record_ms = v[2].i;
    if (ncols > 3 && v[3].type == ST_VAL_BLOB) {
        c->body = malloc(v[3].n ? v[3].n : 1);
        if (!c->body)
            return ST_ERR_NOMEM;
        memcpy(c->body, v[3].p, v[3].n);
        c->n = v[3].n;
        b->bytes += v[3].n;
    }
    b->n++;
    return ST_OK;
}

static st_rc row_max(void *ctx, const st_val *v, int ncols)
{
    *(int64_t *)ctx = ncols > 0 && v[0].type == ST_VAL_INT ? v[0].i : 0;
    return ST_OK;
}

/* A run over the candidates of q from a position. */
typedef struct run {
    st_store *s;
    const st_query *q;
    st_error *err;
    st_arena *a;               /* decoded events, reset per event */
    int64_t key, id;           /* scan position: the last candidate read */
    int64_t last_key, last_id; /* the last event delivered */
} run;

/* The recordTime node, after eventTime. */
static st_rc add_record_time(st_arena *a, st_evnode *root, int64_t ms)
{
    char t[32];
    st_cap_time_str(ms, t);
    st_evnode *rt = st_evnode_add(a, NULL, NULL, "recordTime", t, strlen(t), 0);
    if (!rt)
        return ST_ERR_NOMEM;
    rt->parent = root;
    st_evnode *after = st_evnode_child(root, "eventTime");
    if (!after) {
        after = root->last;
    }
    if (!after) {
        root->first = root->last = rt;
    } else {
        rt->next = after->next;
        after->next = rt;
        if (root->last == after)
            root->last = rt;
    }
    return ST_OK;
}

/*
 * Read candidates after r's position in order and deliver (cb) or count the
 * events that pass the post-filter, up to want; with lookahead, *more says
 * whether one more would follow. *got counts them.
 */
static st_rc scan(run *r, int with_body, int64_t snap, int64_t want, int lookahead, st_query_row cb,
                  void *ctx, int64_t *got, int *more)
{
    const st_query *q = r->q;
    int post = st_query_has_post(q);
    sqlb b;
    batch cands = {0};
    st_rc rc = st_query_build_sql(q, with_body, &b);
    if (rc)
        return st_fail(r->err, rc, -1, NULL, "out of memory");
    *got = 0;
    *more = 0;
    b.args[b.a_snap] = st_val_int(snap);
    int stop = want == 0 && !lookahead;
    while (!stop) {
        int64_t lim = post ? BATCH_POST : want - *got + (lookahead ? 1 : 0);
        if (lim < 1)
            lim = 1;
        if (lim > BATCH_MAX)
            lim = BATCH_MAX;
        if (b.a_key >= 0)
            b.args[b.a_key] = st_val_int(r->key);
        b.args[b.a_id] = st_val_int(r->id);
        b.args[b.a_lim] = st_val_int(lim);
        batch_clear(&cands);
        rc = st_store_exec(r->s, b.p, b.args, b.nargs, row_cand, &cands, r->err);
        if (rc == ST_ERR_LIMIT && cands.cut)
            rc = ST_OK;
        if (rc)
            break;
        for (size_t i = 0; i < cands.n && !stop; i++) {
            cand *c = &cands.c[i];
            r->key = c->event_time;
            r->id = c->id;
            st_event ev = {0};
            st_evnode *bindings = NULL;
            if (post || cb) {
                st_arena_reset(r->a);
                st_error e;
                st_error_clear(&e);
                if (!c->body || st_codec_decode(c->body, c->n, r->a, &ev, &bindings, &e)) {
                    rc = st_fail(r->err, ST_ERR_IO, -1, NULL,
                                 "the store is damaged: event %" PRId64 " cannot be decoded (%s)",
                                 c->id, e.msg[0] ? e.msg : "no body");
                    stop = 1;
                    break;
                }
                if (!st_query_post_ok(q, ev.root, bindings))
                    continue;
            }
            if (*got == want) {
                *more = 1;
                stop = 1;
                break;
            }
            if (cb) {
                if ((rc = add_record_time(r->a, ev.root, c->record_ms)) ||
                    (rc = cb(ctx, &ev, bindings, c->id, c->record_ms))) {
                    stop = 1;
                    break;
                }
            }
            (*got)++;
            r->last_key = c->event_time;
            r->last_id = c->id;
            if (*got == want && !lookahead)
                stop = 1;
        }
        if (rc || ((int64_t)cands.n < lim && !cands.cut))
            break;
    }
    batch_clear(&cands);
    free(cands.c);
    free(b.p);
    free(b.args);
    return rc;
}

/* The start of the order (before the first event). */
static void position_start(run *r)
{
    int desc = st_query_descending(r->q);
    r->key = desc ? INT64_MAX : INT64_MIN;
    r->id = desc ? INT64_MAX : 0;
}

st_rc st_query_run(st_store *s, const st_query *q, st_query_row cb, void *ctx, char *next_token,
                   size_t cap, st_error *err)
{
    if (!s || !q)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no query");
    if (next_token && cap)
        next_token[0] = '\0';
    st_rc rc = st_query_check(q, err);
    if (rc)
        return rc;
    token t = {{0}, 0, 0, 0, 0};
    if (st_query_params_hash(q, t.hash))
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "cannot hash the query");
    if (q->has_token && memcmp(t.hash, q->tok.hash, 8))
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "nextPageToken belongs to another query: give the parameters of its "
                       "first page");
    run r = {s, q, err, st_arena_create(0), 0, 0, 0, 0};
    if (!r.a)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    int64_t snap = 0, before = 0, got = 0;
    int more = 0;
    if (q->has_token) {
        snap = q->tok.snap;
        before = q->tok.count;
        r.key = q->tok.key;
        r.id = q->tok.id;
    } else {
        rc = st_store_exec(s, "SELECT max(id) FROM event", NULL, 0, row_max, &snap, err);
        position_start(&r);
    }
    /* maxEventCount: counted once, on the first page, before anything is written */
    if (!rc && q->max_count >= 0 && !q->has_token) {
        rc = scan(&r, st_query_has_post(q), snap, q->max_count, 1, NULL, NULL, &got, &more);
        if (!rc && more)
            rc = st_fail(err, ST_ERR_LIMIT, -1, NULL,
                         "the query matches more than maxEventCount=%" PRId64 " events",
                         q->max_count);
        position_start(&r);
    }
    int64_t want = q->per_page;
    int lookahead = 1;
    if (q->count_limit >= 0 && q->count_limit - before <= want) {
        want = q->count_limit > before ? q->count_limit - before : 0;
        lookahead = 0;
    }
    if (!rc)
        rc = scan(&r, 1, snap, want, lookahead, cb, ctx, &got, &more);
    if (!rc && more) {
        t.snap = snap;
        t.key = r.last_key;
        t.id = r.last_id;
        t.count = before + got;
        if (next_token && st_query_token_encode(&t, next_token, cap))
            rc = st_fail(err, ST_ERR_BUFFER, -1, NULL, "the next page token needs %d bytes",
                         ST_QUERY_TOKEN_MAX);
    }
    st_arena_destroy(r.a);
    return rc;
}

/* ---- the EPCISQueryDocument ------------------------------------------------------------------ */

/* Writing a page: the writer opens with the first event (or after an empty
 * run), so a refused query writes nothing. */
typedef struct qwrite {
    st_epcis_writer *w;
    st_epcis_format fmt;
    FILE *out;
} qwrite;

static st_rc qwrite_open(qwrite *x)
{
    return x->w ? ST_OK
                : st_epcis_writer_open_query(x->fmt, ST_EPCIS_IDS_ASIS, "SimpleEventQuery", x->out,
                                             NULL, &x->w);
}

static st_rc qwrite_row(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                        int64_t record_ms)
{
    qwrite *x = ctx;
    (void)event_id;
    (void)record_ms;
    st_rc rc = qwrite_open(x);
    return rc ? rc : st_epcis_writer_event_ns(x->w, ev, bindings);
}

st_rc st_store_query_write(st_store *s, const st_query *q, st_epcis_format fmt, FILE *out,
                           char *next_token, size_t cap, st_error *err)
{
    if (next_token && cap)
        next_token[0] = '\0';
    if (!s || !q || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store, query or output");
    if (fmt != ST_EPCIS_FMT_JSONLD && fmt != ST_EPCIS_FMT_XML2 && fmt != ST_EPCIS_FMT_XML12)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "unknown output format %d", (int)fmt);
    qwrite x = {NULL, fmt, out};
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_query_run(s, q, qwrite_row, &x, next_token, cap, &e);
    if (rc == ST_OK)
        rc = qwrite_open(&x);
    st_rc frc = st_epcis_writer_finish(x.w);
    if (rc == ST_OK)
        rc = frc;
    if (rc && e.rc == ST_OK) /* from the writer */
        return st_fail(err, rc, -1, NULL, "writing the query result failed: %s", st_strerror(rc));
    if (rc && err)
        *err = e;
    if (rc && next_token && cap)
        next_token[0] = '\0';
    return rc;
}
