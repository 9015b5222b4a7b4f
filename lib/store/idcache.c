/*
 * The identifier cache (idcache.h): FNV-1a hashing, linear probing, a load
 * factor of at most one half, cleared whole when it reaches its cap.
 */
#include "store/idcache.h"

#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>

struct st_idslot {
    const char *key; /* NULL: empty */
    size_t n;        /* key length */
    uint64_t h;      /* its hash */
    int64_t id;      /* the surrogate id */
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

void st_idcache_init(st_idcache *c)
{
    memset(c, 0, sizeof *c);
}

void st_idcache_free(st_idcache *c)
{
    free(c->slots);
    st_arena_destroy(c->keys);
    memset(c, 0, sizeof *c);
}

void st_idcache_clear(st_idcache *c)
{
    if (c->slots)
        memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
    if (c->keys)
        st_arena_reset(c->keys);
    c->n = 0;
}

int64_t st_idcache_get(const st_idcache *c, const char *key, size_t n)
{
    if (!c->slots)
        return 0;
    uint64_t h = hash(key, n);
    for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
        const struct st_idslot *s = &c->slots[i];
        if (!s->key)
            return 0;
        if (s->h == h && s->n == n && !memcmp(s->key, key, n))
            return s->id;
    }
}

static int grow(st_idcache *c)
{
    size_t cap = c->slots ? (c->mask + 1) * 2 : 1024;
    struct st_idslot *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; c->slots && i <= c->mask; i++) {
        struct st_idslot *s = &c->slots[i];
        if (!s->key)
            continue;
        size_t j = s->h & (cap - 1);
        while (t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = *s;
    }
    free(c->slots);
    c->slots = t;
    c->mask = cap - 1;
    return 0;
}

void st_idcache_put(st_idcache *c, const char *key, size_t n, int64_t id)
{
    if (c->n >= ST_STORE_IDCACHE_MAX)
        st_idcache_clear(c);
    if (!c->keys && !(c->keys = st_arena_create(0)))
        return;
    if ((!c->slots || 2 * (c->n + 1) > c->mask + 1) && grow(c))
        return;
    char *k = st_arena_strndup(c->keys, key, n);
    if (!k)
        return;
    uint64_t h = hash(key, n);
    size_t i = h & c->mask;
    while (c->slots[i].key) {
        if (c->slots[i].h == h && c->slots[i].n == n && !memcmp(c->slots[i].key, key, n)) {
            c->slots[i].id = id;
            return;
        }
        i = (i + 1) & c->mask;
    }
    c->slots[i] = (struct st_idslot){k, n, h, id};
    c->n++;
}
