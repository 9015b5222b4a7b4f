/*
 * A set of positive 64-bit integers (surrogate ids), for walks that must
 * visit each node once: open addressing, grows by doubling, capped.
 */
#ifndef ST_COMMON_I64SET_H
#define ST_COMMON_I64SET_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_i64set {
    int64_t *slots; /* 0 = empty */
    size_t mask;    /* slots - 1, when slots is not NULL */
    size_t n;       /* members */
    size_t max;     /* cap on members */
} st_i64set;

/* An empty set that holds at most max members. Allocates nothing yet. */
void st_i64set_init(st_i64set *s, size_t max);
void st_i64set_free(st_i64set *s);

/* Add v (> 0). Returns 1 when added, 0 when already there, -1 when the set
 * is at its cap or out of memory. */
int st_i64set_add(st_i64set *s, int64_t v);

/* 1 when v is in s. */
int st_i64set_has(const st_i64set *s, int64_t v);

#endif
