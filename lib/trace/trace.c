/*
 * Tracing one unit (include/serialtrack/trace.h) over the store's read path,
 * written straight into the caller's JSON writer. Reads go out in batches
 * (lib/trace/trace_int.h): after the unit's id, one batch asks for its
 * state and container chain (one recursive statement), its own events, its
 * packing history, its contents and the first genealogy level both ways;
 * the next asks for its containers' events while it was inside them and
 * the second genealogy level; further ones only for deeper genealogy. On
 * PostgreSQL a batch is one round trip.
 *
 * History: the unit's own events, plus the events of every container it
 * was in (transitively), between its packing into that container and its
 * unpacking: a unit on a pallet was shipped when the pallet was shipped.
 * Genealogy: lib/trace/genealogy.c.
 */
#include <serialtrack/trace.h>

#include <serialtrack/id.h>
#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/error.h"
#include "common/i64set.h"
#include "epcis/hashid.h"
#include "epcis/write.h"
#include "store/capture.h"
#include "store/codec.h"
#include "store/scope.h"
#include "store/store_int.h"
#include "trace/trace_int.h"

#define KEY_MAX 2048       /* bytes of one canonical key */
#define CHAIN_MAX 16       /* container levels followed (the chain statement's 16) */
#define CHILDREN_MAX 10000 /* nodes in one children tree */
#define PERIODS_MAX 64     /* packings of one identifier followed */
#define CLOSURE_MAX 4096   /* packings read for one history */

/* ---- small read helpers --------------------------------------------------------- */

static st_rc row_id(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

static char *dup_val(st_arena *a, const st_val *v)
{
    if (v->type != ST_VAL_TEXT)
        return NULL;
    return st_arena_strndup(a, v->p, v->n);
}

st_rc st_trace_key(const char *id, char *out, size_t cap, st_error *err)
{
    if (!id || !*id)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "no identifier given");
    st_id *h = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_id_parse(id, strlen(id), NULL, &h, &e) == ST_OK) {
        const char *k = st_id_key(h);
        size_t n = k ? strlen(k) : 0;
        st_rc rc = n && n < cap ? ST_OK : ST_ERR_BUFFER;
        if (rc == ST_OK)
            memcpy(out, k, n + 1);
        st_id_destroy(h);
        return rc;
    }
    st_id_destroy(h);
    /* An EPC URI, or anything the GS1 parser recognised but found wrong (a
     * check digit, a length, an unknown AI), is a faulty GS1 identifier: say
     * why. Only text that is not GS1 at all is a private URI, its own key
     * (as capture stores it). */
    if (!strncmp(id, "urn:epc:", 8) || e.rc != ST_ERR_SYNTAX)
        return st_fail(err, ST_ERR_SYNTAX, e.position, e.ai[0] ? e.ai : NULL,
                       "not a valid identifier: %s", e.msg);
    if (strchr(id, ':') && st_cap_canon(id, -1, NULL, out, cap) == ST_OK)
        return ST_OK;
    return st_fail(err, ST_ERR_SYNTAX, e.position, NULL, "not an identifier: %s", e.msg);
}

/* ---- state ------------------------------------------------------------------------ */

struct state {
    int found;
    int64_t first_seen, last_seen, last_event, container, deleted;
    char *disposition, *read_point, *biz_location, *container_key, *owner, *possessor, *lot,
        *expiry;
    st_arena *a;
};

/* The state's 13 columns c[0..13) into s. */
static void state_from(struct state *s, const st_val *c)
{
    s->found = 1;
    s->first_seen = c[0].i;
    s->last_seen = c[1].i;
    s->last_event = c[2].i;
    s->disposition = dup_val(s->a, &c[3]);
    s->read_point = dup_val(s->a, &c[4]);
    s->biz_location = dup_val(s->a, &c[5]);
    s->container_key = dup_val(s->a, &c[6]);
    s->owner = dup_val(s->a, &c[7]);
    s->possessor = dup_val(s->a, &c[8]);
    s->lot = dup_val(s->a, &c[9]);
    s->expiry = dup_val(s->a, &c[10]);
    s->deleted = c[11].type == ST_VAL_INT ? c[11].i : -1;
    s->container = c[12].type == ST_VAL_INT ? c[12].i : -1;
}

static st_rc row_state(void *ctx, const st_val *c, int n)
{
    if (n < 13)
        return ST_ERR_INTERNAL;
    state_from(ctx, c);
    return ST_OK;
}

