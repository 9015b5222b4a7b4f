/*
 * The SQL of one page of a query: one portable statement ($1..$N numbered in
 * order of appearance) that narrows by indexed columns only, orders by
 * (event_time, id) or id and continues from a keyset position under a
 * snapshot bound; the post-filter decides the rest (query_filter.c).
 *
 * Plans (SQLite 3.40, EXPLAIN QUERY PLAN; tests/unit/store/query_test.c
 * asserts that none scans the event table where an index applies):
 *  - no parameter, record order:   SEARCH c USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)
 *  - orderBy eventTime (any window): SEARCH c USING COVERING INDEX event_event_time
 *    (event_time>?), no sort
 *  - an eventTime window in record order: the same index, then a top-N sort
 *    of ids ("+c.id" keeps SQLite from walking all ids instead)
 *  - EQ_bizStep (one value), orderBy eventTime: SEARCH c USING COVERING INDEX
 *    event_biz_step (biz_step=? AND event_time>?), no sort; several values or
 *    record order: the same index per value, then a top-N sort of ids;
 *    EQ_disposition, EQ_readPoint, EQ_bizLocation alike with their indexes;
 *    WD_: the recursive CTE over location_child's primary key, then the index
 *  - MATCH_*: ident by key (unique index; key ranges for patterns), event_epc
 *    by primary key (ident=?), events by rowid, top-N sort
 *  - EQ_eventID: events by rowid from the views event_by_hash and event_by_eid
 *    (schema v8), over the indexes event_hash and event_event_id; on
 *    PostgreSQL over the tables event_hash and event_eid
 *  - EQ_transformationID: ident by key, then SEARCH c USING (COVERING) INDEX
 *    event_xform (xform=? AND rowid>? AND rowid<?); no sort for one value in
 *    record order, else a top-N sort
 *  - GE_/LT_recordTime: batch_record_time gives the first event id, then rowid ranges
 * The outer query fetches the bodies of one batch of ids by rowid, so sorts
 * and scans never carry bodies. Record times never go backwards (backend
 * contract: a later batch never gets an earlier record time), so record
 * order is id order and orderBy=recordTime sorts by id.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/capture.h"
#include "store/query_int.h"

static const char *const col_names[4] = {"c.biz_step", "c.disposition", "c.read_point",
                                         "c.biz_location"};

static void sb_put(sqlb *b, const char *s)
{
    size_t k = strlen(s);
    if (b->oom)
        return;
    if (b->n + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

/* Append the placeholder of a new argument v; its index. */
static int sb_arg(sqlb *b, st_val v)
{
    if (b->oom)
        return -1;
    if (b->nargs == b->cap_args) {
        int cap = b->cap_args ? 2 * b->cap_args : 32;
        st_val *a = realloc(b->args, (size_t)cap * sizeof *a);
        if (!a) {
            b->oom = 1;
            return -1;
        }
        b->args = a;
        b->cap_args = cap;
    }
    b->args[b->nargs] = v;
    char t[16];
    snprintf(t, sizeof t, "$%d", b->nargs + 1);
    sb_put(b, t);
    return b->nargs++;
}

static void sb_text_list(sqlb *b, const strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            sb_put(b, ", ");
        sb_arg(b, st_val_text(l->v[i]));
    }
}

static void sb_int(sqlb *b, int64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRId64, v);
    sb_put(b, t);
}

/* col = the ident of one key, or col IN the idents of several. */
static void sb_col_keys(sqlb *b, const char *col, const strlist *l)
{
    sb_put(b, " AND ");
    sb_put(b, col);
    if (l->n == 1) {
        sb_put(b, " = (SELECT id FROM ident WHERE key = ");
        sb_arg(b, st_val_text(l->v[0]));
    } else {
        sb_put(b, " IN (SELECT id FROM ident WHERE key IN (");
        sb_text_list(b, l);
        sb_put(b, ")");
    }
    sb_put(b, ")");
}

static void sb_roles(sqlb *b, unsigned roles)
{
    int first = 1;
    sb_put(b, " AND ee.role IN (");
    for (int r = ST_ROLE_EPC; r <= ST_ROLE_OUTPUT_CLASS; r++)
        if (roles & (1u << r)) {
            if (!first)
                sb_put(b, ", ");
            sb_int(b, r);
            first = 0;
        }
    sb_put(b, ")");
}

