/*
 * Tests for lib/gs1/ai.c: element strings in every form, full validation with
 * precise errors, and encoding back. Tables: one row per case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gs1/ai.h"
#include "gs1/checkdigit.h"

/* ---- check digits ------------------------------------------------------------ */

static void test_mod10(void **state)
{
    (void)state;
    static const struct { const char *data; char want; } rows[] = {
        {"123456789012", '8'},   {"0952012345678", '8'},     {"10614141234567890", '8'},
        {"0234567", '3'},        {"41600033610", '8'},       {"1234567890123", '1'},
        {"12345678901234567", '5'}, {"400638133393", '1'},   {"", '0'},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(st_cd_mod10(rows[i].data, strlen(rows[i].data)), rows[i].want);
    assert_int_equal(st_cd_mod10("12a", 3), 0);

    static const char *valid[] = {"02345673", "416000336108", "1234567890128", "12345678901231",
                                  "123456789012345675", "09520123456788", "80614141123458",
                                  "106141412345678908", "4012345000054"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        assert_int_equal(st_cd_verify(valid[i], strlen(valid[i]), NULL), ST_OK);
    static const char *invalid[] = {"12345673", "416000336109", "1234567890129", "12345678901232"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        char want = 0;
        assert_int_equal(st_cd_verify(invalid[i], strlen(invalid[i]), &want), ST_ERR_CHECK_DIGIT);
        assert_true(want >= '0' && want <= '9');
    }
    assert_int_equal(st_cd_verify("1", 1, NULL), ST_ERR_LENGTH);
    assert_int_equal(st_cd_verify("12x4", 4, NULL), ST_ERR_CHARSET);
}

static void test_alpha_pair(void **state)
{
    (void)state;
    /* GMN example from the GS1 General Specifications: data + pair "2K". */
    const char *gmn = "1987654Ad4X4bL5ttr2310c";
    char pair[2];
    assert_int_equal(st_cd_alpha_pair(gmn, strlen(gmn), pair), ST_OK);
    assert_memory_equal(pair, "2K", 2);
    assert_int_equal(st_cd_alpha_pair("12 4", 4, pair), ST_ERR_CHARSET);
}

/* ---- the generated table ------------------------------------------------------ */

static void test_table(void **state)
{
    (void)state;
    assert_true(st_ai_table_len > 500);
    for (size_t i = 1; i < st_ai_table_len; i++)
        assert_true(strcmp(st_ai_table[i - 1].ai, st_ai_table[i].ai) < 0);
    const st_ai_def *d = st_ai_lookup("01", 2);
    assert_non_null(d);
    assert_string_equal(d->title, "GTIN");
    assert_true(d->flags & ST_AI_PREDEF);
    assert_true(d->flags & ST_AI_DL_PKEY);
    assert_string_equal(d->dl_quals, "22,10,21|235");
    d = st_ai_lookup("21", 2);
    assert_non_null(d);
    assert_false(d->flags & ST_AI_DL_ATTR);
    assert_false(d->flags & ST_AI_PREDEF);
    assert_int_equal(d->max_len, 20);
    d = st_ai_lookup("3103", 4);
    assert_non_null(d);
    assert_string_equal(d->ex, "310n");
    assert_null(st_ai_lookup("23", 2));
    assert_null(st_ai_lookup("04", 2));
    assert_null(st_ai_lookup("1", 1));
    assert_non_null(st_ai_lookup_prefix("8003001234", 10));
    assert_string_equal(st_ai_lookup_prefix("8003001234", 10)->ai, "8003");
    assert_string_equal(st_ai_lookup_prefix("2112345", 7)->ai, "21");
    assert_null(st_ai_lookup_prefix("2312345", 7));
    /* the predefined-length prefixes of GenSpecs table 5.10.1-1 */
    static const char *predef[] = {"00", "01", "02", "11", "17", "20", "3103", "3922"};
    for (size_t i = 0; i < 7; i++)
        assert_true(st_ai_lookup(predef[i], strlen(predef[i]))->flags & ST_AI_PREDEF);
    static const char *sep_needed[] = {"422", "7003", "8001", "8006", "8111", "235", "3922"};
    for (size_t i = 0; i < sizeof sep_needed / sizeof sep_needed[0]; i++)
        assert_false(st_ai_lookup(sep_needed[i], strlen(sep_needed[i]))->flags & ST_AI_PREDEF);
}

/* ---- valid element strings ------------------------------------------------------- */

struct good_row {
    const char *in;   /* input as given */
    const char *hri;  /* expected bracketed form */
};

static const struct good_row good[] = {
    {"(01)09520123456788(17)251231(10)ABC(21)XYZ", "(01)09520123456788(17)251231(10)ABC(21)XYZ"},
    {"(01)09520123456788(10)ABC1(21)12345(17)180426",
     "(01)09520123456788(10)ABC1(21)12345(17)180426"},
    {"^010952012345678810ABC1^2112345^17180426", "(01)09520123456788(10)ABC1(21)12345(17)180426"},
    {"]d2010952012345678810ABC1\x1d" "2112345\x1d" "17180426",
     "(01)09520123456788(10)ABC1(21)12345(17)180426"},
    {"]d2011231231231233310ABC123\x1d" "99TESTING", "(01)12312312312333(10)ABC123(99)TESTING"},
    {"]C1011231231231233310ABC123\x1d" "99TESTING", "(01)12312312312333(10)ABC123(99)TESTING"},
    {"]Q3011231231231233310ABC123\x1d" "99TESTING\x1d", "(01)12312312312333(10)ABC123(99)TESTING"},
    {"]e00109520123456788\x1d" "17251231", "(01)09520123456788(17)251231"},
    {"]E02112345678900", "(01)02112345678900"},
    {"]E402345673", "(01)00000002345673"},
    {"^0095201234567891234502095201234567883725^10ABC123",
     "(00)952012345678912345(02)09520123456788(37)25(10)ABC123"},
    {"(00)106141412345678908", "(00)106141412345678908"},
    {"(414)0614141123452(254)400", "(414)0614141123452(254)400"},
    {"(8003)00614141123452400", "(8003)00614141123452400"},
    {"(8004)061414112345400", "(8004)061414112345400"},
    {"(253)0614141123452ABCD1234/", "(253)0614141123452ABCD1234/"},
    {"(01)09520123456788(17)201225(3103)000195(3922)0299",
     "(01)09520123456788(17)201225(3103)000195(3922)0299"},
    {"(01)85071219236581(21).%:.13&", "(01)85071219236581(21).%:.13&"},
    {"(01)09520123456788(21)A\\(B)C", "(01)09520123456788(21)A\\(B)C"},
    /* DD = 00 allowed for expiry; leap day in a leap year */
    {"(01)09520123456788(17)250200", "(01)09520123456788(17)250200"},
    {"(01)09520123456788(17)240229", "(01)09520123456788(17)240229"},
    /* the same AI twice with the same value (two symbols on one item) */
    {"(01)09520123456788(21)X1(01)09520123456788", "(01)09520123456788(21)X1"},
    /* superfluous separator after a predefined-length AI */
    {"0109520123456788\x1d" "21ABC", "(01)09520123456788(21)ABC"},
    {"(8010)0614141YZ#-/(8011)1234", "(8010)0614141YZ#-/(8011)1234"},
    {"(8013)1987654Ad4X4bL5ttr2310c2K", "(8013)1987654Ad4X4bL5ttr2310c2K"},
};

static void test_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        st_aidata d;
        st_error err;
        st_error_clear(&err);
        st_rc rc = st_ai_parse(good[i].in, strlen(good[i].in), &d, &err);
        if (rc)
            print_error("row %zu: %s: %s\n", i, good[i].in, err.msg);
        assert_int_equal(rc, ST_OK);
        char hri[512];
        assert_int_equal(st_ai_to_hri(&d, hri, sizeof hri), ST_OK);
        assert_string_equal(hri, good[i].hri);
        /* round trip through the scanner form */
        char raw[512];
        assert_int_equal(st_ai_to_unbracketed(&d, ST_GS, raw, sizeof raw), ST_OK);
        st_aidata d2;
        assert_int_equal(st_ai_parse(raw, strlen(raw), &d2, NULL), ST_OK);
        assert_int_equal(st_ai_to_hri(&d2, hri, sizeof hri), ST_OK);
        assert_string_equal(hri, good[i].hri);
    }
}

