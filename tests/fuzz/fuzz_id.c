/*
 * Fuzz target for the public identifier façade (include/serialtrack/id.h):
 * st_id_parse over every input form, once without options and once with a
 * company prefix length and legacy GTINs, then every accessor and an encode in
 * every binary scheme, so that ASan sees each derived string in full.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/id.h>
#include <serialtrack/limits.h>

static void fail(const char *what, const char *in, size_t n, const char *detail)
{
    fprintf(stderr, "fuzz_id: %s\n  input:  %.*s\n  detail: %s\n", what, (int)n, in,
            detail ? detail : "");
    abort();
}

/* Read all of s (NULL allowed) so ASan checks it; returns its length. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static void check_id(const st_id *id, const char *in, size_t n)
{
    static const char *const schemes[] = {"sgtin-96", "sgtin-198", "sscc-96",  "sgln-96",
                                          "sgln-195", "grai-96",   "grai-170", "giai-96",
                                          "giai-202", "gdti-96",   "gdti-174"};
    char hex[ST_EPC_HEX_MAX + 1];
    st_error err;
    st_error_clear(&err);
    size_t sum = 0;

    st_id_format f = st_id_format_of(id);
    if (f < ST_ID_ELEMENT_STRING || f > ST_ID_EPC_HEX || !strcmp(st_id_format_name(f), "unknown"))
        fail("bad format", in, n, NULL);
    if (!st_id_key(id) || !st_id_key(id)[0] || !st_id_hri(id) || !st_id_element_string(id))
        fail("a never-NULL accessor returned NULL or the key is empty", in, n, NULL);
    sum += touch(st_id_key(id)) + touch(st_id_hri(id)) + touch(st_id_element_string(id));
    sum += touch(st_id_digital_link(id)) + touch(st_id_epc_uri(id)) + touch(st_id_tag_uri(id));
    sum += touch(st_id_hex(id));
    if (!st_id_epc_uri(id) && !st_id_epc_uri_why(id))
        fail("no EPC URI and no reason why", in, n, st_id_key(id));
    sum += touch(st_id_epc_uri_why(id));

    size_t count = st_id_ai_count(id);
    if (count > ST_AI_MAX_ELEMENTS)
        fail("more elements than the cap", in, n, NULL);
    for (size_t i = 0; i < count; i++) {
        const char *ai = NULL, *value = NULL;
        if (st_id_ai_at(id, i, &ai, &value) != ST_OK || !ai || !value)
            fail("st_id_ai_at failed inside the range", in, n, NULL);
        const char *got = st_id_get(id, ai);
        if (!got)
            fail("st_id_get misses an AI that st_id_ai_at lists", in, n, ai);
        sum += touch(ai) + touch(value) + touch(got);
    }
    if (st_id_ai_at(id, count, NULL, NULL) != ST_ERR_RANGE)
        fail("st_id_ai_at accepts an index past the end", in, n, NULL);
    if (st_id_get(id, "99999") != NULL)
        fail("st_id_get finds an AI that does not exist", in, n, NULL);

    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        if (st_id_encode(id, schemes[k], -1, hex, sizeof hex, &err) == ST_OK)
            sum += touch(hex);
        else if (!memchr(err.msg, '\0', sizeof err.msg))
            fail("st_id_encode error message not terminated", in, n, schemes[k]);
    }
    if (sum == (size_t)-1) /* keep the reads */
        abort();
}

static void one(const char *s, size_t n, const st_id_opts *opts)
{
    st_id *id = (st_id *)1;
    st_error err;
    st_error_clear(&err);
    st_rc rc = st_id_parse(s, n, opts, &id, &err);
    if (rc != ST_OK) {
        if (id != NULL)
            fail("failed parse left *out set", s, n, err.msg);
        if (err.rc != rc || !memchr(err.msg, '\0', sizeof err.msg) ||
            !memchr(err.ai, '\0', sizeof err.ai) || err.position < -1 || err.position > (long)n)
            fail("error record inconsistent", s, n, err.msg);
        return;
    }
    if (!id)
        fail("success without a handle", s, n, NULL);
    check_id(id, s, n);
    st_id_destroy(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_id_opts plain, with_gcp;
    memset(&plain, 0, sizeof plain);
    memset(&with_gcp, 0, sizeof with_gcp);
    with_gcp.gcp_len = 6 + (int)(size % 7); /* 6..12, varies with the input */
    with_gcp.dl_legacy_gtin = 1;
    one((const char *)data, size, &plain);
    one((const char *)data, size, &with_gcp);
    st_id_destroy(NULL);
    return 0;
}