static void sb_match(sqlb *b, const qmatch *m)
{
    sb_put(b, " AND c.id IN (SELECT ee.event FROM ident i JOIN event_epc ee ON ee.ident = i.id"
              " WHERE (");
    int first = 1;
    if (m->keys.n) {
        sb_put(b, "i.key IN (");
        sb_text_list(b, &m->keys);
        sb_put(b, ")");
        first = 0;
    }
    for (size_t i = 0; i < m->pfx.n; i++) {
        sb_put(b, first ? "(i.key >= " : " OR (i.key >= ");
        sb_arg(b, st_val_text(m->pfx.v[i]));
        sb_put(b, " AND i.key < ");
        sb_arg(b, st_val_text(m->hi.v[i]));
        sb_put(b, ")");
        first = 0;
    }
    sb_put(b, ")");
    sb_roles(b, m->roles);
    sb_put(b, ")");
}

int st_query_descending(const st_query *q)
{
    return q->order != ORD_NONE && (q->desc_set ? q->desc : 1); /* EPCIS: DESC by default */
}

/* ORDER BY of table t (its id written as id). */
static void sb_order(sqlb *b, const st_query *q, const char *t, const char *id)
{
    const char *dir = st_query_descending(q) ? " DESC" : "";
    sb_put(b, " ORDER BY ");
    if (q->order == ORD_EVENT_TIME) {
        sb_put(b, t);
        sb_put(b, ".event_time");
        sb_put(b, dir);
        sb_put(b, ", ");
    }
    sb_put(b, id);
    sb_put(b, dir);
}

/* The page statement: with_body selects id, event_time, record_time, body by
 * a deferred join on one batch of ids; else the ids and times only. */
