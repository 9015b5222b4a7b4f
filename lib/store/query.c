/*
 * The EPCIS simple event query (query.h; public part in serialtrack/store.h).
 *
 * st_query_set parses each parameter once into canonical values (CBV Web
 * URIs, identifier keys, ms UTC), as capture.c stores them. st_query_run
 * builds one SQL statement per page (portable SQL, $1..$N numbered in order
 * of appearance) that narrows by indexed columns only and orders by
 * (event_time, id) or id; it runs in keyset batches bound by a snapshot (the
 * largest event id when the first page was served) and the post-filter
 * (cond_ok) decides on the decoded tree whatever SQL left open.
 *
 * Answered by SQL: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action,
 * EQ_bizStep, EQ_disposition, EQ_/WD_readPoint, EQ_/WD_bizLocation, the nine
 * MATCH_ parameters (event_epc through ident keys; patterns as key ranges),
 * EQ_eventID (hash or declared eventID), EQ_transformationID (genealogy),
 * EXISTS_ of the ST_FIELD_* fields and of bizStep, disposition, readPoint,
 * bizLocation. Every post-filtered parameter also narrows by its field bit.
 * By the post-filter: EQ_persistentDisposition_set/unset, EQ_errorReason,
 * GE_/LT_errorDeclarationTime, EQ_correctiveEventID, EQ_source_/destination_/
 * bizTransaction_<type>, *_quantity[_<uom>], the sensor parameters, EXISTS_
 * of other standard fields, and EQ_/GT_/GE_/LT_/LE_/EXISTS_ of extension
 * fields (top level, INNER_, ILMD_, ERROR_DECLARATION_, SENSORELEMENT_,
 * SENSORMETADATA_, SENSORREPORT_, readPoint_, bizLocation_).
 *
 * Plans (SQLite 3.40, EXPLAIN QUERY PLAN; tests/unit/store/query_test.c
 * asserts that none scans the event table where an index applies):
 *  - no parameter, record order:   SEARCH c USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)
 *  - orderBy eventTime (any window): SEARCH c USING COVERING INDEX event_event_time
 *    (event_time>?), no sort
 *  - an eventTime window in record order: the same index, then a top-N sort
 *    of ids ("+c.id" keeps SQLite from walking all ids instead)
 *  - EQ_bizStep (one value), orderBy eventTime: SEARCH c USING COVERING INDEX
 *    event_biz_step (biz_step=? AND event_time>?), no sort; several values or
 *    record order: the same index per value, then a top-N sort of ids;
 *    EQ_disposition, EQ_readPoint, EQ_bizLocation alike with their indexes;
 *    WD_: the recursive CTE over location_child's primary key, then the index
 *  - MATCH_*: ident by key (unique index; key ranges for patterns), event_epc
 *    by primary key (ident=?), events by rowid, top-N sort
 *  - EQ_eventID: MULTI-INDEX OR over event_hash and event_event_id
 *  - EQ_transformationID: genealogy by primary key (xform=?), event_epc by
 *    primary key (ident=?), events by rowid, then event.xform exactly
 *  - GE_/LT_recordTime: batch_record_time gives the first event id, then rowid ranges
 * The outer query fetches the bodies of one batch of ids by rowid, so sorts
 * and scans never carry bodies. Record times never go backwards (backend
 * contract: a later batch never gets an earlier record time), so record
 * order is id order and orderBy=recordTime sorts by id.
 *
 * MATCH_ values are canonical keys (st_cap_canon), matched exactly, except
 * patterns: urn:epc:idpat:S:CP.REF.* (and a bare GTIN Digital Link) is the
 * class key and every key under it (instances, lots); CP.*.* and *.*.* are
 * key prefixes by company prefix or scheme. A GTIN does not say where its
 * company prefix ends, so CP.*.* also matches the longer prefixes that begin
 * with CP's digits. A key range "key >= p AND key < p'" (p' = p with its
 * last byte plus one) stands for "key starts with p": byte order, so the
 * PostgreSQL backend must keep ident.key in the C collation.
 *
 * List values are split at '|' (the REST binding) or, when there is none, at
 * ',': freely between words and numbers; between URIs only when every piece
 * is a URI (',' may occur inside an EPC serial or a geo: location); never in
 * free text (EQ_stringValue, extension fields), which takes '|' only.
 */
#include "store/query.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/error.h"
#include "epcis/cbv.h"
#include "epcis/write.h"
#include "store/capture.h"
#include "store/codec.h"
#include "store/store_int.h"

#define KEY_MAX 2048        /* bytes of one canonical value */
#define BATCH_POST 256      /* candidates per batch when the post-filter decides */
#define BATCH_MAX 1024      /* candidates per batch at most */
#define BATCH_BYTES (32u << 20) /* body bytes one batch holds before it is cut short */
#define TOKEN_VERSION 1     /* first byte of a token */
#define TOKEN_BODY 42       /* bytes before the checksum */
#define TOKEN_BYTES 50      /* with the 8-byte checksum */
#define DL_STEM "https://id.gs1.org"

/* ---- the parsed query ------------------------------------------------------------ */

typedef struct strlist {
    const char **v; /* values, in the query's arena */
    size_t n;       /* how many */
} strlist;

/* One MATCH_ parameter: events naming, in one of roles, an identifier whose
 * key is one of keys or starts with one of pfx (hi: the range ends). */
typedef struct qmatch {
    unsigned roles; /* bit (1 << st_role) per role */
    strlist keys;   /* exact keys */
    strlist pfx;    /* key prefixes (patterns) */
    strlist hi;     /* pfx[i] with its last byte plus one */
} qmatch;

enum cmp { CMP_EQ, CMP_GT, CMP_GE, CMP_LT, CMP_LE, CMP_EXISTS };

/* How a value is compared: what st_query_set does to the parameter's values
 * and the post-filter to the event's. */
enum vk {
    VK_RAW,   /* as written */
    VK_URI,   /* identifier or location: canonical key (st_cap_canon, -1) */
    VK_VOCAB, /* CBV vocabulary term: Web URI */
    VK_HEX,   /* hexBinary: case-insensitive */
    VK_BOOL,  /* true | false */
    VK_TIME,  /* date-time, compared as ms */
    VK_NUM,   /* decimal number */
    VK_LOOSE, /* extension field: equal as text, as numbers or as times */
};

/* Post-filter conditions */
enum cond_kind {
    K_PDISP,      /* persistentDisposition set|unset (field) */
    K_ERR_REASON, /* errorDeclaration reason */
    K_ERR_TIME,   /* errorDeclaration declarationTime */
    K_CORRECTIVE, /* errorDeclaration correctiveEventIDs */
    K_SRCDEST,    /* field sourceList|destinationList, type */
    K_BIZTX,      /* bizTransactionList, type */
    K_QTY,        /* quantity of any quantity list, uom in type (may be NULL) */
    K_SENSOR,     /* attribute field of sensorMetadata or sensorReport, uom in type */
    K_EXISTS,     /* top-level standard field */
    K_EXT,        /* extension field */
};

/* Where an extension field is looked for */
enum scope { S_TOP, S_ILMD, S_ERRDECL, S_SENSORELEMENT, S_SENSORMETADATA, S_SENSORREPORT,
             S_READPOINT, S_BIZLOCATION };

typedef struct operand {
    int is_time; /* ms holds the value, else num */
    int64_t ms;
    double num;
} operand;

typedef struct qcond {
    unsigned char kind;  /* enum cond_kind */
    unsigned char cmp;   /* enum cmp */
    unsigned char vk;    /* enum vk of the values */
    unsigned char scope; /* K_EXT: enum scope */
    unsigned char inner; /* K_EXT: nested below a top-level extension element */
    int vocab;           /* VK_VOCAB: ST_CBV_* */
    const char *field;   /* field, attribute or extension local name */
    const char *type;    /* canonical type (K_SRCDEST, K_BIZTX) or uom (K_QTY, K_SENSOR) */
    const char *ns;      /* K_EXT: namespace IRI, or NULL when given by prefix */
    const char *prefix;  /* K_EXT: prefix, or NULL */
    strlist vals;        /* CMP_EQ: canonical values */
    operand op;          /* GT/GE/LT/LE: the operand */
} qcond;

enum order { ORD_NONE, ORD_EVENT_TIME, ORD_RECORD_TIME };

/* What a token carries (TOKEN_BYTES bytes, base64url). */
typedef struct token {
    unsigned char hash[8]; /* of the normalised parameters */
    int64_t snap;          /* largest event id when the first page was served */
    int64_t key;           /* sort key (event time) of the last event delivered */
    int64_t id;            /* its id */
    int64_t count;         /* events delivered by the pages before */
} token;

#define N_MATCH 9
#define COL_BIZ_STEP 0
#define COL_DISPOSITION 1
#define COL_READ_POINT 2
#define COL_BIZ_LOCATION 3
static const char *const col_names[4] = {"c.biz_step", "c.disposition", "c.read_point",
                                         "c.biz_location"};

struct st_query {
    st_arena *a;                             /* owns every string below */
    const char *names[ST_QUERY_MAX_PARAMS];  /* parameters set */
    const char *norm[ST_QUERY_MAX_PARAMS];   /* their normalised form (NULL: not hashed) */
    int n;                                   /* parameters set */
    const char *cur_norm;                    /* set by the handler of the current one */
    int types_set;                           /* eventType given */
    unsigned types;                          /* bit per st_event_type */
    unsigned actions;                        /* bit per st_action; 0: any */
    int64_t et_ge, et_lt, rt_ge, rt_lt;      /* time bounds (ms) */
    unsigned char has_et_ge, has_et_lt, has_rt_ge, has_rt_lt;
    strlist col_eq[4];                       /* EQ_ per indexed column (COL_*) */
    strlist col_wd[4];                       /* WD_ (read point, biz location) */
    unsigned not_null;                       /* bit per COL_*: must be present */
    qmatch match[N_MATCH];                   /* MATCH_ parameters */
    int n_match;
    strlist eid_text;                        /* EQ_eventID values */
    strlist eid_hash;                        /* of those, 32-byte digests of hash IDs */
    strlist xform;                           /* EQ_transformationID keys */
    int xform_set;
    uint32_t fields;                         /* ST_FIELD_* that must be present */
    qcond *conds;                            /* the post-filter */
    size_t n_conds, cap_conds;
    int order, desc;                         /* enum order; descending */
    int desc_set;                            /* orderDirection given */
    int64_t count_limit, max_count;          /* -1: not given */
    int64_t per_page;
    int has_token;
    token tok;
};

/* ---- small helpers ---------------------------------------------------------------- */

static const char *dup(st_query *q, const char *s, size_t n)
{
    return st_arena_strndup(q->a, s, n);
}

static int list_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return 1;
    return 0;
}

static st_rc list_add(st_query *q, strlist *l, const char *s, size_t n)
{
    const char **v = st_arena_alloc(q->a, (l->n + 1) * sizeof *v);
    const char *c = dup(q, s, n);
    if (!v || !c)
        return ST_ERR_NOMEM;
    if (l->n)
        memcpy(v, l->v, l->n * sizeof *v);
    v[l->n++] = c;
    l->v = v;
    return ST_OK;
}