static void test_unbracketed_separators(void **state)
{
    (void)state;
    st_aidata d;
    const char *in = "(00)952012345678912345(02)09520123456788(37)25(10)ABC123";
    assert_int_equal(st_ai_parse(in, strlen(in), &d, NULL), ST_OK);
    char raw[128];
    assert_int_equal(st_ai_to_unbracketed(&d, '^', raw, sizeof raw), ST_OK);
    /* separator after 37 only: 00 and 02 have predefined lengths, 10 is last */
    assert_string_equal(raw, "0095201234567891234502095201234567883725^10ABC123");
    assert_int_equal(st_ai_to_unbracketed(&d, '^', raw, 10), ST_ERR_BUFFER);
    assert_string_equal(st_ai_get(&d, "37"), "25");
    assert_null(st_ai_get(&d, "21"));
}

/* ---- invalid element strings -------------------------------------------------------- */

struct bad_row {
    const char *in;   /* input */
    st_rc rc;         /* expected code */
    long pos;         /* expected position, -2 = don't care */
    const char *ai;   /* expected AI in the error */
    const char *msg;  /* fragment the message must contain */
};

static const struct bad_row bad[] = {
    {"(01)09520123456787", ST_ERR_CHECK_DIGIT, 17, "01", "AI 01: check digit is 7, expected 8"},
    {"(01)0952012345678", ST_ERR_LENGTH, 4, "01", "13 characters; expected 14"},
    {"(01)0952012345678X", ST_ERR_CHARSET, 17, "01", "'X'"},
    {"(21)ABC123", ST_ERR_RULE, -2, "21", "requires 01, 03 or 8006"},
    {"(01)09520123456788(37)5", ST_ERR_RULE, -2, "01", "AI 01 cannot be used together with AI 37"},
    {"(02)09520123456788(01)09520123456788", ST_ERR_RULE, -2, NULL, "cannot be used together"},
    {"(01)09520123456788(21)ABC DEF", ST_ERR_CHARSET, 25, "21", "offset 3"},
    {"(01)09520123456788(21)123456789012345678901", ST_ERR_LENGTH, -2, "21", "at most 20"},
    {"(01)09520123456788(17)251301", ST_ERR_DATE, -2, "17", ""},
    {"(01)09520123456788(17)230229", ST_ERR_DATE, -2, "17", ""},
    {"(01)09520123456788(7003)2502000000", ST_ERR_DATE, -2, "7003", ""},
    {"(23)12345", ST_ERR_UNKNOWN_AI, 1, NULL, "unknown AI (23)"},
    {"(1)12345", ST_ERR_SYNTAX, 1, NULL, "2 to 4 digits"},
    {"01095201234567882312", ST_ERR_UNKNOWN_AI, 16, NULL, "no AI matches"},
    {"0109520123456788", ST_OK, -2, NULL, ""},
    {"]d20109520123456788" "10ABCDEFGHIJKLMNOPQRSTU21X", ST_ERR_LENGTH, -2, "10",
     "missing GS separator"},
    {"]d1https://id.gs1.org/01/09520123456788", ST_ERR_SYNTAX, 0, NULL, "does not carry"},
    {"]E0211234567890", ST_ERR_LENGTH, 3, "01", "13 digits"},
    {"]E41234567", ST_ERR_LENGTH, 3, "01", "8 digits"},
    {"]E01234567890129", ST_ERR_CHECK_DIGIT, 15, "01", "expected 8"},
    {"]E411111116", ST_ERR_CHECK_DIGIT, 10, "01", "check digit is 6, expected 5"},
    {"]E4567#8900", ST_ERR_CHARSET, 6, "01", "not a digit"},
    {"]d", ST_ERR_SYNTAX, 0, NULL, "truncated"},
    {"", ST_ERR_SYNTAX, 0, NULL, "empty"},
    {"(01)09520123456788(21)A(01)09520123456795", ST_ERR_RULE, -2, "01", "twice"},
    {"(01)", ST_ERR_LENGTH, 4, "01", "empty"},
    {"010952012345", ST_ERR_LENGTH, 2, "01", "expected 14"},
    {"01095201234567\x1d" "88", ST_ERR_LENGTH, 2, "01", "12 characters; expected 14"},
    {"(01)09520123456788(3103)000195(3102)000195", ST_ERR_RULE, -2, NULL, "cannot be used"},
    {"(10)ABC", ST_ERR_RULE, -2, "10", "requires"},
    {"(01)09520123456788(250)X", ST_ERR_RULE, -2, "250", "requires 21"},
    {"(8011)0123(8010)0614141X", ST_ERR_RANGE, -2, "8011", ""},
    {"(8013)1987654Ad4X4bL5ttr2310c2L", ST_ERR_CHECK_DIGIT, -2, "8013", ""},
    {"x", ST_ERR_SYNTAX, 0, NULL, "expected an AI"},
    {"(01)09520123456788x", ST_ERR_LENGTH, 4, "01", "15 characters; expected 14"},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st_aidata d;
        st_error err;
        st_error_clear(&err);
        st_rc rc = st_ai_parse(bad[i].in, strlen(bad[i].in), &d, &err);
        if (rc != bad[i].rc || (bad[i].pos != -2 && err.position != bad[i].pos) ||
            (bad[i].msg[0] && !strstr(err.msg, bad[i].msg)) ||
            (bad[i].ai && strcmp(err.ai, bad[i].ai)))
            print_error("row %zu: %s -> rc %d pos %ld ai '%s' msg '%s'\n", i, bad[i].in, rc,
                        err.position, err.ai, err.msg);
        assert_int_equal(rc, bad[i].rc);
        if (rc == ST_OK)
            continue;
        assert_int_equal(err.rc, bad[i].rc);
        if (bad[i].pos != -2)
            assert_int_equal(err.position, bad[i].pos);
        if (bad[i].ai)
            assert_string_equal(err.ai, bad[i].ai);
        assert_non_null(strstr(err.msg, bad[i].msg));
    }
}

