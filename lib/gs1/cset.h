/*
 * GS1 character sets, in one place: N (digits), CSET 82 (X, alphanumeric
 * AIs), CSET 39 (Y, CPID) and CSET 64 (Z, base64url for digital signatures),
 * plus CSET 82 in GS1's numbering order (for the GMN check character pair).
 */
#ifndef ST_GS1_CSET_H
#define ST_GS1_CSET_H

#include <stdint.h>

#define ST_CSET_N 1  /* digits 0-9 */
#define ST_CSET_X 2  /* CSET 82 */
#define ST_CSET_Y 4  /* CSET 39 */
#define ST_CSET_Z 8  /* CSET 64 (without the '=' padding, which is positional) */

/* Membership bits (ST_CSET_*) of every byte value. */
extern const uint8_t st_cset_table[256];

/* The 82 characters of CSET 82 in GS1's order (value 0 = '!'), NUL-terminated. */
extern const char st_cset82[];

/* 1 when byte c belongs to set (one ST_CSET_* bit). */
static inline int st_cset_has(unsigned set, unsigned char c)
{
    return (st_cset_table[c] & set) != 0;
}

/* The GS1 value (0..81) of a CSET 82 character, or -1. */
int st_cset82_value(unsigned char c);

/* The ST_CSET_* bit for a format letter 'N', 'X', 'Y' or 'Z' (0 for others). */
unsigned st_cset_for_letter(char letter);

#endif