/* A strict decimal number (what JSON and xsd:decimal/double allow). */
static int parse_num(const char *s, double *out)
{
    if (!s || !*s || (*s != '-' && *s != '+' && *s != '.' && (*s < '0' || *s > '9')))
        return -1;
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int parse_int(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!*s || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_dbl(double a, double b)
{
    return a < b ? -1 : a > b;
}

static int cmp_ok(int c, int cmp)
{
    switch (cmp) {
    case CMP_EQ:
        return c == 0;
    case CMP_GT:
        return c > 0;
    case CMP_GE:
        return c >= 0;
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    default:
        return 1;
    }
}

/* value compared with op (as a time or a number, as op is) */
static int operand_ok(const char *value, const operand *op, int cmp)
{
    if (!value)
        return 0;
    if (op->is_time) {
        int64_t ms;
        return st_cap_time_ms(value, &ms) == ST_OK && cmp_ok(cmp_i64(ms, op->ms), cmp);
    }
    double d;
    return parse_num(value, &d) == 0 && cmp_ok(cmp_dbl(d, op->num), cmp);
}

/* ---- query objects ------------------------------------------------------------------ */

st_rc st_query_create(st_query **out)
{
    if (!out)
        return ST_ERR_ARG;
    *out = NULL;
    st_query *q = calloc(1, sizeof *q);
    if (!q)
        return ST_ERR_NOMEM;
    q->a = st_arena_create(0);
    if (!q->a) {
        free(q);
        return ST_ERR_NOMEM;
    }
    q->count_limit = q->max_count = -1;
    q->per_page = ST_QUERY_DEFAULT_PAGE;
    *out = q;
    return ST_OK;
}

void st_query_destroy(st_query *q)
{
    if (!q)
        return;
    free(q->conds);
    st_arena_destroy(q->a);
    free(q);
}

static qcond *cond_new(st_query *q, int kind)
{
    if (q->n_conds == q->cap_conds) {
        size_t cap = q->cap_conds ? 2 * q->cap_conds : 8;
        qcond *c = realloc(q->conds, cap * sizeof *c);
        if (!c)
            return NULL;
        q->conds = c;
        q->cap_conds = cap;
    }
    qcond *c = &q->conds[q->n_conds++];
    memset(c, 0, sizeof *c);
    c->kind = (unsigned char)kind;
    c->vocab = -1;
    return c;
}

/* ---- values ------------------------------------------------------------------------- */

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The normalised form of the current parameter: its canonical values sorted,
 * so that a token outlives a reordering of list values. */
static st_rc set_norm(st_query *q, const strlist *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    const char **s = malloc((l->n ? l->n : 1) * sizeof *s);
    char *out = st_arena_alloc(q->a, len);
    if (!s || !out) {
        free(s);
        return ST_ERR_NOMEM;
    }
    if (l->n) {
        memcpy(s, l->v, l->n * sizeof *s);
        qsort(s, l->n, sizeof *s, by_str);
    }
    char *p = out;
    for (size_t i = 0; i < l->n; i++) {
        size_t k = strlen(s[i]);
        memcpy(p, s[i], k);
        p += k;
        *p++ = '\x1f';
    }
    *p = '\0';
    free(s);
    q->cur_norm = out;
    return ST_OK;
}

static st_rc set_norm1(st_query *q, const char *v)
{
    strlist l = {&v, 1};
    return set_norm(q, &l);
}

/* The canonical form of one value of kind vk (vocab for VK_VOCAB) into out. */
static st_rc canon_value(const char *name, const char *v, int vk, int vocab, char *out,
                         size_t cap, st_error *err)
{
    if (vk == VK_VOCAB) {
        char why[256];
        if (st_cbv_check(vocab, v, why, sizeof why) != ST_OK)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: %s", name, why);
        if (st_cap_canon(v, vocab, NULL, out, cap) != ST_OK)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a %s value",
                           name, v, st_cbv_get(vocab)->field);
        return ST_OK;
    }
    if (vk == VK_URI) {
        if (!strchr(v, ':'))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a URI", name, v);
        st_rc rc = st_cap_canon(v, -1, NULL, out, cap);
        if (rc == ST_ERR_BUFFER)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes",
                           name, KEY_MAX - 1);
        if (rc)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not an identifier",
                           name, v);
        return ST_OK;
    }
    if (vk == VK_BOOL && strcmp(v, "true") && strcmp(v, "false"))
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not true or false",
                       name, v);
    if (vk == VK_NUM) {
        double d;
        if (parse_num(v, &d))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a number", name,
                           v);
    }
    if (strlen(v) >= cap)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes", name,
                       KEY_MAX - 1);
    strcpy(out, v);
    return ST_OK;
}

/* How a parameter's value splits into a list (see the file comment). */
enum split { SPLIT_NONE, SPLIT_PIPE, SPLIT_ANY, SPLIT_URIS };

/* s[0..n) starts with a URI scheme and ':' */
static int has_scheme(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (!n || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c == ':')
            return 1;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 0;
}

static char separator(const char *value, int split)
{
    if (split == SPLIT_NONE)
        return '\0';
    if (strchr(value, '|'))
        return '|';
    if (split == SPLIT_PIPE || !strchr(value, ','))
        return '\0';
    if (split == SPLIT_URIS)
        for (const char *p = value;;) {
            const char *e = strchr(p, ',');
            if (!has_scheme(p, e ? (size_t)(e - p) : strlen(p)))
                return '\0'; /* a comma inside one URI */
            if (!e)
                break;
            p = e + 1;
        }
    return ',';
}

/*
 * Split value into its list elements (enum split), canonicalise each and
 * append them to out. Sets the normalised form.
 */
static st_rc values(st_query *q, const char *name, const char *value, int vk, int vocab, int split,
                    strlist *out, st_error *err)
{
    char sep = separator(value, split);
    size_t count = 0;
    const char *p = value;
    char one[KEY_MAX], canon[KEY_MAX];
    for (;;) {
        const char *e = sep ? strchr(p, sep) : NULL;
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (!len)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           *value ? "%s: an empty value in the list" : "%s needs a value", name);
        if (++count > ST_QUERY_MAX_VALUES)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s holds more than %d values", name,
                           ST_QUERY_MAX_VALUES);
        if (len >= sizeof one)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes",
                           name, KEY_MAX - 1);
        memcpy(one, p, len);
        one[len] = '\0';
        st_rc rc = canon_value(name, one, vk, vocab, canon, sizeof canon, err);
        if (rc)
            return rc;
        if (!list_has(out, canon) && list_add(q, out, canon, strlen(canon)))
            return ST_ERR_NOMEM;
        if (!e)
            break;
        p = e + 1;
    }
    return set_norm(q, out);
}

static st_rc time_value(st_query *q, const char *name, const char *value, int64_t *ms,
                        st_error *err)
{
    if (st_cap_time_ms(value, ms) != ST_OK)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "%s: \"%.100s\" is not a date-time (ISO 8601 with a time zone, e.g. "
                       "2024-05-01T10:00:00Z)",
                       name, value);
    char t[32];
    snprintf(t, sizeof t, "%" PRId64, *ms);
    return set_norm1(q, t);
}

/* GT_/GE_/LT_/LE_ operand: a date-time or a number. */
static st_rc operand_value(st_query *q, const char *name, const char *value, int vk, operand *op,
                           st_error *err)
{
    memset(op, 0, sizeof *op);
    if (vk != VK_NUM && st_cap_time_ms(value, &op->ms) == ST_OK) {
        op->is_time = 1;
    } else if (vk == VK_TIME || parse_num(value, &op->num)) {
        if (vk == VK_TIME)
            return time_value(q, name, value, &op->ms, err);
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       vk == VK_NUM ? "%s: \"%.100s\" is not a number"
                                    : "%s: \"%.100s\" is neither a number nor a date-time",
                       name, value);
    }
    return set_norm1(q, value);
}

/* ---- MATCH_ values and EPC patterns ------------------------------------------------ */

static st_rc add_prefix(st_query *q, qmatch *m, const char *p)
{
    size_t n = strlen(p);
    char hi[KEY_MAX];
    if (!n || n >= sizeof hi)
        return ST_ERR_INTERNAL;
    memcpy(hi, p, n + 1);
    hi[n - 1] = (char)(hi[n - 1] + 1);
    if (list_has(&m->pfx, p))
        return ST_OK;
    if (list_add(q, &m->pfx, p, n) || list_add(q, &m->hi, hi, n))
        return ST_ERR_NOMEM;
    return ST_OK;
}

/* Key stems of EPC schemes for company-prefix patterns (CP.*.*, *.*.*):
 * the AI path, and whether an indicator/extension digit precedes the CP. */
static const struct {
    const char *scheme;
    const char *path;
    int digit;
} pattern_stems[] = {
    {"sgtin", "/01/", 1},  {"upui", "/01/", 1},  {"sscc", "/00/", 1},  {"itip", "/8006/", 1},
    {"sgln", "/414/", 0},  {"pgln", "/417/", 0}, {"grai", "/8003/0", 0}, {"giai", "/8004/", 0},
    {"gdti", "/253/", 0},  {"sgcn", "/255/", 0}, {"gsrn", "/8018/", 0}, {"gsrnp", "/8017/", 0},
    {"gsin", "/402/", 0},  {"ginc", "/401/", 0}, {"cpi", "/8010/", 0},
};

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/*
 * An EPC pattern URI (urn:epc:idpat:SCHEME:F1.F2...): its keys or key
 * prefixes in m. Trailing fields may be '*': the last one (one GTIN, asset
 * type, location, ...), all but the company prefix, or all of them.
 */
