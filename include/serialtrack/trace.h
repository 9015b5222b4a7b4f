/*
 * Tracing one unit through the event store: given any form of its
 * identifier (EPC URI, Digital Link, element string, EPC hex, or a class
 * such as a lot), its current state, its history in time order (its own
 * events and those of the containers it travelled in while it was inside),
 * its container chain and contents, and its genealogy: what went into it
 * (up) and what it went into (down), to any depth, through lots.
 */
#ifndef SERIALTRACK_TRACE_H
#define SERIALTRACK_TRACE_H

#include <stddef.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

/* Parts of a trace (st_trace_opts.parts); 0 means all. */
#define ST_TRACE_STATE 0x01     /* "state" */
#define ST_TRACE_HISTORY 0x02   /* "history" */
#define ST_TRACE_CONTAINER 0x04 /* "container" and "children" */
#define ST_TRACE_UP 0x08        /* "genealogy": {"up"} */
#define ST_TRACE_DOWN 0x10      /* "genealogy": {"down"} */

/* Options; zero-initialise for everything with default caps. */
typedef struct st_trace_opts {
    unsigned parts;     /* ST_TRACE_* bits; 0: all */
    int depth;          /* genealogy levels to follow; 0: all (capped by ST_TRACE_MAX_NODES) */
    size_t max_history; /* events in the history; 0: ST_TRACE_MAX_HISTORY */
    const st_scope *scope; /* a partner's scope (borrowed), or NULL: a unit outside it
                              is not found, its history holds only events within it */
} st_trace_opts;

/*
 * The canonical key of identifier text id (any form) into out[0..cap).
 * Identifiers that are not GS1 (a private URI) are their own key.
 * ST_ERR_SYNTAX with a reason in err when id is not an identifier at all.
 */
st_rc st_trace_key(const char *id, char *out, size_t cap, st_error *err);

/*
 * Write the trace of id as one JSON object into out (the caller's writer):
 * {"key", "state": {...}, "history": [EPCIS JSON-LD events], "container":
 * [outermost last], "children": [{"key", "children": [...]}], "genealogy":
 * {"up": [...], "down": [...]}} with the parts asked for. ST_ERR_NOT_FOUND
 * (with the key in err) when the store has never seen the identifier;
 * ST_ERR_SYNTAX for an id that is no identifier; store errors as they come.
 */
st_rc st_trace_write(st_store *s, const char *id, const st_trace_opts *o, st_jw *out,
                     st_error *err);

#endif
