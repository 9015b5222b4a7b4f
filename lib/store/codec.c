/* st_codec: event trees to storage bodies and back (format in codec.h). */
#include "store/codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/* Bits of a node's head byte */
#define HEAD_FLAGS 0x0Fu  /* the node's ST_EVN_* flags */
#define HEAD_VALUE 0x10u  /* a value follows */
#define HEAD_KIDS 0x20u   /* a child count and the children follow */
#define HEAD_NS 0x40u     /* a namespace (string table index) follows */
#define HEAD_PREFIX 0x80u /* a prefix (string table index) follows */

/* Bits of the info byte after the version */
#define INFO_TYPE 0x0Fu     /* the event type */
#define INFO_BINDINGS 0x10u /* a bindings node precedes the event */

_Static_assert((ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST) == HEAD_FLAGS,
               "node flags must fit the low four bits of the head byte");
_Static_assert(ST_EVENT_ASSOCIATION <= INFO_TYPE, "event types must fit the info byte");

/*
 * The standard names, code = position + 1. Part of the body format: never
 * reorder or remove; append new names at the end, raise ST_CODEC_VERSION and
 * add the new count to names_in_version. The version 1 part is in strcmp
 * order, for binary search: the field names of EPCIS 2.0 events (event.h,
 * jsonld.c, hashid.c), the event type names, the readers' bindings node
 * ("ns"), and the CBV master data attributes used in ilmd extensions.
 */
static const char *const std_names[] = {
    "AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent",
    "TransformationEvent", "action", "bestBeforeDate", "bizLocation",
    "bizRules", "bizStep", "bizTransaction", "bizTransactionList",
    "booleanValue", "certificationInfo", "chemicalSubstance", "childEPCs",
    "childQuantityList", "component", "coordinateReferenceSystem", "correctiveEventID",
    "correctiveEventIDs", "countryOfExport", "countryOfOrigin", "dataProcessingMethod",
    "declarationTime", "destination", "destinationList", "deviceID",
    "deviceMetadata", "disposition", "drainedWeight", "endTime",
    "epc", "epcClass", "epcList", "errorDeclaration",
    "eventID", "eventTime", "eventTimeZoneOffset", "exception",
    "extension", "firstFreezeDate", "grossWeight", "growingMethodCode",
    "harvestEndDate", "harvestStartDate", "hexBinaryValue", "id",
    "ilmd", "inputEPCList", "inputQuantityList", "itemExpirationDate",
    "lotNumber", "maxValue", "meanValue", "measurementUnitCode",
    "microorganism", "minValue", "netWeight", "ns",
    "outputEPCList", "outputQuantityList", "parentID", "percRank",
    "percValue", "persistentDisposition", "preservationTechniqueCode", "productionDate",
    "quantity", "quantityElement", "quantityList", "rawData",
    "readPoint", "reason", "recordTime", "sDev",
    "sellByDate", "sensorElement", "sensorElementList", "sensorMetadata",
    "sensorReport", "set", "source", "sourceList",
    "startTime", "storageStateCode", "stringValue", "time",
    "transformationID", "type", "unset", "uom",
    "uriValue", "value",
};
#define STD_COUNT (sizeof std_names / sizeof std_names[0])
#define STD_SORTED 94 /* the version 1 names, in strcmp order */
_Static_assert(STD_COUNT <= 255, "name codes are one byte");
_Static_assert(STD_SORTED <= STD_COUNT, "the sorted part is a prefix of the table");

/* How many standard names a body of each version may use. */
static const unsigned names_in_version[ST_CODEC_VERSION + 1] = {[1] = STD_SORTED};

unsigned st_codec_name_code(const char *name)
{
    size_t lo = 0, hi = STD_SORTED;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, std_names[mid]);
        if (!c)
            return (unsigned)mid + 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (size_t i = STD_SORTED; i < STD_COUNT; i++) /* names appended by later versions */
        if (!strcmp(name, std_names[i]))
            return (unsigned)i + 1;
    return 0;
}

/* ---- st_bytes ------------------------------------------------------------ */

