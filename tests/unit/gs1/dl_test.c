/*
 * Unit tests for lib/gs1/dl.c: GS1 Digital Link parsing and building, driven
 * by tables (gs1-facts 3.6 and 9.3 examples, bad inputs with the expected code,
 * message fragment and byte position, and parse -> build -> parse round trips).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/dl.h"

/* ---- helpers ------------------------------------------------------------- */

/* d as "(01)...(10)..." in element order, values raw (no escaping). */
static void elems_ordered(const st_aidata *d, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "(%s)%s", d->e[i].def->ai, st_ai_value(d, i));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* d as "(ai)value" items sorted by AI: the decoded set, independent of order. */
static void elems_sorted(const st_aidata *d, char *out, size_t cap)
{
    char items[ST_AI_MAX_ELEMENTS][ST_AI_MAX_VALUE + 16];
    const char *p[ST_AI_MAX_ELEMENTS];
    for (size_t i = 0; i < d->n; i++) {
        snprintf(items[i], sizeof items[i], "(%s)%s", d->e[i].def->ai, st_ai_value(d, i));
        p[i] = items[i];
    }
    qsort(p, d->n, sizeof p[0], cmp_str);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s", p[i]);
}

/* Fill d from "01=0952...|10=ABC" ('|' is outside CSET 82; values may hold '='). */
static void load(st_aidata *d, const char *spec)
{
    st_ai_init(d);
    while (*spec) {
        size_t len = strcspn(spec, "|");
        const char *eq = memchr(spec, '=', len);
        assert_non_null(eq);
        size_t ailen = (size_t)(eq - spec);
        st_error err;
        assert_int_equal(st_ai_add(d, spec, ailen, eq + 1, len - ailen - 1, 0, &err), ST_OK);
        spec += len;
        if (*spec == '|')
            spec++;
    }
}

static st_rc parse_str(const char *uri, unsigned flags, st_aidata *d, st_error *err)
{
    return st_dl_parse(uri, strlen(uri), flags, d, err);
}

/* ---- valid URIs -------------------------------------------------------------- */

