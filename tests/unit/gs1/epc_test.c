/*
 * Tests for lib/gs1/epc.c: the §9.1 and §4.5 vectors in both directions
 * (URI -> AI data and AI data -> URI), every scheme and URI kind, escaping
 * (§4.3), patterns, and tables of bad input (input, code, message fragment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gs1/ai.h"
#include "gs1/epc.h"
#include "unit/gs1/epc_vectors.h"

/* URI -> st_epc -> AI data -> "(..)..", and "(..).." -> AI data -> st_epc -> URI. */
static void check_both_ways(const char *uri, int kind, const char *hri, int gcp_len)
{
    st_epc e;
    st_error err;
    st_aidata d;
    char out[512];

    st_rc rc = st_epc_parse_uri(uri, strlen(uri), &e, &err);
    if (rc)
        fail_msg("%s: %s", uri, err.msg);
    st_ai_init(&d);
    rc = st_epc_to_ai(&e, &d, &err);
    if (rc)
        fail_msg("%s to AI: %s", uri, err.msg);
    rc = st_ai_validate(&d, &err);
    if (rc)
        fail_msg("%s to AI: invalid AI data: %s", uri, err.msg);
    assert_int_equal(st_ai_to_hri(&d, out, sizeof out), ST_OK);
    if (strcmp(out, hri))
        fail_msg("%s gave %s; wanted %s", uri, out, hri);

    rc = st_ai_parse(hri, strlen(hri), &d, &err);
    if (rc)
        fail_msg("%s: %s", hri, err.msg);
    rc = st_epc_from_ai(&d, gcp_len, &e, &err);
    if (rc)
        fail_msg("%s from AI: %s", hri, err.msg);
    assert_int_equal(e.kind, kind);
    assert_int_equal(st_epc_gcp_len(&e), gcp_len);
    assert_int_equal(st_epc_format_uri(&e, kind, out, sizeof out), ST_OK);
    if (strcmp(out, uri))
        fail_msg("%s gave %s; wanted %s", hri, out, uri);
}

/* §9.1: tag URI -> pure identity -> element string, and back. */
static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < EPC_NVECTORS; i++) {
        const epc_vector *v = &epc_vectors[i];
        st_epc e;
        st_error err;
        char out[256];
        st_rc rc = st_epc_parse_uri(v->tag, strlen(v->tag), &e, &err);
        if (rc)
            fail_msg("%s: %s", v->tag, err.msg);
        assert_int_equal(e.kind, ST_EPC_KIND_TAG);
        assert_int_equal(e.filter, v->filter);
        assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_TAG, out, sizeof out), ST_OK);
        assert_string_equal(out, v->tag);
        assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_OK);
        assert_string_equal(out, v->id);
        check_both_ways(v->id, ST_EPC_KIND_ID, v->hri, v->gcp_len);
    }
}

