/*
 * ISO code lists the GS1 linters check against, kept as data: ISO 3166-1
 * country codes (numeric and alpha-2) and ISO 4217 numeric currency codes.
 * Each list is a sorted static table in iso_codes.c, binary-searched.
 */
#ifndef ST_GS1_ISO_CODES_H
#define ST_GS1_ISO_CODES_H

#include <stddef.h>

/* 1 when d[0..n) is three digits naming a current ISO 3166-1 country ("276"), else 0. */
int st_iso_country_num(const char *d, size_t n);

/* 1 when a[0..n) is a current ISO 3166-1 alpha-2 country code ("DE"; upper case only), else 0. */
int st_iso_country_alpha2(const char *a, size_t n);

/* 1 when d[0..n) is three digits naming a current ISO 4217 currency or fund ("978"), else 0. */
int st_iso_currency_num(const char *d, size_t n);

#endif
