/*
 * Linters of identification keys: the mod-10 check digit (csum), the mod-1021
 * check character pair of GMN and MUDI (csumalpha), the GS1 Company Prefix
 * position (gcppos1, gcppos2) and the ISO 13616 IBAN (iban).
 */
#include "gs1/cset.h"
#include "gs1/lint_int.h"

#include <string.h>

#include "gs1/checkdigit.h"
#include "gs1/iso_codes.h"

/* The shortest GS1 Company Prefix; the GS1 syntax tests use 4. */
#define ST_GCP_MIN_LEN 4

/* csum: the last digit is the GS1 mod-10 check digit over the others. */
st_rc st_lint_csum(const char *v, size_t n, st_lint_out *o)
{
    if (n == 0)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "no room for a check digit");
    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc != ST_OK)
        return rc;
    char want = st_cd_mod10(v, n - 1);
    if (v[n - 1] != want)
        return st_lint_fail(o, ST_ERR_CHECK_DIGIT, n - 1, "check digit is %c, expected %c",
                            v[n - 1], want);
    return ST_OK;
}

/* 1 when c is one of the 32 characters a check character pair is written with. */
static int st_is_pair_char(char c)
{
    return (c >= '2' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
}


/* csumalpha: the last two characters are the GS1 check character pair of the
 * others (GenSpecs 7.9.5: CSET 82 values weighted by primes, mod 1021). */
st_rc st_lint_csumalpha(const char *v, size_t n, st_lint_out *o)
{
    char want[2];

    if (n < 2)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "no room for a check character pair");
    for (size_t i = n - 2; i < n; i++)
        if (!st_is_pair_char(v[i]))
            return st_lint_fail(o, ST_ERR_CHARSET, i,
                                "check character is not one of 2-9 and A-Z without I and O");
    st_rc rc = st_cd_alpha_pair(v, n - 2, want);
    if (rc == ST_ERR_LENGTH)
        return st_lint_fail(o, ST_ERR_LENGTH, 0,
                            "%zu characters before the check pair; a GMN or MUDI has at most 23",
                            n - 2);
    if (rc != ST_OK) {
        size_t i = 0;
        while (i < n - 2 && st_cset_has(ST_CSET_X, (unsigned char)v[i]))
            i++;
        return st_lint_fail(o, ST_ERR_CHARSET, i, "character is not in CSET 82");
    }
    if (v[n - 2] != want[0] || v[n - 1] != want[1])
        return st_lint_fail(o, ST_ERR_CHECK_DIGIT, n - 2,
                            "check characters are %c%c, expected %c%c", v[n - 2], v[n - 1], want[0],
                            want[1]);
    return ST_OK;
}

/*
 * The value must start with a GS1 Company Prefix at offset off: at least
 * ST_GCP_MIN_LEN digits there. Without a table of allocated prefixes this is
 * all that can be checked; whether the prefix is actually allocated is not.
 */
static st_rc st_lint_gcppos(const char *v, size_t n, size_t off, st_lint_out *o)
{
    if (n < off + ST_GCP_MIN_LEN)
        return st_lint_fail(o, ST_ERR_LENGTH, 0,
                            "too short for a GS1 Company Prefix of %d digits at position %zu",
                            ST_GCP_MIN_LEN, off + 1);
    for (size_t i = off; i < off + ST_GCP_MIN_LEN; i++)
        if (v[i] < '0' || v[i] > '9')
            return st_lint_fail(o, ST_ERR_CHARSET, i,
                                "a GS1 Company Prefix (digits) must start at position %zu",
                                off + 1);
    return ST_OK;
}

/* gcppos1: a GS1 Company Prefix starts at the first character. */
st_rc st_lint_gcppos1(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_gcppos(v, n, 0, o);
}

/* gcppos2: a GS1 Company Prefix starts at the second character (after an
 * indicator or extension digit). */
st_rc st_lint_gcppos2(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_gcppos(v, n, 1, o);
}

/* IBAN lengths: ISO 13616 allows at most 34; the GS1 reference asks for more
 * than 10 (the shortest IBAN in use, Norway's, has 15). */
#define ST_IBAN_MIN 11
#define ST_IBAN_MAX 34

/* Fold the IBAN character c into the running mod-97 remainder r, with letters
 * counting as 10 (A) to 35 (Z). */
static unsigned st_iban_fold(unsigned r, char c)
{
    if (c >= '0' && c <= '9')
        return (r * 10 + (unsigned)(c - '0')) % 97;
    return (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
}

/*
 * iban: ISO 13616 International Bank Account Number: an ISO 3166-1 alpha-2
 * country, two check digits, then upper-case letters and digits; moving the
 * first four characters to the end and reading letters as 10-35 must leave
 * remainder 1 modulo 97. The per-country BBAN formats are not checked.
 */
st_rc st_lint_iban(const char *v, size_t n, st_lint_out *o)
{
    if (n < 4)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "an IBAN has at least %d characters", ST_IBAN_MIN);
    if (!st_iso_country_alpha2(v, 2))
        return st_lint_fail(o, ST_ERR_RANGE, 0,
                            "IBAN does not start with an ISO 3166-1 alpha-2 country code");
    if (n > ST_IBAN_MAX)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "an IBAN has at most %d characters, not %zu",
                            ST_IBAN_MAX, n);
    if (n < ST_IBAN_MIN)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "an IBAN has at least %d characters, not %zu",
                            ST_IBAN_MIN, n);
    st_rc rc = st_lint_digits(v + 2, 2, 2, o);
    if (rc != ST_OK)
        return rc;
    for (size_t i = 4; i < n; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'A' && v[i] <= 'Z')))
            return st_lint_fail(o, ST_ERR_CHARSET, i,
                                "an IBAN holds only digits and upper-case letters");

    /* r: remainder of BBAN + country + "00". The IBAN is valid when adding its
     * check digits gives remainder 1; the digits ISO 13616 assigns are 98 - r. */
    unsigned r = 0;
    for (size_t i = 4; i < n; i++)
        r = st_iban_fold(r, v[i]);
    r = st_iban_fold(st_iban_fold(r, v[0]), v[1]);
    r = st_iban_fold(st_iban_fold(r, '0'), '0');
    unsigned want = 98 - r;
    if ((r + st_lint_num(v + 2, 2)) % 97 != 1)
        return st_lint_fail(o, ST_ERR_CHECK_DIGIT, 2, "IBAN check digits are %c%c, expected %02u",
                            v[2], v[3], want);
    return ST_OK;
}
