/*
 * EPC URIs (GS1 EPC Tag Data Standard): pure identities (urn:epc:id:), the
 * lot class (urn:epc:class:lgtin:), pure-identity patterns (urn:epc:idpat:,
 * '*' wildcards) and tag URIs (urn:epc:tag:<scheme>-<bits>:<filter>.), held
 * decoded in a fixed-size st_epc, and their conversion to and from AI data.
 * Nothing here allocates; binary (hex) encodings are in gs1/tds.h.
 */
#ifndef ST_GS1_EPC_H
#define ST_GS1_EPC_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#include "gs1/ai.h"

/* EPC schemes (st_epc.scheme); the order of the scheme table in epc.c. */
enum st_epc_scheme {
    ST_EPC_SGTIN = 1, /* GTIN + serial: (01)+(21) */
    ST_EPC_SSCC,      /* (00) */
    ST_EPC_SGLN,      /* (414) + optional (254) */
    ST_EPC_GRAI,      /* (8003) with serial */
    ST_EPC_GIAI,      /* (8004) */
    ST_EPC_GDTI,      /* (253) with serial */
    ST_EPC_PGLN,      /* (417) */
    ST_EPC_GSRN,      /* (8018), service recipient */
    ST_EPC_GSRNP,     /* (8017), service provider */
    ST_EPC_SGCN,      /* (255) with serial */
    ST_EPC_CPI,       /* (8010)+(8011) */
    ST_EPC_ITIP,      /* (8006)+(21) */
    ST_EPC_UPUI,      /* (01)+(235) */
    ST_EPC_GINC,      /* (401) */
    ST_EPC_GSIN,      /* (402) */
    ST_EPC_LGTIN,     /* class only: (01)+(10) */
};
#define ST_EPC_SCHEME_COUNT 17 /* last scheme + 1 */

/* URI kinds (st_epc.kind, and what st_epc_format_uri writes). */
enum st_epc_kind {
    ST_EPC_KIND_ID = 1,    /* urn:epc:id:<scheme>:... */
    ST_EPC_KIND_CLASS = 2, /* urn:epc:class:lgtin:... */
    ST_EPC_KIND_IDPAT = 3, /* urn:epc:idpat:<scheme>:..., components may be '*' */
    ST_EPC_KIND_TAG = 4,   /* urn:epc:tag:<scheme>-<bits>:<filter>.... */
};

/* Wildcard bits (st_epc.wild) of a pattern: which components are '*'. A
 * wildcard component is always followed by wildcards only. */
#define ST_EPC_WILD_CP 0x01    /* company prefix */
#define ST_EPC_WILD_REF 0x02   /* reference (item, location, asset...) */
#define ST_EPC_WILD_PIECE 0x04 /* itip piece */
#define ST_EPC_WILD_TOTAL 0x08 /* itip total */
#define ST_EPC_WILD_SER 0x10   /* serial, extension */

#define ST_EPC_CP_MAX 12  /* digits of a company prefix (6..12 in EPCs) */
#define ST_EPC_REF_MAX 24 /* characters of a reference: 30 - 6 for GIAI, GINC, CPI */
#define ST_EPC_SER_MAX 28 /* characters of a serial: the UPUI's AI (235) is X..28 */

/*
 * One decoded EPC. All strings are NUL-terminated and hold DECODED text (no
 * %XX escapes). Digit fields keep their leading zeros. Plain data: copy it,
 * keep it on the stack; zero-initialise before filling it by hand.
 */
