/*
 * A bounded map from identifier key to its surrogate id, so the write path
 * looks up each identifier in the database once instead of once per event.
 * Open addressing, keys copied into blocks the cache owns; when it holds
 * ST_STORE_IDCACHE_MAX entries it is emptied and starts again. Ids in it are
 * only those of committed rows or of the current transaction: a caller that
 * rolls back must clear it.
 */
#ifndef ST_STORE_IDCACHE_H
#define ST_STORE_IDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

typedef struct st_idcache {
    struct st_idslot *slots; /* power-of-two table */
    size_t mask;             /* slots - 1 */
    size_t n;                /* entries */
    st_arena *keys;          /* owns the key copies */
} st_idcache;

/* Empty cache; nothing allocated until the first put. */
void st_idcache_init(st_idcache *c);
void st_idcache_free(st_idcache *c);
void st_idcache_clear(st_idcache *c);

/* The id of key, or 0 when not cached. */
int64_t st_idcache_get(const st_idcache *c, const char *key, size_t n);

/* Remember key -> id (id > 0). Failing to remember (out of memory) is not an
 * error: the cache just misses later. */
void st_idcache_put(st_idcache *c, const char *key, size_t n, int64_t id);

#endif
