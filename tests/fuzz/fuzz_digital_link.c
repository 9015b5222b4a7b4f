/*
 * Fuzz target for GS1 Digital Link URIs (lib/gs1/dl.c): st_dl_parse on the raw
 * bytes (not NUL-terminated), with and without legacy GTIN padding. Whatever
 * parses must build (canonical stem, and a brand stem) and the built URI must
 * parse back to the same set of AI elements.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/ai.h"
#include "gs1/dl.h"

#define URI_MAX (ST_AI_MAX_DATA * 3 + ST_AI_MAX_ELEMENTS * 8 + 64) /* every byte %XX */

static void fail(const char *what, const char *a, size_t an, const char *b)
{
    fprintf(stderr, "fuzz_digital_link: %s\n  input: %.*s\n  built: %s\n", what, (int)an,
            a ? a : "", b ? b : "");
    abort();
}

/* 1 when a and b hold the same (AI, value) pairs; order does not matter
 * (a parsed DL holds no AI twice). */
static int same_set(const st_aidata *a, const st_aidata *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        size_t j = 0;
        while (j < b->n && !(a->e[i].def == b->e[j].def && a->e[i].len == b->e[j].len &&
                             !memcmp(st_ai_value(a, i), st_ai_value(b, j), a->e[i].len)))
            j++;
        if (j == b->n)
            return 0;
    }
    return 1;
}

/* Build d with stem and check that the result parses back to the same set. */
static void round_trip(const st_aidata *d, const char *stem, const char *in, size_t n)
{
    static st_aidata d2;
    static char uri[URI_MAX];
    st_error err;
    st_error_clear(&err);
    st_rc rc = st_dl_build(d, stem, 0, uri, sizeof uri, &err);
    if (rc != ST_OK) {
        fprintf(stderr, "st_dl_build: %s (rc %d)\n", err.msg, (int)rc);
        fail("parsed data does not build", in, n, NULL);
    }
    size_t un = strlen(uri);
    if (un > ST_ID_MAX_INPUT)
        return; /* percent-encoding grew it past the input cap; nothing to re-parse */
    if (st_dl_parse(uri, un, 0, &d2, &err) != ST_OK) {
        fprintf(stderr, "re-parse: %s (position %ld)\n", err.msg, err.position);
        fail("built URI does not parse", in, n, uri);
    }
    if (!same_set(d, &d2))
        fail("built URI parses to other AI data", in, n, uri);
}

static void one(const char *s, size_t n, unsigned flags)
{
    static st_aidata d;
    static char key_only[URI_MAX];
    st_error err;
    st_error_clear(&err);
    if (st_dl_parse(s, n, flags, &d, &err) != ST_OK) {
        if (!memchr(err.msg, '\0', sizeof err.msg) || err.position < -1 || err.position > (long)n)
            fail("error record out of range", s, n, err.msg);
        return;
    }
    if (d.n == 0 || !(d.e[0].def->flags & ST_AI_DL_PKEY))
        fail("first element is not a primary key", s, n, NULL);
    for (size_t i = 0; i < d.n; i++)
        if (d.e[i].pos < 0 || d.e[i].pos >= (long)n)
            fail("element position outside the URI", s, n, st_ai_value(&d, i));
    round_trip(&d, NULL, s, n);
    round_trip(&d, "https://brand.example.com/some/stem/", s, n);
    if (st_dl_build(&d, NULL, ST_DL_KEY_ONLY, key_only, sizeof key_only, &err) != ST_OK)
        fail("key-only build failed", s, n, err.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one((const char *)data, size, 0);
    one((const char *)data, size, ST_DL_LEGACY_GTIN);
    return 0;
}
