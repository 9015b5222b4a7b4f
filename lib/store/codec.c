/*
 * st_codec: event trees to storage bodies and back (the format is described
 * in codec.h). Encoding walks the tree twice: once to check it and gather the
 * string table, once to write; decoding checks every count against the bytes
 * left before it allocates or loops.
 */
#include "store/codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "common/error.h"

/* Bits of a node's head byte */
#define HEAD_FLAGS 0x0Fu  /* the node's ST_EVN_* flags */
#define HEAD_VALUE 0x10u  /* a value follows */
#define HEAD_KIDS 0x20u   /* a child count and the children follow */
#define HEAD_NS 0x40u     /* a namespace (string table index) follows */
#define HEAD_PREFIX 0x80u /* a prefix (string table index) follows */

/* Forms of a value: the low two bits of its first varint, the rest x */
#define VAL_PREV 0u   /* x bytes of the previous value, then a length and bytes */
#define VAL_TABLE 1u  /* string table entry x */
#define VAL_PREFIX 2u /* standard prefix x, then a length and bytes */
#define VAL_STD 3u    /* exactly standard prefix x */

/* Bits of the info byte after the version */
#define INFO_TYPE 0x0Fu     /* the event type */
#define INFO_BINDINGS 0x10u /* a bindings node precedes the event */

_Static_assert((ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST) == HEAD_FLAGS,
               "node flags must fit the low four bits of the head byte");
_Static_assert(ST_EVENT_ASSOCIATION <= INFO_TYPE, "event types must fit the info byte");

/*
 * The standard names, code = position + 1, and the standard value prefixes,
 * index = position. Both are part of the body format: never reorder or
 * remove an entry; append new ones at the end, raise ST_CODEC_VERSION and
 * record the new counts in in_version. Names: the field names of EPCIS 2.0
 * events (event.h, jsonld.c, hashid.c), the event type names, the readers'
 * bindings node ("ns") and the CBV master data attributes found in ilmd.
 * Value prefixes: identifier and vocabulary URI families and the action and
 * boolean words, the most frequent first (indexes below 32 take one byte).
 */
/* clang-format off */
static const char *const std_names[] = {
    "AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent",
    "TransformationEvent", "action", "bestBeforeDate", "bizLocation", "bizRules", "bizStep",
    "bizTransaction", "bizTransactionList", "booleanValue", "certificationInfo",
    "chemicalSubstance", "childEPCs", "childQuantityList", "component",
    "coordinateReferenceSystem", "correctiveEventID", "correctiveEventIDs", "countryOfExport",
    "countryOfOrigin", "dataProcessingMethod", "declarationTime", "destination",
    "destinationList", "deviceID", "deviceMetadata", "disposition", "drainedWeight", "endTime",
    "epc", "epcClass", "epcList", "errorDeclaration", "eventID", "eventTime",
    "eventTimeZoneOffset", "exception", "extension", "firstFreezeDate", "grossWeight",
    "growingMethodCode", "harvestEndDate", "harvestStartDate", "hexBinaryValue", "id", "ilmd",
    "inputEPCList", "inputQuantityList", "itemExpirationDate", "lotNumber", "maxValue",
    "meanValue", "measurementUnitCode", "microorganism", "minValue", "netWeight", "ns",
    "outputEPCList", "outputQuantityList", "parentID", "percRank", "percValue",
    "persistentDisposition", "preservationTechniqueCode", "productionDate", "quantity",
    "quantityElement", "quantityList", "rawData", "readPoint", "reason", "recordTime", "sDev",
    "sellByDate", "sensorElement", "sensorElementList", "sensorMetadata", "sensorReport", "set",
    "source", "sourceList", "startTime", "storageStateCode", "stringValue", "time",
    "transformationID", "type", "unset", "uom", "uriValue", "value",
};

