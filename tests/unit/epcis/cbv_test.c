/*
 * Tests for lib/epcis/cbv.c: every spelling of terms of every CBV vocabulary,
 * unknown terms with their suggestions, user (non-CBV) URIs, bad inputs, and
 * the generated table itself (sizes of gs1-facts 7, sorted for bsearch).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "epcis/cbv.h"

static void test_table(void **state)
{
    (void)state;
    static const size_t sizes[ST_CBV_COUNT] = {41, 33, 13, 3, 2, 14, 72, 2};
    for (int v = 0; v < ST_CBV_COUNT; v++) {
        const st_cbv_vocab *voc = st_cbv_get(v);
        assert_non_null(voc);
        assert_int_equal(voc->n, sizes[v]);
        for (size_t i = 1; i < voc->n; i++)
            assert_true(strcmp(voc->words[i - 1], voc->words[i]) < 0);
        for (size_t i = 0; i < voc->n; i++)
            assert_true(st_cbv_is_word(v, voc->words[i]));
    }
    assert_null(st_cbv_get(-1));
    assert_null(st_cbv_get(ST_CBV_COUNT));
    assert_false(st_cbv_is_word(ST_CBV_BIZSTEP, "Shipping"));
    assert_false(st_cbv_is_word(ST_CBV_BIZSTEP, ""));
    assert_false(st_cbv_is_word(ST_CBV_BIZSTEP, NULL));
    assert_false(st_cbv_is_word(99, "shipping"));
    char p[64];
    assert_int_equal(st_cbv_web_prefix(ST_CBV_SDT, p, sizeof p), ST_OK);
    assert_string_equal(p, "https://ref.gs1.org/cbv/SDT-");
    assert_int_equal(st_cbv_web_prefix(ST_CBV_ALERT, p, sizeof p), ST_OK);
    assert_string_equal(p, "https://gs1.org/voc/");
    assert_int_equal(st_cbv_web_prefix(ST_CBV_BIZSTEP, p, 10), ST_ERR_BUFFER);
    assert_int_equal(st_cbv_web_prefix(42, p, sizeof p), ST_ERR_ARG);
}

/* Each row: a vocabulary, a term, and its spellings; every spelling must
 * canonicalise to web and pass the check. */
static const struct {
    int vocab;
    const char *bare, *curie, *urn, *web;
} terms[] = {
    {ST_CBV_BIZSTEP, "shipping", "cbv:BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping",
     "https://ref.gs1.org/cbv/BizStep-shipping"},
    {ST_CBV_BIZSTEP, "creating_class_instance", "cbv:BizStep-creating_class_instance",
     "urn:epcglobal:cbv:bizstep:creating_class_instance",
     "https://ref.gs1.org/cbv/BizStep-creating_class_instance"},
    {ST_CBV_BIZSTEP, "void_shipping", "cbv:BizStep-void_shipping",
     "urn:epcglobal:cbv:bizstep:void_shipping", "https://ref.gs1.org/cbv/BizStep-void_shipping"},
    {ST_CBV_DISP, "in_transit", "cbv:Disp-in_transit", "urn:epcglobal:cbv:disp:in_transit",
     "https://ref.gs1.org/cbv/Disp-in_transit"},
    {ST_CBV_DISP, "active", "cbv:Disp-active", "urn:epcglobal:cbv:disp:active",
     "https://ref.gs1.org/cbv/Disp-active"},
    {ST_CBV_DISP, "unknown", "cbv:Disp-unknown", "urn:epcglobal:cbv:disp:unknown",
     "https://ref.gs1.org/cbv/Disp-unknown"},
    {ST_CBV_BTT, "po", "cbv:BTT-po", "urn:epcglobal:cbv:btt:po", "https://ref.gs1.org/cbv/BTT-po"},
    {ST_CBV_BTT, "desadv", "cbv:BTT-desadv", "urn:epcglobal:cbv:btt:desadv",
     "https://ref.gs1.org/cbv/BTT-desadv"},
    {ST_CBV_BTT, "upevt", "cbv:BTT-upevt", "urn:epcglobal:cbv:btt:upevt",
     "https://ref.gs1.org/cbv/BTT-upevt"},
    {ST_CBV_SDT, "owning_party", "cbv:SDT-owning_party", "urn:epcglobal:cbv:sdt:owning_party",
     "https://ref.gs1.org/cbv/SDT-owning_party"},
    {ST_CBV_SDT, "location", "cbv:SDT-location", "urn:epcglobal:cbv:sdt:location",
     "https://ref.gs1.org/cbv/SDT-location"},
    {ST_CBV_ER, "did_not_occur", "cbv:ER-did_not_occur", "urn:epcglobal:cbv:er:did_not_occur",
     "https://ref.gs1.org/cbv/ER-did_not_occur"},
    {ST_CBV_ER, "incorrect_data", "cbv:ER-incorrect_data", "urn:epcglobal:cbv:er:incorrect_data",
     "https://ref.gs1.org/cbv/ER-incorrect_data"},
    {ST_CBV_COMP, "latitude", "cbv:Comp-latitude", NULL, "https://ref.gs1.org/cbv/Comp-latitude"},
    {ST_CBV_COMP, "x", "cbv:Comp-x", NULL, "https://ref.gs1.org/cbv/Comp-x"},
    {ST_CBV_COMP, "elevation_angle", "cbv:Comp-elevation_angle", NULL,
     "https://ref.gs1.org/cbv/Comp-elevation_angle"},
    {ST_CBV_MEASUREMENT, "Temperature", "gs1:Temperature", NULL, "https://gs1.org/voc/Temperature"},
    {ST_CBV_MEASUREMENT, "AbsoluteHumidity", "gs1:AbsoluteHumidity", NULL,
     "https://gs1.org/voc/AbsoluteHumidity"},
    {ST_CBV_MEASUREMENT, "Dimensionless", "gs1:Dimensionless", NULL,
     "https://gs1.org/voc/Dimensionless"},
    {ST_CBV_ALERT, "ALARM_CONDITION", "gs1:ALARM_CONDITION", NULL,
     "https://gs1.org/voc/ALARM_CONDITION"},
    {ST_CBV_ALERT, "ERROR_CONDITION", "gs1:ERROR_CONDITION", NULL,
     "https://gs1.org/voc/ERROR_CONDITION"},
};

