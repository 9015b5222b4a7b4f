/*
 * The EPCIS XML writers (write.h), 2.0 and 1.2, on libxml2's xmlTextWriter
 * writing through a callback to the caller's FILE, flushed after each event.
 *
 * Tree to XML (the inverse of xml.c):
 *  - standard fields are written in the order of the XSD sequences, whatever
 *    the order read (step tables below, checked against EPCglobal-epcis-2_0
 *    and -1_2.xsd); extension elements follow where the XSD has its
 *    <xsd:any namespace="##other">; fields without namespace that the XSD
 *    does not know go into the <extension> element whose content is
 *    ##local, where there is one (readPoint, bizLocation, sensorElement,
 *    errorDeclaration, ilmd, and the innermost 1.2 event extension);
 *  - EPCIS 1.2 puts the fields it added after 1.0 into its <extension> and
 *    <baseExtension> wrappers, and a TransformationEvent inside
 *    <EventList><extension>; it has no AssociationEvent, sensorElementList,
 *    persistentDisposition or certificationInfo: those are dropped, each
 *    with a note;
 *  - ATTR children become attributes; so does every scalar field of
 *    sensorMetadata and sensorReport (in JSON-LD they are members);
 *  - an extension element gets the prefix its namespace is bound to in scope:
 *    the document element declares the source's bindings; a namespace met
 *    first inside an event is declared on that element, with the source's
 *    prefix when it is free, else "extN". No default namespace is ever
 *    declared, so elements without namespace are written without prefix.
 * The document header (write_header.c) writes through the primitives below:
 * <EPCISHeader> before <EPCISBody>, the document's <extension> and extension
 * elements after it. A query document (w->query_name) is an
 * epcisq:EPCISQueryDocument whose events are in EPCISBody/epcisq:QueryResults
 * (queryName, resultsBody)/EventList, as the query XSDs of 2.0 and 1.2 want.
 */
#include "epcis/write_int.h"

#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NS_EPCIS2 "urn:epcglobal:epcis:xsd:2"
#define NS_EPCIS1 "urn:epcglobal:epcis:xsd:1"
#define NS_QUERY2 "urn:epcglobal:epcis-query:xsd:2"
#define NS_QUERY1 "urn:epcglobal:epcis-query:xsd:1"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define NS_CBVMDA "urn:epcglobal:cbv:mda:"
#define X(s) ((const xmlChar *)(s))

typedef struct xw {
    xmlTextWriterPtr tw; /* the libxml2 writer */
    int depth;           /* elements open, the document element counting 1 */
    int list_depth;      /* depth of EventList: 3, 5 in a query document */
    int v12;             /* EPCIS 1.2 */
} xw;

#define XW(w) ((xw *)(w)->impl)

/* ---- the event sequences (XSD order) ----------------------------------------- */

/* One step of an element sequence. */
typedef struct step {
    char op;          /* 'f' field, 'r' field written empty when absent, '(' open the
                         wrapper name, ')' close it, 'x' extension elements, 'u' fields
                         without namespace the sequence does not know, 0 end */
    const char *name; /* the field or wrapper */
} step;

#define F(n)                                                                                       \
    {                                                                                              \
        'f', n                                                                                     \
    }
#define BASE20                                                                                     \
    F("eventTime"), F("recordTime"), F("eventTimeZoneOffset"), F("eventID"),                       \
        F("errorDeclaration"), F("certificationInfo")
#define BASE12                                                                                     \
    F("eventTime"), F("recordTime"), F("eventTimeZoneOffset"), {'(', "baseExtension"},             \
        F("eventID"), F("errorDeclaration"),                                                       \
    {                                                                                              \
        ')', NULL                                                                                  \
    }
#define TAIL20 F("sensorElementList"), F("persistentDisposition")
#define END20                                                                                      \
    {'x', NULL}, {'u', NULL},                                                                      \
    {                                                                                              \
        0, NULL                                                                                    \
    }
