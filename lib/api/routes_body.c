/*
 * Bodies, failures and callers for the warranty and returns endpoints
 * (routes_body.h).
 */
#include "api/routes_body.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *type_name(json_type t)
{
    switch (t) {
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "a whole number";
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    default:
        return "a value";
    }
}

int st_body_members(st_http_resp *rs, json_t *o, const st_body_member *allowed, const char *prefix)
{
    const char *k;
    json_t *v;
    char name[160];
    json_object_foreach(o, k, v)
    {
        snprintf(name, sizeof name, "%s%s%.64s", prefix ? prefix : "", prefix ? "." : "", k);
        const st_body_member *m = allowed;
        while (m->name && strcmp(m->name, k))
            m++;
        if (!m->name) {
            st_http_problem(rs, 400, name, "unknown member \"%s\"", name);
            return -1;
        }
        if (json_typeof(v) != m->type) {
            st_http_problem(rs, 400, name, "%s must be %s", name, type_name(m->type));
            return -1;
        }
    }
    return 0;
}

json_t *st_body_object(st_http_req *rq, st_http_resp *rs, const st_body_member *allowed)
{
    json_error_t je;
    json_t *root = json_loadb(rq->body ? rq->body : "", rq->body ? rq->body_len : 0,
                              JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        st_http_problem(rs, 400, NULL, "the body is not JSON: %s (line %d, column %d)", je.text,
                        je.line, je.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        st_http_problem(rs, 400, NULL, "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    if (st_body_members(rs, root, allowed, NULL)) {
        json_decref(root);
        return NULL;
    }
    return root;
}

void st_body_failed(st_http_resp *rs, st_rc rc, const st_error *e, const char *field)
{
    unsigned status = st_http_status_of(rc);
    st_http_problem(rs, status >= 500 ? 503 : status, field, "%s",
                    e->msg[0] ? e->msg : st_strerror(rc));
}

const char *st_body_caller(const st_http_req *rq)
{
    return rq->key_name ? rq->key_name : "open";
}

void st_body_time(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}
