/*
 * EPCIS event validation (validate.h): the structure rules. Which fields
 * each event type may and must have, and what each structure holds, is data
 * (the tables below, from the EPCIS 2.0 JSON Schema and XSD); the rules that
 * tie fields to each other (parentID by action, what an event must be about)
 * are the functions after them. Single values are checked by
 * validate_value.c, paths come from path.c.
 *
 * Where the two schemas differ the validator takes the wider one:
 * persistentDisposition is allowed in every event type (XSD; the JSON Schema
 * lists it for Object and Transformation events only), and a sensorReport
 * needs no type (XSD; the JSON Schema requires one).
 */
#include <string.h>

#include "epcis/cbv.h"
#include "epcis/validate_int.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Field flags */
#define F_REQ 0x01      /* must be present (members of structures; events use `must`) */
#define F_MULTI 0x02    /* may occur more than once */
#define F_NONEMPTY 0x04 /* a list that must hold at least one item */
#define F_TEXT 0x08     /* a structure that may also hold text (XML simple content) */

/* Event type bits */
#define OBJ (1u << ST_EVENT_OBJECT)
#define AGG (1u << ST_EVENT_AGGREGATION)
#define TRX (1u << ST_EVENT_TRANSACTION)
#define TRF (1u << ST_EVENT_TRANSFORMATION)
#define ASC (1u << ST_EVENT_ASSOCIATION)
#define ALL (OBJ | AGG | TRX | TRF | ASC)

typedef struct vshape vshape;

/* One field: a value, a structure, a list, or an entry (a value with attributes). */
typedef struct vfield {
    const char *name;          /* node name, EPCIS 2.0 spelling */
    st_vkind kind;             /* check of the node's own value; ST_V_NONE for structures */
    int vocab;                 /* ST_CBV_* for ST_V_VOCAB, else -1 */
    unsigned flags;            /* F_* */
    const vshape *sub;         /* members (or attributes) of the node, or NULL */
    const struct vfield *item; /* a list field: what each item is; NULL otherwise */
    unsigned may;              /* event level: types that may have it */
    unsigned must;             /* event level: types that must have it */
    size_t len;                /* strlen(name), filled in by FIELD() */
} vfield;

/* The members a structure may have. */
struct vshape {
    const char *what;          /* its name in messages */
    const vfield *fields;      /* the standard members */
    size_t n;                  /* entries in fields */
    int ext;                   /* 1: extension members (with a namespace) are allowed */
    const char *const *one_of; /* two or more names, NULL-ended, of which one must be
                                  present; or NULL */
};

// clang-format off
#define FIELD(name, kind, vocab, flags, sub, item, may, must) \
    {name, kind, vocab, flags, sub, item, may, must, sizeof(name) - 1}
#define VAL(name, kind, flags) FIELD(name, kind, -1, flags, NULL, NULL, 0, 0)
#define VOC(name, vocab, flags) FIELD(name, ST_V_VOCAB, vocab, flags, NULL, NULL, 0, 0)
#define SHAPE(what, fields, ext, one_of) {what, fields, COUNT(fields), ext, one_of}
// clang-format on

/* ---- structures ------------------------------------------------------------------ */

static const vfield qty_fields[] = {
    VAL("epcClass", ST_V_CLASS, F_REQ),
    VAL("quantity", ST_V_DECIMAL, 0),
    VAL("uom", ST_V_UOM, 0),
};
static const vshape qty_shape = SHAPE("quantityElement", qty_fields, 0, NULL);

static const vfield place_fields[] = {VAL("id", ST_V_ID, F_REQ)};
static const vshape read_point_shape = SHAPE("readPoint", place_fields, 1, NULL);
static const vshape biz_location_shape = SHAPE("bizLocation", place_fields, 1, NULL);

static const char *const set_or_unset[] = {"set", "unset", NULL};
static const vfield persist_fields[] = {
    VOC("set", ST_CBV_DISP, F_MULTI),
    VOC("unset", ST_CBV_DISP, F_MULTI),
};
static const vshape persist_shape = SHAPE("persistentDisposition", persist_fields, 0, set_or_unset);

static const vfield bt_attrs[] = {VOC("type", ST_CBV_BTT, 0)};
static const vshape bt_shape = SHAPE("bizTransaction", bt_attrs, 0, NULL);
static const vfield sd_attrs[] = {VOC("type", ST_CBV_SDT, F_REQ)};
static const vshape source_shape = SHAPE("source", sd_attrs, 0, NULL);
static const vshape dest_shape = SHAPE("destination", sd_attrs, 0, NULL);

