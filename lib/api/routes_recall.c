/*
 * The recall endpoints (router.h) over serialtrack/recall.h:
 *   POST /recalls                 run the walk for the criteria in the body,
 *                                 store the report (a dry run): 201
 *   GET  /recalls                 the stored reports, newest first
 *   GET  /recalls/{id}            one report, JSON, or CSV of its units with
 *                                 Accept: text/csv or ?format=csv
 *   POST /recalls/{id}/execute    capture the recall events (idempotent)
 * Creating and executing a recall is a business action: admin and capture
 * keys; admin, capture and query keys may read reports. Partners may not:
 * a report lists every holder of the affected units.
 */
#include <serialtrack/limits.h>
#include <serialtrack/recall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"

#define ROLES_RECALL_READ (ST_ROLE_BIT_ADMIN | ST_ROLE_BIT_CAPTURE | ST_ROLE_BIT_QUERY)
#define POST_UNITS 100 /* units listed in the answer to POST /recalls (the report keeps all) */

/* The report id of the path, or 0 with the 404 problem written. */
static int64_t id_of(const char *v, st_http_resp *rs)
{
    int64_t id = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && i < 18; i++)
        id = id * 10 + (v[i] - '0');
    if (!i || v[i] || id < 1) {
        st_http_problem(rs, 404, "id", "no recall report \"%.40s\"", v);
        return 0;
    }
    return id;
}

/* ?units=N (0 <= N): how many units to list; def when absent. -1 with the
 * 400 problem written. */
static long units_param(const st_http_req *rq, st_http_resp *rs, long def)
{
    const char *v = st_http_query(rq, "units");
    if (!v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > ST_RECALL_MAX_UNITS) {
        st_http_problem(rs, 400, "units", "units: \"%.40s\" is not a whole number from 0 to %d", v,
                        ST_RECALL_MAX_UNITS);
        return -1;
    }
    return n;
}

static void fail(st_http_resp *rs, st_rc rc, const st_error *e, const char *field)
{
    st_http_problem(rs, st_http_status_of(rc), rc == ST_ERR_NOT_FOUND ? NULL : field, "%s",
                    e->msg[0] ? e->msg : st_strerror(rc));
}

static void report(st_http_req *rq, st_http_resp *rs, int64_t id, unsigned status, long units)
{
    st_error e;
    st_error_clear(&e);
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_recall_write(rq->store, id, (size_t)units, &j, &e);
    if (rc)
        fail(rs, rc, &e, NULL);
    else
        st_http_send_json(rs, status, &j);
    st_jw_free(&j);
}

/* POST /recalls */
static void create(st_http_req *rq, st_http_resp *rs)
{
    long units = units_param(rq, rs, POST_UNITS);
    if (units < 0)
        return;
    if (!rq->body || !rq->body_len) {
        st_http_problem(rs, 400, "criteria",
                        "the body must hold the criteria: a JSON object of component_lots, "
                        "finished_lots, components or locations");
        return;
    }
    st_error e;
    st_error_clear(&e);
    int64_t id = 0;
    st_rc rc = st_recall_create(rq->store, rq->body, rq->body_len, &id, &e);
    if (rc) {
        fail(rs, rc, &e, "criteria");
        return;
    }
    char loc[48];
    snprintf(loc, sizeof loc, "/recalls/%lld", (long long)id);
    st_http_add_header(rs, "Location", loc);
    report(rq, rs, id, 201, units);
}

/* GET /recalls */
static void list(st_http_req *rq, st_http_resp *rs)
{
    st_error e;
    st_error_clear(&e);
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_recall_list(rq->store, ST_API_LIST_DEFAULT_PAGE, &j, &e);
    if (rc)
        fail(rs, rc, &e, NULL);
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* 1 when the caller asks for CSV (?format=csv, or Accept naming text/csv). */
static int wants_csv(const st_http_req *rq)
{
    const char *f = st_http_query(rq, "format");
    if (f)
        return !strcmp(f, "csv");
    const char *a = st_http_header(rq, "Accept");
    return a && strstr(a, "text/csv") != NULL;
}

/* GET /recalls/{id} */
static void get(st_http_req *rq, st_http_resp *rs)
{
    int64_t id = id_of(rq->param[0], rs);
    if (!id)
        return;
    const char *f = st_http_query(rq, "format");
    if (f && strcmp(f, "csv") && strcmp(f, "json")) {
        st_http_problem(rs, 400, "format", "format: \"%.40s\" is neither json nor csv", f);
        return;
    }
    if (!wants_csv(rq)) {
        long units = units_param(rq, rs, 0);
        if (units >= 0)
            report(rq, rs, id, 200, units);
        return;
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    st_error e;
    st_error_clear(&e);
    st_rc rc = m ? st_recall_write_csv(rq->store, id, m, &e) : ST_ERR_NOMEM;
    if (m && fclose(m) && !rc)
        rc = ST_ERR_NOMEM;
    if (rc) {
        fail(rs, rc, &e, NULL);
    } else {
        char cd[64];
        snprintf(cd, sizeof cd, "attachment; filename=\"recall-%lld.csv\"", (long long)id);
        st_http_add_header(rs, "Content-Disposition", cd);
        st_http_send(rs, 200, "text/csv; charset=utf-8; header=present", buf, n);
    }
    free(buf);
}

/* POST /recalls/{id}/execute */
static void execute(st_http_req *rq, st_http_resp *rs)
{
    int64_t id = id_of(rq->param[0], rs);
    if (!id)
        return;
    st_error e;
    st_error_clear(&e);
    size_t events = 0, units = 0;
    st_rc rc = st_recall_execute(rq->store, id, &events, &units, &e);
    if (rc) {
        fail(rs, rc, &e, NULL);
        return;
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "id");
    st_jw_long(&j, (long)id);
    st_jw_member_str(&j, "status", "executed");
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)events);
    st_jw_key(&j, "units");
    st_jw_long(&j, (long)units);
    st_jw_object_end(&j);
    st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

const st_route st_routes_recall[] = {
    {"POST", "/recalls", create, ST_ROLES_WRITE},
    {"GET", "/recalls", list, ROLES_RECALL_READ},
    {"GET", "/recalls/{id}", get, ROLES_RECALL_READ},
    {"POST", "/recalls/{id}/execute", execute, ST_ROLES_WRITE},
    {NULL, NULL, NULL, 0},
};
