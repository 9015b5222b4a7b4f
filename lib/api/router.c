/*
 * Matching a request against the route tables (router.h), segment by
 * segment; a trailing "{name*}" takes the rest of the path (less a fixed
 * suffix that follows it in the pattern).
 */
#include "api/router.h"

#include <string.h>

/* st_routes_warranty and st_routes_returns come before st_routes_items: their
 * "/items/{id*}/warranty" and the like would otherwise be taken by
 * "GET /items/{id*}". */
static const st_route *const tables[] = {
    st_routes_ops,    st_routes_epcis,  st_routes_warranty, st_routes_returns, st_routes_items,
    st_routes_stream, st_routes_serials, st_routes_anomaly, st_routes_recall};

/* 1 when pattern matches the request's segments; fills rq->param. */
static int match(const char *pattern, st_http_req *rq)
{
    const char *p = pattern;
    int i = 0;
    rq->nparam = 0;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= 3 && p[0] == '{' && p[n - 2] == '*' && p[n - 1] == '}') {
            if (i >= rq->nseg || rq->nparam == 4)
                return 0;
            /* the rest of the decoded path, from segment i */
            const char *rest = rq->path;
            for (int k = 0; k <= i && rest; k++)
                rest = strchr(rest, '/') ? strchr(rest, '/') + 1 : NULL;
            if (!rest || !*rest)
                return 0;
            /* a fixed suffix may follow ("/items/{id*}/report"): the rest
             * must end with it, and the parameter is what precedes it */
            const char *tail = p + n;
            size_t rn = strlen(rest), tn = strlen(tail);
            if (tn) {
                if (rn <= tn || strcmp(rest + rn - tn, tail) || !rq->a ||
                    !(rest = st_arena_strndup(rq->a, rest, rn - tn)))
                    return 0;
            }
            rq->param[rq->nparam++] = rest;
            return 1;
        }
        if (i >= rq->nseg)
            return n == 0 && !end;
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            if (!rq->seg[i][0] || rq->nparam == 4)
                return 0;
            rq->param[rq->nparam++] = rq->seg[i];
        } else if (strlen(rq->seg[i]) != n || strncmp(rq->seg[i], p, n)) {
            return 0;
        }
        i++;
        p += n;
    }
    return i == rq->nseg;
}

const st_route *st_route_find(st_http_req *rq, int *path_known)
{
    *path_known = 0;
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
        for (const st_route *r = tables[t]; r->method; r++) {
            if (!match(r->pattern, rq))
                continue;
            if (!strcmp(r->method, rq->method))
                return r;
            *path_known = 1;
        }
    rq->nparam = 0;
    return NULL;
}
