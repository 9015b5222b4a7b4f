/*
 * st_i64map (i64map.h): linear probing over a power-of-two table kept at
 * most half full, Fibonacci hashing of the key.
 */
#include "common/i64map.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(int64_t k, size_t mask)
{
    return (size_t)(((uint64_t)k * 0x9E3779B97F4A7C15ULL) >> 17) & mask;
}

int st_i64map_put(st_i64map *m, int64_t k, size_t v)
{
    if (!m->k || 2 * (m->n + 1) > m->mask + 1) {
        size_t slots = m->k ? 2 * (m->mask + 1) : 1024;
        st_i64map g = {calloc(slots, sizeof *g.k), malloc(slots * sizeof *g.v), slots - 1, 0};
        if (!g.k || !g.v) {
            free(g.k);
            free(g.v);
            return -1;
        }
        for (size_t i = 0; m->k && i <= m->mask; i++)
            if (m->k[i])
                st_i64map_put(&g, m->k[i], m->v[i]);
        free(m->k);
        free(m->v);
        *m = g;
    }
    size_t i = slot_of(k, m->mask);
    while (m->k[i] && m->k[i] != k)
        i = (i + 1) & m->mask;
    if (!m->k[i])
        m->n++;
    m->k[i] = k;
    m->v[i] = v;
    return 0;
}

int st_i64map_get(const st_i64map *m, int64_t k, size_t *v)
{
    if (!m->k || k <= 0)
        return 0;
    for (size_t i = slot_of(k, m->mask); m->k[i]; i = (i + 1) & m->mask)
        if (m->k[i] == k) {
            *v = m->v[i];
            return 1;
        }
    return 0;
}

void st_i64map_free(st_i64map *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}
