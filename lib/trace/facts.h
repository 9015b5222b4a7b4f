/*
 * What warranties, ownership and returns need to know about one unit,
 * read from the store in one snapshot: whether it exists and is genuine,
 * when it was made, sold and last returned, the reference of its
 * registered sale, and whether it is reported stolen.
 */
#ifndef ST_TRACE_FACTS_H
#define ST_TRACE_FACTS_H

#include <stdint.h>
#include <serialtrack/limits.h>
#include <serialtrack/store.h>

#define ST_FACTS_KEY_MAX 2048 /* bytes of a canonical key (as lib/trace allows) */

typedef struct st_facts {
    char key[ST_FACTS_KEY_MAX];             /* the unit's canonical key */
    char gtin[15];                          /* its GTIN (14 digits), "" when not an SGTIN */
    int known;                              /* the store has a state for it */
    int genuine;                            /* st_facts_genuine said so */
    int stolen;                             /* its disposition is stolen */
    int64_t made_ms;                        /* its commissioning time; 0 when none */
    int64_t sale_event_ms;                  /* its latest retail_selling event; 0: none */
    int64_t reg_sale_ms;                    /* its latest registered sale; 0: none */
    int64_t returned_ms;                    /* its latest accepted return; 0: none */
    int64_t sold_ms;                        /* the current sale (the later of the two, when
                                               after the last return); 0: not sold now */
    int has_ref;                            /* sale_ref is the current sale's reference */
    char sale_ref[ST_WARRANTY_REF_MAX + 1]; /* that reference */
} st_facts;

/*
 * The facts of the unit named by id (any identifier form) into *f.
 * ST_ERR_SYNTAX (err says why) when id is no identifier; an unknown unit is
 * ST_OK with f->known 0. Store errors as they come.
 */
st_rc st_facts_load(st_store *s, const char *id, st_facts *f, st_error *err);

/*
 * Is the unit with ident id genuine? The rule of GET /verify/{id}
 * (lib/trace/verify.c): it was commissioned (item_life, written by the
 * events that commission it) and no impossible_travel anomaly suspects a
 * clone of it. *made_ms receives its first commissioning event's time (0
 * when never commissioned).
 */
st_rc st_facts_genuine(st_store *s, int64_t ident, int *genuine, int64_t *made_ms, st_error *err);

/* Now, in ms since the epoch. */
int64_t st_facts_now_ms(void);

#endif