st_rc st_query_build_sql(const st_query *q, int with_body, sqlb *b)
{
    memset(b, 0, sizeof *b);
    b->a_key = -1;
    /* location hierarchies first: their placeholders come first */
    int wd = 0;
    for (int col = COL_READ_POINT; col <= COL_BIZ_LOCATION; col++) {
        if (!q->col_wd[col].n)
            continue;
        sb_put(b, wd ? ", " : "WITH RECURSIVE ");
        sb_put(b, col == COL_READ_POINT ? "wd_rp(id)" : "wd_bl(id)");
        sb_put(b, " AS (SELECT id FROM ident WHERE key IN (");
        sb_text_list(b, &q->col_wd[col]);
        sb_put(b, ") UNION SELECT lc.child FROM location_child lc JOIN ");
        sb_put(b, col == COL_READ_POINT ? "wd_rp" : "wd_bl");
        sb_put(b, " w ON lc.parent = w.id) ");
        wd = 1;
    }
    if (with_body)
        sb_put(b, "SELECT e.id, e.event_time, e.record_time, e.body FROM event e WHERE e.id IN ("
                  "SELECT c.id");
    else
        sb_put(b, "SELECT c.id, c.event_time, c.record_time");
    /* In record order with only an event time window to narrow by, SQLite
     * would rather walk ids and test every row's time: "+c.id" keeps the id
     * bounds and the order off the rowid, so that the event_time index
     * drives and a top-N sort orders. */
    const char *id = q->order != ORD_EVENT_TIME && (q->has_et_ge || q->has_et_lt) &&
                             !q->has_rt_ge && !q->has_rt_lt
                         ? "+c.id"
                         : "c.id";
    sb_put(b, " FROM event c WHERE ");
    sb_put(b, id);
    sb_put(b, " <= ");
    b->a_snap = sb_arg(b, st_val_int(0));
    if (q->types_set) {
        if (!q->types) {
            sb_put(b, " AND 1 = 0");
        } else {
            sb_put(b, " AND c.type IN (");
            int first = 1;
            for (int t = ST_EVENT_OBJECT; t <= ST_EVENT_ASSOCIATION; t++)
                if (q->types & (1u << t)) {
                    sb_put(b, first ? "" : ", ");
                    sb_int(b, t);
                    first = 0;
                }
            sb_put(b, ")");
        }
    }
    if (q->actions) {
        sb_put(b, " AND c.action IN (");
        int first = 1;
        for (int a = ST_ACTION_ADD; a <= ST_ACTION_DELETE; a++)
            if (q->actions & (1u << a)) {
                sb_put(b, first ? "" : ", ");
                sb_int(b, a);
                first = 0;
            }
        sb_put(b, ")");
    }
    if (q->has_et_ge) {
        sb_put(b, " AND c.event_time >= ");
        sb_arg(b, st_val_int(q->et_ge));
    }
    if (q->has_et_lt) {
        sb_put(b, " AND c.event_time < ");
        sb_arg(b, st_val_int(q->et_lt));
    }
    /* record time: the exact test, and the id range of the batches it allows */
    if (q->has_rt_ge) {
        sb_put(b, " AND c.record_time >= ");
        int k = sb_arg(b, st_val_int(q->rt_ge));
        sb_put(b, " AND c.id >= (SELECT bt.first_event FROM batch bt WHERE bt.record_time >= $");
        sb_int(b, k + 1);
        sb_put(b, " ORDER BY bt.record_time, bt.id LIMIT 1)");
    }
    if (q->has_rt_lt) {
        sb_put(b, " AND c.record_time < ");
        int k = sb_arg(b, st_val_int(q->rt_lt));
        sb_put(b, " AND c.id < COALESCE((SELECT bt.first_event FROM batch bt WHERE"
                  " bt.record_time >= $");
        sb_int(b, k + 1);
        sb_put(b, " ORDER BY bt.record_time, bt.id LIMIT 1), 9223372036854775807)");
    }
    for (int col = 0; col < 4; col++) {
        if (q->col_eq[col].n)
            sb_col_keys(b, col_names[col], &q->col_eq[col]);
        if (q->col_wd[col].n) {
            sb_put(b, " AND ");
            sb_put(b, col_names[col]);
            sb_put(b, col == COL_READ_POINT ? " IN (SELECT id FROM wd_rp)"
                                            : " IN (SELECT id FROM wd_bl)");
        }
        if (q->not_null & (1u << col)) {
            sb_put(b, " AND ");
            sb_put(b, col_names[col]);
            sb_put(b, " IS NOT NULL");
        }
    }
    for (int i = 0; i < q->n_match; i++)
        sb_match(b, &q->match[i]);
    if (q->eid_text.n) { /* the views of schema v8: an index of event, or a table of their own */
        sb_put(b, " AND c.id IN (");
        if (q->eid_hash.n) {
            sb_put(b, "SELECT event FROM event_by_hash WHERE hash IN (");
            for (size_t i = 0; i < q->eid_hash.n; i++) {
                sb_put(b, i ? ", " : "");
                sb_arg(b, st_val_blob(q->eid_hash.v[i], 32));
            }
            sb_put(b, ") UNION ALL ");
        }
        sb_put(b, "SELECT event FROM event_by_eid WHERE event_id IN (");
        sb_text_list(b, &q->eid_text);
        sb_put(b, "))");
    }
    if (q->xform_set) /* event.xform: set on TransformationEvents only (event_xform) */
        sb_col_keys(b, "c.xform", &q->xform);
    if (q->fields) {
        sb_put(b, " AND (c.fields & ");
        sb_int(b, q->fields);
        sb_put(b, ") = ");
        sb_int(b, q->fields);
    }
    /* the keyset position */
    int desc = st_query_descending(q);
    if (q->order == ORD_EVENT_TIME) {
        sb_put(b, desc ? " AND c.event_time <= " : " AND c.event_time >= ");
        b->a_key = sb_arg(b, st_val_int(desc ? INT64_MAX : INT64_MIN));
        sb_put(b, desc ? " AND (c.event_time < $" : " AND (c.event_time > $");
        sb_int(b, b->a_key + 1);
        sb_put(b, desc ? " OR c.id < " : " OR c.id > ");
        b->a_id = sb_arg(b, st_val_int(desc ? INT64_MAX : 0));
        sb_put(b, ")");
    } else {
        sb_put(b, " AND ");
        sb_put(b, id);
        sb_put(b, desc ? " < " : " > ");
        b->a_id = sb_arg(b, st_val_int(desc ? INT64_MAX : 0));
    }
    sb_order(b, q, "c", id);
    sb_put(b, " LIMIT ");
    b->a_lim = sb_arg(b, st_val_int(1));
    if (with_body) {
        sb_put(b, ")");
        sb_order(b, q, "e", "e.id");
    }
    if (b->oom) {
        free(b->p);
        free(b->args);
        memset(b, 0, sizeof *b);
        return ST_ERR_NOMEM;
    }
    return ST_OK;
}

st_rc st_query_sql(const st_query *q, int with_body, char **sql, st_val **args, int *nargs)
{
    sqlb b;
    st_rc rc = st_query_build_sql(q, with_body, &b);
    if (rc)
        return rc;
    *sql = b.p;
    *args = b.args;
    *nargs = b.nargs;
    return ST_OK;
}
