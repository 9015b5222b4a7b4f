/*
 * Tests for lib/gs1/lint*.c and lib/gs1/iso_codes.c: one table of rows
 * (linter, input, expected code, expected offset, expected message fragment)
 * with valid and invalid rows for every linter, each run on an exactly sized
 * heap copy so ASan catches any read past the value; then the code lists,
 * the dispatch edge cases, and the Syntax Dictionary's use of linter names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/iso_codes.h"
#include "gs1/lint.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One case: run linter on in; expect rc, and on failure offset bad and a
 * message containing frag. */
typedef struct lint_row {
    st_lint_id id;    /* the linter */
    const char *in;   /* the value, NUL-terminated here but passed with its length only */
    st_rc rc;         /* the code expected */
    size_t bad;       /* the offset expected on failure */
    const char *frag; /* a fragment the failure message must contain; NULL when valid */
} lint_row;

/* clang-format off */
#define OK(id, in) {ST_LINT_##id, in, ST_OK, 0, NULL}
#define BAD(id, in, rc, bad, frag) {ST_LINT_##id, in, ST_ERR_##rc, bad, frag}

/* A valid coupon (AI 8110) with only the mandatory fields, and the same with
 * every optional field 1, 2, 3, 4, 5, 6 and 9. */
#define CPN "012345612345611110123"
#define CPN_ALL                                                                                    \
    CPN "101101239" "21101230612345" "3251231" "4250101" "50123456" "611234567" "90000"

