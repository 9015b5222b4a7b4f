/*
 * The EPCIS event model: one ordered tree per event, lossless for every
 * standard field and for user extensions in any namespace, the same tree
 * whether the event was read from JSON-LD, XML 2.0 or XML 1.2.
 *
 * The tree follows the node model of the CBV 2.0 event hash algorithm:
 *  - the root is named after the event type ("ObjectEvent", ...);
 *  - a list field is one node ("epcList") whose children repeat the singular
 *    name ("epc"), also when read from a JSON array;
 *  - XML attributes are child nodes flagged ST_EVN_ATTR ("type" of a
 *    bizTransaction, the fields of sensorMetadata and sensorReport);
 *  - EPCIS 1.x <extension>/<baseExtension> wrappers are dissolved into their
 *    parent, and 1.x names are mapped to 2.0 names by the readers;
 *  - extension elements carry their namespace IRI (exactly as declared) and
 *    the prefix the document used, so writers can reproduce them.
 * Values are the text as read; vocabulary values keep their original
 * spelling (bare word, CURIE, URN or URI) and are canonicalised on demand
 * (lib/epcis/cbv.h), so output can be faithful to the input.
 *
 * Every node and string lives in the arena of the document or event that
 * owns it; nothing in a tree is freed on its own.
 */
#ifndef ST_EPCIS_EVENT_H
#define ST_EPCIS_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#include "common/arena.h"

typedef enum st_event_type {
    ST_EVENT_NONE = 0,
    ST_EVENT_OBJECT = 1,
    ST_EVENT_AGGREGATION = 2,
    ST_EVENT_TRANSACTION = 3,
    ST_EVENT_TRANSFORMATION = 4,
    ST_EVENT_ASSOCIATION = 5,
} st_event_type;

/* Node flags */
#define ST_EVN_ATTR 0x01   /* came from (or is written as) an XML attribute */
#define ST_EVN_NUMBER 0x02 /* a JSON number (value holds its text) */
#define ST_EVN_BOOL 0x04   /* a JSON true/false (value "true"/"false") */
#define ST_EVN_LIST 0x08   /* a list field: children repeat one singular name */

typedef struct st_evnode st_evnode;
struct st_evnode {
    const char *ns;     /* namespace IRI of an extension element; NULL for EPCIS fields */
    const char *prefix; /* the prefix the document bound to ns, or NULL */
    const char *name;   /* local name, EPCIS 2.0 spelling for standard fields */
    const char *value;  /* text value, or NULL for a structure */
    unsigned flags;     /* ST_EVN_* */
    st_evnode *parent;  /* NULL for the root */
    st_evnode *first;   /* first child, in document order */
    st_evnode *last;    /* last child */
    st_evnode *next;    /* next sibling */
};

/* One event of a document. */
typedef struct st_event {
    st_event_type type; /* from the root's name */
    st_evnode *root;    /* the tree; root->name is the event type name */
    long index;         /* position in its document's eventList, from 0 */
} st_event;

/* strcmp(a, b) == 0, inline: for the short names of fields and elements,
 * which mostly differ in their first bytes, cheaper than a call. */
static inline int st_evname_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* "ObjectEvent", ... for a type; NULL for ST_EVENT_NONE. */
const char *st_event_type_name(st_event_type t);

/* The type named name ("ObjectEvent"), or ST_EVENT_NONE. */
st_event_type st_event_type_from_name(const char *name);

/* A new node (name and value copied into a; ns/prefix copied when not NULL)
 * appended as the last child of parent (parent may be NULL for a root).
 * NULL when the arena is out of memory or over its cap. */
st_evnode *st_evnode_add(st_arena *a, st_evnode *parent, const char *ns, const char *name,
                         const char *value, size_t value_len, unsigned flags);

/* The first child of n with EPCIS field name (ns NULL) name, or NULL. */
st_evnode *st_evnode_child(const st_evnode *n, const char *name);

/* The value of child name of n, or NULL. */
const char *st_evnode_child_value(const st_evnode *n, const char *name);

/* Number of children of n named name (ns NULL); all children when name is NULL. */
size_t st_evnode_count(const st_evnode *n, const char *name);

#endif
