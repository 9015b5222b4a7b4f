/*
 * Streaming EPCIS XML reader (xml.h) on libxml2's xmlTextReader: one pass,
 * one frame per open element, one event tree at a time, so memory depends on
 * the largest event, not on the document.
 *
 * XML to tree (the rules the JSON-LD reader shares, event.h):
 *  - an event's root is named after its element; an element without a
 *    namespace (or in an EPCIS namespace) becomes a node with ns NULL; any
 *    other element keeps its namespace IRI and the prefix it was written
 *    with (NULL for a default namespace); document order is kept;
 *  - attributes become ST_EVN_ATTR children, before the child elements, in
 *    attribute order; xmlns declarations and xsi:* attributes are not nodes;
 *  - the value is the text as written (CDATA included, comments and
 *    processing instructions skipped); an element with child elements keeps
 *    only its text runs that are not all whitespace; an element without text
 *    has value NULL;
 *  - <extension> and <baseExtension> without a namespace are dissolved
 *    wherever they occur, in 1.x and 2.0 alike: their attributes and children
 *    land in the enclosing element at the wrapper's place. The 1.2 element
 *    names are a subset of the 2.0 ones (checked against both XSDs), so no
 *    name is mapped;
 *  - the fields of list_fields are flagged ST_EVN_LIST.
 * Outside the events: the root's schemaVersion and creationDate fill doc;
 * xmlns declarations made outside events are listed in doc->ns (prefix ""
 * for a default namespace); doc->header is a node "header" whose children
 * are the document-level content in document order: the root's other
 * attributes, EPCISHeader (as a node of that name), and any other element
 * beside the events (queryName, subscriptionID, the VocabularyList of a
 * master-data document, extension elements of the body). The root, EPCISBody,
 * QueryResults, resultsBody and EventList are walked through; their own
 * attributes are dropped. Every element of EventList other than a wrapper
 * takes an event index, also one that is reported and skipped (QuantityEvent,
 * an unknown element, an event over a cap).
 *
 * Safety: no DTD is loaded, no entity substituted, no network used; a DOCTYPE
 * that declares anything is refused before any of it is used; depth, string,
 * event count and per-event memory are capped (limits.h).
 */
#include "epcis/xml.h"

#include <errno.h>
#include <libxml/xmlreader.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <serialtrack/limits.h>

#define S(p) ((const char *)(p))
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define SEEN_MAX 32 /* distinct child names counted per element, for path indexes */
/* No DTD loading, no entity substitution, no network; CDATA merged into text. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA)

/* Fields whose children repeat one singular name. */
// clang-format off
#define LF(name) {name, sizeof(name) - 1}
// clang-format on
static const struct {
    const char *name; /* the element's local name */
    size_t len;       /* its length */
} list_fields[] = {
    LF("epcList"),
    LF("inputEPCList"),
    LF("outputEPCList"),
    LF("childEPCs"),
    LF("quantityList"),
    LF("childQuantityList"),
    LF("inputQuantityList"),
    LF("outputQuantityList"),
    LF("sensorElementList"),
    LF("bizTransactionList"),
    LF("sourceList"),
    LF("destinationList"),
    LF("correctiveEventIDs"),
    LF("VocabularyList"),
    LF("VocabularyElementList"),
};

enum fkind {
    K_DOC,    /* document-level container: root, EPCISBody, QueryResults, resultsBody */
    K_EVLIST, /* EventList (or a wrapper inside it): children are events */
    K_TREE,   /* builds nodes: inside an event or doc->header */
    K_SKIP,   /* ignored subtree (unknown event, faulty event) */
};

struct seen {
    const char *name; /* path segment (reader's dictionary) */
    unsigned long n;  /* children of that name so far */
};

struct frame {
    const char *seg;            /* path segment: local name, or prefix:local for foreign elements */
    unsigned long idx;          /* 1-based among same-named siblings; 0 when not counted */
    enum fkind kind;            /* what the element is */
    int is_event;               /* the element is an event's root */
    int had_child;              /* a child element was seen */
    st_evnode *node;            /* K_TREE: node that text, attributes and children go to */
    struct seen seen[SEEN_MAX]; /* child name counts */
    int n_seen;                 /* entries in seen */
};

