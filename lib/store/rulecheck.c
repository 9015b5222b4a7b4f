/*
 * The lifecycle rules at capture (rulecheck.h). Each instance identifier an
 * event names gets a view: what the store knows of it (loaded once per
 * document) updated by the document's earlier events, so a commissioning
 * followed by a shipment in one document is clean. The rules read the view
 * before the event's own effects are applied to it.
 */
#include "store/rulecheck.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/store_int.h"

#define BIZSTEP "https://ref.gs1.org/cbv/BizStep-"
#define DISP "https://ref.gs1.org/cbv/Disp-"
#define CONTAINER_DEPTH 8 /* container levels followed for a unit's location */
#define EARTH_KM 6371.0

/* What is known of one identifier: the store's state, then the document's. */
typedef struct view {
    int64_t id;                       /* ident id in the store, 0 when never seen */
    int commissioned, decommissioned; /* lifecycle */
    int64_t comm_t, decomm_t;         /* their event times */
    const char *disp;                 /* current disposition (canonical), or NULL */
    const char *bizloc;               /* current business location, or NULL */
    const char *where;                /* last place: business location, else read point */
    int64_t where_t;                  /* event time it was last seen */
    const char *parent;               /* container key, or NULL */
    size_t seen_ev;                   /* 1 + index of the last event that named it */
    unsigned char seen_role;          /* its role there */
    uint64_t sess;                    /* session signature of its last session scan, 0 none */
    int64_t sess_t;                   /* that scan's event time */
} view;

typedef struct geo {
    int have;        /* coordinates known */
    double lat, lon; /* degrees */
} geo;

/* A small string-keyed hash map (keys borrowed from the document). */
typedef struct smap {
    struct {
        const char *k;
        void *v;
    } * e;
    size_t cap, n;
} smap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The value slot of k (added, NULL, when new); NULL when out of memory. */
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

/* The value of k, or NULL. */
static void *smap_find(const smap *m, const char *k)
{
    if (!m->cap)
        return NULL;
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->e[i].k && strcmp(m->e[i].k, k))
        i = (i + 1) & (m->cap - 1);
    return m->e[i].k ? m->e[i].v : NULL;
}

struct check {
    st_store *s;
    const struct st_rules *r;
    st_cap_doc *d;
    st_arena *a; /* views and strings read from the store */
    smap items;  /* key -> view */
    smap geos;   /* location key -> geo */
    smap hashes; /* hex event hash -> (void *)1: events earlier in the document */
    st_error *err;
    int stored; /* the current event is stored already: 1 yes, 0 no, -1 not known yet */
};

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

#define VIEW_SQL                                                                                   \
    "SELECT i.id, s.last_seen, dp.key, bl.key, rp.key, ct.key, l.commissioned,"                    \
    " l.commissioned_time, l.decommissioned, l.decommissioned_time, i.key FROM ident i"            \
    " LEFT JOIN item_state s ON s.ident = i.id LEFT JOIN item_life l ON l.ident = i.id"            \
    " LEFT JOIN ident dp ON dp.id = s.disposition LEFT JOIN ident bl ON bl.id = s.biz_location"    \
    " LEFT JOIN ident rp ON rp.id = s.read_point LEFT JOIN ident ct ON ct.id = s.container"

/* The view of key, loaded from the store on first use; NULL on error (set). */
static view *get(struct check *c, const char *key, st_rc *rc)
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
    view *v = smap_find(&c->items, col[10].p);
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
static geo *geo_of(struct check *c, const char *key, st_rc *rc)
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

static st_rc row_flag(void *ctx, const st_val *col, int n)
{
    *(int *)ctx = 1;
    return ST_OK;
}

