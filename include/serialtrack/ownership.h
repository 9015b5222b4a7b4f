/*
 * Who owns a unit: sales (registered, or seen as retail_selling events)
 * and transfers between owners, for warranty service, returns and
 * insurance. Customers' names and contacts are personal data: they are
 * stored only sealed under the data key (serialtrack/seal.h) and shown
 * only when the caller passes the key to reveal them.
 */
#ifndef SERIALTRACK_OWNERSHIP_H
#define SERIALTRACK_OWNERSHIP_H

#include <stdint.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/seal.h>
#include <serialtrack/store.h>

/* Why a sale or transfer is refused (ST_ERR_REFUSED). Stable. */
#define ST_OWNER_R_UNKNOWN "unknown_unit"      /* the store has never seen the unit */
#define ST_OWNER_R_NOT_GENUINE "not_genuine"   /* no commissioning event names it */
#define ST_OWNER_R_STOLEN "stolen"             /* its disposition is stolen */
#define ST_OWNER_R_ALREADY_SOLD "already_sold" /* sale: its current sale is registered already */
#define ST_OWNER_R_UNSOLD "unsold"             /* transfer: it is not sold (or was returned) */

/* A customer: personal data (1..ST_PII_MAX_BYTES bytes each; contact may be NULL). */
typedef struct st_customer {
    const char *name;
    const char *contact;
} st_customer;

/* A sale or a transfer; zero-initialise. Nothing is kept after the call. */
typedef struct st_owner_req {
    const char *id;         /* the unit, any identifier form; required */
    st_customer customer;   /* the buyer or new owner; a sale may leave it empty (anonymous) */
    const char *reference;  /* order, receipt or deed reference; may be NULL */
    const char *at;         /* RFC 3339 time of the sale or transfer; NULL: now */
    const char *location;   /* sale: where (a URI or a 13-digit GLN), the event's read point */
    const char *by;         /* who records it; may be NULL */
    const st_seal_key *key; /* the data key; required when a customer is given */
} st_owner_req;

/* What registering did. */
typedef struct st_owner_result {
    int64_t id;         /* the ownership record */
    int64_t at_ms;      /* when the unit changed hands */
    int captured;       /* sale: 1 when a retail_selling event was captured, 0 when
                           the one already stored was adopted */
    char event_id[48];  /* the captured event's eventID, or "" */
    const char *reason; /* ST_ERR_REFUSED: an ST_OWNER_R_* code (static); else NULL */
    const char *field;  /* the request member an error is about (static), or NULL */
} st_owner_result;

/*
 * Register the sale r (the buyer in r->customer). When no retail_selling
 * event records the unit's current sale, one is captured (ObjectEvent
 * OBSERVE, bizStep retail_selling, disposition retail_sold, at r->at);
 * when one does, the registration adopts it and its time. Refusals are
 * ST_ERR_REFUSED with res->reason; ST_ERR_UNSUPPORTED when a customer is
 * given without a key (nothing is stored in plain text); field errors
 * (ST_ERR_ARG, ST_ERR_LENGTH, ST_ERR_DATE) name res->field.
 */
st_rc st_owner_sale(st_store *s, const st_owner_req *r, st_owner_result *res, st_error *err);

/* Register a transfer of a sold unit to r->customer (required). Errors as
 * st_owner_sale; no event is captured. */
st_rc st_owner_transfer(st_store *s, const st_owner_req *r, st_owner_result *res, st_error *err);

/*
 * Write the owners of unit id as {"key", "current": owner | null,
 * "history": [owner, ...] oldest first}, where an owner is {"kind": "sale"
 * | "transfer" | "return", "at", "reference", "location", "customer"}. With
 * key not NULL, customers are decrypted ({"name", "contact"}, or
 * {"redacted": true, "error"} when a value does not open); with NULL
 * they are {"redacted": true}. A sale seen only as an event is
 * {"kind": "sale", "anonymous": true, "customer": null}. ST_ERR_NOT_FOUND
 * for a unit the store has never seen; ST_ERR_SYNTAX for id.
 */
st_rc st_owner_write_json(st_store *s, const char *id, const st_seal_key *key, st_jw *out,
                          st_error *err);

#endif