static st_rc idpat(st_query *q, const char *name, const char *v, qmatch *m, st_error *err)
{
    static const char pre[] = "urn:epc:idpat:";
    const char *scheme = v + sizeof pre - 1;
    const char *colon = strchr(scheme, ':');
    if (!colon || colon == scheme)
        goto bad;
    size_t slen = (size_t)(colon - scheme);
    const char *f = colon + 1;
    int nf = 1, stars = 0, first_star = -1;
    for (const char *p = f, *s = f;; p++) {
        if (*p == '.' || !*p) {
            if (p - s == 1 && *s == '*') {
                if (first_star < 0)
                    first_star = nf - 1;
                stars++;
            } else if (first_star >= 0 || p == s) {
                goto bad; /* a field after a star, or an empty one */
            }
            if (!*p)
                break;
            nf++;
            s = p + 1;
        }
    }
    char tmp[KEY_MAX], canon[KEY_MAX];
    if (!stars) { /* no wildcard: the identifier itself */
        snprintf(tmp, sizeof tmp, "urn:epc:id:%s", scheme);
        if (st_cap_canon(tmp, -1, NULL, canon, sizeof canon) != ST_OK)
            goto bad;
        return list_has(&m->keys, canon) ? ST_OK : list_add(q, &m->keys, canon, strlen(canon));
    }
    if (stars == 1 && nf >= 3) { /* CP.REF.*: the class */
        int rc = st_cap_canon(v, -1, NULL, canon, sizeof canon);
        if (rc == ST_OK && strncmp(canon, DL_STEM "/", sizeof DL_STEM) && slen == 4 &&
            !strncmp(scheme, "sgln", 4)) {
            /* sgln CP.LR.*: the GLN, with any extension */
            snprintf(tmp, sizeof tmp, "urn:epc:id:sgln:%.*s0", (int)(strlen(f) - 1), f);
            rc = st_cap_canon(tmp, -1, NULL, canon, sizeof canon);
        }
        if (rc != ST_OK || strncmp(canon, DL_STEM "/", sizeof DL_STEM))
            goto bad;
        if (strstr(canon, "/8010/")) { /* variable-length part reference */
            if (list_add(q, &m->keys, canon, strlen(canon)))
                return ST_ERR_NOMEM;
            strcat(canon, "/");
        }
        return add_prefix(q, m, canon);
    }
    for (size_t i = 0; i < sizeof pattern_stems / sizeof *pattern_stems; i++) {
        const char *st = pattern_stems[i].scheme;
        if (strlen(st) != slen || strncmp(st, scheme, slen))
            continue;
        if (stars == nf) { /* *.*.*: the whole scheme */
            snprintf(tmp, sizeof tmp, "%s%s", DL_STEM, pattern_stems[i].path);
            if (!strcmp(st, "grai"))
                tmp[strlen(tmp) - 1] = '\0';
            return add_prefix(q, m, tmp);
        }
        size_t cp = strcspn(f, ".");
        if (stars != nf - 1 || cp < 6 || cp > 12 || !all_digits(f, cp))
            goto bad;
        for (int d = 0; d < (pattern_stems[i].digit ? 10 : 1); d++) {
            if (pattern_stems[i].digit)
                snprintf(tmp, sizeof tmp, "%s%s%d%.*s", DL_STEM, pattern_stems[i].path, d,
                         (int)cp, f);
            else
                snprintf(tmp, sizeof tmp, "%s%s%.*s", DL_STEM, pattern_stems[i].path, (int)cp, f);
            st_rc rc = add_prefix(q, m, tmp);
            if (rc)
                return rc;
        }
        return ST_OK;
    }
bad:
    return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not an EPC pattern this "
                   "store can match (urn:epc:idpat:SCHEME:CP.REF.*, CP.*.* or *.*.*)", name, v);
}

/* A GTIN without serial (https://id.gs1.org/01/ and 14 digits): a class,
 * matched like the pattern urn:epc:idpat:sgtin:CP.IIR.* */
static int is_gtin_class(const char *key)
{
    static const char stem[] = DL_STEM "/01/";
    return !strncmp(key, stem, sizeof stem - 1) && strlen(key) == sizeof stem - 1 + 14 &&
           all_digits(key + sizeof stem - 1, 14);
}

static st_rc match_values(st_query *q, const char *name, const char *value, unsigned roles,
                          st_error *err)
{
    qmatch *m = &q->match[q->n_match];
    memset(m, 0, sizeof *m);
    m->roles = roles;
    strlist raw = {0};
    st_rc rc = values(q, name, value, VK_RAW, -1, SPLIT_URIS, &raw, err);
    if (rc)
        return rc;
    char canon[KEY_MAX];
    for (size_t i = 0; i < raw.n && !rc; i++) {
        const char *v = raw.v[i];
        if (!strncmp(v, "urn:epc:idpat:", 14)) {
            rc = idpat(q, name, v, m, err);
        } else if ((rc = canon_value(name, v, VK_URI, -1, canon, sizeof canon, err)) == ST_OK) {
            if (is_gtin_class(canon))
                rc = add_prefix(q, m, canon);
            else if (!list_has(&m->keys, canon))
                rc = list_add(q, &m->keys, canon, strlen(canon));
        }
    }
    if (rc)
        return rc;
    /* normalised: the keys and the prefixes, marked apart */
    strlist all = {0};
    for (size_t i = 0; i < m->keys.n + m->pfx.n; i++) {
        int k = i < m->keys.n;
        char t[KEY_MAX + 2];
        snprintf(t, sizeof t, "%c%s", k ? '=' : '^', k ? m->keys.v[i] : m->pfx.v[i - m->keys.n]);
        if (list_add(q, &all, t, strlen(t)))
            return ST_ERR_NOMEM;
    }
    q->n_match++;
    return set_norm(q, &all);
}