/* Input of st_xml_read_fd. */
struct fd_src {
    int fd;  /* read to its end, not closed */
    int err; /* errno of a failed read, or 0 */
};

typedef struct xr {
    xmlTextReaderPtr rd;                 /* the libxml2 reader */
    struct fd_src *src;                  /* the file read, or NULL for memory */
    st_epcis_doc *doc;                   /* being filled in */
    st_epcis_on_event cb;                /* per-event callback, or NULL to keep all */
    void *ctx;                           /* cb's argument */
    st_diag *diag;                       /* faults, or NULL */
    st_arena *ev_arena;                  /* per-event arena (cb mode), reset after each event */
    st_arena *build;                     /* arena of the event being built */
    size_t ev_base;                      /* st_arena_used(build) when the event began */
    st_evnode *ev_root;                  /* the event being built, or NULL outside events */
    long ev_index;                       /* its index in the event list */
    long diag_ev;                        /* event index reported with faults, -1 for the document */
    int ev_bad;                          /* a fault was found in it: it is skipped, not delivered */
    int depth;                           /* frames in use */
    struct frame fr[ST_EPCIS_MAX_DEPTH]; /* open elements, root first */
    char *txt;                           /* text of the innermost element since its last child */
    size_t txt_n;                        /* bytes in txt */
    size_t txt_cap;                      /* room in txt */
    int txt_over;                        /* the text exceeded ST_EPCIS_MAX_STRING */
    size_t kept_cap;                     /* room in doc->kept */
    st_rc fatal;                         /* first fatal code: stops the reader */
    st_rc xml_rc;                        /* code of the first libxml2 error: stops the reader */
    int doctype_refused;                 /* the DOCTYPE was reported */
} xr;

/* 1 or 2 when ns is an EPCIS 1.x / 2.0 namespace (document, query, master
 * data), else 0. */
static int epcis_ns(const char *ns)
{
    static const char *const stems[] = {
        "urn:epcglobal:epcis:xsd:", "urn:epcglobal:epcis-query:xsd:",
        "urn:epcglobal:epcis-masterdata:xsd:"};
    if (!ns)
        return 0;
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
        size_t k = strlen(stems[i]);
        if (!strncmp(ns, stems[i], k) && (ns[k] == '1' || ns[k] == '2') && !ns[k + 1])
            return ns[k] - '0';
    }
    return 0;
}

static int is_list_field(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof list_fields / sizeof list_fields[0]; i++)
        if (list_fields[i].len == n && !memcmp(name, list_fields[i].name, n))
            return 1;
    return 0;
}

static int is_wrapper(const char *name)
{
    return st_evname_eq(name, "extension") || st_evname_eq(name, "baseExtension");
}

static int all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* The XPath-like path of the open elements, plus seg (an element about to
 * open) and attr (an attribute of the innermost one) when not NULL. */
static void path_of(const xr *x, char *buf, size_t cap, const char *seg, const char *attr)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < x->depth && n < cap; i++) {
        const struct frame *f = &x->fr[i];
        if (f->is_event || f->idx > 1)
            n += snprintf(buf + n, cap - n, "/%s[%lu]", f->seg, f->idx);
        else
            n += snprintf(buf + n, cap - n, "/%s", f->seg);
    }
    if (seg && n < cap)
        n += snprintf(buf + n, cap - n, "/%s", seg);
    if (attr && n < cap)
        n += snprintf(buf + n, cap - n, "/@%s", attr);
    if (!n)
        snprintf(buf, cap, "/");
}