static const struct parse_ok {
    const char *uri;
    unsigned flags;
    const char *expect; /* elements in stored order: key, qualifiers, query */
} parse_ok[] = {
    /* gs1-facts 3.6 */
    {"https://id.gs1.org/01/09520123456788", 0, "(01)09520123456788"},
    {"https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426", 0,
     "(01)09520123456788(10)ABC1(21)12345(17)180426"},
    {"https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299", 0,
     "(01)09520123456788(17)201225(3103)000195(3922)0299"},
    {"https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123", 0,
     "(00)952012345678912345(02)09520123456788(37)25(10)ABC123"},
    {"https://id.gs1.org/414/9520123456788/254/32a%2Fb", 0, "(414)9520123456788(254)32a/b"},
    {"https://example.com/8004/9520614141234567?01=09520123456788", 0,
     "(8004)9520614141234567(01)09520123456788"},
    {"https://id.gs1.org/01/12312312312326/21/abc123", 0, "(01)12312312312326(21)abc123"},
    /* gs1-facts 9.3 */
    {"https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY", 0,
     "(01)12312312312333(10)ABC+123(99)XYZ+QWERTY"},
    /* scheme, domain and stem */
    {"http://id.gs1.org/01/09520123456788", 0, "(01)09520123456788"},
    {"HTTPS://Example.COM:8080/01/09520123456788", 0, "(01)09520123456788"},
    {"https://example.com/some/stem/01/09520123456788/21/ABC", 0, "(01)09520123456788(21)ABC"},
    {"https://example.com/a/01/09520123456788/10/X", 0, "(01)09520123456788(10)X"},
    {"https://example.com/00/stem/01/09520123456788", 0, "(01)09520123456788"},
    /* the right-most primary key wins: everything before it is stem, even a
     * complete DL (the stem is not interpreted) */
    {"https://example.com/01/09520123456788/10/L/8004/9520614141234567", 0,
     "(8004)9520614141234567"},
    {"https://example.com/01/09520123456788/gtin/09520123456788/lot/L", 0,
     "(01)09520123456788(10)L"},
    /* values that look like AIs stay values */
    {"https://id.gs1.org/01/09520123456788/10/414/21/8004", 0, "(01)09520123456788(10)414(21)8004"},
    /* every allowed qualifier path of 01 */
    {"https://id.gs1.org/01/09520123456788/22/V1/10/L1/21/S1", 0,
     "(01)09520123456788(22)V1(10)L1(21)S1"},
    {"https://id.gs1.org/01/09520123456788/22/V1/21/S1", 0, "(01)09520123456788(22)V1(21)S1"},
    {"https://id.gs1.org/01/09520123456788/22/V1/10/L1", 0, "(01)09520123456788(22)V1(10)L1"},
    {"https://id.gs1.org/01/09520123456788/235/XYZ", 0, "(01)09520123456788(235)XYZ"},
    /* 10 cannot follow 235, so it may be a query attribute there */
    {"https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC", 0, "(01)09520123456788(235)XYZ(10)ABC"},
    {"https://id.gs1.org/8006/095201234567880102/10/L/21/S", 0,
     "(8006)095201234567880102(10)L(21)S"},
    /* convenience alphas, path and query */
    {"https://id.gs1.org/gtin/09520123456788/lot/ABC1/ser/12345?17=180426", 0,
     "(01)09520123456788(10)ABC1(21)12345(17)180426"},
    {"https://id.gs1.org/gln/9520123456788/glnx/32a%2Fb", 0, "(414)9520123456788(254)32a/b"},
    {"https://example.com/giai/9520614141234567?gtin=09520123456788", 0,
     "(8004)9520614141234567(01)09520123456788"},
    {"https://example.com/sscc/952012345678912345?gtin=09520123456788", 0,
     "(00)952012345678912345(01)09520123456788"},
    /* percent-encoding: lower-case hex, '+' literal in the path */
    {"https://id.gs1.org/414/9520123456788/254/32a%2fb", 0, "(414)9520123456788(254)32a/b"},
    {"https://id.gs1.org/01/12312312312333/10/ABC+123", 0, "(01)12312312312333(10)ABC+123"},
    {"https://id.gs1.org/01/12312312312333/10/%41%42C", 0, "(01)12312312312333(10)ABC"},
    /* fragment ignored, even when it holds '?' or bad bytes */
    {"https://id.gs1.org/01/09520123456788/10/ABC1#frag", 0, "(01)09520123456788(10)ABC1"},
    {"https://id.gs1.org/01/09520123456788?17=180426#x?17=999999 %00", 0,
     "(01)09520123456788(17)180426"},
    /* non-GS1 query parameters ignored */
    {"https://id.gs1.org/01/09520123456788?linkType=gs1:pip&17=180426&foo&=x&a1=2&&", 0,
     "(01)09520123456788(17)180426"},
    {"https://id.gs1.org/01/09520123456788?", 0, "(01)09520123456788"},
    /* legacy GTIN forms, padded only when asked */
    {"https://id.gs1.org/01/02345673", ST_DL_LEGACY_GTIN, "(01)00000002345673"},
    {"https://id.gs1.org/01/416000336108", ST_DL_LEGACY_GTIN, "(01)00416000336108"},
    {"https://id.gs1.org/01/9520123456788/10/L", ST_DL_LEGACY_GTIN, "(01)09520123456788(10)L"},
    {"https://id.gs1.org/01/09520123456788", ST_DL_LEGACY_GTIN, "(01)09520123456788"},
};

static void test_parse_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_ok / sizeof parse_ok[0]; i++) {
        const struct parse_ok *r = &parse_ok[i];
        st_aidata d;
        st_error err;
        st_rc rc = parse_str(r->uri, r->flags, &d, &err);
        if (rc != ST_OK)
            fail_msg("%s: rc %d (%s)", r->uri, rc, err.msg);
        char got[1024];
        elems_ordered(&d, got, sizeof got);
        if (strcmp(got, r->expect))
            fail_msg("%s: got %s, expected %s", r->uri, got, r->expect);
    }
}