static st_rc load_state(st_tr *t, int64_t item, struct state *s)
{
    memset(s, 0, sizeof *s);
    s->a = t->a;
    st_val arg = st_val_int(item);
    return st_store_exec(
        t->s,
        "SELECT s.first_seen, s.last_seen, s.last_event, d.key, rp.key, bl.key, c.key, o.key,"
        " p.key, l.key, s.expiry, s.deleted, s.container FROM item_state s"
        " LEFT JOIN ident d ON d.id = s.disposition LEFT JOIN ident rp ON rp.id = s.read_point"
        " LEFT JOIN ident bl ON bl.id = s.biz_location LEFT JOIN ident c ON c.id = s.container"
        " LEFT JOIN ident o ON o.id = s.owner LEFT JOIN ident p ON p.id = s.possessor"
        " LEFT JOIN ident l ON l.id = s.lot WHERE s.ident = $1",
        &arg, 1, row_state, s, t->err);
}

static void time_member(st_jw *j, const char *k, int64_t ms)
{
    char b[32];
    st_cap_time_str(ms, b);
    st_jw_member_str(j, k, b);
}

struct event_ref {
    char id[ST_HASHID_LEN + 1]; /* eventID as declared, or the hash ID */
};

static st_rc row_event_ref(void *ctx, const st_val *c, int n)
{
    struct event_ref *r = ctx;
    if (n >= 2 && c[1].type == ST_VAL_TEXT) {
        snprintf(r->id, sizeof r->id, "%.*s", (int)c[1].n, (const char *)c[1].p);
    } else if (n >= 1 && c[0].type == ST_VAL_BLOB && c[0].n == 32) {
        static const char hex[] = "0123456789abcdef";
        char *o = r->id + snprintf(r->id, sizeof r->id, "ni:///sha-256;");
        const unsigned char *h = c[0].p;
        for (int i = 0; i < 32; i++) {
            *o++ = hex[h[i] >> 4];
            *o++ = hex[h[i] & 15];
        }
        snprintf(o, sizeof r->id - (size_t)(o - r->id), "?ver=CBV2.0");
    }
    return ST_OK;
}

static void opt_member(st_jw *j, const char *k, const char *v)
{
    st_jw_key(j, k);
    if (v)
        st_jw_cstring(j, v);
    else
        st_jw_null(j);
}

/* The unit ($1: its key) and its containers, innermost first, each with
 * its key and state, and the unit's last event's ids: one recursive
 * statement (16: the CHAIN_MAX containers after the unit). */
#define CHAIN_SQL                                                                                  \
    "WITH RECURSIVE ch(ident, depth) AS (SELECT id, 0 FROM ident WHERE key = $1 UNION ALL"         \
    " SELECT s.container, ch.depth + 1"                                                            \
    " FROM ch JOIN item_state s ON s.ident = ch.ident WHERE s.container > 0 AND ch.depth < 16)"    \
    " SELECT ch.depth, ch.ident, k.key, s.first_seen, s.last_seen, s.last_event, d.key, rp.key,"   \
    " bl.key, c.key, o.key, p.key, l.key, s.expiry, s.deleted, s.container, e.hash, e.event_id"    \
    " FROM ch LEFT JOIN ident k ON k.id = ch.ident LEFT JOIN item_state s ON s.ident = ch.ident"   \
    " LEFT JOIN ident d ON d.id = s.disposition LEFT JOIN ident rp ON rp.id = s.read_point"        \
    " LEFT JOIN ident bl ON bl.id = s.biz_location LEFT JOIN ident c ON c.id = s.container"        \
    " LEFT JOIN ident o ON o.id = s.owner LEFT JOIN ident p ON p.id = s.possessor"                 \
    " LEFT JOIN ident l ON l.id = s.lot LEFT JOIN event e ON ch.depth = 0 AND e.id = s.last_event" \
    " ORDER BY ch.depth"

struct link {
    int64_t ident;   /* the unit or a container */
    char *key;       /* its key */
    struct state st; /* its state (st.found 0: none) */
};

struct chain {
    struct link l[CHAIN_MAX + 1]; /* l[0]: the unit; then its containers, innermost first */
    size_t n;                     /* rows read */
    size_t nchain;                /* containers followed: l[1..nchain] (chain_follow) */
    struct event_ref last;        /* the unit's last event */
    st_arena *a;
};

static st_rc row_chain(void *ctx, const st_val *c, int n)
{
    struct chain *ch = ctx;
    if (n < 18 || c[0].type != ST_VAL_INT)
        return ST_ERR_INTERNAL;
    if (ch->n == CHAIN_MAX + 1 || c[0].i != (int64_t)ch->n)
        return ST_OK;
    struct link *l = &ch->l[ch->n++];
    l->ident = c[1].i;
    l->key = dup_val(ch->a, &c[2]);
    memset(&l->st, 0, sizeof l->st);
    l->st.a = ch->a;
    if (c[3].type == ST_VAL_INT)
        state_from(&l->st, c + 3);
    if (ch->n == 1)
        row_event_ref(&ch->last, c + 16, 2);
    return ST_OK;
}

