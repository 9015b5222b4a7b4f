/*
 * `audit verify` (st_store_audit_verify): walk the chain link by link. For
 * every event of a link, decode its stored body, prepare it again exactly as
 * capture does (lib/store/capture.c) and compare: the hash (so the body was
 * not changed) and the indexed columns (so no query can be misled by a
 * column changed on its own). Then recompute the link from the previous one.
 * Counts per link and in all catch rows deleted or inserted.
 */
#include <serialtrack/store.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/chain.h"
#include "store/codec.h"
#include "store/store_int.h"

#define PAGE 512 /* links read at a time */

typedef struct link {
    int64_t id, record_ms, first, last, events;
    unsigned char prev[32], hash[32];
    int hashes_ok; /* prev and hash are 32 bytes */
} link;

struct links {
    link l[PAGE];
    int n;
};

static st_rc row_count(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

static st_rc row_link(void *ctx, const st_val *c, int n)
{
    struct links *ls = ctx;
    if (ls->n == PAGE || n < 7)
        return ST_OK;
    link *l = &ls->l[ls->n++];
    memset(l, 0, sizeof *l);
    l->id = c[0].i;
    l->record_ms = c[1].i;
    l->first = c[2].i;
    l->last = c[3].i;
    l->events = c[4].i;
    l->hashes_ok =
        c[5].type == ST_VAL_BLOB && c[5].n == 32 && c[6].type == ST_VAL_BLOB && c[6].n == 32;
    if (l->hashes_ok) {
        memcpy(l->prev, c[5].p, 32);
        memcpy(l->hash, c[6].p, 32);
    }
    return ST_OK;
}

/* The walk's state across links. */
struct walk {
    st_audit_result *res;
    const link *cur; /* the link whose events are being read */
    st_chain ch;     /* its recomputed hash, in progress */
    int64_t seen;    /* events read for cur */
    st_arena *a;     /* scratch for decoding */
    st_cap_doc *d;   /* scratch for re-preparing */
};

static st_rc bad(struct walk *w, int64_t event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static st_rc bad(struct walk *w, int64_t event, const char *fmt, ...)
{
    st_audit_result *r = w->res;
    if (!r->ok)
        return ST_ERR_SYNTAX;
    r->ok = 0;
    r->bad_batch = w->cur ? w->cur->id : 0;
    r->bad_event = event;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    return ST_ERR_SYNTAX; /* stop the walk */
}

static int text_eq(const st_val *v, const char *s)
{
    if (!s)
        return v->type == ST_VAL_NULL;
    return v->type == ST_VAL_TEXT && v->n == strlen(s) && !memcmp(v->p, s, v->n);
}

/* One event row: id, batch, record_time, event_time, type, action, biz_step,
 * disposition, read_point, biz_location (keys), fields, hash, event_id, body,
 * xform (key of the transformationID). */
static st_rc row_event(void *ctx, const st_val *c, int n)
{
    struct walk *w = ctx;
    const link *l = w->cur;
    if (n < 15)
        return ST_ERR_INTERNAL;
    int64_t id = c[0].i;
    w->seen++;
    w->res->events++;
    if (c[1].i != l->id)
        return bad(w, id,
                   "event %" PRId64 " says it belongs to link %" PRId64
                   ", but lies in link %" PRId64 "'s range",
                   id, c[1].i, l->id);
    if (c[2].i != l->record_ms)
        return bad(w, id, "event %" PRId64 ": record time changed", id);
    if (c[11].type != ST_VAL_BLOB || c[11].n != 32)
        return bad(w, id, "event %" PRId64 ": hash column is not a SHA-256 digest", id);
    if (c[13].type != ST_VAL_BLOB)
        return bad(w, id, "event %" PRId64 ": body is missing", id);
    st_arena_reset(w->a);
    st_event ev;
    st_evnode *bindings = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_codec_decode(c[13].p, c[13].n, w->a, &ev, &bindings, &e) != ST_OK)
        return bad(w, id, "event %" PRId64 ": body cannot be decoded (%s)", id, e.msg);
    w->d->n = 0;
    st_arena_reset(w->d->arena);
    if (st_cap_add_event(w->d, bindings, &ev) != ST_OK || w->d->n != 1)
        return bad(w, id, "event %" PRId64 ": body does not hold a storable event", id);
    const st_cap_event *x = &w->d->ev[0];
    if (memcmp(x->hash, c[11].p, 32))
        return bad(w, id, "event %" PRId64 ": body does not match its hash ID (event changed)", id);
    if (x->event_time != c[3].i || x->type != c[4].i || x->action != c[5].i ||
        !text_eq(&c[6], x->biz_step) || !text_eq(&c[7], x->disposition) ||
        !text_eq(&c[8], x->read_point) || !text_eq(&c[9], x->biz_location) ||
        (int64_t)x->fields != c[10].i || !text_eq(&c[12], x->event_id) ||
        !text_eq(&c[14], x->type == ST_EVENT_TRANSFORMATION ? x->xform_id : NULL))
        return bad(w, id, "event %" PRId64 ": an indexed column differs from the event's body", id);
    st_chain_event(&w->ch, c[11].p);
    return ST_OK;
}

static const char *const events_sql =
    "SELECT e.id, e.batch, e.record_time, e.event_time, e.type, e.action, bs.key, di.key,"
    " rp.key, bl.key, e.fields, e.hash, e.event_id, e.body, xf.key FROM event e"
    " LEFT JOIN ident bs ON bs.id = e.biz_step LEFT JOIN ident di ON di.id = e.disposition"
    " LEFT JOIN ident rp ON rp.id = e.read_point LEFT JOIN ident bl ON bl.id = e.biz_location"
    " LEFT JOIN ident xf ON xf.id = e.xform"
    " WHERE e.id BETWEEN $1 AND $2 ORDER BY e.id";

static st_rc check_link(st_store *s, struct walk *w, const link *l, const unsigned char prev[32],
                        int64_t expect_id, st_error *err)
{
    w->cur = l;
    if (l->id != expect_id) {
        st_rc rc = bad(w, 0, "link %" PRId64 " is missing (the chain jumps to %" PRId64 ")",
                       expect_id, l->id);
        w->res->bad_batch = expect_id; /* the first broken link is the missing one */
        return rc;
    }
    if (!l->hashes_ok)
        return bad(w, 0, "link %" PRId64 ": hashes are not SHA-256 digests", l->id);
    if (memcmp(l->prev, prev, 32))
        return bad(w, 0,
                   "link %" PRId64 " does not follow link %" PRId64 " (previous hash differs)",
                   l->id, l->id - 1);
    if (st_chain_begin(&w->ch, prev, l->id, l->record_ms) != ST_OK)
        return ST_ERR_NOMEM;
    w->seen = 0;
    st_val args[2] = {st_val_int(l->first), st_val_int(l->last)};
    st_rc rc = st_store_exec(s, events_sql, args, 2, row_event, w, err);
    if (rc) {
        st_chain_abort(&w->ch);
        return rc;
    }
    if (w->seen != l->events) {
        st_chain_abort(&w->ch);
        return bad(w, 0,
                   "link %" PRId64 " holds %" PRId64 " events but %" PRId64
                   " are stored in its range (events %s)",
                   l->id, l->events, w->seen, w->seen < l->events ? "deleted" : "inserted");
    }
    unsigned char h[32];
    if (st_chain_end(&w->ch, h) != ST_OK)
        return ST_ERR_INTERNAL;
    if (memcmp(h, l->hash, 32))
        return bad(w, 0, "link %" PRId64 ": recomputed hash differs from the stored one", l->id);
    return ST_OK;
}

st_rc st_store_audit_verify(st_store *s, st_audit_result *res, st_error *err)
{
    if (!s || !res)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no result record");
    memset(res, 0, sizeof *res);
    res->ok = 1;
    struct walk w = {res, NULL, {0}, 0, st_arena_create(0), st_cap_doc_create()};
    struct links *ls = malloc(sizeof *ls);
    st_rc rc = ST_OK;
    if (!w.a || !w.d || !ls) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    unsigned char prev[32] = {0};
    int64_t after = 0, expect = 1, covered = 0; /* covered: the last link's last event */
    for (;;) {
        ls->n = 0;
        st_val arg = st_val_int(after);
        rc = st_store_exec(s,
                           "SELECT id, record_time, first_event, last_event, events, prev_hash,"
                           " hash FROM batch WHERE id > $1 ORDER BY id LIMIT 512",
                           &arg, 1, row_link, ls, err);
        if (rc)
            goto out;
        for (int i = 0; i < ls->n; i++) {
            rc = check_link(s, &w, &ls->l[i], prev, expect, err);
            if (rc == ST_ERR_SYNTAX && !res->ok) {
                rc = ST_OK;
                goto out;
            }
            if (rc)
                goto out;
            memcpy(prev, ls->l[i].hash, 32);
            res->batches++;
            expect = ls->l[i].id + 1;
            after = ls->l[i].id;
            covered = ls->l[i].last;
        }
        if (ls->n < PAGE)
            break;
    }
    if (res->batches) /* an empty chain has no head, as st_store_info says ("") */
        st_chain_hex(prev, res->head);
    /* rows outside every link */
    int64_t total = 0;
    rc = st_store_exec(s, "SELECT count(*) FROM event", NULL, 0, row_count, &total, err);
    if (rc == ST_OK && total != res->events) {
        /* name the first event after the last link, when that is where they are */
        int64_t first = 0;
        st_val arg = st_val_int(covered);
        rc = st_store_exec(s, "SELECT coalesce(min(id), 0) FROM event WHERE id > $1", &arg, 1,
                           row_count, &first, err);
        w.cur = NULL;
        if (rc == ST_OK && first)
            bad(&w, first,
                "event %" PRId64 " lies after the last link: %" PRId64
                " events are stored but the chain covers %" PRId64
                " (events inserted, or their link removed)",
                first, total, res->events);
        else if (rc == ST_OK)
            bad(&w, 0,
                "%" PRId64 " events are stored but the chain covers %" PRId64
                " (events inserted outside every link)",
                total, res->events);
    }
out:
    free(ls);
    st_arena_destroy(w.a);
    st_cap_doc_destroy(w.d);
    return rc;
}