void st_bytes_init(st_bytes *b, size_t max)
{
    b->p = NULL;
    b->n = b->cap = 0;
    b->max = max;
}

void st_bytes_free(st_bytes *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* Room for more bytes after b->n: ST_ERR_LIMIT past b->max, ST_ERR_NOMEM. */
static st_rc bytes_reserve(st_bytes *b, size_t more)
{
    if (b->n > b->max || more > b->max - b->n)
        return ST_ERR_LIMIT;
    if (more <= b->cap - b->n)
        return ST_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n < more)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > b->max)
        cap = b->max;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return ST_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return ST_OK;
}

/* ---- the encoder's string table ----------------------------------------- */

typedef struct strent {
    const char *s; /* the tree's string (not copied) */
    size_t n;      /* its length */
    uint32_t h;    /* its hash */
} strent;

/* Distinct strings in order of first use, with an open-addressing index.
 * Starts in the struct itself; most events need no malloc. */
typedef struct strtab {
    strent *e;          /* entries */
    size_t n, cap;      /* entries used and allocated */
    uint32_t *slot;     /* entry index + 1, or 0 for an empty slot */
    size_t mask;        /* slots - 1 (slots a power of two, at least twice n) */
    strent e0[16];      /* the first entries */
    uint32_t slot0[32]; /* the first slots */
} strtab;

static void strtab_init(strtab *t)
{
    t->e = t->e0;
    t->n = 0;
    t->cap = sizeof t->e0 / sizeof t->e0[0];
    t->slot = t->slot0;
    t->mask = sizeof t->slot0 / sizeof t->slot0[0] - 1;
    memset(t->slot0, 0, sizeof t->slot0);
}

static void strtab_free(strtab *t)
{
    if (t->e != t->e0)
        free(t->e);
    if (t->slot != t->slot0)
        free(t->slot);
}

/* FNV-1a */
static uint32_t str_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The index of s[0..n) (hash h) in t, or -1. */
static long strtab_find(const strtab *t, const char *s, size_t n, uint32_t h)
{
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t k = t->slot[i];
        if (!k)
            return -1;
        const strent *e = &t->e[k - 1];
        if (e->h == h && e->n == n && !memcmp(e->s, s, n))
            return (long)(k - 1);
    }
}

static void strtab_put_slot(strtab *t, uint32_t index)
{
    size_t i = t->e[index].h & t->mask;
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = index + 1;
}

/* Add s[0..n) (hash h, not yet in t) as the last entry. */
static st_rc strtab_add(strtab *t, const char *s, size_t n, uint32_t h)
{
    if (t->n >= UINT32_MAX - 1)
        return ST_ERR_LIMIT;
    if (t->n == t->cap) {
        strent *e = malloc(2 * t->cap * sizeof *e);
        if (!e)
            return ST_ERR_NOMEM;
        memcpy(e, t->e, t->n * sizeof *e);
        if (t->e != t->e0)
            free(t->e);
        t->e = e;
        t->cap *= 2;
    }
    if (2 * (t->n + 1) > t->mask + 1) {
        size_t slots = 2 * (t->mask + 1);
        uint32_t *slot = calloc(slots, sizeof *slot);
        if (!slot)
            return ST_ERR_NOMEM;
        if (t->slot != t->slot0)
            free(t->slot);
        t->slot = slot;
        t->mask = slots - 1;
        for (size_t i = 0; i < t->n; i++)
            strtab_put_slot(t, (uint32_t)i);
    }
    t->e[t->n] = (strent){s, n, h};
    strtab_put_slot(t, (uint32_t)t->n);
    t->n++;
    return ST_OK;
}

/* ---- encoding ------------------------------------------------------------ */

typedef struct enc {
    st_bytes *out;    /* where the body goes */
    strtab tab;       /* the body's string table */
    size_t total;     /* string bytes: table entries plus every value */
    const char *prev; /* the previous value written, for front coding */
    size_t prev_n;    /* its length */
    st_rc rc;         /* first failure; writing stops after it */
} enc;

