/*
 * GS1 check digits: the mod-10 digit of GTIN, GLN, SSCC, GRAI, GDTI, GSRN,
 * GSIN, GCN and ITIP, and the mod-1021 check character pair of GMN/MUDI.
 */
#ifndef ST_GS1_CHECKDIGIT_H
#define ST_GS1_CHECKDIGIT_H

#include <stddef.h>
#include <serialtrack/rc.h>

/* The mod-10 check digit ('0'..'9') for the n data digits d (check digit not
 * included); weights 3,1,3,... from the right-most data digit. Returns 0 when
 * d holds a non-digit. */
char st_cd_mod10(const char *d, size_t n);

/* ST_OK when the last of the n digits in key is the right mod-10 check digit;
 * ST_ERR_CHECK_DIGIT otherwise (ST_ERR_CHARSET for a non-digit, ST_ERR_LENGTH
 * for n < 2). When expected is not NULL it receives the right digit. */
st_rc st_cd_verify(const char *key, size_t n, char *expected);

/* The two check characters of a GS1 alphanumeric key (GMN, MUDI) over the n
 * data characters d, written to out[0..1]. Returns ST_ERR_CHARSET when d holds
 * a character outside CSET 82. */
st_rc st_cd_alpha_pair(const char *d, size_t n, char out[2]);

#endif