/* ---- event IDs ---------------------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                               : -1;
}

static st_rc event_ids(st_query *q, const char *name, const char *value, st_error *err)
{
    static const char ni[] = "ni:///sha-256;";
    st_rc rc = values(q, name, value, VK_RAW, -1, SPLIT_URIS, &q->eid_text, err);
    for (size_t i = 0; i < q->eid_text.n && !rc; i++) {
        const char *v = q->eid_text.v[i];
        if (strncasecmp(v, ni, sizeof ni - 1))
            continue;
        unsigned char h[33];
        int ok = 1;
        for (int k = 0; k < 32 && ok; k++) {
            int hi = hexval(v[sizeof ni - 1 + 2 * k]);
            int lo = hi < 0 ? -1 : hexval(v[sizeof ni + 2 * k]);
            ok = hi >= 0 && lo >= 0;
            if (ok)
                h[k] = (unsigned char)(hi << 4 | lo);
        }
        char after = ok ? v[sizeof ni - 1 + 64] : 'x';
        if (!ok || (after && after != '?'))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "%s: \"%.100s\" is not a hash ID (ni:///sha-256; and 64 hex digits)",
                           name, v);
        char *blob = st_arena_alloc(q->a, 32);
        const char **vv = st_arena_alloc(q->a, (q->eid_hash.n + 1) * sizeof *vv);
        if (!blob || !vv)
            return ST_ERR_NOMEM;
        memcpy(blob, h, 32);
        if (q->eid_hash.n)
            memcpy(vv, q->eid_hash.v, q->eid_hash.n * sizeof *vv);
        vv[q->eid_hash.n++] = blob;
        q->eid_hash.v = vv;
    }
    return rc;
}

/* ---- tokens --------------------------------------------------------------------------- */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put64(unsigned char *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        p[i] = (unsigned char)(v & 0xff);
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int sha256(const void *p, size_t n, unsigned char out[32])
{
    unsigned int len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

static st_rc token_encode(const token *t, char *out, size_t cap)
{
    unsigned char b[TOKEN_BYTES], h[32];
    b[0] = TOKEN_VERSION;
    b[1] = 0;
    memcpy(b + 2, t->hash, 8);
    put64(b + 10, t->snap);
    put64(b + 18, t->key);
    put64(b + 26, t->id);
    put64(b + 34, t->count);
    if (sha256(b, TOKEN_BODY, h))
        return ST_ERR_INTERNAL;
    memcpy(b + TOKEN_BODY, h, 8);
    size_t need = (TOKEN_BYTES * 8 + 5) / 6 + 1;
    if (!out || cap < need)
        return ST_ERR_BUFFER;
    size_t o = 0;
    for (size_t i = 0; i < TOKEN_BYTES; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < TOKEN_BYTES ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < TOKEN_BYTES ? b[i + 2] : 0);
        size_t chars = i + 2 < TOKEN_BYTES ? 4 : i + 1 < TOKEN_BYTES ? 3 : 2;
        for (size_t k = 0; k < chars; k++)
            out[o++] = b64url[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
    return ST_OK;
}

static int token_decode(const char *s, token *t)
{
    unsigned char b[TOKEN_BYTES + 2], h[32];
    size_t n = strlen(s), o = 0;
    if (n != (TOKEN_BYTES * 8 + 5) / 6)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(b64url, s[i]);
        if (!s[i] || !p)
            return -1;
        acc = acc << 6 | (uint32_t)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < sizeof b)
                b[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (o != TOKEN_BYTES || b[0] != TOKEN_VERSION || sha256(b, TOKEN_BODY, h) ||
        memcmp(h, b + TOKEN_BODY, 8))
        return -1;
    memcpy(t->hash, b + 2, 8);
    t->snap = get64(b + 10);
    t->key = get64(b + 18);
    t->id = get64(b + 26);
    t->count = get64(b + 34);
    return t->snap < 0 || t->id < 0 || t->count < 0 ? -1 : 0;
}

/* The hash of the normalised parameters (all but perPage and nextPageToken),
 * in name order. */
static int params_hash(const st_query *q, unsigned char out[8])
{
    int idx[ST_QUERY_MAX_PARAMS], n = 0;
    for (int i = 0; i < q->n; i++)
        if (q->norm[i])
            idx[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort by name */
        for (int k = i; k > 0 && strcmp(q->names[idx[k - 1]], q->names[idx[k]]) > 0; k--) {
            int t = idx[k];
            idx[k] = idx[k - 1];
            idx[k - 1] = t;
        }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char h[32];
    unsigned int len = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (int i = 0; ok && i < n; i++) {
        const char *nm = q->names[idx[i]], *v = q->norm[idx[i]];
        ok = EVP_DigestUpdate(md, nm, strlen(nm) + 1) && EVP_DigestUpdate(md, v, strlen(v) + 1);
    }
    ok = ok && EVP_DigestFinal_ex(md, h, &len);
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    memcpy(out, h, 8);
    return 0;
}

/* ---- parameters ------------------------------------------------------------------------ */

enum pkind {
    P_EVENT_TYPE, P_TIME, P_ACTION, P_COL, P_WD, P_MATCH, P_EVENT_ID, P_XFORM, P_PDISP,
    P_ERR_REASON, P_ERR_TIME, P_CORRECTIVE, P_QTY, P_SENSOR, P_ORDER_BY, P_ORDER_DIR,
    P_COUNT_LIMIT, P_MAX_COUNT, P_PER_PAGE, P_TOKEN,
};

/* Parameters with a fixed name: data, not an if chain. */
static const struct pdef {
    const char *name;
    unsigned char kind; /* enum pkind */
    unsigned char cmp;  /* enum cmp */
    unsigned char vk;   /* P_SENSOR: enum vk */
    int arg;            /* P_TIME: slot; P_COL/P_WD: COL_*; P_MATCH: roles; P_SENSOR: vocab */
    const char *field;  /* P_PDISP, P_SENSOR: the field or attribute */
} pdefs[] = {
    {"eventType", P_EVENT_TYPE, 0, 0, 0, NULL},
    {"GE_eventTime", P_TIME, CMP_GE, 0, 0, NULL},
    {"LT_eventTime", P_TIME, CMP_LT, 0, 0, NULL},
    {"GE_recordTime", P_TIME, CMP_GE, 0, 1, NULL},
    {"LT_recordTime", P_TIME, CMP_LT, 0, 1, NULL},
    {"EQ_action", P_ACTION, 0, 0, 0, NULL},
    {"EQ_bizStep", P_COL, 0, 0, COL_BIZ_STEP, NULL},
    {"EQ_disposition", P_COL, 0, 0, COL_DISPOSITION, NULL},
    {"EQ_readPoint", P_COL, 0, 0, COL_READ_POINT, NULL},
    {"EQ_bizLocation", P_COL, 0, 0, COL_BIZ_LOCATION, NULL},
    {"WD_readPoint", P_WD, 0, 0, COL_READ_POINT, NULL},
    {"WD_bizLocation", P_WD, 0, 0, COL_BIZ_LOCATION, NULL},
    {"MATCH_epc", P_MATCH, 0, 0, 1 << ST_ROLE_EPC | 1 << ST_ROLE_CHILD, NULL},
    {"MATCH_parentID", P_MATCH, 0, 0, 1 << ST_ROLE_PARENT, NULL},
    {"MATCH_inputEPC", P_MATCH, 0, 0, 1 << ST_ROLE_INPUT, NULL},
    {"MATCH_outputEPC", P_MATCH, 0, 0, 1 << ST_ROLE_OUTPUT, NULL},
    {"MATCH_anyEPC", P_MATCH, 0, 0,
     1 << ST_ROLE_EPC | 1 << ST_ROLE_PARENT | 1 << ST_ROLE_CHILD | 1 << ST_ROLE_INPUT |
         1 << ST_ROLE_OUTPUT,
     NULL},
    {"MATCH_epcClass", P_MATCH, 0, 0, 1 << ST_ROLE_EPC_CLASS | 1 << ST_ROLE_CHILD_CLASS, NULL},
    {"MATCH_inputEPCClass", P_MATCH, 0, 0, 1 << ST_ROLE_INPUT_CLASS, NULL},
    {"MATCH_outputEPCClass", P_MATCH, 0, 0, 1 << ST_ROLE_OUTPUT_CLASS, NULL},
    {"MATCH_anyEPCClass", P_MATCH, 0, 0,
     1 << ST_ROLE_EPC_CLASS | 1 << ST_ROLE_CHILD_CLASS | 1 << ST_ROLE_INPUT_CLASS |
         1 << ST_ROLE_OUTPUT_CLASS,
     NULL},
    {"EQ_eventID", P_EVENT_ID, 0, 0, 0, NULL},
    {"EQ_transformationID", P_XFORM, 0, 0, 0, NULL},
    {"EQ_persistentDisposition_set", P_PDISP, 0, 0, 0, "set"},
    {"EQ_persistentDisposition_unset", P_PDISP, 0, 0, 0, "unset"},
    {"EQ_errorReason", P_ERR_REASON, 0, 0, 0, NULL},
    {"GE_errorDeclarationTime", P_ERR_TIME, CMP_GE, 0, 0, NULL},
    {"LT_errorDeclarationTime", P_ERR_TIME, CMP_LT, 0, 0, NULL},
    {"GE_errorDeclaration_Time", P_ERR_TIME, CMP_GE, 0, 0, NULL}, /* query-schema.json's spelling */
    {"LT_errorDeclaration_Time", P_ERR_TIME, CMP_LT, 0, 0, NULL},
    {"EQ_correctiveEventID", P_CORRECTIVE, 0, 0, 0, NULL},
    {"EQ_quantity", P_QTY, CMP_EQ, 0, 0, NULL},
    {"GT_quantity", P_QTY, CMP_GT, 0, 0, NULL},
    {"GE_quantity", P_QTY, CMP_GE, 0, 0, NULL},
    {"LT_quantity", P_QTY, CMP_LT, 0, 0, NULL},
    {"LE_quantity", P_QTY, CMP_LE, 0, 0, NULL},
    {"EQ_type", P_SENSOR, CMP_EQ, VK_VOCAB, ST_CBV_MEASUREMENT, "type"},
    {"EQ_deviceID", P_SENSOR, CMP_EQ, VK_URI, 0, "deviceID"},
    {"EQ_dataProcessingMethod", P_SENSOR, CMP_EQ, VK_URI, 0, "dataProcessingMethod"},
    {"EQ_microorganism", P_SENSOR, CMP_EQ, VK_URI, 0, "microorganism"},
    {"EQ_chemicalSubstance", P_SENSOR, CMP_EQ, VK_URI, 0, "chemicalSubstance"},
    {"EQ_bizRules", P_SENSOR, CMP_EQ, VK_URI, 0, "bizRules"},
    {"EQ_uriValue", P_SENSOR, CMP_EQ, VK_URI, 0, "uriValue"},
    {"EQ_stringValue", P_SENSOR, CMP_EQ, VK_RAW, 0, "stringValue"},
    {"EQ_hexBinaryValue", P_SENSOR, CMP_EQ, VK_HEX, 0, "hexBinaryValue"},
    {"EQ_booleanValue", P_SENSOR, CMP_EQ, VK_BOOL, 0, "booleanValue"},
    {"GE_time", P_SENSOR, CMP_GE, VK_TIME, 0, "time"},
    {"LT_time", P_SENSOR, CMP_LT, VK_TIME, 0, "time"},
    {"GE_startTime", P_SENSOR, CMP_GE, VK_TIME, 0, "startTime"},
    {"LT_startTime", P_SENSOR, CMP_LT, VK_TIME, 0, "startTime"},
    {"GE_endTime", P_SENSOR, CMP_GE, VK_TIME, 0, "endTime"},
    {"LT_endTime", P_SENSOR, CMP_LT, VK_TIME, 0, "endTime"},
    {"GT_percRank", P_SENSOR, CMP_GT, VK_NUM, 0, "percRank"},
    {"GE_percRank", P_SENSOR, CMP_GE, VK_NUM, 0, "percRank"},
    {"LT_percRank", P_SENSOR, CMP_LT, VK_NUM, 0, "percRank"},
    {"LE_percRank", P_SENSOR, CMP_LE, VK_NUM, 0, "percRank"},
    {"orderBy", P_ORDER_BY, 0, 0, 0, NULL},
    {"orderDirection", P_ORDER_DIR, 0, 0, 0, NULL},
    {"eventCountLimit", P_COUNT_LIMIT, 0, 0, 0, NULL},
    {"maxEventCount", P_MAX_COUNT, 0, 0, 0, NULL},
    {"perPage", P_PER_PAGE, 0, 0, 0, NULL},
    {"nextPageToken", P_TOKEN, 0, 0, 0, NULL},
};

/* EXISTS_ of standard top-level fields: a field bit, a column, or the tree. */
static const struct {
    const char *name;
    uint32_t bit;  /* ST_FIELD_*, or 0 */
    int col;       /* COL_*, or -1 */
} exists_fields[] = {
    {"errorDeclaration", ST_FIELD_ERROR_DECLARATION, -1},
    {"sensorElementList", ST_FIELD_SENSOR_ELEMENT_LIST, -1},
    {"ilmd", ST_FIELD_ILMD, -1},
    {"bizTransactionList", ST_FIELD_BIZ_TRANSACTION_LIST, -1},
    {"sourceList", ST_FIELD_SOURCE_LIST, -1},
    {"destinationList", ST_FIELD_DESTINATION_LIST, -1},
    {"persistentDisposition", ST_FIELD_PERSISTENT_DISPOSITION, -1},
    {"certificationInfo", ST_FIELD_CERTIFICATION_INFO, -1},
    {"bizStep", 0, COL_BIZ_STEP},
    {"disposition", 0, COL_DISPOSITION},
    {"readPoint", 0, COL_READ_POINT},
    {"bizLocation", 0, COL_BIZ_LOCATION},
    {"eventID", 0, -1}, {"parentID", 0, -1}, {"epcList", 0, -1}, {"childEPCs", 0, -1},
    {"inputEPCList", 0, -1}, {"outputEPCList", 0, -1}, {"quantityList", 0, -1},
    {"childQuantityList", 0, -1}, {"inputQuantityList", 0, -1}, {"outputQuantityList", 0, -1},
    {"transformationID", 0, -1}, {"action", 0, -1}, {"eventTimeZoneOffset", 0, -1},
    {"eventTime", 0, -2}, {"recordTime", 0, -2}, /* always present */
};

/* Scopes of extension field parameters, after the comparison and INNER_. */
static const struct {
    const char *name;
    unsigned char scope;
    uint32_t bit; /* the field bit an event must have */
} scopes[] = {
    {"ILMD_", S_ILMD, ST_FIELD_ILMD},
    {"ERROR_DECLARATION_", S_ERRDECL, ST_FIELD_ERROR_DECLARATION},
    {"SENSORELEMENT_", S_SENSORELEMENT, ST_FIELD_SENSOR_ELEMENT_LIST},
    {"SENSORMETADATA_", S_SENSORMETADATA, ST_FIELD_SENSOR_ELEMENT_LIST},
    {"SENSORREPORT_", S_SENSORREPORT, ST_FIELD_SENSOR_ELEMENT_LIST},
    {"readPoint_", S_READPOINT, 0},
    {"bizLocation_", S_BIZLOCATION, 0},
};

static const char *const cmp_prefix[] = {"EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_"};

/* The comparison a name starts with, or -1; *rest is what follows it. */
static int name_cmp(const char *name, const char **rest)
{
    for (int i = 0; i < 6; i++) {
        size_t k = strlen(cmp_prefix[i]);
        if (!strncmp(name, cmp_prefix[i], k)) {
            *rest = name + k;
            return i;
        }
    }
    return -1;
}

static int is_uom(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 4)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* EXISTS_ value: true (or empty) requires the field; false asks nothing. */
static st_rc exists_value(const char *name, const char *value, int *want, st_error *err)
{
    if (!*value || !strcmp(value, "true") || !strcmp(value, "1"))
        *want = 1;
    else if (!strcmp(value, "false") || !strcmp(value, "0"))
        *want = 0;
    else
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not true or false",
                       name, value);
    return ST_OK;
}

/* EQ_/GT_/GE_/LT_/LE_ condition c: its values or operand from value. */
static st_rc cond_values(st_query *q, qcond *c, const char *name, const char *value, int vk,
                         st_error *err)
{
    if (c->cmp == CMP_EQ) {
        c->vk = (unsigned char)(vk == VK_TIME ? VK_LOOSE : vk);
        int split = vk == VK_BOOL                     ? SPLIT_NONE
                    : vk == VK_URI                    ? SPLIT_URIS
                    : vk == VK_RAW || vk == VK_LOOSE ? SPLIT_PIPE
                                                      : SPLIT_ANY;
        if (c->kind == K_CORRECTIVE)
            split = SPLIT_URIS;
        return values(q, name, value, c->vk, c->vocab, split, &c->vals, err);
    }
    c->vk = (unsigned char)vk;
    return operand_value(q, name, value, vk, &c->op, err);
}

/* An extension field name: "prefix:local" or "IRI#local". */
static st_rc ext_name(st_query *q, qcond *c, const char *pname, const char *s, st_error *err)
{
    const char *hash = strrchr(s, '#');
    const char *colon = strchr(s, ':');
    if (hash && hash > s && hash[1]) {
        c->ns = dup(q, s, (size_t)(hash - s));
        c->field = dup(q, hash + 1, strlen(hash + 1));
    } else if (colon && colon > s && colon[1] && !strchr(colon + 1, ':') &&
               !strchr(colon + 1, '/')) {
        c->prefix = dup(q, s, (size_t)(colon - s));
        c->field = dup(q, colon + 1, strlen(colon + 1));
    } else {
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "unknown query parameter %s (an extension field is named prefix:name "
                       "or namespace#name)",
                       pname);
    }
    return c->field ? ST_OK : ST_ERR_NOMEM;
}

/* Parameters named by pattern: EQ_bizTransaction_<type>, EQ_source_<type>,
 * EQ_destination_<type>, *_<value kind>_<uom>, *_quantity_<uom>, EXISTS_,
 * extension fields. */
static st_rc set_pattern(st_query *q, const char *name, const char *value, st_error *err)
{
    const char *rest = NULL;
    if (!strncmp(name, "HASATTR_", 8) || !strncmp(name, "EQ_ATTR_", 8))
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "%s: master data attributes are not kept by this store", name);
    int cmp = name_cmp(name, &rest);
    if (cmp < 0 || !*rest)
        goto unknown;
    static const struct {
        const char *pre;
        unsigned char kind;
        const char *list;
        int vocab;
    } typed[] = {
        {"bizTransaction_", K_BIZTX, "bizTransactionList", ST_CBV_BTT},
        {"source_", K_SRCDEST, "sourceList", ST_CBV_SDT},
        {"destination_", K_SRCDEST, "destinationList", ST_CBV_SDT},
    };
    for (size_t i = 0; cmp == CMP_EQ && i < sizeof typed / sizeof *typed; i++) {
        size_t k = strlen(typed[i].pre);
        if (strncmp(rest, typed[i].pre, k) || !rest[k])
            continue;
        char t[KEY_MAX];
        if (st_cap_canon(rest + k, typed[i].vocab, NULL, t, sizeof t) != ST_OK)
            goto unknown;
        qcond *c = cond_new(q, typed[i].kind);
        if (!c || !(c->type = dup(q, t, strlen(t))))
            return ST_ERR_NOMEM;
        c->field = typed[i].list;
        q->fields |= typed[i].kind == K_BIZTX       ? ST_FIELD_BIZ_TRANSACTION_LIST
                     : !strcmp(typed[i].list, "sourceList") ? ST_FIELD_SOURCE_LIST
                                                            : ST_FIELD_DESTINATION_LIST;
        return cond_values(q, c, name, value, VK_URI, err);
    }
    static const char *const sensor_num[] = {"value_", "minValue_", "maxValue_", "meanValue_",
                                             "sDev_", "percValue_", "quantity_"};
    for (size_t i = 0; cmp != CMP_EXISTS && i < sizeof sensor_num / sizeof *sensor_num; i++) {
        size_t k = strlen(sensor_num[i]);
        if (strncmp(rest, sensor_num[i], k) || !is_uom(rest + k))
            continue;
        int qty = i == 6;
        qcond *c = cond_new(q, qty ? K_QTY : K_SENSOR);
        if (!c || !(c->field = dup(q, sensor_num[i], k - 1)) ||
            !(c->type = dup(q, rest + k, strlen(rest + k))))
            return ST_ERR_NOMEM;
        c->cmp = (unsigned char)cmp;
        if (!qty)
            q->fields |= ST_FIELD_SENSOR_ELEMENT_LIST;
        return cond_values(q, c, name, value, VK_NUM, err);
    }
    if (cmp == CMP_EXISTS && !strchr(rest, ':') && !strchr(rest, '#')) {
        for (size_t i = 0; i < sizeof exists_fields / sizeof *exists_fields; i++) {
            if (strcmp(rest, exists_fields[i].name))
                continue;
            int want = 0;
            st_rc rc = exists_value(name, value, &want, err);
            if (rc)
                return rc;
            if (want && exists_fields[i].bit)
                q->fields |= exists_fields[i].bit;
            else if (want && exists_fields[i].col >= 0)
                q->not_null |= 1u << exists_fields[i].col;
            else if (want && exists_fields[i].col == -1) {
                qcond *c = cond_new(q, K_EXISTS);
                if (!c)
                    return ST_ERR_NOMEM;
                c->cmp = CMP_EXISTS;
                c->field = exists_fields[i].name;
            }
            return set_norm1(q, want ? "true" : "false");
        }
        goto unknown;
    }
    /* extension fields */
    qcond c0 = {0};
    c0.kind = K_EXT;
    c0.cmp = (unsigned char)cmp;
    c0.vocab = -1;
    if (!strncmp(rest, "INNER_", 6)) {
        c0.inner = 1;
        rest += 6;
    }
    uint32_t bit = 0;
    for (size_t i = 0; i < sizeof scopes / sizeof *scopes; i++) {
        size_t k = strlen(scopes[i].name);
        if (!strncmp(rest, scopes[i].name, k)) {
            c0.scope = scopes[i].scope;
            bit = scopes[i].bit;
            rest += k;
            break;
        }
    }
    if (!strchr(rest, ':') && !strchr(rest, '#'))
        goto unknown;
    st_rc rc = ext_name(q, &c0, name, rest, err);
    if (rc)
        return rc;
    if (cmp == CMP_EXISTS) {
        int want = 0;
        if ((rc = exists_value(name, value, &want, err)))
            return rc;
        if (!want)
            return set_norm1(q, "false");
    }
    qcond *c = cond_new(q, K_EXT);
    if (!c)
        return ST_ERR_NOMEM;
    *c = c0;
    q->fields |= bit | (c0.scope == S_TOP ? ST_FIELD_EXTENSION : 0);
    if (c0.scope == S_READPOINT || c0.scope == S_BIZLOCATION)
        q->not_null |= 1u << (c0.scope == S_READPOINT ? COL_READ_POINT : COL_BIZ_LOCATION);
    if (cmp == CMP_EXISTS)
        return set_norm1(q, "true");
    return cond_values(q, c, name, value, VK_LOOSE, err);
unknown:
    return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "unknown query parameter %s", name);
}

