/*
 * The lineage index filled anew from the stored events (lineage.h,
 * st_lin_rebuild): for a store that held events before schema v9, or one
 * whose index was marked not built. The events are read back in record
 * order, a page at a time, decoded from their stored bodies into prepared
 * documents exactly as a capture prepares them, and each page is applied
 * like a captured document: the result is the index the captures would
 * have kept.
 */
#include <serialtrack/limits.h>
#include <string.h>

#include "common/error.h"
#include "store/codec.h"
#include "store/lineage.h"

#define REBUILD_PAGE 2000 /* events decoded and applied at a time */

struct page {
    st_cap_doc *doc;     /* the page's events, prepared */
    int64_t first, last; /* ids of its first and last events */
    size_t n;            /* events read */
    st_error *err;
};

static st_rc row_event(void *ctx, const st_val *c, int n)
{
    struct page *p = ctx;
    if (n < 2 || c[0].type != ST_VAL_INT || c[1].type != ST_VAL_BLOB)
        return st_fail(p->err, ST_ERR_INTERNAL, -1, NULL,
                       "lineage rebuild: an unreadable event row");
    st_event ev;
    st_evnode *bindings = NULL;
    st_rc rc = st_codec_decode(c[1].p, c[1].n, p->doc->arena, &ev, &bindings, p->err);
    if (!rc)
        rc = st_cap_add_event(p->doc, bindings, &ev);
    if (rc)
        return st_fail(p->err, rc, -1, NULL, "lineage rebuild: event %lld cannot be read back: %s",
                       (long long)c[0].i, p->err->msg);
    if (!p->n++)
        p->first = c[0].i;
    p->last = c[0].i;
    return ST_OK;
}

st_rc st_lin_rebuild(const st_write_io *io, int64_t *events, st_error *err)
{
    static const char *const clear[] = {"DELETE FROM lineage_node", "DELETE FROM lineage_leaf",
                                        "DELETE FROM lineage_class"};
    *events = 0;
    st_rc rc = ST_OK;
    for (size_t i = 0; !rc && i < sizeof clear / sizeof *clear; i++)
        rc = io->query(io->ctx, clear[i], NULL, 0, NULL, NULL, err);
    int64_t after = 0;
    while (!rc) {
        struct page p = {st_cap_doc_create(), 0, 0, 0, err};
        if (!p.doc)
            return ST_ERR_NOMEM;
        st_val args[2] = {st_val_int(after), st_val_int(REBUILD_PAGE)};
        rc = io->query(io->ctx, "SELECT id, body FROM event WHERE id > $1 ORDER BY id LIMIT $2",
                       args, 2, row_event, &p, err);
        if (!rc && p.n)
            rc = st_lin_apply(io, p.doc, NULL, p.first, err);
        st_cap_doc_destroy(p.doc);
        *events += (int64_t)p.n;
        if (!p.n)
            break;
        after = p.last;
    }
    if (!rc)
        rc = io->query(io->ctx, "UPDATE lineage_state SET built = 1", NULL, 0, NULL, NULL, err);
    return rc;
}
