/*
 * Server-wide state (api_int.h): set-up and tear-down of every part, and
 * the per-request hooks, which hand over to the parts.
 */
#include "api/api_int.h"

#include <string.h>

st_rc st_api_init(st_api *api, st_store *s, const st_server_opts *o, st_error *err)
{
    memset(api, 0, sizeof *api);
    api->store = s;
    api->log = o->access_log;
    pthread_mutex_init(&api->log_mu, NULL);
    st_rc rc = o->data_key_file ? st_seal_key_load(o->data_key_file, &api->data_key, err) : ST_OK;
    if (!rc)
        rc = st_auth_init(api, o, err);
    if (!rc)
        rc = st_metrics_init(api, err);
    if (!rc)
        rc = st_hub_init(api, err);
    if (!rc)
        rc = st_jobs_init(api, err);
    if (!rc)
        rc = st_verify_limit_init(api, err);
    if (rc)
        st_api_free(api);
    return rc;
}

void st_api_free(st_api *api)
{
    if (!api->store)
        return;
    st_verify_limit_free(api);
    st_jobs_free(api);
    st_hub_free(api);
    st_metrics_free(api);
    st_auth_free(api);
    st_seal_key_destroy(api->data_key);
    api->data_key = NULL;
    pthread_mutex_destroy(&api->log_mu);
    api->store = NULL;
}

void st_api_shutdown(st_api *api)
{
    api->stopping = 1;
    st_hub_shutdown(api);
}

int st_api_authorize(st_api *api, st_http_req *rq, st_http_resp *rs, const st_route *r)
{
    return st_auth_check(api, rq, rs, r);
}

void st_api_count(st_api *api, const st_http_req *rq, const st_http_resp *rs, struct timespec start)
{
    st_metrics_count(api, rq, rs, start);
}
