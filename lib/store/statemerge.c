/*
 * Per-document merge of item state changes (statemerge.h): an array of
 * deltas plus an open-addressing index from ident to delta.
 */
#include "store/statemerge.h"

#include <stdlib.h>
#include <string.h>

void st_statemerge_init(st_statemerge *m)
{
    memset(m, 0, sizeof *m);
}

void st_statemerge_free(st_statemerge *m)
{
    free(m->d);
    free(m->slots);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

void st_statemerge_reset(st_statemerge *m)
{
    m->n = 0;
    if (m->slots)
        memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
}

static size_t slot_of(int64_t v, size_t mask)
{
    return (size_t)(((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

/* The slot of ident: its own, or the empty one where it would go. */
static size_t probe(const st_statemerge *m, int64_t ident)
{
    size_t i = slot_of(ident, m->mask);
    while (m->slots[i] && m->keys[i] != ident)
        i = (i + 1) & m->mask;
    return i;
}

static int grow_index(st_statemerge *m)
{
    size_t cap = m->slots ? 2 * (m->mask + 1) : 1024;
    int64_t *slots = calloc(cap, sizeof *slots), *keys = calloc(cap, sizeof *keys);
    if (!slots || !keys) {
        free(slots);
        free(keys);
        return -1;
    }
    int64_t *old_slots = m->slots, *old_keys = m->keys;
    size_t old_cap = m->slots ? m->mask + 1 : 0;
    m->slots = slots;
    m->keys = keys;
    m->mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++)
        if (old_slots[i]) {
            size_t j = probe(m, old_keys[i]);
            m->slots[j] = old_slots[i];
            m->keys[j] = old_keys[i];
        }
    free(old_slots);
    free(old_keys);
    return 0;
}

st_state_delta *st_statemerge_find(st_statemerge *m, int64_t ident)
{
    if (!m->slots)
        return NULL;
    size_t i = probe(m, ident);
    return m->slots[i] ? &m->d[m->slots[i] - 1] : NULL;
}

st_state_delta *st_statemerge_touch(st_statemerge *m, int64_t ident, int64_t t, int64_t event)
{
    st_state_delta *d = st_statemerge_find(m, ident);
    if (!d) {
        if ((!m->slots || 2 * (m->n + 1) > m->mask + 1) && grow_index(m))
            return NULL;
        if (m->n == m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 256;
            st_state_delta *nd = realloc(m->d, cap * sizeof *nd);
            if (!nd)
                return NULL;
            m->d = nd;
            m->cap = cap;
        }
        d = &m->d[m->n];
        memset(d, 0, sizeof *d);
        d->ident = ident;
        d->first = d->last = t;
        d->last_event = event;
        size_t i = probe(m, ident);
        m->slots[i] = (int64_t)++m->n;
        m->keys[i] = ident;
        return d;
    }
    if (t < d->first)
        d->first = t;
    if (t >= d->last) {
        d->last = t;
        d->last_event = event;
    }
    return d;
}

void st_statemerge_set(st_state_delta *d, int c, int64_t v, int64_t t)
{
    st_state_col *col = &d->col[c];
    if (!col->set || t >= col->t) {
        col->v = v;
        col->t = t;
        col->set = 1;
    }
}

void st_statemerge_expiry(st_state_delta *d, const char *s, int64_t t)
{
    if (!d->expiry || t >= d->expiry_t) {
        d->expiry = s;
        d->expiry_t = t;
    }
}
