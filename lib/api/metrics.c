/*
 * Metrics: not built yet; requests are not counted.
 */
#include "api/api_int.h"

st_rc st_metrics_init(st_api *api, st_error *err)
{
    (void)api;
    (void)err;
    return ST_OK;
}

void st_metrics_free(st_api *api)
{
    (void)api;
}

void st_metrics_count(st_api *api, const st_http_req *rq, const st_http_resp *rs,
                      struct timespec start)
{
    (void)api;
    (void)rq;
    (void)rs;
    (void)start;
}