/* Element positions are the byte offsets of the values in the URI. */
static void test_parse_positions(void **state)
{
    (void)state;
    const char *uri = "https://x.org/stem/gtin/09520123456788/10/A%2FB?99=Z&17=180426";
    st_aidata d;
    st_error err;
    assert_int_equal(parse_str(uri, 0, &d, &err), ST_OK);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.e[0].pos, strstr(uri, "0952") - uri);
    assert_int_equal(d.e[1].pos, strstr(uri, "A%2F") - uri);
    assert_int_equal(d.e[2].pos, strstr(uri, "Z&") - uri);
    assert_int_equal(d.e[3].pos, strstr(uri, "180426") - uri);
}

/* The input is not NUL-terminated: only n bytes are read. */
static void test_parse_length_bound(void **state)
{
    (void)state;
    const char *uri = "https://id.gs1.org/01/09520123456788/10/ABC1XYZ";
    st_aidata d;
    st_error err;
    char copy[64];
    size_t n = strlen(uri) - 3;
    memcpy(copy, uri, n); /* no terminator after the n bytes */
    memset(copy + n, '%', sizeof copy - n);
    assert_int_equal(st_dl_parse(copy, n, 0, &d, &err), ST_OK);
    assert_string_equal(st_ai_get(&d, "10"), "ABC1");
    /* a '%' right at the end must not look past it */
    memcpy(copy, "https://id.gs1.org/01/09520123456788/10/AB%4", 44);
    copy[44] = '1';
    assert_int_equal(st_dl_parse(copy, 44, 0, &d, &err), ST_ERR_SYNTAX);
    assert_non_null(strstr(err.msg, "malformed percent-encoding"));
}

/* ---- invalid URIs -------------------------------------------------------------- */

