/*
 * The live event stream (GET /stream): not built yet.
 */
#include "api/api_int.h"

st_rc st_hub_init(st_api *api, st_error *err)
{
    (void)api;
    (void)err;
    return ST_OK;
}

void st_hub_shutdown(st_api *api)
{
    (void)api;
}

void st_hub_free(st_api *api)
{
    (void)api;
}

const st_route st_routes_stream[] = {
    {NULL, NULL, NULL, 0},
};
