/*
 * The lifecycle rules at capture (rulecheck.h): the walk. Each instance
 * identifier an event names gets a view: what the store knows of it (loaded
 * once per document, many identifiers per statement) updated by the
 * document's earlier events, so a commissioning followed by a shipment in
 * one document is clean. The rules (rulecheck_rules.c) read the view before
 * the event's own effects are applied to it.
 */
#include "store/rulecheck.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/rulecheck_int.h"
#include "store/store_int.h"

static void **smap_slot(smap *m, const char *k)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        void *ne = calloc(cap, sizeof *m->e);
        if (!ne)
            return NULL;
        smap old = *m;
        m->e = ne;
        m->cap = cap;
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.e[i].k)
                *smap_slot(m, old.e[i].k) = old.e[i].v;
        free(old.e);
    }
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->e[i].k && strcmp(m->e[i].k, k))
        i = (i + 1) & (m->cap - 1);
    if (!m->e[i].k) {
        m->e[i].k = k;
        m->n++;
    }
    return &m->e[i].v;
}

void *st_rulecheck_find(const smap *m, const char *k)
{
    if (!m->cap)
        return NULL;
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->e[i].k && strcmp(m->e[i].k, k))
        i = (i + 1) & (m->cap - 1);
    return m->e[i].k ? m->e[i].v : NULL;
}

/* ---- reading the store ------------------------------------------------------------ */

static const char *dup(struct check *c, const st_val *v)
{
    return v->type == ST_VAL_TEXT ? st_arena_strndup(c->a, v->p, v->n) : NULL;
}

struct load {
    struct check *c;
    view *v;
};

static st_rc row_item(void *ctx, const st_val *col, int n)
{
    struct load *l = ctx;
    view *v = l->v;
    if (n < 10)
        return ST_ERR_INTERNAL;
    v->id = col[0].i;
    v->where_t = col[1].type == ST_VAL_INT ? col[1].i : 0;
    v->disp = dup(l->c, &col[2]);
    v->bizloc = dup(l->c, &col[3]);
    v->where = v->bizloc ? v->bizloc : dup(l->c, &col[4]);
    v->parent = dup(l->c, &col[5]);
    v->commissioned = col[6].type == ST_VAL_INT;
    v->comm_t = col[7].type == ST_VAL_INT ? col[7].i : 0;
    v->decommissioned = col[8].type == ST_VAL_INT;
    v->decomm_t = col[9].type == ST_VAL_INT ? col[9].i : 0;
    return ST_OK;
}

/* The keys of the state's columns as scalar subqueries, not four more joins
 * of ident: a join of seven tables made PostgreSQL plan each call for
 * longer than it ran (custom plans for the IN list of keys). */
#define VIEW_SQL                                                                                   \
    "SELECT i.id, s.last_seen, (SELECT key FROM ident WHERE id = s.disposition),"                  \
    " (SELECT key FROM ident WHERE id = s.biz_location),"                                          \
    " (SELECT key FROM ident WHERE id = s.read_point),"                                            \
    " (SELECT key FROM ident WHERE id = s.container), l.commissioned,"                             \
    " l.commissioned_time, l.decommissioned, l.decommissioned_time, i.key FROM ident i"            \
    " LEFT JOIN item_state s ON s.ident = i.id LEFT JOIN item_life l ON l.ident = i.id"

/* The view of key, loaded from the store on first use; NULL on error (set). */
view *st_rulecheck_view(struct check *c, const char *key, st_rc *rc)
{
    void **slot = smap_slot(&c->items, key);
    if (!slot) {
        *rc = ST_ERR_NOMEM;
        return NULL;
    }
    if (*slot)
        return *slot;
    view *v = st_arena_calloc(c->a, sizeof *v);
    if (!v) {
        *rc = ST_ERR_NOMEM;
        return NULL;
    }
    st_val arg = st_val_text(key);
    struct load l = {c, v};
    if ((*rc = st_store_exec(c->s, VIEW_SQL " WHERE i.key = $1", &arg, 1, row_item, &l, c->err)) !=
        ST_OK)
        return NULL;
    *slot = v;
    return v;
}