/* 1 when the store holds an event with e's hash. */
static st_rc stored_already(struct check *c, const st_cap_event *e, int *yes)
{
    *yes = 0;
    st_val arg = st_val_blob(e->hash, 32);
    return st_store_exec(c->s, "SELECT 1 FROM event WHERE hash = $1", &arg, 1, row_flag, yes,
                         c->err);
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

static int is_term(const char *v, const char *prefix, const char *word)
{
    size_t n = strlen(prefix);
    return v && !strncmp(v, prefix, n) && !strcmp(v + n, word);
}

/* The CBV word of a canonical term ("recalled"), or the value itself. */
static const char *word(const char *v, const char *prefix)
{
    size_t n = strlen(prefix);
    return v && !strncmp(v, prefix, n) ? v + n : v;
}

static const char *role_name(unsigned role)
{
    static const char *const names[] = {"", "epc", "parent", "child", "input", "output"};
    return role < sizeof names / sizeof *names ? names[role] : "class";
}

/* ---- recording ------------------------------------------------------------------------ */

/*
 * Rule id fired for key in event i with evidence (a JSON object in jw): an
 * anomaly, or ST_ERR_RULE when the rule rejects. why: a short reason.
 */
static st_rc fire(struct check *c, st_rule_id id, size_t i, const char *key, st_jw *jw,
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

static int on(const struct check *c, st_rule_id id)
{
    return c->r->mode[id] != ST_RULE_OFF;
}

static void jw_time(st_jw *jw, const char *k, int64_t ms)
{
    char t[32];
    st_cap_time_str(ms, t);
    st_jw_member_str(jw, k, t);
}

/* ---- the rules ------------------------------------------------------------------------- */

/* The location of v, through its containers: the most recently seen
 * business location among v and the containers it is in. */
static const char *located(struct check *c, view *v, int64_t *t, st_rc *rc)
{
    const char *best = v->bizloc;
    *t = v->where_t;
    view *p = v;
    for (int depth = 0; p->parent && depth < CONTAINER_DEPTH; depth++) {
        if (!(p = get(c, p->parent, rc)))
            return NULL;
        if (p->bizloc && (!best || p->where_t > *t)) {
            best = p->bizloc;
            *t = p->where_t;
        }
    }
    return best;
}

static double km_between(const geo *a, const geo *b)
{
    const double rad = 3.14159265358979323846 / 180;
    double dlat = (b->lat - a->lat) * rad, dlon = (b->lon - a->lon) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * rad) * cos(b->lat * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_KM * asin(sqrt(h < 1 ? h : 1));
}

/* The session signature of e for a scan in role: packing (AggregationEvent
 * ADD, by parent and read point) or counting (bizStep cycle_counting or
 * stock_taking, by read point); 0 when e is no session scan. */
static uint64_t session_of(const st_cap_event *e, unsigned role)
{
    const char *parent = NULL;
    for (size_t k = 0; k < e->n_refs; k++)
        if (e->refs[k].role == ST_ROLE_PARENT)
            parent = e->refs[k].key;
    uint64_t h;
    if (e->type == ST_EVENT_AGGREGATION && e->action == ST_ACTION_ADD && role == ST_ROLE_CHILD &&
        parent)
        h = hash_str(parent) * 31 + 1;
    else if ((is_term(e->biz_step, BIZSTEP, "cycle_counting") ||
              is_term(e->biz_step, BIZSTEP, "stock_taking")) &&
             role == ST_ROLE_EPC)
        h = hash_str(e->biz_step) * 31 + 2;
    else
        return 0;
    h = h * 1099511628211ull + (e->read_point ? hash_str(e->read_point) : 7);
    return h ? h : 1;
}

/* Scans in the store of the unit id in the same session as e within the
 * window: the same type, action, bizStep and read point, and parent. */
static st_rc stored_session_scan(struct check *c, const st_cap_event *e, int64_t id, unsigned role,
                                 int *found)
{
    *found = 0;
    const char *parent = "";
    for (size_t k = 0; k < e->n_refs; k++)
        if (e->refs[k].role == ST_ROLE_PARENT)
            parent = e->refs[k].key;
    st_val args[8] = {st_val_int(id),
                      st_val_int(role),
                      st_val_int(e->type),
                      st_val_int(e->action),
                      st_val_int(e->event_time - c->r->session_ms),
                      st_val_int(e->event_time + c->r->session_ms),
                      st_val_text(e->read_point ? e->read_point : ""),
                      st_val_text(parent)};
    static const char sql[] =
        "SELECT 1 FROM event_epc x JOIN event e ON e.id = x.event"
        " WHERE x.ident = $1 AND x.role = $2 AND e.type = $3 AND e.action = $4"
        " AND e.event_time BETWEEN $5 AND $6"
        " AND coalesce((SELECT key FROM ident WHERE id = e.read_point), '') = $7"
        " AND ($8 = '' OR EXISTS (SELECT 1 FROM event_epc p WHERE p.event = e.id AND p.role = 2"
        " AND p.ident = (SELECT id FROM ident WHERE key = $8))) LIMIT 1";
    return st_store_exec(c->s, sql, args, 8, row_flag, found, c->err);
}

/* Begin the evidence of one rule in jw (reset). */
static void jw_start(st_jw *jw, unsigned role)
{
    st_jw_reset(jw);
    st_jw_object_begin(jw);
    st_jw_member_str(jw, "role", role_name(role));
}

/* 1 when e moves what it names on: shipping, selling, dispensing. */
static int moves(const st_cap_event *e)
{
    return is_term(e->biz_step, BIZSTEP, "shipping") ||
           is_term(e->biz_step, BIZSTEP, "retail_selling") ||
           is_term(e->biz_step, BIZSTEP, "dispensing");
}

/* 1 for the dispositions that must not move: recalled, stolen, expired. */
static int held(const char *disp)
{
    return is_term(disp, DISP, "recalled") || is_term(disp, DISP, "stolen") ||
           is_term(disp, DISP, "expired");
}

/* The contents of a container, as far as the store knows them. */
struct contents {
    struct check *c;
    size_t i;         /* the event */
    const char **key; /* units that must not move, in the document's arena */
    const char **disp;
    size_t n, cap;
    st_rc rc;
};

static st_rc row_content(void *ctx, const st_val *col, int n)
{
    struct contents *t = ctx;
    if (n < 2 || col[0].type != ST_VAL_TEXT)
        return ST_OK;
    view *v = smap_find(&t->c->items, col[0].p); /* the document's view wins */
    if (v && v->seen_ev == t->i + 1)
        return ST_OK; /* named by the event itself: checked there */
    const char *disp = v ? v->disp : col[1].type == ST_VAL_TEXT ? col[1].p : NULL;
    if (!held(disp))
        return ST_OK;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        const char **k = st_arena_alloc(t->c->a, cap * sizeof *k);
        const char **d = st_arena_alloc(t->c->a, cap * sizeof *d);
        if (!k || !d)
            return ST_ERR_NOMEM;
        if (t->n) {
            memcpy(k, t->key, t->n * sizeof *k);
            memcpy(d, t->disp, t->n * sizeof *d);
        }
        t->key = k;
        t->disp = d;
        t->cap = cap;
    }
    t->key[t->n] = st_arena_strndup(t->c->d->arena, col[0].p, col[0].n);
    t->disp[t->n] = st_arena_strndup(t->c->a, disp, strlen(disp));
    if (!t->key[t->n] || !t->disp[t->n])
        return ST_ERR_NOMEM;
    t->n++;
    return ST_OK;
}

/*
 * recalled_or_stolen_moved for what travels inside container (a key event
 * i moves): every unit still packed in it, at any depth up to
 * CONTAINER_DEPTH, by the committed containment (packing done in this same
 * document is not seen).
 */
static st_rc moved_inside(struct check *c, size_t i, const char *container)
{
    static const char sql[] =
        "WITH RECURSIVE inside(id, depth) AS ("
        " SELECT x.child, 1 FROM containment x JOIN item_state s ON s.ident = x.child"
        " AND s.container = x.parent WHERE x.parent = (SELECT id FROM ident WHERE key = $1)"
        " AND x.unpacked_event IS NULL"
        " UNION SELECT x.child, inside.depth + 1 FROM containment x JOIN inside"
        " ON x.parent = inside.id JOIN item_state s ON s.ident = x.child"
        " AND s.container = x.parent WHERE x.unpacked_event IS NULL AND inside.depth < $2)"
        " SELECT k.key, dp.key FROM inside JOIN ident k ON k.id = inside.id"
        " LEFT JOIN item_state s ON s.ident = inside.id LEFT JOIN ident dp ON dp.id = "
        "s.disposition";
    st_val args[2] = {st_val_text(container), st_val_int(CONTAINER_DEPTH)};
    struct contents t = {c, i, NULL, NULL, 0, 0, ST_OK};
    st_rc rc = st_store_exec(c->s, sql, args, 2, row_content, &t, c->err);
    const st_cap_event *e = &c->d->ev[i];
    for (size_t k = 0; rc == ST_OK && k < t.n; k++) {
        st_jw jw;
        st_jw_init(&jw);
        st_jw_object_begin(&jw);
        st_jw_member_str(&jw, "role", "content");
        st_jw_member_str(&jw, "inside", container);
        st_jw_member_str(&jw, "disposition", word(t.disp[k], DISP));
        st_jw_member_str(&jw, "bizStep", word(e->biz_step, BIZSTEP));
        rc = fire(c, ST_RULE_RECALLED_OR_STOLEN_MOVED, i, t.key[k], &jw,
                  "a recalled, stolen or expired unit is moved inside a container");
        st_jw_free(&jw);
    }
    return rc;
}

/* Check one reference (index k) of event i against its view v. */
static st_rc check_ref(struct check *c, size_t i, size_t k, view *v)
{
    const st_cap_event *e = &c->d->ev[i];
    const st_cap_ref *r = &e->refs[k];
    int commissions = st_cap_commissions(e, r->role);
    st_rc rc = ST_OK;
    st_jw jw;
    st_jw_init(&jw);

    if (on(c, ST_RULE_UNKNOWN_SERIAL) && !commissions && !v->commissioned &&
        st_rulecheck_is_serial(r->key)) {
        jw_start(&jw, r->role);
        st_jw_key(&jw, "seen_before");
        st_jw_bool(&jw, v->id != 0);
        rc = fire(c, ST_RULE_UNKNOWN_SERIAL, i, r->key, &jw, "the serial was never commissioned");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_EVENT_AFTER_DECOMMISSION) && v->decommissioned &&
        e->event_time >= v->decomm_t) {
        jw_start(&jw, r->role);
        jw_time(&jw, "decommissioned_at", v->decomm_t);
        rc = fire(c, ST_RULE_EVENT_AFTER_DECOMMISSION, i, r->key, &jw,
                  "the identifier was decommissioned before this event");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_DUPLICATE_COMMISSIONING) && commissions && v->commissioned &&
        !v->decommissioned) {
        jw_start(&jw, r->role);
        jw_time(&jw, "commissioned_at", v->comm_t);
        rc = fire(c, ST_RULE_DUPLICATE_COMMISSIONING, i, r->key, &jw,
                  "the serial is commissioned and live already");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_RECALLED_OR_STOLEN_MOVED) && moves(e) && held(v->disp)) {
        jw_start(&jw, r->role);
        st_jw_member_str(&jw, "disposition", word(v->disp, DISP));
        st_jw_member_str(&jw, "bizStep", word(e->biz_step, BIZSTEP));
        rc = fire(c, ST_RULE_RECALLED_OR_STOLEN_MOVED, i, r->key, &jw,
                  "a recalled, stolen or expired unit is moved");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_RECALLED_OR_STOLEN_MOVED) && moves(e) &&
        (r->role == ST_ROLE_EPC || r->role == ST_ROLE_PARENT) && v->id &&
        (rc = moved_inside(c, i, r->key)) != ST_OK)
        goto out;
    if (on(c, ST_RULE_CONTAINER_MISMATCH) && e->type == ST_EVENT_AGGREGATION &&
        e->action == ST_ACTION_ADD && e->biz_location &&
        (r->role == ST_ROLE_CHILD || r->role == ST_ROLE_PARENT)) {
        int64_t t = 0;
        const char *at = located(c, v, &t, &rc);
        if (rc)
            goto out;
        if (at && strcmp(at, e->biz_location)) {
            jw_start(&jw, r->role);
            st_jw_member_str(&jw, "located_at", at);
            jw_time(&jw, "located_since", t);
            st_jw_member_str(&jw, "packed_at", e->biz_location);
            rc = fire(c, ST_RULE_CONTAINER_MISMATCH, i, r->key, &jw,
                      "packed at another location than the one it is at");
            if (rc)
                goto out;
        }
    }
    const char *here = e->biz_location ? e->biz_location : e->read_point;
    if (on(c, ST_RULE_IMPOSSIBLE_TRAVEL) && here && v->where && strcmp(here, v->where)) {
        geo *a = geo_of(c, v->where, &rc), *b = a ? geo_of(c, here, &rc) : NULL;
        if (rc)
            goto out;
        if (a->have && b->have) {
            double km = km_between(a, b);
            double hours = fabs((double)(e->event_time - v->where_t)) / 3600000.0;
            if (km >= 1 && (hours <= 0 || km / hours > c->r->speed_kmh)) {
                char num[64];
                jw_start(&jw, r->role);
                st_jw_member_str(&jw, "from", v->where);
                jw_time(&jw, "from_time", v->where_t);
                st_jw_member_str(&jw, "to", here);
                snprintf(num, sizeof num, "%.1f", km);
                st_jw_key(&jw, "km");
                st_jw_raw(&jw, num, strlen(num));
                snprintf(num, sizeof num, "%.2f", hours);
                st_jw_key(&jw, "hours");
                st_jw_raw(&jw, num, strlen(num));
                st_jw_key(&jw, "limit_kmh");
                st_jw_long(&jw, (long)c->r->speed_kmh);
                rc = fire(c, ST_RULE_IMPOSSIBLE_TRAVEL, i, r->key, &jw,
                          "seen at two places further apart than it can travel in the time");
                if (rc)
                    goto out;
            }
        }
    }
    uint64_t sess = on(c, ST_RULE_DUPLICATE_SCAN) ? session_of(e, r->role) : 0;
    if (sess) {
        int dup = v->sess == sess && llabs(e->event_time - v->sess_t) <= c->r->session_ms;
        if (!dup && v->id && !v->sess && (rc = stored_session_scan(c, e, v->id, r->role, &dup)))
            goto out;
        if (dup) {
            jw_start(&jw, r->role);
            st_jw_member_str(&jw, "session",
                             e->type == ST_EVENT_AGGREGATION ? "packing" : "counting");
            st_jw_key(&jw, "window_s");
            st_jw_long(&jw, (long)(c->r->session_ms / 1000));
            rc = fire(c, ST_RULE_DUPLICATE_SCAN, i, r->key, &jw,
                      "scanned twice in one packing or counting session");
        }
    }
out:
    st_jw_free(&jw);
    return rc;
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
    uint64_t sess = session_of(e, r->role);
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
        view *v = get(c, r->key, &rc);
        if (!v)
            return rc;
        if (v->seen_ev == i + 1) {
            if (v->seen_role == r->role && on(c, ST_RULE_DUPLICATE_SCAN)) {
                st_jw jw;
                st_jw_init(&jw);
                st_jw_object_begin(&jw);
                st_jw_member_str(&jw, "role", role_name(r->role));
                st_jw_member_str(&jw, "session", "event");
                rc = fire(c, ST_RULE_DUPLICATE_SCAN, i, r->key, &jw,
                          "named twice in the same list of one event");
                st_jw_free(&jw);
                if (rc)
                    return rc;
            }
            continue; /* checked once per event */
        }
        v->seen_ev = i + 1;
        v->seen_role = r->role;
        if ((rc = check_ref(c, i, k, v)))
            return rc;
    }
    for (size_t k = 0; k < e->n_refs; k++) {
        const st_cap_ref *r = &e->refs[k];
        if (!st_cap_is_instance(r->role))
            continue;
        view *v = get(c, r->key, &rc);
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
