/*
 * Fuzz target for the EPCIS JSON-LD reader (lib/epcis/jsonld.c): reads the
 * input keeping every event in a fresh arena, then again with a per-event
 * callback, and checks that both modes agree on the result, the diagnostics
 * and every event tree (compared through st_evdump), and that every tree is
 * well formed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/jsonld.h"
#include "epcis/tree_dump.h"

static void fail(const char *what, const uint8_t *in, size_t n)
{
    fprintf(stderr, "fuzz_jsonld: %s\n  input: %.*s\n", what, (int)(n > 400 ? 400 : n),
            (const char *)in);
    abort();
}

/* Every node names itself and links back to its parent. */
static void check_tree(const st_evnode *n, const st_evnode *parent, const uint8_t *in, size_t len)
{
    if (!n->name || n->parent != parent)
        fail("node without name or with a wrong parent", in, len);
    if ((n->flags & ST_EVN_LIST) && n->value)
        fail("list node with a value", in, len);
    const st_evnode *last = NULL;
    for (const st_evnode *c = n->first; c; c = c->next) {
        check_tree(c, n, in, len);
        last = c;
    }
    if (last != n->last)
        fail("last child link broken", in, len);
}

typedef struct replay {
    st_epcis_doc *kept; /* the keep-all reading of the same input */
    st_arena *a;        /* for dumps */
    size_t seen;        /* events handed to the callback */
    const uint8_t *in;  /* the input, for messages */
    size_t n;           /* its length */
} replay;

static st_rc on_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    replay *r = ctx;
    (void)doc;
    if (r->seen >= r->kept->n_kept)
        fail("callback saw more events than were kept", r->in, r->n);
    const st_event *k = r->kept->kept[r->seen++];
    const char *a = st_evdump(r->a, ev->root, ST_EVDUMP_PREFIX);
    const char *b = st_evdump(r->a, k->root, ST_EVDUMP_PREFIX);
    if (!a || !b || strcmp(a, b) || ev->index != k->index || ev->type != k->type)
        fail("callback and keep-all trees differ", r->in, r->n);
    return ST_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_arena *a = st_arena_create(0);
    st_arena *b = st_arena_create(0);
    if (!a || !b)
        abort();
    st_epcis_doc doc = {.arena = a, .name = "fuzz"};
    st_diag diag;
    st_diag_init(&diag, a);
    st_rc rc = st_jsonld_read(&doc, (const char *)data, size, NULL, NULL, &diag);
    if (doc.format != ST_EPCIS_FMT_JSONLD || doc.n_kept != doc.events)
        fail("format or kept count wrong", data, size);
    if (rc != ST_OK && st_diag_count(&diag) == 0)
        fail("failure without a diagnostic", data, size);
    for (size_t i = 0; i < diag.n; i++)
        if (!diag.items[i].path || !diag.items[i].msg || !diag.items[i].msg[0] ||
            diag.items[i].rc == ST_OK)
            fail("incomplete diagnostic", data, size);
    for (size_t i = 0; i < doc.n_kept; i++) {
        check_tree(doc.kept[i]->root, NULL, data, size);
        if (st_event_type_from_name(doc.kept[i]->root->name) != doc.kept[i]->type)
            fail("event type does not match the root's name", data, size);
    }
    if (doc.ns)
        check_tree(doc.ns, NULL, data, size);
    if (doc.header)
        check_tree(doc.header, NULL, data, size);

    st_epcis_doc doc2 = {.arena = b, .name = "fuzz"};
    st_diag diag2;
    st_diag_init(&diag2, b);
    replay r = {&doc, b, 0, data, size};
    st_rc rc2 = st_jsonld_read(&doc2, (const char *)data, size, on_event, &r, &diag2);
    if (rc2 != rc || r.seen != doc.n_kept || doc2.events != doc.events ||
        st_diag_count(&diag2) != st_diag_count(&diag))
        fail("callback and keep-all readings differ", data, size);
    st_arena_destroy(b);
    st_arena_destroy(a);
    return 0;
}
