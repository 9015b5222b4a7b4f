/*
 * The EPCIS JSON-LD reader (see jsonld.h). jansson parses the whole document;
 * one pass over its tree checks the caps and lists the numbers (a second one
 * builds the paths of the faults, when there are any), a scan of the raw
 * bytes recovers each number's text, and a table-driven walk builds the event
 * trees in the shape event.h describes.
 *
 * Key order: jansson (2.8 and later) iterates object keys in insertion order,
 * which for a parsed document is document order; duplicate keys are rejected,
 * so nothing is ever re-inserted.
 * Number text: jansson keeps only the value. The cap pass lists the number
 * values in document order (depth first, keys in order), the byte scan lists
 * the number tokens outside strings in the same order, and the two lists are
 * zipped and sorted by value pointer, so a node gets the text exactly as
 * written ("200.0" stays "200.0", "1E3" stays "1E3", 24-digit integers keep
 * every digit). The counts must agree or the read fails with ST_ERR_INTERNAL.
 */
#include "epcis/jsonld.h"

#include <jansson.h>
#include <serialtrack/limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if JANSSON_VERSION_HEX < 0x020800
#error "jansson 2.8 or later is needed: it iterates object keys in document order"
#endif

#define PATH_MAX_LEN 512 /* bytes of a JSON pointer in a diagnostic; longer ones are cut */

/* ---- the field tables ------------------------------------------------------ */

typedef enum kind {
    K_SKIP,      /* not a node ("type" of an event: the root's name) */
    K_VALUE,     /* a string that becomes the parent's value (bizTransaction of an entry) */
    K_STRING,    /* a string */
    K_NUMBER,    /* a number */
    K_BOOL,      /* true or false */
    K_STRINGS,   /* a string or an array of strings: repeated nodes */
    K_STR_ARRAY, /* an array of strings: repeated nodes */
    K_LIST,      /* an array of strings: one ST_EVN_LIST node, children named item */
    K_OBJ_LIST,  /* an array of objects: one ST_EVN_LIST node, children named item */
    K_OBJ_ARRAY, /* an array of objects: repeated nodes */
    K_OBJECT,    /* an object: one node */
} field_kind;

typedef struct shape shape;

typedef struct field {
    const char *key;  /* JSON key and node name */
    field_kind kind;  /* JSON shape and node layout */
    const char *item; /* name of the children of a K_LIST / K_OBJ_LIST node */
    const shape *sub; /* members of object values; NULL: every member is generic */
    unsigned flags;   /* extra node flags (ST_EVN_ATTR for the type of an entry) */
} field;