static void test_spellings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
        const char *sp[] = {terms[i].bare, terms[i].curie, terms[i].urn, terms[i].web};
        for (size_t k = 0; k < 4; k++) {
            if (!sp[k])
                continue;
            char out[128], why[256];
            assert_int_equal(st_cbv_canon(terms[i].vocab, sp[k], out, sizeof out), ST_OK);
            assert_string_equal(out, terms[i].web);
            if (st_cbv_check(terms[i].vocab, sp[k], why, sizeof why) != ST_OK)
                fail_msg("check(%d, \"%s\"): %s", terms[i].vocab, sp[k], why);
            assert_string_equal(why, "");
        }
    }
    /* white space around a value is not part of it */
    char out[128];
    assert_int_equal(st_cbv_canon(ST_CBV_BIZSTEP, "  shipping\n", out, sizeof out), ST_OK);
    assert_string_equal(out, "https://ref.gs1.org/cbv/BizStep-shipping");
    assert_int_equal(st_cbv_check(ST_CBV_BIZSTEP, " urn:epcglobal:cbv:bizstep:shipping ", NULL, 0),
                     ST_OK);
}

static void test_user_vocabulary(void **state)
{
    (void)state;
    static const struct {
        int vocab;
        const char *value;
    } ok[] = {
        {ST_CBV_BIZSTEP, "https://example.com/steps/quality_hold"},
        {ST_CBV_BIZSTEP, "urn:example:bizstep:repack"},
        {ST_CBV_DISP, "http://ns.example.com/disp/quarantined"},
        {ST_CBV_BTT, "urn:example:btt:contract"},
        {ST_CBV_SDT, "https://example.com/sdt/carrier"},
        {ST_CBV_COMP, "example:x"}, /* an undeclared prefix reads as a URI scheme */
        {ST_CBV_MEASUREMENT, "https://example.com/mt/Vibration"},
        {ST_CBV_ALERT, "https://example.com/alert/DOOR_OPEN"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char out[128], why[128];
        assert_int_equal(st_cbv_canon(ok[i].vocab, ok[i].value, out, sizeof out), ST_OK);
        assert_string_equal(out, ok[i].value); /* unchanged */
        assert_int_equal(st_cbv_check(ok[i].vocab, ok[i].value, why, sizeof why), ST_OK);
    }
    /* CBV URNs that are not vocabulary terms are left alone by canon */
    char out[128];
    assert_int_equal(
        st_cbv_canon(ST_CBV_BTT, "urn:epcglobal:cbv:bt:0614141073467:1152", out, sizeof out),
        ST_OK);
    assert_string_equal(out, "urn:epcglobal:cbv:bt:0614141073467:1152");
}

/* Each row: vocabulary, value, expected message (ST_ERR_NOT_FOUND). */
static const struct {
    int vocab;
    const char *value, *why;
} unknown[] = {
    {ST_CBV_BIZSTEP, "shiping", "unknown bizStep \"shiping\" (did you mean \"shipping\"?)"},
    {ST_CBV_BIZSTEP, "recieving", "unknown bizStep \"recieving\" (did you mean \"receiving\"?)"},
    {ST_CBV_BIZSTEP, "Shipping", "unknown bizStep \"Shipping\" (did you mean \"shipping\"?)"},
    {ST_CBV_BIZSTEP, "urn:epcglobal:cbv:bizstep:comissioning",
     "unknown bizStep \"urn:epcglobal:cbv:bizstep:comissioning\" (did you mean "
     "\"urn:epcglobal:cbv:bizstep:commissioning\"?)"},
    {ST_CBV_BIZSTEP, "https://ref.gs1.org/cbv/BizStep-pakcing",
     "unknown bizStep \"https://ref.gs1.org/cbv/BizStep-pakcing\" (did you mean "
     "\"https://ref.gs1.org/cbv/BizStep-packing\"?)"},
    {ST_CBV_BIZSTEP, "https://ref.gs1.org/cbv/Bizstep-shipping",
     "unknown bizStep \"https://ref.gs1.org/cbv/Bizstep-shipping\" (did you mean "
     "\"https://ref.gs1.org/cbv/BizStep-shipping\"?)"},
    {ST_CBV_BIZSTEP, "cbv:BizStep-shiping",
     "unknown bizStep \"cbv:BizStep-shiping\" (did you mean \"cbv:BizStep-shipping\"?)"},
    {ST_CBV_BIZSTEP, "urn:epcglobal:cbv:bizstp:shipping",
     "unknown bizStep \"urn:epcglobal:cbv:bizstp:shipping\" (did you mean "
     "\"urn:epcglobal:cbv:bizstep:shipping\"?)"},
    {ST_CBV_BIZSTEP, "teleporting", "unknown bizStep \"teleporting\""},
    {ST_CBV_DISP, "in_transti",
     "unknown disposition \"in_transti\" (did you mean \"in_transit\"?)"},
    {ST_CBV_DISP, "urn:epcglobal:cbv:disp:stoeln",
     "unknown disposition \"urn:epcglobal:cbv:disp:stoeln\" (did you mean "
     "\"urn:epcglobal:cbv:disp:stolen\"?)"},
    {ST_CBV_DISP, "urn:epcglobal:cbv:disp:sold",
     "unknown disposition \"urn:epcglobal:cbv:disp:sold\""},
    {ST_CBV_BTT, "pos", "unknown bizTransaction type \"pos\" (did you mean \"po\"?)"},
    {ST_CBV_SDT, "owner", "unknown source/destination type \"owner\""},
    {ST_CBV_SDT, "owning-party",
     "unknown source/destination type \"owning-party\" (did you mean \"owning_party\"?)"},
    {ST_CBV_ER, "did_not_ocur",
     "unknown error reason \"did_not_ocur\" (did you mean \"did_not_occur\"?)"},
    {ST_CBV_COMP, "lattitude",
     "unknown sensor component \"lattitude\" (did you mean \"latitude\"?)"},
    {ST_CBV_MEASUREMENT, "gs1:Temprature",
     "unknown measurement type \"gs1:Temprature\" (did you mean \"gs1:Temperature\"?)"},
    {ST_CBV_MEASUREMENT, "https://gs1.org/voc/temperature",
     "unknown measurement type \"https://gs1.org/voc/temperature\" (did you mean "
     "\"https://gs1.org/voc/Temperature\"?)"},
    {ST_CBV_ALERT, "ALARM", "unknown sensor alert type \"ALARM\""},
    {ST_CBV_ALERT, "ALARM_CONDITON",
     "unknown sensor alert type \"ALARM_CONDITON\" (did you mean \"ALARM_CONDITION\"?)"},
    /* a term of another vocabulary */
    {ST_CBV_BIZSTEP, "urn:epcglobal:cbv:disp:active",
     "bizStep \"urn:epcglobal:cbv:disp:active\" is a disposition, not a bizStep"},
    {ST_CBV_DISP, "https://ref.gs1.org/cbv/BizStep-shipping",
     "disposition \"https://ref.gs1.org/cbv/BizStep-shipping\" is a bizStep, not a disposition"},
    {ST_CBV_MEASUREMENT, "gs1:ALARM_CONDITION",
     "measurement type \"gs1:ALARM_CONDITION\" is a sensor alert type, not a measurement type"},
    {ST_CBV_BTT, "urn:epcglobal:cbv:bt:0614141073467:1152",
     "unknown bizTransaction type \"urn:epcglobal:cbv:bt:0614141073467:1152\""},
};

static void test_unknown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        char why[256];
        st_rc rc = st_cbv_check(unknown[i].vocab, unknown[i].value, why, sizeof why);
        if (rc != ST_ERR_NOT_FOUND || strcmp(why, unknown[i].why))
            fail_msg("check(\"%s\") = %d \"%s\"\n  expected \"%s\"", unknown[i].value, rc, why,
                     unknown[i].why);
        /* canon still gives the Web URI spelling of what was written */
        char out[256];
        assert_int_equal(st_cbv_canon(unknown[i].vocab, unknown[i].value, out, sizeof out), ST_OK);
    }
    char out[128];
    assert_int_equal(st_cbv_canon(ST_CBV_BIZSTEP, "shiping", out, sizeof out), ST_OK);
    assert_string_equal(out, "https://ref.gs1.org/cbv/BizStep-shiping");
    /* a short message buffer is cut, never overrun */
    char why[16];
    assert_int_equal(st_cbv_check(ST_CBV_BIZSTEP, "shiping", why, sizeof why), ST_ERR_NOT_FOUND);
    assert_string_equal(why, "unknown bizStep");
    assert_int_equal(st_cbv_check(ST_CBV_BIZSTEP, "shiping", NULL, 0), ST_ERR_NOT_FOUND);
}