/* §4.5, plus one row for each other scheme. */
static void test_conversions(void **state)
{
    (void)state;
    static const struct {
        const char *hri;
        int gcp_len;
        const char *uri;
        int kind;
    } rows[] = {
        {"(01)80614141123458(21)6789", 7, "urn:epc:id:sgtin:0614141.812345.6789", ST_EPC_KIND_ID},
        {"(00)106141412345678908", 7, "urn:epc:id:sscc:0614141.1234567890", ST_EPC_KIND_ID},
        {"(414)0614141123452(254)400", 7, "urn:epc:id:sgln:0614141.12345.400", ST_EPC_KIND_ID},
        {"(8003)00614141123452400", 7, "urn:epc:id:grai:0614141.12345.400", ST_EPC_KIND_ID},
        {"(8004)061414112345400", 7, "urn:epc:id:giai:0614141.12345400", ST_EPC_KIND_ID},
        {"(253)0614141123452ABCD1234/", 7, "urn:epc:id:gdti:0614141.12345.ABCD1234%2F",
         ST_EPC_KIND_ID},
        {"(01)85071219236581(21).%:.13&", 11, "urn:epc:id:sgtin:50712192365.88..%25:.13%26",
         ST_EPC_KIND_ID},
        {"(01)00000095010939(21)Serial", 8, "urn:epc:id:sgtin:00000950.01093.Serial",
         ST_EPC_KIND_ID},
        {"(01)04012345123456(10)Lot987", 7, "urn:epc:class:lgtin:4012345.012345.Lot987",
         ST_EPC_KIND_CLASS},
        /* 12-digit company prefixes: empty references ("..") and 1-digit ones */
        {"(414)0614111234560(254)01", 12, "urn:epc:id:sgln:061411123456..01", ST_EPC_KIND_ID},
        {"(414)0614111234560", 12, "urn:epc:id:sgln:061411123456..0", ST_EPC_KIND_ID},
        {"(8003)00614111234560S1", 12, "urn:epc:id:grai:061411123456..S1", ST_EPC_KIND_ID},
        {"(01)70614111234569(21)X", 12, "urn:epc:id:sgtin:061411123456.7.X", ST_EPC_KIND_ID},
        {"(00)306141112345612349", 12, "urn:epc:id:sscc:061411123456.31234", ST_EPC_KIND_ID},
        {"(417)0614141123452", 7, "urn:epc:id:pgln:0614141.12345", ST_EPC_KIND_ID},
        {"(8018)061414112345678902", 7, "urn:epc:id:gsrn:0614141.1234567890", ST_EPC_KIND_ID},
        {"(8017)061414112345678902", 7, "urn:epc:id:gsrnp:0614141.1234567890", ST_EPC_KIND_ID},
        {"(255)06141411234525678", 7, "urn:epc:id:sgcn:0614141.12345.5678", ST_EPC_KIND_ID},
        {"(255)061414112345205678", 7, "urn:epc:id:sgcn:0614141.12345.05678", ST_EPC_KIND_ID},
        {"(8010)06141415PQ7/Z43(8011)12345", 7, "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345",
         ST_EPC_KIND_ID},
        {"(8010)0614141-#9(8011)7", 7, "urn:epc:id:cpi:0614141.-%239.7", ST_EPC_KIND_ID},
        {"(8006)806141411234580102(21)6789", 7, "urn:epc:id:itip:0614141.812345.01.02.6789",
         ST_EPC_KIND_ID},
        {"(01)80614141123458(235)51qIgY)<&Jp3*j7'SDB", 7,
         "urn:epc:id:upui:0614141.812345.51qIgY)%3C%26Jp3*j7'SDB", ST_EPC_KIND_ID},
        {"(401)0614141xyz47/11", 7, "urn:epc:id:ginc:0614141.xyz47%2F11", ST_EPC_KIND_ID},
        {"(402)06141411234567890", 7, "urn:epc:id:gsin:0614141.123456789", ST_EPC_KIND_ID},
        {"(01)80614141123458(21)!\"%&'\\()*+,-./:;<=>?_", 7,
         "urn:epc:id:sgtin:0614141.812345.!%22%25%26'()*+,-.%2F:;%3C=%3E%3F_", ST_EPC_KIND_ID},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_both_ways(rows[i].uri, rows[i].kind, rows[i].hri, rows[i].gcp_len);
}

/* URIs that parse; canon is what st_epc_format_uri writes back (NULL: the input). */
static void test_good_uris(void **state)
{
    (void)state;
    static const struct {
        const char *uri;
        int kind;
        unsigned wild;
        const char *canon;
    } rows[] = {
        {"urn:epc:idpat:sgtin:0614141.812345.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_SER, NULL},
        {"urn:epc:idpat:sgtin:0614141.*.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_REF | ST_EPC_WILD_SER,
         NULL},
        {"urn:epc:idpat:sgtin:*.*.*", ST_EPC_KIND_IDPAT,
         ST_EPC_WILD_CP | ST_EPC_WILD_REF | ST_EPC_WILD_SER, NULL},
        {"urn:epc:idpat:sgtin:0614141.812345.6789", ST_EPC_KIND_IDPAT, 0, NULL},
        {"urn:epc:idpat:sscc:0614141.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_REF, NULL},
        {"urn:epc:idpat:sscc:*.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_CP | ST_EPC_WILD_REF, NULL},
        {"urn:epc:idpat:sgln:061411123456..*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_SER, NULL},
        {"urn:epc:idpat:grai:0614141.12345.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_SER, NULL},
        {"urn:epc:idpat:giai:0614141.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_REF, NULL},
        {"urn:epc:idpat:gdti:0614141.*.*", ST_EPC_KIND_IDPAT, ST_EPC_WILD_REF | ST_EPC_WILD_SER,
         NULL},
        {"urn:epc:idpat:itip:0614141.812345.*.*.*", ST_EPC_KIND_IDPAT,
         ST_EPC_WILD_PIECE | ST_EPC_WILD_TOTAL | ST_EPC_WILD_SER, NULL},
        {"urn:epc:idpat:sgtin:0614141.812345.a*", ST_EPC_KIND_IDPAT, 0, NULL},
        /* '*' is an ordinary CSET 82 character outside patterns */
        {"urn:epc:id:sgtin:0614141.812345.*", ST_EPC_KIND_ID, 0, NULL},
        {"urn:epc:class:lgtin:4012345.012345.Lot987", ST_EPC_KIND_CLASS, 0, NULL},
        {"urn:epc:class:lgtin:4012345.012345.L.o.t", ST_EPC_KIND_CLASS, 0, NULL},
        /* the last component runs to the end and may hold dots */
        {"urn:epc:id:sgtin:0614141.812345.1.2.3", ST_EPC_KIND_ID, 0, NULL},
        /* escapes with lower-case hex are read, and written in upper case */
        {"urn:epc:id:sgtin:0614141.812345.a%2fb%3c", ST_EPC_KIND_ID, 0,
         "urn:epc:id:sgtin:0614141.812345.a%2Fb%3C"},
        {"URN:EPC:id:sgtin:0614141.812345.6789", ST_EPC_KIND_ID, 0,
         "urn:epc:id:sgtin:0614141.812345.6789"},
        {"urn:epc:id:sgtin:0614141.812345.12345678901234567890", ST_EPC_KIND_ID, 0, NULL},
        {"urn:epc:id:giai:061414.ABCDEFGHIJKLMNOPQRSTUVWX", ST_EPC_KIND_ID, 0, NULL},
        {"urn:epc:id:upui:0614141.812345.1234567890123456789012345678", ST_EPC_KIND_ID, 0, NULL},
        {"urn:epc:tag:sgtin-198:3.0614141.812345.abc", ST_EPC_KIND_TAG, 0, NULL},
        {"urn:epc:tag:sgtin-96:0.0614141.812345.0", ST_EPC_KIND_TAG, 0, NULL},
        {"urn:epc:tag:sgln-96:7.061411123456..2199023255551", ST_EPC_KIND_TAG, 0, NULL},
        {"urn:epc:tag:giai-96:0.061414.4611686018427387903", ST_EPC_KIND_TAG, 0, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_epc e;
        st_error err;
        char out[256];
        st_rc rc = st_epc_parse_uri(rows[i].uri, strlen(rows[i].uri), &e, &err);
        if (rc)
            fail_msg("row %zu %s: %s", i, rows[i].uri, err.msg);
        assert_int_equal(e.kind, rows[i].kind);
        assert_int_equal(e.wild, rows[i].wild);
        assert_int_equal(st_epc_format_uri(&e, rows[i].kind, out, sizeof out), ST_OK);
        assert_string_equal(out, rows[i].canon ? rows[i].canon : rows[i].uri);
    }

    /* decoded values */
    st_epc e;
    const char *u = "urn:epc:id:sgtin:50712192365.88..%25:.13%26";
    assert_int_equal(st_epc_parse_uri(u, strlen(u), &e, NULL), ST_OK);
    assert_string_equal(e.ser, ".%:.13&");
    assert_int_equal(e.ser_len, 7);
    assert_string_equal(e.cp, "50712192365");
    assert_string_equal(e.ref, "88");
    assert_int_equal(e.filter, -1);
    assert_int_equal(e.tag_bits, 0);
    u = "urn:epc:id:sgln:061411123456..01";
    assert_int_equal(st_epc_parse_uri(u, strlen(u), &e, NULL), ST_OK);
    assert_int_equal(e.ref_len, 0);
    assert_string_equal(e.ref, "");
    assert_string_equal(e.ser, "01");
    u = "urn:epc:idpat:sgtin:*.*.*";
    assert_int_equal(st_epc_parse_uri(u, strlen(u), &e, NULL), ST_OK);
    assert_int_equal(st_epc_gcp_len(&e), 0);
    assert_string_equal(st_epc_scheme_name(e.scheme), "sgtin");
    assert_string_equal(st_epc_scheme_name(0), "?");
    assert_string_equal(st_epc_scheme_name(ST_EPC_SCHEME_COUNT), "?");
}

static void test_bad_uris(void **state)
{
    (void)state;
    static const struct {
        const char *uri;
        st_rc rc;
        long pos;
        const char *msg;
    } rows[] = {
        {"", ST_ERR_SYNTAX, 0, "starts with \"urn:epc:\""},
        {"urn:epc", ST_ERR_SYNTAX, 0, "starts with"},
        {"urn:isbn:0451450523", ST_ERR_SYNTAX, 0, "starts with"},
        {"urn:epc:foo:sgtin:0614141.812345.6789", ST_ERR_SYNTAX, 8, "expected id:, class:"},
        {"urn:epc:pat:sgtin-96:3.0614141.812345.*", ST_ERR_UNSUPPORTED, 8, "urn:epc:pat:"},
        {"urn:epc:raw:96.x3074257BF7194E4000001A85", ST_ERR_UNSUPPORTED, 8, "raw"},
        {"urn:epc:id:sgtin", ST_ERR_SYNTAX, 16, "expected ':' after the scheme name"},
        {"urn:epc:id:xyz:1.2", ST_ERR_SYNTAX, 11, "unknown EPC scheme \"xyz\""},
        {"urn:epc:id:SGTIN:0614141.812345.6789", ST_ERR_SYNTAX, 11, "unknown EPC scheme"},
        {"urn:epc:class:sgtin:0614141.812345.6789", ST_ERR_UNSUPPORTED, 14, "lgtin only"},
        {"urn:epc:id:lgtin:4012345.012345.Lot987", ST_ERR_SYNTAX, 11, "lgtin is a class"},
        {"urn:epc:idpat:lgtin:4012345.012345.*", ST_ERR_SYNTAX, 14, "lgtin is a class"},
        {"urn:epc:id:sgtin:0614141.812345", ST_ERR_SYNTAX, 31, "expected '.' after the reference"},
        {"urn:epc:id:sgtin:0614141", ST_ERR_SYNTAX, 24, "expected '.' after the company prefix"},
        {"urn:epc:id:sgtin:0614141.81234.6789", ST_ERR_LENGTH, 25,
         "13 digits together; found 7 + 5"},
        {"urn:epc:id:sgtin:061414.812345.6789", ST_ERR_LENGTH, 24, "found 6 + 6"},
        {"urn:epc:id:sgtin:06141.8123456.6789", ST_ERR_LENGTH, 17,
         "company prefix has 5 digits; it must have 6 to 12"},
        {"urn:epc:id:sgtin:0614141234567.0.6789", ST_ERR_LENGTH, 17, "13 digits; at most 12"},
        {"urn:epc:id:sgtin:.812345.6789", ST_ERR_LENGTH, 17, "company prefix has 0 digits"},
        {"urn:epc:id:sgtin:061414A.812345.6789", ST_ERR_CHARSET, 23,
         "company prefix: 'A' at offset 23 is not a digit"},
        {"urn:epc:id:sgtin:0614141.8123-5.6789", ST_ERR_CHARSET, 29, "'-' at offset 29"},
        {"urn:epc:id:sgtin:0614141.812345.", ST_ERR_LENGTH, 32, "serial is empty"},
        {"urn:epc:id:sgtin:0614141.812345.123456789012345678901", ST_ERR_LENGTH, 32,
         "serial is longer than 20 characters"},
        {"urn:epc:id:sgtin:0614141.812345.ab#c", ST_ERR_CHARSET, 34,
         "serial: '#' at offset 34 is never valid"},
        {"urn:epc:id:sgtin:0614141.812345.ab c", ST_ERR_CHARSET, 34, "byte 0x20"},
        {"urn:epc:id:sgtin:0614141.812345.ab/c", ST_ERR_CHARSET, 34, "must be escaped as %2F"},
        {"urn:epc:id:sgtin:0614141.812345.ab?c", ST_ERR_CHARSET, 34, "must be escaped as %3F"},
        {"urn:epc:id:sgtin:0614141.812345.ab\"c", ST_ERR_CHARSET, 34, "must be escaped as %22"},
        {"urn:epc:id:sgtin:0614141.812345.100%", ST_ERR_SYNTAX, 35, "does not start an escape"},
        {"urn:epc:id:sgtin:0614141.812345.ab%41", ST_ERR_CHARSET, 34,
         "escape %41 at offset 34 is not allowed; only %22 %25 %26 %2F %3C %3E %3F are"},
        {"urn:epc:id:sgtin:0614141.812345.ab%2", ST_ERR_SYNTAX, 34, "does not start an escape"},
        {"urn:epc:id:sgtin:0614141.812345.ab%zz", ST_ERR_SYNTAX, 34, "does not start an escape"},
        {"urn:epc:id:sgtin:0614141.812345.ab%23", ST_ERR_CHARSET, 34, "escape %23"},
        {"urn:epc:id:sgtin:0614141.812345.ab%20", ST_ERR_CHARSET, 34, "escape %20"},
        {"urn:epc:id:sgtin:0614141.812345.ab\x01", ST_ERR_CHARSET, 34, "byte 0x01"},
        {"urn:epc:id:sgtin:0614141.812345.ab~", ST_ERR_CHARSET, 34, "'~' at offset 34"},
        {"urn:epc:id:sgtin:0614141.812345.\xc3\xa9", ST_ERR_CHARSET, 32, "byte 0xC3"},
        {"urn:epc:id:sscc:0614141.123456789", ST_ERR_LENGTH, 24, "17 digits together"},
        {"urn:epc:id:sscc:0614141.1234567890.1", ST_ERR_CHARSET, 34,
         "extension and serial reference: '.' at offset 34 is not a digit"},
        {"urn:epc:id:sgln:0614141.12345", ST_ERR_SYNTAX, 29, "sgln has 3 components"},
        {"urn:epc:id:sgln:061411123456.0.1", ST_ERR_LENGTH, 29, "found 12 + 1"},
        {"urn:epc:id:grai:0614141.12345.", ST_ERR_LENGTH, 30, "serial is empty"},
        {"urn:epc:id:grai:0614141.12345.12345678901234567", ST_ERR_LENGTH, 30, "longer than 16"},
        {"urn:epc:id:gdti:0614141.12345.123456789012345678", ST_ERR_LENGTH, 30, "longer than 17"},
        {"urn:epc:id:giai:0614141.", ST_ERR_LENGTH, 24, "individual asset reference is empty"},
        {"urn:epc:id:giai:0614141.12345678901234567890123a", ST_ERR_LENGTH, 24,
         "longer than 23 characters"},
        {"urn:epc:id:cpi:0614141.5pq.1", ST_ERR_CHARSET, 24, "part reference: 'p'"},
        {"urn:epc:id:cpi:0614141.5PQ%26.1", ST_ERR_CHARSET, 26, "only %23 and %2F are"},
        {"urn:epc:id:cpi:0614141.5PQ/.1", ST_ERR_CHARSET, 26, "must be escaped as %2F"},
        {"urn:epc:id:cpi:0614141.5PQ.012", ST_ERR_SYNTAX, 27, "leading zero"},
        {"urn:epc:id:cpi:0614141.5PQ.1234567890123", ST_ERR_LENGTH, 27, "at most 12"},
        {"urn:epc:id:sgcn:0614141.12345.12A", ST_ERR_CHARSET, 32, "not a digit"},
        {"urn:epc:id:itip:0614141.812345.03.02.1", ST_ERR_RANGE, 34, "piece 03 of total 02"},
        {"urn:epc:id:itip:0614141.812345.00.02.1", ST_ERR_RANGE, 34, "piece 00"},
        {"urn:epc:id:itip:0614141.812345.1.02.1", ST_ERR_LENGTH, 31,
         "piece number must be 2 digits"},
        {"urn:epc:id:gsin:0614141.12345678", ST_ERR_LENGTH, 24, "16 digits together"},
        {"urn:epc:idpat:sgtin:0614141.*.6789", ST_ERR_SYNTAX, 30, "after a '*' every component"},
        {"urn:epc:idpat:sgtin:*.812345.*", ST_ERR_SYNTAX, 22, "after a '*'"},
        {"urn:epc:idpat:sgtin:0614141.*", ST_ERR_SYNTAX, 29, "expected '.' after the reference"},
        {"urn:epc:idpat:sgtin:06141.*.*", ST_ERR_LENGTH, 20, "company prefix has 5 digits"},
        {"urn:epc:tag:sgtin-96:8.0614141.812345.6789", ST_ERR_SYNTAX, 21, "filter value (0 to 7)"},
        {"urn:epc:tag:sgtin-96:0614141.812345.6789", ST_ERR_SYNTAX, 21, "filter value"},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.0123", ST_ERR_RANGE, 38,
         "serial \"0123\" has a leading zero, which sgtin-96 cannot hold: use sgtin-198"},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.274877906944", ST_ERR_RANGE, 38,
         "does not fit the 38 bits of sgtin-96 (at most 274877906943): use sgtin-198"},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.*", ST_ERR_RANGE, 38, "is not a number"},
        {"urn:epc:tag:sgln-96:3.0614141.12345.01", ST_ERR_RANGE, 36, "use sgln-195"},
        {"urn:epc:tag:giai-96:1.0614141.A1", ST_ERR_RANGE, 30, "use giai-202"},
        {"urn:epc:tag:grai-96:1.0614141.12345.274877906944", ST_ERR_RANGE, 36, "use grai-170"},
        {"urn:epc:tag:gdti-96:1.0614141.12345.2199023255552", ST_ERR_RANGE, 36, "use gdti-174"},
        {"urn:epc:tag:gid-96:0.1.2.3", ST_ERR_UNSUPPORTED, 12, "tag scheme \"gid-96\""},
        {"urn:epc:tag:SGTIN-96:3.0614141.812345.6789", ST_ERR_UNSUPPORTED, 12, "SGTIN-96"},
        {"urn:epc:tag:sgtin:3.0614141.812345.6789", ST_ERR_UNSUPPORTED, 12, "supported: sgtin-96"},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.", ST_ERR_LENGTH, 38, "serial is empty"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_epc e;
        st_error err;
        st_error_clear(&err);
        st_rc rc = st_epc_parse_uri(rows[i].uri, strlen(rows[i].uri), &e, &err);
        if (rc != rows[i].rc || !strstr(err.msg, rows[i].msg) || err.position != rows[i].pos)
            fail_msg("row %zu \"%s\": rc %d at %ld \"%s\"; wanted rc %d at %ld \"%s\"", i,
                     rows[i].uri, rc, err.position, err.msg, rows[i].rc, rows[i].pos, rows[i].msg);
        assert_int_equal(err.rc, rc);
    }

    /* "**" in a pattern is a literal serial, not a wildcard */
    st_epc e;
    const char *u = "urn:epc:idpat:sgtin:0614141.812345.**";
    assert_int_equal(st_epc_parse_uri(u, strlen(u), &e, NULL), ST_OK);
    assert_int_equal(e.wild, 0);
    assert_string_equal(e.ser, "**");

    /* the input cap */
    static char big[ST_ID_MAX_INPUT + 2];
    memset(big, '1', sizeof big);
    memcpy(big, "urn:epc:id:giai:0614141.", 24);
    st_error err;
    assert_int_equal(st_epc_parse_uri(big, sizeof big - 1, &e, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "the limit is 8192"));
    assert_int_equal(st_epc_parse_uri(NULL, 0, &e, &err), ST_ERR_ARG);
}

/* Input is not NUL-terminated: nothing beyond n is read or kept. */
static void test_not_terminated(void **state)
{
    (void)state;
    const char *buf = "urn:epc:id:sgtin:0614141.812345.6789XYZ";
    st_epc e;
    char out[128];
    assert_int_equal(st_epc_parse_uri(buf, strlen(buf) - 3, &e, NULL), ST_OK);
    assert_string_equal(e.ser, "6789");
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_OK);
    assert_string_equal(out, "urn:epc:id:sgtin:0614141.812345.6789");
    /* every prefix of a valid URI, in a heap block of exactly its size (ASan
     * catches a read past it), fails cleanly or is itself a valid URI */
    const char *full = "urn:epc:tag:sgtin-198:1.50712192365.88..%25:.13%26";
    size_t n = strlen(full), ok = 0;
    for (size_t k = 0; k < n; k++) {
        char *copy = malloc(k ? k : 1);
        assert_non_null(copy);
        memcpy(copy, full, k);
        if (st_epc_parse_uri(copy, k, &e, NULL) == ST_OK) {
            ok++;
            assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_TAG, out, sizeof out), ST_OK);
            assert_int_equal(strlen(out), k);
            assert_memory_equal(out, full, k);
        }
        free(copy);
    }
    assert_int_equal(ok, 6); /* serials ".", ".%25", ".%25:", ".%25:.", ".%25:.1", ".%25:.13" */
}

static void test_format(void **state)
{
    (void)state;
    st_epc e;
    char out[128];
    const char *id = "urn:epc:id:sgtin:0614141.812345.6789";
    assert_int_equal(st_epc_parse_uri(id, strlen(id), &e, NULL), ST_OK);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_IDPAT, out, sizeof out), ST_OK);
    assert_string_equal(out, "urn:epc:idpat:sgtin:0614141.812345.6789");
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_CLASS, out, sizeof out), ST_ERR_UNSUPPORTED);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_TAG, out, sizeof out), ST_ERR_UNSUPPORTED);
    assert_int_equal(st_epc_format_uri(&e, 9, out, sizeof out), ST_ERR_ARG);
    assert_int_equal(st_epc_format_uri(&e, 0, out, sizeof out), ST_ERR_ARG);
    /* a tag written as a tag with no filter uses 0 */
    e.tag_bits = 96;
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_TAG, out, sizeof out), ST_OK);
    assert_string_equal(out, "urn:epc:tag:sgtin-96:0.0614141.812345.6789");
    /* buffers: exactly enough, one short (truncated, still terminated) */
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, strlen(id) + 1), ST_OK);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, strlen(id)), ST_ERR_BUFFER);
    assert_int_equal(strlen(out) < strlen(id), 1);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, 0), ST_ERR_BUFFER);

    const char *cls = "urn:epc:class:lgtin:4012345.012345.Lot987";
    assert_int_equal(st_epc_parse_uri(cls, strlen(cls), &e, NULL), ST_OK);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_ERR_UNSUPPORTED);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_IDPAT, out, sizeof out), ST_ERR_UNSUPPORTED);

    const char *pat = "urn:epc:idpat:sgtin:0614141.*.*";
    assert_int_equal(st_epc_parse_uri(pat, strlen(pat), &e, NULL), ST_OK);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_ERR_UNSUPPORTED);

    memset(&e, 0, sizeof e);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_ERR_ARG);
    assert_int_equal(st_epc_format_uri(NULL, ST_EPC_KIND_ID, out, sizeof out), ST_ERR_ARG);
}

