/*
 * Fuzz target for EPC URIs (lib/gs1/epc.c, and tds.c through tag URIs):
 * st_epc_parse_uri on the raw bytes (not NUL-terminated). Whatever parses must
 * format back as the same kind, and that URI must parse to the same EPC and
 * format to the same text. Identities convert to AI data; tag URIs encode to
 * hex in their own scheme and decode back to the same tag URI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/ai.h"
#include "gs1/epc.h"
#include "gs1/tds.h"

#define URI_MAX 512 /* longest EPC URI: ~130 characters, escapes tripled */

static void fail(const char *what, const char *in, size_t n, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_epc_uri: %s\n  input:  %.*s\n  first:  %s\n  second: %s\n", what, (int)n,
            in, a ? a : "", b ? b : "");
    abort();
}

/* 1 when a and b hold the same EPC (strings compared up to their lengths). */
static int same_epc(const st_epc *a, const st_epc *b)
{
    return a->scheme == b->scheme && a->kind == b->kind && a->wild == b->wild &&
           a->filter == b->filter && a->tag_bits == b->tag_bits && a->cp_len == b->cp_len &&
           a->ref_len == b->ref_len && a->ser_len == b->ser_len &&
           !memcmp(a->cp, b->cp, a->cp_len) && !memcmp(a->ref, b->ref, a->ref_len) &&
           !memcmp(a->ser, b->ser, a->ser_len) && !strcmp(a->piece, b->piece) &&
           !strcmp(a->total, b->total);
}

/* A tag: encode in its own scheme and filter, decode, and compare. */
static void tag_round_trip(const st_epc *e, const char *uri, const char *in, size_t n)
{
    char scheme[32], hex[ST_EPC_HEX_MAX + 1], uri2[URI_MAX];
    st_epc e2;
    st_error err;
    st_error_clear(&err);
    snprintf(scheme, sizeof scheme, "%s-%u", st_epc_scheme_name(e->scheme), (unsigned)e->tag_bits);
    if (st_tds_encode_hex(e, scheme, e->filter, hex, sizeof hex, &err) != ST_OK)
        fail("parsed tag URI does not encode", in, n, uri, err.msg);
    if (st_tds_decode_hex(hex, strlen(hex), &e2, &err) != ST_OK)
        fail("encoded hex does not decode", in, n, hex, err.msg);
    if (st_epc_format_uri(&e2, ST_EPC_KIND_TAG, uri2, sizeof uri2) != ST_OK)
        fail("decoded tag does not format", in, n, hex, NULL);
    if (strcmp(uri, uri2) != 0 || !same_epc(e, &e2))
        fail("tag URI -> hex -> tag URI differs", in, n, uri, uri2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    static st_aidata d;
    char uri[URI_MAX], uri2[URI_MAX], pat[URI_MAX];
    st_epc e, e2;
    st_error err;

    st_error_clear(&err);
    if (st_epc_parse_uri(s, size, &e, &err) != ST_OK) {
        if (!memchr(err.msg, '\0', sizeof err.msg) || err.position < -1 ||
            err.position > (long)size)
            fail("error record out of range", s, size, err.msg, NULL);
        return 0;
    }
    if (e.cp_len > ST_EPC_CP_MAX || e.ref_len > ST_EPC_REF_MAX || e.ser_len > ST_EPC_SER_MAX ||
        strlen(e.cp) != e.cp_len || strlen(e.ref) != e.ref_len || strlen(e.ser) != e.ser_len)
        fail("component lengths inconsistent", s, size, NULL, NULL);
    if (st_epc_format_uri(&e, e.kind, uri, sizeof uri) != ST_OK)
        fail("parsed URI does not format as its own kind", s, size, NULL, NULL);
    if (st_epc_parse_uri(uri, strlen(uri), &e2, &err) != ST_OK)
        fail("formatted URI does not parse", s, size, uri, err.msg);
    if (!same_epc(&e, &e2))
        fail("formatted URI parses to another EPC", s, size, uri, NULL);
    if (st_epc_format_uri(&e2, e2.kind, uri2, sizeof uri2) != ST_OK || strcmp(uri, uri2) != 0)
        fail("format(parse(format(x))) differs", s, size, uri, uri2);

    if (e.kind != ST_EPC_KIND_CLASS && st_epc_format_uri(&e, ST_EPC_KIND_IDPAT, pat, sizeof pat))
        fail("identity does not format as a pattern", s, size, uri, NULL);
    if (e.kind == ST_EPC_KIND_TAG)
        tag_round_trip(&e, uri, s, size);
    if (e.kind != ST_EPC_KIND_IDPAT) {
        st_ai_init(&d);
        if (st_epc_to_ai(&e, &d, &err) != ST_OK)
            fail("identity does not convert to AI data", s, size, uri, err.msg);
        (void)st_ai_validate(&d, &err); /* may reject (company prefix plausibility) */
    }
    return 0;
}