static void test_bad_input(void **state)
{
    (void)state;
    static const struct {
        int vocab;
        const char *value;
        st_rc rc;
        const char *why;
    } bad[] = {
        {ST_CBV_BIZSTEP, "", ST_ERR_SYNTAX, "empty bizStep"},
        {ST_CBV_BIZSTEP, "   ", ST_ERR_SYNTAX, "empty bizStep"},
        {ST_CBV_DISP, "in transit", ST_ERR_SYNTAX,
         "disposition \"in transit\" is neither a CBV word, a CURIE nor a URI"},
        {ST_CBV_BIZSTEP, "ship/ping", ST_ERR_SYNTAX, "is neither a CBV word"},
        {ST_CBV_BIZSTEP, "cbv:", ST_ERR_SYNTAX, "bizStep \"cbv:\" has nothing after its prefix"},
        {ST_CBV_BIZSTEP, "urn:epcglobal:cbv:bizstep:", ST_ERR_SYNTAX, "has nothing after"},
        {ST_CBV_BIZSTEP, NULL, ST_ERR_ARG, "no value"},
        {-1, "shipping", ST_ERR_ARG, "no value or no vocabulary (-1)"},
        {ST_CBV_COUNT, "shipping", ST_ERR_ARG, "no vocabulary"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[256], out[64];
        st_rc rc = st_cbv_check(bad[i].vocab, bad[i].value, why, sizeof why);
        if (rc != bad[i].rc || !strstr(why, bad[i].why))
            fail_msg("check(%d, \"%s\") = %d \"%s\", expected %d \"%s\"", bad[i].vocab,
                     bad[i].value ? bad[i].value : "(null)", rc, why, bad[i].rc, bad[i].why);
        assert_int_equal(st_cbv_canon(bad[i].vocab, bad[i].value, out, sizeof out), bad[i].rc);
    }
    char out[8];
    assert_int_equal(st_cbv_canon(ST_CBV_BIZSTEP, "shipping", out, sizeof out), ST_ERR_BUFFER);
    assert_string_equal(out, "");
    assert_int_equal(st_cbv_canon(ST_CBV_BIZSTEP, "shipping", NULL, 0), ST_ERR_ARG);
    /* a value far longer than any term is unknown, not a crash */
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char why[64];
    assert_int_equal(st_cbv_check(ST_CBV_BIZSTEP, big, why, sizeof why), ST_ERR_NOT_FOUND);
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(st_cbv_distance("shipping", 8, "shipping", 8, 2), 0);
    assert_int_equal(st_cbv_distance("shiping", 7, "shipping", 8, 2), 1);
    assert_int_equal(st_cbv_distance("pakcing", 7, "packing", 7, 2), 1); /* transposition */
    assert_int_equal(st_cbv_distance("ab", 2, "ba", 2, 2), 1);
    assert_int_equal(st_cbv_distance("", 0, "ab", 2, 2), 2);
    assert_int_equal(st_cbv_distance("abc", 3, "", 0, 2), 3); /* more than max: max + 1 */
    assert_int_equal(st_cbv_distance("kitten", 6, "sitting", 7, 5), 3);
    assert_int_equal(st_cbv_distance("teleporting", 11, "transporting", 12, 2), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),           cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_user_vocabulary), cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_bad_input),       cmocka_unit_test(test_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
