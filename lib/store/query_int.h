/*
 * Inside the EPCIS simple event query: the parsed query (struct st_query and
 * its parts) and what query.c, query_param.c, query_value.c, query_sql.c,
 * query_filter.c and query_token.c call in each other. query.h stays the
 * interface for the rest of the library.
 */
#ifndef ST_STORE_QUERY_INT_H
#define ST_STORE_QUERY_INT_H

#include <serialtrack/limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "store/query.h"

#define KEY_MAX 2048 /* bytes of one canonical value */

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
enum scope {
    S_TOP,
    S_ILMD,
    S_ERRDECL,
    S_SENSORELEMENT,
    S_SENSORMETADATA,
    S_SENSORREPORT,
    S_READPOINT,
    S_BIZLOCATION
};

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

/* What a token carries (query_token.c: 50 bytes, base64url). */
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

struct st_query {
    st_arena *a;                            /* owns every string below */
    const char *names[ST_QUERY_MAX_PARAMS]; /* parameters set */
    const char *norm[ST_QUERY_MAX_PARAMS];  /* their normalised form (NULL: not hashed) */
    int n;                                  /* parameters set */
    const char *cur_norm;                   /* set by the handler of the current one */
    int types_set;                          /* eventType given */
    unsigned types;                         /* bit per st_event_type */
    unsigned actions;                       /* bit per st_action; 0: any */
    int64_t et_ge, et_lt, rt_ge, rt_lt;     /* time bounds (ms) */
    unsigned char has_et_ge, has_et_lt, has_rt_ge, has_rt_lt;
    strlist col_eq[4];     /* EQ_ per indexed column (COL_*) */
    strlist col_wd[4];     /* WD_ (read point, biz location) */
    unsigned not_null;     /* bit per COL_*: must be present */
    qmatch match[N_MATCH]; /* MATCH_ parameters */
    int n_match;
    strlist eid_text; /* EQ_eventID values */
    strlist eid_hash; /* of those, 32-byte digests of hash IDs */
    strlist xform;    /* EQ_transformationID keys */
    int xform_set;
    uint32_t fields; /* ST_FIELD_* that must be present */
    qcond *conds;    /* the post-filter */
    size_t n_conds, cap_conds;
    int order, desc;                /* enum order; descending */
    int desc_set;                   /* orderDirection given */
    int64_t count_limit, max_count; /* -1: not given */
    int64_t per_page;
    int has_token;
    token tok;
    const st_scope *scope; /* a partner's scope (borrowed), or NULL */
};

/* Whether q leaves something to the post-filter (conditions or a scope). */
static inline int st_query_has_post(const st_query *q)
{
    return q->n_conds > 0 || q->scope != NULL;
}

/* How a parameter's value splits into a list (see query_value.c). */
enum split { SPLIT_NONE, SPLIT_PIPE, SPLIT_ANY, SPLIT_URIS };

/* ---- values of parameters (query_value.c) ------------------------------------------------- */

/* A copy of s[0..n) with a NUL, in q's arena (freed with q); NULL when out
 * of memory. */
const char *st_query_dup(st_query *q, const char *s, size_t n);

/* Whether s is a strict decimal number (what JSON and xsd:decimal/double
 * allow); its value in *out. 0 yes, -1 no. */
int st_query_parse_num(const char *s, double *out);

/*
 * Split value into its list elements (enum split), canonicalise each as vk
 * (vocab for VK_VOCAB) and append those not yet in out; sets the current
 * parameter's normalised form. name is for messages. The strings appended
 * live in q's arena. ST_OK, ST_ERR_SYNTAX or ST_ERR_LIMIT with a sentence in
 * err, ST_ERR_NOMEM.
 */
st_rc st_query_values(st_query *q, const char *name, const char *value, int vk, int vocab,
                      int split, strlist *out, st_error *err);

/* Set the current parameter's normalised form to the one value v (copied
 * into q's arena). ST_OK or ST_ERR_NOMEM. */
st_rc st_query_norm1(st_query *q, const char *v);

/* A date-time value (ISO 8601 with a time zone) as *ms since the epoch;
 * sets the normalised form. ST_OK, ST_ERR_SYNTAX with a sentence in err,
 * ST_ERR_NOMEM. */
st_rc st_query_time_value(st_query *q, const char *name, const char *value, int64_t *ms,
                          st_error *err);

/* A GT_/GE_/LT_/LE_ operand into *op: a date-time or a number (vk VK_NUM:
 * a number only; VK_TIME: a date-time only); sets the normalised form.
 * ST_OK, ST_ERR_SYNTAX with a sentence in err, ST_ERR_NOMEM. */
st_rc st_query_operand_value(st_query *q, const char *name, const char *value, int vk, operand *op,
                             st_error *err);

/* A MATCH_ parameter for roles (bit per st_role): its keys and key prefixes
 * (EPC patterns, GTIN classes) into the next q->match, in q's arena. ST_OK,
 * ST_ERR_SYNTAX or ST_ERR_LIMIT with a sentence in err, ST_ERR_NOMEM. */
st_rc st_query_match_values(st_query *q, const char *name, const char *value, unsigned roles,
                            st_error *err);

/* EQ_eventID: the values into q->eid_text, and the 32-byte digests of those
 * that are hash IDs into q->eid_hash, in q's arena. ST_OK, ST_ERR_SYNTAX or
 * ST_ERR_LIMIT with a sentence in err, ST_ERR_NOMEM. */
st_rc st_query_event_ids(st_query *q, const char *name, const char *value, st_error *err);

/* ---- page tokens (query_token.c) ---------------------------------------------------------- */

/* t as a token (base64url, NUL-terminated) into the caller's out[0..cap).
 * ST_OK, ST_ERR_BUFFER (out NULL or cap too small; ST_QUERY_TOKEN_MAX is
 * enough), ST_ERR_INTERNAL (SHA-256 failed). */
st_rc st_query_token_encode(const token *t, char *out, size_t cap);

/* The token s into *t: 0, or -1 when s is not a token this store wrote (or
 * it was altered). */
int st_query_token_decode(const char *s, token *t);

/* The first 8 bytes of the SHA-256 of q's normalised parameters (all but
 * perPage and nextPageToken, in name order) into out: 0, or -1 when hashing
 * failed. */
int st_query_params_hash(const st_query *q, unsigned char out[8]);

/* ---- the page SQL (query_sql.c) ----------------------------------------------------------- */

/* A statement being built, with its arguments in order of appearance. */
typedef struct sqlb {
    char *p;
    size_t n, cap;
    st_val *args;
    int nargs, cap_args;
    int oom;
    int a_snap, a_key, a_id, a_lim; /* arguments updated per batch (-1: none) */
} sqlb;

/* Whether q's results come in descending order (EPCIS: DESC by default when
 * orderBy is given). */
int st_query_descending(const st_query *q);

/*
 * The page statement of q into *b (its own text and argument array,
 * malloc'd; free b->p and b->args; the arguments' text and blobs are q's):
 * with_body selects id, event_time, record_time, body by a deferred join on
 * one batch of ids; else the ids and times only. b->a_* index the arguments
 * a run updates per batch. ST_OK or ST_ERR_NOMEM (then *b holds nothing).
 */
st_rc st_query_build_sql(const st_query *q, int with_body, sqlb *b);

/* ---- the post-filter (query_filter.c) ----------------------------------------------------- */

/* Whether the decoded event root (bindings: its document's prefix bindings,
 * or NULL) passes every post-filter condition of q. Reads only. */
int st_query_post_ok(const st_query *q, const st_evnode *root, const st_evnode *bindings);

#endif