static const vfield meta_fields[] = {
    VAL("time", ST_V_TIME, 0),
    VAL("startTime", ST_V_TIME, 0),
    VAL("endTime", ST_V_TIME, 0),
    VAL("deviceID", ST_V_URI, 0),
    VAL("deviceMetadata", ST_V_URI, 0),
    VAL("rawData", ST_V_URI, 0),
    VAL("dataProcessingMethod", ST_V_URI, 0),
    VAL("bizRules", ST_V_URI, 0),
};
static const vshape meta_shape = SHAPE("sensorMetadata", meta_fields, 1, NULL);

static const vfield report_fields[] = {
    VOC("type", ST_CBV_MEASUREMENT, 0),
    VOC("exception", ST_CBV_ALERT, 0),
    VAL("deviceID", ST_V_URI, 0),
    VAL("deviceMetadata", ST_V_URI, 0),
    VAL("rawData", ST_V_URI, 0),
    VAL("dataProcessingMethod", ST_V_URI, 0),
    VAL("bizRules", ST_V_URI, 0),
    VAL("time", ST_V_TIME, 0),
    VAL("microorganism", ST_V_URI, 0),
    VAL("chemicalSubstance", ST_V_URI, 0),
    VAL("coordinateReferenceSystem", ST_V_URI, 0),
    VAL("value", ST_V_DOUBLE, 0),
    VOC("component", ST_CBV_COMP, 0),
    VAL("stringValue", ST_V_TEXT, 0),
    VAL("booleanValue", ST_V_BOOL, 0),
    VAL("hexBinaryValue", ST_V_HEX, 0),
    VAL("uriValue", ST_V_URI, 0),
    VAL("minValue", ST_V_DOUBLE, 0),
    VAL("maxValue", ST_V_DOUBLE, 0),
    VAL("meanValue", ST_V_DOUBLE, 0),
    VAL("sDev", ST_V_DOUBLE, 0),
    VAL("percRank", ST_V_DOUBLE, 0),
    VAL("percValue", ST_V_DOUBLE, 0),
    VAL("uom", ST_V_UOM, 0),
};
static const vshape report_shape = SHAPE("sensorReport", report_fields, 1, NULL);

static const vfield sensor_fields[] = {
    FIELD("sensorMetadata", ST_V_NONE, -1, F_TEXT, &meta_shape, NULL, 0, 0),
    FIELD("sensorReport", ST_V_NONE, -1, F_REQ | F_MULTI | F_TEXT, &report_shape, NULL, 0, 0),
};
static const vshape sensor_shape = SHAPE("sensorElement", sensor_fields, 1, NULL);

static const vfield corrective_item = VAL("correctiveEventID", ST_V_EVENTID, 0);
static const vfield error_fields[] = {
    VAL("declarationTime", ST_V_TIME, F_REQ),
    VOC("reason", ST_CBV_ER, 0),
    FIELD("correctiveEventIDs", ST_V_NONE, -1, 0, NULL, &corrective_item, 0, 0),
};
static const vshape error_shape = SHAPE("errorDeclaration", error_fields, 1, NULL);

static const vfield no_fields[] = {VAL("", ST_V_NONE, 0)}; /* matches no node name */
static const vshape ilmd_shape = SHAPE("ilmd", no_fields, 1, NULL);

/* List items */
static const vfield epc_item = VAL("epc", ST_V_INSTANCE, 0);
static const vfield qty_item = FIELD("quantityElement", ST_V_NONE, -1, 0, &qty_shape, NULL, 0, 0);
static const vfield bt_item = FIELD("bizTransaction", ST_V_ID, -1, 0, &bt_shape, NULL, 0, 0);
static const vfield source_item = FIELD("source", ST_V_ID, -1, 0, &source_shape, NULL, 0, 0);
static const vfield dest_item = FIELD("destination", ST_V_ID, -1, 0, &dest_shape, NULL, 0, 0);
static const vfield sensor_item =
    FIELD("sensorElement", ST_V_NONE, -1, 0, &sensor_shape, NULL, 0, 0);

/* ---- the event level ------------------------------------------------------------- */

// clang-format off
#define EV(name, kind, vocab, flags, sub, item, may, must) \
    FIELD(name, kind, vocab, flags, sub, item, may, must)
