/*
 * The projections of a document on PostgreSQL (postgres_write.h): item
 * states merged per document, containment changes in runs of one kind,
 * item_lot, genealogy, item_life, location_geo and anomaly rows. The rows
 * of fresh identifiers go by binary COPY; the others, each kind in one
 * statement over arrays (unnest), merge with what is stored by the rules
 * of the SQLite backend, row by row (lib/store/sqlite.c).
 */
#include "store/postgres_write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the containment gathered since the last write: first close the
 * stored rows that the gathered unpackings close (a child's first
 * unpacking closes every row of it still open, as the SQLite backend's
 * row-by-row UPDATE), then add the new rows by COPY, closed already when an
 * unpacking followed in the document. New rows cannot collide: their key
 * holds an event of this document, and an event names a child once. */
int st_pgw_flush_containment(st_pgwdoc *w)
{
    if (w->unpack[0].n) {
        const char *v[2] = {st_pgarr_end(&w->unpack[0]), st_pgarr_end(&w->unpack[1])};
        if (w->unpack[0].b.oom || w->unpack[1].b.oom) {
            snprintf(w->msg, sizeof w->msg, "out of memory");
            return -1;
        }
        if (st_pgw_run(w->p, W_UNPACK, 2, v, w->msg, sizeof w->msg))
            return -1;
    }
    for (size_t i = 0; i < w->npacks; i++) {
        const struct st_pgwpack *r = &w->packs[i];
        st_pgcopy_row(&w->fresh, 4);
        st_pgcopy_int(&w->fresh, r->child);
        st_pgcopy_int(&w->fresh, r->packed);
        st_pgcopy_int(&w->fresh, r->parent);
        st_pgcopy_opt(&w->fresh, r->unpacked);
    }
    if (st_pgw_copy(w->p,
                    "COPY containment(child, packed_event, parent, unpacked_event)"
                    " FROM STDIN (FORMAT binary)",
                    &w->fresh, w->msg, sizeof w->msg))
        return -1;
    w->npacks = 0;
    st_i64map_free(&w->open_at);
    st_i64map_free(&w->unpack_at);
    st_pgarr_reset(&w->unpack[0]);
    st_pgarr_reset(&w->unpack[1]);
    w->cont_written = 1; /* from now on, any child may have rows stored */
    return 0;
}

int st_pgw_add_op(st_pgwdoc *w, int kind, int64_t child, int64_t event, int64_t parent)
{
    size_t last = 0;
    st_i64map_get(&w->open_at, child, &last);
    if (kind == OP_PACK) {
        if (w->npacks == w->cappacks) {
            size_t cap = w->cappacks ? 2 * w->cappacks : 256;
            struct st_pgwpack *v = realloc(w->packs, cap * sizeof *v);
            if (!v)
                return -1;
            w->packs = v;
            w->cappacks = cap;
        }
        if (st_i64map_put(&w->open_at, child, w->npacks + 1))
            return -1;
        w->packs[w->npacks++] = (struct st_pgwpack){child, event, parent, 0, last};
        return 0;
    }
    for (size_t i = last; i; i = w->packs[i - 1].prev) /* this document's open rows */
        w->packs[i - 1].unpacked = event;
    if (last && st_i64map_put(&w->open_at, child, 0))
        return -1;
    size_t seen;
    if ((st_pgw_fresh(w, child) && !w->cont_written) || st_i64map_get(&w->unpack_at, child, &seen))
        return 0; /* no stored row of it, or closed by an earlier unpacking */
    if (st_i64map_put(&w->unpack_at, child, 1))
        return -1;
    st_pgarr_int(&w->unpack[0], child, 0);
    st_pgarr_int(&w->unpack[1], event, 0);
    return 0;
}

