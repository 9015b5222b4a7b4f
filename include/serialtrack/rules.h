/*
 * Lifecycle rules checked at capture, the anomalies they record, and the
 * public authenticity check of one unit. Each rule is `flag` (the document is
 * stored and the anomaly recorded with its event; the default), `reject` (the
 * document is refused, naming the rule, the event and the identifier;
 * nothing is written) or `off`. docs/ARCHITECTURE.md ("Lifecycle rules")
 * defines every rule precisely.
 */
#ifndef SERIALTRACK_RULES_H
#define SERIALTRACK_RULES_H

#include <stdint.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

typedef struct st_rules st_rules; /* a rule configuration */

/* What a rule does when it fires. */
typedef enum st_rule_mode {
    ST_RULE_FLAG = 0,   /* store, and record an anomaly */
    ST_RULE_REJECT = 1, /* refuse the whole document */
    ST_RULE_OFF = 2,    /* not checked */
} st_rule_mode;

/* A configuration with every rule `flag`, a speed of 900 km/h and a
 * session window of 10 minutes. Free with st_rules_destroy. */
st_rc st_rules_create(st_rules **out);
void st_rules_destroy(st_rules *r);

/*
 * Set rule (a rule name, or "all") to mode ("flag", "reject", "off").
 * ST_ERR_ARG naming the unknown rule or mode (and listing the known ones).
 */
st_rc st_rules_set(st_rules *r, const char *rule, const char *mode, st_error *err);

/*
 * Apply a specification "rule=mode,rule=mode,...": rules and modes as for
 * st_rules_set, plus "speed_kmh=N" (impossible_travel, 1..100000) and
 * "session_s=N" (duplicate_scan, 1..86400). Items apply left to right; on an
 * error (ST_ERR_ARG, naming the item) r is unchanged. spec is only read.
 */
st_rc st_rules_parse(st_rules *r, const char *spec, st_error *err);

/* Apply $SERIALTRACK_RULES (st_rules_parse) when it is set. */
st_rc st_rules_from_env(st_rules *r, st_error *err);

/* The mode of rule name; ST_RULE_OFF for an unknown name. */
st_rule_mode st_rules_mode(const st_rules *r, const char *rule);

/* The rule names, in their fixed order: *n receives how many. Static. */
const char *const *st_rules_names(size_t *n);

/* Use r (copied) for every later capture into s. */
st_rc st_store_set_rules(st_store *s, const st_rules *r);

/* One recorded anomaly, as st_anomalies_list hands it over; strings borrowed
 * for the duration of the callback. */
typedef struct st_anomaly {
    int64_t id;           /* its id: the `after` cursor of the next page */
    const char *type;     /* the rule ("unknown_serial", ...) */
    const char *key;      /* canonical key of the identifier */
    const char *event;    /* hash ID of the event ("ni:///sha-256;...") */
    const char *location; /* canonical key of the event's location, or NULL */
    int64_t detected_ms;  /* record time of the capture that found it */
    const char *evidence; /* JSON object text */
} st_anomaly;

/* What to list; zero-initialise for everything from the first. */
typedef struct st_anomaly_filter {
    const char *type;     /* one rule name, or NULL */
    int64_t since_ms;     /* detected at or after; 0: any */
    const char *location; /* canonical key of a location (read point or business location) */
    int64_t after;        /* only ids above this (paging cursor) */
    int limit;            /* at most this many; 0: no limit */
} st_anomaly_filter;

typedef st_rc (*st_anomaly_cb)(void *ctx, const st_anomaly *a);

/*
 * Call cb for every anomaly matching f, in id order; a non-OK return stops
 * the listing and is returned. ST_ERR_ARG for an unknown type.
 */
st_rc st_anomalies_list(st_store *s, const st_anomaly_filter *f, st_anomaly_cb cb, void *ctx,
                        st_error *err);

/* Write a as one JSON object: {"id", "type", "key", "epc", "event",
 * "detected_at", "location", "evidence"} ("epc": the EPC URI when the key
 * converts to one, else the key). */
void st_anomaly_json(const st_anomaly *a, st_jw *out);

/*
 * The public authenticity check of identifier id (any form): writes
 * {"genuine", "status", "product": {"gtin", "lot", "expiry"}, "warnings": [...]}
 * into out and nothing private (no location, party or history). genuine:
 * commissioned and no clone suspected. status: "unknown" (never seen),
 * "not_commissioned", "decommissioned", or the current disposition's CBV word
 * ("active" when none). warnings: "recalled", "stolen", "lost", "expired"
 * (by the disposition, or by a recalled_or_stolen_moved anomaly once a move
 * has changed the disposition; expired also by an expiry date before now_ms), "decommissioned", "destroyed",
 * "clone_suspected" (an impossible_travel anomaly), "not_commissioned".
 * ST_ERR_SYNTAX (reason in err) when id is no identifier.
 */
st_rc st_verify_write(st_store *s, const char *id, int64_t now_ms, st_jw *out, st_error *err);

#endif
