/*
 * The EPCIS 2.0 JSON-LD writer (write.h): the document head at open, one
 * event per line, the tail at finish, each event built with st_jw and
 * written in one piece.
 *
 * Tree to JSON (the inverse of jsonld.c):
 *  - list fields become arrays (epcList: strings; quantityList, bizTransaction-
 *    List, sourceList, destinationList, sensorElementList: objects);
 *  - a bizTransaction, source or destination is {"type": t, "<name>": value};
 *  - other structures become objects whose members are the children grouped
 *    by name, in order of first appearance; a name that repeats becomes an
 *    array, and sensorReport, set and unset are always arrays;
 *  - ATTR children (sensor fields, types) are members like any other;
 *  - values: JSON numbers keep their text; numbers and booleans read from
 *    XML are JSON numbers and booleans in the standard fields that hold them
 *    (quantity, the sensorReport measurements, booleanValue), strings
 *    elsewhere (an extension's type is unknown); vocabulary terms are bare
 *    words; identifiers as st_wr_value writes them; an extension element
 *    without text or children is {};
 *  - an extension's key is "prefix:local". The document's @context lists
 *    the source's namespace bindings (an XML source's prefixes renamed, see
 *    json_prefix; namespaces of the standard context use its prefixes); a
 *    namespace without a binding gets a prefix (the source's, else "extN")
 *    declared in the @context of each event that uses it, and kept for the
 *    rest of the document so that no prefix is ever bound twice.
 * The document header's members (write_header.c) go between creationDate
 * and epcisBody, their namespaces into the document's @context; what the
 * reader added after open goes after epcisBody. A query document
 * (w->query_name) holds the events in epcisBody.queryResults.resultsBody.
 * An event with its own bindings (w->ev_own, write_event.c) is written as
 * one of an XML source (prefixes renamed, "ex-ns2" when "ex-ns" is taken)
 * with its CURIE values expanded; alone, with its prefixes and CURIE values
 * bound in its own @context, after the standard context URL.
 */
#include "epcis/write_int.h"

#include <serialtrack/jsonw.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT_URL "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