/* A row of the batched load: the view of its key (column 10). */
static st_rc row_batch(void *ctx, const st_val *col, int n)
{
    struct check *c = ctx;
    if (n < 11 || col[10].type != ST_VAL_TEXT)
        return ST_ERR_INTERNAL;
    view *v = st_rulecheck_find(&c->items, col[10].p);
    if (!v)
        return ST_OK;
    struct load l = {c, v};
    return row_item(&l, col, n);
}

/*
 * Load the views of every instance identifier of the document, PREFETCH
 * keys per statement: one look-up per distinct identifier, without the cost
 * of a statement per identifier (measured: the per-call overhead was most
 * of the rules' cost on the generated chain).
 */
#define PREFETCH 128
static char prefetch_sql[sizeof VIEW_SQL + 32 + PREFETCH * 8];

static void prefetch_sql_init(void)
{
    size_t w = (size_t)snprintf(prefetch_sql, sizeof prefetch_sql, "%s WHERE i.key IN (", VIEW_SQL);
    for (int k = 1; k <= PREFETCH && w < sizeof prefetch_sql; k++)
        w += (size_t)snprintf(prefetch_sql + w, sizeof prefetch_sql - w, "%s$%d", k > 1 ? "," : "",
                              k);
    if (w < sizeof prefetch_sql)
        snprintf(prefetch_sql + w, sizeof prefetch_sql - w, ")");
}

static st_rc prefetch(struct check *c)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, prefetch_sql_init);
    st_val args[PREFETCH];
    int n = 0;
    st_rc rc = ST_OK;
    for (size_t i = 0; i < c->d->n && rc == ST_OK; i++) {
        const st_cap_event *e = &c->d->ev[i];
        for (size_t k = 0; k < e->n_refs && rc == ST_OK; k++) {
            if (!st_cap_is_instance(e->refs[k].role))
                continue;
            void **slot = smap_slot(&c->items, e->refs[k].key);
            if (!slot)
                return ST_ERR_NOMEM;
            if (*slot)
                continue;
            if (!(*slot = st_arena_calloc(c->a, sizeof(view))))
                return ST_ERR_NOMEM;
            args[n++] = st_val_text(e->refs[k].key);
            if (n == PREFETCH) {
                rc = st_store_exec(c->s, prefetch_sql, args, n, row_batch, c, c->err);
                n = 0;
            }
        }
    }
    if (rc == ST_OK && n) {
        for (int k = n; k < PREFETCH; k++)
            args[k] = args[0]; /* one statement text for every batch */
        rc = st_store_exec(c->s, prefetch_sql, args, PREFETCH, row_batch, c, c->err);
    }
    return rc;
}

static st_rc row_geo(void *ctx, const st_val *col, int n)
{
    geo *g = ctx;
    if (n >= 2 && col[0].type == ST_VAL_INT && col[1].type == ST_VAL_INT) {
        g->have = 1;
        g->lat = (double)col[0].i / 1e6;
        g->lon = (double)col[1].i / 1e6;
    }
    return ST_OK;
}

/* The coordinates of location key: the document's master data, else the
 * store's. NULL on error. */
geo *st_rulecheck_geo(struct check *c, const char *key, st_rc *rc)
{
    void **slot = smap_slot(&c->geos, key);
    if (!slot) {
        *rc = ST_ERR_NOMEM;
        return NULL;
    }
    if (*slot)
        return *slot;
    geo *g = st_arena_calloc(c->a, sizeof *g);
    if (!g) {
        *rc = ST_ERR_NOMEM;
        return NULL;
    }
    for (size_t i = 0; i < c->d->n_geo; i++)
        if (!strcmp(c->d->geo[i].loc, key)) {
            g->have = 1;
            g->lat = (double)c->d->geo[i].lat_e6 / 1e6;
            g->lon = (double)c->d->geo[i].lon_e6 / 1e6;
        }
    st_val arg = st_val_text(key);
    if (!g->have &&
        (*rc = st_store_exec(c->s,
                             "SELECT g.lat_e6, g.lon_e6 FROM ident i JOIN location_geo g"
                             " ON g.ident = i.id WHERE i.key = $1",
                             &arg, 1, row_geo, g, c->err)) != ST_OK)
        return NULL;
    *slot = g;
    return g;
}