#define WHERE F("bizStep"), F("disposition"), F("readPoint"), F("bizLocation")
#define EXT12(...)                                                                                 \
    {'(', "extension"}, __VA_ARGS__, {'(', "extension"}, {'u', NULL}, {')', NULL}, {')', NULL},    \
        {'x', NULL},                                                                               \
    {                                                                                              \
        0, NULL                                                                                    \
    }

static const step object20[] = {BASE20,
                                F("epcList"),
                                F("action"),
                                WHERE,
                                F("bizTransactionList"),
                                F("quantityList"),
                                F("sourceList"),
                                F("destinationList"),
                                TAIL20,
                                F("ilmd"),
                                END20};
static const step aggregation20[] = {BASE20,
                                     F("parentID"),
                                     F("childEPCs"),
                                     F("action"),
                                     WHERE,
                                     F("bizTransactionList"),
                                     F("childQuantityList"),
                                     F("sourceList"),
                                     F("destinationList"),
                                     TAIL20,
                                     END20};
static const step transaction20[] = {
    BASE20, F("bizTransactionList"), F("parentID"),   F("epcList"),         F("action"),
    WHERE,  F("quantityList"),       F("sourceList"), F("destinationList"), TAIL20,
    END20};
static const step transformation20[] = {BASE20,
                                        F("inputEPCList"),
                                        F("inputQuantityList"),
                                        F("outputEPCList"),
                                        F("outputQuantityList"),
                                        F("transformationID"),
                                        WHERE,
                                        F("bizTransactionList"),
                                        F("sourceList"),
                                        F("destinationList"),
                                        TAIL20,
                                        F("ilmd"),
                                        END20};
static const step association20[] = {
    BASE20, F("parentID"),           F("childEPCs"),  F("childQuantityList"), F("action"),
    WHERE,  F("bizTransactionList"), F("sourceList"), F("destinationList"),   TAIL20,
    END20};

static const step object12[] = {
    BASE12,
    {'r', "epcList"},
    F("action"),
    WHERE,
    F("bizTransactionList"),
    EXT12(F("quantityList"), F("sourceList"), F("destinationList"), F("ilmd"))};
static const step aggregation12[] = {
    BASE12,
    F("parentID"),
    {'r', "childEPCs"},
    F("action"),
    WHERE,
    F("bizTransactionList"),
    EXT12(F("childQuantityList"), F("sourceList"), F("destinationList"))};
static const step transaction12[] = {
    BASE12,
    F("bizTransactionList"),
    F("parentID"),
    {'r', "epcList"},
    F("action"),
    WHERE,
    EXT12(F("quantityList"), F("sourceList"), F("destinationList"))};
static const step transformation12[] = {BASE12,
                                        F("inputEPCList"),
                                        F("inputQuantityList"),
                                        F("outputEPCList"),
                                        F("outputQuantityList"),
                                        F("transformationID"),
                                        WHERE,
                                        F("bizTransactionList"),
                                        F("sourceList"),
                                        F("destinationList"),
                                        F("ilmd"),
                                        {'(', "extension"},
                                        {'u', NULL},
                                        {')', NULL},
                                        {'x', NULL},
                                        {0, NULL}};

/* 2.0 fields EPCIS 1.2 has no place for, and why. */
static const char *const dropped12[][2] = {
    {"sensorElementList", "EPCIS 1.2 has no sensor data"},
    {"persistentDisposition", "EPCIS 1.2 has no persistent disposition"},
    {"certificationInfo", "EPCIS 1.2 has no certification info"},
};

/* Standard structures: their fields in XSD order; unknown fields without
 * namespace go into <extension> when wrap. */
