/*
 * Query parameters: the query object, the table of parameters with a fixed
 * name and the patterns of the others (EQ_source_<type>, *_<uom>, EXISTS_,
 * extension fields), what each sets in the query, and the checks before a
 * run. A refused parameter leaves the query as it was.
 */
#include <inttypes.h>
#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "epcis/cbv.h"
#include "store/capture.h"
#include "store/query_int.h"

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

st_rc st_query_resume(st_query *q, int64_t after_id, int64_t head)
{
    if (st_query_params_hash(q, q->tok.hash))
        return ST_ERR_INTERNAL;
    q->has_token = 1;
    q->tok.snap = head;
    q->tok.key = 0;
    q->tok.id = after_id;
    q->tok.count = 0;
    return ST_OK;
}

void st_query_set_scope(st_query *q, const st_scope *sc)
{
    if (q)
        q->scope = sc;
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

/* ---- parameters ------------------------------------------------------------------------ */

enum pkind {
    P_EVENT_TYPE,
    P_TIME,
    P_ACTION,
    P_COL,
    P_WD,
    P_MATCH,
    P_EVENT_ID,
    P_XFORM,
    P_PDISP,
    P_ERR_REASON,
    P_ERR_TIME,
    P_CORRECTIVE,
    P_QTY,
    P_SENSOR,
    P_ORDER_BY,
    P_ORDER_DIR,
    P_COUNT_LIMIT,
    P_MAX_COUNT,
    P_PER_PAGE,
    P_TOKEN,
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
    uint32_t bit; /* ST_FIELD_*, or 0 */
    int col;      /* COL_*, or -1 */
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
    {"eventID", 0, -1},
    {"parentID", 0, -1},
    {"epcList", 0, -1},
    {"childEPCs", 0, -1},
    {"inputEPCList", 0, -1},
    {"outputEPCList", 0, -1},
    {"quantityList", 0, -1},
    {"childQuantityList", 0, -1},
    {"inputQuantityList", 0, -1},
    {"outputQuantityList", 0, -1},
    {"transformationID", 0, -1},
    {"action", 0, -1},
    {"eventTimeZoneOffset", 0, -1},
    {"eventTime", 0, -2},
    {"recordTime", 0, -2}, /* always present */
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
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not true or false", name,
                       value);
    return ST_OK;
}

/* EQ_/GT_/GE_/LT_/LE_ condition c: its values or operand from value. */
static st_rc cond_values(st_query *q, qcond *c, const char *name, const char *value, int vk,
                         st_error *err)
{
    if (c->cmp == CMP_EQ) {
        c->vk = (unsigned char)(vk == VK_TIME ? VK_LOOSE : vk);
        int split = vk == VK_BOOL                    ? SPLIT_NONE
                    : vk == VK_URI                   ? SPLIT_URIS
                    : vk == VK_RAW || vk == VK_LOOSE ? SPLIT_PIPE
                                                     : SPLIT_ANY;
        if (c->kind == K_CORRECTIVE)
            split = SPLIT_URIS;
        return st_query_values(q, name, value, c->vk, c->vocab, split, &c->vals, err);
    }
    c->vk = (unsigned char)vk;
    return st_query_operand_value(q, name, value, vk, &c->op, err);
}