st_rc st_rulecheck_row_flag(void *ctx, const st_val *col, int n)
{
    *(int *)ctx = 1;
    return ST_OK;
}

/* 1 when the store holds an event with e's hash. */
static st_rc stored_already(struct check *c, const st_cap_event *e, int *yes)
{
    *yes = 0;
    st_val arg = st_val_blob(e->hash, 32);
    return st_store_exec(c->s, "SELECT 1 FROM event_by_hash WHERE hash = $1", &arg, 1,
                         st_rulecheck_row_flag, yes, c->err);
}

/* ---- identifiers -------------------------------------------------------------------- */

/* Serialized instance keys: the stem, and the shortest value that carries a
 * serial (GRAI, GDTI and GCN are class-level without one), or a qualifier
 * that must follow. */
static const struct {
    const char *stem;      /* "https://id.gs1.org/8004/" */
    size_t min_value;      /* bytes of the first value at least */
    const char *qualifier; /* "/21/" that must follow, or NULL */
} serial_keys[] = {
    {"https://id.gs1.org/01/", 14, "/21/"},    /* SGTIN */
    {"https://id.gs1.org/8004/", 1, NULL},     /* GIAI */
    {"https://id.gs1.org/8003/", 15, NULL},    /* GRAI with a serial */
    {"https://id.gs1.org/253/", 14, NULL},     /* GDTI with a serial */
    {"https://id.gs1.org/255/", 14, NULL},     /* GCN with a serial */
    {"https://id.gs1.org/8010/", 1, "/8011/"}, /* CPID with a serial */
};

int st_rulecheck_is_serial(const char *key)
{
    for (size_t i = 0; i < sizeof serial_keys / sizeof *serial_keys; i++) {
        size_t n = strlen(serial_keys[i].stem);
        if (strncmp(key, serial_keys[i].stem, n))
            continue;
        const char *v = key + n, *end = strchr(v, '/');
        size_t len = end ? (size_t)(end - v) : strlen(v);
        if (len < serial_keys[i].min_value)
            return 0;
        return !serial_keys[i].qualifier ||
               (end && !strncmp(end, serial_keys[i].qualifier, strlen(serial_keys[i].qualifier)));
    }
    return 0;
}

/* ---- recording ------------------------------------------------------------------------ */

/*
 * Rule id fired for key in event i with evidence (a JSON object in jw): an
 * anomaly, or ST_ERR_RULE when the rule rejects. why: a short reason.
 */
st_rc st_rulecheck_fire(struct check *c, st_rule_id id, size_t i, const char *key, st_jw *jw,
                        const char *why)
{
    st_jw_object_end(jw);
    if (jw->failed)
        return ST_ERR_NOMEM;
    /* a retried document: what its stored events found was recorded when
     * they were stored (asked only when a rule fires: clean events cost no
     * look-up) */
    st_rc rc;
    if (c->stored < 0 && (rc = stored_already(c, &c->d->ev[i], &c->stored)) != ST_OK)
        return rc;
    if (c->stored)
        return ST_OK;
    if (c->r->mode[id] == ST_RULE_REJECT)
        return st_fail(c->err, ST_ERR_RULE, -1, NULL,
                       "lifecycle rule %s refuses event %zu (%s): %s; nothing was stored",
                       st_rule_name(id), i, key, why);
    const st_cap_event *e = &c->d->ev[i];
    st_cap_anomaly a = {i, st_rule_name(id), key, e->biz_location ? e->biz_location : e->read_point,
                        st_arena_strndup(c->d->arena, jw->p, jw->n)};
    if (!a.evidence)
        return ST_ERR_NOMEM;
    return st_cap_add_anomaly(c->d, &a);
}