static const char *const std_prefixes[] = {
    "urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:id:sgln:", "urn:epcglobal:cbv:bizstep:",
    "urn:epcglobal:cbv:disp:", "urn:epcglobal:cbv:btt:", "urn:epcglobal:cbv:sdt:",
    "urn:epc:class:lgtin:", "https://id.gs1.org/01/", "https://id.gs1.org/00/",
    "https://id.gs1.org/414/", "https://ref.gs1.org/cbv/BizStep-",
    "https://ref.gs1.org/cbv/Disp-", "https://ref.gs1.org/cbv/BTT-",
    "https://ref.gs1.org/cbv/SDT-", "OBSERVE", "ADD", "DELETE", "true", "false", "gs1:", "cbv:",
    "urn:epc:id:grai:", "urn:epc:id:giai:", "urn:epc:id:pgln:", "https://id.gs1.org/8004/",
    "urn:uuid:", "ni:///sha-256;", "http://", "https://", "urn:epc:idpat:sgtin:",
    "urn:epc:id:gdti:",
    /* 32: two-byte indexes from here */
    "urn:epc:id:gsrn:", "urn:epc:id:gsrnp:", "urn:epc:id:cpi:", "urn:epc:id:sgcn:",
    "urn:epc:id:ginc:", "urn:epc:id:gsin:", "urn:epc:id:itip:", "urn:epc:id:upui:",
    "urn:epc:id:gid:", "urn:epc:id:", "urn:epc:idpat:", "urn:epc:class:",
    "urn:epcglobal:cbv:er:", "urn:epcglobal:cbv:bt:", "urn:epcglobal:cbv:",
    "https://id.gs1.org/417/", "https://id.gs1.org/8003/", "https://id.gs1.org/253/",
    "https://id.gs1.org/", "https://ref.gs1.org/cbv/ER-", "https://ref.gs1.org/cbv/",
    "https://gs1.org/voc/", "cbv:BizStep-", "cbv:Disp-", "cbv:BTT-", "cbv:SDT-", "cbv:ER-",
    "urn:",
};
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define STD_NAMES COUNT(std_names)
#define STD_PREFIXES COUNT(std_prefixes)
_Static_assert(STD_NAMES <= 255, "name codes are one byte");

/* How many standard names and value prefixes a body of each version may use. */
static const struct {
    unsigned names;    /* codes 1..names */
    unsigned prefixes; /* indexes 0..prefixes-1 */
} in_version[ST_CODEC_VERSION + 1] = {[1] = {94, 60}};
_Static_assert(STD_NAMES == 94 && STD_PREFIXES == 60, "a table grew: raise ST_CODEC_VERSION");

/* Look-up structures over both tables, built once: names and value
 * prefixes hashed (slot = position + 1, 0 empty), the prefixes' lengths, the
 * bytes they start and end with, and the longest one's length. */
#define NAME_SLOTS 512   /* a power of two, at least twice 255 */
#define PREFIX_SLOTS 256 /* the same for the prefixes */
static unsigned char name_slot[NAME_SLOTS];
static unsigned char prefix_slot[PREFIX_SLOTS];
static unsigned char prefix_len[STD_PREFIXES];
static unsigned char prefix_first[256], prefix_last[256];
static size_t prefix_max;
static once_flag index_once = ONCE_FLAG_INIT;
_Static_assert(STD_PREFIXES < PREFIX_SLOTS / 2, "prefix slots too few");

static uint32_t str_hash(const char *s, size_t n);

/* Enter s[0..n), table position pos, into slot[0..slots). */
static void hash_in(unsigned char *slot, size_t slots, const char *s, size_t n, size_t pos)
{
    size_t k = str_hash(s, n) & (slots - 1);
    while (slot[k])
        k = (k + 1) & (slots - 1);
    slot[k] = (unsigned char)(pos + 1);
}

static void build_index(void)
{
    for (size_t i = 0; i < STD_NAMES; i++)
        hash_in(name_slot, NAME_SLOTS, std_names[i], strlen(std_names[i]), i);
    for (size_t i = 0; i < STD_PREFIXES; i++) {
        const char *s = std_prefixes[i];
        size_t n = strlen(s);
        hash_in(prefix_slot, PREFIX_SLOTS, s, n, i);
        prefix_len[i] = (unsigned char)n;
        prefix_first[(unsigned char)s[0]] = 1;
        prefix_last[(unsigned char)s[n - 1]] = 1;
        if (n > prefix_max)
            prefix_max = n;
    }
}

unsigned st_codec_name_code(const char *name)
{
    call_once(&index_once, build_index);
    for (size_t k = str_hash(name, strlen(name)) & (NAME_SLOTS - 1);;
         k = (k + 1) & (NAME_SLOTS - 1)) {
        unsigned code = name_slot[k];
        if (!code || !strcmp(std_names[code - 1], name))
            return code;
    }
}

/* The standard prefix that is exactly v[0..n), or -1. */
static int prefix_lookup(const char *v, size_t n)
{
    for (size_t k = str_hash(v, n) & (PREFIX_SLOTS - 1);; k = (k + 1) & (PREFIX_SLOTS - 1)) {
        unsigned i = prefix_slot[k];
        if (!i)
            return -1;
        if (prefix_len[i - 1] == n && !memcmp(std_prefixes[i - 1], v, n))
            return (int)i - 1;
    }
}