static const struct parse_bad {
    const char *uri;
    unsigned flags;
    st_rc rc;
    const char *msg; /* fragment of err.msg */
    const char *at;  /* err.position: where this first occurs in uri, or where its '|' is
                        when it has one ("88|/"); NULL: not checked */
    const char *ai;  /* err.ai, or NULL: not checked */
} parse_bad[] = {
    /* gs1-facts 9.3: 10 belongs in the path */
    {"https://id.gs1.org/01/09520123456788?10=ABC123", 0, ST_ERR_SYNTAX,
     "AI 10 must be in the path after /01/..., not in the query", "10=", "10"},
    {"https://id.gs1.org/01/09520123456788/21/S?10=ABC123", 0, ST_ERR_SYNTAX,
     "AI 10 must be in the path after /01/...", "10=", "10"},
    {"https://id.gs1.org/01/09520123456788?lot=ABC123", 0, ST_ERR_SYNTAX,
     "AI 10 must be in the path", "lot=", "10"},
    {"https://id.gs1.org/01/09520123456788/10/L?22=V", 0, ST_ERR_SYNTAX,
     "AI 22 must be in the path", "22=", "22"},
    /* percent-encoding */
    {"https://id.gs1.org/01/12312312312333/10/AB%2", 0, ST_ERR_SYNTAX, "malformed percent-encoding",
     "%2", "10"},
    {"https://id.gs1.org/01/12312312312333/10/AB%G1C", 0, ST_ERR_SYNTAX,
     "malformed percent-encoding", "%G1", "10"},
    {"https://id.gs1.org/01/12312312312333/10/AB%", 0, ST_ERR_SYNTAX, "malformed percent-encoding",
     "%", "10"},
    {"https://id.gs1.org/01/12312312312333?99=X%4", 0, ST_ERR_SYNTAX, "malformed percent-encoding",
     "%4", "99"},
    {"https://id.gs1.org/01/12312312312333/10/AB%00C", 0, ST_ERR_SYNTAX, "%00", "%00", "10"},
    {"https://id.gs1.org/01/12312312312333?99=%00", 0, ST_ERR_SYNTAX, "%00", "%00", "99"},
    {"https://id.gs1.org/01/12312312312333/10/AB C", 0, ST_ERR_SYNTAX,
     "byte 0x20 at offset 42 is not allowed in a URI", " ", NULL},
    /* '+' in a query value is a space, which CSET 82 refuses */
    {"https://id.gs1.org/01/12312312312333/10/ABC?99=XYZ+QWERTY", 0, ST_ERR_CHARSET, "AI 99", "+",
     "99"},
    /* query parameters */
    {"https://id.gs1.org/01/09520123456788?12345=1", 0, ST_ERR_UNKNOWN_AI, "unknown AI 12345",
     "12345=", NULL},
    {"https://id.gs1.org/01/09520123456788?04=1", 0, ST_ERR_UNKNOWN_AI, "unknown AI 04",
     "04=", NULL},
    {"https://id.gs1.org/01/09520123456788?17=", 0, ST_ERR_SYNTAX, "AI 17 has an empty value", NULL,
     "17"},
    {"https://id.gs1.org/01/09520123456788?17=180426&17=180426", 0, ST_ERR_SYNTAX,
     "AI 17 appears more than once", "&|17", "17"},
    {"https://id.gs1.org/01/09520123456788?01=09520123456788", 0, ST_ERR_SYNTAX,
     "AI 01 appears more than once", "01=", "01"},
    {"https://id.gs1.org/01/09520123456788/10/L?lot=L", 0, ST_ERR_SYNTAX,
     "AI 10 appears more than once", "lot", "10"},
    {"https://id.gs1.org/8004/9520614141234567?21=5", 0, ST_ERR_SYNTAX,
     "AI 21 is not allowed as a Digital Link query attribute", "21=", "21"},
    {"https://id.gs1.org/01/09520123456788?235=X", 0, ST_ERR_SYNTAX, "AI 235 must be in the path",
     "235", "235"},
    /* path structure */
    {"https://id.gs1.org/01/09520123456788/21/12345/10/ABC1", 0, ST_ERR_SYNTAX,
     "qualifier 21 cannot come before 10", "10/ABC1", "10"},
    {"https://id.gs1.org/01/09520123456788/10/A/22/V", 0, ST_ERR_SYNTAX,
     "qualifier 10 cannot come before 22", "22/V", "22"},
    {"https://id.gs1.org/01/09520123456788/10/A/10/B", 0, ST_ERR_SYNTAX,
     "qualifier 10 appears more than once", "10/B", "10"},
    {"https://id.gs1.org/414/9520123456788/254/1/7040/1AB2", 0, ST_ERR_SYNTAX,
     "qualifiers 254 and 7040 cannot be combined after /414/... (allowed: 254 or 7040)", "7040",
     "7040"},
    {"https://id.gs1.org/8010/0952012345678ab/8011/123", 0, ST_ERR_CHARSET, "AI 8010", "78|a",
     "8010"},
    {"https://id.gs1.org/01/09520123456788/10/A/235/B", 0, ST_ERR_SYNTAX,
     "qualifiers 10 and 235 cannot be combined", "235", "235"},
    {"https://id.gs1.org/01/09520123456788/235/B/21/C", 0, ST_ERR_SYNTAX,
     "qualifiers 235 and 21 cannot be combined", "21/C", "21"},
    {"https://id.gs1.org/01/09520123456788/17/180426", 0, ST_ERR_SYNTAX,
     "AI 17 is not a qualifier of /01/... (allowed in the path: 22,10,21 or 235)", "17/", "17"},
    {"https://id.gs1.org/00/952012345678912345/10/ABC", 0, ST_ERR_SYNTAX,
     "AI 00 takes no qualifiers", "10/", "10"},
    {"https://id.gs1.org/01/09520123456788/12345/X", 0, ST_ERR_UNKNOWN_AI,
     "unknown AI 12345 in the path", "12345/X", NULL},
    {"https://example.com/01/09520123456788/foo/bar", 0, ST_ERR_SYNTAX,
     "path segment 'foo' after /01/... is not a GS1 qualifier AI", "foo", NULL},
    {"https://example.com/foo/bar", 0, ST_ERR_SYNTAX, "no GS1 primary key in the path", "/foo",
     NULL},
    {"https://id.gs1.org/", 0, ST_ERR_SYNTAX, "no GS1 primary key in the path", NULL, NULL},
    {"https://id.gs1.org?01=09520123456788", 0, ST_ERR_SYNTAX, "no GS1 primary key", NULL, NULL},
    {"https://id.gs1.org/21/12345", 0, ST_ERR_SYNTAX, "no GS1 primary key in the path", NULL, NULL},
    {"https://id.gs1.org/01/09520123456788/", 0, ST_ERR_SYNTAX, "the path ends with '/'", "88|/",
     NULL},
    {"https://id.gs1.org/01//10/ABC", 0, ST_ERR_SYNTAX, "AI 01 has an empty value", "/|/10", "01"},
    /* scheme and authority */
    {"ftp://id.gs1.org/01/09520123456788", 0, ST_ERR_SYNTAX, "starts with http:// or https://",
     NULL, NULL},
    {"https:/id.gs1.org/01/09520123456788", 0, ST_ERR_SYNTAX, "starts with http://", NULL, NULL},
    {"https:///01/09520123456788", 0, ST_ERR_SYNTAX, "no domain", NULL, NULL},
    {"", 0, ST_ERR_SYNTAX, "starts with http://", NULL, NULL},
    /* GTIN length */
    {"https://id.gs1.org/01/02345673", 0, ST_ERR_LENGTH, "must have 14 digits, not 8", "02345673",
     "01"},
    {"https://id.gs1.org/01/9520123456788", 0, ST_ERR_LENGTH, "must have 14 digits, not 13",
     "95201", "01"},
    /* padded to 00952012345678: the bad digit is reported where it is in the URI */
    {"https://id.gs1.org/01/0952012345678", ST_DL_LEGACY_GTIN, ST_ERR_CHECK_DIGIT,
     "check digit is 8, expected 2", "567|8", "01"},
    {"https://id.gs1.org/01/123456789", ST_DL_LEGACY_GTIN, ST_ERR_LENGTH, "AI 01", NULL, "01"},
    /* value content, checked by st_ai_validate, positions in the URI */
    {"https://id.gs1.org/01/09520123456789", 0, ST_ERR_CHECK_DIGIT, "check digit is 9, expected 8",
     "678|9", "01"},
    {"https://example.com/8004/9520614141234567?01=0952012345678%39", 0, ST_ERR_CHECK_DIGIT,
     "AI 01", "%39", "01"},
    {"https://id.gs1.org/01/09520123456788?17=181332", 0, ST_ERR_DATE, "AI 17", NULL, "17"},
    {"https://id.gs1.org/01/09520123456788/10/ABCDEFGHIJKLMNOPQRSTU", 0, ST_ERR_LENGTH, "AI 10",
     "ABCD", "10"},
    {"https://id.gs1.org/01/09520123456788?37=5", 0, ST_ERR_RULE, "cannot be used together", NULL,
     NULL},
    {"https://id.gs1.org/415/9520123456788", 0, ST_ERR_RULE, "AI 415 requires 8020", NULL, "415"},
};

