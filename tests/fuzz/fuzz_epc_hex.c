/*
 * Fuzz target for EPC binary hex (lib/gs1/tds.c): st_tds_decode_hex on the raw
 * bytes (not NUL-terminated). Whatever decodes must format as a tag URI that
 * parses back to the same tag, and must re-encode in the same scheme and
 * filter to the same bits (hex case and trailing zero padding aside).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/ai.h"
#include "gs1/epc.h"
#include "gs1/tds.h"

#define URI_MAX 512

static void fail(const char *what, const char *in, size_t n, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_epc_hex: %s\n  input:  %.*s\n  first:  %s\n  second: %s\n", what, (int)n,
            in, a ? a : "", b ? b : "");
    abort();
}

/* Length of h[0..n) without its trailing '0' digits (zero padding). */
static size_t unpadded(const char *h, size_t n)
{
    while (n && h[n - 1] == '0')
        n--;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    static st_aidata d;
    char uri[URI_MAX], uri2[URI_MAX], scheme[32], hex[ST_EPC_HEX_MAX + 1];
    st_epc e, e2;
    st_error err;

    st_error_clear(&err);
    if (st_tds_decode_hex(s, size, &e, &err) != ST_OK) {
        if (!memchr(err.msg, '\0', sizeof err.msg) || err.position < -1 ||
            err.position > (long)size)
            fail("error record out of range", s, size, err.msg, NULL);
        return 0;
    }
    if (e.kind != ST_EPC_KIND_TAG || e.filter < 0 || e.filter > 7 || !e.tag_bits ||
        strlen(e.cp) != e.cp_len || strlen(e.ref) != e.ref_len || strlen(e.ser) != e.ser_len)
        fail("decoded tag inconsistent", s, size, NULL, NULL);
    if (st_epc_format_uri(&e, ST_EPC_KIND_TAG, uri, sizeof uri) != ST_OK)
        fail("decoded tag does not format", s, size, NULL, NULL);
    if (st_epc_parse_uri(uri, strlen(uri), &e2, &err) != ST_OK)
        fail("tag URI of decoded hex does not parse", s, size, uri, err.msg);
    if (st_epc_format_uri(&e2, ST_EPC_KIND_TAG, uri2, sizeof uri2) != ST_OK ||
        strcmp(uri, uri2) != 0)
        fail("tag URI -> parse -> format differs", s, size, uri, uri2);

    snprintf(scheme, sizeof scheme, "%s-%u", st_epc_scheme_name(e.scheme), (unsigned)e.tag_bits);
    if (st_tds_encode_hex(&e, scheme, e.filter, hex, sizeof hex, &err) != ST_OK)
        fail("decoded tag does not re-encode", s, size, uri, err.msg);
    size_t a = unpadded(s, size), b = unpadded(hex, strlen(hex));
    int same = a == b;
    for (size_t i = 0; same && i < a; i++)
        same = toupper((unsigned char)s[i]) == hex[i];
    if (!same)
        fail("re-encoded hex differs", s, size, hex, uri);

    st_ai_init(&d);
    if (st_epc_to_ai(&e, &d, &err) != ST_OK)
        fail("decoded tag does not convert to AI data", s, size, uri, err.msg);
    (void)st_ai_validate(&d, &err); /* may reject (company prefix plausibility) */
    return 0;
}