static const lint_row rows[] = {
    /* csum */
    OK(CSUM, "09520123456788"), OK(CSUM, "123456789012345675"), OK(CSUM, "4012345000054"),
    OK(CSUM, "0"),
    BAD(CSUM, "09520123456789", CHECK_DIGIT, 13, "check digit is 9, expected 8"),
    BAD(CSUM, "12345678901232", CHECK_DIGIT, 13, "check digit is 2, expected 1"),
    BAD(CSUM, "0952012345678A", CHARSET, 13, "'A' is not a digit"),
    BAD(CSUM, "", LENGTH, 0, "no room for a check digit"),

    /* csumalpha: GMN examples of the GS1 General Specifications and reference tests */
    OK(CSUMALPHA, "1987654Ad4X4bL5ttr2310c2K"), OK(CSUMALPHA, "12345678901234567890123NT"),
    OK(CSUMALPHA, "22"), OK(CSUMALPHA, "12345_!\"%&'()*+,-./LC"),
    BAD(CSUMALPHA, "1987654Ad4X4bL5ttr2310cXK", CHECK_DIGIT, 23,
        "check characters are XK, expected 2K"),
    BAD(CSUMALPHA, "1987654Ad4X4bL5ttr2310c2X", CHECK_DIGIT, 23, "expected 2K"),
    BAD(CSUMALPHA, "33", CHECK_DIGIT, 0, "expected 22"),
    BAD(CSUMALPHA, "2", LENGTH, 0, "no room for a check character pair"),
    BAD(CSUMALPHA, "12345678901234567890123N1", CHARSET, 24, "check character"),
    BAD(CSUMALPHA, "12345678901234567890123IT", CHARSET, 23, "without I and O"),
    BAD(CSUMALPHA, "123456789 1234567890123NT", CHARSET, 9, "not in CSET 82"),
    BAD(CSUMALPHA, "123456789012345678901234NT", LENGTH, 0, "24 characters before the check pair"),

    /* gcppos1, gcppos2 */
    OK(GCPPOS1, "0952012345678"), OK(GCPPOS1, "1234"), OK(GCPPOS1, "1234ABC"),
    BAD(GCPPOS1, "123", LENGTH, 0, "too short for a GS1 Company Prefix"),
    BAD(GCPPOS1, "12A4", CHARSET, 2, "must start at position 1"),
    BAD(GCPPOS1, "A234", CHARSET, 0, "GS1 Company Prefix"),
    OK(GCPPOS2, "09520123456788"), OK(GCPPOS2, "X1234"),
    BAD(GCPPOS2, "1234", LENGTH, 0, "at position 2"),
    BAD(GCPPOS2, "0A234", CHARSET, 1, "must start at position 2"),

    /* iban: examples of ISO 13616 and national banks */
    OK(IBAN, "GB98MIDL07009312345678"), OK(IBAN, "DE91100000000123456789"),
    OK(IBAN, "BE71096123456769"), OK(IBAN, "MT90MALT011000012345MTLCAST001SABC"),
    OK(IBAN, "FR7630006000011234567890189"),
    BAD(IBAN, "BE71096123456760", CHECK_DIGIT, 2, "check digits are 71, expected 23"),
    BAD(IBAN, "XX361234567890", RANGE, 0, "alpha-2 country code"),
    BAD(IBAN, "BE7", LENGTH, 0, "at least 11"),
    BAD(IBAN, "BE71", LENGTH, 0, "at least 11"),
    BAD(IBAN, "BE7109612", LENGTH, 0, "at least 11 characters, not 9"),
    BAD(IBAN, "MT90MALT011000012345MTLCAST001SABCD", LENGTH, 0, "at most 34"),
    BAD(IBAN, "LC14BOSLxx3456789012345678901230", CHARSET, 8, "upper-case letters"),
    BAD(IBAN, "BE7A096123456769", CHARSET, 3, "'A' is not a digit"),

    /* dates */
    OK(YYMMD0, "200229"), OK(YYMMD0, "000229"), OK(YYMMD0, "991231"), OK(YYMMD0, "200600"),
    OK(YYMMD0, "250131"),
    BAD(YYMMD0, "210229", DATE, 4, "day 29 does not exist in February of year 21"),
    BAD(YYMMD0, "240230", DATE, 4, "day 30 does not exist in February of year 24"),
    BAD(YYMMD0, "201310", DATE, 2, "month 13 does not exist"),
    BAD(YYMMD0, "200010", DATE, 2, "month 00 does not exist"),
    BAD(YYMMD0, "200431", DATE, 4, "day 31 does not exist in April"),
    BAD(YYMMD0, "200132", DATE, 4, "day 32 does not exist in January"),
    BAD(YYMMD0, "20060", LENGTH, 0, "6 digits, not 5"),
    BAD(YYMMD0, "2006x0", CHARSET, 4, "'x' is not a digit"),
    OK(YYMMDD, "991231"), OK(YYMMDD, "240229"),
    BAD(YYMMDD, "200600", DATE, 4, "day 00 is not allowed"),
    BAD(YYMMDD, "230229", DATE, 4, "February of year 23"),
    BAD(YYMMDD, "2412311", LENGTH, 0, "6 digits, not 7"),
    OK(YYYYMMDD, "20000229"), OK(YYYYMMDD, "19960229"), OK(YYYYMMDD, "20251231"),
    BAD(YYYYMMDD, "19000229", DATE, 6, "day 29 does not exist in February 1900"),
    BAD(YYYYMMDD, "20230229", DATE, 6, "February 2023"),
    BAD(YYYYMMDD, "20200600", DATE, 6, "day 00"),
    BAD(YYYYMMDD, "20201301", DATE, 4, "month 13 does not exist"),
    BAD(YYYYMMDD, "2020061", LENGTH, 0, "8 digits, not 7"),
    BAD(YYYYMMDD, "2020-612", CHARSET, 4, "'-' is not a digit"),

    /* times */
    OK(HHMI, "0000"), OK(HHMI, "2359"),
    BAD(HHMI, "2400", DATE, 0, "hour 24 does not exist"),
    BAD(HHMI, "1260", DATE, 2, "minute 60 does not exist"),
    BAD(HHMI, "123", LENGTH, 0, "4 digits, not 3"),
    BAD(HHMI, "12a0", CHARSET, 2, "'a' is not a digit"),
    OK(HH, "00"), OK(HH, "23"),
    BAD(HH, "24", DATE, 0, "hour 24"), BAD(HH, "2", LENGTH, 0, "2 digits, not 1"),
    OK(MI, "00"), OK(MI, "59"),
    BAD(MI, "60", DATE, 0, "minute 60"), BAD(MI, "5 ", CHARSET, 1, "byte 0x20 is not a digit"),
    OK(SS, "00"), OK(SS, "59"),
    BAD(SS, "60", DATE, 0, "second 60 does not exist"), BAD(SS, "", LENGTH, 0, "2 digits"),

    /* ISO codes */
    OK(ISO3166, "276"), OK(ISO3166, "004"), OK(ISO3166, "894"), OK(ISO3166, "728"),
    BAD(ISO3166, "999", RANGE, 0, "999 is not an ISO 3166-1 numeric country code"),
    BAD(ISO3166, "530", RANGE, 0, "not an ISO 3166-1"),
    BAD(ISO3166, "27", LENGTH, 0, "3 digits, not 2"),
    BAD(ISO3166, "27A", CHARSET, 2, "'A' is not a digit"),
    OK(ISO3166999, "999"), OK(ISO3166999, "840"),
    BAD(ISO3166999, "998", RANGE, 0, "nor 999"), BAD(ISO3166999, "9999", LENGTH, 0, "3 digits"),
    OK(ISO3166ALPHA2, "DE"), OK(ISO3166ALPHA2, "ZW"), OK(ISO3166ALPHA2, "AD"),
    OK(ISO3166ALPHA2, "SS"),
    BAD(ISO3166ALPHA2, "AA", RANGE, 0, "AA is not an ISO 3166-1 alpha-2 country code"),
    BAD(ISO3166ALPHA2, "AN", RANGE, 0, "alpha-2"),
    BAD(ISO3166ALPHA2, "dE", CHARSET, 0, "upper-case"),
    BAD(ISO3166ALPHA2, "D1", CHARSET, 1, "upper-case"),
    BAD(ISO3166ALPHA2, "DEU", LENGTH, 0, "2 letters, not 3"),
    OK(ISO4217, "978"), OK(ISO4217, "840"), OK(ISO4217, "532"), OK(ISO4217, "924"),
    OK(ISO4217, "999"),
    BAD(ISO4217, "932", RANGE, 0, "932 is not an ISO 4217 numeric currency code"),
    BAD(ISO4217, "191", RANGE, 0, "ISO 4217"), BAD(ISO4217, "000", RANGE, 0, "ISO 4217"),
    BAD(ISO4217, "97", LENGTH, 0, "3 digits"),
    OK(ISO5218, "0"), OK(ISO5218, "1"), OK(ISO5218, "2"), OK(ISO5218, "9"),
    BAD(ISO5218, "3", RANGE, 0, "must be 0, 1, 2 or 9"), BAD(ISO5218, "10", LENGTH, 0, "1 char"),

    /* other codes and flags */
    OK(PACKAGETYPE, "BX"), OK(PACKAGETYPE, "CT"), OK(PACKAGETYPE, "PX"), OK(PACKAGETYPE, "8"),
    OK(PACKAGETYPE, "200"), OK(PACKAGETYPE, "X20"), OK(PACKAGETYPE, "ZZ"), OK(PACKAGETYPE, "1A"),
    BAD(PACKAGETYPE, "ZZZ", RANGE, 0, "ZZZ is not a package type code"),
    BAD(PACKAGETYPE, "bx", RANGE, 0, "bx is not"), BAD(PACKAGETYPE, "0", RANGE, 0, "0 is not"),
    BAD(PACKAGETYPE, "", RANGE, 0, "not a package type code"),
    BAD(PACKAGETYPE, "BOXX", RANGE, 0, "1 to 3 characters"),
    OK(MEDIATYPE, "01"), OK(MEDIATYPE, "10"), OK(MEDIATYPE, "80"), OK(MEDIATYPE, "99"),
    BAD(MEDIATYPE, "00", RANGE, 0, "media type 00 is not assigned"),
    BAD(MEDIATYPE, "11", RANGE, 0, "11 is not assigned"),
    BAD(MEDIATYPE, "79", RANGE, 0, "79 is not assigned"),
    BAD(MEDIATYPE, "1", LENGTH, 0, "2 digits, not 1"), BAD(MEDIATYPE, "0a", CHARSET, 1, "'a'"),
    OK(IMPORTERIDX, "-"), OK(IMPORTERIDX, "_"), OK(IMPORTERIDX, "0"), OK(IMPORTERIDX, "z"),
    OK(IMPORTERIDX, "Q"),
    BAD(IMPORTERIDX, "!", CHARSET, 0, "importer index is one of"),
    BAD(IMPORTERIDX, "/", CHARSET, 0, "importer index"),
    BAD(IMPORTERIDX, "AA", LENGTH, 0, "1 character, not 2"),
    OK(YESNO, "0"), OK(YESNO, "1"),
    BAD(YESNO, "2", RANGE, 0, "must be 0 or 1"), BAD(YESNO, "", LENGTH, 0, "not 0"),
    OK(WINDING, "0"), OK(WINDING, "1"), OK(WINDING, "9"),
    BAD(WINDING, "2", RANGE, 0, "must be 0, 1 or 9"),
    OK(HYPHEN, "-"),
    BAD(HYPHEN, "+", CHARSET, 0, "must be '-'"), BAD(HYPHEN, "--", LENGTH, 0, "not 2"),

    /* numeric values */
    OK(ZERO, "0"), OK(ZERO, "00"),
    BAD(ZERO, "1", RANGE, 0, "must be zero"), BAD(ZERO, "01", RANGE, 1, "must be zero"),
    BAD(ZERO, "", LENGTH, 0, "empty"), BAD(ZERO, "A", CHARSET, 0, "'A' is not a digit"),
    OK(NONZERO, "0001"), OK(NONZERO, "9"), OK(NONZERO, "1000"),
    BAD(NONZERO, "0000", RANGE, 0, "must not be zero"), BAD(NONZERO, "", RANGE, 0, "not be zero"),
    BAD(NONZERO, "00A", CHARSET, 2, "'A' is not a digit"),
    OK(NOZEROPREFIX, "1"), OK(NOZEROPREFIX, "1234567890"), OK(NOZEROPREFIX, ""),
    BAD(NOZEROPREFIX, "0", RANGE, 0, "leading zero"),
    BAD(NOZEROPREFIX, "0123", RANGE, 0, "leading zero is not allowed"),
    BAD(NOZEROPREFIX, "1A", CHARSET, 1, "'A' is not a digit"),
    OK(HASNONDIGIT, "A1"), OK(HASNONDIGIT, "123/"), OK(HASNONDIGIT, ":"),
    BAD(HASNONDIGIT, "0123456789", CHARSET, 0, "at least one non-digit"),
    BAD(HASNONDIGIT, "", CHARSET, 0, "non-digit"),
    OK(LATITUDE, "0279085848"), OK(LATITUDE, "0000000000"), OK(LATITUDE, "1800000000"),
    BAD(LATITUDE, "1800000001", RANGE, 0, "latitude 1800000001 is above 1800000000"),
    BAD(LATITUDE, "027908584", LENGTH, 0, "10 digits, not 9"),
    BAD(LATITUDE, "02790858A8", CHARSET, 8, "'A'"),
    OK(LONGITUDE, "3600000000"), OK(LONGITUDE, "0000000000"), OK(LONGITUDE, "1800000001"),
    BAD(LONGITUDE, "3600000001", RANGE, 0, "longitude 3600000001 is above 3600000000"),
    BAD(LONGITUDE, "9999999999", RANGE, 0, "above"),
    BAD(LONGITUDE, "36000000000", LENGTH, 0, "not 11"),

    /* structures */
    OK(PIECEOFTOTAL, "0102"), OK(PIECEOFTOTAL, "0101"), OK(PIECEOFTOTAL, "9999"),
    OK(PIECEOFTOTAL, "13"), OK(PIECEOFTOTAL, "099100"),
    BAD(PIECEOFTOTAL, "0201", RANGE, 0, "piece 02 is above the total 01"),
    BAD(PIECEOFTOTAL, "0001", RANGE, 0, "piece number is zero"),
    BAD(PIECEOFTOTAL, "0100", RANGE, 2, "total number of pieces is zero"),
    BAD(PIECEOFTOTAL, "010", LENGTH, 0, "3 is odd"), BAD(PIECEOFTOTAL, "", LENGTH, 0, "odd"),
    BAD(PIECEOFTOTAL, "01a2", CHARSET, 2, "'a' is not a digit"),
    OK(POSINSEQSLASH, "1/1"), OK(POSINSEQSLASH, "2/3"), OK(POSINSEQSLASH, "9/10"),
    OK(POSINSEQSLASH, "100/100"),
    BAD(POSINSEQSLASH, "2/1", RANGE, 0, "position 2 is after the end 1"),
    BAD(POSINSEQSLASH, "10/9", RANGE, 0, "position 10 is after the end 9"),
    BAD(POSINSEQSLASH, "0/1", RANGE, 0, "position is zero"),
    BAD(POSINSEQSLASH, "01/2", RANGE, 0, "position has a leading zero"),
    BAD(POSINSEQSLASH, "1/0", RANGE, 2, "end is zero"),
    BAD(POSINSEQSLASH, "1/02", RANGE, 2, "end has a leading zero"),
    BAD(POSINSEQSLASH, "1/", SYNTAX, 1, "<position>/<end>"),
    BAD(POSINSEQSLASH, "/1", SYNTAX, 0, "<position>/<end>"),
    BAD(POSINSEQSLASH, "1//2", SYNTAX, 2, "<position>/<end>"),
    BAD(POSINSEQSLASH, "x/y", SYNTAX, 0, "<position>/<end>"),
    BAD(POSINSEQSLASH, "", SYNTAX, 0, "<position>/<end>"),
    BAD(POSINSEQSLASH, "1-2", SYNTAX, 1, "<position>/<end>"),
    OK(PCENC, ""), OK(PCENC, "ABC%20XYZ"), OK(PCENC, "%ff%00"), OK(PCENC, "no percent"),
    BAD(PCENC, "%fg", SYNTAX, 0, "'%' must be followed by two hex digits"),
    BAD(PCENC, "ABC%2", SYNTAX, 3, "two hex digits"), BAD(PCENC, "A%", SYNTAX, 1, "hex"),
    BAD(PCENC, "%41%4", SYNTAX, 3, "hex"),

    /* couponcode (AI 8110) */
    OK(COUPONCODE, CPN), OK(COUPONCODE, CPN_ALL), OK(COUPONCODE, CPN "3251231"),
    OK(COUPONCODE, CPN "90000"), OK(COUPONCODE, "61234567890121234565123455123459123"),
    BAD(COUPONCODE, "a12345612345611110123", CHARSET, 0, "'a' is not a digit"),
    BAD(COUPONCODE, "", SYNTAX, 0, "primary GS1 Company Prefix length indicator is missing"),
    BAD(COUPONCODE, "71234567890123", RANGE, 0, "length indicator is 7; it must be 0-6"),
    BAD(COUPONCODE, "012345", SYNTAX, 1, "needs 6 digits, only 5 left"),
    BAD(COUPONCODE, "0123456", SYNTAX, 0, "the offer code is missing"),
    BAD(COUPONCODE, "012345612345601110123", RANGE, 13, "save value length indicator is 0"),
    BAD(COUPONCODE, "0123456123456", SYNTAX, 0, "save value length indicator is missing"),
    BAD(COUPONCODE, "012345612345621", SYNTAX, 14, "save value needs 2 digits, only 1 left"),
    BAD(COUPONCODE, "012345612345611115123", RANGE, 17,
        "primary purchase requirement code is 5; it must be 0-4 or 9"),
    BAD(COUPONCODE, "01234561234561111012", SYNTAX, 18, "primary purchase family code needs 3"),
    BAD(COUPONCODE, CPN "14", RANGE, 22, "additional purchase rules code is 4"),
    BAD(COUPONCODE, CPN "101101237", RANGE, 29, "second purchase GS1 Company Prefix length"),
    BAD(COUPONCODE, CPN "3251301", DATE, 24, "expiration date: month 13 does not exist"),
    BAD(COUPONCODE, CPN "32512", SYNTAX, 22, "expiration date needs 6 digits"),
    BAD(COUPONCODE, CPN "3251231" "4260101", RANGE, 22,
        "expiration date 251231 is before the start date 260101"),
    BAD(COUPONCODE, CPN "4250101" "3251231", SYNTAX, 28, "at most once each, in that order"),
    BAD(COUPONCODE, CPN "5", SYNTAX, 0, "serial number length indicator is missing"),
    BAD(COUPONCODE, CPN "6812345678901234", RANGE, 22, "retailer GS1 Company Prefix or GLN"),
    BAD(COUPONCODE, CPN "90002", RANGE, 25, "don't-multiply flag is 2; it must be 0 or 1"),
    BAD(COUPONCODE, CPN "93000", RANGE, 22, "save value code is 3"),
    BAD(COUPONCODE, CPN "7", SYNTAX, 21, "unexpected data after the last field"),

    /* couponposoffer (AI 8112) */
    OK(COUPONPOSOFFER, "001234561234560123456"), OK(COUPONPOSOFFER, "101234561234560123456"),
    OK(COUPONPOSOFFER, "061234567890121234569123456789012345"),
    BAD(COUPONPOSOFFER, "", SYNTAX, 0, "format code is missing"),
    BAD(COUPONPOSOFFER, "201234561234560123456", RANGE, 0, "format code is 2; it must be 0 or 1"),
    BAD(COUPONPOSOFFER, "07", RANGE, 1, "funder ID length indicator is 7"),
    BAD(COUPONPOSOFFER, "0012345", SYNTAX, 2, "funder ID needs 6 digits, only 5 left"),
    BAD(COUPONPOSOFFER, "00123456123456", SYNTAX, 0, "serial number length indicator is missing"),
    BAD(COUPONPOSOFFER, "001234561234561123456", SYNTAX, 15, "serial number needs 7 digits"),
    BAD(COUPONPOSOFFER, "0012345612345601234567", SYNTAX, 21, "serial number is the last field"),
    BAD(COUPONPOSOFFER, "a01234561234560123456", CHARSET, 0, "'a' is not a digit"),
};
/* clang-format on */