static void test_to_ai_errors(void **state)
{
    (void)state;
    st_epc e;
    st_error err;
    st_aidata d;
    const char *pat = "urn:epc:idpat:sgtin:0614141.812345.*";
    assert_int_equal(st_epc_parse_uri(pat, strlen(pat), &e, NULL), ST_OK);
    st_ai_init(&d);
    assert_int_equal(st_epc_to_ai(&e, &d, &err), ST_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "pattern"));
    assert_int_equal(d.n, 0);

    /* d is appended to: a second, different GTIN is st_ai_add's rule error */
    const char *a = "urn:epc:id:sgtin:0614141.812345.6789";
    const char *b = "urn:epc:id:sgtin:0614141.712345.6789";
    assert_int_equal(st_epc_parse_uri(a, strlen(a), &e, NULL), ST_OK);
    assert_int_equal(st_epc_to_ai(&e, &d, &err), ST_OK);
    assert_int_equal(st_epc_to_ai(&e, &d, &err), ST_OK); /* same values: dropped */
    assert_int_equal(d.n, 2);
    assert_int_equal(st_epc_parse_uri(b, strlen(b), &e, NULL), ST_OK);
    assert_int_equal(st_epc_to_ai(&e, &d, &err), ST_ERR_RULE);

    /* tag URIs become the same AI data as their pure identity */
    const char *t = "urn:epc:tag:sgln-195:1.0614141.12345.0";
    assert_int_equal(st_epc_parse_uri(t, strlen(t), &e, NULL), ST_OK);
    st_ai_init(&d);
    assert_int_equal(st_epc_to_ai(&e, &d, &err), ST_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(st_ai_get(&d, "414"), "0614141123452");
    assert_int_equal(st_epc_to_ai(NULL, &d, &err), ST_ERR_ARG);
}