static st_rc set_event_type(st_query *q, const char *name, const char *value, st_error *err)
{
    strlist l = {0};
    st_rc rc = values(q, name, value, VK_RAW, -1, SPLIT_ANY, &l, err);
    for (size_t i = 0; i < l.n && !rc; i++) {
        st_event_type t = st_event_type_from_name(l.v[i]);
        if (t != ST_EVENT_NONE)
            q->types |= 1u << t;
        else if (!strchr(l.v[i], ':')) /* extension types are URIs or CURIEs: none is stored */
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                         "%s: unknown event type \"%.100s\" (ObjectEvent, AggregationEvent, "
                         "TransactionEvent, TransformationEvent, AssociationEvent)",
                         name, l.v[i]);
    }
    q->types_set = 1;
    return rc;
}

static st_rc set_action(st_query *q, const char *name, const char *value, st_error *err)
{
    strlist l = {0};
    st_rc rc = values(q, name, value, VK_RAW, -1, SPLIT_ANY, &l, err);
    for (size_t i = 0; i < l.n && !rc; i++) {
        if (!strcmp(l.v[i], "ADD"))
            q->actions |= 1u << ST_ACTION_ADD;
        else if (!strcmp(l.v[i], "OBSERVE"))
            q->actions |= 1u << ST_ACTION_OBSERVE;
        else if (!strcmp(l.v[i], "DELETE"))
            q->actions |= 1u << ST_ACTION_DELETE;
        else
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                         "%s: \"%.100s\" is not an action (ADD, OBSERVE or DELETE)", name, l.v[i]);
    }
    return rc;
}

static st_rc set_fixed(st_query *q, const struct pdef *d, const char *value, st_error *err)
{
    const char *name = d->name;
    st_rc rc = ST_OK;
    qcond *c = NULL;
    int64_t n = 0;
    switch (d->kind) {
    case P_EVENT_TYPE:
        return set_event_type(q, name, value, err);
    case P_TIME: {
        int64_t ms = 0;
        if ((rc = time_value(q, name, value, &ms, err)))
            return rc;
        if (d->arg == 0 && d->cmp == CMP_GE)
            q->et_ge = ms, q->has_et_ge = 1;
        else if (d->arg == 0)
            q->et_lt = ms, q->has_et_lt = 1;
        else if (d->cmp == CMP_GE)
            q->rt_ge = ms, q->has_rt_ge = 1;
        else
            q->rt_lt = ms, q->has_rt_lt = 1;
        return ST_OK;
    }
    case P_ACTION:
        return set_action(q, name, value, err);
    case P_COL:
    case P_WD: {
        int vocab = d->arg == COL_BIZ_STEP ? ST_CBV_BIZSTEP
                    : d->arg == COL_DISPOSITION ? ST_CBV_DISP
                                                : -1;
        strlist *l = d->kind == P_COL ? &q->col_eq[d->arg] : &q->col_wd[d->arg];
        return values(q, name, value, vocab >= 0 ? VK_VOCAB : VK_URI, vocab,
                      vocab >= 0 ? SPLIT_ANY : SPLIT_URIS, l, err);
    }
    case P_MATCH:
        return match_values(q, name, value, (unsigned)d->arg, err);
    case P_EVENT_ID:
        return event_ids(q, name, value, err);
    case P_XFORM:
        q->xform_set = 1;
        return values(q, name, value, VK_URI, -1, SPLIT_URIS, &q->xform, err);
    case P_PDISP:
        if (!(c = cond_new(q, K_PDISP)))
            return ST_ERR_NOMEM;
        c->field = d->field;
        c->vocab = ST_CBV_DISP;
        q->fields |= ST_FIELD_PERSISTENT_DISPOSITION;
        return cond_values(q, c, name, value, VK_VOCAB, err);
    case P_ERR_REASON:
        if (!(c = cond_new(q, K_ERR_REASON)))
            return ST_ERR_NOMEM;
        c->vocab = ST_CBV_ER;
        q->fields |= ST_FIELD_ERROR_DECLARATION;
        return cond_values(q, c, name, value, VK_VOCAB, err);
    case P_ERR_TIME:
        if (!(c = cond_new(q, K_ERR_TIME)))
            return ST_ERR_NOMEM;
        c->cmp = d->cmp;
        q->fields |= ST_FIELD_ERROR_DECLARATION;
        return cond_values(q, c, name, value, VK_TIME, err);
    case P_CORRECTIVE:
        if (!(c = cond_new(q, K_CORRECTIVE)))
            return ST_ERR_NOMEM;
        q->fields |= ST_FIELD_ERROR_DECLARATION;
        return cond_values(q, c, name, value, VK_RAW, err);
    case P_QTY:
        if (!(c = cond_new(q, K_QTY)))
            return ST_ERR_NOMEM;
        c->cmp = d->cmp;
        return cond_values(q, c, name, value, VK_NUM, err);
    case P_SENSOR:
        if (!(c = cond_new(q, K_SENSOR)))
            return ST_ERR_NOMEM;
        c->cmp = d->cmp;
        c->field = d->field;
        c->vocab = d->vk == VK_VOCAB ? d->arg : -1;
        q->fields |= ST_FIELD_SENSOR_ELEMENT_LIST;
        return cond_values(q, c, name, value, d->vk, err);
    case P_ORDER_BY:
        if (!strcmp(value, "eventTime"))
            q->order = ORD_EVENT_TIME;
        else if (!strcmp(value, "recordTime"))
            q->order = ORD_RECORD_TIME;
        else
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "orderBy: \"%.100s\" cannot be ordered by here (eventTime or "
                           "recordTime)",
                           value);
        return set_norm1(q, value);
    case P_ORDER_DIR:
        if (strcmp(value, "ASC") && strcmp(value, "DESC"))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "orderDirection: \"%.100s\" is not ASC or DESC", value);
        q->desc = !strcmp(value, "DESC");
        q->desc_set = 1;
        return set_norm1(q, value);
    case P_COUNT_LIMIT:
    case P_MAX_COUNT:
        if (parse_int(value, &n))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "%s: \"%.100s\" is not a whole number of events", name, value);
        if ((d->kind == P_COUNT_LIMIT ? q->max_count : q->count_limit) >= 0)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "eventCountLimit and maxEventCount exclude each other");
        *(d->kind == P_COUNT_LIMIT ? &q->count_limit : &q->max_count) = n;
        return set_norm1(q, value);
    case P_PER_PAGE:
        if (parse_int(value, &n) || n < 1)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "perPage: \"%.100s\" is not a positive whole number", value);
        if (n > ST_QUERY_MAX_PAGE)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                           "perPage is %" PRId64 "; the limit is %d events per page", n,
                           ST_QUERY_MAX_PAGE);
        q->per_page = n;
        q->cur_norm = NULL; /* pages may differ in size */
        return ST_OK;
    case P_TOKEN:
        if (token_decode(value, &q->tok))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "nextPageToken is not a token this store gave out (or it was "
                           "altered)");
        q->has_token = 1;
        q->cur_norm = NULL;
        return ST_OK;
    }
    return ST_ERR_INTERNAL;
}