// clang-format on
#define LIST(name, item, flags, may, must) EV(name, ST_V_NONE, -1, flags, NULL, item, may, must)
#define STRUCT(name, sub, may) EV(name, ST_V_NONE, -1, 0, sub, NULL, may, 0)

static const vfield event_fields[] = {
    EV("eventTime", ST_V_TIME, -1, 0, NULL, NULL, ALL, ALL),
    EV("recordTime", ST_V_TIME, -1, 0, NULL, NULL, ALL, 0),
    EV("eventTimeZoneOffset", ST_V_OFFSET, -1, 0, NULL, NULL, ALL, ALL),
    EV("eventID", ST_V_EVENTID, -1, 0, NULL, NULL, ALL, 0),
    EV("certificationInfo", ST_V_URI, -1, F_MULTI, NULL, NULL, ALL, 0),
    STRUCT("errorDeclaration", &error_shape, ALL),
    EV("parentID", ST_V_INSTANCE, -1, 0, NULL, NULL, AGG | TRX | ASC, ASC),
    LIST("epcList", &epc_item, 0, OBJ | TRX, 0),
    LIST("childEPCs", &epc_item, 0, AGG | ASC, 0),
    LIST("inputEPCList", &epc_item, 0, TRF, 0),
    LIST("outputEPCList", &epc_item, 0, TRF, 0),
    LIST("quantityList", &qty_item, 0, OBJ | TRX, 0),
    LIST("childQuantityList", &qty_item, 0, AGG | ASC, 0),
    LIST("inputQuantityList", &qty_item, 0, TRF, 0),
    LIST("outputQuantityList", &qty_item, 0, TRF, 0),
    EV("action", ST_V_ACTION, -1, 0, NULL, NULL, OBJ | AGG | TRX | ASC, OBJ | AGG | TRX | ASC),
    EV("transformationID", ST_V_URI, -1, 0, NULL, NULL, TRF, 0),
    EV("bizStep", ST_V_VOCAB, ST_CBV_BIZSTEP, 0, NULL, NULL, ALL, 0),
    EV("disposition", ST_V_VOCAB, ST_CBV_DISP, 0, NULL, NULL, ALL, 0),
    STRUCT("persistentDisposition", &persist_shape, ALL),
    STRUCT("readPoint", &read_point_shape, ALL),
    STRUCT("bizLocation", &biz_location_shape, ALL),
    LIST("bizTransactionList", &bt_item, F_NONEMPTY, ALL, TRX),
    LIST("sourceList", &source_item, F_NONEMPTY, ALL, 0),
    LIST("destinationList", &dest_item, F_NONEMPTY, ALL, 0),
    LIST("sensorElementList", &sensor_item, F_NONEMPTY, ALL, 0),
    STRUCT("ilmd", &ilmd_shape, OBJ | TRF),
};
static const vshape event_shape = SHAPE("event", event_fields, 1, NULL);

/* check_members and check_event_members note the fields met in one unsigned. */
_Static_assert(COUNT(event_fields) <= 32 && COUNT(report_fields) <= 32, "too many fields");

/* "an" before a vowel, else "a". */
static const char *article(const char *word)
{
    return word[0] && strchr("AEIOUaeiou", word[0]) ? "an" : "a";
}

/* ---- walking the tree ------------------------------------------------------------- */

static void check_field(st_vctx *c, const st_evnode *n, const vfield *f);

/* 1 when name holds a ':' (a prefixed name); else 0, with its length in *len. */
static int has_colon(const char *name, size_t *len)
{
    const char *p = name;
    for (; *p; p++)
        if (*p == ':')
            return 1;
    *len = (size_t)(p - name);
    return 0;
}

/* The member of sh named name[0..len), or NULL. */
static const vfield *find(const vshape *sh, const char *name, size_t len)
{
    for (size_t i = 0; i < sh->n; i++) {
        const vfield *f = &sh->fields[i];
        if (f->len == len && f->name[0] == name[0] && !memcmp(f->name, name, len))
            return f;
    }
    return NULL;
}

/* The field of sh nearest to name (case aside, or at most 2 edits), among
 * those type may have (0: all), or NULL. */