/* An extension field name: "prefix:local" or "IRI#local". */
static st_rc ext_name(st_query *q, qcond *c, const char *pname, const char *s, st_error *err)
{
    const char *hash = strrchr(s, '#');
    const char *colon = strchr(s, ':');
    if (hash && hash > s && hash[1]) {
        c->ns = st_query_dup(q, s, (size_t)(hash - s));
        c->field = st_query_dup(q, hash + 1, strlen(hash + 1));
    } else if (colon && colon > s && colon[1] && !strchr(colon + 1, ':') &&
               !strchr(colon + 1, '/')) {
        c->prefix = st_query_dup(q, s, (size_t)(colon - s));
        c->field = st_query_dup(q, colon + 1, strlen(colon + 1));
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
        if (!c || !(c->type = st_query_dup(q, t, strlen(t))))
            return ST_ERR_NOMEM;
        c->field = typed[i].list;
        q->fields |= typed[i].kind == K_BIZTX               ? ST_FIELD_BIZ_TRANSACTION_LIST
                     : !strcmp(typed[i].list, "sourceList") ? ST_FIELD_SOURCE_LIST
                                                            : ST_FIELD_DESTINATION_LIST;
        return cond_values(q, c, name, value, VK_URI, err);
    }
    static const char *const sensor_num[] = {"value_", "minValue_",  "maxValue_", "meanValue_",
                                             "sDev_",  "percValue_", "quantity_"};
    for (size_t i = 0; cmp != CMP_EXISTS && i < sizeof sensor_num / sizeof *sensor_num; i++) {
        size_t k = strlen(sensor_num[i]);
        if (strncmp(rest, sensor_num[i], k) || !is_uom(rest + k))
            continue;
        int qty = i == 6;
        qcond *c = cond_new(q, qty ? K_QTY : K_SENSOR);
        if (!c || !(c->field = st_query_dup(q, sensor_num[i], k - 1)) ||
            !(c->type = st_query_dup(q, rest + k, strlen(rest + k))))
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
            return st_query_norm1(q, want ? "true" : "false");
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
            return st_query_norm1(q, "false");
    }
    qcond *c = cond_new(q, K_EXT);
    if (!c)
        return ST_ERR_NOMEM;
    *c = c0;
    q->fields |= bit | (c0.scope == S_TOP ? ST_FIELD_EXTENSION : 0);
    if (c0.scope == S_READPOINT || c0.scope == S_BIZLOCATION)
        q->not_null |= 1u << (c0.scope == S_READPOINT ? COL_READ_POINT : COL_BIZ_LOCATION);
    if (cmp == CMP_EXISTS)
        return st_query_norm1(q, "true");
    return cond_values(q, c, name, value, VK_LOOSE, err);
unknown:
    return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "unknown query parameter %s", name);
}

static st_rc set_event_type(st_query *q, const char *name, const char *value, st_error *err)
{
    strlist l = {0};
    st_rc rc = st_query_values(q, name, value, VK_RAW, -1, SPLIT_ANY, &l, err);
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
    st_rc rc = st_query_values(q, name, value, VK_RAW, -1, SPLIT_ANY, &l, err);
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
        if ((rc = st_query_time_value(q, name, value, &ms, err)))
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
        int vocab = d->arg == COL_BIZ_STEP      ? ST_CBV_BIZSTEP
                    : d->arg == COL_DISPOSITION ? ST_CBV_DISP
                                                : -1;
        strlist *l = d->kind == P_COL ? &q->col_eq[d->arg] : &q->col_wd[d->arg];
        return st_query_values(q, name, value, vocab >= 0 ? VK_VOCAB : VK_URI, vocab,
                               vocab >= 0 ? SPLIT_ANY : SPLIT_URIS, l, err);
    }
    case P_MATCH:
        return st_query_match_values(q, name, value, (unsigned)d->arg, err);
    case P_EVENT_ID:
        return st_query_event_ids(q, name, value, err);
    case P_XFORM:
        q->xform_set = 1;
        return st_query_values(q, name, value, VK_URI, -1, SPLIT_URIS, &q->xform, err);
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
        return st_query_norm1(q, value);
    case P_ORDER_DIR:
        if (strcmp(value, "ASC") && strcmp(value, "DESC"))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "orderDirection: \"%.100s\" is not ASC or DESC", value);
        q->desc = !strcmp(value, "DESC");
        q->desc_set = 1;
        return st_query_norm1(q, value);
    case P_COUNT_LIMIT:
    case P_MAX_COUNT:
        if (parse_int(value, &n))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "%s: \"%.100s\" is not a whole number of events", name, value);
        if ((d->kind == P_COUNT_LIMIT ? q->max_count : q->count_limit) >= 0)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "eventCountLimit and maxEventCount exclude each other");
        *(d->kind == P_COUNT_LIMIT ? &q->count_limit : &q->max_count) = n;
        return st_query_norm1(q, value);
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
        if (st_query_token_decode(value, &q->tok))
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
    const char *nm = st_query_dup(q, name, strlen(name));
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