st_rc st_query_set(st_query *q, const char *name, const char *value, st_error *err)
{
    if (!q || !name)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no query or no parameter name");
    if (!value)
        value = "";
    if (q->n >= ST_QUERY_MAX_PARAMS)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "a query holds at most %d parameters",
                       ST_QUERY_MAX_PARAMS);
    for (int i = 0; i < q->n; i++)
        if (!strcmp(q->names[i], name))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%.100s is given more than once", name);
    if (strlen(name) > 256)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "unknown query parameter %.100s...", name);
    q->cur_norm = NULL;
    st_query saved = *q; /* a refused parameter leaves q as it was */
    st_rc rc = ST_ERR_SYNTAX;
    int fixed = 0;
    for (size_t i = 0; i < sizeof pdefs / sizeof *pdefs; i++)
        if (!strcmp(name, pdefs[i].name)) {
            if (!*value && pdefs[i].kind >= P_ORDER_BY)
                return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s needs a value", name);
            rc = set_fixed(q, &pdefs[i], value, err);
            fixed = 1;
            break;
        }
    if (!fixed)
        rc = set_pattern(q, name, value, err);
    if (rc) {
        qcond *conds = q->conds; /* realloc may have moved them */
        size_t cap = q->cap_conds;
        *q = saved;
        q->conds = conds;
        q->cap_conds = cap;
        return rc == ST_ERR_NOMEM ? st_fail(err, rc, -1, NULL, "out of memory") : rc;
    }
    const char *nm = dup(q, name, strlen(name));
    if (!nm)
        return ST_ERR_NOMEM;
    q->names[q->n] = nm;
    q->norm[q->n] = q->cur_norm;
    q->n++;
    return ST_OK;
}

st_rc st_query_check(const st_query *q, st_error *err)
{
    if (!q)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no query");
    if (q->count_limit >= 0 && q->order == ORD_NONE)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "eventCountLimit needs orderBy (it keeps the first events in that order)");
    return ST_OK;
}

/* ---- SQL --------------------------------------------------------------------------------- */

/* A statement being built, with its arguments in order of appearance. */
typedef struct sqlb {
    char *p;
    size_t n, cap;
    st_val *args;
    int nargs, cap_args;
    int oom;
    int a_snap, a_key, a_id, a_lim; /* arguments updated per batch (-1: none) */
} sqlb;

static void sb_put(sqlb *b, const char *s)
{
    size_t k = strlen(s);
    if (b->oom)
        return;
    if (b->n + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

/* Append the placeholder of a new argument v; its index. */
static int sb_arg(sqlb *b, st_val v)
{
    if (b->oom)
        return -1;
    if (b->nargs == b->cap_args) {
        int cap = b->cap_args ? 2 * b->cap_args : 32;
        st_val *a = realloc(b->args, (size_t)cap * sizeof *a);
        if (!a) {
            b->oom = 1;
            return -1;
        }
        b->args = a;
        b->cap_args = cap;
    }
    b->args[b->nargs] = v;
    char t[16];
    snprintf(t, sizeof t, "$%d", b->nargs + 1);
    sb_put(b, t);
    return b->nargs++;
}

static void sb_text_list(sqlb *b, const strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            sb_put(b, ", ");
        sb_arg(b, st_val_text(l->v[i]));
    }
}

static void sb_int(sqlb *b, int64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRId64, v);
    sb_put(b, t);
}

/* col = the ident of one key, or col IN the idents of several. */
static void sb_col_keys(sqlb *b, const char *col, const strlist *l)
{
    sb_put(b, " AND ");
    sb_put(b, col);
    if (l->n == 1) {
        sb_put(b, " = (SELECT id FROM ident WHERE key = ");
        sb_arg(b, st_val_text(l->v[0]));
    } else {
        sb_put(b, " IN (SELECT id FROM ident WHERE key IN (");
        sb_text_list(b, l);
        sb_put(b, ")");
    }
    sb_put(b, ")");
}

static void sb_roles(sqlb *b, unsigned roles)
{
    int first = 1;
    sb_put(b, " AND ee.role IN (");
    for (int r = ST_ROLE_EPC; r <= ST_ROLE_OUTPUT_CLASS; r++)
        if (roles & (1u << r)) {
            if (!first)
                sb_put(b, ", ");
            sb_int(b, r);
            first = 0;
        }
    sb_put(b, ")");
}

static void sb_match(sqlb *b, const qmatch *m)
{
    sb_put(b, " AND c.id IN (SELECT ee.event FROM ident i JOIN event_epc ee ON ee.ident = i.id"
              " WHERE (");
    int first = 1;
    if (m->keys.n) {
        sb_put(b, "i.key IN (");
        sb_text_list(b, &m->keys);
        sb_put(b, ")");
        first = 0;
    }
    for (size_t i = 0; i < m->pfx.n; i++) {
        sb_put(b, first ? "(i.key >= " : " OR (i.key >= ");
        sb_arg(b, st_val_text(m->pfx.v[i]));
        sb_put(b, " AND i.key < ");
        sb_arg(b, st_val_text(m->hi.v[i]));
        sb_put(b, ")");
        first = 0;
    }
    sb_put(b, ")");
    sb_roles(b, m->roles);
    sb_put(b, ")");
}

static int descending(const st_query *q)
{
    return q->order != ORD_NONE && (q->desc_set ? q->desc : 1); /* EPCIS: DESC by default */
}

/* ORDER BY of table t (its id written as id). */
static void sb_order(sqlb *b, const st_query *q, const char *t, const char *id)
{
    const char *dir = descending(q) ? " DESC" : "";
    sb_put(b, " ORDER BY ");
    if (q->order == ORD_EVENT_TIME) {
        sb_put(b, t);
        sb_put(b, ".event_time");
        sb_put(b, dir);
        sb_put(b, ", ");
    }
    sb_put(b, id);
    sb_put(b, dir);
}

/* The page statement: with_body selects id, event_time, record_time, body by
 * a deferred join on one batch of ids; else the ids and times only. */
static st_rc build_sql(const st_query *q, int with_body, sqlb *b)
{
    memset(b, 0, sizeof *b);
    b->a_key = -1;
    /* location hierarchies first: their placeholders come first */
    int wd = 0;
    for (int col = COL_READ_POINT; col <= COL_BIZ_LOCATION; col++) {
        if (!q->col_wd[col].n)
            continue;
        sb_put(b, wd ? ", " : "WITH RECURSIVE ");
        sb_put(b, col == COL_READ_POINT ? "wd_rp(id)" : "wd_bl(id)");
        sb_put(b, " AS (SELECT id FROM ident WHERE key IN (");
        sb_text_list(b, &q->col_wd[col]);
        sb_put(b, ") UNION SELECT lc.child FROM location_child lc JOIN ");
        sb_put(b, col == COL_READ_POINT ? "wd_rp" : "wd_bl");
        sb_put(b, " w ON lc.parent = w.id) ");
        wd = 1;
    }
    if (with_body)
        sb_put(b, "SELECT e.id, e.event_time, e.record_time, e.body FROM event e WHERE e.id IN ("
                  "SELECT c.id");
    else
        sb_put(b, "SELECT c.id, c.event_time, c.record_time");
    /* In record order with only an event time window to narrow by, SQLite
     * would rather walk ids and test every row's time: "+c.id" keeps the id
     * bounds and the order off the rowid, so that the event_time index
     * drives and a top-N sort orders. */
    const char *id = q->order != ORD_EVENT_TIME && (q->has_et_ge || q->has_et_lt) &&
                             !q->has_rt_ge && !q->has_rt_lt
                         ? "+c.id"
                         : "c.id";
    sb_put(b, " FROM event c WHERE ");
    sb_put(b, id);
    sb_put(b, " <= ");
    b->a_snap = sb_arg(b, st_val_int(0));
    if (q->types_set) {
        if (!q->types) {
            sb_put(b, " AND 1 = 0");
        } else {
            sb_put(b, " AND c.type IN (");
            int first = 1;
            for (int t = ST_EVENT_OBJECT; t <= ST_EVENT_ASSOCIATION; t++)
                if (q->types & (1u << t)) {
                    sb_put(b, first ? "" : ", ");
                    sb_int(b, t);
                    first = 0;
                }
            sb_put(b, ")");
        }
    }
    if (q->actions) {
        sb_put(b, " AND c.action IN (");
        int first = 1;
        for (int a = ST_ACTION_ADD; a <= ST_ACTION_DELETE; a++)
            if (q->actions & (1u << a)) {
                sb_put(b, first ? "" : ", ");
                sb_int(b, a);
                first = 0;
            }
        sb_put(b, ")");
    }
    if (q->has_et_ge) {
        sb_put(b, " AND c.event_time >= ");
        sb_arg(b, st_val_int(q->et_ge));
    }
    if (q->has_et_lt) {
        sb_put(b, " AND c.event_time < ");
        sb_arg(b, st_val_int(q->et_lt));
    }
    /* record time: the exact test, and the id range of the batches it allows */
    if (q->has_rt_ge) {
        sb_put(b, " AND c.record_time >= ");
        int k = sb_arg(b, st_val_int(q->rt_ge));
        sb_put(b, " AND c.id >= (SELECT bt.first_event FROM batch bt WHERE bt.record_time >= $");
        sb_int(b, k + 1);
        sb_put(b, " ORDER BY bt.record_time, bt.id LIMIT 1)");
    }
    if (q->has_rt_lt) {
        sb_put(b, " AND c.record_time < ");
        int k = sb_arg(b, st_val_int(q->rt_lt));
        sb_put(b, " AND c.id < COALESCE((SELECT bt.first_event FROM batch bt WHERE"
                  " bt.record_time >= $");
        sb_int(b, k + 1);
        sb_put(b, " ORDER BY bt.record_time, bt.id LIMIT 1), 9223372036854775807)");
    }
    for (int col = 0; col < 4; col++) {
        if (q->col_eq[col].n)
            sb_col_keys(b, col_names[col], &q->col_eq[col]);
        if (q->col_wd[col].n) {
            sb_put(b, " AND ");
            sb_put(b, col_names[col]);
            sb_put(b, col == COL_READ_POINT ? " IN (SELECT id FROM wd_rp)"
                                            : " IN (SELECT id FROM wd_bl)");
        }
        if (q->not_null & (1u << col)) {
            sb_put(b, " AND ");
            sb_put(b, col_names[col]);
            sb_put(b, " IS NOT NULL");
        }
    }
    for (int i = 0; i < q->n_match; i++)
        sb_match(b, &q->match[i]);
    if (q->eid_text.n) {
        sb_put(b, " AND (");
        if (q->eid_hash.n) {
            sb_put(b, "c.hash IN (");
            for (size_t i = 0; i < q->eid_hash.n; i++) {
                sb_put(b, i ? ", " : "");
                sb_arg(b, st_val_blob(q->eid_hash.v[i], 32));
            }
            sb_put(b, ") OR ");
        }
        sb_put(b, "c.event_id IN (");
        sb_text_list(b, &q->eid_text);
        sb_put(b, "))");
    }
    if (q->xform_set) {
        /* the events that name an input or output of the transformation
         * (genealogy, then event_epc by identifier), then its exact ID */
        sb_put(b, " AND c.type = ");
        sb_int(b, ST_EVENT_TRANSFORMATION);
        sb_put(b, " AND c.id IN (SELECT ee.event FROM ident i JOIN genealogy g ON g.xform = i.id"
                  " JOIN event_epc ee ON ee.ident = g.ident AND ee.role = g.role"
                  " WHERE i.key IN (");
        sb_text_list(b, &q->xform);
        sb_put(b, ")) AND c.xform IN (SELECT id FROM ident WHERE key IN (");
        sb_text_list(b, &q->xform);
        sb_put(b, "))");
    }
    if (q->fields) {
        sb_put(b, " AND (c.fields & ");
        sb_int(b, q->fields);
        sb_put(b, ") = ");
        sb_int(b, q->fields);
    }
    /* the keyset position */
    int desc = descending(q);
    if (q->order == ORD_EVENT_TIME) {
        sb_put(b, desc ? " AND c.event_time <= " : " AND c.event_time >= ");
        b->a_key = sb_arg(b, st_val_int(desc ? INT64_MAX : INT64_MIN));
        sb_put(b, desc ? " AND (c.event_time < $" : " AND (c.event_time > $");
        sb_int(b, b->a_key + 1);
        sb_put(b, desc ? " OR c.id < " : " OR c.id > ");
        b->a_id = sb_arg(b, st_val_int(desc ? INT64_MAX : 0));
        sb_put(b, ")");
    } else {
        sb_put(b, " AND ");
        sb_put(b, id);
        sb_put(b, desc ? " < " : " > ");
        b->a_id = sb_arg(b, st_val_int(desc ? INT64_MAX : 0));
    }
    sb_order(b, q, "c", id);
    sb_put(b, " LIMIT ");
    b->a_lim = sb_arg(b, st_val_int(1));
    if (with_body) {
        sb_put(b, ")");
        sb_order(b, q, "e", "e.id");
    }
    if (b->oom) {
        free(b->p);
        free(b->args);
        memset(b, 0, sizeof *b);
        return ST_ERR_NOMEM;
    }
    return ST_OK;
}

