/*
 * What the EPCIS writers share (write.h): the writer object (also of query
 * documents, write_query.c, and of events with their own bindings,
 * write_event.c), the methods table each format plugs in (write_jsonld.c,
 * write_xml.c), the namespace
 * bindings in scope, the value rules of write.c (which standard fields hold
 * identifiers, vocabulary terms, numbers and booleans, and how their values
 * are spelled in each format), and the document header (write_header.c),
 * which writes through the small element and member primitives the two
 * format writers export here.
 */
#ifndef ST_EPCIS_WRITE_INT_H
#define ST_EPCIS_WRITE_INT_H

#include <stddef.h>
#include <stdio.h>

#include <serialtrack/jsonw.h>

#include "common/arena.h"
#include "epcis/write.h"

/* Bytes of the scratch buffer for one converted value: a value (at most
 * ST_EPCIS_MAX_STRING) plus a namespace IRI or a vocabulary prefix. */
#define ST_WR_BUF (2 * 65536 + 1024)

/* One namespace binding in scope: prefix -> IRI. */
typedef struct st_wr_bind {
    const char *prefix; /* the prefix, never "" */
    const char *iri;    /* the namespace IRI */
    int depth;          /* XML: depth of the element that declared it (0: the document
                           element; events are deeper than 3); JSON-LD: 0 in the
                           document's @context, 1 in an event's */
    int used;           /* JSON-LD: needed by the event being written */
} st_wr_bind;

typedef struct st_wr_methods {
    st_rc (*open)(st_epcis_writer *w);                      /* write the document head */
    st_rc (*event)(st_epcis_writer *w, const st_event *ev); /* write one event */
    st_rc (*finish)(st_epcis_writer *w);                    /* write the tail, free impl */
} st_wr_methods;

extern const st_wr_methods st_wr_jsonld_methods;
extern const st_wr_methods st_wr_xml_methods;

struct st_epcis_writer {
    const st_wr_methods *m; /* the format's methods */
    st_epcis_format fmt;    /* ST_EPCIS_FMT_JSONLD, _XML2 or _XML12 */
    st_epcis_ids ids;       /* how identifiers are written */
    FILE *out;              /* where the document goes; not owned */
    st_diag *notes;         /* what could not be written as read; may be NULL */
    st_arena *a;            /* the writer's copies (bindings, prefixes); freed at finish */
    st_arena *ev_a;         /* scratch of one event; reset after each event */
    st_wr_bind *b;          /* bindings in scope: the document's first (malloc'd) */
    size_t nb;              /* entries used in b */
    size_t capb;            /* room in b */
    st_wr_bind *vals;       /* JSON-LD source: its @context prefixes, which its values
                               may use as CURIEs (XML output expands them) */
    size_t nvals;           /* entries in vals */
    int src_xml;            /* the source was XML (its values never expand prefixes); also
                               while an event without bindings is written (write_event.c) */
    int src_jsonld;         /* the source was JSON-LD (its keys may use the standard
                               context's prefixes, cbvmda above all) */
    unsigned next_ext;      /* number tried next for an invented prefix "extN" */
    char *buf;              /* ST_WR_BUF bytes of scratch for st_wr_value (malloc'd) */
    long written;           /* events written */
    long cur;               /* index of the event being written (for notes) */
    int io_failed;          /* a write to out failed */
    st_rc rc;               /* first failure; every later call returns it */
    void *impl;             /* the format's own state */
    char now[32];           /* creationDate of the document written */
    const char *query_name; /* an EPCISQueryDocument: its queryName (in a); NULL: an
                               EPCISDocument */
    int ev_own;             /* the event being written brought its own bindings
                               (write_event.c; vals and src_xml are the event's):
                               ST_WR_OWN_DOC or ST_WR_OWN_ALONE; 0: it did not */

    /* the document header (write_header.c) */
    const st_epcis_doc *src;   /* the source document, borrowed until finish; or NULL */
    const st_evnode *hdr_open; /* src->header when open ran (NULL: there was none) */
    const st_evnode *hdr_last; /* its last child then: later ones came after the events */
    int hdr_sbdh;              /* XML: a StandardBusinessDocumentHeader was written */
    int hdr_placed;            /* XML: an EPCISHeader could be written (1.2 needs an SBDH) */
};

/* How an event with its own bindings is written in JSON-LD (w->ev_own). */
enum {
    ST_WR_OWN_DOC = 1,   /* among others in a document: the JSON-LD reader adds every
                            event's @context to the document's bindings, so the event
                            binds only prefixes no value uses (json_prefix, then
                            "ex-ns2", ...) and its CURIE values are written expanded */
    ST_WR_OWN_ALONE = 2, /* alone (st_epcis_event_jsonld): its own prefixes, and the
                            CURIE values as read, bound in its @context */
};