/* The item_state row of fresh item d, as the insert of W_STATE makes it. */
static void state_row(st_pgbuf *b, const st_state_delta *d)
{
    st_pgcopy_row(b, 13);
    st_pgcopy_int(b, d->ident);
    st_pgcopy_int(b, d->first);
    st_pgcopy_int(b, d->last);
    st_pgcopy_int(b, d->last_event);
    for (int c = 0; c < ST_SC_COUNT; c++) {
        if (c == ST_SC_LOT + 1) { /* expiry sits between lot and deleted */
            if (d->expiry)
                st_pgcopy_bytes(b, d->expiry, strlen(d->expiry));
            else
                st_pgcopy_null(b);
        }
        if (d->col[c].set)
            st_pgcopy_int(b, d->col[c].v);
        else
            st_pgcopy_null(b);
    }
}

/* Write the merged item states: the fresh ones by COPY when this is the
 * document's only write of states, the others in one statement. */
int st_pgw_flush_states(st_pgwdoc *w, int final)
{
    st_statemerge *m = &w->p->sm;
    if (!m->n)
        return 0;
    int copy = final && !w->states_partial;
    if (!final)
        w->states_partial = 1;
    for (int i = 0; i < 22; i++)
        st_pgarr_reset(&w->st[i]);
    for (size_t i = 0; i < m->n; i++) {
        const st_state_delta *d = &m->d[i];
        if (copy && st_pgw_fresh(w, d->ident)) {
            state_row(&w->fresh, d);
            continue;
        }
        st_pgarr_int(&w->st[0], d->ident, 0);
        st_pgarr_int(&w->st[1], d->first, 0);
        st_pgarr_int(&w->st[2], d->last, 0);
        st_pgarr_int(&w->st[3], d->last_event, 0);
        for (int c = 0; c < ST_SC_COUNT; c++) {
            int k =
                4 + 2 * (c < ST_SC_LOT + 1 ? c : c + 1); /* expiry sits between lot and deleted */
            st_pgarr_int(&w->st[k], d->col[c].v, !d->col[c].set);
            st_pgarr_int(&w->st[k + 1], d->col[c].t, !d->col[c].set);
        }
        st_pgarr_text(&w->st[18], d->expiry);
        st_pgarr_int(&w->st[19], d->expiry_t, !d->expiry);
    }
    if (st_pgw_copy(w->p,
                    "COPY item_state(ident, first_seen, last_seen, last_event, disposition,"
                    " read_point, biz_location, container, owner, possessor, lot, expiry, deleted)"
                    " FROM STDIN (FORMAT binary)",
                    &w->fresh, w->msg, sizeof w->msg))
        return -1;
    if (w->st[0].n) {
        const char *v[22];
        for (int i = 0; i < 22; i++) {
            v[i] = st_pgarr_end(&w->st[i]);
            if (w->st[i].b.oom) {
                snprintf(w->msg, sizeof w->msg, "out of memory");
                return -1;
            }
        }
        if (st_pgw_run(w->p, W_STATE, 22, v, w->msg, sizeof w->msg))
            return -1;
    }
    st_statemerge_reset(m);
    return 0;
}

/* As the SQLite backend's st_pgw_update_state. */
int st_pgw_update_state(st_pgwdoc *w, const st_cap_event *e, const st_cap_ref *r, int64_t item,
                        const st_pgw_ids *x)
{
    st_pg *p = w->p;
    int64_t t = e->event_time;
    if (p->sm.n >= ST_PGW_MERGE_MAX && st_pgw_flush_states(w, 0))
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
        int64_t lot = st_pgw_ident(p, r->lot_key);
        if (lot < 0)
            return -1;
        st_statemerge_set(d, ST_SC_LOT, lot, t);
        if (e->expiry)
            st_statemerge_expiry(d, e->expiry, t);
        if (st_pgw_fresh(w, item)) {
            st_pgtup_add(&w->lotf, (int64_t[2]){lot, item});
        } else {
            st_pgarr_int(&w->lot[0], lot, 0);
            st_pgarr_int(&w->lot[1], item, 0);
        }
    }
    if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_ADD)
        st_statemerge_set(d, ST_SC_DELETED, 0, t);
    else if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_DELETE)
        st_statemerge_set(d, ST_SC_DELETED, 1, t);
    return 0;
}

