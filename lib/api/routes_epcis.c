/*
 * The EPCIS 2.0 REST binding: not built yet.
 */
#include "api/api_int.h"

st_rc st_jobs_init(st_api *api, st_error *err)
{
    (void)api;
    (void)err;
    return ST_OK;
}

void st_jobs_free(st_api *api)
{
    (void)api;
}

const st_route st_routes_epcis[] = {
    {NULL, NULL, NULL, 0},
};