static void test_limits(void **state)
{
    (void)state;
    char big[ST_ID_MAX_INPUT + 10];
    memset(big, '1', sizeof big);
    st_aidata d;
    st_error err;
    assert_int_equal(st_ai_parse(big, sizeof big, &d, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "the limit is 8192"));

    /* more elements than ST_AI_MAX_ELEMENTS: distinct AIs straight from the table */
    st_ai_init(&d);
    size_t i = 0;
    for (; i < ST_AI_MAX_ELEMENTS; i++)
        assert_int_equal(st_ai_add(&d, st_ai_table[i].ai, st_ai_table[i].ai_len, "1", 1, 0, &err),
                         ST_OK);
    assert_int_equal(st_ai_add(&d, st_ai_table[i].ai, st_ai_table[i].ai_len, "1", 1, 0, &err),
                     ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "the limit is 64"));
    /* more value bytes than ST_AI_MAX_DATA */
    st_ai_init(&d);
    char v[90];
    memset(v, 'A', sizeof v);
    st_rc rc = ST_OK;
    for (i = 0; i < ST_AI_MAX_ELEMENTS && rc == ST_OK; i++)
        rc = st_ai_add(&d, st_ai_table[i].ai, st_ai_table[i].ai_len, v, sizeof v, 0, &err);
    assert_int_equal(rc, ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "1536"));
    /* a value longer than any AI allows never overflows */
    char longv[300] = "(91)";
    memset(longv + 4, 'A', 250);
    longv[254] = '\0';
    assert_int_equal(st_ai_parse(longv, strlen(longv), &d, &err), ST_ERR_LENGTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mod10),  cmocka_unit_test(test_alpha_pair),
        cmocka_unit_test(test_table),  cmocka_unit_test(test_good),
        cmocka_unit_test(test_unbracketed_separators),
        cmocka_unit_test(test_bad),    cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