static const struct {
    const char *name;
    const char *const order[4];
    int wrap;
} structs[] = {
    {"readPoint", {"id"}, 1},
    {"bizLocation", {"id"}, 1},
    {"quantityElement", {"epcClass", "quantity", "uom"}, 0},
    {"sensorElement", {"sensorMetadata", "sensorReport"}, 1},
    {"persistentDisposition", {"unset", "set"}, 0},
    {"errorDeclaration", {"declarationTime", "reason", "correctiveEventIDs"}, 1},
    {"ilmd", {NULL}, 1},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- writing elements ------------------------------------------------------------ */

static void check(st_epcis_writer *w, int r)
{
    if (r < 0 && w->rc == ST_OK)
        w->rc = ST_ERR_IO;
}

/* Whether c could be an attribute: a scalar flagged ATTR (or any scalar
 * when all) with a name XML can carry. */
static int attr_like(const st_evnode *c, int all)
{
    return !c->first && c->value && (all || (c->flags & ST_EVN_ATTR)) && st_wr_ncname(c->name);
}

static int same_name(const st_evnode *a, const st_evnode *b)
{
    return !strcmp(a->name, b->name) &&
           (a->ns == b->ns || (a->ns && b->ns && !strcmp(a->ns, b->ns)));
}

/* Whether child c of n is written as an attribute of n: attr_like, and the
 * first of its name (an element has each attribute once; the others become
 * elements). */
static int as_attr(const st_evnode *n, const st_evnode *c, int all)
{
    if (!attr_like(c, all))
        return 0;
    for (const st_evnode *s = n->first; s != c; s = s->next)
        if (attr_like(s, all) && same_name(s, c))
            return 0;
    return 1;
}

/* The qualified name of n ("p:local", or the local name without namespace);
 * a namespace not bound in scope gets a prefix, bound at depth (the element
 * about to open) and added to decl[*nd]. NULL when out of memory. */
static const char *qname(st_epcis_writer *w, const st_evnode *n, int depth, st_wr_bind *decl,
                         size_t *nd)
{
    if (!n->ns)
        return n->name;
    const st_wr_bind *b = n->prefix ? st_wr_bind_prefix(w, n->prefix) : NULL;
    if (!b || strcmp(b->iri, n->ns))
        b = st_wr_bind_iri(w, n->ns);
    if (!b) {
        /* the root's bindings outlive every event: their prefixes are the writer's */
        const char *p = st_wr_new_prefix(w, depth <= 1 ? w->a : w->ev_a, n->prefix, NULL);
        if (!p || !(b = st_wr_bind_push(w, p, n->ns, depth)))
            return NULL;
        decl[(*nd)++] = *b; /* a copy: w->b may move */
    }
    size_t pl = strlen(b->prefix), nl = strlen(n->name);
    char *q = st_arena_alloc(w->ev_a, pl + nl + 2);
    if (!q) {
        w->rc = ST_ERR_NOMEM;
        return NULL;
    }
    memcpy(q, b->prefix, pl);
    q[pl] = ':';
    memcpy(q + pl + 1, n->name, nl + 1);
    return q;
}

/* Open the element of n with its namespace declarations and attributes
 * (all: every scalar child is one). 0 when n cannot be written (a name XML
 * cannot carry: noted) or writing failed. */
static int open_elem(st_epcis_writer *w, const st_evnode *n, int all)
{
    xmlTextWriterPtr tw = XW(w)->tw;
    if (!st_wr_ncname(n->name)) {
        st_wr_note(w, ST_ERR_UNSUPPORTED, n, "\"%s\" is not an XML name; the field is dropped",
                   n->name);
        return 0;
    }
    size_t na = 1, nd = 0;
    for (const st_evnode *c = n->first; c; c = c->next)
        na += c->ns != NULL;
    st_wr_bind *decl = st_arena_alloc(w->ev_a, na * sizeof *decl);
    int depth = XW(w)->depth + 1;
    const char *q = decl ? qname(w, n, depth, decl, &nd) : NULL;
    if (!q)
        return 0;
    check(w, xmlTextWriterStartElement(tw, X(q)));
    XW(w)->depth++;
    const char **aq = st_arena_alloc(w->ev_a, (st_evnode_count(n, NULL) + 1) * sizeof *aq);
    size_t k = 0;
    for (const st_evnode *c = n->first; c && aq; c = c->next)
        if (as_attr(n, c, all))
            aq[k++] = qname(w, c, depth, decl, &nd);
    for (size_t i = 0; i < nd; i++) {
        char *x = st_arena_alloc(w->ev_a, strlen(decl[i].prefix) + 7);
        if (!x)
            break;
        strcpy(x, "xmlns:");
        strcat(x, decl[i].prefix);
        check(w, xmlTextWriterWriteAttribute(tw, X(x), X(decl[i].iri)));
    }
    k = 0;
    for (const st_evnode *c = n->first; c && aq; c = c->next) {
        if (!as_attr(n, c, all))
            continue;
        const char *an = aq[k++];
        if (an)
            check(w, xmlTextWriterWriteAttribute(tw, X(an), X(st_wr_value(w, c))));
    }
    if (!aq)
        w->rc = ST_ERR_NOMEM;
    return w->rc == ST_OK;
}

static void close_elem(st_epcis_writer *w)
{
    check(w, xmlTextWriterEndElement(XW(w)->tw));
    st_wr_bind_pop(w, XW(w)->depth);
    XW(w)->depth--;
}

static void text(st_epcis_writer *w, const st_evnode *n)
{
    const char *v = st_wr_value(w, n);
    if (v && *v)
        check(w, xmlTextWriterWriteString(XW(w)->tw, X(v)));
}

static void write_elem(st_epcis_writer *w, const st_evnode *n);

/* The element children of n (attributes excluded): the fields of order
 * first, then the other fields without namespace (in <extension> when
 * wrap), then the extension elements; with order NULL all in document order. */
static void children(st_epcis_writer *w, const st_evnode *n, const char *const *order, size_t no,
                     int wrap, int all)
{
    if (!order) {
        for (const st_evnode *c = n->first; c; c = c->next)
            if (!as_attr(n, c, all))
                write_elem(w, c);
        return;
    }
    for (size_t i = 0; i < no && order[i]; i++)
        for (const st_evnode *c = n->first; c; c = c->next)
            if (!c->ns && !strcmp(c->name, order[i]) && !as_attr(n, c, all))
                write_elem(w, c);
    int opened = 0;
    for (const st_evnode *c = n->first; c; c = c->next) {
        int known = 0;
        for (size_t i = 0; i < no && order[i] && !known; i++)
            known = !strcmp(c->name, order[i]);
        if (c->ns || known || as_attr(n, c, all))
            continue;
        if (wrap && !opened++) {
            check(w, xmlTextWriterStartElement(XW(w)->tw, X("extension")));
            XW(w)->depth++;
        }
        write_elem(w, c);
    }
    if (opened)
        close_elem(w);
    for (const st_evnode *c = n->first; c; c = c->next)
        if (c->ns && !as_attr(n, c, all))
            write_elem(w, c);
}

/* n and everything under it, standard structures in XSD order. */
static void write_elem(st_epcis_writer *w, const st_evnode *n)
{
    if (w->rc != ST_OK)
        return;
    int std = !n->ns && n->parent && !n->parent->ns;
    int sensor = std && (!strcmp(n->name, "sensorMetadata") || !strcmp(n->name, "sensorReport"));
    if (!n->value && !n->first && st_wr_numeric(n)) { /* read from <quantity xsi:nil="true"/> */
        xmlTextWriterPtr tw = XW(w)->tw;
        check(w, xmlTextWriterStartElement(tw, X(n->name)));
        check(w, xmlTextWriterWriteAttribute(tw, X("xmlns:xsi"), X(XSI_NS)));
        check(w, xmlTextWriterWriteAttribute(tw, X("xsi:nil"), X("true")));
        check(w, xmlTextWriterEndElement(tw));
        return;
    }
    if (!open_elem(w, n, sensor))
        return;
    text(w, n);
    size_t i = 0;
    while (std && i < COUNT(structs) && strcmp(structs[i].name, n->name))
        i++;
    if (std && i < COUNT(structs))
        children(w, n, structs[i].order, COUNT(structs[i].order), structs[i].wrap, 0);
    else
        children(w, n, NULL, 0, 0, sensor);
    close_elem(w);
}

/* ---- primitives for the header (write_int.h) -------------------------------------- */

void st_wr_xml_start(st_epcis_writer *w, const char *name)
{
    check(w, xmlTextWriterStartElement(XW(w)->tw, X(name)));
    XW(w)->depth++;
}

int st_wr_xml_open(st_epcis_writer *w, const st_evnode *n)
{
    return open_elem(w, n, 0);
}

int st_wr_xml_is_attr(const st_evnode *n, const st_evnode *c)
{
    return as_attr(n, c, 0);
}

void st_wr_xml_attr(st_epcis_writer *w, const st_evnode *n, const char *v)
{
    st_wr_bind decl[1];
    size_t nd = 0;
    if (!st_wr_ncname(n->name)) {
        st_wr_note(w, ST_ERR_UNSUPPORTED, n, "\"%s\" is not an XML name; the field is dropped",
                   n->name);
        return;
    }
    const char *q = qname(w, n, XW(w)->depth, decl, &nd);
    if (!q)
        return;
    if (nd) {
        char *x = st_arena_alloc(w->ev_a, strlen(decl[0].prefix) + 7);
        if (!x) {
            w->rc = ST_ERR_NOMEM;
            return;
        }
        strcpy(x, "xmlns:");
        strcat(x, decl[0].prefix);
        check(w, xmlTextWriterWriteAttribute(XW(w)->tw, X(x), X(decl[0].iri)));
    }
    check(w, xmlTextWriterWriteAttribute(XW(w)->tw, X(q), X(v)));
}

void st_wr_xml_text(st_epcis_writer *w, const char *v)
{
    if (v && *v)
        check(w, xmlTextWriterWriteString(XW(w)->tw, X(v)));
}

void st_wr_xml_end(st_epcis_writer *w)
{
    close_elem(w);
    check(w, xmlTextWriterFlush(XW(w)->tw));
}

void st_wr_xml_tree(st_epcis_writer *w, const st_evnode *n)
{
    write_elem(w, n);
}

/* ---- events --------------------------------------------------------------------- */

static int dropped(const st_epcis_writer *w, const char *name)
{
    for (size_t i = 0; XW(w)->v12 && i < COUNT(dropped12); i++)
        if (!strcmp(name, dropped12[i][0]))
            return 1;
    return 0;
}

/* Whether the sequence s (ending at its 0 step) names field name. */
static int in_steps(const step *s, const char *name)
{
    for (; s->op; s++)
        if ((s->op == 'f' || s->op == 'r') && !strcmp(s->name, name))
            return 1;
    return 0;
}

/* Whether root has a child that step s (an 'f', 'r' or 'u') writes. */
static int has_step(const st_epcis_writer *w, const st_evnode *root, const step *all, const step *s)
{
    for (const st_evnode *c = root->first; c; c = c->next) {
        if (c->ns || ((c->flags & ST_EVN_ATTR) && !c->first))
            continue;
        if (s->op == 'u' ? !in_steps(all, c->name) && !dropped(w, c->name)
                         : !strcmp(c->name, s->name))
            return 1;
    }
    return 0;
}

/* Whether the wrapper opened at step s has anything to hold. */
static int wrapper_used(const st_epcis_writer *w, const st_evnode *root, const step *all,
                        const step *s)
{
    int level = 0;
    for (; s->op; s++) {
        level += s->op == '(' ? 1 : s->op == ')' ? -1 : 0;
        if (!level)
            return 0;
        if ((s->op == 'f' || s->op == 'u') && has_step(w, root, all, s))
            return 1;
    }
    return 0;
}

static void run_steps(st_epcis_writer *w, const st_evnode *root, const step *all)
{
    int skip = 0; /* nesting of wrappers left out */
    for (const step *s = all; s->op && w->rc == ST_OK; s++) {
        if (skip) {
            skip += s->op == '(' ? 1 : s->op == ')' ? -1 : 0;
            continue;
        }
        switch (s->op) {
        case '(':
            if (wrapper_used(w, root, all, s)) {
                check(w, xmlTextWriterStartElement(XW(w)->tw, X(s->name)));
                XW(w)->depth++;
            } else {
                skip = 1;
            }
            break;
        case ')':
            close_elem(w);
            break;
        case 'f':
        case 'r':
            if (s->op == 'r' && !has_step(w, root, all, s)) {
                check(w, xmlTextWriterStartElement(XW(w)->tw, X(s->name)));
                check(w, xmlTextWriterEndElement(XW(w)->tw));
            }
            for (const st_evnode *c = root->first; c; c = c->next)
                if (!c->ns && !strcmp(c->name, s->name) && !as_attr(root, c, 0))
                    write_elem(w, c);
            break;
        case 'x':
        case 'u':
            for (const st_evnode *c = root->first; c; c = c->next) {
                if (as_attr(root, c, 0) ||
                    (s->op == 'x' ? !c->ns
                                  : c->ns || in_steps(all, c->name) || dropped(w, c->name)))
                    continue;
                if (s->op == 'u' && !XW(w)->v12 && st_wr_ncname(c->name))
                    st_wr_note(w, ST_ERR_SYNTAX, c,
                               "%s is no EPCIS 2.0 field of %s and has no namespace: written "
                               "as it is, which the EPCIS 2.0 XSD does not allow",
                               c->name, root->name);
                write_elem(w, c);
            }
            break;
        }
    }
}

static const step *steps_of(int v12, st_event_type t)
{
    switch (t) {
    case ST_EVENT_OBJECT:
        return v12 ? object12 : object20;
    case ST_EVENT_AGGREGATION:
        return v12 ? aggregation12 : aggregation20;
    case ST_EVENT_TRANSACTION:
        return v12 ? transaction12 : transaction20;
    case ST_EVENT_TRANSFORMATION:
        return v12 ? transformation12 : transformation20;
    case ST_EVENT_ASSOCIATION:
        return v12 ? NULL : association20;
    default:
        return NULL;
    }
}

static st_rc xml_event(st_epcis_writer *w, const st_event *ev)
{
    xw *x = XW(w);
    const st_evnode *root = ev->root;
    st_event_type t = st_event_type_from_name(root->name);
    const step *s = steps_of(x->v12, t);
    if (!s) {
        st_wr_note(w, ST_ERR_UNSUPPORTED, NULL,
                   "%s dropped: EPCIS 1.2 has no %s; the event is not written", root->name,
                   root->name);
        return ST_OK;
    }
    for (size_t i = 0; x->v12 && i < COUNT(dropped12); i++)
        for (const st_evnode *c = root->first; c; c = c->next)
            if (!c->ns && !strcmp(c->name, dropped12[i][0])) {
                st_wr_note(w, ST_ERR_UNSUPPORTED, c, "%s dropped: %s", c->name, dropped12[i][1]);
                break;
            }
    int wrap = x->v12 && t == ST_EVENT_TRANSFORMATION;
    if (wrap) {
        check(w, xmlTextWriterStartElement(x->tw, X("extension")));
        x->depth++;
    }
    if (open_elem(w, root, 0)) {
        run_steps(w, root, s);
        close_elem(w);
    }
    if (wrap)
        close_elem(w);
    check(w, xmlTextWriterFlush(x->tw));
    st_wr_bind_pop(w, x->list_depth + 1); /* nothing of the event stays in scope (its
                                             strings go now) */
    w->written++;
    return w->rc;
}

/* ---- the document ------------------------------------------------------------------ */

/* libxml2's output callback. A failed write is remembered (ST_ERR_IO at the
 * end of the event and at finish) but not reported to libxml2, which would
 * print it through its global error handler. */
static int out_write(void *ctx, const char *buf, int len)
{
    st_epcis_writer *w = ctx;
    if (len > 0)
        st_wr_put(w, buf, (size_t)len);
    return len;
}

static int out_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static st_rc xml_open(st_epcis_writer *w)
{
    pthread_once(&xml_once, xml_init);
    xw *x = calloc(1, sizeof *x);
    if (!x)
        return ST_ERR_NOMEM;
    w->impl = x;
    x->v12 = w->fmt == ST_EPCIS_FMT_XML12;
    xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(out_write, out_close, w, NULL);
    if (!ob || !(x->tw = xmlNewTextWriter(ob))) {
        if (ob)
            xmlOutputBufferClose(ob);
        return ST_ERR_NOMEM;
    }
    xmlTextWriterPtr tw = x->tw;
    st_wr_bind *e = st_wr_bind_push(w, "epcis", x->v12 ? NS_EPCIS1 : NS_EPCIS2, 0);
    if (!e)
        return ST_ERR_NOMEM;
    st_wr_bind epcis = *e; /* declared first */
    memmove(w->b + 1, w->b, (w->nb - 1) * sizeof *w->b);
    w->b[0] = epcis;
    if (w->query_name &&
        !st_wr_bind_push(w, "epcisq", x->v12 ? NS_QUERY1 : NS_QUERY2, 0)) /* never a source's */
        return ST_ERR_NOMEM;
    if (w->src_jsonld && !st_wr_bind_prefix(w, "cbvmda") && !st_wr_bind_iri(w, NS_CBVMDA) &&
        !st_wr_bind_push(w, "cbvmda", NS_CBVMDA, 0)) /* ILMD keys of the standard context */
        return ST_ERR_NOMEM;
    check(w, xmlTextWriterSetIndent(tw, 1));
    check(w, xmlTextWriterSetIndentString(tw, X("  ")));
    check(w, xmlTextWriterStartDocument(tw, "1.0", "UTF-8", NULL));
    check(w, xmlTextWriterStartElement(
                 tw, X(w->query_name ? "epcisq:EPCISQueryDocument" : "epcis:EPCISDocument")));
    for (size_t i = 0; i < w->nb; i++) { /* "epcis" first */
        char name[300];
        if (snprintf(name, sizeof name, "xmlns:%s", w->b[i].prefix) < (int)sizeof name)
            check(w, xmlTextWriterWriteAttribute(tw, X(name), X(w->b[i].iri)));
    }
    check(w, xmlTextWriterWriteAttribute(tw, X("schemaVersion"), X(x->v12 ? "1.2" : "2.0")));
    check(w, xmlTextWriterWriteAttribute(tw, X("creationDate"), X(w->now)));
    x->depth = 1;
    st_wr_hdr_xml_head(w);
    if (w->rc != ST_OK)
        return w->rc;
    check(w, xmlTextWriterStartElement(tw, X("EPCISBody")));
    x->depth = 2;
    if (w->query_name) { /* QueryResults, in the query namespace, holds unqualified fields */
        check(w, xmlTextWriterStartElement(tw, X("epcisq:QueryResults")));
        check(w, xmlTextWriterWriteElement(tw, X("queryName"), X(w->query_name)));
        check(w, xmlTextWriterStartElement(tw, X("resultsBody")));
        x->depth = 4;
    }
    check(w, xmlTextWriterStartElement(tw, X("EventList")));
    check(w, xmlTextWriterFlush(tw));
    x->list_depth = ++x->depth;
    return w->rc;
}

static st_rc xml_finish(st_epcis_writer *w)
{
    xw *x = XW(w);
    if (!x)
        return ST_OK;
    st_rc rc = ST_OK;
    if (x->tw && w->rc == ST_OK && x->list_depth && x->depth == x->list_depth) {
        while (x->depth > 1)
            close_elem(w);
        st_wr_hdr_xml_tail(w); /* after </EPCISBody>: the header's tail */
    }
    if (x->tw) {
        if (xmlTextWriterEndDocument(x->tw) < 0)
            rc = ST_ERR_IO;
        xmlFreeTextWriter(x->tw);
    }
    free(x);
    w->impl = NULL;
    return rc;
}

const st_wr_methods st_wr_xml_methods = {xml_open, xml_event, xml_finish};