static void test_parse_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_bad / sizeof parse_bad[0]; i++) {
        const struct parse_bad *r = &parse_bad[i];
        st_aidata d;
        st_error err;
        st_rc rc = parse_str(r->uri, r->flags, &d, &err);
        if (rc != r->rc)
            fail_msg("%s: rc %d (%s), expected %d", r->uri, rc, err.msg, r->rc);
        assert_int_equal(err.rc, r->rc);
        if (!strstr(err.msg, r->msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", r->uri, err.msg, r->msg);
        if (r->at) {
            char at[64];
            size_t bar = strcspn(r->at, "|");
            snprintf(at, sizeof at, "%.*s%s", (int)bar, r->at, r->at[bar] ? r->at + bar + 1 : "");
            const char *p = strstr(r->uri, at);
            assert_non_null(p);
            long want = (long)(p - r->uri) + (r->at[bar] ? (long)bar : 0);
            if (err.position != want)
                fail_msg("%s: position %ld, expected %ld (%s)", r->uri, err.position, want,
                         err.msg);
        }
        if (r->ai && strcmp(err.ai, r->ai))
            fail_msg("%s: err.ai \"%s\", expected \"%s\"", r->uri, err.ai, r->ai);
    }
}

static void test_parse_limits(void **state)
{
    (void)state;
    static char uri[ST_ID_MAX_INPUT + 64];
    st_aidata d;
    st_error err;
    int n = snprintf(uri, sizeof uri, "https://id.gs1.org/01/09520123456788?");
    for (int i = 0; i <= ST_DL_MAX_QUERY_PARAMS; i++)
        n += snprintf(uri + n, sizeof uri - (size_t)n, "x%d=1&", i);
    assert_int_equal(st_dl_parse(uri, (size_t)n, 0, &d, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "the limit is 64"));

    memset(uri, 'a', sizeof uri);
    memcpy(uri, "https://x/01/09520123456788?z=", 30);
    assert_int_equal(st_dl_parse(uri, ST_ID_MAX_INPUT + 1, 0, &d, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "the limit is 8192"));
    assert_int_equal(st_dl_parse(uri, ST_ID_MAX_INPUT, 0, &d, &err), ST_OK);

    assert_int_equal(st_dl_parse(NULL, 0, 0, &d, &err), ST_ERR_ARG);
    assert_int_equal(parse_str("https://x/01/09520123456788", 0, &d, NULL), ST_OK);
    assert_int_equal(parse_str("https://x/01/09520123456789", 0, &d, NULL), ST_ERR_CHECK_DIGIT);
    assert_int_equal(parse_str("https://x/01/0952012345678/21/1", 0, &d, NULL), ST_ERR_LENGTH);
}

static void test_is_uri(void **state)
{
    (void)state;
    assert_true(st_dl_is_uri("http://x", 8));
    assert_true(st_dl_is_uri("HtTpS://x", 9));
    assert_false(st_dl_is_uri("https:/x", 8));
    assert_false(st_dl_is_uri("https://", 7));
    assert_false(st_dl_is_uri("(01)09520123456788", 18));
    assert_false(st_dl_is_uri("httpx://", 8));
    assert_false(st_dl_is_uri(NULL, 0));
}

/* ---- building ---------------------------------------------------------------- */

static const struct build_ok {
    const char *elems; /* "01=...|10=..." in element order */
    const char *stem;
    unsigned flags;
    const char *expect; /* exact: the query follows element order */
} build_ok[] = {
    /* gs1-facts 3.6 */
    {"01=09520123456788", NULL, 0, "https://id.gs1.org/01/09520123456788"},
    {"01=09520123456788|10=ABC1|21=12345|17=180426", NULL, 0,
     "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"},
    {"01=09520123456788|17=201225|3103=000195|3922=0299", NULL, 0,
     "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299"},
    {"00=952012345678912345|02=09520123456788|37=25|10=ABC123", NULL, 0,
     "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123"},
    {"414=9520123456788|254=32a/b", NULL, 0, "https://id.gs1.org/414/9520123456788/254/32a%2Fb"},
    {"8004=9520614141234567|01=09520123456788", "https://example.com", 0,
     "https://example.com/8004/9520614141234567?01=09520123456788"},
    {"01=12312312312326|21=abc123", NULL, 0, "https://id.gs1.org/01/12312312312326/21/abc123"},
    /* gs1-facts 9.3 */
    {"01=12312312312333|10=ABC+123|99=XYZ+QWERTY", "https://example.com", 0,
     "https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY"},
    /* qualifiers in path order whatever the element order */
    {"21=12345|10=ABC1|01=09520123456788|22=V", NULL, 0,
     "https://id.gs1.org/01/09520123456788/22/V/10/ABC1/21/12345"},
    /* 10 and 235 cover one element each; only 235 leaves 10 placeable (query) */
    {"01=09520123456788|235=XYZ|10=ABC", NULL, 0,
     "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC"},
    {"01=09520123456788|10=ABC|235=XYZ", NULL, 0,
     "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC"},
    /* KEY_ONLY keeps the path the full form would have */
    {"01=09520123456788|10=ABC|235=XYZ|99=Q", NULL, ST_DL_KEY_ONLY,
     "https://id.gs1.org/01/09520123456788/235/XYZ"},
    {"01=09520123456788|10=ABC1|21=12345|17=180426", NULL, ST_DL_KEY_ONLY,
     "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345"},
    {"8004=9520614141234567|21=5", NULL, ST_DL_KEY_ONLY,
     "https://id.gs1.org/8004/9520614141234567"},
    /* brand stems; a trailing '/' is dropped */
    {"01=09520123456788|21=S", "https://brand.example/a/b/", 0,
     "https://brand.example/a/b/01/09520123456788/21/S"},
    {"01=09520123456788", "HTTP://x", 0, "HTTP://x/01/09520123456788"},
    /* every CSET 82 punctuation mark is escaped, unreserved ones are not */
    {"01=09520123456788|10=!\"%&'()*+,-./:;<=>?_", NULL, 0,
     "https://id.gs1.org/01/09520123456788/10/"
     "%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_"},
    {"01=09520123456788|99=a b~", NULL, 0, "https://id.gs1.org/01/09520123456788?99=a%20b~"},
    {"01=09520123456788|99=\xC3\xA9\x7F", NULL, 0,
     "https://id.gs1.org/01/09520123456788?99=%C3%A9%7F"},
    {"8010=0952012345678AB|8011=123|01=09520123456788", NULL, 0,
     "https://id.gs1.org/8010/0952012345678AB/8011/123?01=09520123456788"},
    {"414=9520123456788|7040=1AB2", NULL, 0, "https://id.gs1.org/414/9520123456788/7040/1AB2"},
};

static void test_build_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof build_ok / sizeof build_ok[0]; i++) {
        const struct build_ok *r = &build_ok[i];
        st_aidata d, back;
        st_error err;
        char uri[512];
        load(&d, r->elems);
        st_rc rc = st_dl_build(&d, r->stem, r->flags, uri, sizeof uri, &err);
        if (rc != ST_OK)
            fail_msg("%s: rc %d (%s)", r->elems, rc, err.msg);
        if (strcmp(uri, r->expect))
            fail_msg("%s: built %s, expected %s", r->elems, uri, r->expect);
        /* and the decoded set is the input set (all of it unless KEY_ONLY;
         * values outside CSET 82, space or non-ASCII, cannot be read back) */
        if (r->flags & ST_DL_KEY_ONLY || strpbrk(r->elems, " \x7F\xC3"))
            continue;
        rc = st_dl_parse(uri, strlen(uri), 0, &back, &err);
        if (rc != ST_OK)
            fail_msg("%s: reparse rc %d (%s)", uri, rc, err.msg);
        char a[1024], b[1024];
        elems_sorted(&d, a, sizeof a);
        elems_sorted(&back, b, sizeof b);
        assert_string_equal(a, b);
    }
}

