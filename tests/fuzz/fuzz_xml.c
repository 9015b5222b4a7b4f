/*
 * Fuzz target for the streaming EPCIS XML reader (lib/epcis/xml.h):
 * st_xml_read in keep-all mode on a fresh arena, then in callback mode; the
 * two must agree. Every tree and diagnostic is walked so that ASan sees each
 * string, and the reader's promises are checked: well-linked trees within the
 * depth and string caps, events in order, a diagnostic behind every failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/limits.h>

#include "epcis/tree_dump.h"
#include "epcis/xml.h"

static void fail(const char *what, const uint8_t *in, size_t n)
{
    fprintf(stderr, "fuzz_xml: %s\n  input (%zu bytes): %.*s\n", what, n, (int)(n > 400 ? 400 : n),
            (const char *)in);
    abort();
}

/* Walk the siblings from n at depth d, checking links; returns node count. */
static size_t walk(const st_evnode *n, const st_evnode *parent, int d, const uint8_t *in,
                   size_t len)
{
    size_t count = 0;
    const st_evnode *prev = NULL;
    for (; n; prev = n, n = n->next) {
        if (d > ST_EPCIS_MAX_DEPTH)
            fail("tree deeper than ST_EPCIS_MAX_DEPTH", in, len);
        if (n->parent != parent || !n->name)
            fail("bad parent link or no name", in, len);
        if (n->value && strlen(n->value) > ST_EPCIS_MAX_STRING)
            fail("value longer than ST_EPCIS_MAX_STRING", in, len);
        if (n->prefix && !n->ns)
            fail("prefix without a namespace", in, len);
        count += 1 + walk(n->first, n, d + 1, in, len);
    }
    if (parent && parent->last != prev)
        fail("last child link wrong", in, len);
    return count;
}

typedef struct seen {
    st_arena *a;    /* owns dumps */
    size_t n;       /* events delivered */
    char *dumps[8]; /* dumps of the first events */
    long index[8];  /* their indexes */
} seen;

static st_rc on_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    seen *s = ctx;
    if (s->n < 8) {
        s->dumps[s->n] = st_evdump(s->a, ev->root, ST_EVDUMP_PREFIX);
        s->index[s->n] = ev->index;
    }
    s->n++;
    (void)doc;
    return ST_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_arena *a = st_arena_create(64u << 20), *b = st_arena_create(64u << 20);
    if (!a || !b)
        abort();
    st_epcis_doc doc;
    memset(&doc, 0, sizeof doc);
    doc.arena = a;
    doc.name = "fuzz";
    st_diag diag;
    st_diag_init(&diag, a);
    st_rc rc = st_xml_read(&doc, (const char *)data, size, NULL, NULL, &diag);

    if ((unsigned)rc >= ST_RC_COUNT)
        fail("return code out of range", data, size);
    if (rc != ST_OK && st_diag_count(&diag) == 0)
        fail("failure without a diagnostic", data, size);
    for (size_t i = 0; i < diag.n; i++)
        if (!diag.items[i].path || diag.items[i].path[0] != '/' || !diag.items[i].msg ||
            diag.items[i].rc == ST_OK || diag.items[i].event < -1 ||
            diag.items[i].event >= (long)doc.events)
            fail("bad diagnostic", data, size);
    if (doc.n_kept > doc.events)
        fail("more events kept than read", data, size);
    walk(doc.ns, NULL, 0, data, size);
    walk(doc.header, NULL, 0, data, size);
    for (size_t i = 0; i < doc.n_kept; i++) {
        const st_event *ev = doc.kept[i];
        if (ev->type == ST_EVENT_NONE || strcmp(st_event_type_name(ev->type), ev->root->name) ||
            ev->root->next || ev->index < 0 || ev->index >= (long)doc.events ||
            (i && ev->index <= doc.kept[i - 1]->index))
            fail("bad event", data, size);
        walk(ev->root, NULL, 0, data, size);
    }

    /* the callback sees the same events, with the same trees */
    seen s;
    memset(&s, 0, sizeof s);
    s.a = b;
    st_epcis_doc doc2;
    memset(&doc2, 0, sizeof doc2);
    doc2.arena = b;
    st_diag diag2;
    st_diag_init(&diag2, b);
    st_rc rc2 = st_xml_read(&doc2, (const char *)data, size, on_event, &s, &diag2);
    if (rc2 != rc || s.n != doc.n_kept || doc2.events != doc.events ||
        st_diag_count(&diag2) != st_diag_count(&diag))
        fail("callback mode and keep-all mode disagree", data, size);
    for (size_t i = 0; i < s.n && i < 8; i++)
        if (!s.dumps[i] || s.index[i] != doc.kept[i]->index ||
            strcmp(s.dumps[i], st_evdump(b, doc.kept[i]->root, ST_EVDUMP_PREFIX)))
            fail("callback mode gave another tree", data, size);

    st_arena_destroy(a);
    st_arena_destroy(b);
    return 0;
}
