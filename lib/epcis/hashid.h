/*
 * The EPCIS event hash ID of CBV 2.0: a fingerprint of an event that is the
 * same whether the event was written in XML or JSON-LD, EPCIS 1.2 or 2.0, in
 * any field order, with any namespace prefixes. The event tree (event.h) is
 * rendered into the canonical "pre-hash string" (field order, sorting of
 * repeated fields, canonical values: UTC timestamps, CBV Web URIs, numbers,
 * identifiers as constrained GS1 Digital Links), and that string's SHA-256 is
 * written "ni:///sha-256;<hex>?ver=CBV2.0". The rules, and where they follow
 * the published reference vectors rather than the standard's prose, are in
 * docs gs1-facts section 6 and in the comments of hashid.c.
 */
#ifndef ST_EPCIS_HASHID_H
#define ST_EPCIS_HASHID_H

#include <stddef.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>

#include "epcis/doc.h"
#include "epcis/event.h"

/* Characters of a hash ID: "ni:///sha-256;" (14) + 64 hex + "?ver=CBV2.0" (11). */
#define ST_HASHID_LEN 89

/* Most bytes of scratch memory one pre-hash computation may use (rendered
 * pieces before sorting); a pre-hash string is at most this long. Bounded by
 * the event cap: values grow at most a few times when canonicalised. */
#define ST_HASHID_MAX_WORK (8u * ST_EPCIS_MAX_EVENT_BYTES)

/*
 * The prefix bindings to pass as ns_bindings for events of doc: the JSON-LD
 * @context prefixes (doc->ns) for a JSON-LD document; NULL for XML, where
 * namespace prefixes do not apply to text content and only the fixed gs1:
 * and cbv: CURIEs expand (as the reference vectors require). NULL doc: NULL.
 */
const st_evnode *st_hashid_bindings(const st_epcis_doc *doc);

/*
 * Write the canonical pre-hash string of ev into out[0..cap), NUL-terminated.
 *   ev           the event; its tree is only read.
 *   ns_bindings  a node whose children are prefix bindings (name = prefix,
 *                value = IRI), as doc->ns; used to expand CURIE values and
 *                prefixed names without a namespace. May be NULL. Not kept.
 *   len          if not NULL, receives the string's length (without NUL),
 *                also when out is too small, so callers can retry.
 * Returns ST_OK; ST_ERR_BUFFER when cap <= length (out then holds "" when
 * cap > 0); ST_ERR_ARG (ev, its root or its root's name NULL; out NULL with
 * cap > 0); ST_ERR_LIMIT (the tree is deeper than twice ST_EPCIS_MAX_DEPTH or
 * needs more than ST_HASHID_MAX_WORK bytes); ST_ERR_NOMEM.
 */
st_rc st_hashid_prehash(const st_event *ev, const st_evnode *ns_bindings, char *out, size_t cap,
                        size_t *len);

/*
 * The hash ID of ev, "ni:///sha-256;" + 64 lower-case hex digits +
 * "?ver=CBV2.0", written NUL-terminated to out (the caller's). ns_bindings as
 * for st_hashid_prehash. Errors as st_hashid_prehash (never ST_ERR_BUFFER),
 * and ST_ERR_INTERNAL when the digest fails.
 */
st_rc st_hashid_compute(const st_event *ev, const st_evnode *ns_bindings,
                        char out[ST_HASHID_LEN + 1]);

/*
 * canon(v) of the hash algorithm for one value, written NUL-terminated to
 * out[0..cap): CBV 1.x URNs to Web URIs; a bare word to the Web URI of vocab
 * (ST_CBV_*, or -1 when the field has no vocabulary); gs1:/cbv: CURIEs and
 * those bound in ns_bindings expanded; decimal numbers to their shortest
 * round-trip form ("600.0" -> "600", "1e-05" stays); EPC pure-identity, class
 * and pattern URIs and Digital Links to the constrained canonical Digital Link
 * on https://id.gs1.org. Leading and trailing white space is dropped. Anything
 * else is returned as it is. ST_ERR_BUFFER when out is too small; ST_ERR_ARG.
 */
st_rc st_hashid_canon_value(const char *value, int vocab, const st_evnode *ns_bindings, char *out,
                            size_t cap);

/*
 * The timestamp rule: an ISO 8601 date-time with offset ("Z", "+01:00",
 * "-0600"; none means UTC) converted to UTC and printed
 * YYYY-MM-DDTHH:MM:SS.mmmZ, the fraction cut to 6 digits and rounded to
 * milliseconds (up when the 4th digit is 5-9), carrying into the seconds.
 * Returns ST_OK; ST_ERR_DATE for a string that is not such a date-time (the
 * hash then uses the value as written); ST_ERR_BUFFER; ST_ERR_ARG.
 */
st_rc st_hashid_canon_time(const char *value, char *out, size_t cap);

#endif