/* Prefixes of the standard EPCIS 2.0 context (as jsonld.c knows them). */
static const char *const std_context[][2] = {
    {"epcis", "https://ref.gs1.org/epcis/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {"cbvmda", "urn:epcglobal:cbv:mda:"},
    {"gs1", "https://gs1.org/voc/"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dcterms", "http://purl.org/dc/terms/"},
};
static const char *const std_names[] = {"epcis", "cbv", "cbvmda",  "gs1", "rdfs",
                                        "owl",   "xsd", "dcterms", NULL};

/* Event fields in the order they are written; anything else follows in
 * document order. */
static const char *const event_order[] = {
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration",
    "parentID",
    "epcList",
    "childEPCs",
    "inputEPCList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "quantityList",
    "childQuantityList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
};

/* Standard fields that are always JSON objects. */
static const char *const object_fields[] = {
    "readPoint",      "bizLocation",  "errorDeclaration", "persistentDisposition", "ilmd",
    "sensorMetadata", "sensorReport", "quantityElement",  "sensorElement",         NULL,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct jl {
    st_jw jw; /* the event (or head) being written */
    int head; /* writing the head: new prefixes go into the document's @context */
} jl;

typedef st_wr_group group;

typedef struct slot {
    const st_evnode *c; /* a child */
    size_t i;           /* its position */
} slot;

/* ---- prefixes ------------------------------------------------------------ */

/*
 * The JSON-LD prefix for the XML prefix p, in a (NULL when out of memory).
 * In XML a value such as "example:x" is a URI whose scheme is "example",
 * never a CURIE, even when the document binds xmlns:example, and the hash
 * ID reads it so; in JSON-LD it would expand through an "example" prefix of
 * the @context and the event would change. A streaming writer cannot know
 * which later value uses which scheme, so the namespaces of an XML source
 * are bound under names that documents do not use as schemes: "example"
 * becomes "example-ns" (still a URI scheme, as the GS1 JSON Schema wants of
 * extension keys). gs1 and cbv stay: both formats expand them alike.
 */
static const char *json_prefix(st_arena *a, const char *p)
{
    if (!strcmp(p, "gs1") || !strcmp(p, "cbv"))
        return p;
    size_t n = strlen(p);
    char *r = st_arena_alloc(a, n + 4);
    if (r) {
        memcpy(r, p, n);
        memcpy(r + n, "-ns", 4);
    }
    return r;
}

/* 1 when iri is what the standard context binds one of its prefixes to. */
static int std_iri(const char *iri)
{
    for (size_t i = 0; i < COUNT(std_context); i++)
        if (!strcmp(std_context[i][1], iri))
            return 1;
    return 0;
}

/* For a namespace of an event among events of other sources (ST_WR_OWN_DOC)
 * whose renamed prefix hint ("ex-ns") another source took: "ex-ns2", ... (a
 * name no value uses as a scheme, which "extN" might be), in w->a; or
 * "extN" when those run out. NULL when out of memory. */
static const char *renamed_prefix(st_epcis_writer *w, const char *hint)
{
    size_t n = strlen(hint);
    char *p = st_arena_alloc(w->a, n + 4);
    if (!p)
        return NULL;
    memcpy(p, hint, n + 1);
    for (int i = 2; i < 1000; i++) {
        if (!st_wr_bind_prefix(w, p) && !st_wr_in_list(p, std_names))
            return p;
        snprintf(p + n, 4, "%d", i);
    }
    return st_wr_new_prefix(w, w->a, NULL, std_names);
}

/* The prefix that names namespace iri in this event (hint: the prefix the
 * source used): a binding made before, a prefix of the standard context, or
 * a new binding for the event's @context. NULL when out of memory. */
static const char *prefix_for(st_epcis_writer *w, const char *iri, const char *hint)
{
    if (hint && w->src_xml && !(hint = json_prefix(w->ev_a, hint))) {
        w->rc = ST_ERR_NOMEM;
        return NULL;
    }
    st_wr_bind *b = hint ? (st_wr_bind *)st_wr_bind_prefix(w, hint) : NULL;
    if (!b || strcmp(b->iri, iri))
        b = (st_wr_bind *)st_wr_bind_iri(w, iri);
    if (!b) {
        for (size_t i = 0; i < COUNT(std_context); i++)
            if (!strcmp(std_context[i][1], iri) && !st_wr_bind_prefix(w, std_context[i][0]))
                return std_context[i][0];
        const char *p = hint && w->ev_own == ST_WR_OWN_DOC
                            ? renamed_prefix(w, hint)
                            : st_wr_new_prefix(w, w->a, hint, std_names);
        if (p == hint && p)
            p = st_arena_strndup(w->a, hint, strlen(hint));
        const char *ci = st_arena_strndup(w->a, iri, strlen(iri));
        if (!p || !ci || !(b = st_wr_bind_push(w, p, ci, ((jl *)w->impl)->head ? 0 : 1))) {
            w->rc = ST_ERR_NOMEM;
            return NULL;
        }
    }
    if (b->depth)
        b->used = 1;
    return b->prefix;
}

/* Find the prefix of every namespaced node under n, so that the event's
 * @context can be written before its members. */
static void find_prefixes(st_epcis_writer *w, const st_evnode *n)
{
    for (const st_evnode *c = n->first; c && w->rc == ST_OK; c = c->next) {
        if (c->ns)
            prefix_for(w, c->ns, c->prefix);
        find_prefixes(w, c);
    }
}

/* The binding in scope, or of the standard context, that prefix p has; the
 * standard one in *std (NULL when p is bound otherwise or not at all). */
static const st_wr_bind *scope_of(st_epcis_writer *w, const char *p, const char **std)
{
    const st_wr_bind *b = st_wr_bind_prefix(w, p);
    *std = NULL;
    for (size_t i = 0; !b && i < COUNT(std_context); i++)
        if (!strcmp(std_context[i][0], p))
            *std = std_context[i][1];
    return b;
}

/* Whether the CURIE prefix b->prefix of an event with its own bindings
 * means b->iri where the event is written. */
static int curie_holds(st_epcis_writer *w, const st_wr_bind *b)
{
    const char *std;
    const st_wr_bind *s = scope_of(w, b->prefix, &std);
    return s ? !strcmp(s->iri, b->iri) : std && !strcmp(std, b->iri);
}

/* An event alone with its own bindings (ST_WR_OWN_ALONE): bind in its
 * @context the prefix of each CURIE value under n that its bindings define,
 * unless the standard context binds it to that IRI already; a prefix bound
 * to another IRI before (by an extension member) stays, and st_wr_jl_curie
 * writes the value expanded, so no prefix is ever bound twice. */
static void find_value_prefixes(st_epcis_writer *w, const st_evnode *n)
{
    for (const st_evnode *c = n->first; c && w->rc == ST_OK; c = c->next) {
        const st_wr_bind *b = c->value ? st_wr_curie(w, c->value) : NULL;
        const char *std = NULL;
        st_wr_bind *s = b ? (st_wr_bind *)scope_of(w, b->prefix, &std) : NULL;
        if (s && s->depth && !strcmp(s->iri, b->iri))
            s->used = 1;
        else if (b && !s && !(std && !strcmp(std, b->iri))) {
            const char *p = st_arena_strndup(w->a, b->prefix, strlen(b->prefix));
            const char *iri = st_arena_strndup(w->a, b->iri, strlen(b->iri));
            if (!p || !iri || !(s = st_wr_bind_push(w, p, iri, 1)))
                w->rc = ST_ERR_NOMEM;
            else
                s->used = 1;
        }
        find_value_prefixes(w, c);
    }
}

const char *st_wr_jl_curie(st_epcis_writer *w, const st_evnode *n, const char *v)
{
    const st_wr_bind *b = st_wr_curie(w, v);
    if (b)
        return w->ev_own == ST_WR_OWN_ALONE && curie_holds(w, b) ? v : st_wr_curie_expand(w, b, v);
    size_t k = 0;
    const char *p = st_wr_curie_prefix(v, &k);
    char pre[128];
    const st_wr_bind *s = NULL;
    if (p && k < sizeof pre) {
        memcpy(pre, p, k);
        pre[k] = '\0';
        s = st_wr_bind_prefix(w, pre);
    }
    if (s) /* the source did not mean a CURIE: nothing else can be written */
        st_wr_note(w, ST_ERR_SYNTAX, n,
                   "the value \"%s\" reads as a CURIE in this document, whose @context binds "
                   "\"%s\" to %s; read back, its event has another hash ID",
                   v, pre, s->iri);
    return v;
}

/* The member name of c: its name, or "prefix:name" for an extension. */
static const char *key_of(st_epcis_writer *w, const st_evnode *c)
{
    if (!c->ns)
        return c->name;
    const char *p = prefix_for(w, c->ns, c->prefix);
    size_t pl = p ? strlen(p) : 0, nl = strlen(c->name);
    char *k = p ? st_arena_alloc(w->ev_a, pl + nl + 2) : NULL;
    if (!k) {
        w->rc = ST_ERR_NOMEM;
        return c->name;
    }
    memcpy(k, p, pl);
    k[pl] = ':';
    memcpy(k + pl + 1, c->name, nl + 1);
    return k;
}

/* Whether the namespace iri (hint: the source's prefix) has a prefix
 * without a new binding: one made before, or one of the standard context. */
static int has_prefix(st_epcis_writer *w, const char *iri, const char *hint)
{
    if (hint && w->src_xml && !(hint = json_prefix(w->ev_a, hint)))
        return 0;
    const st_wr_bind *b = hint ? st_wr_bind_prefix(w, hint) : NULL;
    if ((b && !strcmp(b->iri, iri)) || st_wr_bind_iri(w, iri))
        return 1;
    for (size_t i = 0; i < COUNT(std_context); i++)
        if (!strcmp(std_context[i][1], iri) && !st_wr_bind_prefix(w, std_context[i][0]))
            return 1;
    return 0;
}

int st_wr_jl_bound(st_epcis_writer *w, const st_evnode *n)
{
    if (n->ns && !has_prefix(w, n->ns, n->prefix))
        return 0;
    for (const st_evnode *c = n->first; c; c = c->next)
        if (!st_wr_jl_bound(w, c))
            return 0;
    return 1;
}

const char *st_wr_jl_key(st_epcis_writer *w, const st_evnode *n)
{
    return key_of(w, n);
}

/* ---- grouping ------------------------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
    return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

static int by_name(const void *x, const void *y)
{
    const slot *a = x, *b = y;
    int r = cmp_str(a->c->ns, b->c->ns);
    if (!r)
        r = strcmp(a->c->name, b->c->name);
    return r ? r : a->i < b->i ? -1 : a->i > b->i;
}

static int by_first(const void *x, const void *y)
{
    const group *a = x, *b = y;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* The children of n grouped by namespace and name, groups in order of first
 * appearance. Returns the number of groups (0 also when out of memory, with
 * w->rc set). */
static size_t groups_of(st_epcis_writer *w, const st_evnode *n, group **out)
{
    size_t k = st_evnode_count(n, NULL), ng = 0;
    if (!k)
        return 0;
    slot *s = st_arena_alloc(w->ev_a, k * sizeof *s);
    group *g = st_arena_calloc(w->ev_a, k * sizeof *g);
    const st_evnode **m = st_arena_alloc(w->ev_a, k * sizeof *m);
    if (!s || !g || !m) {
        w->rc = ST_ERR_NOMEM;
        return 0;
    }
    size_t i = 0;
    for (const st_evnode *c = n->first; c; c = c->next, i++)
        s[i] = (slot){c, i};
    qsort(s, k, sizeof *s, by_name);
    for (i = 0; i < k; i++) {
        if (!i || by_name(&(slot){s[i].c, 0}, &(slot){s[i - 1].c, 0})) {
            g[ng].m = m + i;
            g[ng].first = s[i].i;
            ng++;
        }
        g[ng - 1].m[g[ng - 1].n++] = s[i].c;
    }
    qsort(g, ng, sizeof *g, by_first);
    *out = g;
    return ng;
}

size_t st_wr_jl_groups(st_epcis_writer *w, const st_evnode *n, st_wr_group **out)
{
    return groups_of(w, n, out);
}

/* ---- values ---------------------------------------------------------------- */

/* The JSON spelling of the decimal number s (as XML writes it: "+5", ".5",
 * "5.", "007", "1E3", surrounding blanks) into out[0..cap); 0 when s is not
 * a decimal number (INF, NaN, text). */
static int json_number(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), o = 0;
    while (n && strchr(" \t\r\n", *s))
        s++, n--;
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    if (n + 3 > cap)
        return 0;
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        if (s[i++] == '-')
            out[o++] = '-';
    size_t int0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int1 = i, frac0 = i, frac1 = i;
    if (i < n && s[i] == '.') {
        frac0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        frac1 = i;
    }
    if (int1 == int0 && frac1 == frac0)
        return 0;
    while (int0 + 1 < int1 && s[int0] == '0')
        int0++;
    if (int1 == int0)
        out[o++] = '0';
    memcpy(out + o, s + int0, int1 - int0);
    o += int1 - int0;
    if (frac1 > frac0) {
        out[o++] = '.';
        memcpy(out + o, s + frac0, frac1 - frac0);
        o += frac1 - frac0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        out[o++] = 'e';
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            out[o++] = s[i++];
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            out[o++] = s[i++];
        if (i == d)
            return 0;
    }
    if (i != n)
        return 0;
    out[o] = '\0';
    return 1;
}

/* A bizTransaction, source or destination of its list. */
static int is_entry(const st_evnode *n)
{
    const st_evnode *p = n->parent;
    if (n->ns || !p || p->ns)
        return 0;
    return (!strcmp(n->name, "bizTransaction") && !strcmp(p->name, "bizTransactionList")) ||
           (!strcmp(n->name, "source") && !strcmp(p->name, "sourceList")) ||
           (!strcmp(n->name, "destination") && !strcmp(p->name, "destinationList"));
}

static void write_value(st_epcis_writer *w, const st_evnode *n, int ext);

/* A leaf: its value as a string, number or boolean. */
static void write_leaf(st_epcis_writer *w, const st_evnode *n, int ext)
{
    st_jw *j = &((jl *)w->impl)->jw;
    const char *v = n->value;
    if (!v) {
        if (ext) {
            st_jw_object_begin(j);
            st_jw_object_end(j);
        } else {
            st_jw_cstring(j, "");
        }
    } else if (n->flags & ST_EVN_NUMBER) {
        st_jw_raw(j, v, strlen(v));
    } else if (n->flags & ST_EVN_BOOL) {
        st_jw_bool(j, !strcmp(v, "true"));
    } else if (!ext && st_wr_numeric(n)) {
        size_t cap = strlen(v) + 3;
        char *num = st_arena_alloc(w->ev_a, cap);
        if (!num)
            w->rc = ST_ERR_NOMEM;
        else if (json_number(v, num, cap)) {
            st_jw_raw(j, num, strlen(num));
        } else {
            st_wr_note(w, ST_ERR_SYNTAX, n, "%s \"%s\" is not a number; written as a string",
                       n->name, v);
            st_jw_cstring(j, v);
        }
    } else if (!ext && st_wr_boolean(n) && strspn(v, " \t\r\n") < strlen(v)) {
        size_t a = strspn(v, " \t\r\n"), k = strcspn(v + a, " \t\r\n");
        int t = (k == 4 && !memcmp(v + a, "true", 4)) || (k == 1 && v[a] == '1');
        int f = (k == 5 && !memcmp(v + a, "false", 5)) || (k == 1 && v[a] == '0');
        if (t || f) {
            if (k == 1)
                st_wr_note(w, ST_ERR_SYNTAX, n,
                           "booleanValue \"%c\" is written as %s (the event hash ID, which "
                           "reads the text, changes)",
                           v[a], t ? "true" : "false");
            st_jw_bool(j, t);
        } else {
            st_wr_note(w, ST_ERR_SYNTAX, n, "booleanValue \"%s\" is not a boolean", v);
            st_jw_cstring(j, v);
        }
    } else {
        st_jw_cstring(j, st_wr_value(w, n));
    }
}

/* Group g of parent's children as one member: key, then a value or an array. */
static void write_group(st_epcis_writer *w, const st_evnode *parent, const group *g, int ext)
{
    st_jw *j = &((jl *)w->impl)->jw;
    const st_evnode *c = g->m[0];
    int cext = ext || c->ns || (!parent->ns && !strcmp(parent->name, "ilmd"));
    int array = g->n > 1;
    if (!ext && !c->ns && !parent->ns)
        array |= (!strcmp(c->name, "sensorReport") && !strcmp(parent->name, "sensorElement")) ||
                 ((!strcmp(c->name, "set") || !strcmp(c->name, "unset")) &&
                  !strcmp(parent->name, "persistentDisposition"));
    if (!cext && g->n == 1 && !c->first && !c->value && (st_wr_numeric(c) || st_wr_boolean(c)))
        return; /* <quantity xsi:nil="true"/>: JSON-LD has no such number */
    st_jw_key(j, key_of(w, c));
    if (array)
        st_jw_array_begin(j);
    for (size_t i = 0; i < g->n; i++)
        write_value(w, g->m[i], cext);
    if (array)
        st_jw_array_end(j);
}

/* A structure as an object (an entry: "type" and its value under its name). */
static void write_object(st_epcis_writer *w, const st_evnode *n, int ext)
{
    st_jw *j = &((jl *)w->impl)->jw;
    int entry = !ext && is_entry(n);
    if (n->value && !entry && strspn(n->value, " \t\r\n") < strlen(n->value))
        st_wr_note(w, ST_ERR_UNSUPPORTED, n,
                   "the text \"%s\" beside the fields of %s is dropped: JSON-LD has no place "
                   "for it",
                   n->value, n->name);
    st_jw_object_begin(j);
    group *g = NULL;
    size_t ng = groups_of(w, n, &g);
    for (size_t i = 0; i < ng; i++)
        write_group(w, n, &g[i], ext);
    if (entry) {
        st_jw_key(j, n->name);
        st_jw_cstring(j, n->value ? st_wr_value(w, n) : "");
    }
    st_jw_object_end(j);
}

static void write_value(st_epcis_writer *w, const st_evnode *n, int ext)
{
    st_jw *j = &((jl *)w->impl)->jw;
    if (!ext && st_wr_is_list(n)) {
        st_jw_array_begin(j);
        for (const st_evnode *c = n->first; c; c = c->next)
            write_value(w, c, 0);
        st_jw_array_end(j);
    } else if (n->first ||
               (!ext && !n->ns && (is_entry(n) || st_wr_in_list(n->name, object_fields)))) {
        write_object(w, n, ext);
    } else {
        write_leaf(w, n, ext);
    }
}

st_jw *st_wr_jl_jw(st_epcis_writer *w)
{
    return &((jl *)w->impl)->jw;
}

void st_wr_jl_value(st_epcis_writer *w, const st_evnode *n)
{
    write_value(w, n, 1);
}

void st_wr_jl_flush(st_epcis_writer *w)
{
    st_jw *j = st_wr_jl_jw(w);
    if (!j->failed)
        st_wr_put(w, j->p, j->n);
    j->n = 0;
}

/* ---- document and events --------------------------------------------------- */

st_rc st_wr_jl_init(st_epcis_writer *w)
{
    jl *x = calloc(1, sizeof *x);
    if (!x)
        return ST_ERR_NOMEM;
    st_jw_init(&x->jw);
    w->impl = x;
    return ST_OK;
}

void st_wr_jl_done(st_epcis_writer *w)
{
    jl *x = w->impl;
    if (!x)
        return;
    st_jw_free(&x->jw);
    free(x);
    w->impl = NULL;
}

static st_rc jl_open(st_epcis_writer *w)
{
    if (st_wr_jl_init(w) != ST_OK)
        return ST_ERR_NOMEM;
    jl *x = w->impl;
    if (w->src_xml) { /* rename (see json_prefix); standard IRIs need no binding */
        size_t k = 0;
        for (size_t i = 0; i < w->nb; i++) {
            if (std_iri(w->b[i].iri))
                continue;
            w->b[k] = w->b[i];
            if (!(w->b[k++].prefix = json_prefix(w->a, w->b[i].prefix)))
                return ST_ERR_NOMEM;
        }
        w->nb = k;
    }
    st_jw *j = &x->jw;
    x->head = 1;
    if (w->src && w->src->header) /* its namespaces go into the document's @context */
        find_prefixes(w, w->src->header);
    if (w->rc != ST_OK)
        return w->rc;
    st_jw_object_begin(j);
    st_jw_key(j, "@context");
    st_jw_array_begin(j);
    st_jw_cstring(j, CONTEXT_URL);
    if (w->nb) {
        st_jw_object_begin(j);
        for (size_t i = 0; i < w->nb; i++) {
            st_jw_key(j, w->b[i].prefix);
            st_jw_cstring(j, w->b[i].iri);
        }
        st_jw_object_end(j);
    }
    st_jw_array_end(j);
    st_jw_member_str(j, "type", w->query_name ? "EPCISQueryDocument" : "EPCISDocument");
    st_jw_member_str(j, "schemaVersion", "2.0");
    st_jw_member_str(j, "creationDate", w->now);
    st_wr_hdr_jsonld_head(w);
    x->head = 0;
    if (w->rc != ST_OK)
        return w->rc;
    st_jw_key(j, "epcisBody");
    st_jw_object_begin(j);
    if (w->query_name) {
        st_jw_key(j, "queryResults");
        st_jw_object_begin(j);
        st_jw_member_str(j, "queryName", w->query_name);
        st_jw_key(j, "resultsBody");
        st_jw_object_begin(j);
    }
    st_jw_key(j, "eventList");
    st_jw_array_begin(j);
    if (j->failed)
        return ST_ERR_NOMEM;
    st_wr_put(w, j->p, j->n);
    st_wr_put(w, "\n", 1);
    return ST_OK;
}

st_rc st_wr_jl_event_object(st_epcis_writer *w, const st_event *ev, int standalone)
{
    st_jw *j = &((jl *)w->impl)->jw;
    const st_evnode *root = ev->root;
    st_jw_reset(j);
    for (size_t i = 0; i < w->nb; i++)
        w->b[i].used = 0;
    find_prefixes(w, root);
    if (w->ev_own == ST_WR_OWN_ALONE)
        find_value_prefixes(w, root);
    if (w->rc != ST_OK)
        return w->rc;
    st_jw_object_begin(j);
    int ctx = 0;
    if (standalone) {
        st_jw_key(j, "@context");
        st_jw_array_begin(j);
        st_jw_cstring(j, CONTEXT_URL);
    }
    for (size_t i = 0; i < w->nb; i++) {
        if (!w->b[i].used)
            continue;
        if (!ctx++) {
            if (!standalone)
                st_jw_key(j, "@context");
            st_jw_object_begin(j);
        }
        st_jw_key(j, w->b[i].prefix);
        st_jw_cstring(j, w->b[i].iri);
    }
    if (ctx)
        st_jw_object_end(j);
    if (standalone)
        st_jw_array_end(j);
    st_jw_member_str(j, "type", root->name);
    group *g = NULL;
    size_t ng = groups_of(w, root, &g);
    for (size_t k = 0; k <= COUNT(event_order); k++) {
        for (size_t i = 0; i < ng; i++) {
            const st_evnode *c = g[i].m[0];
            if (g[i].done || (k < COUNT(event_order) && (c->ns || strcmp(c->name, event_order[k]))))
                continue;
            g[i].done = 1;
            if (!c->ns && (!strcmp(c->name, "type") || !strcmp(c->name, "@context"))) {
                st_wr_note(w, ST_ERR_UNSUPPORTED, c,
                           "a field named \"%s\" is dropped: JSON-LD uses the name itself",
                           c->name);
                continue;
            }
            if (!c->ns && k == COUNT(event_order))
                st_wr_note(w, ST_ERR_SYNTAX, c,
                           "%s is no EPCIS field and has no namespace: written as it is; "
                           "JSON-LD processors ignore such a key",
                           c->name);
            write_group(w, root, &g[i], 0);
        }
    }
    st_jw_object_end(j);
    if (j->failed)
        return ST_ERR_NOMEM;
    return w->rc;
}

static st_rc jl_event(st_epcis_writer *w, const st_event *ev)
{
    st_rc rc = st_wr_jl_event_object(w, ev, 0);
    if (rc != ST_OK)
        return rc;
    st_jw *j = &((jl *)w->impl)->jw;
    if (w->written)
        st_wr_put(w, ",\n", 2);
    st_wr_put(w, j->p, j->n);
    w->written++;
    return ST_OK;
}

static st_rc jl_finish(st_epcis_writer *w)
{
    jl *x = w->impl;
    if (!x)
        return ST_OK;
    if (w->written)
        st_wr_put(w, "\n", 1);
    if (w->query_name)
        st_wr_put(w, "]}}}", 4); /* eventList, resultsBody, queryResults, epcisBody */
    else
        st_wr_put(w, "]}", 2);
    if (w->rc == ST_OK) { /* document-level members that came after the events */
        st_jw *j = &x->jw;
        st_jw_reset(j);
        j->first = 0;
        st_wr_hdr_jsonld_tail(w);
        st_wr_jl_flush(w);
    }
    st_wr_put(w, "}\n", 2);
    st_wr_jl_done(w);
    return ST_OK;
}

const st_wr_methods st_wr_jsonld_methods = {jl_open, jl_event, jl_finish};