static const char *suggest(const vshape *sh, const char *name, unsigned type)
{
    const char *best = NULL;
    size_t best_d = 3, n = strlen(name);
    for (size_t i = 0; i < sh->n; i++) {
        const vfield *f = &sh->fields[i];
        if (!f->name[0] || (type && !(f->may & type)))
            continue;
        size_t k = strlen(f->name), d;
        int same = k == n;
        for (size_t j = 0; same && j < n; j++)
            same = (name[j] | 0x20) == (f->name[j] | 0x20);
        d = same ? 0 : st_cbv_distance(name, n, f->name, k, 2);
        if (d < best_d) {
            best_d = d;
            best = f->name;
        }
    }
    return best;
}

/* Report member n, which sh does not know. In EPCIS 1.x XML every event and
 * most structures end in nested <extension> wrappers whose innermost one
 * admits un-namespaced elements (XSD ##local), and the reader dissolves the
 * wrappers; so there an unknown un-namespaced member is accepted unless it
 * looks like a misspelt standard field. */
static void unknown(st_vctx *c, const st_evnode *n, const vshape *sh, unsigned type)
{
    const char *s = suggest(sh, n->name, type);
    if (!s && c->doc->format == ST_EPCIS_FMT_XML12)
        return; /* from an <extension> wrapper's ##local slot, which the reader dissolved */
    const char *what = n->flags & ST_EVN_ATTR && c->xml ? "attribute" : "field";
    if (s)
        st_vfault(c, n, 0, ST_ERR_SYNTAX, "unknown %s \"%s\" (did you mean \"%s\"?)", what, n->name,
                  s);
    else if (sh->ext)
        st_vfault(c, n, 0, ST_ERR_SYNTAX,
                  "unknown %s \"%s\" in %s; expected a standard field or an extension with a "
                  "namespace",
                  what, n->name, sh->what);
    else
        st_vfault(c, n, 0, ST_ERR_SYNTAX, "unknown %s \"%s\" in %s", what, n->name, sh->what);
}

static int has_text(const char *v)
{
    for (; v && *v; v++)
        if (*v != ' ' && *v != '\t' && *v != '\r' && *v != '\n')
            return 1;
    return 0;
}

/* Check the members of structure n against sh: unknown and repeated ones,
 * each known one, then the required ones and sh->one_of. */
static void check_members(st_vctx *c, const st_evnode *n, const vshape *sh)
{
    unsigned seen = 0; /* bit i: field i was met */
    for (const st_evnode *m = n->first; m; m = m->next) {
        if (m->ns) {
            if (!sh->ext)
                st_vfault(c, m, 0, ST_ERR_SYNTAX,
                          "extension \"%s%s%s\" is not allowed in %s, which has no extension point",
                          m->prefix ? m->prefix : "", m->prefix ? ":" : "", m->name, sh->what);
            continue;
        }
        size_t len;
        if (has_colon(m->name, &len))
            continue; /* an undeclared prefix: the reader reported it */
        const vfield *f = find(sh, m->name, len);
        if (!f) {
            unknown(c, m, sh, 0);
            continue;
        }
        unsigned bit = 1u << (f - sh->fields);
        if ((seen & bit) && !(f->flags & F_MULTI))
            st_vfault(c, m, 0, ST_ERR_RULE, "\"%s\" occurs more than once in %s; at most once",
                      m->name, sh->what);
        seen |= bit;
        check_field(c, m, f);
    }
    for (size_t i = 0; i < sh->n; i++)
        if ((sh->fields[i].flags & F_REQ) && !(seen & (1u << i)))
            st_vfault(c, n, 0, ST_ERR_RULE, "missing \"%s\"; every %s needs one",
                      sh->fields[i].name, sh->what);
    if (sh->one_of) {
        int any = 0;
        for (const char *const *o = sh->one_of; *o && !any; o++)
            any = st_evnode_child(n, *o) != NULL;
        if (!any)
            st_vfault(c, n, 0, ST_ERR_RULE,
                      "%s is empty; expected at least one of \"%s\" and \"%s\"", sh->what,
                      sh->one_of[0], sh->one_of[1]);
    }
}

/* The items of list n, each an f->item. */
static void check_items(st_vctx *c, const st_evnode *n, const vfield *f)
{
    size_t items = 0;
    for (const st_evnode *m = n->first; m; m = m->next) {
        if (m->ns) {
            st_vfault(c, m, 0, ST_ERR_SYNTAX, "extension \"%s%s%s\" is not allowed in %s",
                      m->prefix ? m->prefix : "", m->prefix ? ":" : "", m->name, f->name);
        } else if (!st_evname_eq(m->name, f->item->name)) {
            st_vfault(c, m, 0, ST_ERR_SYNTAX, "unexpected \"%s\" in %s; expected %s items", m->name,
                      f->name, f->item->name);
        } else {
            items++;
            check_field(c, m, f->item);
        }
    }
    if (!items && (f->flags & F_NONEMPTY))
        st_vfault(c, n, 0, ST_ERR_RULE, "%s is empty; expected at least one %s", f->name,
                  f->item->name);
}

