/* The EPCIS event tree (see event.h). */
#include "epcis/event.h"

#include <stdint.h>
#include <string.h>

static const char *const type_names[] = {
    [ST_EVENT_OBJECT] = "ObjectEvent",
    [ST_EVENT_AGGREGATION] = "AggregationEvent",
    [ST_EVENT_TRANSACTION] = "TransactionEvent",
    [ST_EVENT_TRANSFORMATION] = "TransformationEvent",
    [ST_EVENT_ASSOCIATION] = "AssociationEvent",
};

const char *st_event_type_name(st_event_type t)
{
    if ((unsigned)t >= sizeof type_names / sizeof type_names[0])
        return NULL;
    return type_names[t];
}

st_event_type st_event_type_from_name(const char *name)
{
    for (unsigned t = ST_EVENT_OBJECT; t <= ST_EVENT_ASSOCIATION; t++)
        if (name && !strcmp(name, type_names[t]))
            return (st_event_type)t;
    return ST_EVENT_NONE;
}

/* The node and copies of its strings in one allocation: node, name, ns, value. */
st_evnode *st_evnode_add(st_arena *a, st_evnode *parent, const char *ns, const char *name,
                         const char *value, size_t value_len, unsigned flags)
{
    size_t name_len = strlen(name), ns_len = ns ? strlen(ns) : 0;
    size_t need = sizeof(st_evnode) + name_len + 1 + (ns ? ns_len + 1 : 0);
    if (value && value_len > SIZE_MAX - need - 1)
        return NULL;
    st_evnode *n = st_arena_alloc(a, need + (value ? value_len + 1 : 0));
    if (!n)
        return NULL;
    char *p = (char *)(n + 1);
    memcpy(p, name, name_len + 1);
    n->name = p;
    p += name_len + 1;
    n->ns = NULL;
    if (ns) {
        memcpy(p, ns, ns_len + 1);
        n->ns = p;
        p += ns_len + 1;
    }
    n->value = NULL;
    if (value) {
        memcpy(p, value, value_len);
        p[value_len] = '\0';
        n->value = p;
    }
    n->prefix = NULL;
    n->flags = flags;
    n->parent = parent;
    n->first = n->last = n->next = NULL;
    if (parent) {
        if (parent->last)
            parent->last->next = n;
        else
            parent->first = n;
        parent->last = n;
    }
    return n;
}

st_evnode *st_evnode_child(const st_evnode *n, const char *name)
{
    for (st_evnode *c = n ? n->first : NULL; c; c = c->next)
        if (!c->ns && st_evname_eq(c->name, name))
            return c;
    return NULL;
}

const char *st_evnode_child_value(const st_evnode *n, const char *name)
{
    st_evnode *c = st_evnode_child(n, name);
    return c ? c->value : NULL;
}

size_t st_evnode_count(const st_evnode *n, const char *name)
{
    size_t k = 0;
    for (st_evnode *c = n ? n->first : NULL; c; c = c->next)
        if (!name || (!c->ns && st_evname_eq(c->name, name)))
            k++;
    return k;
}