struct shape {
    const field *fields; /* the standard members */
    size_t n;            /* entries in fields */
    unsigned attr;       /* ST_EVN_ATTR when every scalar member is an XML attribute */
    int id_first;        /* "id" becomes the first child, whatever the key order */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const field qty_fields[] = {
    {"epcClass", K_STRING, NULL, NULL, 0},
    {"quantity", K_NUMBER, NULL, NULL, 0},
    {"uom", K_STRING, NULL, NULL, 0},
};
static const shape qty_shape = {qty_fields, COUNT(qty_fields), 0, 0};

static const field location_fields[] = {{"id", K_STRING, NULL, NULL, 0}};
static const shape location_shape = {location_fields, COUNT(location_fields), 0, 1};

static const field persist_fields[] = {
    {"set", K_STR_ARRAY, NULL, NULL, 0},
    {"unset", K_STR_ARRAY, NULL, NULL, 0},
};
static const shape persist_shape = {persist_fields, COUNT(persist_fields), 0, 0};

static const field bt_fields[] = {
    {"bizTransaction", K_VALUE, NULL, NULL, 0},
    {"type", K_STRING, NULL, NULL, ST_EVN_ATTR},
};
static const shape bt_shape = {bt_fields, COUNT(bt_fields), 0, 0};
static const field source_fields[] = {
    {"source", K_VALUE, NULL, NULL, 0},
    {"type", K_STRING, NULL, NULL, ST_EVN_ATTR},
};
static const shape source_shape = {source_fields, COUNT(source_fields), 0, 0};
static const field dest_fields[] = {
    {"destination", K_VALUE, NULL, NULL, 0},
    {"type", K_STRING, NULL, NULL, ST_EVN_ATTR},
};
static const shape dest_shape = {dest_fields, COUNT(dest_fields), 0, 0};

static const field meta_fields[] = {
    {"time", K_STRING, NULL, NULL, 0},
    {"startTime", K_STRING, NULL, NULL, 0},
    {"endTime", K_STRING, NULL, NULL, 0},
    {"deviceID", K_STRING, NULL, NULL, 0},
    {"deviceMetadata", K_STRING, NULL, NULL, 0},
    {"rawData", K_STRING, NULL, NULL, 0},
    {"dataProcessingMethod", K_STRING, NULL, NULL, 0},
    {"bizRules", K_STRING, NULL, NULL, 0},
};
static const shape meta_shape = {meta_fields, COUNT(meta_fields), ST_EVN_ATTR, 0};

static const field report_fields[] = {
    {"type", K_STRING, NULL, NULL, 0},
    {"exception", K_STRING, NULL, NULL, 0},
    {"deviceID", K_STRING, NULL, NULL, 0},
    {"deviceMetadata", K_STRING, NULL, NULL, 0},
    {"rawData", K_STRING, NULL, NULL, 0},
    {"dataProcessingMethod", K_STRING, NULL, NULL, 0},
    {"bizRules", K_STRING, NULL, NULL, 0},
    {"time", K_STRING, NULL, NULL, 0},
    {"microorganism", K_STRING, NULL, NULL, 0},
    {"chemicalSubstance", K_STRING, NULL, NULL, 0},
    {"coordinateReferenceSystem", K_STRING, NULL, NULL, 0},
    {"value", K_NUMBER, NULL, NULL, 0},
    {"component", K_STRING, NULL, NULL, 0},
    {"stringValue", K_STRING, NULL, NULL, 0},
    {"booleanValue", K_BOOL, NULL, NULL, 0},
    {"hexBinaryValue", K_STRING, NULL, NULL, 0},
    {"uriValue", K_STRING, NULL, NULL, 0},
    {"minValue", K_NUMBER, NULL, NULL, 0},
    {"maxValue", K_NUMBER, NULL, NULL, 0},
    {"meanValue", K_NUMBER, NULL, NULL, 0},
    {"sDev", K_NUMBER, NULL, NULL, 0},
    {"percRank", K_NUMBER, NULL, NULL, 0},
    {"percValue", K_NUMBER, NULL, NULL, 0},
    {"uom", K_STRING, NULL, NULL, 0},
};
static const shape report_shape = {report_fields, COUNT(report_fields), ST_EVN_ATTR, 0};

static const field sensor_fields[] = {
    {"sensorMetadata", K_OBJECT, NULL, &meta_shape, 0},
    {"sensorReport", K_OBJ_ARRAY, NULL, &report_shape, 0},
};
static const shape sensor_shape = {sensor_fields, COUNT(sensor_fields), 0, 0};

static const field error_fields[] = {
    {"declarationTime", K_STRING, NULL, NULL, 0},
    {"reason", K_STRING, NULL, NULL, 0},
    {"correctiveEventIDs", K_LIST, "correctiveEventID", NULL, 0},
};
static const shape error_shape = {error_fields, COUNT(error_fields), 0, 0};

static const field event_fields[] = {
    {"type", K_SKIP, NULL, NULL, 0},
    {"eventTime", K_STRING, NULL, NULL, 0},
    {"recordTime", K_STRING, NULL, NULL, 0},
    {"eventTimeZoneOffset", K_STRING, NULL, NULL, 0},
    {"eventID", K_STRING, NULL, NULL, 0},
    {"certificationInfo", K_STRINGS, NULL, NULL, 0},
    {"errorDeclaration", K_OBJECT, NULL, &error_shape, 0},
    {"parentID", K_STRING, NULL, NULL, 0},
    {"epcList", K_LIST, "epc", NULL, 0},
    {"inputEPCList", K_LIST, "epc", NULL, 0},
    {"outputEPCList", K_LIST, "epc", NULL, 0},
    {"childEPCs", K_LIST, "epc", NULL, 0},
    {"quantityList", K_OBJ_LIST, "quantityElement", &qty_shape, 0},
    {"childQuantityList", K_OBJ_LIST, "quantityElement", &qty_shape, 0},
    {"inputQuantityList", K_OBJ_LIST, "quantityElement", &qty_shape, 0},
    {"outputQuantityList", K_OBJ_LIST, "quantityElement", &qty_shape, 0},
    {"action", K_STRING, NULL, NULL, 0},
    {"transformationID", K_STRING, NULL, NULL, 0},
    {"bizStep", K_STRING, NULL, NULL, 0},
    {"disposition", K_STRING, NULL, NULL, 0},
    {"persistentDisposition", K_OBJECT, NULL, &persist_shape, 0},
    {"readPoint", K_OBJECT, NULL, &location_shape, 0},
    {"bizLocation", K_OBJECT, NULL, &location_shape, 0},
    {"bizTransactionList", K_OBJ_LIST, "bizTransaction", &bt_shape, 0},
    {"sourceList", K_OBJ_LIST, "source", &source_shape, 0},
    {"destinationList", K_OBJ_LIST, "destination", &dest_shape, 0},
    {"sensorElementList", K_OBJ_LIST, "sensorElement", &sensor_shape, 0},
    {"ilmd", K_OBJECT, NULL, NULL, 0},
};
static const shape event_shape = {event_fields, COUNT(event_fields), 0, 0};

/* Document-level members that go to doc->header. */
static const field header_fields[] = {
    {"id", K_STRING, NULL, NULL, 0},
    {"type", K_STRING, NULL, NULL, 0},
    {"sender", K_STRING, NULL, NULL, 0},
    {"receiver", K_STRING, NULL, NULL, 0},
    {"instanceIdentifier", K_STRING, NULL, NULL, 0},
    {"epcisHeader", K_OBJECT, NULL, NULL, 0},
    {"queryName", K_STRING, NULL, NULL, 0},
    {"subscriptionID", K_STRING, NULL, NULL, 0},
};
static const shape header_shape = {header_fields, COUNT(header_fields), 0, 0};

/* Prefixes of the standard EPCIS 2.0 context, which every EPCIS JSON-LD
 * document uses; consulted when the document does not bind a prefix itself. */
static const char *const std_prefixes[][2] = {
    {"epcis", "https://ref.gs1.org/epcis/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {"cbvmda", "urn:epcglobal:cbv:mda:"},
    {"gs1", "https://gs1.org/voc/"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dcterms", "http://purl.org/dc/terms/"},
};

/* ---- reader state ------------------------------------------------------------ */

typedef struct numtext {
    const json_t *j; /* a number of the parsed document */
    const char *p;   /* its text in the caller's buffer */
    size_t n;        /* length of the text */
} numtext;

typedef struct reader {
    st_epcis_doc *doc;       /* the document being read */
    st_diag *diag;           /* where faults go */
    st_arena *a;             /* where nodes are built now (doc->arena or ev_arena) */
    st_arena *ev_arena;      /* per-event arena when there is a callback */
    size_t ev_base;          /* st_arena_used(a) when the current event started */
    long event;              /* index of the event being read, -1 for the document */
    st_rc fatal;             /* first fatal code; the walk stops when set */
    int over_cap;            /* the cap pass found a cap exceeded */
    const json_t *events;    /* the eventList array, to number events in the cap pass */
    numtext *nums;           /* every number, in document order, then sorted by j */
    size_t n_nums;           /* entries used in nums */
    size_t cap_nums;         /* room in nums */
    size_t kept_cap;         /* room in doc->kept */
    char path[PATH_MAX_LEN]; /* JSON pointer of the value being read */
    size_t plen;             /* length of path */
} reader;

/* The name and namespace a key gives its node. */
typedef struct qname {
    const char *ns;     /* namespace IRI, or NULL for EPCIS fields */
    size_t ns_len;      /* its length */
    const char *prefix; /* the prefix as written, or NULL */
    size_t prefix_len;  /* its length */
    const char *local;  /* the node name (NUL-terminated) */
} qname;

/* ---- diagnostics ------------------------------------------------------------- */

/* Append one JSON pointer segment (RFC 6901: ~ and / escaped); returns the
 * previous length, for path_pop. A path longer than PATH_MAX_LEN is cut. */
static size_t path_push(reader *r, const char *seg)
{
    size_t old = r->plen;
    char *p = r->path;
    size_t n = r->plen;
    if (n + 1 < PATH_MAX_LEN)
        p[n++] = '/';
    for (const char *c = seg; *c; c++) {
        const char *e = *c == '~' ? "~0" : *c == '/' ? "~1" : NULL;
        size_t k = e ? 2 : 1;
        if (n + k >= PATH_MAX_LEN)
            break;
        if (e)
            memcpy(p + n, e, 2);
        else
            p[n] = *c;
        n += k;
    }
    p[n] = '\0';
    r->plen = n;
    return old;
}

static size_t path_index(reader *r, size_t i)
{
    char seg[32], *p = seg + sizeof seg; /* the decimal digits of i, written backwards */
    *--p = '\0';
    do
        *--p = (char)('0' + i % 10);
    while (i /= 10);
    return path_push(r, p);
}

static void path_pop(reader *r, size_t len)
{
    r->plen = len;
    r->path[len] = '\0';
}

__attribute__((format(printf, 3, 4))) static void err(reader *r, st_rc rc, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st_diag_add(r->diag, rc, r->event, r->path, "%s", msg);
}

/* Stop the walk with rc (the first fatal code wins). */
static void fatal(reader *r, st_rc rc)
{
    if (r->fatal == ST_OK)
        r->fatal = rc;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static void type_err(reader *r, const char *expected, const json_t *v)
{
    err(r, ST_ERR_SYNTAX, "must be %s (found %s)", expected, json_kind(v));
}

/* ---- the cap pass and the text of numbers -------------------------------------- */

static void note_number(reader *r, const json_t *v)
{
    if (r->n_nums == r->cap_nums) {
        size_t ncap = r->cap_nums ? r->cap_nums * 2 : 64;
        numtext *nn = realloc(r->nums, ncap * sizeof *nn);
        if (!nn) {
            fatal(r, ST_ERR_NOMEM);
            return;
        }
        r->nums = nn;
        r->cap_nums = ncap;
    }
    r->nums[r->n_nums++] = (numtext){v, NULL, 0};
}

/* Check depth and string caps over the whole document, depth first in
 * document order, and list its numbers in that order. */
static void cap_pass(reader *r, json_t *v, unsigned depth)
{
    if (r->fatal)
        return;
    if (json_is_object(v) || json_is_array(v)) {
        if (depth > ST_EPCIS_MAX_DEPTH) {
            err(r, ST_ERR_LIMIT, "value nests %u levels deep; the limit is %d", depth,
                ST_EPCIS_MAX_DEPTH);
            r->over_cap = 1;
            return;
        }
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
        {
            size_t save = path_push(r, key);
            size_t klen = strlen(key);
            if (klen > ST_EPCIS_MAX_STRING) {
                err(r, ST_ERR_LIMIT, "key holds %zu bytes; the limit is %d", klen,
                    ST_EPCIS_MAX_STRING);
                r->over_cap = 1;
            }
            cap_pass(r, m, depth + 1);
            path_pop(r, save);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t save = path_index(r, i);
            if (v == r->events)
                r->event = (long)i;
            cap_pass(r, json_array_get(v, i), depth + 1);
            path_pop(r, save);
        }
        if (v == r->events)
            r->event = -1;
    } else if (json_is_string(v)) {
        if (json_string_length(v) > ST_EPCIS_MAX_STRING) {
            err(r, ST_ERR_LIMIT, "string holds %zu bytes; the limit is %d", json_string_length(v),
                ST_EPCIS_MAX_STRING);
            r->over_cap = 1;
        }
    } else if (json_is_number(v)) {
        note_number(r, v);
    }
}

/* cap_pass without the paths and messages, for the common case: lists the
 * numbers and returns 1 when every cap holds (or the walk stopped with a fatal
 * code). When it returns 0 the numbers are forgotten and cap_pass walks the
 * document again, building the path of every fault it reports. */
static int caps_hold(reader *r, json_t *v, unsigned depth)
{
    if (r->fatal)
        return 1;
    if (json_is_object(v)) {
        if (depth > ST_EPCIS_MAX_DEPTH)
            return 0;
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
        {
            if (strlen(key) > ST_EPCIS_MAX_STRING || !caps_hold(r, m, depth + 1))
                return 0;
        }
    } else if (json_is_array(v)) {
        if (depth > ST_EPCIS_MAX_DEPTH)
            return 0;
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!caps_hold(r, json_array_get(v, i), depth + 1))
                return 0;
    } else if (json_is_string(v)) {
        return json_string_length(v) <= ST_EPCIS_MAX_STRING;
    } else if (json_is_number(v)) {
        note_number(r, v);
    }
    return 1;
}

static int by_value(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const numtext *)x)->j, b = (uintptr_t)((const numtext *)y)->j;
    return a < b ? -1 : a > b;
}

static int number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Give every listed number its text: the number tokens of buf (which jansson
 * accepted) outside strings, in order. Then sort by value for num_text. */
static void number_texts(reader *r, const char *buf, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        char c = buf[i];
        if (c == '"') { /* to the quote that ends the string: one after an even run of '\\' */
            size_t start = ++i;
            for (;;) {
                const char *q = memchr(buf + i, '"', n - i);
                if (!q) {
                    i = n + 1;
                    break;
                }
                size_t end = (size_t)(q - buf), bs = 0;
                while (end - bs > start && buf[end - bs - 1] == '\\')
                    bs++;
                i = end + 1;
                if (bs % 2 == 0)
                    break;
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i;
            while (i < n && number_char(buf[i]))
                i++;
            if (k < r->n_nums) {
                r->nums[k].p = buf + start;
                r->nums[k].n = i - start;
            }
            k++;
        } else {
            i++;
        }
    }
    if (k != r->n_nums) {
        err(r, ST_ERR_INTERNAL, "found %zu number tokens for %zu numbers", k, r->n_nums);
        fatal(r, ST_ERR_INTERNAL);
        return;
    }
    if (r->n_nums > 1)
        qsort(r->nums, r->n_nums, sizeof *r->nums, by_value);
}

static const numtext *num_text(const reader *r, const json_t *v)
{
    numtext key = {v, NULL, 0};
    return r->n_nums ? bsearch(&key, r->nums, r->n_nums, sizeof key, by_value) : NULL;
}

/* Report that arena a refused an allocation (its cap, or the system's memory)
 * and stop the walk. */
static void no_memory(reader *r, st_arena *a)
{
    st_rc rc = st_arena_over_cap(a) ? ST_ERR_LIMIT : ST_ERR_NOMEM;
    if (rc == ST_ERR_LIMIT)
        err(r, rc, "the %s arena reached its cap", a == r->doc->arena ? "document's" : "event's");
    else
        err(r, rc, "out of memory");
    fatal(r, rc);
}

/* ---- building nodes ----------------------------------------------------------- */

/* A node for q under parent in r->a (the prefix and ns copied too); NULL, with
 * the walk stopped, when memory or the event's cap runs out. */
static st_evnode *add(reader *r, st_evnode *parent, const qname *q, const char *value, size_t vlen,
                      unsigned flags)
{
    if (r->fatal)
        return NULL;
    st_evnode *n = st_evnode_add(r->a, parent, NULL, q->local, value, vlen, flags);
    if (n && q->ns && !(n->ns = st_arena_strndup(r->a, q->ns, q->ns_len)))
        n = NULL;
    if (n && q->prefix && !(n->prefix = st_arena_strndup(r->a, q->prefix, q->prefix_len)))
        n = NULL;
    int ev_cap = r->event >= 0 && (r->a == r->ev_arena ? st_arena_over_cap(r->a)
                                                       : st_arena_used(r->a) - r->ev_base >
                                                             ST_EPCIS_MAX_EVENT_BYTES);
    if (n && !ev_cap)
        return n;
    if (ev_cap) {
        err(r, ST_ERR_LIMIT, "event needs more than %u bytes of memory; the limit is %u",
            ST_EPCIS_MAX_EVENT_BYTES, ST_EPCIS_MAX_EVENT_BYTES);
        fatal(r, ST_ERR_LIMIT);
    } else {
        no_memory(r, r->a);
    }
    return NULL;
}

static st_evnode *add_field(reader *r, st_evnode *parent, const char *name, const char *value,
                            size_t vlen, unsigned flags)
{
    qname q = {NULL, 0, NULL, 0, name};
    return add(r, parent, &q, value, vlen, flags);
}

/* The text and flags of a string, number or boolean; 0 for anything else. */
static int scalar(reader *r, const json_t *v, const char **p, size_t *n, unsigned *flags)
{
    if (json_is_string(v)) {
        *p = json_string_value(v);
        *n = json_string_length(v);
        *flags = 0;
    } else if (json_is_boolean(v)) {
        *p = json_is_true(v) ? "true" : "false";
        *n = strlen(*p);
        *flags = ST_EVN_BOOL;
    } else if (json_is_number(v)) {
        const numtext *t = num_text(r, v);
        if (!t) {
            err(r, ST_ERR_INTERNAL, "the text of this number was not found");
            fatal(r, ST_ERR_INTERNAL);
            return 0;
        }
        *p = t->p;
        *n = t->n;
        *flags = ST_EVN_NUMBER;
    } else {
        return 0;
    }
    return 1;
}

/* ---- @context ----------------------------------------------------------------- */

/* The IRI the document bound last to prefix[0..n), or NULL. */
static const char *doc_prefix(const reader *r, const char *prefix, size_t n)
{
    const char *iri = NULL;
    for (const st_evnode *b = r->doc->ns ? r->doc->ns->first : NULL; b; b = b->next)
        if (strlen(b->name) == n && !memcmp(b->name, prefix, n))
            iri = b->value;
    return iri;
}

/* The IRI of prefix[0..n): the document's binding, else the standard context's. */
static const char *lookup_prefix(const reader *r, const char *prefix, size_t n)
{
    const char *iri = doc_prefix(r, prefix, n);
    for (size_t i = 0; !iri && i < COUNT(std_prefixes); i++)
        if (strlen(std_prefixes[i][0]) == n && !memcmp(std_prefixes[i][0], prefix, n))
            iri = std_prefixes[i][1];
    return iri;
}

/* Record prefix -> iri in doc->ns, unless the document bound it so already. */
static void bind(reader *r, const char *prefix, const char *iri)
{
    st_epcis_doc *doc = r->doc;
    const char *had = doc_prefix(r, prefix, strlen(prefix));
    if (had && !strcmp(had, iri))
        return;
    if (!doc->ns && !(doc->ns = st_evnode_add(doc->arena, NULL, NULL, "ns", NULL, 0, 0))) {
        no_memory(r, doc->arena);
        return;
    }
    if (!st_evnode_add(doc->arena, doc->ns, NULL, prefix, iri, strlen(iri), 0))
        no_memory(r, doc->arena);
}

/* Every term of a context object that names an IRI ("ex": "https://..." or
 * "ex": {"@id": "https://..."}); keywords and aliases of keywords are skipped. */
static void bind_terms(reader *r, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (key[0] == '@')
            continue;
        json_t *id = json_is_object(v) ? json_object_get(v, "@id") : v;
        const char *iri = json_string_value(id);
        if (iri && iri[0] != '@')
            bind(r, key, iri);
    }
}