static void check_field(st_vctx *c, const st_evnode *n, const vfield *f)
{
    if (f->item) {
        check_items(c, n, f);
        return;
    }
    if (f->kind != ST_V_NONE)
        st_vcheck_node(c, n, f->kind, f->vocab, NULL);
    if (!f->sub)
        return;
    if (f->kind == ST_V_NONE && !(f->flags & F_TEXT) && has_text(n->value))
        st_vfault(c, n, 0, ST_ERR_SYNTAX, "%s holds text; expected only its fields", f->name);
    check_members(c, n, f->sub);
}

/* ---- rules between fields ------------------------------------------------------- */

typedef struct evinfo {
    const st_evnode *root; /* the event */
    const char *type;      /* its type name */
    const char *action;    /* ADD, OBSERVE or DELETE when valid, else NULL */
} evinfo;

static const st_evnode *field(const evinfo *e, const char *name)
{
    return st_evnode_child(e->root, name);
}

/* The items of list field name (0 when it is absent). */
static size_t items(const evinfo *e, const char *name)
{
    const st_evnode *l = field(e, name);
    return l ? st_evnode_count(l, NULL) : 0;
}

static int action_is(const evinfo *e, const char *a)
{
    return e->action && !strcmp(e->action, a);
}

static void rules_object(st_vctx *c, const evinfo *e)
{
    if (!field(e, "epcList") && !items(e, "quantityList") &&
        !(items(e, "sensorElementList") && field(e, "readPoint")))
        st_vfault(c, NULL, 0, ST_ERR_RULE,
                  "an ObjectEvent needs an epcList, a non-empty quantityList, or a "
                  "sensorElementList with a readPoint; found none of them");
    const st_evnode *ilmd = field(e, "ilmd");
    if (ilmd && e->action && !action_is(e, "ADD"))
        st_vfault(c, ilmd, 0, ST_ERR_RULE, "ilmd is only allowed with action ADD (found %s)",
                  e->action);
}

/* AggregationEvent and AssociationEvent: a parent and children. */
static void rules_parent_child(st_vctx *c, const evinfo *e, int parent_always)
{
    if (!parent_always && !field(e, "parentID") && e->action && !action_is(e, "OBSERVE"))
        st_vfault(c, NULL, 0, ST_ERR_RULE,
                  "missing \"parentID\"; %s %s with action %s must name the parent (only "
                  "OBSERVE may omit it)",
                  article(e->type), e->type, e->action);
    if (e->action && !action_is(e, "DELETE") && !items(e, "childEPCs") &&
        !items(e, "childQuantityList"))
        st_vfault(c, NULL, 0, ST_ERR_RULE,
                  "%s %s with action %s needs children: a non-empty childEPCs or "
                  "childQuantityList (only DELETE may omit them)",
                  article(e->type), e->type, e->action);
}

static void rules_transaction(st_vctx *c, const evinfo *e)
{
    if (e->action && !action_is(e, "DELETE") && !field(e, "epcList") && !items(e, "quantityList"))
        st_vfault(c, NULL, 0, ST_ERR_RULE,
                  "a TransactionEvent with action %s needs an epcList or a non-empty "
                  "quantityList (only DELETE may omit both)",
                  e->action);
}

static void rules_transformation(st_vctx *c, const evinfo *e)
{
    int in = items(e, "inputEPCList") || items(e, "inputQuantityList");
    int out = items(e, "outputEPCList") || items(e, "outputQuantityList");
    if (field(e, "transformationID")) {
        if (!in && !out)
            st_vfault(c, NULL, 0, ST_ERR_RULE,
                      "a TransformationEvent needs at least one input or output (inputEPCList, "
                      "inputQuantityList, outputEPCList or outputQuantityList); found none");
    } else if (!in || !out) {
        st_vfault(c, NULL, 0, ST_ERR_RULE,
                  "a TransformationEvent without transformationID needs inputs (inputEPCList or "
                  "inputQuantityList) and outputs (outputEPCList or outputQuantityList); found %s",
                  !in && !out ? "neither"
                  : !in       ? "no inputs"
                              : "no outputs");
    }
}