static void put_raw(enc *e, const void *p, size_t n)
{
    if (e->rc)
        return;
    if ((e->rc = bytes_reserve(e->out, n)) != ST_OK)
        return;
    memcpy(e->out->p + e->out->n, p, n);
    e->out->n += n;
}

static void put_u8(enc *e, unsigned c)
{
    unsigned char b = (unsigned char)c;
    put_raw(e, &b, 1);
}

static void put_varint(enc *e, uint64_t v)
{
    unsigned char b[10];
    size_t k = 0;
    while (v >= 0x80) {
        b[k++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[k++] = (unsigned char)v;
    put_raw(e, b, k);
}

/* Count one string into the total, checking both caps. */
static void add_total(enc *e, size_t n)
{
    if (e->rc)
        return;
    if (n > ST_EPCIS_MAX_STRING || n > ST_EPCIS_MAX_EVENT_BYTES - e->total)
        e->rc = ST_ERR_LIMIT;
    else
        e->total += n;
}

/* Put s in the string table unless it is there. */
static void intern(enc *e, const char *s)
{
    size_t n = strlen(s);
    uint32_t h = str_hash(s, n);
    if (e->rc || strtab_find(&e->tab, s, n, h) >= 0)
        return;
    add_total(e, n);
    if (!e->rc)
        e->rc = strtab_add(&e->tab, s, n, h);
}

/* Pass 1: check the tree rooted at n (at level depth) and fill the table. */
static void collect(enc *e, const st_evnode *n, int depth)
{
    if (e->rc)
        return;
    if (depth > ST_CODEC_MAX_DEPTH) {
        e->rc = ST_ERR_LIMIT;
        return;
    }
    if (!n->name) {
        e->rc = ST_ERR_ARG;
        return;
    }
    if (n->flags & ~HEAD_FLAGS) {
        e->rc = ST_ERR_UNSUPPORTED;
        return;
    }
    if (!st_codec_name_code(n->name))
        intern(e, n->name);
    if (n->ns)
        intern(e, n->ns);
    if (n->prefix)
        intern(e, n->prefix);
    if (n->value)
        add_total(e, strlen(n->value));
    for (const st_evnode *c = n->first; c; c = c->next)
        collect(e, c, depth + 1);
}

/* The table index of s, which collect() put there. */
static void put_ref(enc *e, const char *s)
{
    size_t n = strlen(s);
    long i = strtab_find(&e->tab, s, n, str_hash(s, n));
    if (i < 0 && !e->rc)
        e->rc = ST_ERR_INTERNAL;
    put_varint(e, i < 0 ? 0 : (uint64_t)i);
}

static void put_value(enc *e, const char *v)
{
    size_t n = strlen(v);
    if (e->tab.n) {
        long i = strtab_find(&e->tab, v, n, str_hash(v, n));
        if (i >= 0) {
            put_varint(e, 2 * (uint64_t)i + 1);
            e->prev = v, e->prev_n = n;
            return;
        }
    }
    size_t k = 0, lim = n < e->prev_n ? n : e->prev_n;
    while (k < lim && v[k] == e->prev[k])
        k++;
    put_varint(e, 2 * (uint64_t)k);
    put_varint(e, n - k);
    put_raw(e, v + k, n - k);
    e->prev = v, e->prev_n = n;
}

/* Pass 2: write the node n and its subtree. */
static void put_node(enc *e, const st_evnode *n)
{
    unsigned code = st_codec_name_code(n->name);
    put_u8(e, (n->flags & HEAD_FLAGS) | (n->value ? HEAD_VALUE : 0) | (n->first ? HEAD_KIDS : 0) |
                  (n->ns ? HEAD_NS : 0) | (n->prefix ? HEAD_PREFIX : 0));
    put_u8(e, code);
    if (!code)
        put_ref(e, n->name);
    if (n->ns)
        put_ref(e, n->ns);
    if (n->prefix)
        put_ref(e, n->prefix);
    if (n->value)
        put_value(e, n->value);
    if (n->first) {
        uint64_t kids = 0;
        for (const st_evnode *c = n->first; c; c = c->next)
            kids++;
        put_varint(e, kids);
        for (const st_evnode *c = n->first; c && !e->rc; c = c->next)
            put_node(e, c);
    }
}

st_rc st_codec_encode(const st_event *ev, const st_evnode *bindings, st_bytes *out)
{
    if (!ev || !ev->root || !out || (unsigned)ev->type > ST_EVENT_ASSOCIATION)
        return ST_ERR_ARG;
    enc e = {.out = out};
    strtab_init(&e.tab);
    if (bindings)
        collect(&e, bindings, 1);
    collect(&e, ev->root, 1);

    size_t start = out->n;
    put_u8(&e, ST_CODEC_VERSION);
    put_u8(&e, (unsigned)ev->type | (bindings ? INFO_BINDINGS : 0));
    put_varint(&e, e.tab.n);
    for (size_t i = 0; i < e.tab.n; i++) {
        put_varint(&e, e.tab.e[i].n);
        put_raw(&e, e.tab.e[i].s, e.tab.e[i].n);
    }
    if (bindings)
        put_node(&e, bindings);
    put_node(&e, ev->root);
    if (e.rc)
        out->n = start;
    strtab_free(&e.tab);
    return e.rc;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct tabent {
    const char *s; /* NUL-terminated copy in the arena */
    size_t n;      /* its length */
} tabent;

typedef struct dec {
    const unsigned char *body; /* the whole body, for offsets */
    const unsigned char *p;    /* next byte to read */
    const unsigned char *end;  /* one past the last byte */
    st_arena *a;               /* receives the tree */
    st_error *err;             /* receives the reason of a failure; may be NULL */
    tabent *tab;               /* the string table */
    size_t ntab;               /* its entries */
    unsigned nstd;             /* standard names this body's version may use */
    size_t total;              /* string bytes so far, as enc counts them */
    const char *prev;          /* the previous value, for front coding */
    size_t prev_n;             /* its length */
} dec;

static long at(const dec *d, const unsigned char *p)
{
    return (long)(p - d->body);
}

static size_t left(const dec *d)
{
    return (size_t)(d->end - d->p);
}

static st_rc no_memory(dec *d)
{
    if (st_arena_over_cap(d->a))
        return st_fail(d->err, ST_ERR_LIMIT, at(d, d->p), NULL,
                       "the arena's cap was reached while decoding the body");
    return st_fail(d->err, ST_ERR_NOMEM, at(d, d->p), NULL, "out of memory decoding the body");
}

static st_rc get_u8(dec *d, unsigned *c, const char *what)
{
    if (d->p == d->end)
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, d->p), NULL,
                       "truncated body: it ends where %s should be", what);
    *c = *d->p++;
    return ST_OK;
}

/* A minimal-form unsigned LEB128 varint of at most 64 bits. */
static st_rc get_varint(dec *d, uint64_t *v, const char *what)
{
    const unsigned char *start = d->p;
    uint64_t x = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (d->p == d->end)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                           start == d->end ? "truncated body: it ends where %s should be"
                                           : "truncated varint: the body ends inside %s",
                           what);
        unsigned c = *d->p++;
        if (shift == 63 && c > 1)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                           "varint of %s does not fit in 64 bits", what);
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            if (c == 0 && d->p - start > 1)
                return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                               "over-long varint for %s (not in minimal form)", what);
            *v = x;
            return ST_OK;
        }
    }
}

