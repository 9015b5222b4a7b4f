/*
 * Inside the rule configuration (serialtrack/rules.h): the rules by number,
 * their names, and the configuration the capture check (rulecheck.c) reads.
 */
#ifndef ST_STORE_RULES_H
#define ST_STORE_RULES_H

#include <stdint.h>
#include <serialtrack/rules.h>

/* The rules, in the order of their names (rules.c). Stored by name, so the
 * numbers are internal. */
typedef enum st_rule_id {
    ST_RULE_UNKNOWN_SERIAL,
    ST_RULE_DUPLICATE_COMMISSIONING,
    ST_RULE_EVENT_AFTER_DECOMMISSION,
    ST_RULE_RECALLED_OR_STOLEN_MOVED,
    ST_RULE_CONTAINER_MISMATCH,
    ST_RULE_IMPOSSIBLE_TRAVEL,
    ST_RULE_DUPLICATE_SCAN,
    ST_RULE_COUNT
} st_rule_id;

#define ST_RULES_DEFAULT_SPEED_KMH 900           /* impossible_travel: faster is a clone */
#define ST_RULES_DEFAULT_SESSION_MS (10 * 60000) /* duplicate_scan: one session's window */

struct st_rules {
    unsigned char mode[ST_RULE_COUNT]; /* st_rule_mode of each rule */
    double speed_kmh;                  /* impossible_travel threshold */
    int64_t session_ms;                /* duplicate_scan window */
};

/* The name of rule id (static). */
const char *st_rule_name(st_rule_id id);

/* The rule named name, or -1. */
int st_rule_find(const char *name);

/* Every rule flag, default speed and window. */
void st_rules_defaults(struct st_rules *r);

#endif
