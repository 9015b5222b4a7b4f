/*
 * Returns: a unit brought back is accepted only when it is genuine, not
 * reported stolen, sold (to the order or receipt given, when one is given)
 * and within its return window; an accepted unit is routed by its
 * condition and warranty (restock, refurbish, return to manufacturer,
 * destroy), and its receiving and routing events are captured in one
 * document. Every decision is stored; an accepted one is idempotent by
 * (unit, order): asking again gives the stored decision and no new events.
 *
 * Routing (condition, warranty at the time of return -> route; the step
 * and disposition of the routing event):
 *   new                    -> restock                 stocking / sellable_accessible
 *   opened                 -> refurbish               repairing / in_progress
 *   defective, covered     -> return_to_manufacturer  holding / non_sellable_other
 *   defective, not covered -> destroy                 destroying / destroyed
 *   damaged                -> destroy                 destroying / destroyed
 * The receiving event before it: receiving / returned.
 */
#ifndef SERIALTRACK_RETURNS_H
#define SERIALTRACK_RETURNS_H

#include <stdint.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

#define ST_RETURN_DEFAULT_DAYS 30 /* the return window when the GTIN's terms set none */
#define ST_RETURN_EVENT_ID_MAX 48 /* bytes of an eventID (urn:uuid:...) with its NUL */

/* Why a return is refused. Stable: clients match on them. */
#define ST_RETURN_R_ACCEPTED "accepted"                 /* not a refusal: the return is accepted */
#define ST_RETURN_R_UNKNOWN "unknown_unit"              /* the store has never seen the unit */
#define ST_RETURN_R_NOT_GENUINE "not_genuine"           /* no commissioning event names it */
#define ST_RETURN_R_STOLEN "stolen"                     /* its disposition is stolen */
#define ST_RETURN_R_NOT_SOLD "not_sold"                 /* it was never sold */
#define ST_RETURN_R_ALREADY_RETURNED "already_returned" /* returned since its last sale */
#define ST_RETURN_R_ORDER_MISMATCH "order_mismatch"     /* sold, but not to that order or receipt */
#define ST_RETURN_R_WINDOW "window_expired"             /* the return window has closed */

typedef enum st_return_condition {
    ST_RETURN_NEW = 1,
    ST_RETURN_OPENED = 2,
    ST_RETURN_DAMAGED = 3,
    ST_RETURN_DEFECTIVE = 4,
} st_return_condition;

typedef enum st_return_route {
    ST_ROUTE_NONE = 0, /* refused */
    ST_ROUTE_RESTOCK = 1,
    ST_ROUTE_REFURBISH = 2,
    ST_ROUTE_RETURN_TO_MANUFACTURER = 3,
    ST_ROUTE_DESTROY = 4,
} st_return_route;

/* "new", "opened", "damaged", "defective"; "" otherwise. */
const char *st_return_condition_name(st_return_condition c);
/* The condition named so, or 0. */
st_return_condition st_return_condition_parse(const char *name);
/* "restock", "refurbish", "return_to_manufacturer", "destroy"; "" for none. */
const char *st_return_route_name(st_return_route r);
/* The route of a unit in condition c whose warranty covers it or not. */
st_return_route st_return_route_of(st_return_condition c, int covered);

/* A return; zero-initialise. Nothing is kept after the call. */
typedef struct st_return_req {
    const char *id;        /* the unit, any identifier form; required */
    const char *order;     /* the order or receipt reference, or NULL */
    const char *reason;    /* why the customer returns it; required (1..ST_WARRANTY_TEXT_MAX) */
    const char *condition; /* "new", "opened", "damaged" or "defective"; required */
    const char *location;  /* read point of the events: a URI or a 13-digit GLN; may be NULL */
    const char *by;        /* who records it; may be NULL */
    int64_t now_ms;        /* when it is returned; 0: now */
} st_return_req;

/* What was decided. */
typedef struct st_return_decision {
    int64_t id;                             /* the stored decision's id; 0 from st_return_decide */
    int accepted;                           /* 1: accepted */
    int repeated;                           /* 1: an earlier request's stored decision */
    const char *reason_code;                /* ST_RETURN_R_* (static) */
    char detail[256];                       /* a sentence for a human */
    st_return_condition condition;          /* as asked */
    st_return_route route;                  /* accepted: where the unit goes; else ST_ROUTE_NONE */
    int warranty_covered;                   /* the unit's warranty covered it when decided */
    int nevents;                            /* events captured (2 when accepted, else 0) */
    char events[2][ST_RETURN_EVENT_ID_MAX]; /* their eventIDs: receiving, then the route's */
    int64_t decided_ms;                     /* when */
    char key[2048];                         /* the unit's canonical key */
    char order[ST_WARRANTY_REF_MAX + 1];    /* the order given, or "" */
    char reason[ST_WARRANTY_TEXT_MAX + 1];  /* the customer's reason, as given */
    const char *field;                      /* the request member a refusal or error is about
                                               ("id", "order", "condition", ...; static) */
} st_return_decision;

/*
 * Decide the return r without storing anything (what st_return_create
 * would decide, less idempotency) into *d. ST_OK whether accepted or not;
 * ST_ERR_ARG / ST_ERR_LENGTH for a bad field (err names it), ST_ERR_SYNTAX
 * for an id that is no identifier, store errors.
 */
st_rc st_return_decide(st_store *s, const st_return_req *r, st_return_decision *d, st_error *err);

/*
 * Decide and record the return r into *d: a refusal is stored and
 * returned as ST_ERR_REFUSED (d->reason_code and a sentence in err); an
 * acceptance is stored, its two events captured in one document, and
 * ST_OK returned. An accepted return with the same unit and order returns
 * that stored decision (d->repeated 1) and captures nothing. Field errors
 * as st_return_decide.
 */
st_rc st_return_create(st_store *s, const st_return_req *r, st_return_decision *d, st_error *err);

/* Write d as a JSON object {id, key, order, condition, accepted, reason_code,
 * detail, route, warranty_covered, events: [{eventID, bizStep,
 * disposition}], decided_at, repeated}. */
void st_return_decision_json(const st_return_decision *d, st_jw *out);

/*
 * Write the stored decisions, newest first (of the unit id when not NULL),
 * at most limit (1..ST_WARRANTY_LIST_MAX), as a JSON array into out.
 */
st_rc st_return_list_json(st_store *s, const char *id, int limit, st_jw *out, st_error *err);

#endif