/* ---- the writer object (write.c) ---- */

/* A writer for fmt and ids on out (NULL: nothing is ever written to a FILE;
 * st_epcis_event_jsonld), with its arenas and scratch; no bindings, nothing
 * written, no format state (w->impl NULL). ST_ERR_ARG (unknown fmt or ids),
 * ST_ERR_NOMEM (*w is then NULL). */
st_rc st_wr_create(st_epcis_format fmt, st_epcis_ids ids, FILE *out, st_diag *notes,
                   st_epcis_writer **w);

/* Write the head of w's document (its format's open). On failure w is freed
 * and the code returned. */
st_rc st_wr_begin(st_epcis_writer *w);

/* Free w and what it owns (not its format state). Accepts NULL. */
void st_wr_free(st_epcis_writer *w);

/* ---- output and notes (write.c) ---- */

/* Write s[0..n) to w->out; a short write sets w->io_failed. */
void st_wr_put(st_epcis_writer *w, const char *s, size_t n);

/* Add a note about event w->cur (rc says what kind) at the path of node n
 * (may be NULL); the message is "event N: " + the formatted text, or
 * "header: " + the text while w->cur is -1 (the document header). */
void st_wr_note(st_epcis_writer *w, st_rc rc, const st_evnode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The creation date for a new document, "YYYY-MM-DDTHH:MM:SSZ" in UTC: now,
 * or SOURCE_DATE_EPOCH when that is set (reproducible output). */
void st_wr_now(char out[32]);

/* Forget w->ev_a's scratch between two parts of a long header, when no
 * binding made inside the header (whose prefix may live there) is in scope. */
void st_wr_scratch_reset(st_epcis_writer *w);

/* ---- names and namespaces (write.c) ---- */

/* 1 when s is usable as an XML name (NCName: no ':', ASCII letters, digits,
 * '_', '-', '.', and any non-ASCII byte; not starting with a digit, '-' or '.'). */
int st_wr_ncname(const char *s);

/* The innermost binding of prefix, or NULL. */
const st_wr_bind *st_wr_bind_prefix(const st_epcis_writer *w, const char *prefix);

/* The innermost binding of iri whose prefix is not shadowed, or NULL. */
const st_wr_bind *st_wr_bind_iri(const st_epcis_writer *w, const char *iri);

/* Add prefix -> iri at depth (strings are not copied: they must live as long
 * as the binding). NULL when out of memory (w->rc is then set). */
st_wr_bind *st_wr_bind_push(st_epcis_writer *w, const char *prefix, const char *iri, int depth);

/* Forget the bindings of depth d and deeper. */
void st_wr_bind_pop(st_epcis_writer *w, int depth);

/* A prefix for a namespace that needs a new binding: hint when it is a free
 * NCName (bound nowhere in scope, not xml/xmlns, not in avoid), else "extN"
 * for the first free N, copied into a. NULL when out of memory. */
const char *st_wr_new_prefix(st_epcis_writer *w, st_arena *a, const char *hint,
                             const char *const *avoid);

/* ---- standard fields (write.c) ---- */

/* 1 when n (a field without namespace) is a list whose children repeat one
 * name: flagged ST_EVN_LIST, or one of the EPCIS list fields. */
int st_wr_is_list(const st_evnode *n);

/* Whether s is one of list[] (NULL-terminated; list may be NULL). */
int st_wr_in_list(const char *s, const char *const *list);

/* 1 for standard fields whose value is a number (quantity, the sensorReport
 * measurements) or a boolean (booleanValue). */
int st_wr_numeric(const st_evnode *n);
int st_wr_boolean(const st_evnode *n);

/*
 * The value of n as w's format writes it: identifiers converted as w->ids
 * asks (a note when impossible; the value is then kept), vocabulary terms
 * spelled for the format (JSON-LD bare word, XML 2.0 Web URI, XML 1.2 URN),
 * and, in XML written from JSON-LD, CURIEs of the source's @context expanded
 * (XML readers do not expand them). Points into n or into w->buf, valid until
 * the next call. NULL when n has no value.
 */
const char *st_wr_value(st_epcis_writer *w, const st_evnode *n);

/* Value v of node n read as an identifier and written as w->ids asks (a
 * note when impossible; v is then kept). Points into v or w->buf. */
const char *st_wr_convert_id(st_epcis_writer *w, const st_evnode *n, const char *v);

/* In XML written from JSON-LD: v with a CURIE of the source's @context
 * expanded; else v. Points into v or w->buf. */
const char *st_wr_expand_curie(st_epcis_writer *w, const char *v);

/* The prefix of v when v reads as a CURIE ("p:x" with an NCName-like p
 * other than gs1 and cbv, not "p://"; blanks around v ignored): a pointer
 * into v, its length in *k. NULL when v is no CURIE. */
const char *st_wr_curie_prefix(const char *v, size_t *k);

/* The binding in w->vals (first of its prefix) of the CURIE prefix of v, or
 * NULL when v is no CURIE or its prefix is not in w->vals. */
const st_wr_bind *st_wr_curie(const st_epcis_writer *w, const char *v);

/* v with the CURIE of binding b (st_wr_curie(w, v)) expanded, in w->buf; v
 * when that does not fit. */
const char *st_wr_curie_expand(st_epcis_writer *w, const st_wr_bind *b, const char *v);

/* ---- JSON-LD primitives (write_jsonld.c), for the header ---- */

/* Children of one node that share a name (and namespace). */
typedef struct st_wr_group {
    const st_evnode **m; /* members, in document order */
    size_t n;            /* how many */
    size_t first;        /* position of the first member among the children */
    int done;            /* written */
} st_wr_group;

st_jw *st_wr_jl_jw(st_epcis_writer *w); /* the JSON being built */
/* Hand what is built so far to the output (the nesting state stays). */
void st_wr_jl_flush(st_epcis_writer *w);
/* The member name of n ("prefix:name" for an extension); in w->ev_a. */
const char *st_wr_jl_key(st_epcis_writer *w, const st_evnode *n);
/* n as extension content: a value, an object of its children, or {}. */
void st_wr_jl_value(st_epcis_writer *w, const st_evnode *n);
/* The children of n grouped by namespace and name, in order of first
 * appearance (in w->ev_a); 0 also when out of memory (w->rc set). */
size_t st_wr_jl_groups(st_epcis_writer *w, const st_evnode *n, st_wr_group **out);
/* 1 when every namespace under n (n included) already has a prefix in the
 * document's @context, so that n can be written after it. */
int st_wr_jl_bound(st_epcis_writer *w, const st_evnode *n);
/* The JSON-LD state of w without a document head (st_epcis_event_jsonld);
 * ST_ERR_NOMEM. st_wr_jl_done frees it (accepts a writer without it). */
st_rc st_wr_jl_init(st_epcis_writer *w);
void st_wr_jl_done(st_epcis_writer *w);
/* Event ev as one JSON object in st_wr_jl_jw(w) (reset first), as an
 * eventList holds it; standalone: its "@context" is the standard context URL
 * and an object of the event's bindings (else only the bindings, when any).
 * ST_OK, ST_ERR_NOMEM or w->rc. */
st_rc st_wr_jl_event_object(st_epcis_writer *w, const st_event *ev, int standalone);
/* In an event with its own bindings (w->ev_own): value v of node n as
 * written; a CURIE of the event's bindings expanded (ST_WR_OWN_DOC;
 * ST_WR_OWN_ALONE only when its prefix means another IRI where the event is
 * written); a CURIE-like value whose prefix the event does not bind but the
 * output does is noted. Points into v or w->buf. */
const char *st_wr_jl_curie(st_epcis_writer *w, const st_evnode *n, const char *v);

/* ---- XML primitives (write_xml.c), for the header ---- */

void st_wr_xml_start(st_epcis_writer *w, const char *name); /* <name> without namespace */
/* The element of n with its attribute children; 0 when it cannot be written. */
int st_wr_xml_open(st_epcis_writer *w, const st_evnode *n);
/* 1 when child c of n was written as an attribute by st_wr_xml_open. */
int st_wr_xml_is_attr(const st_evnode *n, const st_evnode *c);
/* An attribute named as n (ns, prefix, name) with value v, on the element
 * just opened; its namespace is declared there when not in scope. */
void st_wr_xml_attr(st_epcis_writer *w, const st_evnode *n, const char *v);
void st_wr_xml_text(st_epcis_writer *w, const char *v); /* text, as it is */
void st_wr_xml_end(st_epcis_writer *w);                 /* close the element */
/* n and everything under it, as the event writer writes extension content. */
void st_wr_xml_tree(st_epcis_writer *w, const st_evnode *n);

/* ---- the document header (write_header.c) ---- */

/* JSON-LD, at open: the header's members of the document object (id,
 * sender, receiver, instanceIdentifier, epcisHeader, extensions), written
 * after creationDate; at finish, after epcisBody: the document-level
 * members that came after the events. */
void st_wr_hdr_jsonld_head(st_epcis_writer *w);
void st_wr_hdr_jsonld_tail(st_epcis_writer *w);

/* XML, at open, just after the root element's own attributes: its
 * attributes from the header (id, those of the source's root), then
 * <EPCISHeader>; at finish, after </EPCISBody>: the document's <extension>
 * and extension elements. */
void st_wr_hdr_xml_head(st_epcis_writer *w);
void st_wr_hdr_xml_tail(st_epcis_writer *w);

#endif