/* The containers followed: up to a cycle (a container met again, or the
 * unit itself). */
static void chain_follow(struct chain *ch, int64_t item)
{
    ch->nchain = 0;
    for (size_t i = 1; i < ch->n; i++) {
        int64_t parent = ch->l[i].ident;
        if (parent <= 0 || parent == item)
            return;
        for (size_t k = 1; k < i; k++)
            if (ch->l[k].ident == parent)
                return;
        ch->nchain = i;
    }
}

/* "state": the unit's own latest facts, and where it is now counting its
 * containers (a unit on a pallet is where the pallet was last seen). */
static st_rc write_state(st_tr *t, int64_t item, const struct chain *ch)
{
    struct state s = ch->n ? ch->l[0].st : (struct state){0};
    st_rc rc;
    st_jw *j = t->j;
    st_jw_key(j, "state");
    if (!s.found) {
        /* a class (lot) or an identifier only named as a location or party */
        int64_t units = 0;
        st_val arg = st_val_int(item);
        rc = st_store_exec(t->s, "SELECT count(*) FROM item_lot WHERE lot = $1", &arg, 1, row_id,
                           &units, t->err);
        if (rc)
            return rc;
        if (!units) {
            st_jw_null(j);
            return ST_OK;
        }
        st_jw_object_begin(j);
        st_jw_key(j, "lot_units");
        st_jw_long(j, (long)units);
        st_jw_object_end(j);
        return ST_OK;
    }
    st_jw_object_begin(j);
    st_jw_member_str(j, "status", s.deleted == 1 ? "decommissioned" : "active");
    opt_member(j, "disposition", s.disposition);
    opt_member(j, "read_point", s.read_point);
    opt_member(j, "biz_location", s.biz_location);
    opt_member(j, "container", s.container > 0 ? s.container_key : NULL);
    opt_member(j, "owner", s.owner);
    opt_member(j, "possessor", s.possessor);
    opt_member(j, "lot", s.lot);
    opt_member(j, "expiry", s.expiry);
    time_member(j, "first_seen", s.first_seen);
    time_member(j, "last_seen", s.last_seen);
    st_jw_member_str(j, "last_event", ch->last.id);
    /* where it is: the most recent sighting among itself and its containers */
    struct state best = s;
    const char *via_key = NULL;
    for (size_t i = 1; i <= ch->nchain; i++) {
        const struct state *c = &ch->l[i].st;
        if (c->found && c->last_seen > best.last_seen && (c->biz_location || c->read_point)) {
            best = *c;
            via_key = ch->l[i].key;
        }
    }
    st_jw_key(j, "location");
    st_jw_object_begin(j);
    opt_member(j, "biz_location", best.biz_location ? best.biz_location : s.biz_location);
    opt_member(j, "read_point", best.read_point);
    opt_member(j, "disposition", best.disposition ? best.disposition : s.disposition);
    time_member(j, "as_of", best.last_seen);
    st_jw_member_str(j, "from", via_key ? via_key : "self");
    st_jw_object_end(j);
    st_jw_object_end(j);
    return ST_OK;
}

/* ---- container chain and children ------------------------------------------------- */

static void write_chain(st_tr *t, const struct chain *ch)
{
    st_jw_key(t->j, "container");
    st_jw_array_begin(t->j);
    for (size_t i = 1; i <= ch->nchain; i++)
        st_jw_cstring(t->j, ch->l[i].key ? ch->l[i].key : "");
    st_jw_array_end(t->j);
}

/* open packings into parent whose child has not moved on since */
#define CHILDREN_OF(parent)                                                                        \
    "SELECT DISTINCT c.child, i.key FROM containment c JOIN item_state s"                          \
    " ON s.ident = c.child AND s.container = c.parent JOIN ident i ON"                             \
    " i.id = c.child WHERE c.parent = " parent " AND c.unpacked_event IS NULL ORDER BY i.key"
#define CHILDREN_SQL CHILDREN_OF("$1")

