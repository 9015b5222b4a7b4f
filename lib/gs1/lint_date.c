/*
 * Date and time linters: yymmd0, yymmdd, yyyymmdd, hhmi, hh, mi, ss.
 * Every failure names the field that does not exist ("month 13 does not
 * exist", "day 29 does not exist in February 2023") and its offset.
 */
#include "gs1/lint_int.h"

static const char *const st_month_names[13] = {
    "",     "January", "February",  "March",   "April",    "May",      "June",
    "July", "August",  "September", "October", "November", "December",
};

/* Days in month m (1..12) of a year that is (leap != 0) or is not a leap year. */
static unsigned st_days_in_month(unsigned m, int leap)
{
    static const unsigned char days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap ? 29 : days[m];
}

/* Check exact length `want` and all-digit content of v[0..n); form names the
 * expected layout for the message ("YYMMDD"). */
static st_rc st_lint_fixed_digits(const char *v, size_t n, size_t want, const char *form,
                                  st_lint_out *o)
{
    if (n != want)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "%s has %zu digits, not %zu", form, want, n);
    return st_lint_digits(v, n, 0, o);
}

/*
 * Check the MMDD at v (offset off in the value) for a year whose leap-ness
 * is given. day00 allows DD = 00 ("no day given"). year_text is how the year
 * is named in the message ("2023", or "of year 23" for two-digit years).
 */
static st_rc st_lint_mmdd(const char *v, size_t off, int leap, int day00, const char *year_text,
                          st_lint_out *o)
{
    unsigned m = (unsigned)st_lint_num(v, 2);
    unsigned d = (unsigned)st_lint_num(v + 2, 2);

    if (m < 1 || m > 12)
        return st_lint_fail(o, ST_ERR_DATE, off, "month %02u does not exist", m);
    if (d == 0) {
        if (day00)
            return ST_OK;
        return st_lint_fail(o, ST_ERR_DATE, off + 2, "day 00 is not allowed in this date");
    }
    if (d > st_days_in_month(m, leap)) {
        if (m == 2)
            return st_lint_fail(o, ST_ERR_DATE, off + 2, "day %02u does not exist in February %s",
                                d, year_text);
        return st_lint_fail(o, ST_ERR_DATE, off + 2, "day %02u does not exist in %s", d,
                            st_month_names[m]);
    }
    return ST_OK;
}

/*
 * YYMMDD with two-digit years. Only February 29 depends on the century; with
 * the GS1 sliding window (GenSpecs 7.12: a year more than 50 ahead of the
 * current one is in the previous century) YY = 00 is 2000 until the year
 * 2051, so "YY divisible by 4" is the leap rule, as in the GS1 reference.
 */
static st_rc st_lint_yymmdx(const char *v, size_t n, int day00, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 6, "a YYMMDD date", o);
    if (rc != ST_OK)
        return rc;
    unsigned yy = (unsigned)st_lint_num(v, 2);
    char year_text[11] = {'o', 'f', ' ', 'y', 'e', 'a', 'r', ' ', v[0], v[1], '\0'};
    return st_lint_mmdd(v + 2, 2, yy % 4 == 0, day00, year_text, o);
}

/* yymmd0: a YYMMDD date whose day may be 00 (AIs 11-17: no day given). */
st_rc st_lint_yymmd0(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_yymmdx(v, n, 1, o);
}

/* yymmdd: a YYMMDD date that must name a real day. */
st_rc st_lint_yymmdd(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_yymmdx(v, n, 0, o);
}

/* yyyymmdd: a real Gregorian date with a four-digit year (AIs 7250, 7251). */
st_rc st_lint_yyyymmdd(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 8, "a YYYYMMDD date", o);
    if (rc != ST_OK)
        return rc;
    unsigned y = (unsigned)st_lint_num(v, 4);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    char year_text[5] = {v[0], v[1], v[2], v[3], '\0'};
    return st_lint_mmdd(v + 4, 4, leap, 0, year_text, o);
}

/* Check the two digits at v + off are at most max; unit names them ("hour"). */
static st_rc st_lint_upto(const char *v, size_t off, unsigned max, const char *unit, st_lint_out *o)
{
    unsigned x = (unsigned)st_lint_num(v + off, 2);
    if (x > max)
        return st_lint_fail(o, ST_ERR_DATE, off, "%s %02u does not exist (00-%02u)", unit, x, max);
    return ST_OK;
}

/* hhmi: a time of day HHMM, 00:00 to 23:59. */
st_rc st_lint_hhmi(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 4, "an HHMM time", o);
    if (rc == ST_OK)
        rc = st_lint_upto(v, 0, 23, "hour", o);
    if (rc == ST_OK)
        rc = st_lint_upto(v, 2, 59, "minute", o);
    return rc;
}

/* hh: an hour 00-23. */
st_rc st_lint_hh(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 2, "an hour", o);
    return rc == ST_OK ? st_lint_upto(v, 0, 23, "hour", o) : rc;
}

/* mi: a minute 00-59. */
st_rc st_lint_mi(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 2, "a minute", o);
    return rc == ST_OK ? st_lint_upto(v, 0, 59, "minute", o) : rc;
}

/* ss: a second 00-59 (no leap second, as in the GS1 reference). */
st_rc st_lint_ss(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_fixed_digits(v, n, 2, "a second", o);
    return rc == ST_OK ? st_lint_upto(v, 0, 59, "second", o) : rc;
}