static const struct build_bad {
    const char *elems;
    const char *stem;
    unsigned flags;
    size_t cap;
    st_rc rc;
    const char *msg;
    const char *ai;
} build_bad[] = {
    {"10=ABC|17=180426", NULL, 0, 256, ST_ERR_UNSUPPORTED, "no GS1 Digital Link primary key", ""},
    {"", NULL, 0, 256, ST_ERR_UNSUPPORTED, "no GS1 Digital Link primary key", ""},
    {"8004=9520614141234567|21=5", NULL, 0, 256, ST_ERR_UNSUPPORTED,
     "AI 21 cannot go in a Digital Link", "21"},
    /* 22 and 235 each cover one element and neither may be a query attribute */
    {"01=09520123456788|235=X|22=Y", NULL, 0, 256, ST_ERR_UNSUPPORTED,
     "AI 235 cannot go in a Digital Link", "235"},
    {"01=09520123456788|10=L|21=S|235=X", NULL, 0, 256, ST_ERR_UNSUPPORTED,
     "AI 235 cannot go in a Digital Link", "235"},
    {"01=09520123456788|10=ABC", NULL, 0, 40, ST_ERR_BUFFER, "does not fit in 40 bytes", ""},
    {"01=09520123456788|10=ABC", NULL, 0, 42, ST_ERR_BUFFER, "does not fit", ""},
    {"01=09520123456788", "ftp://x", 0, 256, ST_ERR_ARG, "stem", ""},
    {"01=09520123456788", "https://x?a=1", 0, 256, ST_ERR_ARG, "stem", ""},
};

