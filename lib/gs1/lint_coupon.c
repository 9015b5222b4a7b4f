/*
 * Linters of the North American coupon codes: couponcode (AI 8110, the
 * "North American Coupon Application Guideline Using GS1 DataBar Expanded
 * Symbols" layout) and couponposoffer (AI 8112, the positive offer file
 * layout). Both are runs of digits cut into fields, several of them preceded
 * by a one-digit Variable Length Indicator (VLI) giving their length.
 */
#include "gs1/lint_int.h"

#include <stdio.h>
#include <string.h>

/* A cursor over the coupon value. */
typedef struct st_cpn {
    const char *v;  /* the value */
    size_t n;       /* its length */
    size_t p;       /* offset of the next unread digit */
    st_lint_out *o; /* where failures go */
} st_cpn;

/*
 * Read one digit, the field `what`, into *d. allowed lists the digits that
 * are valid (NULL: any), shown says so in the message ("0-6"). A missing
 * digit is ST_ERR_SYNTAX, a digit not allowed ST_ERR_RANGE.
 */
static st_rc st_cpn_digit(st_cpn *c, const char *allowed, const char *shown, const char *what,
                          int *d)
{
    if (c->p == c->n)
        return st_lint_fail(c->o, ST_ERR_SYNTAX, 0, "the %s is missing", what);
    char ch = c->v[c->p];
    if (allowed && !strchr(allowed, ch))
        return st_lint_fail(c->o, ST_ERR_RANGE, c->p, "the %s is %c; it must be %s", what, ch,
                            shown);
    *d = ch - '0';
    c->p++;
    return ST_OK;
}

/* Skip a field `what` of len digits; ST_ERR_SYNTAX when fewer are left. On
 * success *start (when not NULL) receives its offset. */
static st_rc st_cpn_field(st_cpn *c, size_t len, const char *what, size_t *start)
{
    size_t left = c->n - c->p;
    if (left < len) {
        if (left == 0)
            return st_lint_fail(c->o, ST_ERR_SYNTAX, 0, "the %s is missing", what);
        return st_lint_fail(c->o, ST_ERR_SYNTAX, c->p, "the %s needs %zu digits, only %zu left",
                            what, len, left);
    }
    if (start)
        *start = c->p;
    c->p += len;
    return ST_OK;
}

/* A GS1 Company Prefix field: VLI (allowed digits, "9" meaning none when
 * nine_is_none) then VLI + 6 digits, which must pass gcppos1. */
static st_rc st_cpn_gcp(st_cpn *c, const char *allowed, const char *shown, int nine_is_none,
                        const char *what)
{
    int vli = 0;
    size_t start;
    char vli_what[80];
    snprintf(vli_what, sizeof vli_what, "%s length indicator", what);
    st_rc rc = st_cpn_digit(c, allowed, shown, vli_what, &vli);
    if (rc != ST_OK || (nine_is_none && vli == 9))
        return rc;
    rc = st_cpn_field(c, (size_t)vli + 6, what, &start);
    if (rc != ST_OK)
        return rc;
    rc = st_lint_gcppos1(c->v + start, (size_t)vli + 6, c->o);
    if (rc != ST_OK && c->o->bad)
        *c->o->bad += start;
    return rc;
}

/* A field preceded by a VLI in 1-5 giving its length (save value, purchase
 * requirements). */
static st_rc st_cpn_vli_field(st_cpn *c, const char *what)
{
    int vli = 0;
    char vli_what[80];
    snprintf(vli_what, sizeof vli_what, "%s length indicator", what);
    st_rc rc = st_cpn_digit(c, "12345", "1-5", vli_what, &vli);
    return rc == ST_OK ? st_cpn_field(c, (size_t)vli, what, NULL) : rc;
}

/* A purchase requirement block: requirement (VLI + digits), requirement code
 * (0-4 or 9) and a three-digit family code; nth is "primary", "second"... */
static st_rc st_cpn_purchase(st_cpn *c, const char *nth)
{
    char what[80];
    int code = 0;
    snprintf(what, sizeof what, "%s purchase requirement", nth);
    st_rc rc = st_cpn_vli_field(c, what);
    if (rc != ST_OK)
        return rc;
    snprintf(what, sizeof what, "%s purchase requirement code", nth);
    rc = st_cpn_digit(c, "012349", "0-4 or 9", what, &code);
    if (rc != ST_OK)
        return rc;
    snprintf(what, sizeof what, "%s purchase family code", nth);
    return st_cpn_field(c, 3, what, NULL);
}

/* A YYMMDD date field `what`; *start receives its offset. */
static st_rc st_cpn_date(st_cpn *c, const char *what, size_t *start)
{
    char why[96] = "";
    size_t bad = 0;
    st_lint_out sub = {&bad, why, sizeof why};

    st_rc rc = st_cpn_field(c, 6, what, start);
    if (rc != ST_OK)
        return rc;
    rc = st_lint_yymmdd(c->v + *start, 6, &sub);
    if (rc != ST_OK)
        return st_lint_fail(c->o, rc, *start + bad, "%s: %s", what, why);
    return ST_OK;
}

/* 1 when the optional field with indicator digit f comes next. */
static int st_cpn_next_is(const st_cpn *c, char f)
{
    return c->p < c->n && c->v[c->p] == f;
}

/* Fail when data is left after the last field that could be read. */
static st_rc st_cpn_end(st_cpn *c, const char *rule)
{
    if (c->p == c->n)
        return ST_OK;
    return st_lint_fail(c->o, ST_ERR_SYNTAX, c->p, "unexpected data after the last field (%s)",
                        rule);
}

