/*
 * A map from positive 64-bit integers (surrogate ids) to size_t values
 * (indexes into the caller's arrays): open addressing, grows by doubling.
 * The zero value ({0}) is an empty map; free with st_i64map_free.
 */
#ifndef ST_COMMON_I64MAP_H
#define ST_COMMON_I64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_i64map {
    int64_t *k;  /* keys; 0 = empty slot */
    size_t *v;   /* values */
    size_t mask; /* slots - 1 */
    size_t n;    /* members */
} st_i64map;

/* Set k (> 0) to v. 0, or -1 when out of memory (m unchanged). */
int st_i64map_put(st_i64map *m, int64_t k, size_t v);

/* 1 and *v when k is in m, else 0. */
int st_i64map_get(const st_i64map *m, int64_t k, size_t *v);

/* Free the slots; m is empty again. */
void st_i64map_free(st_i64map *m);

#endif
