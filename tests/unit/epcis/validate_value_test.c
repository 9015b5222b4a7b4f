/*
 * Tests for lib/epcis/validate_value.c: the checks of single values, one
 * table per check (each row: input, expected code, fragment of the reason),
 * valid and invalid rows side by side. The checks as the validator applies
 * them to documents are in validate_test.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/validate_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct vrow {
    const char *in;   /* the value */
    st_rc rc;         /* expected code */
    const char *frag; /* fragment of the reason ("" when rc is ST_OK) */
} vrow;

typedef st_rc (*check_fn)(const char *s, size_t n, char *why, size_t cap);

/* Run every row through fn, with the input in a buffer of exactly its
 * length (no NUL), so that ASan catches a read past the end. */
static void run(const char *what, check_fn fn, const vrow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(rows[i].in);
        char *buf = malloc(len ? len : 1);
        assert_non_null(buf);
        memcpy(buf, rows[i].in, len);
        char why[ST_VAL_WHY] = "";
        st_rc rc = fn(buf, len, why, sizeof why);
        free(buf);
        if (rc != rows[i].rc || !strstr(why, rows[i].frag))
            fail_msg("%s \"%s\": rc %d \"%s\"; expected rc %d \"%s\"", what, rows[i].in, rc, why,
                     rows[i].rc, rows[i].frag);
        if (rc == ST_OK && why[0])
            fail_msg("%s \"%s\": a reason without a fault: %s", what, rows[i].in, why);
    }
}

static const vrow datetimes[] = {
    {"2024-05-01T10:00:00Z", ST_OK, ""},
    {"2024-05-01T10:00:00.1Z", ST_OK, ""},
    {"2024-05-01T10:00:00.123456789012+14:00", ST_OK, ""},
    {"2024-05-01T10:00:00-13:59", ST_OK, ""},
    {"2024-02-29T00:00:00Z", ST_OK, ""},
    {"2000-02-29T00:00:00Z", ST_OK, ""},
    {"2024-12-31T23:59:59.999-00:00", ST_OK, ""},
    {"2024-05-01T10:00:00", ST_ERR_SYNTAX, "has no time zone"},
    {"2024-05-01T10:00:00.5", ST_ERR_SYNTAX, "has no time zone"},
    {"2024-05-01 10:00:00Z", ST_ERR_SYNTAX, "is not a date-time; expected YYYY-MM-DDThh:mm:ss"},
    {"2024-5-01T10:00:00Z", ST_ERR_SYNTAX, "is not a date-time"},
    {"20240-05-01T10:00:00Z", ST_ERR_SYNTAX, "is not a date-time"},
    {"2024-05-01", ST_ERR_SYNTAX, "is not a date-time"},
    {"", ST_ERR_SYNTAX, "is not a date-time"},
    {"2024-05-01T10:00:00.Z", ST_ERR_SYNTAX, "no digits after its decimal point"},
    {"2024-05-01T10:00:00Zjunk", ST_ERR_SYNTAX, "is not a date-time"},
    {"2024-05-01T10:00:00+0100", ST_ERR_SYNTAX, "is not a date-time"},
    {"2024-05-01T10:00:00z", ST_ERR_SYNTAX, "is not a date-time"},
    {"2023-02-29T00:00:00Z", ST_ERR_DATE, "February 2023 has 28 days"},
    {"1900-02-29T00:00:00Z", ST_ERR_DATE, "February 1900 has 28 days"},
    {"2024-04-31T00:00:00Z", ST_ERR_DATE, "April 2024 has 30 days"},
    {"2024-00-10T00:00:00Z", ST_ERR_DATE, "there is no month 00"},
    {"2024-05-00T00:00:00Z", ST_ERR_DATE, "there is no day 00"},
    {"2024-05-01T24:00:00Z", ST_ERR_DATE, "is not a time of day"},
    {"2024-05-01T23:60:00Z", ST_ERR_DATE, "is not a time of day"},
    {"2024-05-01T23:59:60Z", ST_ERR_DATE, "is not a time of day"},
    {"2024-05-01T10:00:00+14:01", ST_ERR_RANGE, "at most 14:00"},
    {"2024-05-01T10:00:00-15:00", ST_ERR_RANGE, "at most 14:00"},
    {"2024-05-01T10:00:00+01:60", ST_ERR_RANGE, "minutes 00-59"},
};

