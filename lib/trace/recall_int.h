/*
 * What the recall modules share: parsed criteria, the walk's result
 * (recall_walk.c) and the report store and renderings (recall.c).
 */
#ifndef ST_TRACE_RECALL_INT_H
#define ST_TRACE_RECALL_INT_H

#include <serialtrack/recall.h>
#include <stdint.h>

#include "common/arena.h"

/* A location criterion: events at key (or a read point under it) in [from, to]. */
typedef struct st_rcl_loc {
    const char *key; /* canonical location key */
    int64_t from;    /* ms since the epoch, inclusive */
    int64_t to;      /* ms since the epoch, inclusive */
} st_rcl_loc;

/* Parsed and validated criteria; strings in the owner's arena. */
typedef struct st_rcl_criteria {
    const char **lots; /* class keys of component and finished lots */
    size_t nlots;      /* entries in lots */
    const char **ids;  /* keys of component (or any) serials */
    size_t nids;       /* entries in ids */
    st_rcl_loc *locs;  /* location criteria */
    size_t nlocs;      /* entries in locs */
} st_rcl_criteria;

/* One affected finished unit; strings in the result's arena. */
typedef struct st_rcl_unit {
    int64_t id;            /* its ident */
    const char *key;       /* canonical key */
    const char *status;    /* disposition (CBV short name), or NULL when unknown */
    const char *location;  /* where it is: its outermost container's location, else its own */
    const char *container; /* current container chain, innermost first, space separated; or NULL */
    const char *holder;    /* last possessing or owning party, "sold", or NULL */
    const char *party;     /* its party for the scope tables ("sold", a party, "unknown") */
    int64_t loc_id;        /* ident of location, or 0 */
    int64_t party_id;      /* tally id of party (recall_walk.c) */
} st_rcl_unit;

/* One line of a scope table. */
typedef struct st_rcl_count {
    const char *name; /* location or party key ("unknown" when none) */
    int64_t affected; /* affected units there */
    int64_t blanket;  /* units a blanket recall would hit there */
} st_rcl_count;

/* What a walk found. */
typedef struct st_rcl_result {
    st_arena *a;         /* owns every string and array below, with part_a */
    st_arena *part_a[2]; /* strings of the units, read by two threads (recall_walk.c) */
    st_rcl_unit *u;      /* affected units, by ident */
    size_t n;            /* entries in u */
    int64_t blanket;     /* units of the affected finished GTINs */
    int64_t blanket_lot; /* units of the affected finished lots */
    st_rcl_count *loc;   /* scope by location */
    size_t nloc;         /* entries in loc */
    st_rcl_count *party; /* scope by party */
    size_t nparty;       /* entries in party */
    int64_t nodes;       /* identifiers visited */
    int64_t walk_ms;     /* time of the walk and unit facts */
    int64_t scope_ms;    /* time of the blanket scope */
} st_rcl_result;

/*
 * Parse criteria JSON text[0..n) into *c (strings in a). ST_ERR_SYNTAX (or
 * the identifier parser's code) with a sentence naming the member in err.
 */
st_rc st_rcl_parse(const char *text, size_t n, st_arena *a, st_rcl_criteria *c, st_error *err);

/*
 * Walk from c to the affected finished units and their scope. *r is
 * zeroed and filled; free with st_rcl_result_free whatever the outcome.
 * blanket 0 skips the blanket scope (counts stay 0).
 */
st_rc st_rcl_walk(st_store *s, const st_rcl_criteria *c, int blanket, st_rcl_result *r,
                  st_error *err);
void st_rcl_result_free(st_rcl_result *r);

#endif