/* Count n string bytes starting at body offset pos against the caps. */
static st_rc count_string(dec *d, uint64_t n, long pos)
{
    if (n > ST_EPCIS_MAX_STRING)
        return st_fail(d->err, ST_ERR_LIMIT, pos, NULL,
                       "string of %llu bytes; the limit is %d (ST_EPCIS_MAX_STRING)",
                       (unsigned long long)n, ST_EPCIS_MAX_STRING);
    if (n > ST_EPCIS_MAX_EVENT_BYTES - d->total)
        return st_fail(d->err, ST_ERR_LIMIT, pos, NULL,
                       "strings add up to more than %u bytes (ST_EPCIS_MAX_EVENT_BYTES)",
                       ST_EPCIS_MAX_EVENT_BYTES);
    d->total += (size_t)n;
    return ST_OK;
}

/* n raw bytes of a string: in the body, without NUL bytes. */
static st_rc check_bytes(dec *d, uint64_t n, const char *what)
{
    if (n > left(d))
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, d->p), NULL,
                       "length of %s (%llu bytes) runs past the end of the body (%zu bytes left)",
                       what, (unsigned long long)n, left(d));
    const unsigned char *nul = memchr(d->p, 0, (size_t)n);
    if (nul)
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, nul), NULL, "NUL byte in %s", what);
    return ST_OK;
}