/* Record a fault at the current place; returns rc. */
static st_rc fault(xr *x, st_rc rc, const char *seg, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static st_rc fault(xr *x, st_rc rc, const char *seg, const char *attr, const char *fmt, ...)
{
    if (!x->diag)
        return rc;
    char path[1024], msg[480];
    path_of(x, path, sizeof path, seg, attr);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st_diag_add(x->diag, rc, x->diag_ev, path, "%s", msg);
    return rc;
}

/* A fault that stops the reader. */
#define FATAL(x, rc, ...) ((x)->fatal = fault((x), (rc), __VA_ARGS__))

/* After a fault inside an event: the event is read to its end but neither
 * built further nor delivered. */
static void drop_event(xr *x)
{
    if (x->ev_root)
        x->ev_bad = 1;
}

/* An allocation failed: say why, and either drop the event or stop. */
static void alloc_failed(xr *x, st_arena *a)
{
    if (x->ev_root && !x->ev_bad &&
        ((a == x->ev_arena && st_arena_over_cap(a)) ||
         st_arena_used(a) - x->ev_base > ST_EPCIS_MAX_EVENT_BYTES)) {
        fault(x, ST_ERR_LIMIT, NULL, NULL,
              "event %ld needs more than %u bytes of memory; the limit is %u "
              "(ST_EPCIS_MAX_EVENT_BYTES)",
              x->ev_index, ST_EPCIS_MAX_EVENT_BYTES, ST_EPCIS_MAX_EVENT_BYTES);
        x->ev_bad = 1;
    } else if (st_arena_over_cap(a)) {
        FATAL(x, ST_ERR_LIMIT, NULL, NULL, "the document's arena reached its cap");
    } else if (!x->fatal) {
        FATAL(x, ST_ERR_NOMEM, NULL, NULL, "out of memory");
    }
}

/* A node under parent in the arena of the current scope (event or doc). */
static st_evnode *add_node(xr *x, st_evnode *parent, const char *ns, const char *prefix,
                           const char *name, const char *value, size_t vn, unsigned flags)
{
    st_arena *a = x->ev_root ? x->build : x->doc->arena;
    st_evnode *n = st_evnode_add(a, parent, ns, name, value, vn, flags);
    if (n && prefix && !(n->prefix = st_arena_strndup(a, prefix, strlen(prefix))))
        n = NULL;
    if (n && x->ev_root && st_arena_used(a) - x->ev_base > ST_EPCIS_MAX_EVENT_BYTES)
        n = NULL;
    if (!n)
        alloc_failed(x, a);
    return n;
}

static st_evnode *header(xr *x)
{
    if (!x->doc->header)
        x->doc->header = add_node(x, NULL, NULL, NULL, "header", NULL, 0, 0);
    return x->doc->header;
}

/* Record xmlns[:prefix]="iri" in doc->ns unless the same binding is there. */
static void bind_ns(xr *x, const char *prefix, const char *iri)
{
    st_epcis_doc *d = x->doc;
    if (!d->ns && !(d->ns = add_node(x, NULL, NULL, NULL, "ns", NULL, 0, 0)))
        return;
    for (st_evnode *c = d->ns->first; c; c = c->next)
        if (!strcmp(c->name, prefix) && c->value && !strcmp(c->value, iri))
            return;
    add_node(x, d->ns, NULL, NULL, prefix, iri, strlen(iri), 0);
}

/* The attributes of the current element: namespace bindings, the root's
 * header fields, and ST_EVN_ATTR children of node (when not NULL). */
static void attributes(xr *x, st_evnode *node, int root)
{
    xmlTextReaderPtr rd = x->rd;
    if (xmlTextReaderHasAttributes(rd) != 1)
        return;
    while (!x->fatal && xmlTextReaderMoveToNextAttribute(rd) == 1) {
        const char *local = S(xmlTextReaderConstLocalName(rd));
        const char *value = S(xmlTextReaderConstValue(rd));
        const char *prefix = S(xmlTextReaderConstPrefix(rd));
        const char *ns = S(xmlTextReaderConstNamespaceUri(rd));
        if (!local || !value)
            continue;
        if (xmlTextReaderIsNamespaceDecl(rd) == 1) {
            if (!x->ev_root)
                bind_ns(x, prefix ? local : "", value);
            continue;
        }
        if (ns && !strcmp(ns, XSI_NS))
            continue;
        size_t vn = strlen(value);
        if (vn > ST_EPCIS_MAX_STRING) {
            fault(x, ST_ERR_LIMIT, NULL, S(xmlTextReaderConstName(rd)),
                  "attribute value holds %zu bytes; the limit is %d (ST_EPCIS_MAX_STRING)", vn,
                  ST_EPCIS_MAX_STRING);
            drop_event(x);
            continue;
        }
        const char **field = NULL;
        if (root && !ns && !strcmp(local, "schemaVersion"))
            field = &x->doc->schema_version;
        else if (root && !ns && !strcmp(local, "creationDate"))
            field = &x->doc->creation_date;
        if (field) {
            if (!(*field = st_arena_strndup(x->doc->arena, value, vn)))
                alloc_failed(x, x->doc->arena);
            continue;
        }
        if (root) /* the root's other attributes are document-level content */
            node = header(x);
        if (node && !(x->ev_root && x->ev_bad)) {
            int std = !ns || epcis_ns(ns);
            add_node(x, node, std ? NULL : ns, std ? NULL : prefix, local, value, vn, ST_EVN_ATTR);
        }
    }
    xmlTextReaderMoveToElement(rd);
}

/* Move the text gathered for frame f into its node's value (see the rules
 * at the top), then forget it. */
static void flush_text(xr *x, struct frame *f)
{
    if (x->txt_n && !x->txt_over && f->kind == K_TREE && !(x->ev_root && x->ev_bad) &&
        !(f->had_child && all_space(x->txt, x->txt_n))) {
        st_evnode *n = f->node;
        size_t on = n->value ? strlen(n->value) : 0;
        st_arena *a = x->ev_root ? x->build : x->doc->arena;
        char *v = NULL;
        if (on + x->txt_n > ST_EPCIS_MAX_STRING) {
            fault(x, ST_ERR_LIMIT, NULL, NULL,
                  "text holds more than %d bytes; the limit is %d (ST_EPCIS_MAX_STRING)",
                  ST_EPCIS_MAX_STRING, ST_EPCIS_MAX_STRING);
            drop_event(x);
        } else if (!(v = st_arena_alloc(a, on + x->txt_n + 1))) {
            alloc_failed(x, a);
        } else {
            memcpy(v, n->value ? n->value : "", on);
            memcpy(v + on, x->txt, x->txt_n);
            v[on + x->txt_n] = '\0';
            n->value = v;
        }
    }
    x->txt_n = 0;
    x->txt_over = 0;
}

static void on_text(xr *x)
{
    struct frame *f = x->depth ? &x->fr[x->depth - 1] : NULL;
    const char *t = S(xmlTextReaderConstValue(x->rd));
    if (!f || f->kind != K_TREE || (x->ev_root && x->ev_bad) || x->txt_over || !t)
        return;
    size_t n = strlen(t);
    if (x->txt_n + n > ST_EPCIS_MAX_STRING) {
        fault(x, ST_ERR_LIMIT, NULL, NULL,
              "text holds more than %d bytes; the limit is %d (ST_EPCIS_MAX_STRING)",
              ST_EPCIS_MAX_STRING, ST_EPCIS_MAX_STRING);
        x->txt_over = 1;
        drop_event(x);
        return;
    }
    if (x->txt_n + n + 1 > x->txt_cap) {
        size_t ncap = x->txt_cap ? x->txt_cap : 256;
        while (ncap < x->txt_n + n + 1)
            ncap *= 2;
        char *nt = realloc(x->txt, ncap);
        if (!nt) {
            FATAL(x, ST_ERR_NOMEM, NULL, NULL, "out of memory");
            return;
        }
        x->txt = nt;
        x->txt_cap = ncap;
    }
    memcpy(x->txt + x->txt_n, t, n);
    x->txt_n += n;
}

/* Index of seg among the children of p seen so far, from 1; 0 when p has
 * too many distinct child names to count. */
static unsigned long count_child(struct frame *p, const char *seg)
{
    for (int i = 0; i < p->n_seen; i++)
        if (p->seen[i].name == seg || st_evname_eq(p->seen[i].name, seg))
            return ++p->seen[i].n;
    if (p->n_seen == SEEN_MAX)
        return 0;
    p->seen[p->n_seen].name = seg;
    p->seen[p->n_seen].n = 1;
    p->n_seen++;
    return 1;
}

static void open_root(xr *x, struct frame *f, const char *local, const char *ns)
{
    int ver = epcis_ns(ns);
    st_epcis_doc *d = x->doc;
    if (!ver) {
        FATAL(x, ST_ERR_SYNTAX, NULL, NULL,
              "the root element %s%s%s%s is not an EPCIS document (expected EPCISDocument or "
              "EPCISQueryDocument in namespace urn:epcglobal:epcis:xsd:2 or :1)",
              ns ? "{" : "", ns ? ns : "", ns ? "}" : "", local);
        return;
    }
    if (!strcmp(local, "EPCISDocument") || !strcmp(local, "EPCISMasterDataDocument"))
        d->kind = ST_EPCIS_DOC_DOCUMENT;
    else if (!strcmp(local, "EPCISQueryDocument"))
        d->kind = ST_EPCIS_DOC_QUERY;
    else {
        FATAL(x, ST_ERR_UNSUPPORTED, NULL, NULL,
              "%s is not a document of events (expected EPCISDocument or EPCISQueryDocument)",
              local);
        return;
    }
    d->format = ver == 2 ? ST_EPCIS_FMT_XML2 : ST_EPCIS_FMT_XML12;
    f->kind = K_DOC;
}

/* A child of EventList: start an event, or report and skip the element. */
static void open_event(xr *x, struct frame *f, const char *local, const char *ns, int std)
{
    st_event_type t = std ? st_event_type_from_name(local) : ST_EVENT_NONE;
    if (x->doc->events >= ST_EPCIS_MAX_EVENTS) {
        FATAL(x, ST_ERR_LIMIT, NULL, NULL,
              "the document holds more than %d events; the limit is %d (ST_EPCIS_MAX_EVENTS)",
              ST_EPCIS_MAX_EVENTS, ST_EPCIS_MAX_EVENTS);
        return;
    }
    x->diag_ev = (long)x->doc->events++;
    f->is_event = 1;
    if (t == ST_EVENT_NONE) {
        if (std && !strcmp(local, "QuantityEvent"))
            fault(x, ST_ERR_UNSUPPORTED, NULL, NULL,
                  "QuantityEvent (EPCIS 1.x, withdrawn in 2.0) is not supported; the event is "
                  "skipped");
        else
            fault(x, ST_ERR_SYNTAX, NULL, NULL,
                  "unknown event type %s%s%s%s (expected ObjectEvent, AggregationEvent, "
                  "TransactionEvent, TransformationEvent or AssociationEvent); the event is "
                  "skipped",
                  ns && !std ? "{" : "", ns && !std ? ns : "", ns && !std ? "}" : "", local);
        x->diag_ev = -1;
        f->kind = K_SKIP;
        return;
    }
    x->ev_index = x->diag_ev;
    x->ev_bad = 0;
    x->build = x->cb ? x->ev_arena : x->doc->arena;
    x->ev_base = st_arena_used(x->build);
    x->ev_root = NULL;
    st_evnode *root = st_evnode_add(x->build, NULL, NULL, local, NULL, 0, 0);
    if (!root) { /* a fresh event arena: the document's arena or malloc failed */
        alloc_failed(x, x->build);
        f->kind = K_SKIP;
        return;
    }
    x->ev_root = root;
    f->kind = K_TREE;
    f->node = root;
}

/* Hand the finished event to the callback or keep it; then leave the event. */
static void finish_event(xr *x)
{
    st_epcis_doc *d = x->doc;
    if (x->ev_root && !x->ev_bad) {
        st_event *ev = st_arena_calloc(x->build, sizeof *ev);
        if (!ev) {
            alloc_failed(x, x->build);
        } else {
            ev->root = x->ev_root;
            ev->type = st_event_type_from_name(x->ev_root->name);
            ev->index = x->ev_index;
            if (x->cb) {
                st_rc rc = x->cb(x->ctx, d, ev);
                if (rc != ST_OK && !x->fatal)
                    x->fatal = rc;
            } else {
                if (d->n_kept == x->kept_cap) {
                    size_t ncap = x->kept_cap ? x->kept_cap * 2 : 64;
                    st_event **nk = st_arena_alloc(d->arena, ncap * sizeof *nk);
                    if (!nk) {
                        x->ev_root = NULL; /* the keep list lives in doc: a document fault */
                        alloc_failed(x, d->arena);
                        goto out;
                    }
                    if (d->n_kept)
                        memcpy(nk, d->kept, d->n_kept * sizeof *nk);
                    d->kept = nk;
                    x->kept_cap = ncap;
                }
                d->kept[d->n_kept++] = ev;
            }
        }
    }
out:
    if (x->cb)
        st_arena_reset(x->ev_arena);
    x->ev_root = NULL;
    x->ev_bad = 0;
    x->diag_ev = -1;
}

static void close_elem(xr *x)
{
    struct frame *f = &x->fr[x->depth - 1];
    flush_text(x, f);
    if (f->is_event && f->kind == K_TREE)
        finish_event(x);
    x->depth--;
}

static void open_elem(xr *x)
{
    xmlTextReaderPtr rd = x->rd;
    const char *local = S(xmlTextReaderConstLocalName(rd));
    const char *ns = S(xmlTextReaderConstNamespaceUri(rd));
    const char *prefix = S(xmlTextReaderConstPrefix(rd));
    int empty = xmlTextReaderIsEmptyElement(rd) == 1;
    if (!local) {
        FATAL(x, ST_ERR_NOMEM, NULL, NULL, "out of memory");
        return;
    }
    int std = !ns || epcis_ns(ns);
    const char *seg = std ? local : S(xmlTextReaderConstName(rd));
    if (!seg)
        seg = local;
    if (x->depth >= ST_EPCIS_MAX_DEPTH) {
        FATAL(x, ST_ERR_LIMIT, seg, NULL,
              "elements nest more than %d deep; the limit is %d (ST_EPCIS_MAX_DEPTH)",
              ST_EPCIS_MAX_DEPTH, ST_EPCIS_MAX_DEPTH);
        return;
    }
    struct frame *p = x->depth ? &x->fr[x->depth - 1] : NULL;
    unsigned long idx = 1;
    if (p) {
        idx = count_child(p, seg);
        p->had_child = 1;
        flush_text(x, p);
    }
    struct frame *f = &x->fr[x->depth++];
    f->seg = seg;
    f->idx = idx;
    f->kind = K_SKIP;
    f->is_event = 0;
    f->had_child = 0;
    f->node = NULL;
    f->n_seen = 0;

    int wrapper = std && is_wrapper(local);
    if (!p) {
        open_root(x, f, local, ns);
    } else if (p->kind == K_DOC) {
        if (std && !strcmp(local, "EventList"))
            f->kind = K_EVLIST;
        else if (wrapper ||
                 (std && (!strcmp(local, "EPCISBody") || !strcmp(local, "QueryResults") ||
                          !strcmp(local, "resultsBody"))))
            f->kind = K_DOC;
        else if (header(x)) {
            f->kind = K_TREE;
            f->node = add_node(x, x->doc->header, std ? NULL : ns, std ? NULL : prefix, local, NULL,
                               0, std && is_list_field(local) ? ST_EVN_LIST : 0);
        }
    } else if (p->kind == K_EVLIST) {
        if (wrapper)
            f->kind = K_EVLIST;
        else
            open_event(x, f, local, ns, std);
    } else if (p->kind == K_TREE && !(x->ev_root && x->ev_bad)) {
        f->kind = K_TREE;
        if (wrapper)
            f->node = p->node;
        else
            f->node = add_node(x, p->node, std ? NULL : ns, std ? NULL : prefix, local, NULL, 0,
                               std && is_list_field(local) ? ST_EVN_LIST : 0);
    }
    if (f->kind == K_TREE && !f->node)
        f->kind = K_SKIP;
    if (!x->fatal)
        attributes(x, f->kind == K_TREE ? f->node : NULL, !p);
    if (empty && !x->fatal)
        close_elem(x);
}

/* Whether n is a DOCTYPE that declares nothing (<!DOCTYPE name>, which some
 * published EPCIS examples carry). Any declaration, internal or external, is
 * refused, so no entity of a document is ever defined. */
static int empty_doctype(xmlNodePtr n)
{
    if (!n || n->type != XML_DTD_NODE)
        return 0;
    xmlDtdPtr d = (xmlDtdPtr)n;
    return !d->children && !d->entities && !d->pentities && !d->elements && !d->attributes &&
           !d->notations && !d->ExternalID && !d->SystemID;
}

/* Refuse a DOCTYPE that declares anything (once). */
static void refuse_doctype(xr *x)
{
    if (!x->doctype_refused)
        FATAL(x, ST_ERR_UNSUPPORTED, NULL, NULL,
              "a DOCTYPE that declares anything (entities, an internal subset, an external DTD) "
              "is not accepted: EPCIS XML has no DTD");
    x->doctype_refused = 1;
}

/*
 * libxml2's report of a fault (installed per reader). Every error stops the
 * read; warnings are ignored. The parser reads ahead of the nodes the reader
 * has delivered, so the place is the parser's: line, column, and the path of
 * the elements it has open (local names, without sibling indexes).
 */
#if LIBXML_VERSION >= 21200
static void on_xml_error(void *arg, const xmlError *e)
#else
static void on_xml_error(void *arg, xmlErrorPtr e)
#endif
{
    xr *x = arg;
    if (!e || e->level < XML_ERR_ERROR || x->xml_rc)
        return; /* warnings (e.g. a relative namespace IRI); an error was already reported */
    if (x->src && x->src->err) {
        x->xml_rc = ST_ERR_IO; /* the parser saw the input end early: read_with reports it */
        return;
    }
    xmlParserCtxtPtr c = e->ctxt;
    if (c && (e->domain == XML_FROM_PARSER || e->domain == XML_FROM_NAMESPACE) && c->myDoc &&
        c->myDoc->intSubset && !empty_doctype((xmlNodePtr)c->myDoc->intSubset)) {
        refuse_doctype(x); /* the cause of what the parser found after it */
        x->xml_rc = ST_ERR_UNSUPPORTED;
        return;
    }
    x->xml_rc = e->domain == XML_FROM_IO ? ST_ERR_IO : ST_ERR_SYNTAX;
    if (!x->diag)
        return;
    char msg[320], path[1024];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "error");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    size_t k = 0;
    path[0] = '\0';
    if (c && (e->domain == XML_FROM_PARSER || e->domain == XML_FROM_NAMESPACE))
        for (int i = 0; i < c->nameNr && k < sizeof path; i++)
            k += snprintf(path + k, sizeof path - k, "/%s", c->nameTab[i] ? S(c->nameTab[i]) : "");
    st_diag_add(x->diag, x->xml_rc, -1, k ? path : "/", "malformed XML at line %d, column %d: %s",
                e->line, e->int2, msg);
}