/* Every row, on an exact-size heap copy of its input: code, offset, message. */
static void test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(rows); i++) {
        const lint_row *r = &rows[i];
        size_t n = strlen(r->in);
        char *v = malloc(n ? n : 1);
        assert_non_null(v);
        memcpy(v, r->in, n);
        size_t bad = 12345;
        char why[128] = "untouched";

        st_rc rc = st_lint_run(r->id, v, n, &bad, why, sizeof why);
        free(v);
        if (rc != r->rc || (rc != ST_OK && (bad != r->bad || !strstr(why, r->frag))))
            fail_msg("row %zu: %s(\"%s\") gave %d at %zu \"%s\"; expected %d at %zu \"%s\"", i,
                     st_lint_name(r->id), r->in, (int)rc, bad, why, (int)r->rc, r->bad,
                     r->frag ? r->frag : "");
        if (rc == ST_OK) {
            assert_int_equal(bad, 12345);
            assert_string_equal(why, "untouched");
        }
    }
}

/* The table itself has a valid and an invalid row for every linter. */
static void test_rows_cover_every_linter(void **state)
{
    (void)state;
    for (int id = ST_LINT_NONE + 1; id < ST_LINT_COUNT; id++) {
        int good = 0, bad = 0;
        for (size_t i = 0; i < COUNT(rows); i++)
            if ((int)rows[i].id == id)
                rows[i].rc == ST_OK ? good++ : bad++;
        if (!good || !bad)
            fail_msg("linter %s has %d valid and %d invalid rows", st_lint_name((st_lint_id)id),
                     good, bad);
    }
}

