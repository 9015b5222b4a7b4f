/*
 * Routes: method + path pattern -> handler. A pattern is a path whose
 * segments may be "{name}" (one segment) or, last, "{name*}" (the rest of
 * the path, slashes included: identifiers such as Digital Links), which a
 * fixed suffix may follow ("/items/{id*}/report": the rest must end with it). Each group
 * segments may be "{name}" (one segment) or "{name*}" (the rest of the
 * path, slashes included: identifiers such as Digital Links), which may be
 * followed by fixed segments only ("/items/{id*}/owners": the rest of the
 * path up to "/owners"). Each group
 * of endpoints keeps its own table (routes_*.c); router.c matches a request
 * against all of them in order, first match wins.
 */
#ifndef ST_API_ROUTER_H
#define ST_API_ROUTER_H

#include "api/http.h"

typedef void (*st_route_fn)(st_http_req *rq, st_http_resp *rs);

typedef struct st_route {
    const char *method;  /* "GET", "POST", ...; NULL ends a table */
    const char *pattern; /* "/events/{id}", "/items/{id*}" */
    st_route_fn fn;      /* the handler */
    unsigned roles;      /* ST_ROLE_BIT_* allowed (0: public, no key needed) */
} st_route;

/* The tables, one per group of endpoints. */
extern const st_route st_routes_ops[];    /* routes_ops.c: healthz, metrics, openapi */
extern const st_route st_routes_epcis[];  /* routes_epcis.c: the EPCIS REST binding */
extern const st_route st_routes_items[];  /* routes_items.c: items and Digital Link paths */
extern const st_route st_routes_stream[]; /* routes_stream.c: server-sent events */
extern const st_route st_routes_serials[]; /* routes_serials.c: serial allocation, commissioning */
extern const st_route st_routes_anomaly[]; /* routes_anomaly.c: anomalies, verify, report */
extern const st_route st_routes_recall[]; /* routes_recall.c: targeted recalls */
extern const st_route st_routes_warranty[]; /* routes_warranty.c: warranty, claims, owners */
extern const st_route st_routes_returns[];  /* routes_returns.c: returns */

/* Roles (API keys), as bits for st_route.roles. */
#define ST_ROLE_BIT_ADMIN 0x01
#define ST_ROLE_BIT_CAPTURE 0x02
#define ST_ROLE_BIT_QUERY 0x04
#define ST_ROLE_BIT_PARTNER 0x08
#define ST_ROLES_READ (ST_ROLE_BIT_ADMIN | ST_ROLE_BIT_QUERY | ST_ROLE_BIT_PARTNER)
#define ST_ROLES_WRITE (ST_ROLE_BIT_ADMIN | ST_ROLE_BIT_CAPTURE)

/*
 * The route for method and the request's segments; fills rq->param. NULL
 * when none matches; then *path_known is 1 when the path matched with
 * another method (405 rather than 404).
 */
const st_route *st_route_find(st_http_req *rq, int *path_known);

#endif
