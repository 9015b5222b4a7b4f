/* Collected diagnostics of an EPCIS document (see diag.h). */
#include "epcis/diag.h"

#include <serialtrack/limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void st_diag_init(st_diag *d, st_arena *a)
{
    memset(d, 0, sizeof *d);
    d->a = a;
    d->max = ST_EPCIS_MAX_ERRORS;
}

st_rc st_diag_add(st_diag *d, st_rc rc, long event, const char *path, const char *fmt, ...)
{
    if (d->n >= d->max) {
        d->dropped++;
        return rc;
    }
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 16;
        st_diag_item *ni = st_arena_alloc(d->a, ncap * sizeof *ni);
        if (!ni) {
            d->dropped++;
            return rc;
        }
        if (d->n)
            memcpy(ni, d->items, d->n * sizeof *ni);
        d->items = ni;
        d->cap = ncap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st_diag_item *it = &d->items[d->n];
    it->rc = rc;
    it->event = event;
    it->path = st_arena_strndup(d->a, path ? path : "", path ? strlen(path) : 0);
    it->msg = st_arena_strndup(d->a, msg, strlen(msg));
    if (!it->path || !it->msg) {
        d->dropped++;
        return rc;
    }
    d->n++;
    return rc;
}

size_t st_diag_count(const st_diag *d)
{
    return d->n + d->dropped;
}
