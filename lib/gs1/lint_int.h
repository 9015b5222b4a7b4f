/*
 * Internals of the component linters (lint.h). The linters are split by theme
 * over lint_date.c (dates and times), lint_key.c (check digits, company
 * prefixes, IBAN), lint_code.c (code lists and small enumerations),
 * lint_value.c (numeric and structural values) and lint_coupon.c (North
 * American coupon codes); lint_pkgtype.c holds the package type code list and
 * lint.c the dispatch table and shared helpers. ISO code lists: iso_codes.h.
 */
#ifndef ST_GS1_LINT_INT_H
#define ST_GS1_LINT_INT_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "gs1/lint.h"

/* Where a linter reports a failure: the caller's offset and message buffer. */
typedef struct st_lint_out {
    size_t *bad;   /* receives the offending offset; may be NULL */
    char *why;     /* receives the reason; may be NULL */
    size_t whycap; /* size of why in bytes, NUL included; 0 when why is NULL */
} st_lint_out;

/* Every linter has this shape: check v[0..n) and return ST_OK or a code,
 * reporting through o (never NULL). Linters read nothing outside v[0..n). */
typedef st_rc (*st_lint_fn)(const char *v, size_t n, st_lint_out *o);

/* Record a failure at offset pos with a printf-style reason (truncated to the
 * caller's buffer) and return rc, so linters can `return st_lint_fail(...)`. */
st_rc st_lint_fail(st_lint_out *o, st_rc rc, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ST_OK when v[0..n) holds only digits; otherwise ST_ERR_CHARSET naming the
 * first non-digit, its offset shifted by base (the slice's offset in the
 * caller's value). */
st_rc st_lint_digits(const char *v, size_t n, size_t base, st_lint_out *o);

/* The value of the k <= 19 digits at v (the caller has checked they are digits). */
unsigned long long st_lint_num(const char *v, size_t k);

/* 1 when v[0..n) is printable ASCII and may be quoted in a message. */
int st_lint_printable(const char *v, size_t n);

/* 1 when v[0..n) is one of the GS1 PackageTypeCode values (lint_pkgtype.c). */
int st_lint_pkgtype_known(const char *v, size_t n);

/* lint_date.c */
st_rc st_lint_yymmd0(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_yymmdd(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_yyyymmdd(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_hhmi(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_hh(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_mi(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_ss(const char *v, size_t n, st_lint_out *o);

/* lint_key.c */
st_rc st_lint_csum(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_csumalpha(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_gcppos1(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_gcppos2(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_iban(const char *v, size_t n, st_lint_out *o);

/* lint_code.c */
st_rc st_lint_iso3166(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_iso3166999(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_iso3166alpha2(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_iso4217(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_iso5218(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_packagetype(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_mediatype(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_importeridx(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_yesno(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_winding(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_hyphen(const char *v, size_t n, st_lint_out *o);

/* lint_value.c */
st_rc st_lint_zero(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_nonzero(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_nozeroprefix(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_hasnondigit(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_latitude(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_longitude(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_pieceoftotal(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_posinseqslash(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_pcenc(const char *v, size_t n, st_lint_out *o);

/* lint_coupon.c */
st_rc st_lint_couponcode(const char *v, size_t n, st_lint_out *o);
st_rc st_lint_couponposoffer(const char *v, size_t n, st_lint_out *o);

#endif
