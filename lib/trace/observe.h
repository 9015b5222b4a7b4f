/*
 * Small documents of ObjectEvents OBSERVE about one unit (a retail sale, a
 * return's receiving and routing), written as EPCIS 2.0 JSON-LD and
 * captured through st_store_capture_mem like any other document: validated
 * whole, stored in one transaction, or not at all.
 */
#ifndef ST_TRACE_OBSERVE_H
#define ST_TRACE_OBSERVE_H

#include <stdint.h>
#include <serialtrack/store.h>

#define ST_OBSERVE_ID_MAX 48 /* bytes of an eventID urn:uuid:... with its NUL */

/* One event. */
typedef struct st_observe {
    int64_t time_ms;            /* eventTime (UTC) */
    const char *biz_step;       /* CBV bare word: "retail_selling" */
    const char *disposition;    /* CBV bare word, or NULL */
    const char *read_point;     /* a URI, or NULL */
    char id[ST_OBSERVE_ID_MAX]; /* filled in: the eventID given (urn:uuid:...) */
} st_observe;

/* Give each of ev[0..n) a random eventID (urn:uuid:...). ST_ERR_IO when
 * no random bytes can be had. */
st_rc st_observe_ids(st_observe *ev, int n, st_error *err);

struct st_cap_side;

/*
 * Capture ev[0..n) about the unit key (a canonical key, as the epcList's one
 * EPC) in one document; an event without an id gets one (st_observe_ids).
 * side[0..n_side) (may be 0: lib/store/capture.h) are committed in the
 * same transaction, after the events: the record that tells of them is
 * stored with them or not at all (borrowed until the call returns).
 * ST_ERR_SYNTAX with the validator's first complaint in err when the
 * document is refused (nothing is stored); the code of a failed side
 * statement (a violated UNIQUE constraint: ST_ERR_ARG; nothing is stored);
 * store errors.
 */
st_rc st_observe_capture(st_store *s, const char *key, st_observe *ev, int n,
                         const struct st_cap_side *side, size_t n_side, st_error *err);

/* A location as a URI into out[0..cap): a 13-digit GLN becomes its Digital
 * Link https://id.gs1.org/414/{gln}; a URI is kept. ST_ERR_ARG otherwise. */
st_rc st_observe_location(const char *v, char *out, size_t cap, st_error *err);

#endif