/* The longest standard prefix of v[0..n) (its index; its length in *len),
 * or -1; after build_index. Only lengths that end in a byte some prefix ends
 * in ("urn:epc:id:sgtin:" ends in ':') are looked up, longest first. */
static int std_prefix_of(const char *v, size_t n, size_t *len)
{
    if (!prefix_first[(unsigned char)v[0]])
        return -1;
    for (size_t k = n < prefix_max ? n : prefix_max; k > 0; k--) {
        if (!prefix_last[(unsigned char)v[k - 1]])
            continue;
        int i = prefix_lookup(v, k);
        if (i >= 0) {
            *len = k;
            return i;
        }
    }
    return -1;
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
    uint64_t lens;      /* bit n % 64 set for every entry of length n */
    strent e0[16];      /* the first entries */
    uint32_t slot0[32]; /* the first slots */
} strtab;

static void strtab_init(strtab *t)
{
    t->e = t->e0;
    t->n = 0;
    t->lens = 0;
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

/* A hash of s[0..n), eight bytes at a time (multiply and fold). */
static uint32_t str_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 29;
    }
    if (n) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
    }
    h ^= h >> 32;
    return (uint32_t)h;
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

/* Index entry index of t in t's slots. */
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
    t->lens |= (uint64_t)1 << (n % 64);
    strtab_put_slot(t, (uint32_t)t->n);
    t->n++;
    return ST_OK;
}

/* ---- encoding ------------------------------------------------------------ */

typedef struct enc {
    st_bytes *out;             /* where the body goes */
    strtab tab;                /* the body's string table */
    unsigned char *codes;      /* name code of every node in preorder (pass 1 for pass 2) */
    size_t ncodes, ccodes;     /* codes found, codes allocated */
    size_t next;               /* the code pass 2 takes next */
    size_t total;              /* string bytes: table entries plus every value */
    const char *prev;          /* the previous value written, for front coding */
    size_t prev_n;             /* its length */
    st_rc rc;                  /* first failure; writing stops after it */
    unsigned char codes0[512]; /* the first codes */
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
    unsigned code = st_codec_name_code(n->name);
    if (!code)
        intern(e, n->name);
    if (e->ncodes == e->ccodes) {
        unsigned char *c = malloc(2 * e->ccodes);
        if (!c) {
            e->rc = ST_ERR_NOMEM;
            return;
        }
        memcpy(c, e->codes, e->ncodes);
        if (e->codes != e->codes0)
            free(e->codes);
        e->codes = c;
        e->ccodes *= 2;
    }
    e->codes[e->ncodes++] = (unsigned char)code;
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

static size_t varint_len(uint64_t v)
{
    size_t k = 1;
    for (; v >= 0x80; v >>= 7)
        k++;
    return k;
}

/* A value, in the shortest of the four forms. */
static void put_value(enc *e, const char *v)
{
    size_t n = strlen(v), prev_n = e->prev_n;
    const char *prev = e->prev;
    e->prev = v, e->prev_n = n;
    if (e->tab.lens & (uint64_t)1 << (n % 64)) {
        long i = strtab_find(&e->tab, v, n, str_hash(v, n));
        if (i >= 0) {
            put_varint(e, 4 * (uint64_t)i + VAL_TABLE);
            return;
        }
    }
    size_t k = 0, lim = n < prev_n ? n : prev_n, plen = 0;
    while (k < lim && v[k] == prev[k])
        k++;
    /* no standard prefix is longer than prefix_max: sharing that much, the
     * previous value is as good */
    int p = k < n && k < prefix_max ? std_prefix_of(v, n, &plen) : -1;
    if (p >= 0 && plen == n) {
        put_varint(e, 4 * (uint64_t)p + VAL_STD);
        return;
    }
    uint64_t h = 4 * (uint64_t)k + VAL_PREV;
    if (p >= 0) {
        uint64_t hp = 4 * (uint64_t)p + VAL_PREFIX;
        if (varint_len(hp) + varint_len(n - plen) + (n - plen) <
            varint_len(h) + varint_len(n - k) + (n - k))
            h = hp, k = plen;
    }
    put_varint(e, h);
    put_varint(e, n - k);
    put_raw(e, v + k, n - k);
}

/* Pass 2: write the node n and its subtree. */
static void put_node(enc *e, const st_evnode *n)
{
    unsigned code = e->codes[e->next++];
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
    call_once(&index_once, build_index);
    enc e; /* not zeroed whole: the inline arrays need no clearing */
    e.out = out;
    strtab_init(&e.tab);
    e.codes = e.codes0;
    e.ncodes = e.next = 0;
    e.ccodes = sizeof e.codes0;
    e.total = e.prev_n = 0;
    e.prev = "";
    e.rc = ST_OK;
    size_t start = out->n;

    if (bindings)
        collect(&e, bindings, 1);
    collect(&e, ev->root, 1);
    if (e.rc)
        goto out;
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
out:
    if (e.rc)
        out->n = start;
    strtab_free(&e.tab);
    if (e.codes != e.codes0)
        free(e.codes);
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
    unsigned nnames;           /* standard names this body's version may use */
    size_t nprefixes;          /* standard value prefixes it may use */
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
    uint64_t count = 0;
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
        uint64_t n = 0;
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
    uint64_t i = 0;
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

/* A value in any of its four forms into node->value. */
static st_rc get_value(dec *d, st_evnode *node)
{
    const unsigned char *start = d->p;
    uint64_t h = 0, x, m = 0;
    st_rc rc = get_varint(d, &h, "a value");
    if (rc)
        return rc;
    unsigned kind = (unsigned)(h & 3);
    x = h >> 2;
    if ((kind == VAL_TABLE && x >= d->ntab) ||
        ((kind == VAL_STD || kind == VAL_PREFIX) && x >= d->nprefixes))
        return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                       "%s index %llu of a value out of range (%zu entries)",
                       kind == VAL_TABLE ? "string table" : "standard prefix",
                       (unsigned long long)x, kind == VAL_TABLE ? d->ntab : d->nprefixes);
    const char *base; /* the value, or the start it shares */
    size_t k;
    if (kind == VAL_TABLE)
        base = d->tab[x].s, k = d->tab[x].n;
    else if (kind == VAL_PREV) {
        if (x > d->prev_n)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, start), NULL,
                           "value shares %llu bytes with a previous value of %zu bytes",
                           (unsigned long long)x, d->prev_n);
        base = d->prev, k = (size_t)x;
    } else
        base = std_prefixes[x], k = strlen(base);
    if (kind == VAL_TABLE || kind == VAL_STD) { /* the whole value, nothing to copy */
        if ((rc = count_string(d, k, at(d, start))))
            return rc;
        node->value = base;
        d->prev = base, d->prev_n = k;
        return ST_OK;
    }
    if ((rc = get_varint(d, &m, "a value length")) || (rc = check_bytes(d, m, "a value")) ||
        (rc = count_string(d, k + m, at(d, start))))
        return rc;
    char *v = st_arena_alloc(d->a, k + (size_t)m + 1);
    if (!v)
        return no_memory(d);
    memcpy(v, base, k);
    memcpy(v + k, d->p, (size_t)m);
    v[k + m] = '\0';
    d->p += m;
    node->value = v;
    d->prev = v, d->prev_n = k + (size_t)m;
    return ST_OK;
}