/* The contents of item, recursively (pre: item's own, already read). */
static st_rc write_children(st_tr *t, int64_t item, size_t *budget, int depth,
                            const st_tr_idlist *pre)
{
    st_tr_idlist l = {0};
    st_rc rc = ST_OK;
    if (pre) {
        l = *pre;
    } else {
        l.a = t->a;
        l.max = *budget;
        st_val arg = st_val_int(item);
        rc = st_store_exec(t->s, CHILDREN_SQL, &arg, 1, st_tr_row_idkey, &l, t->err);
        if (rc)
            return rc;
    }
    *budget -= l.n;
    st_jw_array_begin(t->j);
    for (size_t i = 0; i < l.n; i++) {
        st_jw_object_begin(t->j);
        st_jw_member_str(t->j, "key", l.key[i] ? l.key[i] : "");
        if (depth<CHAIN_MAX && * budget> 0 && l.id[i] != item) {
            st_jw_key(t->j, "children");
            if ((rc = write_children(t, l.id[i], budget, depth + 1, NULL)))
                return rc;
        }
        st_jw_object_end(t->j);
    }
    st_jw_array_end(t->j);
    return ST_OK;
}

/* ---- history ------------------------------------------------------------------------- */

struct hist_row {
    int64_t time, id, record_ms;
    unsigned char *body;
    size_t n;
};

struct hist {
    struct hist_row *r;
    size_t n, cap, max;
    st_arena *a;
    int truncated;
};

static st_rc row_hist(void *ctx, const st_val *c, int n)
{
    struct hist *h = ctx;
    if (n < 4 || c[3].type != ST_VAL_BLOB)
        return ST_OK;
    if (h->n >= 8 * h->max + 64) { /* each source sends its earliest max + 1 */
        h->truncated = 1;
        return ST_OK;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 32;
        struct hist_row *r = realloc(h->r, cap * sizeof *r);
        if (!r)
            return ST_ERR_NOMEM;
        h->r = r;
        h->cap = cap;
    }
    unsigned char *b = st_arena_alloc(h->a, c[3].n ? c[3].n : 1);
    if (!b)
        return ST_ERR_NOMEM;
    memcpy(b, c[3].p, c[3].n);
    h->r[h->n++] = (struct hist_row){c[0].i, c[1].i, c[2].i, b, c[3].n};
    return ST_OK;
}

