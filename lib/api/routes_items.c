/*
 * The items endpoints (router.h): not built yet.
 */
#include "api/router.h"

const st_route st_routes_items[] = {
    {NULL, NULL, NULL, 0},
};