/* Names are unique and "?" stands for ids without a linter; running those,
 * or a NULL value, is ST_ERR_ARG. */
static void test_names_and_dispatch(void **state)
{
    (void)state;
    for (int a = ST_LINT_NONE + 1; a < ST_LINT_COUNT; a++) {
        const char *na = st_lint_name((st_lint_id)a);
        assert_string_not_equal(na, "?");
        for (int b = a + 1; b < ST_LINT_COUNT; b++)
            assert_string_not_equal(na, st_lint_name((st_lint_id)b));
    }
    assert_string_equal(st_lint_name(ST_LINT_CSUM), "csum");
    assert_string_equal(st_lint_name(ST_LINT_YYMMD0), "yymmd0");
    assert_string_equal(st_lint_name(ST_LINT_NONE), "?");
    assert_string_equal(st_lint_name(ST_LINT_COUNT), "?");
    assert_string_equal(st_lint_name((st_lint_id)-1), "?");

    size_t bad = 99;
    char why[64] = "";
    assert_int_equal(st_lint_run(ST_LINT_NONE, "0", 1, &bad, why, sizeof why), ST_ERR_ARG);
    assert_non_null(strstr(why, "no linter"));
    assert_int_equal(st_lint_run(ST_LINT_COUNT, "0", 1, &bad, why, sizeof why), ST_ERR_ARG);
    assert_int_equal(st_lint_run(ST_LINT_CSUM, NULL, 3, &bad, why, sizeof why), ST_ERR_ARG);
    assert_int_equal(st_lint_run(ST_LINT_NOZEROPREFIX, NULL, 0, &bad, why, sizeof why), ST_OK);
    assert_int_equal(st_lint_run(ST_LINT_HASNONDIGIT, NULL, 0, &bad, why, sizeof why),
                     ST_ERR_CHARSET);
}

