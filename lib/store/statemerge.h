/*
 * Item state changes of one document, merged per item before they are
 * written: a document that commissions, assembles and packs a unit changes
 * its state three times but writes it once. Each column keeps the value of
 * the latest event (by event time; a later one in the document wins a tie)
 * and that time, so the backend applies exactly the per-event rule: a value
 * at least as recent as the stored state overrides it, an older one only
 * fills what is unknown. Backend-independent.
 */
#ifndef ST_STORE_STATEMERGE_H
#define ST_STORE_STATEMERGE_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

/* The merged columns, in the order the backends bind them. */
enum {
    ST_SC_DISPOSITION,
    ST_SC_READ_POINT,
    ST_SC_BIZ_LOCATION,
    ST_SC_CONTAINER, /* 0: in no container; > 0: the container's ident */
    ST_SC_OWNER,
    ST_SC_POSSESSOR,
    ST_SC_LOT,
    ST_SC_DELETED,   /* 1 after ObjectEvent DELETE, 0 after ADD */
    ST_SC_COUNT
};

/* One column: set when some event of the document said something. */
typedef struct st_state_col {
    int64_t v;      /* the value (an ident id, 0/1 for deleted) */
    int64_t t;      /* event time (ms) of the event that said it */
    int set;        /* 0: no event said anything */
} st_state_col;

/* What the document says about one item. */
typedef struct st_state_delta {
    int64_t ident;      /* the item */
    int64_t first;      /* earliest event time */
    int64_t last;       /* latest event time */
    int64_t last_event; /* the event (id) at last */
    st_state_col col[ST_SC_COUNT];
    const char *expiry; /* ILMD itemExpirationDate (borrowed from the prepared
                           document, which outlives the merge), or NULL */
    int64_t expiry_t;   /* its event time */
} st_state_delta;

typedef struct st_statemerge {
    st_state_delta *d; /* deltas, in the order items were first named */
    size_t n, cap;     /* used and allocated */
    int64_t *slots;    /* open addressing: ident -> index + 1 (0 = empty) ... */
    int64_t *keys;     /* ... keyed by ident */
    size_t mask;       /* slots - 1 */
} st_statemerge;

/* Empty; allocates nothing yet. */
void st_statemerge_init(st_statemerge *m);
void st_statemerge_free(st_statemerge *m);
/* Forget every delta (keeps the memory). */
void st_statemerge_reset(st_statemerge *m);

/* The delta of ident after an event at time t (ms), id event: created when
 * new; first/last/last_event updated. NULL when out of memory. The pointer
 * is valid until the next call. */
st_state_delta *st_statemerge_touch(st_statemerge *m, int64_t ident, int64_t t, int64_t event);

/* Column c of d says v at time t (overrides an earlier or equal time). */
void st_statemerge_set(st_state_delta *d, int c, int64_t v, int64_t t);

/* The expiry of d is s at time t (same rule). */
void st_statemerge_expiry(st_state_delta *d, const char *s, int64_t t);

/* The delta of ident, or NULL when the document said nothing about it. */
st_state_delta *st_statemerge_find(st_statemerge *m, int64_t ident);

#endif
