/*
 * The lifecycle rules themselves (rulecheck.h; docs/ARCHITECTURE.md,
 * "Lifecycle rules and anomalies", defines each): one reference of one
 * event against the view of its identifier, each rule with its evidence.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rulecheck_int.h"
#include "store/store_int.h"

#define EARTH_KM 6371.0

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
        if (!(p = st_rulecheck_view(c, p->parent, rc)))
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
uint64_t st_rulecheck_session(const st_cap_event *e, unsigned role)
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
    return st_store_exec(c->s, sql, args, 8, st_rulecheck_row_flag, found, c->err);
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
    view *v = st_rulecheck_find(&t->c->items, col[0].p); /* the document's view wins */
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
        rc = st_rulecheck_fire(c, ST_RULE_RECALLED_OR_STOLEN_MOVED, i, t.key[k], &jw,
                               "a recalled, stolen or expired unit is moved inside a container");
        st_jw_free(&jw);
    }
    return rc;
}

/* Check one reference (index k) of event i against its view v. */
st_rc st_rulecheck_ref(struct check *c, size_t i, size_t k, view *v)
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
        rc = st_rulecheck_fire(c, ST_RULE_UNKNOWN_SERIAL, i, r->key, &jw,
                               "the serial was never commissioned");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_EVENT_AFTER_DECOMMISSION) && v->decommissioned &&
        e->event_time >= v->decomm_t) {
        jw_start(&jw, r->role);
        jw_time(&jw, "decommissioned_at", v->decomm_t);
        rc = st_rulecheck_fire(c, ST_RULE_EVENT_AFTER_DECOMMISSION, i, r->key, &jw,
                               "the identifier was decommissioned before this event");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_DUPLICATE_COMMISSIONING) && commissions && v->commissioned &&
        !v->decommissioned) {
        jw_start(&jw, r->role);
        jw_time(&jw, "commissioned_at", v->comm_t);
        rc = st_rulecheck_fire(c, ST_RULE_DUPLICATE_COMMISSIONING, i, r->key, &jw,
                               "the serial is commissioned and live already");
        if (rc)
            goto out;
    }
    if (on(c, ST_RULE_RECALLED_OR_STOLEN_MOVED) && moves(e) && held(v->disp)) {
        jw_start(&jw, r->role);
        st_jw_member_str(&jw, "disposition", word(v->disp, DISP));
        st_jw_member_str(&jw, "bizStep", word(e->biz_step, BIZSTEP));
        rc = st_rulecheck_fire(c, ST_RULE_RECALLED_OR_STOLEN_MOVED, i, r->key, &jw,
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
            rc = st_rulecheck_fire(c, ST_RULE_CONTAINER_MISMATCH, i, r->key, &jw,
                                   "packed at another location than the one it is at");
            if (rc)
                goto out;
        }
    }
    const char *here = e->biz_location ? e->biz_location : e->read_point;
    if (on(c, ST_RULE_IMPOSSIBLE_TRAVEL) && here && v->where && strcmp(here, v->where)) {
        geo *a = st_rulecheck_geo(c, v->where, &rc), *b = a ? st_rulecheck_geo(c, here, &rc) : NULL;
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
                rc = st_rulecheck_fire(
                    c, ST_RULE_IMPOSSIBLE_TRAVEL, i, r->key, &jw,
                    "seen at two places further apart than it can travel in the time");
                if (rc)
                    goto out;
            }
        }
    }
    uint64_t sess = on(c, ST_RULE_DUPLICATE_SCAN) ? st_rulecheck_session(e, r->role) : 0;
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
            rc = st_rulecheck_fire(c, ST_RULE_DUPLICATE_SCAN, i, r->key, &jw,
                                   "scanned twice in one packing or counting session");
        }
    }
out:
    st_jw_free(&jw);
    return rc;
}
