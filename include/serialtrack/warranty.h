/*
 * Warranties: terms per GTIN (months from the sale, months from
 * manufacture, or a fixed last day), the warranty of one unit computed from
 * its terms and its sale (a retail_selling event, or a registered sale:
 * serialtrack/ownership.h) or manufacture (its commissioning event), and
 * warranty claims, accepted only for a genuine unit under cover. Every
 * refusal carries a stable reason code (ST_WARRANTY_R_*).
 */
#ifndef SERIALTRACK_WARRANTY_H
#define SERIALTRACK_WARRANTY_H

#include <stdint.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

/* Reason codes: why a unit is not covered or a claim is refused. Stable:
 * clients match on them. */
#define ST_WARRANTY_R_UNKNOWN "unknown_unit"    /* the store has never seen the unit */
#define ST_WARRANTY_R_NOT_GENUINE "not_genuine" /* no commissioning event names it */
#define ST_WARRANTY_R_NO_TERMS "no_terms"       /* its GTIN has no warranty terms */
#define ST_WARRANTY_R_UNSOLD "unsold"           /* terms run from the sale; it is not sold */
#define ST_WARRANTY_R_NOT_STARTED "not_started" /* the warranty starts later */
#define ST_WARRANTY_R_EXPIRED "expired"         /* the warranty has ended */

/* Where a warranty starts. */
typedef enum st_warranty_base {
    ST_WARRANTY_FROM_SALE = 1,        /* months from the sale */
    ST_WARRANTY_FROM_MANUFACTURE = 2, /* months from commissioning */
    ST_WARRANTY_FIXED = 3,            /* from the sale (else manufacture) to a fixed last day */
} st_warranty_base;

/* The terms of a GTIN. */
typedef struct st_warranty_terms {
    char gtin[15];         /* 14 digits (st_warranty_terms_set accepts 8, 12, 13 or 14) */
    st_warranty_base base; /* where it starts */
    int months;            /* FROM_SALE, FROM_MANUFACTURE: 1..ST_WARRANTY_MAX_MONTHS */
    char until[11];        /* FIXED: the last day covered, YYYY-MM-DD (UTC) */
    int return_days;       /* return window in days (serialtrack/returns.h); 0: the default */
} st_warranty_terms;

/* "sale", "manufacture" or "fixed" (static); "" for anything else. */
const char *st_warranty_base_name(st_warranty_base b);
/* The base named "sale", "manufacture" or "fixed"; 0 for anything else. */
st_warranty_base st_warranty_base_parse(const char *name);

/*
 * Set (create or replace) the terms of t->gtin; by names who did it (may be
 * NULL). Errors, with a sentence in err: ST_ERR_ARG / ST_ERR_LENGTH /
 * ST_ERR_CHECK_DIGIT (err->ai "01") for the GTIN, ST_ERR_RANGE for months or
 * return_days, ST_ERR_DATE for until, store errors. Nothing is kept.
 */
st_rc st_warranty_terms_set(st_store *s, const st_warranty_terms *t, const char *by, st_error *err);

/* The terms of gtin (any GTIN length) into *t; ST_ERR_NOT_FOUND when it has none. */
st_rc st_warranty_terms_get(st_store *s, const char *gtin, st_warranty_terms *t, st_error *err);

/* The warranty of one unit. */
typedef struct st_warranty {
    char key[2048];          /* the unit's canonical key */
    int has_terms;           /* terms holds its GTIN's terms */
    st_warranty_terms terms; /* ... */
    int64_t made_ms;         /* commissioning time, 0 when none */
    int64_t sold_ms;         /* current sale, 0 when not sold */
    int64_t starts_ms;       /* first covered instant, 0 when there is no warranty */
    int64_t ends_ms;         /* first instant no longer covered, 0 likewise */
    int covered;             /* 1: covered at the time asked */
    const char *reason;      /* covered: NULL; else an ST_WARRANTY_R_* code (static) */
    char detail[256];        /* a sentence for a human when not covered */
} st_warranty;

/*
 * The warranty of the unit id (any identifier form) at now_ms (0: now)
 * into *w. An unknown, counterfeit or uncovered unit is ST_OK with
 * w->covered 0 and w->reason set; ST_ERR_SYNTAX when id is no identifier;
 * store errors.
 */
st_rc st_warranty_get(st_store *s, const char *id, int64_t now_ms, st_warranty *w, st_error *err);

/*
 * Record a warranty claim for unit id at now_ms (0: now): description (1..
 * ST_WARRANTY_TEXT_MAX bytes, copied) and by (who records it; may be NULL).
 * *w receives the unit's warranty, *claim_id (may be NULL) the claim's id.
 * ST_ERR_REFUSED with w->reason and a sentence in err when the unit is not
 * covered (nothing is stored); ST_ERR_ARG / ST_ERR_LENGTH for the
 * description; ST_ERR_SYNTAX for id; store errors.
 */
st_rc st_warranty_claim(st_store *s, const char *id, const char *description, const char *by,
                        int64_t now_ms, st_warranty *w, int64_t *claim_id, st_error *err);

/*
 * Write w as {"key", "covered", "starts", "ends", "terms", "claims",
 * "manufactured", "sold", and when not covered "reason_code", "detail"}
 * into out; claims (oldest first, at most ST_WARRANTY_LIST_MAX) are read
 * from s.
 */
st_rc st_warranty_write_json(st_store *s, const st_warranty *w, st_jw *out, st_error *err);

/* Write terms t as a JSON object {gtin, from, months|until, return_days}. */
void st_warranty_terms_json(const st_warranty_terms *t, st_jw *out);

#endif
