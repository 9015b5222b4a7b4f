/*
 * The rows of one new event on PostgreSQL (postgres_write.h): its event,
 * event_hash, event_eid and event_epc rows as binary COPY data, and its
 * projections (item states, containment, genealogy, lots, lifecycle)
 * collected for the document's statements (postgres_proj.c).
 */
#include "store/postgres_write.h"

#include <stdint.h>
#include <string.h>

#include "common/i64set.h"

/* Rows and projections of one new event, id x->event. */
int st_pgw_event(st_pgwdoc *w, const st_cap_event *e, int64_t batch, int64_t record_ms,
                 st_pgw_ids *x)
{
    st_pg *p = w->p;
    if ((x->biz_step = st_pgw_ident(p, e->biz_step)) < 0 ||
        (x->disposition = st_pgw_ident(p, e->disposition)) < 0 ||
        (x->read_point = st_pgw_ident(p, e->read_point)) < 0 ||
        (x->biz_location = st_pgw_ident(p, e->biz_location)) < 0 ||
        (x->owner = st_pgw_ident(p, e->owner)) < 0 ||
        (x->possessor = st_pgw_ident(p, e->possessor)) < 0)
        return -1;
    int64_t xform_id = 0;
    if (e->type == ST_EVENT_TRANSFORMATION && e->xform_id &&
        (xform_id = st_pgw_ident(p, e->xform_id)) < 0)
        return -1;
    /* event, event_hash and event_eid rows, binary (no text or hex to encode and parse) */
    st_pgbuf *b = &w->ev;
    st_pgcopy_row(b, 15);
    st_pgcopy_int(b, x->event);
    st_pgcopy_int(b, batch);
    st_pgcopy_int(b, record_ms);
    st_pgcopy_int(b, e->event_time);
    st_pgcopy_int(b, e->type);
    st_pgcopy_int(b, e->action);
    st_pgcopy_opt(b, x->biz_step);
    st_pgcopy_opt(b, x->disposition);
    st_pgcopy_opt(b, x->read_point);
    st_pgcopy_opt(b, x->biz_location);
    st_pgcopy_int(b, e->fields);
    st_pgcopy_opt(b, xform_id);
    st_pgcopy_bytes(b, e->hash, 32);
    if (e->event_id)
        st_pgcopy_bytes(b, e->event_id, strlen(e->event_id));
    else
        st_pgcopy_null(b);
    st_pgcopy_bytes(b, e->body, e->body_len);
    st_pgcopy_row(&w->hash, 2);
    st_pgcopy_bytes(&w->hash, e->hash, 32);
    st_pgcopy_int(&w->hash, x->event);
    if (e->event_id) {
        st_pgcopy_row(&w->eid, 2);
        st_pgcopy_bytes(&w->eid, e->event_id, strlen(e->event_id));
        st_pgcopy_int(&w->eid, x->event);
    }

    for (size_t i = 0; i < e->n_refs; i++)
        if (e->refs[i].role == ST_ROLE_PARENT && (x->parent = st_pgw_ident(p, e->refs[i].key)) < 0)
            return -1;
    int64_t xform = xform_id ? xform_id : -x->event;
    int children = 0;
    st_i64set pairs; /* (ident, role) already named by this event */
    st_i64set_init(&pairs, SIZE_MAX);
    int rc = 0;
    for (size_t i = 0; i < e->n_refs && !rc; i++) {
        const st_cap_ref *r = &e->refs[i];
        int64_t item = st_pgw_ident(p, r->key);
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
            st_pgcopy_row(&w->epc, 3);
            st_pgcopy_int(&w->epc, item);
            st_pgcopy_int(&w->epc, x->event);
            st_pgcopy_int(&w->epc, r->role);
        }
        if (st_pgw_is_instance(r->role) && st_pgw_update_state(w, e, r, item, x))
            rc = -1;
        if (st_pgw_is_instance(r->role) && st_pgw_life(w, e, r->role, item, x->event))
            rc = -1;
        if (e->type == ST_EVENT_AGGREGATION && r->role == ST_ROLE_CHILD && x->parent > 0) {
            children++;
            if ((e->action == ST_ACTION_ADD || e->action == ST_ACTION_OBSERVE) &&
                st_pgw_add_op(w, OP_PACK, item, x->event, x->parent))
                rc = -1;
            else if (e->action == ST_ACTION_DELETE &&
                     st_pgw_add_op(w, OP_UNPACK, item, x->event, 0))
                rc = -1;
        }
        if (e->type == ST_EVENT_TRANSFORMATION && r->role >= ST_ROLE_INPUT &&
            r->role != ST_ROLE_EPC_CLASS && r->role != ST_ROLE_CHILD_CLASS) {
            if (st_pgw_fresh(w, item)) {
                st_pgtup_add(&w->genf, (int64_t[3]){xform, r->role, item});
            } else {
                st_pgarr_int(&w->gen[0], xform, 0);
                st_pgarr_int(&w->gen[1], r->role, 0);
                st_pgarr_int(&w->gen[2], item, 0);
            }
        }
    }
    st_i64set_free(&pairs);
    if (rc)
        return -1;
    if (e->type == ST_EVENT_AGGREGATION && e->action == ST_ACTION_DELETE && x->parent > 0 &&
        !children && st_pgw_unpack_all(w, e, x))
        return -1;
    return 0;
}