static const vrow offsets[] = {
    {"+00:00", ST_OK, ""},
    {"-14:00", ST_OK, ""},
    {"+14:00", ST_OK, ""},
    {"+13:59", ST_OK, ""},
    {"-05:30", ST_OK, ""},
    {"+14:30", ST_ERR_RANGE, "is out of range"},
    {"+15:00", ST_ERR_RANGE, "is out of range"},
    {"+01:60", ST_ERR_RANGE, "is out of range"},
    {"Z", ST_ERR_SYNTAX, "is not a time-zone offset; expected +hh:mm or -hh:mm"},
    {"+1:00", ST_ERR_SYNTAX, "is not a time-zone offset"},
    {"01:00", ST_ERR_SYNTAX, "is not a time-zone offset"},
    {"+0100", ST_ERR_SYNTAX, "is not a time-zone offset"},
    {"+01:0", ST_ERR_SYNTAX, "is not a time-zone offset"},
    {"+01:00 ", ST_ERR_SYNTAX, "is not a time-zone offset"},
    {"", ST_ERR_SYNTAX, "is not a time-zone offset"},
};

static const vrow uris[] = {
    {"urn:x", ST_OK, ""},
    {"https://a.example/c?d=e#f", ST_OK, ""},
    {"urn:epc:id:sgtin:0614141.812345.6789%2F", ST_OK, ""},
    {"http://ex.example/caf\xc3\xa9", ST_OK, ""}, /* an IRI: xsd:anyURI accepts it */
    {"geo:50.94,6.92", ST_OK, ""},
    {"x", ST_ERR_SYNTAX, "is not an absolute URI"},
    {"1urn:x", ST_ERR_SYNTAX, "is not an absolute URI"},
    {":x", ST_ERR_SYNTAX, "is not an absolute URI"},
    {"", ST_ERR_SYNTAX, "is not an absolute URI"},
    {"urn:", ST_ERR_SYNTAX, "has nothing after its scheme"},
    {"urn:a b", ST_ERR_SYNTAX, "has a space at offset 5"},
    {"urn:a<b", ST_ERR_SYNTAX, "has the character 0x3C at offset 5"},
    {"urn:a\tb", ST_ERR_SYNTAX, "has the character 0x09 at offset 5"},
    {"urn:%2", ST_ERR_SYNTAX, "a '%' at offset 4 that does not start an escape"},
    {"urn:%zz", ST_ERR_SYNTAX, "does not start an escape"},
};

static const vrow event_ids[] = {
    {"ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0",
     ST_OK, ""},
    {"ni://example.com/sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk", ST_OK, ""},
    {"urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427", ST_OK, ""},
    {"urn:uuid:1B4E28BA-2FA1-11D2-883F-0016D3CCA427", ST_OK, ""},
    {"https://ex.example/events/1", ST_OK, ""},
    {"ni:///sha-256;", ST_ERR_SYNTAX, "is not a named-information URI"},
    {"ni:sha-256;abc", ST_ERR_SYNTAX, "is not a named-information URI"},
    {"ni:///;abc", ST_ERR_SYNTAX, "is not a named-information URI"},
    {"ni:///sha-256;ab$c", ST_ERR_SYNTAX, "is not a named-information URI"},
    {"urn:uuid:1b4e28ba2fa111d2883f0016d3cca427", ST_ERR_SYNTAX, "is not a UUID URN"},
    {"urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca42g", ST_ERR_SYNTAX, "is not a UUID URN"},
    {"event-1", ST_ERR_SYNTAX, "is not an absolute URI"},
};

static const vrow uoms[] = {
    {"KGM", ST_OK, ""},
    {"C62", ST_OK, ""},
    {"CEL", ST_OK, ""},
    {"A93", ST_OK, ""},
    {"KG", ST_OK, ""},
    {"kg", ST_ERR_SYNTAX, "Rec 20"},
    {"K", ST_ERR_SYNTAX, "2-3 upper-case"},
    {"KGMS", ST_ERR_SYNTAX, "2-3 upper-case"},
    {"K G", ST_ERR_SYNTAX, "2-3 upper-case"},
    {"", ST_ERR_SYNTAX, "2-3 upper-case"},
};

static const vrow hexes[] = {
    {"0a1B", ST_OK, ""},
    {"00", ST_OK, ""},
    {"0", ST_ERR_SYNTAX, "odd number of hex digits (1)"},
    {"0g", ST_ERR_SYNTAX, "has 'g' at offset 1"},
    {"0x1F", ST_ERR_SYNTAX, "has 'x' at offset 1"},
};

static st_rc as_decimal(const char *s, size_t n, char *why, size_t cap)
{
    return st_val_number(s, n, 1, why, cap);
}