typedef struct st_epc {
    uint8_t scheme;               /* enum st_epc_scheme */
    uint8_t kind;                 /* enum st_epc_kind it was parsed or decoded as */
    uint8_t wild;                 /* ST_EPC_WILD_* bits (patterns only), else 0 */
    int8_t filter;                /* tag filter value 0..7, or -1 when not a tag */
    uint16_t tag_bits;            /* tag scheme size (96, 198, ...), or 0 when not a tag */
    uint8_t cp_len;               /* characters in cp */
    uint8_t ref_len;              /* characters in ref */
    uint8_t ser_len;              /* characters in ser */
    char cp[ST_EPC_CP_MAX + 1];   /* company prefix digits */
    char ref[ST_EPC_REF_MAX + 1]; /* item ref (with indicator), serial ref (with extension
                                     digit), location/asset/document type/service/coupon/
                                     shipper ref (digits); GIAI, GINC, CPI ref (text) */
    char ser[ST_EPC_SER_MAX + 1]; /* serial, SGLN extension, lot (lgtin), TPX (upui); "" if none */
    char piece[3];                /* itip: piece number, 2 digits */
    char total[3];                /* itip: total count, 2 digits */
} st_epc;

/* The scheme's URI name ("sgtin", "lgtin"), or "?" for an unknown value. */
const char *st_epc_scheme_name(int scheme);

/* The company prefix length of e (6..12), or 0 when it is a wildcard. */
int st_epc_gcp_len(const st_epc *e);

/*
 * Parse the EPC URI s[0..n) (not NUL-terminated; nothing beyond n is read)
 * into *out: urn:epc:id:, urn:epc:class:lgtin:, urn:epc:idpat: or
 * urn:epc:tag:. Validates every component: digit counts per scheme (company
 * prefix 6..12 digits), character sets and escapes, serial lengths, and for
 * tag URIs that the values fit the binary scheme (integer serials of the
 * 96-bit schemes). *out is the caller's; it is overwritten, also on failure.
 * Errors: ST_ERR_SYNTAX, ST_ERR_LENGTH, ST_ERR_CHARSET, ST_ERR_RANGE,
 * ST_ERR_UNSUPPORTED (urn:epc:pat:, raw, schemes without a binary codec),
 * ST_ERR_LIMIT; err names the byte offset in s and the component.
 */
st_rc st_epc_parse_uri(const char *s, size_t n, st_epc *out, st_error *err);

/*
 * Write the URI of kind (enum st_epc_kind) for e into out[0..cap),
 * NUL-terminated, escaping text components. ST_EPC_KIND_ID needs a pure
 * identity without wildcards; _CLASS an lgtin; _IDPAT any pure identity or
 * pattern; _TAG a tag (e->tag_bits set; filter -1 is written as 0).
 * ST_ERR_UNSUPPORTED when e cannot be written as that kind, ST_ERR_ARG for an
 * unknown kind or scheme, ST_ERR_BUFFER when out is too small (then out holds
 * a truncated string). Nothing is kept.
 */
st_rc st_epc_format_uri(const st_epc *e, int kind, char *out, size_t cap);

/*
 * Append the AI elements e stands for to d ((01)+(21) for an SGTIN, (414)
 * and (254) unless the extension is "0" for an SGLN, ...), recomputing check
 * digits. Values are copied into d. d is not reset. ST_ERR_UNSUPPORTED for a
 * pattern; st_ai_add's errors (ST_ERR_LIMIT, ST_ERR_RULE) pass through.
 */
st_rc st_epc_to_ai(const st_epc *e, st_aidata *d, st_error *err);

/*
 * Derive the pure identity (or the lgtin class for (01)+(10) without (21))
 * that the AI data d identifies, given the company prefix length gcp_len.
 * The key is the first element of d that is an EPC key AI; its qualifiers are
 * looked up anywhere in d. *out is overwritten. Errors: ST_ERR_GCP_UNKNOWN
 * (gcp_len 0), ST_ERR_ARG (gcp_len outside 0..12), ST_ERR_UNSUPPORTED (no EPC
 * key, a key without the serial its scheme needs such as a bare (01), or a
 * company prefix shorter than 6 digits), ST_ERR_LENGTH, ST_ERR_CHARSET,
 * ST_ERR_CHECK_DIGIT, ST_ERR_SYNTAX (values that do not fit the key's
 * structure, possible when d was not validated). d is only read.
 */
st_rc st_epc_from_ai(const st_aidata *d, int gcp_len, st_epc *out, st_error *err);

#endif