static void bind_context(reader *r, json_t *ctx)
{
    if (!ctx)
        return;
    size_t save = path_push(r, "@context");
    if (json_is_object(ctx)) {
        bind_terms(r, ctx);
    } else if (json_is_array(ctx)) {
        for (size_t i = 0; i < json_array_size(ctx); i++) {
            json_t *c = json_array_get(ctx, i);
            if (json_is_object(c)) {
                bind_terms(r, c);
            } else if (!json_is_string(c)) {
                size_t s = path_index(r, i);
                type_err(r, "a context IRI or a context object", c);
                path_pop(r, s);
            }
        }
    } else if (!json_is_string(ctx)) {
        type_err(r, "a string, an object or an array of those", ctx);
    }
    path_pop(r, save);
}

/* ---- keys and generic values --------------------------------------------------- */

/* Name a key: "local", "prefix:local" (prefix from the @context), or an
 * absolute IRI "scheme://.../local". An undeclared prefix is reported and the
 * whole key becomes the name (ns NULL), so nothing is lost. */
static void resolve_key(reader *r, const char *key, qname *q)
{
    memset(q, 0, sizeof *q);
    q->local = key;
    const char *colon = strchr(key, ':');
    if (!colon || colon == key)
        return;
    if (colon[1] == '/' && colon[2] == '/') {
        const char *cut = NULL;
        for (const char *c = colon + 3; *c; c++)
            if (*c == '/' || *c == '#')
                cut = c;
        if (cut && cut[1]) {
            q->ns = key;
            q->ns_len = (size_t)(cut + 1 - key);
            q->local = cut + 1;
        }
        return;
    }
    size_t plen = (size_t)(colon - key);
    const char *iri = lookup_prefix(r, key, plen);
    if (!iri || !colon[1]) {
        if (!iri)
            err(r, ST_ERR_SYNTAX, "prefix \"%.*s\" of \"%s\" is not declared in the @context",
                (int)plen, key, key);
        else
            err(r, ST_ERR_SYNTAX, "key \"%s\" has no local name after its prefix", key);
        return;
    }
    q->ns = iri;
    q->ns_len = strlen(iri);
    q->prefix = key;
    q->prefix_len = plen;
    q->local = colon + 1;
}