/* Small or absent output buffers: messages are cut, never overrun. */
static void test_output_buffers(void **state)
{
    (void)state;
    char why[8];
    memset(why, 'x', sizeof why);
    size_t bad = 0;
    assert_int_equal(st_lint_run(ST_LINT_CSUM, "09520123456789", 14, &bad, why, 6),
                     ST_ERR_CHECK_DIGIT);
    assert_string_equal(why, "check");
    assert_int_equal(why[6], 'x');
    assert_int_equal(bad, 13);

    assert_int_equal(st_lint_run(ST_LINT_CSUM, "09520123456789", 14, NULL, NULL, 0),
                     ST_ERR_CHECK_DIGIT);
    assert_int_equal(st_lint_run(ST_LINT_CSUM, "09520123456789", 14, NULL, NULL, 100),
                     ST_ERR_CHECK_DIGIT);
    why[0] = 'y';
    assert_int_equal(st_lint_run(ST_LINT_CSUM, "09520123456789", 14, &bad, why, 0),
                     ST_ERR_CHECK_DIGIT);
    assert_int_equal(why[0], 'y');
    assert_int_equal(st_lint_run(ST_LINT_YYMMD0, "201310", 6, &bad, why, 1), ST_ERR_DATE);
    assert_int_equal(why[0], '\0');
    assert_int_equal(bad, 2);
}