st_rc st_query_sql(const st_query *q, int with_body, char **sql, st_val **args, int *nargs)
{
    sqlb b;
    st_rc rc = build_sql(q, with_body, &b);
    if (rc)
        return rc;
    *sql = b.p;
    *args = b.args;
    *nargs = b.nargs;
    return ST_OK;
}

/* ---- the post-filter ------------------------------------------------------------------------ */

/* value (as in the event) is one of c's values. */
static int value_in(const qcond *c, const char *value, const st_evnode *bindings)
{
    if (!value)
        return 0;
    char canon[KEY_MAX];
    if (c->vk == VK_URI || c->vk == VK_VOCAB) {
        if (st_cap_canon(value, c->vk == VK_VOCAB ? c->vocab : -1, bindings, canon,
                         sizeof canon) != ST_OK)
            return 0;
        value = canon;
    }
    for (size_t i = 0; i < c->vals.n; i++) {
        const char *v = c->vals.v[i];
        if (c->vk == VK_HEX ? !strcasecmp(value, v) : !strcmp(value, v))
            return 1;
        if (c->vk == VK_NUM || c->vk == VK_LOOSE) {
            double a, b;
            int64_t x, y;
            if (!parse_num(value, &a) && !parse_num(v, &b) && a == b)
                return 1;
            if (c->vk == VK_LOOSE && st_cap_time_ms(value, &x) == ST_OK &&
                st_cap_time_ms(v, &y) == ST_OK && x == y)
                return 1;
        }
    }
    return 0;
}

/* value passes c (EQ: one of the values; else the comparison). */
static int value_ok(const qcond *c, const char *value, const st_evnode *bindings)
{
    if (c->cmp == CMP_EXISTS)
        return 1;
    if (c->cmp == CMP_EQ)
        return value_in(c, value, bindings);
    return operand_ok(value, &c->op, c->cmp);
}

static int vocab_is(const char *value, int vocab, const char *want, const st_evnode *bindings)
{
    char canon[KEY_MAX];
    return value && st_cap_canon(value, vocab, bindings, canon, sizeof canon) == ST_OK &&
           !strcmp(canon, want);
}

static int quantity_ok(const qcond *c, const st_evnode *root)
{
    static const char *const lists[] = {"quantityList", "childQuantityList", "inputQuantityList",
                                        "outputQuantityList"};
    for (size_t i = 0; i < 4; i++) {
        const st_evnode *l = st_evnode_child(root, lists[i]);
        for (const st_evnode *e = l ? l->first : NULL; e; e = e->next) {
            const char *uom = st_evnode_child_value(e, "uom");
            if (c->type && (!uom || strcmp(uom, c->type)))
                continue;
            if (value_ok(c, st_evnode_child_value(e, "quantity"), NULL))
                return 1;
        }
    }
    return 0;
}

static int sensor_ok(const qcond *c, const st_evnode *root, const st_evnode *bindings)
{
    const st_evnode *l = st_evnode_child(root, "sensorElementList");
    for (const st_evnode *se = l ? l->first : NULL; se; se = se->next)
        for (const st_evnode *part = se->first; part; part = part->next) {
            if (part->ns || (!st_evname_eq(part->name, "sensorMetadata") &&
                             !st_evname_eq(part->name, "sensorReport")))
                continue;
            if (c->type) { /* a uom: reports in that unit */
                const char *uom = st_evnode_child_value(part, "uom");
                if (!uom || strcmp(uom, c->type))
                    continue;
            }
            for (const st_evnode *a = part->first; a; a = a->next)
                if (!a->ns && st_evname_eq(a->name, c->field) && value_ok(c, a->value, bindings))
                    return 1;
        }
    return 0;
}

static int ns_end(char c)
{
    return c == '/' || c == '#' || c == ':';
}

/* An extension namespace equals want (also without a trailing '/', '#' or
 * ':', as "IRI#name" writes it). */
static int ns_eq(const char *ns, const char *want)
{
    size_t a = strlen(ns), b = strlen(want);
    if (a && ns_end(ns[a - 1]) && a == b + 1)
        a--;
    else if (b && ns_end(want[b - 1]) && b == a + 1)
        b--;
    return a == b && !strncmp(ns, want, a);
}

static int ext_is(const qcond *c, const st_evnode *n, const st_evnode *bindings)
{
    if (!n->ns || strcmp(n->name, c->field))
        return 0;
    if (c->ns)
        return ns_eq(n->ns, c->ns);
    /* a prefix: what the event's document bound it to, else the prefix it used */
    for (const st_evnode *b = bindings ? bindings->first : NULL; b; b = b->next)
        if (b->value && !strcmp(b->name, c->prefix))
            return ns_eq(n->ns, b->value);
    return n->prefix && !strcmp(n->prefix, c->prefix);
}

/* Below n (depth 1: its children), an extension field that passes c. */
static int ext_below(const qcond *c, const st_evnode *n, int depth, const st_evnode *bindings)
{
    for (const st_evnode *k = n ? n->first : NULL; k; k = k->next) {
        if ((!c->inner || depth > 1) && ext_is(c, k, bindings) && value_ok(c, k->value, bindings))
            return 1;
        if (c->inner && k->ns && depth < 2 * ST_EPCIS_MAX_DEPTH && ext_below(c, k, depth + 1, bindings))
            return 1;
    }
    return 0;
}

static int ext_ok(const qcond *c, const st_evnode *root, const st_evnode *bindings)
{
    const char *where = NULL;
    switch (c->scope) {
    case S_TOP:
        return ext_below(c, root, 1, bindings);
    case S_ILMD:
        return ext_below(c, st_evnode_child(root, "ilmd"), 1, bindings);
    case S_ERRDECL:
        return ext_below(c, st_evnode_child(root, "errorDeclaration"), 1, bindings);
    case S_READPOINT:
        return ext_below(c, st_evnode_child(root, "readPoint"), 1, bindings);
    case S_BIZLOCATION:
        return ext_below(c, st_evnode_child(root, "bizLocation"), 1, bindings);
    case S_SENSORMETADATA:
        where = "sensorMetadata";
        break;
    case S_SENSORREPORT:
        where = "sensorReport";
        break;
    default:
        break;
    }
    const st_evnode *l = st_evnode_child(root, "sensorElementList");
    for (const st_evnode *se = l ? l->first : NULL; se; se = se->next) {
        if (!where) {
            if (ext_below(c, se, 1, bindings))
                return 1;
            continue;
        }
        for (const st_evnode *part = se->first; part; part = part->next)
            if (!part->ns && st_evname_eq(part->name, where) && ext_below(c, part, 1, bindings))
                return 1;
    }
    return 0;
}

static int cond_ok(const qcond *c, const st_evnode *root, const st_evnode *bindings)
{
    const st_evnode *n = NULL;
    switch (c->kind) {
    case K_PDISP:
        n = st_evnode_child(root, "persistentDisposition");
        for (const st_evnode *k = n ? n->first : NULL; k; k = k->next)
            if (!k->ns && st_evname_eq(k->name, c->field) && value_in(c, k->value, bindings))
                return 1;
        return 0;
    case K_ERR_REASON:
    case K_ERR_TIME:
        n = st_evnode_child(root, "errorDeclaration");
        return n && value_ok(c, st_evnode_child_value(n, c->kind == K_ERR_REASON
                                                             ? "reason"
                                                             : "declarationTime"),
                             bindings);
    case K_CORRECTIVE:
        n = st_evnode_child(root, "errorDeclaration");
        n = n ? st_evnode_child(n, "correctiveEventIDs") : NULL;
        for (const st_evnode *k = n ? n->first : NULL; k; k = k->next)
            if (value_in(c, k->value, bindings))
                return 1;
        return 0;
    case K_SRCDEST:
    case K_BIZTX:
        n = st_evnode_child(root, c->field);
        for (const st_evnode *k = n ? n->first : NULL; k; k = k->next)
            if (vocab_is(st_evnode_child_value(k, "type"),
                         c->kind == K_BIZTX ? ST_CBV_BTT : ST_CBV_SDT, c->type, bindings) &&
                value_in(c, k->value, bindings))
                return 1;
        return 0;
    case K_QTY:
        return quantity_ok(c, root);
    case K_SENSOR:
        return sensor_ok(c, root, bindings);
    case K_EXISTS:
        return st_evnode_child(root, c->field) != NULL;
    case K_EXT:
        return ext_ok(c, root, bindings);
    }
    return 0;
}