static void build_members(reader *r, st_evnode *node, json_t *obj, const shape *sh);

/* The node(s) for value v under the name q: a scalar node, a structure, or for
 * an array one node per element. attr is added to scalar nodes. */
static void build_value(reader *r, st_evnode *parent, const qname *q, json_t *v, unsigned attr,
                        int in_array)
{
    const char *p;
    size_t n;
    unsigned flags;
    if (json_is_null(v)) {
        err(r, ST_ERR_SYNTAX, "must not be null");
    } else if (json_is_object(v)) {
        st_evnode *node = add(r, parent, q, NULL, 0, 0);
        if (node)
            build_members(r, node, v, NULL);
    } else if (json_is_array(v)) {
        if (in_array) {
            err(r, ST_ERR_UNSUPPORTED, "an array inside an array has no EPCIS form");
            return;
        }
        for (size_t i = 0; i < json_array_size(v) && !r->fatal; i++) {
            size_t save = path_index(r, i);
            build_value(r, parent, q, json_array_get(v, i), attr, 1);
            path_pop(r, save);
        }
    } else if (scalar(r, v, &p, &n, &flags)) {
        add(r, parent, q, p, n, flags | attr);
    }
}

/* ---- standard fields ---------------------------------------------------------- */

static const char *expected(field_kind k)
{
    switch (k) {
    case K_NUMBER:
        return "a number";
    case K_BOOL:
        return "true or false";
    case K_STRINGS:
        return "a string or an array of strings";
    case K_STR_ARRAY:
    case K_LIST:
        return "an array of strings";
    case K_OBJ_LIST:
    case K_OBJ_ARRAY:
        return "an array of objects";
    case K_OBJECT:
        return "an object";
    default:
        return "a string";
    }
}