/* As the SQLite backend's st_pgw_unpack_all: every child still in the parent (by
 * its merged or stored state) leaves it. */
int st_pgw_unpack_all(st_pgwdoc *w, const st_cap_event *e, const st_pgw_ids *x)
{
    st_pg *p = w->p;
    if (st_pgw_flush_containment(w))
        return -1;
    char a[24], b[24];
    snprintf(a, sizeof a, "%" PRId64, x->parent);
    snprintf(b, sizeof b, "%" PRId64, x->event);
    const char *v[2] = {a, b};
    PGresult *r = st_pgw_exec(p, W_UNPACK_ALL, 1, v, w->msg, sizeof w->msg);
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
    return st_pgw_run(p, W_UNPACK_PARENT, 2, v, w->msg, sizeof w->msg);
}

/* The item_life row of fresh item, added when missing; NULL when out of memory. */
static st_pgwlife *life_of(st_pgwdoc *w, int64_t item)
{
    size_t i;
    if (st_i64map_get(&w->life_at, item, &i))
        return &w->life[i];
    if (w->nlife == w->caplife) {
        size_t cap = w->caplife ? 2 * w->caplife : 256;
        st_pgwlife *v = realloc(w->life, cap * sizeof *v);
        if (!v)
            return NULL;
        w->life = v;
        w->caplife = cap;
    }
    if (st_i64map_put(&w->life_at, item, w->nlife))
        return NULL;
    w->life[w->nlife] = (st_pgwlife){item, 0, 0, 0, 0};
    return &w->life[w->nlife++];
}

/* The item_life rows of item when e commissions or decommissions it. A
 * fresh item's row is reduced here as W_COMMISSION and W_DECOMMISSION
 * reduce the others: the first commissioning (events come in id order),
 * the earliest decommissioning by event time. */
int st_pgw_life(st_pgwdoc *w, const st_cap_event *e, unsigned role, int64_t item, int64_t event)
{
    int com = st_cap_commissions(e, role), dec = st_cap_decommissions(e, role);
    if (!com && !dec)
        return 0;
    if (st_pgw_fresh(w, item)) {
        st_pgwlife *l = life_of(w, item);
        if (!l)
            return -1;
        if (com && !l->com) {
            l->com = event;
            l->com_t = e->event_time;
        }
        if (dec && (!l->dec || e->event_time < l->dec_t)) {
            l->dec = event;
            l->dec_t = e->event_time;
        }
        return 0;
    }
    st_pgarr *a[2] = {com ? w->com : NULL, dec ? w->dec : NULL};
    for (int k = 0; k < 2; k++) {
        if (!a[k])
            continue;
        st_pgarr_int(&a[k][0], item, 0);
        st_pgarr_int(&a[k][1], event, 0);
        st_pgarr_int(&a[k][2], e->event_time, 0);
    }
    return 0;
}

/* The anomaly rows of event index i of d, stored as event (0: a duplicate,
 * whose anomalies were stored with it before); *next is the first anomaly
 * not yet taken (d->anom is in event order). */
int st_pgw_anomalies(st_pgwdoc *w, const st_cap_doc *d, size_t i, int64_t event, int64_t record_ms,
                     size_t *next)
{
    for (; *next < d->n_anom && d->anom[*next].event <= i; ++*next) {
        const st_cap_anomaly *a = &d->anom[*next];
        if (a->event < i || !event)
            continue;
        int64_t item = st_pgw_ident(w->p, a->key), loc = st_pgw_ident(w->p, a->location);
        if (item < 0 || loc < 0)
            return -1;
        st_pgarr_int(&w->anom[0], event, 0);
        st_pgarr_int(&w->anom[1], item, 0);
        st_pgarr_text(&w->anom[2], a->rule);
        st_pgarr_int(&w->anom[3], loc, loc == 0);
        st_pgarr_int(&w->anom[4], record_ms, 0);
        st_pgarr_text(&w->anom[5], a->evidence);
    }
    return 0;
}

