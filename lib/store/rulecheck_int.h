/*
 * Inside the lifecycle rule check (rulecheck.c: the views of a document's
 * identifiers and the walk over its events; rulecheck_rules.c: the rules
 * themselves): what the two halves share.
 */
#ifndef ST_STORE_RULECHECK_INT_H
#define ST_STORE_RULECHECK_INT_H

#include <stdint.h>
#include <string.h>
#include <serialtrack/jsonw.h>

#include "store/backend.h"
#include "store/rulecheck.h"

#define BIZSTEP "https://ref.gs1.org/cbv/BizStep-"
#define DISP "https://ref.gs1.org/cbv/Disp-"
#define CONTAINER_DEPTH 8 /* container levels followed for a unit's location */

/* What is known of one identifier: the store's state, then the document's. */
typedef struct view {
    int64_t id;                       /* ident id in the store, 0 when never seen */
    int commissioned, decommissioned; /* lifecycle */
    int64_t comm_t, decomm_t;         /* their event times */
    const char *disp;                 /* current disposition (canonical), or NULL */
    const char *bizloc;               /* current business location, or NULL */
    const char *where;                /* last place: business location, else read point */
    int64_t where_t;                  /* event time it was last seen */
    const char *parent;               /* container key, or NULL */
    size_t seen_ev;                   /* 1 + index of the last event that named it */
    unsigned char seen_role;          /* its role there */
    uint64_t sess;                    /* session signature of its last session scan, 0 none */
    int64_t sess_t;                   /* that scan's event time */
} view;

typedef struct geo {
    int have;        /* coordinates known */
    double lat, lon; /* degrees */
} geo;

/* A small string-keyed hash map (keys borrowed from the document). */
typedef struct smap {
    struct {
        const char *k;
        void *v;
    } * e;
    size_t cap, n;
} smap;

struct check {
    st_store *s;
    const struct st_rules *r;
    st_cap_doc *d;
    st_arena *a; /* views and strings read from the store */
    smap items;  /* key -> view */
    smap geos;   /* location key -> geo */
    smap hashes; /* hex event hash -> (void *)1: events earlier in the document */
    st_error *err;
    int stored; /* the current event is stored already: 1 yes, 0 no, -1 not known yet */
};

static inline uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static inline int is_term(const char *v, const char *prefix, const char *word)
{
    size_t n = strlen(prefix);
    return v && !strncmp(v, prefix, n) && !strcmp(v + n, word);
}

/* The CBV word of a canonical term ("recalled"), or the value itself. */
static inline const char *word(const char *v, const char *prefix)
{
    size_t n = strlen(prefix);
    return v && !strncmp(v, prefix, n) ? v + n : v;
}

static inline const char *role_name(unsigned role)
{
    static const char *const names[] = {"", "epc", "parent", "child", "input", "output"};
    return role < sizeof names / sizeof *names ? names[role] : "class";
}

static inline int on(const struct check *c, st_rule_id id)
{
    return c->r->mode[id] != ST_RULE_OFF;
}

/* The value of k in m, or NULL. */
void *st_rulecheck_find(const smap *m, const char *k);

/* The view of key: loaded from the store on first use; NULL with *rc set on
 * an error. */
view *st_rulecheck_view(struct check *c, const char *key, st_rc *rc);

/* The coordinates of location key (the document's master data, else the
 * store's); NULL with *rc set on an error. */
geo *st_rulecheck_geo(struct check *c, const char *key, st_rc *rc);

/* Rule id fired for key in event i with evidence jw (an open JSON object,
 * closed here): an anomaly in the document, nothing for an event stored
 * already, or ST_ERR_RULE when the rule rejects (why: a short reason). */
st_rc st_rulecheck_fire(struct check *c, st_rule_id id, size_t i, const char *key, st_jw *jw,
                        const char *why);

/* A row callback that sets *(int *)ctx to 1. */
st_rc st_rulecheck_row_flag(void *ctx, const st_val *col, int n);

/* The session signature of e for a scan in role (duplicate_scan), 0: none. */
uint64_t st_rulecheck_session(const st_cap_event *e, unsigned role);

/* Check reference k of event i against its view v (every rule). */
st_rc st_rulecheck_ref(struct check *c, size_t i, size_t k, view *v);

#endif