static st_rc get_table(dec *d)
{
    const unsigned char *start = d->p;
    uint64_t count;
    st_rc rc = get_varint(d, &count, "the string table count");
    if (rc)
        return rc;
    if (count > left(d)) /* every entry takes at least its length byte */
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                       "string table count %llu is larger than the %zu bytes left",
                       (unsigned long long)count, left(d));
    d->ntab = (size_t)count;
    if (!count)
        return ST_OK;
    if (!(d->tab = st_arena_alloc(d->a, d->ntab * sizeof *d->tab)))
        return no_memory(d);
    for (size_t i = 0; i < d->ntab; i++) {
        uint64_t n;
        long pos = at(d, d->p);
        if ((rc = get_varint(d, &n, "a string length")) || (rc = check_bytes(d, n, "a string")) ||
            (rc = count_string(d, n, pos)))
            return rc;
        char *s = st_arena_strndup(d->a, (const char *)d->p, (size_t)n);
        if (!s)
            return no_memory(d);
        d->tab[i] = (tabent){s, (size_t)n};
        d->p += n;
    }
    return ST_OK;
}

/* A string table index; *e = its entry. */
static st_rc get_ref(dec *d, const tabent **e, const char *what)
{
    const unsigned char *start = d->p;
    uint64_t i;
    st_rc rc = get_varint(d, &i, what);
    if (rc)
        return rc;
    if (i >= d->ntab)
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                       "string table index %llu of %s out of range (%zu entries)",
                       (unsigned long long)i, what, d->ntab);
    *e = &d->tab[i];
    return ST_OK;
}

static st_rc get_value(dec *d, st_evnode *node)
{
    const unsigned char *start = d->p;
    uint64_t h;
    st_rc rc = get_varint(d, &h, "a value");
    if (rc)
        return rc;
    if (h & 1) {
        if (h >> 1 >= d->ntab)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                           "string table index %llu of a value out of range (%zu entries)",
                           (unsigned long long)(h >> 1), d->ntab);
        const tabent *e = &d->tab[h >> 1];
        if ((rc = count_string(d, e->n, at(d, start))))
            return rc;
        node->value = e->s;
        d->prev = e->s, d->prev_n = e->n;
        return ST_OK;
    }
    uint64_t k = h >> 1, m;
    if (k > d->prev_n)
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                       "value shares %llu bytes with a previous value of %zu bytes",
                       (unsigned long long)k, d->prev_n);
    if ((rc = get_varint(d, &m, "a value length")) || (rc = check_bytes(d, m, "a value")) ||
        (rc = count_string(d, k + m, at(d, start))))
        return rc;
    char *v = st_arena_alloc(d->a, (size_t)(k + m) + 1);
    if (!v)
        return no_memory(d);
    memcpy(v, d->prev, (size_t)k);
    memcpy(v + k, d->p, (size_t)m);
    v[k + m] = '\0';
    d->p += m;
    node->value = v;
    d->prev = v, d->prev_n = (size_t)(k + m);
    return ST_OK;
}

