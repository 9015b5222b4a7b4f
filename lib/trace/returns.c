/*
 * Returns (include/serialtrack/returns.h): the checks in order (known,
 * genuine, not stolen, sold, to that order, within the window), routing
 * from one table, and the record in table item_return (schema v5), whose
 * partial unique index on (item, order_ref) for accepted returns makes an
 * acceptance happen once. The accepted row is committed in the same
 * transaction as its two events (st_observe_capture with the row as a side
 * statement), so a decision and its events stand or fall together, even
 * across a crash; of two concurrent acceptances the unique index fails the
 * second commit whole, and its caller answers with the first decision.
 */
#include <serialtrack/returns.h>

#include <serialtrack/trace.h>
#include <serialtrack/warranty.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"
#include "trace/facts.h"
#include "trace/observe.h"

#define DAY_MS 86400000LL

static const char *const cond_names[] = {"", "new", "opened", "damaged", "defective"};

/* The routes: name, and the step and disposition of the routing event. */
static const struct {
    const char *name, *biz_step, *disposition;
} routes[] = {
    [ST_ROUTE_NONE] = {"", NULL, NULL},
    [ST_ROUTE_RESTOCK] = {"restock", "stocking", "sellable_accessible"},
    [ST_ROUTE_REFURBISH] = {"refurbish", "repairing", "in_progress"},
    [ST_ROUTE_RETURN_TO_MANUFACTURER] = {"return_to_manufacturer", "holding", "non_sellable_other"},
    [ST_ROUTE_DESTROY] = {"destroy", "destroying", "destroyed"},
};

/* Routing: condition x warranty -> route. */
static const struct {
    st_return_condition cond;
    int covered; /* -1: either */
    st_return_route route;
} routing[] = {
    {ST_RETURN_NEW, -1, ST_ROUTE_RESTOCK},
    {ST_RETURN_OPENED, -1, ST_ROUTE_REFURBISH},
    {ST_RETURN_DEFECTIVE, 1, ST_ROUTE_RETURN_TO_MANUFACTURER},
    {ST_RETURN_DEFECTIVE, 0, ST_ROUTE_DESTROY},
    {ST_RETURN_DAMAGED, -1, ST_ROUTE_DESTROY},
};

/* The reason codes, to map stored text back to the static strings. */
static const char *const reasons[] = {
    ST_RETURN_R_ACCEPTED,       ST_RETURN_R_UNKNOWN,  ST_RETURN_R_NOT_GENUINE,
    ST_RETURN_R_STOLEN,         ST_RETURN_R_NOT_SOLD, ST_RETURN_R_ALREADY_RETURNED,
    ST_RETURN_R_ORDER_MISMATCH, ST_RETURN_R_WINDOW,
};

const char *st_return_condition_name(st_return_condition c)
{
    return c >= ST_RETURN_NEW && c <= ST_RETURN_DEFECTIVE ? cond_names[c] : "";
}

st_return_condition st_return_condition_parse(const char *name)
{
    for (int i = 1; name && i <= 4; i++)
        if (!strcmp(name, cond_names[i]))
            return (st_return_condition)i;
    return (st_return_condition)0;
}

const char *st_return_route_name(st_return_route r)
{
    return r >= ST_ROUTE_RESTOCK && r <= ST_ROUTE_DESTROY ? routes[r].name : "";
}

static st_return_route route_parse(const char *name, size_t n)
{
    for (int i = ST_ROUTE_RESTOCK; i <= ST_ROUTE_DESTROY; i++)
        if (strlen(routes[i].name) == n && !memcmp(routes[i].name, name, n))
            return (st_return_route)i;
    return ST_ROUTE_NONE;
}

st_return_route st_return_route_of(st_return_condition c, int covered)
{
    for (size_t i = 0; i < sizeof routing / sizeof *routing; i++)
        if (routing[i].cond == c && (routing[i].covered < 0 || routing[i].covered == !!covered))
            return routing[i].route;
    return ST_ROUTE_NONE;
}

