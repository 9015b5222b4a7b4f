/*
 * Events with their own namespace bindings (write.h): an event of a store
 * comes with the prefix bindings of the document it was captured in, not
 * with the document, and several such events share one output. While one is
 * written, its bindings stand in for the source document's (w->vals: the
 * CURIEs its values may use) and w->ev_own tells the format writers so.
 * XML expands the CURIEs (write.c). JSON-LD depends on where the event goes:
 *  - among other events (ST_WR_OWN_DOC), its extension prefixes are renamed
 *    as an XML source's are (json_prefix: "ex" becomes "ex-ns") and its
 *    CURIE values are written expanded. The JSON-LD reader (jsonld.c) adds
 *    each event's @context to the whole document's bindings, which the hash
 *    ID uses to expand values, so a prefix such as "example", bound by one
 *    source and used as a URI scheme in the values of another (the GS1 XML
 *    examples do: "example:..."), would change the other event's hash ID;
 *  - alone (ST_WR_OWN_ALONE, st_epcis_event_jsonld), nothing shares its
 *    @context: the prefixes and CURIE values stay as read, bound in it.
 * An event without bindings is written as one read from XML (src_xml).
 */
#include "epcis/write_int.h"

#include <stdlib.h>
#include <string.h>

/* What an event with its own bindings replaces while it is written. */
typedef struct scope {
    st_wr_bind *vals; /* w->vals */
    size_t nvals;     /* w->nvals */
    int src_xml;      /* w->src_xml */
    int ev_own;       /* w->ev_own */
} scope;

/* Make bindings (may be NULL) the CURIE bindings of the next event, saving
 * the writer's in *old. The copies live in w->ev_a, which is reset after the
 * event; the strings are borrowed from bindings. ST_ERR_NOMEM. */
static st_rc scope_enter(st_epcis_writer *w, const st_evnode *bindings, int own, scope *old)
{
    *old = (scope){w->vals, w->nvals, w->src_xml, w->ev_own};
    size_t n = bindings ? st_evnode_count(bindings, NULL) : 0;
    st_wr_bind *v = n ? st_arena_calloc(w->ev_a, n * sizeof *v) : NULL;
    if (n && !v)
        return ST_ERR_NOMEM;
    size_t k = 0;
    for (const st_evnode *c = bindings ? bindings->first : NULL; c; c = c->next)
        if (c->name && *c->name && c->value && *c->value)
            v[k++] = (st_wr_bind){c->name, c->value, 0, 0};
    w->vals = v;
    w->nvals = k;
    w->src_xml = own == ST_WR_OWN_DOC || bindings == NULL;
    w->ev_own = own;
    return ST_OK;
}

static void scope_leave(st_epcis_writer *w, const scope *old)
{
    w->vals = old->vals;
    w->nvals = old->nvals;
    w->src_xml = old->src_xml;
    w->ev_own = old->ev_own;
}

st_rc st_epcis_writer_event_ns(st_epcis_writer *w, const st_event *ev, const st_evnode *bindings)
{
    if (!w || !ev || !ev->root || !ev->root->name)
        return ST_ERR_ARG;
    if (w->rc != ST_OK)
        return w->rc;
    scope old;
    st_rc rc = scope_enter(w, bindings, ST_WR_OWN_DOC, &old);
    if (rc == ST_OK)
        rc = st_epcis_writer_event(w, ev); /* resets w->ev_a: the copies go */
    else
        w->rc = rc;
    scope_leave(w, &old);
    return rc;
}

/* One writer for single events (write.h): its format state is made once;
 * each event starts from the state a new writer has. */
struct st_epcis_evw {
    st_epcis_writer *w; /* JSON-LD, no output FILE, its impl from st_wr_jl_init */
};

st_rc st_epcis_evw_create(st_epcis_ids ids, st_epcis_evw **out)
{
    *out = NULL;
    if (ids != ST_EPCIS_IDS_ASIS && ids != ST_EPCIS_IDS_URN && ids != ST_EPCIS_IDS_DL)
        return ST_ERR_ARG;
    st_epcis_evw *e = calloc(1, sizeof *e);
    if (!e)
        return ST_ERR_NOMEM;
    st_rc rc = st_wr_create(ST_EPCIS_FMT_JSONLD, ids, NULL, NULL, &e->w);
    if (rc == ST_OK)
        rc = st_wr_jl_init(e->w);
    if (rc != ST_OK) {
        st_epcis_evw_destroy(e);
        return rc;
    }
    *out = e;
    return ST_OK;
}

void st_epcis_evw_destroy(st_epcis_evw *e)
{
    if (!e)
        return;
    if (e->w)
        st_wr_jl_done(e->w);
    st_wr_free(e->w);
    free(e);
}

st_rc st_epcis_evw_put(st_epcis_evw *e, const st_event *ev, const st_evnode *bindings, st_jw *jw)
{
    if (!e || !ev || !ev->root || !ev->root->name || !jw)
        return ST_ERR_ARG;
    if (st_event_type_from_name(ev->root->name) == ST_EVENT_NONE || ev->root->ns)
        return ST_ERR_UNSUPPORTED;
    st_epcis_writer *w = e->w;
    /* what writing an event changes, back to a new writer's state */
    st_arena_reset(w->a);
    st_arena_reset(w->ev_a);
    w->nb = 0;
    w->vals = NULL;
    w->nvals = 0;
    w->src_xml = w->ev_own = 0;
    w->next_ext = 0;
    w->rc = ST_OK;
    w->cur = ev->index;
    st_jw *built = st_wr_jl_jw(w);
    st_jw_reset(built);
    scope old;
    st_rc rc = scope_enter(w, bindings, ST_WR_OWN_ALONE, &old);
    if (rc == ST_OK) {
        rc = st_wr_jl_event_object(w, ev, 1);
        if (rc == ST_OK) {
            st_jw_raw(jw, built->p, built->n);
            if (jw->failed)
                rc = ST_ERR_NOMEM;
        }
        scope_leave(w, &old);
    }
    return rc;
}

st_rc st_epcis_event_jsonld(const st_event *ev, const st_evnode *bindings, st_epcis_ids ids,
                            st_jw *jw)
{
    if (!ev || !ev->root || !ev->root->name || !jw)
        return ST_ERR_ARG;
    st_epcis_evw *e = NULL;
    st_rc rc = st_epcis_evw_create(ids, &e);
    if (rc == ST_OK)
        rc = st_epcis_evw_put(e, ev, bindings, jw);
    st_epcis_evw_destroy(e);
    return rc;
}