/* One element of an array field: a string node or an object node named name. */
static void build_item(reader *r, st_evnode *parent, const char *name, json_t *v, int objects,
                       const shape *sub)
{
    if (objects ? !json_is_object(v) : !json_is_string(v)) {
        type_err(r, objects ? "an object" : "a string", v);
        return;
    }
    if (!objects) {
        add_field(r, parent, name, json_string_value(v), json_string_length(v), 0);
        return;
    }
    st_evnode *node = add_field(r, parent, name, NULL, 0, 0);
    if (node)
        build_members(r, node, v, sub);
}

/* One node named name under parent for each element of array v. */
static void build_items(reader *r, st_evnode *parent, const char *name, json_t *v, int objects,
                        const shape *sub)
{
    for (size_t i = 0; i < json_array_size(v) && !r->fatal; i++) {
        size_t save = path_index(r, i);
        build_item(r, parent, name, json_array_get(v, i), objects, sub);
        path_pop(r, save);
    }
}

/* The node(s) for standard field f with value v under parent. */
static void build_field(reader *r, st_evnode *parent, const field *f, json_t *v, unsigned attr)
{
    unsigned flags = f->flags | attr;
    int ok;
    switch (f->kind) {
    case K_SKIP:
        return;
    case K_VALUE:
    case K_STRING:
        ok = json_is_string(v);
        break;
    case K_NUMBER:
        ok = json_is_number(v);
        break;
    case K_BOOL:
        ok = json_is_boolean(v);
        break;
    case K_STRINGS:
        ok = json_is_string(v) || json_is_array(v);
        break;
    case K_OBJECT:
        ok = json_is_object(v);
        break;
    default:
        ok = json_is_array(v);
        break;
    }
    if (!ok) {
        type_err(r, expected(f->kind), v);
        return;
    }
    const char *p;
    size_t n;
    unsigned vflags;
    switch (f->kind) {
    case K_VALUE:
        if (!(parent->value = st_arena_strndup(r->a, json_string_value(v), json_string_length(v))))
            no_memory(r, r->a);
        return;
    case K_STRING:
    case K_NUMBER:
    case K_BOOL:
        if (scalar(r, v, &p, &n, &vflags))
            add_field(r, parent, f->key, p, n, vflags | flags);
        return;
    case K_OBJECT: {
        st_evnode *node = add_field(r, parent, f->key, NULL, 0, f->flags);
        if (node)
            build_members(r, node, v, f->sub);
        return;
    }
    case K_STRINGS:
        if (json_is_string(v))
            add_field(r, parent, f->key, json_string_value(v), json_string_length(v), flags);
        else
            build_items(r, parent, f->key, v, 0, NULL);
        return;
    case K_STR_ARRAY:
    case K_OBJ_ARRAY:
        build_items(r, parent, f->key, v, f->kind == K_OBJ_ARRAY, f->sub);
        return;
    case K_LIST:
    case K_OBJ_LIST: {
        st_evnode *list = add_field(r, parent, f->key, NULL, 0, ST_EVN_LIST);
        if (list)
            build_items(r, list, f->item, v, f->kind == K_OBJ_LIST, f->sub);
        return;
    }
    default:
        return;
    }
}