static int hist_cmp(const void *a, const void *b)
{
    const struct hist_row *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Every packing of the unit ($1: its key), of its containers, of
 * theirs...: child, parent, packed and unpacked time (NULL when still
 * inside). */
#define CLOSURE_SQL                                                                                \
    "WITH RECURSIVE p(child, parent, packed, unpacked) AS (SELECT child, parent, packed_event,"    \
    " unpacked_event FROM containment WHERE child = " ST_TR_ITEM                                   \
    " UNION SELECT c.child, c.parent,"                                                             \
    " c.packed_event, c.unpacked_event FROM p JOIN containment c ON c.child = p.parent)"           \
    " SELECT p.child, p.parent, pe.event_time, ue.event_time FROM p"                               \
    " JOIN event pe ON pe.id = p.packed LEFT JOIN event ue ON ue.id = p.unpacked"

/* The events of the unit ($1: its key), the earliest $2 */
#define OWN_SQL                                                                                    \
    "SELECT DISTINCT e.event_time, e.id, e.record_time, e.body FROM event_epc x JOIN event e"      \
    " ON e.id = x.event WHERE x.ident = " ST_TR_ITEM " ORDER BY e.event_time, e.id LIMIT $2"

/* ... and between two event times ($2, $3), the earliest $4 */
#define RANGE_SQL                                                                                  \
    "SELECT DISTINCT e.event_time, e.id, e.record_time, e.body FROM event_epc x JOIN event e"      \
    " ON e.id = x.event WHERE x.ident = $1 AND e.event_time >= $2 AND e.event_time <= $3"          \
    " ORDER BY e.event_time, e.id LIMIT $4"

/* Every event of every container the unit ($1: its key) was ever in,
 * directly or not, by container, time and id: for an ordinary unit a few
 * dozen, enough to cut its containers' ranges from without asking again
 * (more than ANCESTOR_MAX: the ranges are asked for one by one). */
#define ANCESTOR_MAX 256
#define ANCESTOR_SQL                                                                               \
    "WITH RECURSIVE p(child, parent) AS (SELECT child, parent FROM containment WHERE child "       \
    "= " ST_TR_ITEM                                                                                \
    " UNION SELECT c.child, c.parent FROM p JOIN containment c ON c.child = p.parent)"             \
    " SELECT DISTINCT a.parent, e.event_time, e.id, e.record_time, e.body FROM"                    \
    " (SELECT DISTINCT parent FROM p) a JOIN event_epc x ON x.ident = a.parent"                    \
    " JOIN event e ON e.id = x.event ORDER BY a.parent, e.event_time, e.id LIMIT 257"

_Static_assert(ANCESTOR_MAX == 256, "ANCESTOR_SQL reads ANCESTOR_MAX + 1 rows (LIMIT 257)");

/* The rows of ANCESTOR_SQL: bodies in the trace's arena. */
struct ancestors {
    struct {
        int64_t parent, time, id, record_ms;
        const unsigned char *body;
        size_t n;
    } r[ANCESTOR_MAX];
    size_t n;
    int over; /* more than ANCESTOR_MAX: not used */
    st_arena *a;
};

static st_rc row_ancestor(void *ctx, const st_val *c, int n)
{
    struct ancestors *an = ctx;
    if (n < 5 || c[4].type != ST_VAL_BLOB || an->over)
        return ST_OK;
    if (an->n == ANCESTOR_MAX) {
        an->over = 1;
        return ST_OK;
    }
    unsigned char *b = st_arena_alloc(an->a, c[4].n ? c[4].n : 1);
    if (!b)
        return ST_ERR_NOMEM;
    memcpy(b, c[4].p, c[4].n);
    an->r[an->n].parent = c[0].i;
    an->r[an->n].time = c[1].i;
    an->r[an->n].id = c[2].i;
    an->r[an->n].record_ms = c[3].i;
    an->r[an->n].body = b;
    an->r[an->n].n = c[4].n;
    an->n++;
    return ST_OK;
}

/* RANGE_SQL answered from the rows of an: parent's events within lo..hi,
 * the earliest limit, into h. */
static st_rc range_from(const struct ancestors *an, int64_t parent, int64_t lo, int64_t hi,
                        int64_t limit, struct hist *h)
{
    int64_t taken = 0, last = 0;
    for (size_t i = 0; i < an->n && taken < limit; i++) {
        if (an->r[i].parent != parent || an->r[i].time < lo || an->r[i].time > hi)
            continue;
        if (taken && an->r[i].id == last)
            continue; /* DISTINCT: rows are in (time, id) order */
        st_val c[4] = {st_val_int(an->r[i].time), st_val_int(an->r[i].id),
                       st_val_int(an->r[i].record_ms), st_val_blob(an->r[i].body, an->r[i].n)};
        st_rc rc = row_hist(h, c, 4);
        if (rc)
            return rc;
        last = an->r[i].id;
        taken++;
    }
    return ST_OK;
}

/* A packing period: child in parent from..to (ms; to = max when open). */
struct period {
    int64_t child, parent, from, to;
};

struct closure {
    struct period *p; /* malloc'd */
    size_t n, cap;
};

static st_rc row_closure(void *ctx, const st_val *c, int n)
{
    struct closure *cl = ctx;
    if (n < 4 || cl->n == CLOSURE_MAX)
        return ST_OK;
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? 2 * cl->cap : 16;
        struct period *p = realloc(cl->p, cap * sizeof *p);
        if (!p)
            return ST_ERR_NOMEM;
        cl->p = p;
        cl->cap = cap;
    }
    cl->p[cl->n++] =
        (struct period){c[0].i, c[1].i, c[2].i, c[3].type == ST_VAL_INT ? c[3].i : INT64_MAX};
    return ST_OK;
}

