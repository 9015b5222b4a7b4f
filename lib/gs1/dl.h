/*
 * GS1 Digital Link URIs: parse any domain and path stem into AI data, and
 * build the canonical https://id.gs1.org form (or a brand stem) from AI data.
 */
#ifndef ST_GS1_DL_H
#define ST_GS1_DL_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "gs1/ai.h"

#define ST_DL_CANONICAL_STEM "https://id.gs1.org"

/* Parse flags */
#define ST_DL_LEGACY_GTIN 0x01 /* left-pad 8/12/13-digit GTINs (01) to 14 digits */

/* Build flags */
#define ST_DL_KEY_ONLY 0x01    /* only the primary key and its qualifiers in the path; no query */

/* 1 when s[0..n) starts with "http://" or "https://" (case-insensitive scheme). */
int st_dl_is_uri(const char *s, size_t n);

/*
 * Parse Digital Link URI s[0..n) into d (reset first) and validate the result
 * fully (st_ai_validate). s need not be NUL-terminated; at most n bytes
 * (<= ST_ID_MAX_INPUT) are read. d is the caller's; values are copied into it.
 *  - the primary key is the right-most /AI/value pair in the path whose AI is
 *    a DL primary key and is followed only by an allowed qualifier sequence
 *    (in order, each at most once, one alternative); everything before it is
 *    stem and is not interpreted;
 *  - query parameters without '=' or with a name that is neither digits nor a
 *    convenience alpha are ignored; GS1 ones must be known, non-empty, not
 *    repeated (anywhere in the URI), DL attributes, and not AIs that could sit
 *    in the path as a qualifier of the key and qualifiers present;
 *  - path segments and query values are percent-decoded (either hex case;
 *    %00 and malformed escapes rejected); '+' is a space in query values only;
 *  - convenience alphas ("gtin", "lot", "ser", ...; lower case) are accepted
 *    in the path and the query; the fragment is ignored;
 *  - a GTIN (01) of 8, 12 or 13 digits is ST_ERR_LENGTH unless flags holds
 *    ST_DL_LEGACY_GTIN, which left-pads it with zeros.
 * Elements are stored in the order: primary key, path qualifiers, query
 * attributes; each element's pos is the offset of its (encoded) value in s.
 * Returns ST_OK, ST_ERR_SYNTAX (URI structure and DL placement rules),
 * ST_ERR_UNKNOWN_AI, ST_ERR_LENGTH, ST_ERR_LIMIT, ST_ERR_ARG, or any code of
 * st_ai_validate. err->position is a byte offset in s (mapped back through
 * percent-encoding), err->ai the AI concerned.
 */
st_rc st_dl_parse(const char *s, size_t n, unsigned flags, st_aidata *d, st_error *err);

/*
 * Build a Digital Link URI from d into out[0..cap) (always NUL-terminated;
 * "" on error). d is only read. Layout: stem (NULL for ST_DL_CANONICAL_STEM;
 * trailing '/' dropped; ST_ERR_ARG unless http(s) without query or fragment),
 * the first primary-key element of d, the qualifiers of one allowed sequence
 * present in d in that sequence's order, then every other element as a query
 * attribute in element order (numeric AIs only). The sequence chosen is the
 * one leaving fewest elements that could go neither in the path nor in the
 * query, then the one covering most elements, then the first. Values are
 * percent-encoded except RFC 3986 unreserved bytes, with upper-case hex.
 * ST_ERR_UNSUPPORTED (naming the AI in err) when d has no primary key or
 * holds an AI that is neither in the path nor allowed as an attribute;
 * with ST_DL_KEY_ONLY only the path is written and other elements are
 * ignored. ST_ERR_BUFFER when out is too small.
 */
st_rc st_dl_build(const st_aidata *d, const char *stem, unsigned flags, char *out, size_t cap,
                  st_error *err);

#endif
