/*
 * The linter dispatch table (dictionary name and procedure per st_lint_id)
 * and the helpers the linters share. The linters themselves live in the
 * lint_*.c files listed in lint_int.h.
 */
#include "gs1/lint_int.h"

#include <stdarg.h>
#include <stdio.h>

/* One row per st_lint_id, indexed by the enum so the two cannot drift apart. */
static const struct {
    const char *name; /* the name used in the Syntax Dictionary */
    st_lint_fn fn;    /* the procedure */
} st_lints[ST_LINT_COUNT] = {
    [ST_LINT_COUPONCODE] = {"couponcode", st_lint_couponcode},
    [ST_LINT_COUPONPOSOFFER] = {"couponposoffer", st_lint_couponposoffer},
    [ST_LINT_CSUM] = {"csum", st_lint_csum},
    [ST_LINT_CSUMALPHA] = {"csumalpha", st_lint_csumalpha},
    [ST_LINT_GCPPOS1] = {"gcppos1", st_lint_gcppos1},
    [ST_LINT_GCPPOS2] = {"gcppos2", st_lint_gcppos2},
    [ST_LINT_HASNONDIGIT] = {"hasnondigit", st_lint_hasnondigit},
    [ST_LINT_HH] = {"hh", st_lint_hh},
    [ST_LINT_HHMI] = {"hhmi", st_lint_hhmi},
    [ST_LINT_HYPHEN] = {"hyphen", st_lint_hyphen},
    [ST_LINT_IBAN] = {"iban", st_lint_iban},
    [ST_LINT_IMPORTERIDX] = {"importeridx", st_lint_importeridx},
    [ST_LINT_ISO3166] = {"iso3166", st_lint_iso3166},
    [ST_LINT_ISO3166999] = {"iso3166999", st_lint_iso3166999},
    [ST_LINT_ISO3166ALPHA2] = {"iso3166alpha2", st_lint_iso3166alpha2},
    [ST_LINT_ISO4217] = {"iso4217", st_lint_iso4217},
    [ST_LINT_ISO5218] = {"iso5218", st_lint_iso5218},
    [ST_LINT_LATITUDE] = {"latitude", st_lint_latitude},
    [ST_LINT_LONGITUDE] = {"longitude", st_lint_longitude},
    [ST_LINT_MEDIATYPE] = {"mediatype", st_lint_mediatype},
    [ST_LINT_MI] = {"mi", st_lint_mi},
    [ST_LINT_NONZERO] = {"nonzero", st_lint_nonzero},
    [ST_LINT_NOZEROPREFIX] = {"nozeroprefix", st_lint_nozeroprefix},
    [ST_LINT_PACKAGETYPE] = {"packagetype", st_lint_packagetype},
    [ST_LINT_PCENC] = {"pcenc", st_lint_pcenc},
    [ST_LINT_PIECEOFTOTAL] = {"pieceoftotal", st_lint_pieceoftotal},
    [ST_LINT_POSINSEQSLASH] = {"posinseqslash", st_lint_posinseqslash},
    [ST_LINT_SS] = {"ss", st_lint_ss},
    [ST_LINT_WINDING] = {"winding", st_lint_winding},
    [ST_LINT_YESNO] = {"yesno", st_lint_yesno},
    [ST_LINT_YYMMD0] = {"yymmd0", st_lint_yymmd0},
    [ST_LINT_YYMMDD] = {"yymmdd", st_lint_yymmdd},
    [ST_LINT_YYYYMMDD] = {"yyyymmdd", st_lint_yyyymmdd},
    [ST_LINT_ZERO] = {"zero", st_lint_zero},
};

/* The dictionary name of id, or "?" for ST_LINT_NONE and ids out of range. */
const char *st_lint_name(st_lint_id id)
{
    if ((unsigned)id >= ST_LINT_COUNT || !st_lints[id].name)
        return "?";
    return st_lints[id].name;
}

/* Look up id and run it over v[0..n). Nothing is copied or allocated; bad
 * and why stay untouched on success. ST_ERR_ARG for ST_LINT_NONE, an id out
 * of range, or a NULL v with n > 0. */
st_rc st_lint_run(st_lint_id id, const char *v, size_t n, size_t *bad, char *why, size_t whycap)
{
    st_lint_out o = {bad, why, why ? whycap : 0};

    if ((unsigned)id >= ST_LINT_COUNT || !st_lints[id].fn)
        return st_lint_fail(&o, ST_ERR_ARG, 0, "no linter has id %d", (int)id);
    if (!v && n)
        return st_lint_fail(&o, ST_ERR_ARG, 0, "no value given");
    if (!v)
        v = "";
    return st_lints[id].fn(v, n, &o);
}

/* Fill o's offset and message (message truncated to whycap) and return rc. */
st_rc st_lint_fail(st_lint_out *o, st_rc rc, size_t pos, const char *fmt, ...)
{
    if (o->bad)
        *o->bad = pos;
    if (o->why && o->whycap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->why, o->whycap, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Fail on the first non-digit of v[0..n), reporting its offset plus base. */
st_rc st_lint_digits(const char *v, size_t n, size_t base, st_lint_out *o)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < '0' || c > '9') {
            if (c >= 0x21 && c <= 0x7E)
                return st_lint_fail(o, ST_ERR_CHARSET, base + i, "'%c' is not a digit", c);
            return st_lint_fail(o, ST_ERR_CHARSET, base + i, "byte 0x%02X is not a digit", c);
        }
    }
    return ST_OK;
}

/* Decimal value of k digits; k <= 19 keeps it inside 64 bits. */
unsigned long long st_lint_num(const char *v, size_t k)
{
    unsigned long long x = 0;
    for (size_t i = 0; i < k; i++)
        x = x * 10 + (unsigned)(v[i] - '0');
    return x;
}

/* 1 when every byte of v[0..n) is printable ASCII, so it can be quoted. */
int st_lint_printable(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7E)
            return 0;
    return 1;
}