/* ---- one document in the open transaction ------------------------------------------------ */

#define COPY_BINARY " FROM STDIN (FORMAT binary)"

/* Write the item_lot, genealogy and location_child rows of the document. */
int st_pgw_flush_rows(st_pgwdoc *w)
{
    st_pg *p = w->p;
    if (w->lotf.oom || w->genf.oom) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        return -1;
    }
    st_pgtup_copy(&w->lotf, &w->fresh);
    if (st_pgw_copy(p, "COPY item_lot(lot, ident)" COPY_BINARY, &w->fresh, w->msg, sizeof w->msg))
        return -1;
    st_pgtup_copy(&w->genf, &w->fresh);
    if (st_pgw_copy(p, "COPY genealogy(xform, role, ident)" COPY_BINARY, &w->fresh, w->msg,
                    sizeof w->msg))
        return -1;
    const char *lv[2] = {st_pgarr_end(&w->lot[0]), st_pgarr_end(&w->lot[1])};
    const char *gv[3] = {st_pgarr_end(&w->gen[0]), st_pgarr_end(&w->gen[1]),
                         st_pgarr_end(&w->gen[2])};
    const char *cv[2] = {st_pgarr_end(&w->loc[0]), st_pgarr_end(&w->loc[1])};
    if ((w->lot[0].n > 0 && st_pgw_run(p, W_LOT_ADD, 2, lv, w->msg, sizeof w->msg)) ||
        (w->gen[0].n > 0 && st_pgw_run(p, W_GENEALOGY_ADD, 3, gv, w->msg, sizeof w->msg)) ||
        (w->loc[0].n > 0 && st_pgw_run(p, W_LOCATION_ADD, 2, cv, w->msg, sizeof w->msg)))
        return -1;
    return 0;
}

/* Write the lifecycle rows of the document: item_life, location_geo and
 * anomaly, one statement each (none when there is nothing to write). */
int st_pgw_flush_life(st_pgwdoc *w)
{
    for (size_t i = 0; i < w->nlife; i++) {
        const st_pgwlife *l = &w->life[i];
        st_pgcopy_row(&w->fresh, 5);
        st_pgcopy_int(&w->fresh, l->ident);
        st_pgcopy_opt(&w->fresh, l->com);
        if (l->com)
            st_pgcopy_int(&w->fresh, l->com_t);
        else
            st_pgcopy_null(&w->fresh);
        st_pgcopy_opt(&w->fresh, l->dec);
        if (l->dec)
            st_pgcopy_int(&w->fresh, l->dec_t);
        else
            st_pgcopy_null(&w->fresh);
    }
    if (st_pgw_copy(w->p,
                    "COPY item_life(ident, commissioned, commissioned_time, decommissioned,"
                    " decommissioned_time)" COPY_BINARY,
                    &w->fresh, w->msg, sizeof w->msg))
        return -1;
    struct {
        int stmt, ncols;
        st_pgarr *a;
    } t[] = {{W_COMMISSION, 3, w->com},
             {W_DECOMMISSION, 3, w->dec},
             {W_GEO_ADD, 3, w->geo},
             {W_ANOMALY_ADD, 6, w->anom}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (!t[i].a[0].n)
            continue;
        const char *v[6];
        for (int k = 0; k < t[i].ncols; k++) {
            v[k] = st_pgarr_end(&t[i].a[k]);
            if (t[i].a[k].b.oom) {
                snprintf(w->msg, sizeof w->msg, "out of memory");
                return -1;
            }
        }
        if (st_pgw_run(w->p, t[i].stmt, t[i].ncols, v, w->msg, sizeof w->msg))
            return -1;
    }
    return 0;
}
