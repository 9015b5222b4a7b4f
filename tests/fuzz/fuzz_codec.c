/*
 * Fuzz target for the event body codec (lib/store/codec.h): st_codec_decode
 * on arbitrary bytes in a capped arena. A refusal must carry its code and a
 * reason; a success must give a well-linked tree within the caps, which
 * st_codec_encode takes back, whose re-encoding decodes to the same dump,
 * type and hash ID, and which encodes to the same bytes the second time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/limits.h>

#include "epcis/hashid.h"
#include "epcis/tree_dump.h"
#include "store/codec.h"

static void fail(const char *what, const uint8_t *in, size_t n)
{
    fprintf(stderr, "fuzz_codec: %s\n  input (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 200; i++)
        fprintf(stderr, " %02x", in[i]);
    fputc('\n', stderr);
    abort();
}

/* Walk the siblings from n at level d, checking links and caps. */
static void walk(const st_evnode *n, const st_evnode *parent, int d, const uint8_t *in, size_t len)
{
    const st_evnode *prev = NULL;
    for (; n; prev = n, n = n->next) {
        if (d > ST_CODEC_MAX_DEPTH)
            fail("tree deeper than ST_CODEC_MAX_DEPTH", in, len);
        if (n->parent != parent || !n->name)
            fail("bad parent link or no name", in, len);
        if (n->value && strlen(n->value) > ST_EPCIS_MAX_STRING)
            fail("value longer than ST_EPCIS_MAX_STRING", in, len);
        if (n->flags & ~(unsigned)(ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST))
            fail("unknown node flags", in, len);
        walk(n->first, n, d + 1, in, len);
    }
    if (parent && parent->last != prev)
        fail("last child link wrong", in, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_arena *a = st_arena_create(64u << 20);
    if (!a)
        abort();
    st_event ev;
    st_evnode *bind = NULL;
    st_error err;
    st_error_clear(&err);
    st_rc rc = st_codec_decode(data, size, a, &ev, &bind, &err);
    if ((unsigned)rc >= ST_RC_COUNT)
        fail("return code out of range", data, size);
    if (rc != ST_OK) {
        if (err.rc != rc || !err.msg[0] || err.position < 0 || (size_t)err.position > size)
            fail("refusal without a proper error record", data, size);
        if (rc != ST_ERR_SYNTAX && rc != ST_ERR_LIMIT)
            fail("refusal other than syntax or limit", data, size);
        st_arena_destroy(a);
        return 0;
    }
    if (!ev.root || ev.root->next || ev.index != -1 || (unsigned)ev.type > ST_EVENT_ASSOCIATION)
        fail("bad event", data, size);
    walk(ev.root, NULL, 1, data, size);
    walk(bind, NULL, 1, data, size);

    st_bytes b1, b2;
    st_bytes_init(&b1, 64u << 20);
    st_bytes_init(&b2, 64u << 20);
    if (st_codec_encode(&ev, bind, &b1) != ST_OK)
        fail("a decoded tree does not encode", data, size);
    st_event ev2;
    st_evnode *bind2 = NULL;
    if (st_codec_decode(b1.p, b1.n, a, &ev2, &bind2, &err) != ST_OK)
        fail("a re-encoding does not decode", data, size);
    const char *d1 = st_evdump(a, ev.root, ST_EVDUMP_PREFIX);
    const char *d2 = st_evdump(a, ev2.root, ST_EVDUMP_PREFIX);
    const char *k1 = st_evdump(a, bind, ST_EVDUMP_PREFIX);
    const char *k2 = st_evdump(a, bind2, ST_EVDUMP_PREFIX);
    if (!d1 || !d2 || !k1 || !k2)
        abort();
    if (ev2.type != ev.type || strcmp(d1, d2) || strcmp(k1, k2) || !bind != !bind2)
        fail("the re-encoding decodes to another tree", data, size);
    if (st_codec_encode(&ev2, bind2, &b2) != ST_OK || b2.n != b1.n || memcmp(b1.p, b2.p, b1.n))
        fail("encoding the same tree twice gave different bytes", data, size);

    char id1[ST_HASHID_LEN + 1], id2[ST_HASHID_LEN + 1];
    st_rc h1 = st_hashid_compute(&ev, bind, id1), h2 = st_hashid_compute(&ev2, bind2, id2);
    if (h1 != h2 || (h1 == ST_OK && strcmp(id1, id2)))
        fail("the hash ID changed", data, size);

    st_bytes_free(&b1);
    st_bytes_free(&b2);
    st_arena_destroy(a);
    return 0;
}
