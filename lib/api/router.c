/*
 * Matching a request against the route tables (router.h), segment by
 * segment; a "{name*}" takes the rest of the path, or, when a fixed tail
 * follows it ("/items/{id*}/warranty"), the rest up to that tail.
 */
#include "api/router.h"

#include <string.h>

/* st_routes_warranty comes before st_routes_items: its "/items/{id*}/warranty"
 * and the like would otherwise be taken by "/items/{id*}". */
static const st_route *const tables[] = {st_routes_ops,     st_routes_epcis, st_routes_warranty,
                                         st_routes_returns, st_routes_items, st_routes_stream,
                                         st_routes_serials};

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
            if (!end) {
                rq->param[rq->nparam++] = rest;
                return 1;
            }
            /* "{id*}/tail": the rest ends with the tail, which is not part of it */
            size_t rn = strlen(rest), tn = strlen(end);
            if (rn <= tn || strcmp(rest + rn - tn, end))
                return 0;
            char *v = st_arena_strndup(rq->a, rest, rn - tn);
            if (!v)
                return 0;
            rq->param[rq->nparam++] = v;
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