/* The field of sh (may be NULL) with key key, or NULL. The first bytes are
 * compared before the rest: most keys differ there. */
static const field *find_field(const shape *sh, const char *key)
{
    for (size_t i = 0; sh && i < sh->n; i++)
        if (sh->fields[i].key[0] == key[0] && !strcmp(sh->fields[i].key, key))
            return &sh->fields[i];
    return NULL;
}

/* The members of object obj as children of node, in key order: standard ones
 * by the table sh (NULL: none), the rest (extensions, unknown keys) generic.
 * The object's own @context is bound first. */
static void build_members(reader *r, st_evnode *node, json_t *obj, const shape *sh)
{
    bind_context(r, json_object_get(obj, "@context"));
    unsigned attr = sh ? sh->attr : 0;
    json_t *id = sh && sh->id_first ? json_object_get(obj, "id") : NULL;
    if (id) {
        size_t save = path_push(r, "id");
        build_field(r, node, find_field(sh, "id"), id, attr);
        path_pop(r, save);
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (r->fatal)
            return;
        if ((key[0] == '@' && !strcmp(key, "@context")) || (id && !strcmp(key, "id")))
            continue;
        size_t save = path_push(r, key);
        const field *f = find_field(sh, key);
        if (f) {
            build_field(r, node, f, v, attr);
        } else {
            qname q;
            resolve_key(r, key, &q);
            build_value(r, node, &q, v, attr, 0);
        }
        path_pop(r, save);
    }
}

/* ---- events and the document ---------------------------------------------------- */