/* Only the n bytes given are read: a valid prefix of a longer buffer is
 * judged on its own, and a NUL inside the value is just a bad byte. */
static void test_value_bounds(void **state)
{
    (void)state;
    size_t bad = 0;
    char why[96];
    assert_int_equal(st_lint_run(ST_LINT_HHMI, "12345", 4, &bad, why, sizeof why), ST_OK);
    assert_int_equal(st_lint_run(ST_LINT_ISO3166, "2760", 3, &bad, why, sizeof why), ST_OK);
    assert_int_equal(st_lint_run(ST_LINT_PACKAGETYPE, "BXE", 2, &bad, why, sizeof why), ST_OK);
    assert_int_equal(st_lint_run(ST_LINT_PACKAGETYPE, "B\0X", 3, &bad, why, sizeof why),
                     ST_ERR_RANGE);
    static const char nul_inside[4] = {'1', '2', '\0', '4'};
    assert_int_equal(st_lint_run(ST_LINT_CSUM, nul_inside, 4, &bad, why, sizeof why),
                     ST_ERR_CHARSET);
    assert_int_equal(bad, 2);
    assert_non_null(strstr(why, "byte 0x00"));
    assert_int_equal(st_lint_run(ST_LINT_IMPORTERIDX, "\x80", 1, &bad, why, sizeof why),
                     ST_ERR_CHARSET);
}

