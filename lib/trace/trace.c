/*
 * Tracing one unit (include/serialtrack/trace.h) over the store's read path:
 * a handful of indexed look-ups per part, written straight into the
 * caller's JSON writer. Reads are collected into memory before the next
 * read starts (the read path serves one statement at a time).
 *
 * History: the unit's own events, plus the events of every container it
 * was in (transitively), between its packing into that container and its
 * unpacking: a unit on a pallet was shipped when the pallet was shipped.
 *
 * Genealogy follows transformations (table genealogy, one row per input or
 * output of a transformation) level by level, many nodes per statement,
 * and crosses lots both ways: a lot consumed by class-level quantity feeds
 * every unit of that lot (down), and a unit's lot as a class-level output
 * leads to that transformation's inputs (up).
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
#include "store/store_int.h"

#define KEY_MAX 2048       /* bytes of one canonical key */
#define CHAIN_MAX 16       /* container levels followed */
#define CHUNK 64           /* ids per genealogy statement */
#define CHILDREN_MAX 10000 /* nodes in one children tree */

struct tr {
    st_store *s;
    st_jw *j;
    st_error *err;
    st_arena *a; /* scratch for this trace */
};

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

struct keybuf {
    st_arena *a;
    char *key;
};

static st_rc row_key_copy(void *ctx, const st_val *c, int n)
{
    struct keybuf *k = ctx;
    k->key = n > 0 ? dup_val(k->a, &c[0]) : NULL;
    return ST_OK;
}

/* The key of ident id, in the trace's arena (NULL when there is none). */
static st_rc key_of(struct tr *t, int64_t id, char **key)
{
    struct keybuf k = {t->a, NULL};
    st_val arg = st_val_int(id);
    st_rc rc = st_store_exec(t->s, "SELECT key FROM ident WHERE id = $1", &arg, 1, row_key_copy, &k,
                             t->err);
    *key = k.key;
    return rc;
}

/* ---- state ------------------------------------------------------------------------ */

struct state {
    int found;
    int64_t first_seen, last_seen, last_event, container, deleted;
    char *disposition, *read_point, *biz_location, *container_key, *owner, *possessor, *lot,
        *expiry;
    st_arena *a;
};

static st_rc row_state(void *ctx, const st_val *c, int n)
{
    struct state *s = ctx;
    if (n < 13)
        return ST_ERR_INTERNAL;
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
    return ST_OK;
}

static st_rc load_state(struct tr *t, int64_t item, struct state *s)
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

/* "state": the unit's own latest facts, and where it is now counting its
 * containers (a unit on a pallet is where the pallet was last seen). */