/* One node (at level depth) and its subtree, appended to parent's children. */
static st_rc get_node(dec *d, st_evnode *parent, int depth, st_evnode **out)
{
    const unsigned char *start = d->p;
    if (depth > ST_CODEC_MAX_DEPTH)
        return st_fail(d->err, ST_ERR_LIMIT, at(d, start), NULL,
                       "tree deeper than %d levels (twice ST_EPCIS_MAX_DEPTH)",
                       ST_CODEC_MAX_DEPTH);
    unsigned head, code;
    st_rc rc;
    if ((rc = get_u8(d, &head, "a node")) || (rc = get_u8(d, &code, "a name code")))
        return rc;
    st_evnode *n = st_arena_alloc(d->a, sizeof *n);
    if (!n)
        return no_memory(d);
    memset(n, 0, sizeof *n);
    const tabent *e;
    if (code) {
        if (code > d->nstd)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, d->p) - 1, NULL,
                           "unknown name code %u (format version %u has %u)", code, d->body[0],
                           d->nstd);
        n->name = std_names[code - 1];
    } else {
        if ((rc = get_ref(d, &e, "a name")))
            return rc;
        n->name = e->s;
    }
    if (head & HEAD_NS) {
        if ((rc = get_ref(d, &e, "a namespace")))
            return rc;
        n->ns = e->s;
    }
    if (head & HEAD_PREFIX) {
        if ((rc = get_ref(d, &e, "a prefix")))
            return rc;
        n->prefix = e->s;
    }
    if ((head & HEAD_VALUE) && (rc = get_value(d, n)))
        return rc;
    n->flags = head & HEAD_FLAGS;
    n->parent = parent;
    if (parent) {
        if (parent->last)
            parent->last->next = n;
        else
            parent->first = n;
        parent->last = n;
    }
    if (head & HEAD_KIDS) {
        const unsigned char *cp = d->p;
        uint64_t kids;
        if ((rc = get_varint(d, &kids, "a child count")))
            return rc;
        if (!kids)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, cp), NULL,
                           "child count 0 where children were announced");
        if (kids > left(d) / 2) /* every node takes at least two bytes */
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, cp), NULL,
                           "child count %llu is larger than the %zu bytes left can hold",
                           (unsigned long long)kids, left(d));
        for (uint64_t i = 0; i < kids; i++)
            if ((rc = get_node(d, n, depth + 1, NULL)))
                return rc;
    }
    if (out)
        *out = n;
    return ST_OK;
}

st_rc st_codec_decode(const unsigned char *body, size_t n, st_arena *a, st_event *ev,
                      st_evnode **bindings, st_error *err)
{
    if (!a || !ev || (!body && n))
        return st_fail(err, ST_ERR_ARG, -1, NULL, "st_codec_decode: no arena, event or body");
    if (!n)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "empty body");
    dec d = {.body = body, .p = body + 1, .end = body + n, .a = a, .err = err};
    if (body[0] < 1 || body[0] > ST_CODEC_VERSION)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL,
                       "unknown body format version %u (this build reads 1 to %d)", body[0],
                       ST_CODEC_VERSION);
    d.nstd = names_in_version[body[0]];
    unsigned info;
    st_rc rc = get_u8(&d, &info, "the info byte");
    if (rc)
        return rc;
    if (info & ~(INFO_TYPE | INFO_BINDINGS))
        return st_fail(err, ST_ERR_SYNTAX, 1, NULL, "reserved bits 0x%02x set in the info byte",
                       info & ~(INFO_TYPE | INFO_BINDINGS));
    if ((info & INFO_TYPE) > ST_EVENT_ASSOCIATION)
        return st_fail(err, ST_ERR_SYNTAX, 1, NULL, "unknown event type %u", info & INFO_TYPE);
    if ((rc = get_table(&d)))
        return rc;
    st_evnode *bind = NULL, *root = NULL;
    if ((info & INFO_BINDINGS) && (rc = get_node(&d, NULL, 1, &bind)))
        return rc;
    if ((rc = get_node(&d, NULL, 1, &root)))
        return rc;
    if (d.p != d.end)
        return st_fail(err, ST_ERR_SYNTAX, at(&d, d.p), NULL,
                       "%zu trailing bytes after the event", left(&d));
    ev->type = (st_event_type)(info & INFO_TYPE);
    ev->root = root;
    ev->index = -1;
    if (bindings)
        *bindings = bind;
    return ST_OK;
}