static st_rc as_double(const char *s, size_t n, char *why, size_t cap)
{
    return st_val_number(s, n, 0, why, cap);
}

static const vrow decimals[] = {
    {"0", ST_OK, ""},
    {"-1.5", ST_OK, ""},
    {"+.5", ST_OK, ""},
    {"5.", ST_OK, ""},
    {"007", ST_OK, ""},
    {"1E3", ST_ERR_SYNTAX, "is not a decimal number"},
    {".", ST_ERR_SYNTAX, "is not a decimal number"},
    {"-", ST_ERR_SYNTAX, "is not a decimal number"},
    {"", ST_ERR_SYNTAX, "is not a decimal number"},
    {"1,5", ST_ERR_SYNTAX, "is not a decimal number"},
    {" 1", ST_ERR_SYNTAX, "is not a decimal number"},
};

static const vrow doubles[] = {
    {"0", ST_OK, ""},
    {"-1.5E-3", ST_OK, ""},
    {"1e+10", ST_OK, ""},
    {"1.7976931348623157E308", ST_OK, ""},
    {"1e400", ST_ERR_RANGE, "is too large to be a finite number"},
    {"1.8e308", ST_ERR_RANGE, "is too large to be a finite number"},
    {"0.00017976931348623157e312", ST_OK, ""},
    {"1e-99999999999999999999", ST_OK, ""},
    {"1e99999999999999999999", ST_ERR_RANGE, "finite"},
    {"-0.0e5", ST_OK, ""},
    {"-1e400", ST_ERR_RANGE, "is too large to be a finite number"},
    {"1e", ST_ERR_SYNTAX, "is not a number"},
    {"e5", ST_ERR_SYNTAX, "is not a number"},
    {"abc", ST_ERR_SYNTAX, "is not a number"},
    {"0x1F", ST_ERR_SYNTAX, "is not a number"},
    {"INF", ST_ERR_SYNTAX, "is not a number"},
    {"NaN", ST_ERR_SYNTAX, "is not a number"},
};

static void test_times(void **state)
{
    (void)state;
    run("date-time", st_val_datetime, datetimes, COUNT(datetimes));
    run("offset", st_val_offset, offsets, COUNT(offsets));
}

static void test_uris(void **state)
{
    (void)state;
    run("uri", st_val_uri, uris, COUNT(uris));
    run("event id", st_val_event_id, event_ids, COUNT(event_ids));
}

static void test_numbers(void **state)
{
    (void)state;
    run("decimal", as_decimal, decimals, COUNT(decimals));
    run("double", as_double, doubles, COUNT(doubles));
    run("uom", st_val_uom, uoms, COUNT(uoms));
    run("hex", st_val_hex, hexes, COUNT(hexes));

    /* a 400-digit decimal is a decimal, but not a finite double */
    char big[401];
    memset(big, '9', 400);
    big[400] = '\0';
    char why[ST_VAL_WHY];
    assert_int_equal(st_val_number(big, 400, 1, why, sizeof why), ST_ERR_RANGE);
    assert_int_equal(st_val_number(big, 300, 1, why, sizeof why), ST_OK);
    char max[320]; /* DBL_MAX written out in full is finite; ten times it is not */
    memcpy(max, "17976931348623157", 17);
    memset(max + 17, '0', 293);
    assert_int_equal(st_val_number(max, 309, 1, why, sizeof why), ST_OK);
    assert_int_equal(st_val_number(max, 310, 1, why, sizeof why), ST_ERR_RANGE);
    char *huge = malloc(2002); /* any length: 0.000...1 is tiny, 1000...0 too large */
    assert_non_null(huge);
    memcpy(huge, "0.", 2);
    memset(huge + 2, '0', 1999);
    huge[2001] = '1';
    assert_int_equal(st_val_number(huge, 2002, 1, why, sizeof why), ST_OK);
    huge[0] = '1';
    huge[1] = '0';
    assert_int_equal(st_val_number(huge, 2002, 1, why, sizeof why), ST_ERR_RANGE);
    assert_non_null(strstr(why, "is too large to be a finite number"));
    free(huge);
}

static st_rc as_instance(const char *s, size_t n, char *why, size_t cap)
{
    return st_val_identifier(s, n, ST_V_INSTANCE, why, cap);
}

static st_rc as_class(const char *s, size_t n, char *why, size_t cap)
{
    return st_val_identifier(s, n, ST_V_CLASS, why, cap);
}

static st_rc as_id(const char *s, size_t n, char *why, size_t cap)
{
    return st_val_identifier(s, n, ST_V_ID, why, cap);
}