/* Count the three-character strings over alphabet that lookup accepts. */
static int count_codes(int (*lookup)(const char *, size_t), const char *alphabet, size_t len)
{
    size_t k = strlen(alphabet);
    int hits = 0;
    char s[3];
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            for (size_t c = 0; c < (len == 3 ? k : 1); c++) {
                s[0] = alphabet[a];
                s[1] = alphabet[b];
                s[2] = alphabet[c];
                hits += lookup(s, len) != 0;
            }
    return hits;
}

/* Adapter: the packagetype linter as a yes/no lookup. */
static int pkgtype_lookup(const char *v, size_t n)
{
    return st_lint_run(ST_LINT_PACKAGETYPE, v, n, NULL, NULL, 0) == ST_OK;
}

/* Every code of every list is found (a table out of order would lose some)
 * and nothing else is. */
static void test_code_lists(void **state)
{
    (void)state;
    static const char digits[] = "0123456789";
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    assert_int_equal(count_codes(st_iso_country_num, digits, 3), 249);
    assert_int_equal(count_codes(st_iso_country_alpha2, upper, 2), 249);
    assert_int_equal(count_codes(st_iso_currency_num, digits, 3), 179);
    int pkg = 0;
    for (size_t a = 0; a < 36; a++) {
        char s[1] = {alnum[a]};
        pkg += pkgtype_lookup(s, 1);
    }
    pkg += count_codes(pkgtype_lookup, alnum, 2) + count_codes(pkgtype_lookup, alnum, 3);
    assert_int_equal(pkg, 431);

    assert_false(st_iso_country_num("27", 2));
    assert_false(st_iso_country_num("2 6", 3));
    assert_false(st_iso_country_alpha2("D", 1));
    assert_false(st_iso_currency_num("9780", 4));
}

