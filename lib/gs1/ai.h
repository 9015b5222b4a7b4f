/*
 * GS1 Application Identifier element strings: the AI table (generated from the
 * GS1 Barcode Syntax Dictionary into ai_table.c), a fixed-size container for
 * parsed AI data, parsers for the bracketed (human) and unbracketed (scanner,
 * FNC1/GS) forms, full validation (format, linters, requires/excludes), and
 * encoders back to both forms. Nothing here allocates.
 */
#ifndef ST_GS1_AI_H
#define ST_GS1_AI_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>

#include "gs1/lint.h"

#define ST_GS 0x1D /* ASCII group separator: FNC1 as transmitted by scanners */

/* Flags of an AI definition */
#define ST_AI_PREDEF 0x01  /* predefined length: no FNC1 separator needed after it ("*") */
#define ST_AI_DL_ATTR 0x02 /* allowed as a Digital Link query attribute ("?") */
#define ST_AI_DL_PKEY 0x04 /* a Digital Link primary key ("dlpkey") */

/* One component of an AI's format specification, e.g. "N13,csum,gcppos1". */
typedef struct st_ai_comp {
    char cset;              /* 'N' digits, 'X' CSET 82, 'Y' CSET 39, 'Z' CSET 64 */
    uint8_t min;            /* fewest characters (== max for fixed length) */
    uint8_t max;            /* most characters */
    uint8_t optional;       /* 1 when written "[...]" in the dictionary */
    uint8_t lint[4];        /* st_lint_id values, 0-terminated */
} st_ai_comp;

/* One Application Identifier, one row of the generated table. */
typedef struct st_ai_def {
    char ai[5];             /* the AI digits, NUL-terminated ("01", "3103") */
    uint8_t ai_len;         /* 2, 3 or 4 */
    uint8_t flags;          /* ST_AI_* */
    uint8_t ncomp;          /* components used in comp[] */
    uint16_t min_len;       /* shortest value (sum of mandatory components) */
    uint16_t max_len;       /* longest value */
    st_ai_comp comp[5];     /* the format, in order */
    const char *req;        /* "req=" attributes, several joined by ' ' ("01,8006 21"); "" if none */
    const char *ex;         /* "ex=" list ("255,37,310n"); "" if none */
    const char *dl_quals;   /* qualifier sequences for a DL primary key ("22,10,21|235"); "" */
    const char *title;      /* the dictionary's short title ("GTIN") */
} st_ai_def;

/* The generated table (ai_table.c), sorted by AI string. */
extern const st_ai_def st_ai_table[];
extern const size_t st_ai_table_len;

/* One element of parsed AI data. */
typedef struct st_ai_elem {
    const st_ai_def *def;   /* its definition (never NULL once added) */
    uint16_t off;           /* offset of the value in st_aidata.data */
    uint16_t len;           /* value length in bytes */
    long pos;               /* byte offset of the value in the original input (for errors) */
} st_ai_elem;

/* Parsed AI data: elements in the order received, values stored NUL-terminated
 * in data[]. Lives on the caller's stack; about 3 KB. */
typedef struct st_aidata {
    size_t n;                               /* elements in e[] */
    st_ai_elem e[ST_AI_MAX_ELEMENTS];       /* the elements */
    size_t used;                            /* bytes used in data[] */
    char data[ST_AI_MAX_DATA];              /* values, each followed by a NUL */
} st_aidata;

/* Empty d. */
void st_ai_init(st_aidata *d);

/* The definition of exactly the AI ai[0..n), or NULL when unassigned. */
const st_ai_def *st_ai_lookup(const char *ai, size_t n);

/* The definition of the AI that starts s[0..avail) (AIs are prefix-free), or
 * NULL when none does. */
const st_ai_def *st_ai_lookup_prefix(const char *s, size_t avail);

/* Value of element i as a NUL-terminated string owned by d. */
static inline const char *st_ai_value(const st_aidata *d, size_t i)
{
    return d->data + d->e[i].off;
}

/* The value of the first element with AI ai ("01"), or NULL. */
const char *st_ai_get(const st_aidata *d, const char *ai);

/*
 * Append AI ai[0..ailen) with value v[0..vlen), whose first byte is at offset
 * pos of the original input (used in error positions). The value is copied. A repeat of an AI with the identical value is dropped silently
 * (several symbols on one item); with a different value it is ST_ERR_RULE.
 * Returns ST_ERR_UNKNOWN_AI, ST_ERR_LIMIT (too many elements or bytes).
 * No content validation happens here; see st_ai_check_value / st_ai_validate.
 */
st_rc st_ai_add(st_aidata *d, const char *ai, size_t ailen, const char *v, size_t vlen, long pos,
                st_error *err);

/* Check one value against def's format: length, character set, every linter.
 * pos is the input offset of the value, used for error positions. */
st_rc st_ai_check_value(const st_ai_def *def, const char *v, size_t n, long pos, st_error *err);

/* Check the requires/excludes rules over all elements of d. */
st_rc st_ai_check_rules(const st_aidata *d, st_error *err);

/* st_ai_check_value on every element, then st_ai_check_rules. */
st_rc st_ai_validate(const st_aidata *d, st_error *err);

/*
 * Parse an element string in any of its forms into d (which is reset):
 *  - bracketed: "(01)09520123456788(10)ABC1"; "\(" escapes a literal '(' in a value
 *  - unbracketed with GS (0x1D) separators, optionally led by a symbology
 *    identifier (]C1 ]e0 ]d2 ]Q3 ]J1) or by '^' meaning FNC1 ("^0109...^21...")
 *  - ]E0 (13 digits, EAN-13/UPC-A) and ]E4 (8 digits, EAN-8): a GTIN, returned as (01)
 * and validate it fully (st_ai_validate). Positions in err are byte offsets in s.
 */
st_rc st_ai_parse(const char *s, size_t n, st_aidata *d, st_error *err);

/* The same, without validation (for callers that validate later). */
st_rc st_ai_parse_only(const char *s, size_t n, st_aidata *d, st_error *err);

/* Write d as "(01)...(21)..." into out[0..cap). '(' inside values is written "\(".
 * ST_ERR_BUFFER when it does not fit. */
st_rc st_ai_to_hri(const st_aidata *d, char *out, size_t cap);

/* Write d unbracketed, in element order, with sep (ST_GS or '^') after every
 * element that needs one and is not last; no leading FNC1 or symbology id. */
st_rc st_ai_to_unbracketed(const st_aidata *d, char sep, char *out, size_t cap);

#endif