static st_rc write_state(struct tr *t, int64_t item, const int64_t *chain, size_t nchain)
{
    struct state s;
    st_rc rc = load_state(t, item, &s);
    if (rc)
        return rc;
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
    struct event_ref last = {{0}};
    st_val arg = st_val_int(s.last_event);
    if ((rc = st_store_exec(t->s, "SELECT hash, event_id FROM event WHERE id = $1", &arg, 1,
                            row_event_ref, &last, t->err)))
        return rc;
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
    st_jw_member_str(j, "last_event", last.id);
    /* where it is: the most recent sighting among itself and its containers */
    struct state best = s;
    int64_t via = 0;
    for (size_t i = 0; i < nchain; i++) {
        struct state c;
        if ((rc = load_state(t, chain[i], &c)))
            return rc;
        if (c.found && c.last_seen > best.last_seen && (c.biz_location || c.read_point)) {
            best = c;
            via = chain[i];
        }
    }
    char *via_key = NULL;
    if (via && (rc = key_of(t, via, &via_key)))
        return rc;
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

static st_rc row_parent(void *ctx, const st_val *c, int n)
{
    int64_t *p = ctx;
    *p = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

/* The containers of item, innermost first (at most CHAIN_MAX, no cycles). */
static st_rc load_chain(struct tr *t, int64_t item, int64_t *chain, size_t *n)
{
    *n = 0;
    int64_t cur = item;
    while (*n < CHAIN_MAX) {
        int64_t parent = 0;
        st_val arg = st_val_int(cur);
        st_rc rc = st_store_exec(t->s,
                                 "SELECT container FROM item_state WHERE ident = $1 AND "
                                 "container > 0",
                                 &arg, 1, row_parent, &parent, t->err);
        if (rc)
            return rc;
        if (parent <= 0 || parent == item)
            break;
        for (size_t i = 0; i < *n; i++)
            if (chain[i] == parent)
                return ST_OK; /* a cycle: stop */
        chain[(*n)++] = parent;
        cur = parent;
    }
    return ST_OK;
}

static st_rc write_chain(struct tr *t, const int64_t *chain, size_t n)
{
    st_jw_key(t->j, "container");
    st_jw_array_begin(t->j);
    for (size_t i = 0; i < n; i++) {
        char *k = NULL;
        st_rc rc = key_of(t, chain[i], &k);
        if (rc)
            return rc;
        st_jw_cstring(t->j, k ? k : "");
    }
    st_jw_array_end(t->j);
    return ST_OK;
}

/* Ids and keys read by one statement. */
struct idlist {
    int64_t *id;
    char **key;
    size_t n, cap;
    st_arena *a;
    size_t max; /* stop growing here */
    int truncated;
};

static st_rc row_idkey(void *ctx, const st_val *c, int n)
{
    struct idlist *l = ctx;
    if (n < 2 || c[0].type != ST_VAL_INT)
        return ST_OK;
    if (l->n >= l->max) {
        l->truncated = 1;
        return ST_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        int64_t *id = st_arena_alloc(l->a, cap * sizeof *id);
        char **key = st_arena_alloc(l->a, cap * sizeof *key);
        if (!id || !key)
            return ST_ERR_NOMEM;
        if (l->n) {
            memcpy(id, l->id, l->n * sizeof *id);
            memcpy(key, l->key, l->n * sizeof *key);
        }
        l->id = id;
        l->key = key;
        l->cap = cap;
    }
    l->id[l->n] = c[0].i;
    l->key[l->n] = dup_val(l->a, &c[1]);
    l->n++;
    return ST_OK;
}

static st_rc write_children(struct tr *t, int64_t item, size_t *budget, int depth)
{
    struct idlist l = {0};
    l.a = t->a;
    l.max = *budget;
    st_val arg = st_val_int(item);
    /* open packings into item whose child has not moved on since */
    st_rc rc = st_store_exec(t->s,
                             "SELECT DISTINCT c.child, i.key FROM containment c JOIN item_state s"
                             " ON s.ident = c.child AND s.container = c.parent JOIN ident i ON"
                             " i.id = c.child WHERE c.parent = $1 AND c.unpacked_event IS NULL"
                             " ORDER BY i.key",
                             &arg, 1, row_idkey, &l, t->err);
    if (rc)
        return rc;
    *budget -= l.n;
    st_jw_array_begin(t->j);
    for (size_t i = 0; i < l.n; i++) {
        st_jw_object_begin(t->j);
        st_jw_member_str(t->j, "key", l.key[i] ? l.key[i] : "");
        if (depth<CHAIN_MAX && * budget> 0 && l.id[i] != item) {
            st_jw_key(t->j, "children");
            if ((rc = write_children(t, l.id[i], budget, depth + 1)))
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

/* Containment periods of one identifier: parent, from, to (ms; to = max when open). */
struct period {
    int64_t parent, from, to;
};
struct periods {
    struct period p[64];
    size_t n;
};

static st_rc row_period(void *ctx, const st_val *c, int n)
{
    struct periods *ps = ctx;
    if (n < 3 || ps->n == sizeof ps->p / sizeof *ps->p)
        return ST_OK;
    ps->p[ps->n++] = (struct period){c[0].i, c[1].i, c[2].type == ST_VAL_INT ? c[2].i : INT64_MAX};
    return ST_OK;
}

static int period_cmp(const void *a, const void *b)
{
    const struct period *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from;
}

static st_rc container_history(struct tr *t, int64_t item, int64_t from, int64_t to, struct hist *h,
                               int depth)
{
    if (depth >= CHAIN_MAX)
        return ST_OK;
    struct periods ps = {.n = 0};
    st_val arg = st_val_int(item);
    st_rc rc = st_store_exec(t->s,
                             "SELECT c.parent, pe.event_time, ue.event_time FROM containment c"
                             " JOIN event pe ON pe.id = c.packed_event"
                             " LEFT JOIN event ue ON ue.id = c.unpacked_event WHERE c.child = $1",
                             &arg, 1, row_period, &ps, t->err);
    if (rc)
        return rc;
    /* a period ends at its unpacking or at the child's next packing */
    qsort(ps.p, ps.n, sizeof *ps.p, period_cmp);
    for (size_t i = 0; i + 1 < ps.n; i++)
        if (ps.p[i + 1].from < ps.p[i].to)
            ps.p[i].to = ps.p[i + 1].from;
    for (size_t i = 0; i < ps.n; i++) {
        int64_t lo = ps.p[i].from > from ? ps.p[i].from : from;
        int64_t hi = ps.p[i].to < to ? ps.p[i].to : to;
        if (lo > hi)
            continue;
        st_val args[4] = {st_val_int(ps.p[i].parent), st_val_int(lo), st_val_int(hi),
                          st_val_int((int64_t)h->max + 1)};
        rc = st_store_exec(t->s,
                           "SELECT DISTINCT e.event_time, e.id, e.record_time, e.body FROM "
                           "event_epc x JOIN event e ON e.id = x.event WHERE x.ident = $1 AND "
                           "e.event_time >= $2 AND e.event_time <= $3"
                           " ORDER BY e.event_time, e.id LIMIT $4",
                           args, 4, row_hist, h, t->err);
        if (rc)
            return rc;
        if ((rc = container_history(t, ps.p[i].parent, lo, hi, h, depth + 1)))
            return rc;
    }
    return ST_OK;
}

static st_rc write_event(struct tr *t, const struct hist_row *r, st_arena *a)
{
    st_event ev;
    st_evnode *bindings = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_codec_decode(r->body, r->n, a, &ev, &bindings, &e);
    if (rc)
        return st_fail(t->err, rc, -1, NULL, "stored event %lld cannot be read: %s",
                       (long long)r->id, e.msg);
    char rt[32];
    st_cap_time_str(r->record_ms, rt);
    st_evnode_add(a, ev.root, NULL, "recordTime", rt, strlen(rt), 0);
    return st_epcis_event_jsonld(&ev, bindings, ST_EPCIS_IDS_ASIS, t->j);
}

static st_rc write_history(struct tr *t, int64_t item, size_t max)
{
    struct hist h = {NULL, 0, 0, max, t->a, 0};
    /* the earliest max + 1 of each source; merged, sorted and cut below */
    st_val args[2] = {st_val_int(item), st_val_int((int64_t)max + 1)};
    st_rc rc = st_store_exec(t->s,
                             "SELECT DISTINCT e.event_time, e.id, e.record_time, e.body FROM "
                             "event_epc x JOIN event e ON e.id = x.event WHERE x.ident = $1"
                             " ORDER BY e.event_time, e.id LIMIT $2",
                             args, 2, row_hist, &h, t->err);
    if (!rc)
        rc = container_history(t, item, INT64_MIN, INT64_MAX, &h, 0);
    if (rc) {
        free(h.r);
        return rc;
    }
    if (h.n) /* h.r is NULL when nothing was found: qsort must not see it */
        qsort(h.r, h.n, sizeof *h.r, hist_cmp);
    st_arena *ea = st_arena_create(ST_EPCIS_MAX_EVENT_BYTES);
    if (!ea) {
        free(h.r);
        return ST_ERR_NOMEM;
    }
    st_jw_key(t->j, "history");
    st_jw_array_begin(t->j);
    size_t written = 0;
    for (size_t i = 0; i < h.n && !rc; i++) {
        if (i && h.r[i].id == h.r[i - 1].id)
            continue;
        if (written == max) {
            h.truncated = 1; /* a later event remains */
            break;
        }
        st_arena_reset(ea);
        rc = write_event(t, &h.r[i], ea);
        written++;
    }
    st_jw_array_end(t->j);
    if (h.truncated) {
        st_jw_key(t->j, "history_truncated");
        st_jw_bool(t->j, 1);
    }
    st_arena_destroy(ea);
    free(h.r);
    return rc;
}

/* ---- genealogy ------------------------------------------------------------------------ */

/* One expansion step: from a chunk of ids ($1..$CHUNK), the ids one level
 * away. Direction 0 = down (inputs to outputs), 1 = up. */
#define IN_CHUNK                                                                                   \
    "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,"     \
    "$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$40,$41,$42,$43,$44,$45,$46,"     \
    "$47,$48,$49,$50,$51,$52,$53,$54,$55,$56,$57,$58,$59,$60,$61,$62,$63,$64)"

/* From a node to the transformations it took part in (as input for down,
 * as output for up) to their other side. */
#define VIA_EVENTS(from_roles, to_roles)                                                           \
    "SELECT DISTINCT g2.ident, i.key FROM event_epc x JOIN event e ON e.id = x.event"              \
    " JOIN genealogy g2 ON g2.xform = coalesce(e.xform, -e.id) AND g2.role IN " to_roles           \
    " JOIN ident i ON i.id = g2.ident WHERE x.role IN " from_roles " AND x.ident IN "

static const char *const step_sql[2][3] = {
    {
        /* down: transformations that took the node as input */
        VIA_EVENTS("(4, 8)", "(5, 9)") IN_CHUNK,
        /* down: the node is a lot; transformations that took any unit of it */
        "SELECT DISTINCT g2.ident, i.key FROM item_lot s JOIN event_epc x ON x.ident = s.ident"
        " AND x.role = 4 JOIN event e ON e.id = x.event JOIN genealogy g2 ON g2.xform ="
        " coalesce(e.xform, -e.id) AND g2.role IN (5, 9) JOIN ident i ON i.id = g2.ident"
        " WHERE s.lot IN " IN_CHUNK,
        /* down: the node's lot was consumed as a class */
        "SELECT DISTINCT g2.ident, i.key FROM item_state s JOIN event_epc x ON x.ident = s.lot"
        " AND x.role = 8 JOIN event e ON e.id = x.event JOIN genealogy g2 ON g2.xform ="
        " coalesce(e.xform, -e.id) AND g2.role IN (5, 9) JOIN ident i ON i.id = g2.ident"
        " WHERE s.ident IN " IN_CHUNK,
    },
    {
        VIA_EVENTS("(5, 9)", "(4, 8)") IN_CHUNK,
        "SELECT DISTINCT g2.ident, i.key FROM item_lot s JOIN event_epc x ON x.ident = s.ident"
        " AND x.role = 5 JOIN event e ON e.id = x.event JOIN genealogy g2 ON g2.xform ="
        " coalesce(e.xform, -e.id) AND g2.role IN (4, 8) JOIN ident i ON i.id = g2.ident"
        " WHERE s.lot IN " IN_CHUNK,
        "SELECT DISTINCT g2.ident, i.key FROM item_state s JOIN event_epc x ON x.ident = s.lot"
        " AND x.role = 9 JOIN event e ON e.id = x.event JOIN genealogy g2 ON g2.xform ="
        " coalesce(e.xform, -e.id) AND g2.role IN (4, 8) JOIN ident i ON i.id = g2.ident"
        " WHERE s.ident IN " IN_CHUNK,
    },
};

static st_rc write_genealogy(struct tr *t, int64_t item, int up, int max_depth)
{
    st_i64set seen;
    st_i64set_init(&seen, ST_TRACE_MAX_NODES);
    st_i64set_add(&seen, item);
    int64_t *frontier = malloc(sizeof *frontier);
    size_t nf = 1;
    st_rc rc = frontier ? ST_OK : ST_ERR_NOMEM;
    if (frontier)
        frontier[0] = item;
    int truncated = 0;
    st_jw_key(t->j, up ? "up" : "down");
    st_jw_array_begin(t->j);
    for (int depth = 1; !rc && nf && (max_depth <= 0 || depth <= max_depth); depth++) {
        struct idlist next = {0};
        next.a = t->a;
        next.max = ST_TRACE_MAX_NODES;
        for (size_t off = 0; off < nf && !rc; off += CHUNK) {
            st_val args[CHUNK];
            for (size_t k = 0; k < CHUNK; k++)
                args[k] = st_val_int(off + k < nf ? frontier[off + k] : 0);
            for (int q = 0; q < 3 && !rc; q++)
                rc = st_store_exec(t->s, step_sql[up][q], args, CHUNK, row_idkey, &next, t->err);
        }
        free(frontier);
        frontier = NULL;
        nf = 0;
        if (rc)
            break;
        frontier = malloc((next.n ? next.n : 1) * sizeof *frontier);
        if (!frontier) {
            rc = ST_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < next.n; i++) {
            int added = st_i64set_add(&seen, next.id[i]);
            if (added < 0) {
                truncated = 1;
                break;
            }
            if (!added)
                continue;
            frontier[nf++] = next.id[i];
            st_jw_object_begin(t->j);
            st_jw_member_str(t->j, "key", next.key[i] ? next.key[i] : "");
            st_jw_key(t->j, "depth");
            st_jw_long(t->j, depth);
            st_jw_object_end(t->j);
        }
        truncated |= next.truncated;
    }
    st_jw_array_end(t->j);
    if (truncated) {
        st_jw_key(t->j, up ? "up_truncated" : "down_truncated");
        st_jw_bool(t->j, 1);
    }
    free(frontier);
    st_i64set_free(&seen);
    return rc;
}

/* ---- the whole trace ------------------------------------------------------------------- */

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
    int64_t item = 0;
    st_val arg = st_val_text(key);
    rc = st_store_exec(s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_id, &item, err);
    if (rc)
        return rc;
    if (!item)
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no event names %s", key);
    struct tr t = {s, out, err, st_arena_create(0)};
    if (!t.a)
        return ST_ERR_NOMEM;
    unsigned parts = o->parts ? o->parts : 0xff;
    int64_t chain[CHAIN_MAX];
    size_t nchain = 0;
    st_jw_object_begin(out);
    st_jw_member_str(out, "key", key);
    rc = load_chain(&t, item, chain, &nchain);
    if (!rc && (parts & ST_TRACE_STATE))
        rc = write_state(&t, item, chain, nchain);
    if (!rc && (parts & ST_TRACE_HISTORY))
        rc = write_history(&t, item, o->max_history ? o->max_history : ST_TRACE_MAX_HISTORY);
    if (!rc && (parts & ST_TRACE_CONTAINER)) {
        rc = write_chain(&t, chain, nchain);
        size_t budget = CHILDREN_MAX;
        if (!rc) {
            st_jw_key(out, "children");
            rc = write_children(&t, item, &budget, 0);
        }
    }
    if (!rc && (parts & (ST_TRACE_UP | ST_TRACE_DOWN))) {
        st_jw_key(out, "genealogy");
        st_jw_object_begin(out);
        if (parts & ST_TRACE_UP)
            rc = write_genealogy(&t, item, 1, o->depth);
        if (!rc && (parts & ST_TRACE_DOWN))
            rc = write_genealogy(&t, item, 0, o->depth);
        st_jw_object_end(out);
    }
    st_jw_object_end(out);
    st_arena_destroy(t.a);
    return rc;
}