/* Every linter the Syntax Dictionary names is implemented here, and every
 * one implemented here is used by the dictionary. Skipped without the
 * shared folder (ST_SHARED_DIR). */
static void test_dictionary_names(void **state)
{
    (void)state;
    const char *dir = getenv("ST_SHARED_DIR");
    char path[1024];
    if (!dir)
        skip();
    snprintf(path, sizeof path, "%s/conformance/gs1-syntax/gs1-syntax-dictionary.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        skip();

    int used[ST_LINT_COUNT] = {0};
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s1, *s2;
        for (char *tok = strtok_r(line, " \t\r\n", &s1); tok;
             tok = strtok_r(NULL, " \t\r\n", &s1)) {
            char *comma = strchr(tok, ',');
            if (!comma || strchr(tok, '='))
                continue; /* a component without linters, or an attribute */
            for (char *name = strtok_r(comma + 1, ",", &s2); name;
                 name = strtok_r(NULL, ",", &s2)) {
                int found = 0;
                for (int id = ST_LINT_NONE + 1; id < ST_LINT_COUNT && !found; id++)
                    if (!strcmp(name, st_lint_name((st_lint_id)id)))
                        used[id] = found = 1;
                if (!found)
                    fail_msg("the dictionary names linter \"%s\", which is not implemented", name);
            }
        }
    }
    fclose(f);
    for (int id = ST_LINT_NONE + 1; id < ST_LINT_COUNT; id++)
        if (!used[id])
            fail_msg("linter %s is not used by the dictionary", st_lint_name((st_lint_id)id));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_rows_cover_every_linter),
        cmocka_unit_test(test_names_and_dispatch),
        cmocka_unit_test(test_output_buffers),
        cmocka_unit_test(test_value_bounds),
        cmocka_unit_test(test_code_lists),
        cmocka_unit_test(test_dictionary_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