/* One node (at level depth) and its subtree, appended to parent's children. */
static st_rc get_node(dec *d, st_evnode *parent, int depth, st_evnode **out)
{
    const unsigned char *start = d->p;
    if (depth > ST_CODEC_MAX_DEPTH)
        return st_fail(d->err, ST_ERR_LIMIT, at(d, start), NULL,
                       "tree deeper than %d levels (twice ST_EPCIS_MAX_DEPTH)", ST_CODEC_MAX_DEPTH);
    unsigned head = 0, code = 0;
    st_rc rc;
    if ((rc = get_u8(d, &head, "a node")) || (rc = get_u8(d, &code, "a name code")))
        return rc;
    st_evnode *n = st_arena_alloc(d->a, sizeof *n);
    if (!n)
        return no_memory(d);
    memset(n, 0, sizeof *n);
    const tabent *e = NULL;
    if (code) {
        if (code > d->nnames)
            return st_fail(d->err, ST_ERR_SYNTAX, at(d, d->p) - 1, NULL,
                           "unknown name code %u (format version %u has %u)", code, d->body[0],
                           d->nnames);
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
        uint64_t kids = 0;
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
    dec d = {.body = body, .p = body + 1, .end = body + n, .a = a, .err = err, .prev = ""};
    if (body[0] < 1 || body[0] > ST_CODEC_VERSION)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL,
                       "unknown body format version %u (this build reads 1 to %d)", body[0],
                       ST_CODEC_VERSION);
    d.nnames = in_version[body[0]].names;
    d.nprefixes = in_version[body[0]].prefixes;
    unsigned info = 0;
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
        return st_fail(err, ST_ERR_SYNTAX, at(&d, d.p), NULL, "%zu trailing bytes after the event",
                       left(&d));
    ev->type = (st_event_type)(info & INFO_TYPE);
    ev->root = root;
    ev->index = -1;
    if (bindings)
        *bindings = bind;
    return ST_OK;
}
