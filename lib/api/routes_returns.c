/*
 * Returns over HTTP (router.h, serialtrack/returns.h):
 *   POST /returns  {id, order | receipt, reason, condition, location?}:
 *                  201 with the decision when accepted (200 when the same
 *                  return was accepted before: the stored decision, no new
 *                  events); 422 problem with "code" = the reason code and
 *                  the decision's members when refused
 *   GET  /returns  ?id=&limit=: stored decisions, newest first
 */
#include <jansson.h>
#include <serialtrack/limits.h>
#include <serialtrack/returns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes_body.h"
#include "api/router.h"

#define ROLES_READ (ST_ROLE_BIT_ADMIN | ST_ROLE_BIT_CAPTURE | ST_ROLE_BIT_QUERY)

static const st_body_member return_members[] = {
    {"id", JSON_STRING},
    {"order", JSON_STRING},
    {"receipt", JSON_STRING},
    {"reason", JSON_STRING},
    {"condition", JSON_STRING},
    {"location", JSON_STRING},
    {NULL, 0},
};

static void returns_post(st_http_req *rq, st_http_resp *rs)
{
    json_t *o = st_body_object(rq, rs, return_members);
    if (!o)
        return;
    st_return_req r = {0};
    const char *order = json_string_value(json_object_get(o, "order"));
    const char *receipt = json_string_value(json_object_get(o, "receipt"));
    if (order && receipt) {
        st_http_problem(rs, 400, "receipt", "give order or receipt, not both");
        goto out;
    }
    r.id = json_string_value(json_object_get(o, "id"));
    r.order = order ? order : receipt;
    r.reason = json_string_value(json_object_get(o, "reason"));
    r.condition = json_string_value(json_object_get(o, "condition"));
    r.location = json_string_value(json_object_get(o, "location"));
    r.by = st_body_caller(rq);
    st_return_decision *d = st_arena_alloc(rq->a, sizeof *d);
    if (!d) {
        st_http_problem(rs, 503, NULL, "out of memory");
        goto out;
    }
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_return_create(rq->store, &r, d, &e);
    const char *field = d->field && !strcmp(d->field, "order") && receipt ? "receipt" : d->field;
    st_jw j;
    st_jw_init(&j);
    if (rc == ST_OK) {
        st_return_decision_json(d, &j);
        st_http_send_json(rs, d->repeated ? 200 : 201, &j);
    } else if (rc == ST_ERR_REFUSED) {
        /* the decision's own members beside the problem's */
        st_jw_object_begin(&j);
        st_jw_key(&j, "accepted");
        st_jw_bool(&j, 0);
        st_jw_member_str(&j, "reason_code", d->reason_code);
        st_jw_key(&j, "decision_id");
        st_jw_long(&j, (long)d->id);
        st_jw_member_str(&j, "key", d->key);
        st_jw_key(&j, "route");
        st_jw_null(&j);
        st_jw_key(&j, "events");
        st_jw_array_begin(&j);
        st_jw_array_end(&j);
        st_jw_object_end(&j);
        st_http_problem_code(rs, 422, field, d->reason_code, e.msg, j.failed ? NULL : j.p, j.n);
    } else {
        st_body_failed(rs, rc, &e, field);
    }
    st_jw_free(&j);
out:
    json_decref(o);
}

static void returns_get(st_http_req *rq, st_http_resp *rs)
{
    const char *lim = st_http_query(rq, "limit");
    long limit = 100;
    if (lim) {
        char *end = NULL;
        limit = strtol(lim, &end, 10);
        if (!*lim || *end || limit < 1 || limit > ST_WARRANTY_LIST_MAX) {
            st_http_problem(rs, 400, "limit", "limit must be a whole number from 1 to %d",
                            ST_WARRANTY_LIST_MAX);
            return;
        }
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "returns");
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_return_list_json(rq->store, st_http_query(rq, "id"), (int)limit, &j, &e);
    st_jw_object_end(&j);
    if (rc)
        st_body_failed(rs, rc, &e, "id");
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

const st_route st_routes_returns[] = {
    {"POST", "/returns", returns_post, ST_ROLES_WRITE},
    {"GET", "/returns", returns_get, ROLES_READ},
    {NULL, NULL, NULL, 0},
};