static void test_build_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof build_bad / sizeof build_bad[0]; i++) {
        const struct build_bad *r = &build_bad[i];
        st_aidata d;
        st_error err;
        char uri[256];
        load(&d, r->elems);
        memset(uri, 'x', sizeof uri);
        st_rc rc = st_dl_build(&d, r->stem, r->flags, uri, r->cap, &err);
        if (rc != r->rc)
            fail_msg("%s: rc %d (%s), expected %d", r->elems, rc, err.msg, r->rc);
        if (!strstr(err.msg, r->msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", r->elems, err.msg, r->msg);
        assert_string_equal(err.ai, r->ai);
        assert_string_equal(uri, "");
    }
    /* exactly enough room */
    st_aidata d;
    char uri[64];
    load(&d, "01=09520123456788|10=ABC");
    const char *want = "https://id.gs1.org/01/09520123456788/10/ABC";
    assert_int_equal(st_dl_build(&d, NULL, 0, uri, strlen(want) + 1, NULL), ST_OK);
    assert_string_equal(uri, want);
    assert_int_equal(st_dl_build(&d, NULL, 0, uri, 0, NULL), ST_ERR_ARG);
}

/* ---- round trips ------------------------------------------------------------------ */

static const char *const round_trip[] = {
    "https://id.gs1.org/01/09520123456788",
    "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
    "https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299",
    "https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
    "https://id.gs1.org/414/9520123456788/254/32a%2Fb",
    "https://example.com/8004/9520614141234567?01=09520123456788",
    "https://id.gs1.org/01/12312312312326/21/abc123",
    "https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY",
    "http://EXAMPLE.com/some/stem/gtin/09520123456788/cpv/V/lot/L%2a/ser/S%2d?99=%21&17=180426",
    "https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC&99=x",
    "https://id.gs1.org/8006/095201234567880102/10/L/21/S",
    "https://example.com/gln/9520123456788/glnx/A%2fB#frag",
    "https://id.gs1.org/414/9520123456788/7040/1AB2",
    "https://id.gs1.org/8010/0952012345678AB/8011/123?01=09520123456788",
};

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const stems[] = {NULL, "https://example.com/a/b"};
    for (size_t i = 0; i < sizeof round_trip / sizeof round_trip[0]; i++) {
        for (size_t s = 0; s < 2; s++) {
            st_aidata d, back;
            st_error err;
            char uri[512], a[1024], b[1024];
            st_rc rc = parse_str(round_trip[i], 0, &d, &err);
            if (rc != ST_OK)
                fail_msg("%s: rc %d (%s)", round_trip[i], rc, err.msg);
            assert_int_equal(st_dl_build(&d, stems[s], 0, uri, sizeof uri, &err), ST_OK);
            rc = parse_str(uri, 0, &back, &err);
            if (rc != ST_OK)
                fail_msg("%s -> %s: rc %d (%s)", round_trip[i], uri, rc, err.msg);
            elems_sorted(&d, a, sizeof a);
            elems_sorted(&back, b, sizeof b);
            if (strcmp(a, b))
                fail_msg("%s -> %s: %s != %s", round_trip[i], uri, a, b);
            /* canonical output is a fixed point */
            char again[512];
            assert_int_equal(st_dl_build(&back, stems[s], 0, again, sizeof again, &err), ST_OK);
            assert_string_equal(uri, again);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),           cmocka_unit_test(test_parse_positions),
        cmocka_unit_test(test_parse_length_bound), cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_limits),       cmocka_unit_test(test_is_uri),
        cmocka_unit_test(test_build_ok),           cmocka_unit_test(test_build_bad),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
