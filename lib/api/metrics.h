/*
 * GET /metrics (metrics.c): what the server counted (st_metrics_count,
 * api_int.h) and the store's totals in the Prometheus text format.
 */
#ifndef ST_API_METRICS_H
#define ST_API_METRICS_H

#include "api/http.h"

/* The handler of GET /metrics: the answer (text/plain; version=0.0.4) is
 * built in rs (owned by the caller, as for every handler). */
void st_metrics_get(st_http_req *rq, st_http_resp *rs);

#endif