static int period_cmp(const void *a, const void *b)
{
    const struct period *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* Queue the reads of item's containers' events while item was inside them
 * (within from..to), and of theirs, recursively, from the packings read. */
static void queue_containers(st_tr_batch *b, const struct closure *cl, const struct ancestors *an,
                             int64_t item, int64_t from, int64_t to, struct hist *h, int depth)
{
    if (depth >= CHAIN_MAX)
        return;
    struct period ps[PERIODS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < cl->n && n < PERIODS_MAX; i++)
        if (cl->p[i].child == item)
            ps[n++] = cl->p[i];
    /* a period ends at its unpacking or at the child's next packing */
    qsort(ps, n, sizeof *ps, period_cmp);
    for (size_t i = 0; i + 1 < n; i++)
        if (ps[i + 1].from < ps[i].to)
            ps[i].to = ps[i + 1].from;
    for (size_t i = 0; i < n; i++) {
        int64_t lo = ps[i].from > from ? ps[i].from : from;
        int64_t hi = ps[i].to < to ? ps[i].to : to;
        if (lo > hi)
            continue;
        if (!an->over) { /* every event of the container is in an already */
            st_rc rc = range_from(an, ps[i].parent, lo, hi, (int64_t)h->max + 1, h);
            if (rc && !b->rc)
                b->rc = st_fail(b->t->err, rc, -1, NULL, "out of memory tracing");
        } else {
            st_val *args = st_tr_args(b, 4);
            if (!args)
                return;
            args[0] = st_val_int(ps[i].parent);
            args[1] = st_val_int(lo);
            args[2] = st_val_int(hi);
            args[3] = st_val_int((int64_t)h->max + 1);
            st_tr_read(b, RANGE_SQL, args, 4, row_hist, h);
        }
        queue_containers(b, cl, an, ps[i].parent, lo, hi, h, depth + 1);
    }
}

/* A history being read: queued (hist_queue), its containers' part queued
 * once the first reads are in (hist_queue_more), then sorted (hist_done). */
struct histq {
    struct hist h;
    struct closure cl;
    struct ancestors *an; /* the containers' events (malloc'd) */
    int64_t item;
};

/* Queue the first reads of the unit named key (which must outlive them). */
static void hist_queue(st_tr *t, st_tr_batch *b, const char *key, size_t max, struct histq *q)
{
    *q = (struct histq){{NULL, 0, 0, max, t->a, 0}, {NULL, 0, 0}, NULL, 0};
    st_val *own = st_tr_args(b, 2), *one = st_tr_args(b, 1);
    if (!own || !one)
        return;
    if (!(q->an = calloc(1, sizeof *q->an))) {
        b->rc = st_fail(t->err, ST_ERR_NOMEM, -1, NULL, "out of memory tracing");
        return;
    }
    q->an->a = t->a;
    own[0] = st_val_text(key);
    own[1] = st_val_int((int64_t)max + 1);
    one[0] = st_val_text(key);
    st_tr_read(b, OWN_SQL, own, 2, row_hist, &q->h);
    st_tr_read(b, CLOSURE_SQL, one, 1, row_closure, &q->cl);
    st_tr_read(b, ANCESTOR_SQL, one, 1, row_ancestor, q->an);
}

/* The containers' part, once the first reads are in (item: the unit's id). */
static void hist_queue_more(st_tr_batch *b, struct histq *q, int64_t item)
{
    q->item = item;
    if (q->an)
        queue_containers(b, &q->cl, q->an, q->item, INT64_MIN, INT64_MAX, &q->h, 0);
}

static void hist_done(struct histq *q)
{
    free(q->an);
    q->an = NULL;
    free(q->cl.p);
    q->cl = (struct closure){NULL, 0, 0};
    if (q->h.n) /* h.r is NULL when nothing was found: qsort must not see it */
        qsort(q->h.r, q->h.n, sizeof *q->h.r, hist_cmp);
}

static void hist_free(struct histq *q)
{
    free(q->an);
    q->an = NULL;
    free(q->cl.p);
    free(q->h.r);
    q->cl.p = NULL;
    q->h.r = NULL;
}

/* Decode stored event r into a; *ev and *bindings live in a. */
static st_rc decode_event(st_tr *t, const struct hist_row *r, st_arena *a, st_event *ev,
                          st_evnode **bindings)
{
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_codec_decode(r->body, r->n, a, ev, bindings, &e);
    if (rc)
        return st_fail(t->err, rc, -1, NULL, "stored event %lld cannot be read: %s",
                       (long long)r->id, e.msg);
    return ST_OK;
}

/* Write stored event r with evw (when it is within the trace's scope:
 * *written set). */
static st_rc write_event(st_tr *t, st_epcis_evw *evw, const struct hist_row *r, st_arena *a,
                         int *written)
{
    st_event ev;
    st_evnode *bindings = NULL;
    *written = 0;
    st_rc rc = decode_event(t, r, a, &ev, &bindings);
    if (rc)
        return rc;
    if (t->scope && !st_scope_event_ok(t->scope, ev.root, bindings))
        return ST_OK;
    *written = 1;
    char rt[32];
    st_cap_time_str(r->record_ms, rt);
    st_evnode_add(a, ev.root, NULL, "recordTime", rt, strlen(rt), 0);
    return st_epcis_evw_put(evw, &ev, bindings, t->j);
}

/* The history's candidates into *h (free h->r): the earliest max + 1 of
 * each source (the unit, each container while it was inside), in order. */
static st_rc collect_history(st_tr *t, const char *key, int64_t item, size_t max, struct hist *h)
{
    st_tr_batch b;
    st_tr_batch_init(&b, t);
    struct histq q;
    hist_queue(t, &b, key, max, &q);
    if (!st_tr_flush(&b)) {
        hist_queue_more(&b, &q, item);
        st_tr_flush(&b);
    }
    if (b.rc) {
        hist_free(&q);
        return b.rc;
    }
    hist_done(&q);
    *h = q.h;
    return ST_OK;
}

/* "history" from the candidates h (h->r freed). */
static st_rc write_history(st_tr *t, struct hist *h, size_t max)
{
    st_rc rc = ST_OK;
    st_arena *ea = st_arena_create(ST_EPCIS_MAX_EVENT_BYTES);
    st_epcis_evw *evw = NULL;
    if (!ea || st_epcis_evw_create(ST_EPCIS_IDS_ASIS, &evw) != ST_OK) {
        st_arena_destroy(ea);
        free(h->r);
        h->r = NULL;
        return ST_ERR_NOMEM;
    }
    st_jw_key(t->j, "history");
    st_jw_array_begin(t->j);
    size_t written = 0;
    for (size_t i = 0; i < h->n && !rc; i++) {
        if (i && h->r[i].id == h->r[i - 1].id)
            continue;
        if (written == max) {
            h->truncated = 1; /* a later event remains */
            break;
        }
        st_arena_reset(ea);
        int w = 0;
        rc = write_event(t, evw, &h->r[i], ea, &w);
        written += (size_t)w;
    }
    st_jw_array_end(t->j);
    if (h->truncated) {
        st_jw_key(t->j, "history_truncated");
        st_jw_bool(t->j, 1);
    }
    st_epcis_evw_destroy(evw);
    st_arena_destroy(ea);
    free(h->r);
    h->r = NULL;
    return rc;
}

/* ---- a partner's scope ----------------------------------------------------------------- */

/* Whether item concerns the scope's party: its owner, possessor or place
 * now, or one of the events of its history (its own and its containers'). */
static st_rc item_in_scope(st_tr *t, const char *key, int64_t item, int *ok)
{
    struct state st;
    st_rc rc = load_state(t, item, &st);
    if (rc)
        return rc;
    *ok = st.found &&
          (st_scope_key_ok(t->scope, st.owner) || st_scope_key_ok(t->scope, st.possessor) ||
           st_scope_key_ok(t->scope, st.biz_location) || st_scope_key_ok(t->scope, st.read_point));
    if (*ok)
        return ST_OK;
    struct hist h;
    if ((rc = collect_history(t, key, item, ST_TRACE_MAX_HISTORY, &h)))
        return rc;
    st_arena *ea = st_arena_create(ST_EPCIS_MAX_EVENT_BYTES);
    if (!ea)
        rc = ST_ERR_NOMEM;
    for (size_t i = 0; i < h.n && !rc && !*ok; i++) {
        st_event ev;
        st_evnode *bindings = NULL;
        st_arena_reset(ea);
        if (!(rc = decode_event(t, &h.r[i], ea, &ev, &bindings)))
            *ok = st_scope_event_ok(t->scope, ev.root, bindings);
    }
    st_arena_destroy(ea);
    free(h.r);
    return rc;
}

/* ---- the whole trace ------------------------------------------------------------------- */

/* What the parts read before any is written. */
struct parts {
    int64_t item;      /* the unit's id (0: no such identifier) */
    int64_t named;     /* 1 when an event names it, or it is the lot of a unit */
    struct chain ch;   /* its state and container chain */
    struct histq hq;   /* its history */
    st_tr_idlist kids; /* its contents */
    st_tr_gen *gen[2]; /* its genealogy: [0] up, [1] down (NULL: not asked for) */
};

/* Read what parts asks for of the unit named key into r. The first batch
 * asks, by the key, for everything that needs only the unit, its id
 * among them (unless r->item is known already); each further one for what
 * the previous answers lead to (the containers' events, the next genealogy
 * level of both directions). ST_ERR_NOT_FOUND when no event names the key
 * and no unit is of that lot (an identifier may be known without either:
 * interned by a capture that failed, or by a document of duplicates). */
static st_rc read_parts(st_tr *t, const char *key, unsigned parts, const st_trace_opts *o,
                        struct parts *r)
{
    st_tr_batch b;
    st_tr_batch_init(&b, t);
    st_val *k = st_tr_args(&b, 1);
    if (!k)
        return b.rc;
    k[0] = st_val_text(key);
    if (!r->item)
        st_tr_read(&b, "SELECT id FROM ident WHERE key = $1", k, 1, row_id, &r->item);
    st_tr_read(&b,
               "SELECT 1 FROM ident i WHERE i.key = $1 AND (EXISTS (SELECT 1 FROM event_epc x"
               " WHERE x.ident = i.id) OR EXISTS (SELECT 1 FROM item_lot l WHERE l.lot = i.id))",
               k, 1, row_id, &r->named);
    if (parts & (ST_TRACE_STATE | ST_TRACE_CONTAINER))
        st_tr_read(&b, CHAIN_SQL, k, 1, row_chain, &r->ch);
    if (parts & ST_TRACE_HISTORY)
        hist_queue(t, &b, key, o->max_history ? o->max_history : ST_TRACE_MAX_HISTORY, &r->hq);
    if (parts & ST_TRACE_CONTAINER)
        st_tr_read(&b, CHILDREN_OF(ST_TR_ITEM), k, 1, st_tr_row_idkey, &r->kids);
    for (int g = 0; g < 2; g++)
        if ((parts & (g ? ST_TRACE_DOWN : ST_TRACE_UP)) &&
            !(r->gen[g] = st_tr_gen_create(t, key, !g, o->depth)))
            return st_fail(t->err, ST_ERR_NOMEM, -1, NULL, "out of memory tracing");
    for (int round = 0;; round++) {
        int more = 0;
        if (round == 1) {
            if (!r->item || !r->named)
                return st_fail(t->err, ST_ERR_NOT_FOUND, -1, NULL, "no event names %s", key);
            if (parts & ST_TRACE_HISTORY)
                hist_queue_more(&b, &r->hq, r->item);
        }
        for (int g = 0; g < 2; g++) {
            if (round == 1 && r->gen[g])
                st_tr_gen_start(r->gen[g], r->item);
            int n = r->gen[g] ? st_tr_gen_step(r->gen[g], &b) : 0;
            if (n < 0)
                return (st_rc)-n;
            more |= n;
        }
        if (st_tr_flush(&b))
            return b.rc;
        if (round >= 1 && !more)
            break;
    }
    if (parts & ST_TRACE_HISTORY)
        hist_done(&r->hq);
    chain_follow(&r->ch, r->item);
    return ST_OK;
}

static st_rc write_parts(st_tr *t, unsigned parts, const st_trace_opts *o, struct parts *r)
{
    st_rc rc = ST_OK;
    if (parts & ST_TRACE_STATE)
        rc = write_state(t, r->item, &r->ch);
    if (!rc && (parts & ST_TRACE_HISTORY))
        rc = write_history(t, &r->hq.h, o->max_history ? o->max_history : ST_TRACE_MAX_HISTORY);
    if (!rc && (parts & ST_TRACE_CONTAINER)) {
        write_chain(t, &r->ch);
        size_t budget = CHILDREN_MAX;
        st_jw_key(t->j, "children");
        rc = write_children(t, r->item, &budget, 0, &r->kids);
    }
    if (!rc && (parts & (ST_TRACE_UP | ST_TRACE_DOWN))) {
        st_jw_key(t->j, "genealogy");
        st_jw_object_begin(t->j);
        for (int g = 0; g < 2; g++)
            if (r->gen[g])
                st_tr_gen_write(r->gen[g], t->j);
        st_jw_object_end(t->j);
    }
    return rc;
}

st_rc st_trace_write(st_store *s, const char *id, const st_trace_opts *o, st_jw *out, st_error *err)
{
    st_trace_opts none = {0};
    if (!o)
        o = &none;
    if (!s || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no output");
    char key[KEY_MAX];
    st_rc rc = st_trace_key(id, key, sizeof key, err);
    if (rc)
        return rc;
    /* every part from one snapshot, in one read transaction */
    if ((rc = st_store_read_begin(s, err)))
        return rc;
    st_tr t = {s, out, err, st_arena_create(0), o->scope};
    struct parts *r = calloc(1, sizeof *r);
    if (!t.a || !r) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory tracing");
        goto out;
    }
    if (t.scope) { /* outside the scope, the unit is as unknown as one never seen */
        st_val arg = st_val_text(key);
        int ok = 0;
        rc =
            st_store_exec(s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_id, &r->item, err);
        if (!rc && r->item)
            rc = item_in_scope(&t, key, r->item, &ok);
        if (!rc && !ok)
            rc = st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no event names %s", key);
        st_arena_reset(t.a);
        if (rc)
            goto out;
    }
    unsigned parts = o->parts ? o->parts : 0xff;
    r->ch.a = t.a;
    r->kids = (st_tr_idlist){.a = t.a, .max = CHILDREN_MAX};
    if ((rc = read_parts(&t, key, parts, o, r)))
        goto out;
    st_jw_object_begin(out);
    st_jw_member_str(out, "key", key);
    rc = write_parts(&t, parts, o, r);
    st_jw_object_end(out);
out:
    if (r) {
        hist_free(&r->hq);
        st_tr_gen_destroy(r->gen[0]);
        st_tr_gen_destroy(r->gen[1]);
        free(r);
    }
    st_store_read_end(s);
    st_arena_destroy(t.a);
    return rc;
}