/* ---- the event -------------------------------------------------------------------- */

/* The event-level members: unknown ones, those the type may not have,
 * repeated ones, each known one; then the ones the type must have. */
static void check_event_members(st_vctx *c, const st_evnode *root, unsigned type)
{
    unsigned seen = 0;
    for (const st_evnode *m = root->first; m; m = m->next) {
        size_t len;
        if (m->ns || has_colon(m->name, &len))
            continue; /* extensions are free; an undeclared prefix was reported by the reader */
        const vfield *f = find(&event_shape, m->name, len);
        if (!f) {
            if (type)
                unknown(c, m, &event_shape, type);
            continue;
        }
        if (type && !(f->may & type)) {
            st_vfault(c, m, 0, ST_ERR_RULE, "field \"%s\" is not allowed in %s %s", m->name,
                      article(root->name), root->name);
            continue;
        }
        unsigned bit = 1u << (f - event_fields);
        if ((seen & bit) && !(f->flags & F_MULTI))
            st_vfault(c, m, 0, ST_ERR_RULE, "\"%s\" occurs more than once; at most once", m->name);
        seen |= bit;
        check_field(c, m, f);
    }
    for (size_t i = 0; i < COUNT(event_fields); i++) {
        const vfield *f = &event_fields[i];
        unsigned must = type ? f->must & type : f->must == ALL;
        if (must && !(seen & (1u << i)))
            st_vfault(c, NULL, 0, ST_ERR_RULE, "missing \"%s\"; every %s needs one", f->name,
                      root->name);
    }
}

static const char *const event_types[] = {"ObjectEvent", "AggregationEvent", "TransactionEvent",
                                          "TransformationEvent", "AssociationEvent"};

/* An event whose type is not one of the five: an extension event type (a
 * URI; only the common fields are checked) or an error. */
static int check_type(st_vctx *c, const st_evnode *root)
{
    const char *name = root->name;
    const char *colon = strchr(name, ':');
    if (colon && colon != name)
        return 1;
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < COUNT(event_types); i++) {
        size_t d = st_cbv_distance(name, strlen(name), event_types[i], strlen(event_types[i]), 2);
        if (d < best_d)
            best_d = d, best = event_types[i];
    }
    if (best)
        st_vfault(c, NULL, 0, ST_ERR_SYNTAX, "unknown event type \"%s\" (did you mean \"%s\"?)",
                  name, best);
    else
        st_vfault(c, NULL, 0, ST_ERR_SYNTAX,
                  "unknown event type \"%s\"; expected ObjectEvent, AggregationEvent, "
                  "TransactionEvent, TransformationEvent, AssociationEvent or an extension type "
                  "(a URI)",
                  name);
    return 0;
}

static const char *valid_action(const st_evnode *root)
{
    const char *a = st_evnode_child_value(root, "action");
    static const char *const actions[] = {"ADD", "OBSERVE", "DELETE"};
    for (size_t i = 0; a && i < COUNT(actions); i++)
        if (!strcmp(a, actions[i]))
            return actions[i];
    return NULL;
}

st_rc st_epcis_validate_event(const st_epcis_doc *doc, const st_event *ev, st_diag *diag)
{
    if (!doc || !ev || !ev->root || !ev->root->name || !diag)
        return ST_ERR_ARG;
    st_vctx c = {doc, ev, diag, 0, ST_OK};
    c.xml = doc->format == ST_EPCIS_FMT_XML2 || doc->format == ST_EPCIS_FMT_XML12;
    const st_evnode *root = ev->root;
    st_event_type t = st_event_type_from_name(root->name);
    if (t == ST_EVENT_NONE) {
        if (check_type(&c, root))
            check_event_members(&c, root, 0);
        return c.first;
    }
    check_event_members(&c, root, 1u << t);
    evinfo e = {root, root->name, valid_action(root)};
    switch (t) {
    case ST_EVENT_OBJECT:
        rules_object(&c, &e);
        break;
    case ST_EVENT_AGGREGATION:
        rules_parent_child(&c, &e, 0);
        break;
    case ST_EVENT_ASSOCIATION:
        rules_parent_child(&c, &e, 1);
        break;
    case ST_EVENT_TRANSACTION:
        rules_transaction(&c, &e);
        break;
    case ST_EVENT_TRANSFORMATION:
        rules_transformation(&c, &e);
        break;
    default:
        break;
    }
    return c.first;
}
