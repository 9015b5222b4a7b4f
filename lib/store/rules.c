/*
 * The rule configuration (serialtrack/rules.h): a mode per rule and the two
 * thresholds, set one by one or from a "rule=mode,..." specification (the
 * --rules option of capture and serve, $SERIALTRACK_RULES).
 */
#include "store/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

static const char *const names[ST_RULE_COUNT] = {
    [ST_RULE_UNKNOWN_SERIAL] = "unknown_serial",
    [ST_RULE_DUPLICATE_COMMISSIONING] = "duplicate_commissioning",
    [ST_RULE_EVENT_AFTER_DECOMMISSION] = "event_after_decommission",
    [ST_RULE_RECALLED_OR_STOLEN_MOVED] = "recalled_or_stolen_moved",
    [ST_RULE_CONTAINER_MISMATCH] = "container_mismatch",
    [ST_RULE_IMPOSSIBLE_TRAVEL] = "impossible_travel",
    [ST_RULE_DUPLICATE_SCAN] = "duplicate_scan",
};

static const char *const modes[] = {
    [ST_RULE_FLAG] = "flag", [ST_RULE_REJECT] = "reject", [ST_RULE_OFF] = "off"};

const char *st_rule_name(st_rule_id id)
{
    return (unsigned)id < ST_RULE_COUNT ? names[id] : "unknown";
}

int st_rule_find(const char *name)
{
    for (int i = 0; name && i < ST_RULE_COUNT; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

const char *const *st_rules_names(size_t *n)
{
    if (n)
        *n = ST_RULE_COUNT;
    return names;
}

void st_rules_defaults(struct st_rules *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < ST_RULE_COUNT; i++)
        r->mode[i] = ST_RULE_FLAG;
    r->speed_kmh = ST_RULES_DEFAULT_SPEED_KMH;
    r->session_ms = ST_RULES_DEFAULT_SESSION_MS;
}

st_rc st_rules_create(st_rules **out)
{
    if (!out)
        return ST_ERR_ARG;
    *out = malloc(sizeof **out);
    if (!*out)
        return ST_ERR_NOMEM;
    st_rules_defaults(*out);
    return ST_OK;
}

void st_rules_destroy(st_rules *r)
{
    free(r);
}

st_rule_mode st_rules_mode(const st_rules *r, const char *rule)
{
    int i = st_rule_find(rule);
    return r && i >= 0 ? (st_rule_mode)r->mode[i] : ST_RULE_OFF;
}

/* "unknown_serial, duplicate_commissioning, ..." into out. */
static void known_rules(char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < ST_RULE_COUNT && n < cap; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

st_rc st_rules_set(st_rules *r, const char *rule, const char *mode, st_error *err)
{
    if (!r || !rule || !mode)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no rules, rule or mode");
    int m = -1;
    for (int i = 0; i < (int)(sizeof modes / sizeof *modes); i++)
        if (!strcmp(modes[i], mode))
            m = i;
    if (m < 0)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "rule mode \"%.40s\" for %.60s is none of flag, reject, off", mode, rule);
    if (!strcmp(rule, "all")) {
        for (int i = 0; i < ST_RULE_COUNT; i++)
            r->mode[i] = (unsigned char)m;
        return ST_OK;
    }
    int id = st_rule_find(rule);
    if (id < 0) {
        char known[256];
        known_rules(known, sizeof known);
        return st_fail(err, ST_ERR_ARG, -1, NULL, "unknown rule \"%.60s\"; the rules are all, %s",
                       rule, known);
    }
    r->mode[id] = (unsigned char)m;
    return ST_OK;
}

/* A whole number lo..hi from v into *out; -1 when it is none. */
static int whole(const char *v, long lo, long hi, long *out)
{
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

st_rc st_rules_parse(st_rules *r, const char *spec, st_error *err)
{
    if (!r || !spec)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no rules or no specification");
    struct st_rules next = *r;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char item[128];
        if (n >= sizeof item)
            return st_fail(err, ST_ERR_ARG, (long)(p - spec), NULL,
                           "rules item \"%.40s...\" is longer than %zu bytes", p, sizeof item - 1);
        memcpy(item, p, n);
        item[n] = 0;
        char *eq = strchr(item, '=');
        if (n && !eq)
            return st_fail(err, ST_ERR_ARG, (long)(p - spec), NULL,
                           "rules item \"%s\" is not rule=mode", item);
        if (n) {
            *eq = 0;
            const char *k = item, *v = eq + 1;
            long num = 0;
            st_rc rc = ST_OK;
            if (!strcmp(k, "speed_kmh")) {
                if (whole(v, 1, 100000, &num))
                    return st_fail(err, ST_ERR_ARG, (long)(p - spec), NULL,
                                   "speed_kmh \"%s\" is not a whole number from 1 to 100000", v);
                next.speed_kmh = (double)num;
            } else if (!strcmp(k, "session_s")) {
                if (whole(v, 1, 86400, &num))
                    return st_fail(err, ST_ERR_ARG, (long)(p - spec), NULL,
                                   "session_s \"%s\" is not a whole number from 1 to 86400", v);
                next.session_ms = (int64_t)num * 1000;
            } else if ((rc = st_rules_set(&next, k, v, err)) != ST_OK) {
                if (err)
                    err->position = (long)(p - spec);
                return rc;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *r = next;
    return ST_OK;
}

st_rc st_rules_from_env(st_rules *r, st_error *err)
{
    const char *v = getenv("SERIALTRACK_RULES");
    if (!v || !*v)
        return ST_OK;
    st_rc rc = st_rules_parse(r, v, err);
    if (rc && err) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "SERIALTRACK_RULES: %s", err->msg);
        memcpy(err->msg, msg, sizeof msg);
    }
    return rc;
}