/* ---- checks ------------------------------------------------------------------------------ */

static st_rc check_text(const char *what, const char *v, size_t max, int required,
                        const char **field, st_error *err)
{
    *field = what;
    if (!v || !*v)
        return required ? st_fail(err, ST_ERR_ARG, -1, NULL, "%s is required", what) : ST_OK;
    size_t n = strlen(v);
    if (n > max)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "%s has %zu bytes; the limit is %zu", what, n,
                       max);
    return ST_OK;
}

/* Check r's fields; d->field names the one at fault. */
static st_rc check_req(const st_return_req *r, st_return_decision *d, char *loc, size_t cap,
                       st_error *err)
{
    d->field = "id";
    if (!r || !r->id || !*r->id)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "id (the unit) is required");
    st_rc rc;
    if ((rc = check_text("order", r->order, ST_WARRANTY_REF_MAX, 0, &d->field, err)) ||
        (rc = check_text("reason", r->reason, ST_WARRANTY_TEXT_MAX, 1, &d->field, err)))
        return rc;
    d->field = "condition";
    if (!r->condition)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "condition is required: new, opened, damaged or defective");
    if (!(d->condition = st_return_condition_parse(r->condition)))
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "condition must be new, opened, damaged or defective, not \"%.40s\"",
                       r->condition);
    d->field = "location";
    loc[0] = 0;
    if (r->location && (rc = st_observe_location(r->location, loc, cap, err)) != ST_OK)
        return rc;
    d->field = "id";
    snprintf(d->reason, sizeof d->reason, "%s", r->reason);
    return ST_OK;
}

static void refuse(st_return_decision *d, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void refuse(st_return_decision *d, const char *code, const char *fmt, ...)
{
    d->accepted = 0;
    d->reason_code = code;
    d->field = strcmp(code, ST_RETURN_R_ORDER_MISMATCH) ? "id" : "order";
    d->route = ST_ROUTE_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->detail, sizeof d->detail, fmt, ap);
    va_end(ap);
}

/* The decision for facts f at now, order as given. */
static st_rc decide(st_store *s, const st_facts *f, const char *order, int64_t now,
                    st_return_decision *d, st_error *err)
{
    if (!f->known) {
        refuse(d, ST_RETURN_R_UNKNOWN, "%.200s has never been seen", f->key);
        return ST_OK;
    }
    if (!f->genuine) {
        refuse(d, ST_RETURN_R_NOT_GENUINE, "no commissioning event names %.200s", f->key);
        return ST_OK;
    }
    if (f->stolen) {
        refuse(d, ST_RETURN_R_STOLEN, "%.200s is reported stolen", f->key);
        return ST_OK;
    }
    if (!f->sold_ms) {
        if (f->returned_ms)
            refuse(d, ST_RETURN_R_ALREADY_RETURNED, "%.200s was returned and not sold since",
                   f->key);
        else
            refuse(d, ST_RETURN_R_NOT_SOLD, "%.200s was never sold", f->key);
        return ST_OK;
    }
    if (order && *order && (!f->has_ref || strcmp(order, f->sale_ref))) {
        if (f->has_ref)
            refuse(d, ST_RETURN_R_ORDER_MISMATCH, "%.200s was not sold to order \"%.40s\"", f->key,
                   order);
        else
            refuse(d, ST_RETURN_R_ORDER_MISMATCH,
                   "the sale of %.200s carries no reference to match \"%.40s\" against", f->key,
                   order);
        return ST_OK;
    }
    int days = ST_RETURN_DEFAULT_DAYS;
    st_warranty_terms t;
    st_error e;
    if (f->gtin[0] && st_warranty_terms_get(s, f->gtin, &t, &e) == ST_OK && t.return_days)
        days = t.return_days;
    if (now - f->sold_ms > days * DAY_MS) {
        char sold[32];
        st_cap_time_str(f->sold_ms, sold);
        refuse(d, ST_RETURN_R_WINDOW, "sold at %s; the return window of %d days has closed", sold,
               days);
        return ST_OK;
    }
    st_warranty *w = malloc(sizeof *w);
    if (!w)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    st_rc rc = st_warranty_get(s, f->key, now, w, err);
    d->warranty_covered = rc == ST_OK && w->covered;
    free(w);
    if (rc)
        return rc;
    d->accepted = 1;
    d->reason_code = ST_RETURN_R_ACCEPTED;
    d->route = st_return_route_of(d->condition, d->warranty_covered);
    snprintf(d->detail, sizeof d->detail, "accepted: %s, %s warranty; route %s",
             cond_names[d->condition], d->warranty_covered ? "under" : "out of",
             routes[d->route].name);
    return ST_OK;
}