static void test_from_ai(void **state)
{
    (void)state;
    static const struct {
        const char *hri;
        int gcp_len;
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"(01)80614141123458", 7, ST_ERR_UNSUPPORTED, "product class, not an EPC"},
        {"(01)80614141123458(17)251231", 7, ST_ERR_UNSUPPORTED, "without a serial (21)"},
        {"(01)80614141123458(21)6789", 0, ST_ERR_GCP_UNKNOWN, "needed to write (01) as an EPC"},
        {"(01)80614141123458(21)6789", 5, ST_ERR_UNSUPPORTED, "6 to 12 digits; this one has 5"},
        {"(01)80614141123458(21)6789", 13, ST_ERR_ARG, "not 0 to 12"},
        {"(01)80614141123458(21)6789", -1, ST_ERR_ARG, "not 0 to 12"},
        {"(8003)00614141123452", 7, ST_ERR_UNSUPPORTED, "(8003) without a serial"},
        {"(253)0614141123452", 7, ST_ERR_UNSUPPORTED, "(253) without a serial"},
        {"(255)0614141123452", 7, ST_ERR_UNSUPPORTED, "(255) without a serial"},
        {"(8010)0614141ABC", 7, ST_ERR_UNSUPPORTED, "without a serial (8011)"},
        {"(8006)806141411234580102", 7, ST_ERR_UNSUPPORTED, "ITIP (8006) without a serial"},
        {"(8004)0614141", 7, ST_ERR_LENGTH, "a reference need more"},
        {"(8004)06141A112345", 7, ST_ERR_CHARSET, "company prefix character 6"},
        {"(8004)061414112345", 12, ST_ERR_LENGTH, "a reference need more"},
        {"(400)PO-4711", 7, ST_ERR_UNSUPPORTED, "no AI here identifies an EPC"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_aidata d;
        st_epc e;
        st_error err;
        st_rc rc = st_ai_parse(rows[i].hri, strlen(rows[i].hri), &d, &err);
        if (rc)
            fail_msg("row %zu %s: %s", i, rows[i].hri, err.msg);
        st_error_clear(&err);
        rc = st_epc_from_ai(&d, rows[i].gcp_len, &e, &err);
        if (rc != rows[i].rc || !strstr(err.msg, rows[i].msg))
            fail_msg("row %zu %s: rc %d \"%s\"; wanted rc %d \"%s\"", i, rows[i].hri, rc, err.msg,
                     rows[i].rc, rows[i].msg);
    }

    /* unvalidated data (st_ai_parse_only) is still checked */
    static const struct {
        const char *hri;
        st_rc rc;
        const char *msg;
    } raw[] = {
        {"(01)80614141123459(21)1", ST_ERR_CHECK_DIGIT, "check digit is 9, expected 8"},
        {"(01)8061414112345(21)1", ST_ERR_LENGTH, "(01) must hold 14 digits; found 13"},
        {"(01)8061414112345X(21)1", ST_ERR_CHARSET, "character 14 is not a digit"},
        {"(8003)10614141123452A", ST_ERR_SYNTAX, "must start with 0"},
        {"(00)1061414123456789080", ST_ERR_LENGTH, "(00) must hold 18 digits; found 19"},
        {"(01)80614141123458(21)a b", ST_ERR_CHARSET, "serial: byte 0x20"},
        {"(8010)0614141abc(8011)1", ST_ERR_CHARSET, "part reference: 'a'"},
        {"(8010)0614141ABC(8011)01", ST_ERR_SYNTAX, "leading zero"},
        {"(255)06141411234521234567890123", ST_ERR_LENGTH, "1 to 12 characters; found 13"},
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        st_aidata d;
        st_epc e;
        st_error err;
        st_rc rc = st_ai_parse_only(raw[i].hri, strlen(raw[i].hri), &d, &err);
        if (rc)
            fail_msg("raw row %zu %s: %s", i, raw[i].hri, err.msg);
        st_error_clear(&err);
        rc = st_epc_from_ai(&d, 7, &e, &err);
        if (rc != raw[i].rc || !strstr(err.msg, raw[i].msg))
            fail_msg("raw row %zu %s: rc %d \"%s\"; wanted rc %d \"%s\"", i, raw[i].hri, rc,
                     err.msg, raw[i].rc, raw[i].msg);
    }

    /* a serial wins over a lot; the key is the first key AI in the data */
    st_aidata d;
    st_epc e;
    char out[128];
    const char *both = "(01)80614141123458(10)L1(21)6789";
    assert_int_equal(st_ai_parse(both, strlen(both), &d, NULL), ST_OK);
    assert_int_equal(st_epc_from_ai(&d, 7, &e, NULL), ST_OK);
    assert_int_equal(st_epc_format_uri(&e, ST_EPC_KIND_ID, out, sizeof out), ST_OK);
    assert_string_equal(out, "urn:epc:id:sgtin:0614141.812345.6789");
    const char *two = "(00)106141412345678908(401)0614141xyz";
    assert_int_equal(st_ai_parse(two, strlen(two), &d, NULL), ST_OK);
    assert_int_equal(st_epc_from_ai(&d, 7, &e, NULL), ST_OK);
    assert_int_equal(e.scheme, ST_EPC_SSCC);
    assert_int_equal(st_epc_from_ai(NULL, 7, &e, NULL), ST_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_good_uris),      cmocka_unit_test(test_bad_uris),
        cmocka_unit_test(test_not_terminated), cmocka_unit_test(test_format),
        cmocka_unit_test(test_to_ai_errors),   cmocka_unit_test(test_from_ai),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
