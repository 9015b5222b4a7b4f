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
#define ST_DL_LEGACY_GTIN 0x01 /* left-pad 8/12/13-digit GTINs in /01/ to 14 digits */

/* Build flags */
#define ST_DL_KEY_ONLY 0x01    /* only the primary key and its qualifiers in the path; no query */

/* 1 when s[0..n) starts with "http://" or "https://" (case-insensitive scheme). */
int st_dl_is_uri(const char *s, size_t n);

/*
 * Parse Digital Link URI s[0..n) into d (reset first) and validate the result
 * fully (st_ai_validate): primary key found right-most in the path, qualifiers
 * in an allowed order, query attributes allowed as DL attributes and not
 * belonging in the path, percent-decoding (%00 rejected), convenience alphas
 * ("gtin", "ser", ...) accepted, fragment ignored. Elements are stored in the
 * order: primary key, path qualifiers, query attributes. Error positions are
 * byte offsets in s.
 */
st_rc st_dl_parse(const char *s, size_t n, unsigned flags, st_aidata *d, st_error *err);

/*
 * Build a Digital Link URI from d into out[0..cap): stem (NULL for
 * ST_DL_CANONICAL_STEM; no trailing '/'), the first primary-key AI of d, the
 * longest allowed qualifier sequence satisfied by d, then every other element
 * as a query attribute (numeric AIs only, values percent-encoded, upper-case
 * hex). ST_ERR_UNSUPPORTED (naming the AI in err) when d has no primary key or
 * holds an AI that is neither in the path nor allowed as an attribute (unless
 * ST_DL_KEY_ONLY). ST_ERR_BUFFER when out is too small.
 */
st_rc st_dl_build(const st_aidata *d, const char *stem, unsigned flags, char *out, size_t cap,
                  st_error *err);

#endif
