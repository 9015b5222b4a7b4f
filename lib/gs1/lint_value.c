/*
 * Linters of numeric and structured values: zero, nonzero, nozeroprefix,
 * hasnondigit, latitude, longitude, pieceoftotal, posinseqslash and pcenc.
 */
#include "gs1/lint_int.h"

/* zero: a value of zero, i.e. one or more '0' digits (AI 8003's leading N1). */
st_rc st_lint_zero(const char *v, size_t n, st_lint_out *o)
{
    if (n == 0)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "an empty value is not zero");
    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc != ST_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (v[i] != '0')
            return st_lint_fail(o, ST_ERR_RANGE, i, "value must be zero");
    return ST_OK;
}

/* nonzero: digits whose value is not zero (the dimensions of AI 8001). */
st_rc st_lint_nonzero(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc != ST_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (v[i] != '0')
            return ST_OK;
    return st_lint_fail(o, ST_ERR_RANGE, 0, "value must not be zero");
}

/* nozeroprefix: digits not starting with '0', so "0" itself fails too (the
 * CPID serial of AI 8011, as in the GS1 reference). An empty value passes. */
st_rc st_lint_nozeroprefix(const char *v, size_t n, st_lint_out *o)
{
    if (n > 0 && v[0] == '0')
        return st_lint_fail(o, ST_ERR_RANGE, 0, "a leading zero is not allowed");
    return st_lint_digits(v, n, 0, o);
}

/* hasnondigit: at least one character that is not a digit (AI 8014 MUDI). */
st_rc st_lint_hasnondigit(const char *v, size_t n, st_lint_out *o)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return ST_OK;
    return st_lint_fail(o, ST_ERR_CHARSET, 0, "value must hold at least one non-digit character");
}

/* Ten digits whose value is at most max; what names the coordinate. */
static st_rc st_lint_coord(const char *v, size_t n, unsigned long long max, const char *what,
                           st_lint_out *o)
{
    if (n != 10)
        return st_lint_fail(o, ST_ERR_LENGTH, 0, "a %s has 10 digits, not %zu", what, n);
    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc != ST_OK)
        return rc;
    unsigned long long x = st_lint_num(v, 10);
    if (x > max)
        return st_lint_fail(o, ST_ERR_RANGE, 0, "%s %.10s is above %010llu", what, v, max);
    return ST_OK;
}

/* latitude: AI 4309's ten-digit latitude, degrees x 10^7 offset by +90
 * degrees: 0000000000 (90 S) to 1800000000 (90 N). */
st_rc st_lint_latitude(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_coord(v, n, 1800000000ULL, "latitude", o);
}

/* longitude: AI 4309's ten-digit longitude, degrees x 10^7 offset by +180
 * degrees: 0000000000 to 3600000000. */
st_rc st_lint_longitude(const char *v, size_t n, st_lint_out *o)
{
    return st_lint_coord(v, n, 3600000000ULL, "longitude", o);
}

/* Compare the k digits at a with the k digits at b like numbers: -1, 0, 1. */
static int st_digits_cmp(const char *a, const char *b, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* 1 when the k digits at a are all '0'. */
static int st_digits_zero(const char *a, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (a[i] != '0')
            return 0;
    return 1;
}

/*
 * pieceoftotal: a piece number followed by a total of the same width (AI
 * 8006/8026 "PPTT"), neither zero, the piece not above the total.
 */
st_rc st_lint_pieceoftotal(const char *v, size_t n, st_lint_out *o)
{
    st_rc rc = st_lint_digits(v, n, 0, o);
    if (rc != ST_OK)
        return rc;
    if (n == 0 || n % 2)
        return st_lint_fail(o, ST_ERR_LENGTH, 0,
                            "piece and total need the same number of digits; %zu is odd", n);
    size_t k = n / 2;
    if (st_digits_zero(v, k))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "piece number is zero");
    if (st_digits_zero(v + k, k))
        return st_lint_fail(o, ST_ERR_RANGE, k, "total number of pieces is zero");
    if (st_digits_cmp(v, v + k, k) > 0)
        return st_lint_fail(o, ST_ERR_RANGE, 0, "piece %.*s is above the total %.*s", (int)k, v,
                            (int)k, v + k);
    return ST_OK;
}

/*
 * posinseqslash: "<pos>/<end>" (AI 7258 birth sequence, e.g. "2/3"): two
 * non-empty digit runs around one slash, neither zero nor with a leading
 * zero, and pos not above end.
 */
st_rc st_lint_posinseqslash(const char *v, size_t n, st_lint_out *o)
{
    size_t slash = 0;
    while (slash < n && v[slash] >= '0' && v[slash] <= '9')
        slash++;
    if (slash == 0 || slash >= n - 1 || v[slash] != '/')
        return st_lint_fail(o, ST_ERR_SYNTAX, slash < n ? slash : 0,
                            "expected <position>/<end>, both numbers");
    const char *end = v + slash + 1;
    size_t ne = n - slash - 1;
    for (size_t i = 0; i < ne; i++)
        if (end[i] < '0' || end[i] > '9')
            return st_lint_fail(o, ST_ERR_SYNTAX, slash + 1 + i,
                                "expected <position>/<end>, both numbers");
    if (v[0] == '0')
        return st_lint_fail(o, ST_ERR_RANGE, 0, "position %s",
                            st_digits_zero(v, slash) ? "is zero" : "has a leading zero");
    if (end[0] == '0')
        return st_lint_fail(o, ST_ERR_RANGE, slash + 1, "end %s",
                            st_digits_zero(end, ne) ? "is zero" : "has a leading zero");
    if (slash > ne || (slash == ne && st_digits_cmp(v, end, ne) > 0))
        return st_lint_fail(o, ST_ERR_RANGE, 0, "position %.*s is after the end %.*s", (int)slash,
                            v, (int)ne, end);
    return ST_OK;
}

/* 1 when c is a hexadecimal digit, either case. */
static int st_is_xdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* pcenc: percent-encoding is well formed: every '%' starts "%XY" with two
 * hex digits (RFC 3986 section 2.1; AIs 4300-4320, 7253-7259). */
st_rc st_lint_pcenc(const char *v, size_t n, st_lint_out *o)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '%')
            continue;
        if (n - i < 3 || !st_is_xdigit(v[i + 1]) || !st_is_xdigit(v[i + 2]))
            return st_lint_fail(o, ST_ERR_SYNTAX, i, "'%%' must be followed by two hex digits");
        i += 2;
    }
    return ST_OK;
}