static void keep(reader *r, st_event *e)
{
    st_epcis_doc *doc = r->doc;
    if (doc->n_kept == r->kept_cap) {
        size_t ncap = r->kept_cap ? r->kept_cap * 2 : 16;
        st_event **nk = st_arena_alloc(doc->arena, ncap * sizeof *nk);
        if (!nk) {
            no_memory(r, doc->arena);
            return;
        }
        if (doc->n_kept)
            memcpy(nk, doc->kept, doc->n_kept * sizeof *nk);
        doc->kept = nk;
        r->kept_cap = ncap;
    }
    doc->kept[doc->n_kept++] = e;
}

/* Build event ev (index i, path already at it) and hand it on. */
static void read_event(reader *r, json_t *ev, long i, st_epcis_on_event cb, void *ctx)
{
    r->event = i;
    r->a = cb ? r->ev_arena : r->doc->arena;
    r->ev_base = st_arena_used(r->a);
    json_t *type = json_object_get(ev, "type");
    st_event *e = NULL;
    if (!type) {
        err(r, ST_ERR_SYNTAX, "an event needs a \"type\"");
    } else if (!json_is_string(type)) {
        size_t save = path_push(r, "type");
        type_err(r, "a string", type);
        path_pop(r, save);
    } else if (!(e = st_arena_calloc(r->a, sizeof *e))) {
        no_memory(r, r->a);
    } else {
        e->root = add_field(r, NULL, json_string_value(type), NULL, 0, 0);
        if (e->root)
            build_members(r, e->root, ev, &event_shape);
    }
    if (e && e->root && !r->fatal) {
        e->type = st_event_type_from_name(e->root->name);
        e->index = i;
        r->doc->events++;
        if (!cb) {
            keep(r, e);
        } else {
            st_rc rc = cb(ctx, r->doc, e);
            if (rc != ST_OK)
                fatal(r, rc);
        }
    }
    if (cb)
        st_arena_reset(r->ev_arena);
    r->a = r->doc->arena;
    r->event = -1;
}

static void read_events(reader *r, json_t *list, st_epcis_on_event cb, void *ctx)
{
    for (size_t i = 0; i < json_array_size(list) && !r->fatal; i++) {
        size_t save = path_index(r, i);
        json_t *ev = json_array_get(list, i);
        if (json_is_object(ev)) {
            read_event(r, ev, (long)i, cb, ctx);
        } else {
            r->event = (long)i;
            type_err(r, "an event object", ev);
            r->event = -1;
        }
        path_pop(r, save);
    }
}

static st_evnode *header(reader *r)
{
    st_epcis_doc *doc = r->doc;
    if (!doc->header)
        doc->header = add_field(r, NULL, "header", NULL, 0, 0);
    return doc->header;
}

/* A document-level member that is kept in doc->header. */
static void header_member(reader *r, const char *key, json_t *v)
{
    st_evnode *h = header(r);
    if (!h)
        return;
    const field *f = find_field(&header_shape, key);
    if (f) {
        build_field(r, h, f, v, 0);
    } else {
        qname q;
        resolve_key(r, key, &q);
        build_value(r, h, &q, v, 0, 0);
    }
}

/* Walk obj (path at it): every member but `want` goes to the header; then
 * return the member `want`, an array when is_array else an object, or NULL
 * with the fault reported. */
static json_t *body_level(reader *r, json_t *obj, const char *want, int is_array)
{
    bind_context(r, json_object_get(obj, "@context"));
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (r->fatal)
            return NULL;
        if (!strcmp(key, want) || !strcmp(key, "@context"))
            continue;
        size_t save = path_push(r, key);
        header_member(r, key, v);
        path_pop(r, save);
    }
    json_t *v_want = json_object_get(obj, want);
    if (!v_want) {
        err(r, ST_ERR_SYNTAX, "missing \"%s\"", want);
        return NULL;
    }
    if (is_array ? !json_is_array(v_want) : !json_is_object(v_want)) {
        size_t save = path_push(r, want);
        type_err(r, is_array ? "an array" : "an object", v_want);
        path_pop(r, save);
        return NULL;
    }
    return v_want;
}

static void doc_string(reader *r, const char **out, json_t *v)
{
    if (!json_is_string(v)) {
        type_err(r, "a string", v);
        return;
    }
    if (!(*out = st_arena_strndup(r->doc->arena, json_string_value(v), json_string_length(v))))
        no_memory(r, r->doc->arena);
}

/* The eventList of a document or query document (for the cap pass), or NULL. */
static json_t *find_events(json_t *root, st_epcis_doc_kind kind)
{
    json_t *body = json_object_get(root, "epcisBody");
    if (kind == ST_EPCIS_DOC_QUERY)
        body = json_object_get(json_object_get(body, "queryResults"), "resultsBody");
    json_t *list = json_object_get(body, "eventList");
    return json_is_array(list) ? list : NULL;
}

