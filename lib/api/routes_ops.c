/*
 * Operations endpoints: GET /healthz (the store answers a query), GET
 * /metrics (metrics.c), GET /openapi.json (docs/openapi.json, embedded at
 * build time).
 */
#include <serialtrack/store.h>

#include "api/metrics.h"
#include "api/openapi.h"
#include "api/router.h"
#include "store/store_int.h"

static st_rc row_one(void *ctx, const st_val *c, int n)
{
    (void)c;
    *(int *)ctx = n > 0;
    return ST_OK;
}

/* 200 {"status":"ok"} when the store answers, else 503. */
static void healthz(st_http_req *rq, st_http_resp *rs)
{
    int ok = 0;
    st_error e;
    st_error_clear(&e);
    if (st_store_exec(rq->store, "SELECT 1", NULL, 0, row_one, &ok, &e) != ST_OK || !ok) {
        st_http_problem(rs, 503, NULL, "the store does not answer: %s", e.msg);
        return;
    }
    static const char body[] = "{\"status\":\"ok\"}";
    st_http_send(rs, 200, "application/json", body, sizeof body - 1);
}

/* The OpenAPI description of this API, as built in. */
static void openapi(st_http_req *rq, st_http_resp *rs)
{
    (void)rq;
    st_http_send(rs, 200, "application/json", st_openapi_json, st_openapi_json_len);
}

const st_route st_routes_ops[] = {
    {"GET", "/healthz", healthz, 0},
    {"GET", "/metrics", st_metrics_get, 0},
    {"GET", "/openapi.json", openapi, 0},
    {NULL, NULL, NULL, 0},
};
