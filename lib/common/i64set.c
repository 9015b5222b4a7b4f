/*
 * The id set (i64set.h): multiplicative hashing, linear probing, load factor
 * at most one half.
 */
#include "common/i64set.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(int64_t v, size_t mask)
{
    return (size_t)(((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

void st_i64set_init(st_i64set *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

void st_i64set_free(st_i64set *s)
{
    free(s->slots);
    s->slots = NULL;
    s->n = 0;
}

int st_i64set_has(const st_i64set *s, int64_t v)
{
    if (!s->slots || v <= 0)
        return 0;
    for (size_t i = slot_of(v, s->mask);; i = (i + 1) & s->mask) {
        if (s->slots[i] == v)
            return 1;
        if (!s->slots[i])
            return 0;
    }
}

static int grow(st_i64set *s)
{
    size_t cap = s->slots ? 2 * (s->mask + 1) : 256;
    int64_t *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; s->slots && i <= s->mask; i++) {
        int64_t v = s->slots[i];
        if (!v)
            continue;
        size_t j = slot_of(v, cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = v;
    }
    free(s->slots);
    s->slots = t;
    s->mask = cap - 1;
    return 0;
}

int st_i64set_add(st_i64set *s, int64_t v)
{
    if (v <= 0)
        return -1;
    if (st_i64set_has(s, v))
        return 0;
    if (s->n >= s->max)
        return -1;
    if ((!s->slots || 2 * (s->n + 1) > s->mask + 1) && grow(s))
        return -1;
    size_t i = slot_of(v, s->mask);
    while (s->slots[i])
        i = (i + 1) & s->mask;
    s->slots[i] = v;
    s->n++;
    return 1;
}