static st_rc run(xr *x)
{
    int r;
    while ((r = xmlTextReaderRead(x->rd)) == 1) {
        switch (xmlTextReaderNodeType(x->rd)) {
        case XML_READER_TYPE_ELEMENT:
            open_elem(x);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            if (x->depth)
                close_elem(x);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            on_text(x);
            break;
        case XML_READER_TYPE_DOCUMENT_TYPE:
            if (!empty_doctype(xmlTextReaderCurrentNode(x->rd)))
                refuse_doctype(x);
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
            fault(x, ST_ERR_UNSUPPORTED, NULL, NULL, "entity reference &%s; is not expanded",
                  xmlTextReaderConstName(x->rd) ? S(xmlTextReaderConstName(x->rd)) : "");
            drop_event(x);
            break;
        default: /* comments, processing instructions */
            break;
        }
        if (x->fatal || x->xml_rc)
            break;
    }
    if (x->fatal) /* ours first: a refused DOCTYPE explains the parser's errors after it */
        return x->fatal;
    if (x->xml_rc)
        return x->xml_rc;
    if (r < 0)
        return fault(x, ST_ERR_SYNTAX, NULL, NULL, "malformed XML at line %d, column %d",
                     xmlTextReaderGetParserLineNumber(x->rd),
                     xmlTextReaderGetParserColumnNumber(x->rd));
    return ST_OK;
}

