/*
 * Tests for lib/gs1/id.c (the public identifier API) and lib/gs1/key.c:
 * form detection, one key per object across forms, derived forms, the
 * company prefix rules, encoding, and the façade's own errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "gs1/ai.h"
#include "gs1/key.h"

static st_id *parse(const char *s, const st_id_opts *o)
{
    st_id *id = NULL;
    st_error err;
    st_rc rc = st_id_parse(s, strlen(s), o, &id, &err);
    if (rc)
        print_error("%s: %s\n", s, err.msg);
    assert_int_equal(rc, ST_OK);
    return id;
}

static void test_one_key_many_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        st_id_format fmt;
    } rows[] = {
        {"(01)80614141123458(21)6789(17)261231", ST_ID_ELEMENT_STRING},
        {"]d20180614141123458216789", ST_ID_ELEMENT_STRING},
        {"]Q1https://example.com/01/80614141123458/21/6789", ST_ID_DIGITAL_LINK},
        {"https://id.gs1.org/01/80614141123458/10/L1/21/6789?17=261231", ST_ID_DIGITAL_LINK},
        {"urn:epc:id:sgtin:0614141.812345.6789", ST_ID_EPC_URI},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.6789", ST_ID_EPC_TAG_URI},
        {"3074257BF7194E4000001A85", ST_ID_EPC_HEX},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_id *id = parse(rows[i].in, NULL);
        assert_int_equal(st_id_format_of(id), rows[i].fmt);
        assert_string_equal(st_id_key(id), "https://id.gs1.org/01/80614141123458/21/6789");
        assert_string_equal(st_id_get(id, "21"), "6789");
        st_id_destroy(id);
    }
    assert_string_equal(st_id_format_name(ST_ID_EPC_HEX), "epc-hex");
    assert_string_equal(st_id_format_name((st_id_format)99), "unknown");
}

static void test_keys(void **state)
{
    (void)state;
    static const struct {
        const char *in, *key;
    } rows[] = {
        {"(01)09520123456788", "https://id.gs1.org/01/09520123456788"},
        {"(01)09520123456788(10)ABC(17)251231", "https://id.gs1.org/01/09520123456788/10/ABC"},
        {"(01)09520123456788(22)V1(10)L(21)S", "https://id.gs1.org/01/09520123456788/21/S"},
        {"(01)09520123456788(235)TPX1", "https://id.gs1.org/01/09520123456788/235/TPX1"},
        {"(00)106141412345678908(02)09520123456788(37)5",
         "https://id.gs1.org/00/106141412345678908"},
        {"(414)0614141123452(254)32a/b", "https://id.gs1.org/414/0614141123452/254/32a%2Fb"},
        {"(8004)061414112345400(01)09520123456788", "https://id.gs1.org/8004/061414112345400"},
        {"(8003)00614141123452400", "https://id.gs1.org/8003/00614141123452400"},
        {"02345673", "https://id.gs1.org/01/00000002345673"},
        {"416000336108", "https://id.gs1.org/01/00416000336108"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_id *id = parse(rows[i].in, NULL);
        assert_string_equal(st_id_key(id), rows[i].key);
        st_id_destroy(id);
    }
    st_aidata d, k;
    st_error err;
    assert_int_equal(st_ai_parse("(400)PO123", 10, &d, NULL), ST_OK);
    assert_int_equal(st_key_elements(&d, &k, &err), ST_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "no GS1 identification key"));
    assert_int_equal(st_key_gcp_offset("01"), 1);
    assert_int_equal(st_key_gcp_offset("8003"), 1);
    assert_int_equal(st_key_gcp_offset("414"), 0);
}

static void test_derived_forms(void **state)
{
    (void)state;
    st_id_opts o = {.gcp_len = 7};
    st_id *id = parse("(01)80614141123458(10)A\\(B(21)6789", &o);
    assert_string_equal(st_id_hri(id), "(01)80614141123458(10)A\\(B(21)6789");
    assert_string_equal(st_id_element_string(id), "0180614141123458" "10A(B\x1d" "216789");
    assert_string_equal(st_id_digital_link(id),
                        "https://id.gs1.org/01/80614141123458/10/A%28B/21/6789");
    assert_string_equal(st_id_epc_uri(id), "urn:epc:id:sgtin:0614141.812345.6789");
    assert_null(st_id_epc_uri_why(id));
    assert_null(st_id_tag_uri(id));
    assert_null(st_id_hex(id));
    assert_int_equal(st_id_ai_count(id), 3);
    const char *ai, *v;
    assert_int_equal(st_id_ai_at(id, 1, &ai, &v), ST_OK);
    assert_string_equal(ai, "10");
    assert_string_equal(v, "A(B");
    assert_int_equal(st_id_ai_at(id, 3, &ai, &v), ST_ERR_RANGE);
    assert_null(st_id_get(id, "17"));
    char hex[ST_EPC_HEX_MAX + 1];
    assert_int_equal(st_id_encode(id, "sgtin-96", 3, hex, sizeof hex, NULL), ST_OK);
    assert_string_equal(hex, "3074257BF7194E4000001A85");
    st_id_destroy(id);

    /* an AI a Digital Link cannot carry: no digital_link, but still a key */
    id = parse("(01)09520123456788(21)1(8200)https://example.com/", NULL);
    assert_null(st_id_digital_link(id));
    assert_string_equal(st_id_key(id), "https://id.gs1.org/01/09520123456788/21/1");
    st_id_destroy(id);

    /* a pattern names many objects: no AI data, its own URI is the key */
    id = parse("urn:epc:idpat:sgtin:0614141.812345.*", NULL);
    assert_int_equal(st_id_ai_count(id), 0);
    assert_string_equal(st_id_key(id), "urn:epc:idpat:sgtin:0614141.812345.*");
    st_id_destroy(id);
}

