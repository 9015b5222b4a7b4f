/*
 * Linters of coded values: ISO country, currency and sex codes, package
 * types, AIDC media types, the importer index of EU 2018/574 tobacco IDs,
 * and the one-character flags yesno, winding and hyphen. Code lists are data
 * (iso_codes.c, lint_pkgtype.c); this file only applies them.
 */
#include "gs1/lint_int.h"

#include "gs1/iso_codes.h"

/* Check a numeric code of exactly `want` digits; what names it in messages. */
static st_rc st_lint_code_digits(const char *v, size_t n, size_t want, const char *what,
                                 st_lint_out *o)
{
    if (n != want)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "%s has %zu digits, not %zu", what, want, n);
    return st_lint_digits(v, n, 0, o);
}

/* iso3166: an ISO 3166-1 numeric country code ("276"). */
st_rc st_lint_iso3166(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_code_digits(v, n, 3, "a country code", o);
    if (rc == ST_OK && !st_iso_country_num(v, n))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "%.3s is not an ISO 3166-1 numeric country code",
                            v);
    return rc;
}

/* iso3166999: an ISO 3166-1 numeric country code, or 999 ("unknown"). */
st_rc st_lint_iso3166999(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_code_digits(v, n, 3, "a country code", o);
    if (rc == ST_OK && !st_iso_country_num(v, n) && st_lint_num(v, 3) != 999)
        return st_lint_fail(o, ST_ERR_RANGE, 0,
                            "%.3s is neither an ISO 3166-1 numeric country code nor 999", v);
    return rc;
}

/* iso3166alpha2: an ISO 3166-1 alpha-2 country code in upper case ("DE"). */
st_rc st_lint_iso3166alpha2(const char *v, size_t n, st_lint_out *o)
{
    if (n != 2)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "a country code has 2 letters, not %zu", n);
    for (size_t i = 0; i < 2; i++)
        if (v[i] < 'A' || v[i] > 'Z')
            return st_lint_fail(o, ST_ERR_CHARSET, i, "a country code has upper-case letters A-Z");
    if (!st_iso_country_alpha2(v, n))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "%.2s is not an ISO 3166-1 alpha-2 country code",
                            v);
    return ST_OK;
}

/* iso4217: an ISO 4217 numeric currency code ("978"). */
st_rc st_lint_iso4217(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_code_digits(v, n, 3, "a currency code", o);
    if (rc == ST_OK && !st_iso_currency_num(v, n))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "%.3s is not an ISO 4217 numeric currency code", v);
    return rc;
}

/* Check that v is one character out of allowed; what names the field in
 * messages, shown lists its values, bad_rc is returned for other characters. */
static st_rc st_lint_one_of(const char *v, size_t n, const char *allowed, const char *what,
                            const char *shown, st_rc bad_rc, st_lint_out *o)
{
    if (n != 1)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "%s is 1 character, not %zu", what, n);
    for (const char *a = allowed; *a; a++)
        if (v[0] == *a)
            return ST_OK;
    return st_lint_fail(o, bad_rc, 0, "%s must be %s", what, shown);
}

/* iso5218: a sex code of ISO/IEC 5218: 0 not known, 1 male, 2 female, 9 not applicable. */
st_rc st_lint_iso5218(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_one_of(v, n, "0129", "an ISO/IEC 5218 sex code", "0, 1, 2 or 9", ST_ERR_RANGE,
                          o);
}

/* yesno: a flag, 0 (no) or 1 (yes). */
st_rc st_lint_yesno(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_one_of(v, n, "01", "a yes/no flag", "0 or 1", ST_ERR_RANGE, o);
}

/* winding: roll winding direction of AI 8001: 0 face out, 1 face in, 9 undetermined. */
st_rc st_lint_winding(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_one_of(v, n, "019", "a winding direction", "0, 1 or 9", ST_ERR_RANGE, o);
}

/* hyphen: the single character '-' (the negative sign of AIs 4330-4333). */
st_rc st_lint_hyphen(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_one_of(v, n, "-", "the sign", "'-'", ST_ERR_CHARSET, o);
}

/* importeridx: one character of - 0-9 A-Z _ a-z (EU 2018/574 importer index). */
st_rc st_lint_importeridx(const char *v, size_t n, st_lint_out *o)
{
    if (n != 1)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "an importer index is 1 character, not %zu", n);
    char c = v[0];
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
        c == '_')
        return ST_OK;
    return st_lint_fail(o, ST_ERR_CHARSET, 0, "an importer index is one of - 0-9 A-Z _ a-z");
}

/*
 * mediatype: an AIDC media type of AI 7241 (GenSpecs table "AIDC media type
 * values"): 01-10 assigned by ICCBBA, 80-99 for local or national use;
 * 00, 11-29 (ICCBBA), 30-59 (GS1) and 60-79 are not assigned.
 */
st_rc st_lint_mediatype(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_code_digits(v, n, 2, "a media type", o);
    if (rc != ST_OK)
        return rc;
    unsigned long t = st_lint_num(v, 2);
    if ((t >= 1 && t <= 10) || t >= 80)
        return ST_OK;
    return st_lint_fail(o, ST_ERR_RANGE, 0, "media type %02lu is not assigned (01-10, 80-99)", t);
}

/* packagetype: a package type code of UN/ECE Recommendation 21 as extended by
 * GS1 (AI 7041), e.g. "BX", "CT", "PX". */
st_rc st_lint_packagetype(const char *v, size_t n, st_lint_out *o)
{
    if (st_lint_pkgtype_known(v, n))
        return ST_OK;
    if (n >= 1 && n <= 3 && st_lint_printable(v, n))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "%.*s is not a package type code", (int)n, v);
    return st_lint_fail(o, ST_ERR_RANGE, 0, "not a package type code (1 to 3 characters)");
}