/* Check, load the facts and decide; f is the caller's. */
static st_rc decide_req(st_store *s, const st_return_req *r, st_facts *f, char *loc, size_t cap,
                        st_return_decision *d, st_error *err)
{
    memset(d, 0, sizeof *d);
    st_rc rc = check_req(r, d, loc, cap, err);
    if (rc)
        return rc;
    if ((rc = st_facts_load(s, r->id, f, err)) != ST_OK)
        return rc;
    d->decided_ms = r->now_ms ? r->now_ms : st_facts_now_ms();
    memcpy(d->key, f->key, sizeof d->key);
    snprintf(d->order, sizeof d->order, "%s", r->order ? r->order : "");
    return decide(s, f, r->order, d->decided_ms, d, err);
}

st_rc st_return_decide(st_store *s, const st_return_req *r, st_return_decision *d, st_error *err)
{
    st_facts *f = malloc(sizeof *f);
    char loc[600];
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    st_rc rc = decide_req(s, r, f, loc, sizeof loc, d, err);
    free(f);
    return rc;
}

/* ---- the record ----------------------------------------------------------------------------- */

#define ROW_COLS                                                                                   \
    "id, item, order_ref, cond, accepted, reason_code, route, covered, events, decided_at, "       \
    "reason, detail"

/* A stored row into a decision. */
static void from_row(const st_val *c, st_return_decision *d)
{
    memset(d, 0, sizeof *d);
    d->id = c[0].i;
    snprintf(d->key, sizeof d->key, "%.*s", (int)c[1].n, (const char *)c[1].p);
    snprintf(d->order, sizeof d->order, "%.*s", (int)c[2].n, (const char *)c[2].p);
    char cond[16];
    snprintf(cond, sizeof cond, "%.*s", (int)c[3].n, (const char *)c[3].p);
    d->condition = st_return_condition_parse(cond);
    d->accepted = c[4].i == 1;
    d->reason_code = "";
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (strlen(reasons[i]) == c[5].n && !memcmp(reasons[i], c[5].p, c[5].n))
            d->reason_code = reasons[i];
    d->route = c[6].type == ST_VAL_TEXT ? route_parse(c[6].p, c[6].n) : ST_ROUTE_NONE;
    d->warranty_covered = c[7].i == 1;
    if (c[8].type == ST_VAL_TEXT) {
        const char *p = c[8].p, *end = p + c[8].n;
        while (p < end && d->nevents < 2) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            size_t n = (size_t)((sp ? sp : end) - p);
            snprintf(d->events[d->nevents++], ST_RETURN_EVENT_ID_MAX, "%.*s", (int)n, p);
            p = sp ? sp + 1 : end;
        }
    }
    d->decided_ms = c[9].i;
    snprintf(d->reason, sizeof d->reason, "%.*s", (int)c[10].n, (const char *)c[10].p);
    snprintf(d->detail, sizeof d->detail, "%.*s", (int)c[11].n, (const char *)c[11].p);
}

struct find {
    int found;
    st_return_decision *d;
};