static const vrow instances[] = {
    {"urn:epc:id:sgtin:0614141.107346.2017", ST_OK, ""},
    {"urn:epc:id:sscc:0614141.1234567890", ST_OK, ""},
    {"urn:epc:id:grai:4012345.55555.987", ST_OK, ""},
    {"https://id.gs1.org/01/09520123456788/21/12345", ST_OK, ""},
    {"https://brand.example.com/gtin/09520123456788/ser/7?17=251231", ST_OK, ""},
    {"http://us-company.example.com/01/614141073467/21/x", ST_OK, ""}, /* a 12-digit GTIN */
    {"https://id.gs1.org/00/106141412345678908", ST_OK, ""},
    {"urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427", ST_OK, ""},
    {"https://ex.example.com/things/0123/4567", ST_OK, ""}, /* no primary key: private */
    {"urn:epc:id:gid:95100000.12345.400", ST_OK, ""},       /* TDS, not GS1: not parsed */
    {"urn:epc:id:usdod:2S194.12345678901", ST_OK, ""},
    {"urn:epc:idpat:sgtin:0614141.107346.*", ST_ERR_RULE, "is a pattern (urn:epc:idpat:)"},
    {"urn:epc:class:lgtin:4012345.012345.998877", ST_ERR_RULE, "is a class (urn:epc:class:)"},
    {"urn:epc:tag:sgtin-96:3.0614141.812345.6789", ST_ERR_RULE, "is an RFID tag encoding"},
    {"https://id.gs1.org/01/09520123456788", ST_ERR_RULE, "GTIN without serial"},
    {"https://id.gs1.org/01/09520123456788/10/L1", ST_ERR_RULE, "GTIN without serial"},
    {"https://id.gs1.org/8006/095201234567880102", ST_ERR_RULE, "ITIP without serial"},
    {"https://id.gs1.org/01/09520123456789/21/1", ST_ERR_CHECK_DIGIT,
     "is not a valid GS1 Digital Link: AI 01"},
    {"https://ex.example.com/01/1234/21/1", ST_ERR_LENGTH, "is not a valid GS1 Digital Link"},
    {"urn:epc:id:sgtin:0614141.107346", ST_ERR_SYNTAX, "is not a valid EPC URI: sgtin"},
    {"urn:epc:id:imovn:9176187x", ST_OK, ""},
    {"urn:epc:id:foo:1.2", ST_ERR_SYNTAX, "unknown EPC scheme \"foo\""},
    {"0614141.107346.2017", ST_ERR_SYNTAX, "is not an absolute URI"},
};

static const vrow classes[] = {
    {"urn:epc:class:lgtin:4012345.012345.998877", ST_OK, ""},
    {"urn:epc:idpat:sgtin:4012345.012345.*", ST_OK, ""},
    {"https://id.gs1.org/01/09520123456788", ST_OK, ""},
    {"https://id.gs1.org/01/09520123456788/10/L1", ST_OK, ""},
    {"urn:example:class:7", ST_OK, ""},
    {"urn:epc:id:sgtin:0614141.107346.2017", ST_ERR_RULE, "identifies one object; epcClass"},
    {"https://id.gs1.org/01/09520123456788/21/7", ST_ERR_RULE, "it has a serial"},
    {"urn:epc:class:lgtin:4012345.012345", ST_ERR_SYNTAX, "is not a valid EPC URI"},
};

static const vrow ids[] = {
    {"urn:epc:id:sgln:0614141.07346.1234", ST_OK, ""},
    {"https://id.gs1.org/414/4012345000115/254/987", ST_OK, ""},
    {"urn:epc:id:pgln:0614141.00000", ST_OK, ""},
    {"urn:epcglobal:cbv:bt:0614141073467:1152", ST_OK, ""},
    {"http://transaction.acme.com/po/12345678", ST_OK, ""},
    {"urn:epc:id:gdti:0614141.00001.1234", ST_OK, ""},
    {"geo:50.94,6.92", ST_OK, ""},
    {"urn:epc:id:sgln:0614141.07346", ST_ERR_SYNTAX, "is not a valid EPC URI"},
    {"https://id.gs1.org/414/4012345000116", ST_ERR_CHECK_DIGIT, "is not a valid GS1 Digital Link"},
};

static void test_identifiers(void **state)
{
    (void)state;
    run("instance", as_instance, instances, COUNT(instances));
    run("class", as_class, classes, COUNT(classes));
    run("id", as_id, ids, COUNT(ids));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_uris),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_identifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