/*
 * couponcode (AI 8110): primary GCP (VLI 0-6, then VLI + 6 digits), offer
 * code (6), save value (VLI 1-5), primary purchase (requirement VLI 1-5,
 * code 0-4 or 9, family code 3); then optional fields, each at most once and
 * in this order: 1 second purchase (rules code 0-3, purchase block, GCP VLI
 * 0-6 or 9 = none), 2 third purchase (purchase block, GCP), 3 expiration
 * date, 4 start date (not after the expiration date), 5 serial number (VLI
 * 0-9, VLI + 6 digits), 6 retailer GCP or GLN (VLI 1-7, VLI + 6 digits),
 * 9 miscellaneous (save value code 0-2/5/6, applies-to-item 0-2, store
 * coupon flag, don't-multiply flag 0-1).
 */
st_rc st_lint_couponcode(const char *v, size_t n, st_lint_out *o)
{
    st_cpn c = {v, n, 0, o};
    int d = 0;
    size_t expiry = 0, start;
    int has_expiry = 0;

    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc == ST_OK)
        rc = st_cpn_gcp(&c, "0123456", "0-6", 0, "primary GS1 Company Prefix");
    if (rc == ST_OK)
        rc = st_cpn_field(&c, 6, "offer code", NULL);
    if (rc == ST_OK)
        rc = st_cpn_vli_field(&c, "save value");
    if (rc == ST_OK)
        rc = st_cpn_purchase(&c, "primary");
    if (rc != ST_OK)
        return rc;

    if (st_cpn_next_is(&c, '1')) {
        c.p++;
        rc = st_cpn_digit(&c, "0123", "0-3", "additional purchase rules code", &d);
        if (rc == ST_OK)
            rc = st_cpn_purchase(&c, "second");
        if (rc == ST_OK)
            rc = st_cpn_gcp(&c, "01234569", "0-6 or 9", 1, "second purchase GS1 Company Prefix");
        if (rc != ST_OK)
            return rc;
    }
    if (st_cpn_next_is(&c, '2')) {
        c.p++;
        rc = st_cpn_purchase(&c, "third");
        if (rc == ST_OK)
            rc = st_cpn_gcp(&c, "01234569", "0-6 or 9", 1, "third purchase GS1 Company Prefix");
        if (rc != ST_OK)
            return rc;
    }
    if (st_cpn_next_is(&c, '3')) {
        c.p++;
        rc = st_cpn_date(&c, "expiration date", &expiry);
        if (rc != ST_OK)
            return rc;
        has_expiry = 1;
    }
    if (st_cpn_next_is(&c, '4')) {
        c.p++;
        rc = st_cpn_date(&c, "start date", &start);
        if (rc != ST_OK)
            return rc;
        if (has_expiry && memcmp(v + start, v + expiry, 6) > 0)
            return st_lint_fail(o, ST_ERR_RANGE, expiry,
                                "expiration date %.6s is before the start date %.6s", v + expiry,
                                v + start);
    }
    if (st_cpn_next_is(&c, '5')) {
        c.p++;
        rc = st_cpn_digit(&c, NULL, NULL, "serial number length indicator", &d);
        if (rc == ST_OK)
            rc = st_cpn_field(&c, (size_t)d + 6, "serial number", NULL);
        if (rc != ST_OK)
            return rc;
    }
    if (st_cpn_next_is(&c, '6')) {
        c.p++;
        rc = st_cpn_gcp(&c, "1234567", "1-7", 0, "retailer GS1 Company Prefix or GLN");
        if (rc != ST_OK)
            return rc;
    }
    if (st_cpn_next_is(&c, '9')) {
        c.p++;
        rc = st_cpn_digit(&c, "01256", "0, 1, 2, 5 or 6", "save value code", &d);
        if (rc == ST_OK)
            rc = st_cpn_digit(&c, "012", "0-2", "save value applies-to-item code", &d);
        if (rc == ST_OK)
            rc = st_cpn_digit(&c, NULL, NULL, "store coupon flag", &d);
        if (rc == ST_OK)
            rc = st_cpn_digit(&c, "01", "0 or 1", "don't-multiply flag", &d);
        if (rc != ST_OK)
            return rc;
    }
    return st_cpn_end(&c, "optional fields 1-6 and 9 come at most once each, in that order");
}

/*
 * couponposoffer (AI 8112): format code 0 or 1, funder ID (VLI 0-6, then
 * VLI + 6 digits), offer code (6), serial number (VLI 0-9, VLI + 6 digits),
 * and nothing after it.
 */
st_rc st_lint_couponposoffer(const char *v, size_t n, st_lint_out *o)
{
    st_cpn c = {v, n, 0, o};
    int d = 0;

    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc == ST_OK)
        rc = st_cpn_digit(&c, "01", "0 or 1", "format code", &d);
    if (rc == ST_OK)
        rc = st_cpn_digit(&c, "0123456", "0-6", "funder ID length indicator", &d);
    if (rc == ST_OK)
        rc = st_cpn_field(&c, (size_t)d + 6, "funder ID", NULL);
    if (rc == ST_OK)
        rc = st_cpn_field(&c, 6, "offer code", NULL);
    if (rc == ST_OK)
        rc = st_cpn_digit(&c, NULL, NULL, "serial number length indicator", &d);
    if (rc == ST_OK)
        rc = st_cpn_field(&c, (size_t)d + 6, "serial number", NULL);
    if (rc == ST_OK)
        rc = st_cpn_end(&c, "the serial number is the last field");
    return rc;
}