static st_rc row_find(void *ctx, const st_val *c, int n)
{
    struct find *f = ctx;
    if (n < 12)
        return ST_ERR_INTERNAL;
    f->found = 1;
    from_row(c, f->d);
    return ST_OK;
}

/* The stored accepted return of (key, order), if any, into *d. */
static st_rc find_accepted(st_store *s, const char *key, const char *order, st_return_decision *d,
                           int *found, st_error *err)
{
    struct find f = {0, d};
    st_val a[2] = {st_val_text(key), st_val_text(order)};
    st_rc rc = st_store_exec(s,
                             "SELECT " ROW_COLS " FROM item_return WHERE item = $1 AND "
                             "order_ref = $2 AND accepted = 1",
                             a, 2, row_find, &f, err);
    *found = f.found;
    return rc;
}

static st_rc row_id(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

#define INSERT_SQL                                                                                 \
    "INSERT INTO item_return(item, order_ref, reason, cond, accepted, reason_code, route, "        \
    "covered, events, decided_at, recorded_by, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "   \
    "$9, $10, $11, $12) RETURNING id"

/* Store d (reason and by from r); d->id receives the row's id. With ev
 * (an acceptance's two events, about d->key), the row is committed with the
 * events in one transaction, so neither is ever stored alone. A second
 * acceptance of the same (unit, order) is ST_ERR_ARG (the unique index
 * item_return_once), and then nothing is stored. */
static st_rc store(st_store *s, const st_return_req *r, st_return_decision *d, st_observe *ev,
                   st_error *err)
{
    char events[2 * ST_RETURN_EVENT_ID_MAX + 1];
    snprintf(events, sizeof events, "%s %s", d->events[0], d->events[1]);
    st_val null = {ST_VAL_NULL, 0, NULL, 0};
    st_val a[12] = {st_val_text(d->key),
                    st_val_text(d->order),
                    st_val_text(r->reason),
                    st_val_text(cond_names[d->condition]),
                    st_val_int(d->accepted),
                    st_val_text(d->reason_code),
                    d->accepted ? st_val_text(routes[d->route].name) : null,
                    st_val_int(d->warranty_covered),
                    d->accepted ? st_val_text(events) : null,
                    st_val_int(d->decided_ms),
                    st_val_text(r->by ? r->by : ""),
                    st_val_text(d->detail)};
    if (!ev)
        return st_store_admin_exec(s, INSERT_SQL, a, 12, row_id, &d->id, NULL, err);
    st_cap_side side = {INSERT_SQL, a, 12, row_id, &d->id};
    st_rc rc = st_observe_capture(s, d->key, ev, 2, &side, 1, err);
    if (rc)
        d->id = 0;
    return rc;
}

st_rc st_return_create(st_store *s, const st_return_req *r, st_return_decision *d, st_error *err)
{
    st_facts *f = malloc(sizeof *f);
    char loc[600];
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    st_rc rc = decide_req(s, r, f, loc, sizeof loc, d, err);
    int found = 0;
    if (rc)
        goto out;
    /* the same return once accepted: its decision, nothing new */
    if ((rc = find_accepted(s, d->key, d->order, d, &found, err)) != ST_OK || found) {
        d->repeated = found;
        goto out;
    }
    if (!d->accepted) {
        if ((rc = store(s, r, d, NULL, err)) == ST_OK)
            rc = st_fail(err, ST_ERR_REFUSED, -1, NULL, "return refused (%s): %s", d->reason_code,
                         d->detail);
        goto out;
    }
    st_observe ev[2] = {
        {d->decided_ms, "receiving", "returned", loc[0] ? loc : NULL, ""},
        {d->decided_ms + 1, routes[d->route].biz_step, routes[d->route].disposition,
         loc[0] ? loc : NULL, ""},
    };
    if ((rc = st_observe_ids(ev, 2, err)) != ST_OK)
        goto out;
    d->nevents = 2;
    memcpy(d->events[0], ev[0].id, ST_RETURN_EVENT_ID_MAX);
    memcpy(d->events[1], ev[1].id, ST_RETURN_EVENT_ID_MAX);
    if ((rc = store(s, r, d, ev, err)) != ST_OK) {
        /* a concurrent request accepted the same return first: its
         * decision, and nothing of this one (its events went with it) */
        st_error e;
        if (rc == ST_ERR_ARG && find_accepted(s, d->key, d->order, d, &found, &e) == ST_OK &&
            found) {
            d->repeated = 1;
            rc = ST_OK;
        }
    }
out:
    free(f);
    return rc;
}

/* ---- JSON -------------------------------------------------------------------------------------
 */

void st_return_decision_json(const st_return_decision *d, st_jw *j)
{
    char t[32];
    st_jw_object_begin(j);
    st_jw_key(j, "id");
    if (d->id)
        st_jw_long(j, (long)d->id);
    else
        st_jw_null(j);
    st_jw_member_str(j, "key", d->key);
    st_jw_key(j, "order");
    if (d->order[0])
        st_jw_cstring(j, d->order);
    else
        st_jw_null(j);
    st_jw_member_str(j, "condition", st_return_condition_name(d->condition));
    st_jw_member_str(j, "reason", d->reason);
    st_jw_key(j, "accepted");
    st_jw_bool(j, d->accepted);
    st_jw_member_str(j, "reason_code", d->reason_code);
    st_jw_member_str(j, "detail", d->detail);
    st_jw_key(j, "route");
    if (d->route)
        st_jw_cstring(j, routes[d->route].name);
    else
        st_jw_null(j);
    st_jw_key(j, "warranty_covered");
    st_jw_bool(j, d->warranty_covered);
    st_jw_key(j, "events");
    st_jw_array_begin(j);
    for (int i = 0; i < d->nevents; i++) {
        st_jw_object_begin(j);
        st_jw_member_str(j, "eventID", d->events[i]);
        st_jw_member_str(j, "bizStep", i ? routes[d->route].biz_step : "receiving");
        st_jw_member_str(j, "disposition", i ? routes[d->route].disposition : "returned");
        st_jw_object_end(j);
    }
    st_jw_array_end(j);
    st_cap_time_str(d->decided_ms, t);
    st_jw_member_str(j, "decided_at", t);
    st_jw_key(j, "repeated");
    st_jw_bool(j, d->repeated);
    st_jw_object_end(j);
}

struct list {
    st_jw *j;
    st_return_decision *d;
};

static st_rc row_list(void *ctx, const st_val *c, int n)
{
    struct list *l = ctx;
    if (n < 12)
        return ST_ERR_INTERNAL;
    from_row(c, l->d);
    st_return_decision_json(l->d, l->j);
    return ST_OK;
}

st_rc st_return_list_json(st_store *s, const char *id, int limit, st_jw *out, st_error *err)
{
    if (limit < 1 || limit > ST_WARRANTY_LIST_MAX)
        return st_fail(err, ST_ERR_RANGE, -1, "limit", "limit is %d; 1 to %d", limit,
                       ST_WARRANTY_LIST_MAX);
    char key[ST_FACTS_KEY_MAX];
    st_rc rc;
    if (id && (rc = st_trace_key(id, key, sizeof key, err)) != ST_OK)
        return rc;
    st_return_decision *d = malloc(sizeof *d);
    if (!d)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    struct list l = {out, d};
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " ROW_COLS " FROM item_return%s ORDER BY id DESC LIMIT %d",
             id ? " WHERE item = $1" : "", limit);
    st_val a = st_val_text(key);
    st_jw_array_begin(out);
    rc = st_store_exec(s, sql, &a, id ? 1 : 0, row_list, &l, err);
    st_jw_array_end(out);
    free(d);
    return rc;
}