static void test_gcp(void **state)
{
    (void)state;
    st_id *id = parse("(01)80614141123458(21)6789", NULL);
    assert_null(st_id_epc_uri(id));
    assert_non_null(strstr(st_id_epc_uri_why(id), "Company Prefix length is unknown"));
    char hex[64];
    st_error err;
    assert_int_equal(st_id_encode(id, "sgtin-96", 0, hex, sizeof hex, &err), ST_ERR_GCP_UNKNOWN);
    st_id_destroy(id);

    char path[] = "/tmp/st_gcp_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# test prefixes\n0614141\n4012345 7\n", f);
    fclose(f);
    st_gcp_table *t = NULL;
    assert_int_equal(st_gcp_table_load(path, &t, &err), ST_OK);
    remove(path);
    st_id_opts o = {.gcp = t};
    id = parse("(00)106141412345678908", &o);
    assert_string_equal(st_id_epc_uri(id), "urn:epc:id:sscc:0614141.1234567890");
    st_id_destroy(id);
    id = parse("(01)04012345123456(10)Lot987", &o);
    assert_string_equal(st_id_epc_uri(id), "urn:epc:class:lgtin:4012345.012345.Lot987");
    st_id_destroy(id);
    id = parse("(01)09520123456788(21)1", &o); /* 952... is not in the table */
    assert_null(st_id_epc_uri(id));
    st_id_destroy(id);
    st_gcp_table_destroy(t);
}

static void test_long_digital_link_round_trip(void **state)
{
    (void)state;
    /* values of '!' triple in size when percent-encoded: the canonical DL
     * must still be accepted back */
    char es[ST_AI_MAX_DATA + 64];
    int n = snprintf(es, sizeof es, "(01)09520123456788");
    for (int ai = 91; ai <= 99; ai++) {
        n += snprintf(es + n, sizeof es - (size_t)n, "(%d)", ai);
        for (int k = 0; k < 90; k++)
            es[n++] = '!';
        es[n] = '\0';
    }
    st_id *id = parse(es, NULL);
    const char *dl = st_id_digital_link(id);
    assert_non_null(dl);
    assert_true(strlen(dl) > 2048);
    st_id *back = parse(dl, NULL);
    assert_string_equal(st_id_hri(back), st_id_hri(id));
    st_id_destroy(back);
    st_id_destroy(id);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"", ST_ERR_SYNTAX, "empty input"},
        {"hello", ST_ERR_SYNTAX, "not a recognised identifier"},
        {"(01)80614141123457", ST_ERR_CHECK_DIGIT, "check digit is 7, expected 8"},
        {"]d1hello", ST_ERR_SYNTAX, "neither GS1 AI data nor a Digital Link"},
        {"urn:epc:id:sgtin:0614141.812345", ST_ERR_SYNTAX, ""},
        {"3F74257BF7194E4000001A85", ST_ERR_UNSUPPORTED, ""},
        {"https://id.gs1.org/01/09520123456788?10=ABC123", ST_ERR_SYNTAX, "not in the query"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_id *id = (st_id *)1;
        st_error err;
        st_rc rc = st_id_parse(rows[i].in, strlen(rows[i].in), NULL, &id, &err);
        if (rc != rows[i].rc || !strstr(err.msg, rows[i].msg))
            print_error("row %zu: %s -> %d %s\n", i, rows[i].in, rc, err.msg);
        assert_int_equal(rc, rows[i].rc);
        assert_null(id);
        assert_non_null(strstr(err.msg, rows[i].msg));
        assert_true(err.position >= -1 && err.position <= (long)strlen(rows[i].in));
    }
    st_id *id;
    assert_int_equal(st_id_parse(NULL, 3, NULL, &id, NULL), ST_ERR_ARG);
    static char big[ST_ID_MAX_INPUT + 2];
    memset(big, '1', sizeof big);
    assert_int_equal(st_id_parse(big, sizeof big, NULL, &id, NULL), ST_ERR_LIMIT);
    st_id_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_key_many_forms),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_derived_forms),
        cmocka_unit_test(test_gcp),
        cmocka_unit_test(test_long_digital_link_round_trip),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