/* What event e does to v (after its checks). */
static void apply(const st_cap_event *e, const st_cap_ref *r, view *v)
{
    if (st_cap_commissions(e, r->role) && !v->commissioned) {
        v->commissioned = 1;
        v->comm_t = e->event_time;
    }
    if (st_cap_decommissions(e, r->role) && (!v->decommissioned || e->event_time < v->decomm_t)) {
        v->decommissioned = 1;
        v->decomm_t = e->event_time;
    }
    int newer = e->event_time >= v->where_t;
    if (newer && e->disposition)
        v->disp = e->disposition;
    if (newer && e->biz_location)
        v->bizloc = e->biz_location;
    const char *here = e->biz_location ? e->biz_location : e->read_point;
    if (newer && here) {
        v->where = here;
        v->where_t = e->event_time;
    }
    if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD) {
        const char *parent = NULL;
        for (size_t k = 0; k < e->n_refs; k++)
            if (e->refs[k].role == ST_ROLE_PARENT)
                parent = e->refs[k].key;
        if (parent)
            v->parent = e->action == ST_ACTION_DELETE ? NULL : parent;
    }
    uint64_t sess = st_rulecheck_session(e, r->role);
    if (sess) {
        v->sess = sess;
        v->sess_t = e->event_time;
    }
}

/* Check event i and apply it to the views. */
static st_rc check_event(struct check *c, size_t i)
{
    const st_cap_event *e = &c->d->ev[i];
    st_rc rc = ST_OK;
    for (size_t k = 0; k < e->n_refs; k++) {
        const st_cap_ref *r = &e->refs[k];
        if (!st_cap_is_instance(r->role))
            continue;
        view *v = st_rulecheck_view(c, r->key, &rc);
        if (!v)
            return rc;
        if (v->seen_ev == i + 1) {
            if (v->seen_role == r->role && on(c, ST_RULE_DUPLICATE_SCAN)) {
                st_jw jw;
                st_jw_init(&jw);
                st_jw_object_begin(&jw);
                st_jw_member_str(&jw, "role", role_name(r->role));
                st_jw_member_str(&jw, "session", "event");
                rc = st_rulecheck_fire(c, ST_RULE_DUPLICATE_SCAN, i, r->key, &jw,
                                       "named twice in the same list of one event");
                st_jw_free(&jw);
                if (rc)
                    return rc;
            }
            continue; /* checked once per event */
        }
        v->seen_ev = i + 1;
        v->seen_role = r->role;
        if ((rc = st_rulecheck_ref(c, i, k, v)))
            return rc;
    }
    for (size_t k = 0; k < e->n_refs; k++) {
        const st_cap_ref *r = &e->refs[k];
        if (!st_cap_is_instance(r->role))
            continue;
        view *v = st_rulecheck_view(c, r->key, &rc);
        if (!v)
            return rc;
        apply(e, r, v);
    }
    return ST_OK;
}

st_rc st_rulecheck(st_store *s, const struct st_rules *r, st_cap_doc *d, st_error *err)
{
    int any = 0;
    for (int i = 0; i < ST_RULE_COUNT; i++)
        any |= r->mode[i] != ST_RULE_OFF;
    if (!any || !d->n)
        return ST_OK;
    struct check c = {s, r, d, st_arena_create(0), {0}, {0}, {0}, err, -1};
    if (!c.a)
        return ST_ERR_NOMEM;
    st_rc rc = prefetch(&c);
    char hex[65];
    for (size_t i = 0; i < d->n && rc == ST_OK; i++) {
        const st_cap_event *e = &d->ev[i];
        static const char digits[] = "0123456789abcdef";
        for (int b = 0; b < 32; b++) {
            hex[2 * b] = digits[e->hash[b] >> 4];
            hex[2 * b + 1] = digits[e->hash[b] & 15];
        }
        hex[64] = 0;
        void **seen = smap_slot(&c.hashes, st_arena_strndup(c.a, hex, 64));
        if (!seen) {
            rc = ST_ERR_NOMEM;
            break;
        }
        if (*seen)
            continue; /* the same event twice: stored once */
        *seen = (void *)1;
        c.stored = -1;
        rc = check_event(&c, i);
    }
    free(c.items.e);
    free(c.geos.e);
    free(c.hashes.e);
    st_arena_destroy(c.a);
    return rc;
}