static void read_document(reader *r, json_t *root, st_epcis_on_event cb, void *ctx)
{
    json_t *body = NULL;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (r->fatal)
            return;
        size_t save = path_push(r, key);
        if (!strcmp(key, "@context"))
            ; /* bound before */
        else if (!strcmp(key, "schemaVersion"))
            doc_string(r, &r->doc->schema_version, v);
        else if (!strcmp(key, "creationDate"))
            doc_string(r, &r->doc->creation_date, v);
        else if (!strcmp(key, "epcisBody"))
            body = v;
        else
            header_member(r, key, v);
        path_pop(r, save);
    }
    if (!body) {
        err(r, ST_ERR_SYNTAX, "missing \"epcisBody\"");
        return;
    }
    size_t save = path_push(r, "epcisBody");
    if (!json_is_object(body)) {
        type_err(r, "an object", body);
    } else if (r->doc->kind == ST_EPCIS_DOC_QUERY) {
        json_t *qr = body_level(r, body, "queryResults", 0);
        if (qr) {
            path_push(r, "queryResults");
            json_t *rb = body_level(r, qr, "resultsBody", 0);
            if (rb) {
                path_push(r, "resultsBody");
                body = body_level(r, rb, "eventList", 1);
            } else {
                body = NULL;
            }
        } else {
            body = NULL;
        }
    } else {
        body = body_level(r, body, "eventList", 1);
    }
    if (json_is_array(body)) {
        path_push(r, "eventList");
        read_events(r, body, cb, ctx);
    }
    path_pop(r, save);
}

/* Document kind from the root's "type" (and, when it is not a document type,
 * from the presence of epcisBody). */
static st_epcis_doc_kind classify(reader *r, json_t *root)
{
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && !strcmp(type, "EPCISDocument"))
        return ST_EPCIS_DOC_DOCUMENT;
    if (type && !strcmp(type, "EPCISQueryDocument"))
        return ST_EPCIS_DOC_QUERY;
    json_t *body = json_object_get(root, "epcisBody");
    if (!body)
        return ST_EPCIS_DOC_EVENT;
    size_t save = path_push(r, "type");
    err(r, ST_ERR_SYNTAX,
        "a document with an epcisBody must have type \"EPCISDocument\" or "
        "\"EPCISQueryDocument\"");
    path_pop(r, save);
    return json_object_get(body, "queryResults") ? ST_EPCIS_DOC_QUERY : ST_EPCIS_DOC_DOCUMENT;
}

static st_rc read_root(reader *r, json_t *root, const char *buf, size_t n, st_epcis_on_event cb,
                       void *ctx)
{
    st_epcis_doc *doc = r->doc;
    if (!json_is_object(root)) {
        err(r, ST_ERR_SYNTAX, "an EPCIS JSON-LD document must be a JSON object (found %s)",
            json_kind(root));
        return ST_ERR_SYNTAX;
    }
    doc->kind = classify(r, root);
    r->events = doc->kind == ST_EPCIS_DOC_EVENT ? NULL : find_events(root, doc->kind);
    if (r->events && json_array_size(r->events) > ST_EPCIS_MAX_EVENTS) {
        r->plen = 0;
        path_push(r, "epcisBody");
        if (doc->kind == ST_EPCIS_DOC_QUERY) {
            path_push(r, "queryResults");
            path_push(r, "resultsBody");
        }
        path_push(r, "eventList");
        err(r, ST_ERR_LIMIT, "document holds %zu events; the limit is %d",
            json_array_size(r->events), ST_EPCIS_MAX_EVENTS);
        return ST_ERR_LIMIT;
    }
    path_pop(r, 0);
    r->event = doc->kind == ST_EPCIS_DOC_EVENT ? 0 : -1;
    if (!caps_hold(r, root, 1)) {
        r->n_nums = 0;
        cap_pass(r, root, 1);
    }
    r->event = -1;
    if (r->over_cap)
        return ST_ERR_LIMIT;
    if (!r->fatal)
        number_texts(r, buf, n);
    if (r->fatal)
        return r->fatal;
    if (cb && !(r->ev_arena = st_arena_create(ST_EPCIS_MAX_EVENT_BYTES)))
        return ST_ERR_NOMEM;
    if (doc->kind == ST_EPCIS_DOC_EVENT) {
        read_event(r, root, 0, cb, ctx); /* binds the event's @context itself */
    } else {
        bind_context(r, json_object_get(root, "@context"));
        read_document(r, root, cb, ctx);
    }
    return r->fatal;
}

st_rc st_jsonld_read(st_epcis_doc *doc, const char *buf, size_t n, st_epcis_on_event cb, void *ctx,
                     st_diag *diag)
{
    if (!doc || !doc->arena || !diag || (!buf && n))
        return ST_ERR_ARG;
    doc->format = ST_EPCIS_FMT_JSONLD;
    doc->kind = ST_EPCIS_DOC_DOCUMENT;
    doc->schema_version = doc->creation_date = NULL;
    doc->ns = doc->header = NULL;
    doc->events = doc->n_kept = 0;
    doc->kept = NULL;
    if (n > ST_EPCIS_MAX_DOC_BYTES) {
        st_diag_add(diag, ST_ERR_LIMIT, -1, "", "document holds %zu bytes; the limit is %u", n,
                    ST_EPCIS_MAX_DOC_BYTES);
        return ST_ERR_LIMIT;
    }
    if (!buf)
        buf = "";
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
        buf += 3; /* UTF-8 byte order mark */
        n -= 3;
    }
    json_error_t je;
    json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
    if (!root) {
        st_diag_add(diag, ST_ERR_SYNTAX, -1, "", "malformed JSON at line %d, column %d: %s",
                    je.line, je.column, je.text);
        return ST_ERR_SYNTAX;
    }
    reader *r = calloc(1, sizeof *r);
    if (!r) {
        json_decref(root);
        return ST_ERR_NOMEM;
    }
    r->doc = doc;
    r->diag = diag;
    r->a = doc->arena;
    r->event = -1;
    st_rc rc = read_root(r, root, buf, n, cb, ctx);
    st_arena_destroy(r->ev_arena);
    free(r->nums);
    free(r);
    json_decref(root);
    return rc;
}