/* Read everything rd delivers into doc (src: the file rd reads, or NULL);
 * frees rd. */
static st_rc read_with(st_epcis_doc *doc, xmlTextReaderPtr rd, struct fd_src *src,
                       st_epcis_on_event cb, void *ctx, st_diag *diag)
{
    xr *x = calloc(1, sizeof *x);
    if (!x || !rd) {
        xmlFreeTextReader(rd);
        free(x);
        return ST_ERR_NOMEM;
    }
    x->rd = rd;
    x->src = src;
    x->doc = doc;
    x->cb = cb;
    x->ctx = ctx;
    x->diag = diag;
    x->diag_ev = -1;
    st_rc rc = ST_ERR_NOMEM;
    if (cb && !(x->ev_arena = st_arena_create(ST_EPCIS_MAX_EVENT_BYTES)))
        goto out;
    xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, x);
    rc = run(x);
    if (src && src->err)
        rc = fault(x, ST_ERR_IO, NULL, NULL, "reading the document failed: %s", strerror(src->err));
out:
    xmlFreeTextReader(rd); /* before x: it may still report through x */
    st_arena_destroy(x->ev_arena);
    free(x->txt);
    free(x);
    return rc;
}

/* libxml2 must be initialised once before several threads parse at once. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static void doc_reset(st_epcis_doc *doc)
{
    pthread_once(&xml_once, xml_init);
    doc->format = ST_EPCIS_FMT_UNKNOWN;
    doc->kind = 0;
    doc->schema_version = NULL;
    doc->creation_date = NULL;
    doc->ns = NULL;
    doc->header = NULL;
    doc->events = 0;
    doc->kept = NULL;
    doc->n_kept = 0;
}

st_rc st_xml_read(st_epcis_doc *doc, const char *buf, size_t n, st_epcis_on_event cb, void *ctx,
                  st_diag *diag)
{
    if (!doc || !doc->arena || (!buf && n))
        return ST_ERR_ARG;
    doc_reset(doc);
    if (n > INT_MAX) {
        if (diag)
            st_diag_add(diag, ST_ERR_LIMIT, -1, "/",
                        "the document holds %zu bytes; an XML document in memory may hold %d "
                        "(read it from a file descriptor instead)",
                        n, INT_MAX);
        return ST_ERR_LIMIT;
    }
    if (n == 0) {
        if (diag)
            st_diag_add(diag, ST_ERR_SYNTAX, -1, "/", "malformed XML: the document is empty");
        return ST_ERR_SYNTAX;
    }
    return read_with(doc, xmlReaderForMemory(buf, (int)n, NULL, NULL, XML_OPTIONS), NULL, cb, ctx,
                     diag);
}

/* libxml2's input callback for st_xml_read_fd: read(2), retried on EINTR. A
 * failure is kept and shown to libxml2 as the end of the input, so that it is
 * reported once, as ST_ERR_IO, and never through libxml2's global handler. */
static int fd_read(void *ctx, char *buf, int len)
{
    struct fd_src *s = ctx;
    for (;;) {
        ssize_t k = read(s->fd, buf, (size_t)len);
        if (k >= 0)
            return (int)k;
        if (errno != EINTR) {
            s->err = errno;
            return 0;
        }
    }
}

st_rc st_xml_read_fd(st_epcis_doc *doc, int fd, st_epcis_on_event cb, void *ctx, st_diag *diag)
{
    if (!doc || !doc->arena || fd < 0)
        return ST_ERR_ARG;
    doc_reset(doc);
    struct fd_src src = {fd, 0};
    return read_with(doc, xmlReaderForIO(fd_read, NULL, &src, NULL, NULL, XML_OPTIONS), &src, cb,
                     ctx, diag);
}