/* ---- running a page ------------------------------------------------------------------------ */

/* One candidate row. */
typedef struct cand {
    int64_t id, event_time, record_ms;
    unsigned char *body; /* malloc'd copy, or NULL */
    size_t n;
} cand;

typedef struct batch {
    cand *c;
    size_t n, cap;
    size_t bytes; /* of the bodies held */
    int cut;      /* stopped at BATCH_BYTES: more rows may follow */
} batch;

static void batch_clear(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->c[i].body);
    b->n = 0;
    b->bytes = 0;
    b->cut = 0;
}

static st_rc row_cand(void *ctx, const st_val *v, int ncols)
{
    batch *b = ctx;
    if (ncols < 3)
        return ST_ERR_INTERNAL;
    if (b->bytes > BATCH_BYTES) { /* enough for one batch: stop the read here */
        b->cut = 1;
        return ST_ERR_LIMIT;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        cand *c = realloc(b->c, cap * sizeof *c);
        if (!c)
            return ST_ERR_NOMEM;
        b->c = c;
        b->cap = cap;
    }
    cand *c = &b->c[b->n];
    memset(c, 0, sizeof *c);
    c->id = v[0].i;
    c->event_time = v[1].i;
    c->record_ms = v[2].i;
    if (ncols > 3 && v[3].type == ST_VAL_BLOB) {
        c->body = malloc(v[3].n ? v[3].n : 1);
        if (!c->body)
            return ST_ERR_NOMEM;
        memcpy(c->body, v[3].p, v[3].n);
        c->n = v[3].n;
        b->bytes += v[3].n;
    }
    b->n++;
    return ST_OK;
}

static st_rc row_max(void *ctx, const st_val *v, int ncols)
{
    *(int64_t *)ctx = ncols > 0 && v[0].type == ST_VAL_INT ? v[0].i : 0;
    return ST_OK;
}

/* A run over the candidates of q from a position. */
typedef struct run {
    st_store *s;
    const st_query *q;
    st_error *err;
    st_arena *a;     /* decoded events, reset per event */
    int64_t key, id; /* scan position: the last candidate read */
    int64_t last_key, last_id; /* the last event delivered */
} run;

/* The recordTime node, after eventTime. */
static st_rc add_record_time(st_arena *a, st_evnode *root, int64_t ms)
{
    char t[32];
    st_cap_time_str(ms, t);
    st_evnode *rt = st_evnode_add(a, NULL, NULL, "recordTime", t, strlen(t), 0);
    if (!rt)
        return ST_ERR_NOMEM;
    rt->parent = root;
    st_evnode *after = st_evnode_child(root, "eventTime");
    if (!after) {
        after = root->last;
    }
    if (!after) {
        root->first = root->last = rt;
    } else {
        rt->next = after->next;
        after->next = rt;
        if (root->last == after)
            root->last = rt;
    }
    return ST_OK;
}

/*
 * Read candidates after r's position in order and deliver (cb) or count the
 * events that pass the post-filter, up to want; with lookahead, *more says
 * whether one more would follow. *got counts them.
 */
static st_rc scan(run *r, int with_body, int64_t snap, int64_t want, int lookahead,
                  st_query_row cb, void *ctx, int64_t *got, int *more)
{
    const st_query *q = r->q;
    int post = q->n_conds > 0;
    sqlb b;
    batch cands = {0};
    st_rc rc = build_sql(q, with_body, &b);
    if (rc)
        return st_fail(r->err, rc, -1, NULL, "out of memory");
    *got = 0;
    *more = 0;
    b.args[b.a_snap] = st_val_int(snap);
    int stop = want == 0 && !lookahead;
    while (!stop) {
        int64_t lim = post ? BATCH_POST : want - *got + (lookahead ? 1 : 0);
        if (lim < 1)
            lim = 1;
        if (lim > BATCH_MAX)
            lim = BATCH_MAX;
        if (b.a_key >= 0)
            b.args[b.a_key] = st_val_int(r->key);
        b.args[b.a_id] = st_val_int(r->id);
        b.args[b.a_lim] = st_val_int(lim);
        batch_clear(&cands);
        rc = st_store_exec(r->s, b.p, b.args, b.nargs, row_cand, &cands, r->err);
        if (rc == ST_ERR_LIMIT && cands.cut)
            rc = ST_OK;
        if (rc)
            break;
        for (size_t i = 0; i < cands.n && !stop; i++) {
            cand *c = &cands.c[i];
            r->key = c->event_time;
            r->id = c->id;
            st_event ev = {0};
            st_evnode *bindings = NULL;
            if (post || cb) {
                st_arena_reset(r->a);
                st_error e;
                st_error_clear(&e);
                if (!c->body || st_codec_decode(c->body, c->n, r->a, &ev, &bindings, &e)) {
                    rc = st_fail(r->err, ST_ERR_IO, -1, NULL,
                                 "the store is damaged: event %" PRId64 " cannot be decoded (%s)",
                                 c->id, e.msg[0] ? e.msg : "no body");
                    stop = 1;
                    break;
                }
                int ok = 1;
                for (size_t k = 0; k < q->n_conds && ok; k++)
                    ok = cond_ok(&q->conds[k], ev.root, bindings);
                if (!ok)
                    continue;
            }
            if (*got == want) {
                *more = 1;
                stop = 1;
                break;
            }
            if (cb) {
                if ((rc = add_record_time(r->a, ev.root, c->record_ms)) ||
                    (rc = cb(ctx, &ev, bindings, c->id, c->record_ms))) {
                    stop = 1;
                    break;
                }
            }
            (*got)++;
            r->last_key = c->event_time;
            r->last_id = c->id;
            if (*got == want && !lookahead)
                stop = 1;
        }
        if (rc || ((int64_t)cands.n < lim && !cands.cut))
            break;
    }
    batch_clear(&cands);
    free(cands.c);
    free(b.p);
    free(b.args);
    return rc;
}

/* The start of the order (before the first event). */
static void position_start(run *r)
{
    int desc = descending(r->q);
    r->key = desc ? INT64_MAX : INT64_MIN;
    r->id = desc ? INT64_MAX : 0;
}

st_rc st_query_run(st_store *s, const st_query *q, st_query_row cb, void *ctx, char *next_token,
                   size_t cap, st_error *err)
{
    if (!s || !q)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no query");
    if (next_token && cap)
        next_token[0] = '\0';
    st_rc rc = st_query_check(q, err);
    if (rc)
        return rc;
    token t = {{0}, 0, 0, 0, 0};
    if (params_hash(q, t.hash))
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "cannot hash the query");
    if (q->has_token && memcmp(t.hash, q->tok.hash, 8))
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "nextPageToken belongs to another query: give the parameters of its "
                       "first page");
    run r = {s, q, err, st_arena_create(0), 0, 0, 0, 0};
    if (!r.a)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    int64_t snap = 0, before = 0, got = 0;
    int more = 0;
    if (q->has_token) {
        snap = q->tok.snap;
        before = q->tok.count;
        r.key = q->tok.key;
        r.id = q->tok.id;
    } else {
        rc = st_store_exec(s, "SELECT max(id) FROM event", NULL, 0, row_max, &snap, err);
        position_start(&r);
    }
    /* maxEventCount: counted once, on the first page, before anything is written */
    if (!rc && q->max_count >= 0 && !q->has_token) {
        rc = scan(&r, q->n_conds > 0, snap, q->max_count, 1, NULL, NULL, &got, &more);
        if (!rc && more)
            rc = st_fail(err, ST_ERR_LIMIT, -1, NULL,
                         "the query matches more than maxEventCount=%" PRId64 " events",
                         q->max_count);
        position_start(&r);
    }
    int64_t want = q->per_page;
    int lookahead = 1;
    if (q->count_limit >= 0 && q->count_limit - before <= want) {
        want = q->count_limit > before ? q->count_limit - before : 0;
        lookahead = 0;
    }
    if (!rc)
        rc = scan(&r, 1, snap, want, lookahead, cb, ctx, &got, &more);
    if (!rc && more) {
        t.snap = snap;
        t.key = r.last_key;
        t.id = r.last_id;
        t.count = before + got;
        if (next_token && token_encode(&t, next_token, cap))
            rc = st_fail(err, ST_ERR_BUFFER, -1, NULL,
                         "the next page token needs %d bytes", ST_QUERY_TOKEN_MAX);
    }
    st_arena_destroy(r.a);
    return rc;
}

/* ---- the EPCISQueryDocument ------------------------------------------------------------------ */

/* Writing a page: the writer opens with the first event (or after an empty
 * run), so a refused query writes nothing. */
typedef struct qwrite {
    st_epcis_writer *w;
    st_epcis_format fmt;
    FILE *out;
} qwrite;

static st_rc qwrite_open(qwrite *x)
{
    return x->w ? ST_OK
                : st_epcis_writer_open_query(x->fmt, ST_EPCIS_IDS_ASIS, "SimpleEventQuery", x->out,
                                             NULL, &x->w);
}

static st_rc qwrite_row(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                        int64_t record_ms)
{
    qwrite *x = ctx;
    (void)event_id;
    (void)record_ms;
    st_rc rc = qwrite_open(x);
    return rc ? rc : st_epcis_writer_event_ns(x->w, ev, bindings);
}

st_rc st_store_query_write(st_store *s, const st_query *q, st_epcis_format fmt, FILE *out,
                           char *next_token, size_t cap, st_error *err)
{
    if (next_token && cap)
        next_token[0] = '\0';
    if (!s || !q || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store, query or output");
    if (fmt != ST_EPCIS_FMT_JSONLD && fmt != ST_EPCIS_FMT_XML2 && fmt != ST_EPCIS_FMT_XML12)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "unknown output format %d", (int)fmt);
    qwrite x = {NULL, fmt, out};
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_query_run(s, q, qwrite_row, &x, next_token, cap, &e);
    if (rc == ST_OK)
        rc = qwrite_open(&x);
    st_rc frc = st_epcis_writer_finish(x.w);
    if (rc == ST_OK)
        rc = frc;
    if (rc && e.rc == ST_OK) /* from the writer */
        return st_fail(err, rc, -1, NULL, "writing the query result failed: %s",
                       st_strerror(rc));
    if (rc && err)
        *err = e;
    if (rc && next_token && cap)
        next_token[0] = '\0';
    return rc;
}
