/*
 * Capture preparation (capture.h): one validated event becomes its hash, its
 * encoded body and the canonical values the backend indexes. Canonical forms
 * come from the hash ID algorithm's own canonicalisation (lib/epcis/hashid.h),
 * so an identifier or vocabulary value is indexed exactly as it is hashed,
 * whatever spelling the document used.
 */
#include "store/capture.h"

#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/civil.h"
#include "epcis/cbv.h"
#include "epcis/hashid.h"
#include "gs1/ai.h"
#include "gs1/key.h"
#include "store/codec.h"

#define MDA_NS "urn:epcglobal:cbv:mda" /* ILMD master data attributes, with ':' or '#' after */
#define KEY_MAX 2048                   /* bytes of one canonical value */

st_cap_doc *st_cap_doc_create(void)
{
    st_cap_doc *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->arena = st_arena_create(0);
    if (!d->arena) {
        free(d);
        return NULL;
    }
    return d;
}

void st_cap_doc_destroy(st_cap_doc *d)
{
    if (!d)
        return;
    free(d->ev);
    free(d->links);
    free(d->geo);
    free(d->anom);
    st_arena_destroy(d->arena);
    free(d);
}

st_rc st_cap_canon(const char *value, int vocab, const st_evnode *bindings, char *out, size_t cap)
{
    return st_hashid_canon_value(value, vocab, bindings, out, cap);
}

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

st_rc st_cap_time_ms(const char *value, int64_t *ms)
{
    char t[40];
    if (!value || st_hashid_canon_time(value, t, sizeof t) != ST_OK)
        return ST_ERR_DATE;
    /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    int y, mo, d, h, mi, s, f;
    if (strlen(t) != 24 || digits(t, 4, &y) || digits(t + 5, 2, &mo) || digits(t + 8, 2, &d) ||
        digits(t + 11, 2, &h) || digits(t + 14, 2, &mi) || digits(t + 17, 2, &s) ||
        digits(t + 20, 3, &f))
        return ST_ERR_DATE;
    int64_t days = st_days_from_civil(y, mo, d);
    *ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + f;
    return ST_OK;
}

void st_cap_time_str(int64_t ms, char out[32])
{
    int64_t z = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    int64_t rem = ms - z * 86400000;
    int64_t y;
    int m, d;
    st_civil_from_days(z, &y, &m, &d);
    char tmp[96]; /* room for any value of the fields; a real date fits in 24 bytes */
    int n = snprintf(tmp, sizeof tmp, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
                     (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
                     (int)(rem % 1000));
    size_t len = n < 0 ? 0 : (size_t)n < 31 ? (size_t)n : 31;
    memcpy(out, tmp, len);
    out[len] = 0;
}

/* ---- building one event ------------------------------------------------------- */

struct build {
    st_cap_doc *d;
    st_cap_event *e;
    const st_evnode *bindings;
    size_t cap_refs;
    const char *lot; /* ILMD lotNumber */
    st_rc rc;
};

/* The canonical form of value in d's arena; NULL when value is NULL or
 * canonicalisation fails (then b->rc is set). */
static const char *canon(struct build *b, const char *value, int vocab)
{
    if (!value)
        return NULL;
    char tmp[KEY_MAX];
    st_rc rc = st_cap_canon(value, vocab, b->bindings, tmp, sizeof tmp);
    if (rc == ST_ERR_BUFFER)
        return st_arena_strndup(b->d->arena, value, strlen(value)); /* too long to canonicalise */
    if (rc) {
        b->rc = rc;
        return NULL;
    }
    char *s = st_arena_strndup(b->d->arena, tmp, strlen(tmp));
    if (!s)
        b->rc = ST_ERR_NOMEM;
    return s;
}

static void add_ref(struct build *b, const char *value, st_role role)
{
    const char *key = canon(b, value, -1);
    if (!key)
        return;
    st_cap_event *e = b->e;
    if (e->n_refs == b->cap_refs) {
        size_t cap = b->cap_refs ? 2 * b->cap_refs : 8;
        st_cap_ref *r = st_arena_alloc(b->d->arena, cap * sizeof *r);
        if (!r) {
            b->rc = ST_ERR_NOMEM;
            return;
        }
        if (e->n_refs)
            memcpy(r, e->refs, e->n_refs * sizeof *r);
        e->refs = r;
        b->cap_refs = cap;
    }
    e->refs[e->n_refs++] = (st_cap_ref){key, NULL, (unsigned char)role};
}

/* The identifiers of list node `list` (epc children), in role. */
static void add_list(struct build *b, const st_evnode *root, const char *list, st_role role)
{
    const st_evnode *l = st_evnode_child(root, list);
    for (const st_evnode *c = l ? l->first : NULL; c; c = c->next)
        if (c->value && !c->ns)
            add_ref(b, c->value, role);
}

/* The epcClass of each quantityElement of list node `list`, in role. */
static void add_quantities(struct build *b, const st_evnode *root, const char *list, st_role role)
{
    const st_evnode *l = st_evnode_child(root, list);
    for (const st_evnode *c = l ? l->first : NULL; c; c = c->next) {
        const char *cls = st_evnode_child_value(c, "epcClass");
        if (cls)
            add_ref(b, cls, role);
    }
}

static int is_mda(const st_evnode *n, const char *name)
{
    return n->ns && !strncmp(n->ns, MDA_NS, sizeof MDA_NS - 1) && !strcmp(n->name, name);
}

/* The last path segment of a canonical value ("owning_party" of
 * https://ref.gs1.org/cbv/SDT-owning_party). */
static int sdt_is(const char *canon_type, const char *word)
{
    size_t n = strlen(canon_type), w = strlen(word);
    return n >= w && !strcmp(canon_type + n - w, word) &&
           (n == w || canon_type[n - w - 1] == '-' || canon_type[n - w - 1] == ':');
}

static void parties(struct build *b, const st_evnode *root)
{
    const st_evnode *l = st_evnode_child(root, "destinationList");
    for (const st_evnode *c = l ? l->first : NULL; c; c = c->next) {
        const char *type = st_evnode_child_value(c, "type");
        if (!type || !c->value)
            continue;
        const char *t = canon(b, type, ST_CBV_SDT);
        if (!t)
            continue;
        if (sdt_is(t, "owning_party"))
            b->e->owner = canon(b, c->value, -1);
        else if (sdt_is(t, "possessing_party"))
            b->e->possessor = canon(b, c->value, -1);
    }
}

static void ilmd(struct build *b, const st_evnode *root)
{
    const st_evnode *l = st_evnode_child(root, "ilmd");
    for (const st_evnode *c = l ? l->first : NULL; c; c = c->next) {
        if (!c->value)
            continue;
        if (is_mda(c, "lotNumber"))
            b->lot = c->value;
        else if (is_mda(c, "itemExpirationDate"))
            b->e->expiry = st_arena_strndup(b->d->arena, c->value, strlen(c->value));
    }
}

/* The lot's class key for a unit key https://id.gs1.org/01/{gtin}/21/...,
 * or NULL for anything else. */
static const char *lot_key(struct build *b, const char *unit_key)
{
    static const char stem[] = "https://id.gs1.org/01/";
    if (strncmp(unit_key, stem, sizeof stem - 1) || strlen(unit_key) < sizeof stem - 1 + 14)
        return NULL;
    st_aidata d;
    st_ai_init(&d);
    char out[KEY_MAX];
    if (st_ai_add(&d, "01", 2, unit_key + sizeof stem - 1, 14, -1, NULL) != ST_OK ||
        st_ai_add(&d, "10", 2, b->lot, strlen(b->lot), -1, NULL) != ST_OK ||
        st_key_build(&d, out, sizeof out, NULL) != ST_OK)
        return NULL;
    return st_arena_strndup(b->d->arena, out, strlen(out));
}

int st_cap_is_lot_key(const char *key)
{
    static const char stem[] = "https://id.gs1.org/01/";
    size_t n = sizeof stem - 1;
    if (!key || strncmp(key, stem, n))
        return 0;
    for (size_t i = 0; i < 14; i++)
        if (key[n + i] < '0' || key[n + i] > '9')
            return 0;
    return !strncmp(key + n + 14, "/10/", 4);
}

static uint32_t field_bits(const st_evnode *root)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } f[] = {
        {"errorDeclaration", ST_FIELD_ERROR_DECLARATION},
        {"sensorElementList", ST_FIELD_SENSOR_ELEMENT_LIST},
        {"ilmd", ST_FIELD_ILMD},
        {"bizTransactionList", ST_FIELD_BIZ_TRANSACTION_LIST},
        {"sourceList", ST_FIELD_SOURCE_LIST},
        {"destinationList", ST_FIELD_DESTINATION_LIST},
        {"persistentDisposition", ST_FIELD_PERSISTENT_DISPOSITION},
        {"certificationInfo", ST_FIELD_CERTIFICATION_INFO},
    };
    uint32_t bits = 0;
    for (const st_evnode *c = root->first; c; c = c->next) {
        if (c->ns) {
            bits |= ST_FIELD_EXTENSION;
            continue;
        }
        for (size_t i = 0; i < sizeof f / sizeof *f; i++)
            if (st_evname_eq(c->name, f[i].name))
                bits |= f[i].bit;
    }
    return bits;
}

static st_action action_of(const char *a)
{
    if (!a)
        return ST_ACTION_NONE;
    if (!strcmp(a, "ADD"))
        return ST_ACTION_ADD;
    if (!strcmp(a, "DELETE"))
        return ST_ACTION_DELETE;
    return ST_ACTION_OBSERVE;
}

/* Unlink recordTime from the root: the store assigns its own at commit. */
static void drop_record_time(st_evnode *root)
{
    st_evnode *prev = NULL;
    for (st_evnode *c = root->first; c; prev = c, c = c->next) {
        if (c->ns || !st_evname_eq(c->name, "recordTime"))
            continue;
        if (prev)
            prev->next = c->next;
        else
            root->first = c->next;
        if (root->last == c)
            root->last = prev;
        return;
    }
}

st_rc st_cap_add_event(st_cap_doc *d, const st_evnode *bindings, st_event *ev)
{
    if (!d || !ev || !ev->root)
        return ST_ERR_ARG;
    if (d->n >= ST_STORE_MAX_CAPTURE_EVENTS)
        return ST_ERR_LIMIT;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        st_cap_event *e = realloc(d->ev, cap * sizeof *e);
        if (!e)
            return ST_ERR_NOMEM;
        d->ev = e;
        d->cap = cap;
    }
    st_cap_event *e = &d->ev[d->n];
    memset(e, 0, sizeof *e);
    struct build b = {d, e, bindings, 0, NULL, ST_OK};
    st_evnode *root = ev->root;
    drop_record_time(root);

    char hid[ST_HASHID_LEN + 1];
    st_rc rc = st_hashid_compute(ev, bindings, hid);
    if (rc)
        return rc;
    /* "ni:///sha-256;" + 64 hex */
    for (int i = 0; i < 32; i++) {
        unsigned hi = (unsigned)hid[14 + 2 * i], lo = (unsigned)hid[15 + 2 * i];
        hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
        lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
        e->hash[i] = (unsigned char)(hi << 4 | lo);
    }
    const char *eid = st_evnode_child_value(root, "eventID");
    if (eid && strcmp(eid, hid))
        e->event_id = st_arena_strndup(d->arena, eid, strlen(eid));

    e->type = (unsigned char)ev->type;
    e->action = (unsigned char)action_of(st_evnode_child_value(root, "action"));
    if (st_cap_time_ms(st_evnode_child_value(root, "eventTime"), &e->event_time) != ST_OK)
        return ST_ERR_DATE; /* validation guarantees it; a bug if reached */
    e->biz_step = canon(&b, st_evnode_child_value(root, "bizStep"), ST_CBV_BIZSTEP);
    e->disposition = canon(&b, st_evnode_child_value(root, "disposition"), ST_CBV_DISP);
    const st_evnode *rp = st_evnode_child(root, "readPoint");
    const st_evnode *bl = st_evnode_child(root, "bizLocation");
    e->read_point = canon(&b, rp ? st_evnode_child_value(rp, "id") : NULL, -1);
    e->biz_location = canon(&b, bl ? st_evnode_child_value(bl, "id") : NULL, -1);
    const char *xf = st_evnode_child_value(root, "transformationID");
    if (xf)
        e->xform_id = canon(&b, xf, -1);
    e->fields = field_bits(root);

    add_list(&b, root, "epcList", ST_ROLE_EPC);
    const char *parent = st_evnode_child_value(root, "parentID");
    if (parent)
        add_ref(&b, parent, ST_ROLE_PARENT);
    add_list(&b, root, "childEPCs", ST_ROLE_CHILD);
    add_list(&b, root, "inputEPCList", ST_ROLE_INPUT);
    add_list(&b, root, "outputEPCList", ST_ROLE_OUTPUT);
    add_quantities(&b, root, "quantityList", ST_ROLE_EPC_CLASS);
    add_quantities(&b, root, "childQuantityList", ST_ROLE_CHILD_CLASS);
    add_quantities(&b, root, "inputQuantityList", ST_ROLE_INPUT_CLASS);
    add_quantities(&b, root, "outputQuantityList", ST_ROLE_OUTPUT_CLASS);
    parties(&b, root);
    ilmd(&b, root);
    if (b.rc)
        return b.rc;
    if (b.lot)
        for (size_t i = 0; i < e->n_refs; i++)
            if (e->refs[i].role == ST_ROLE_EPC || e->refs[i].role == ST_ROLE_OUTPUT ||
                e->refs[i].role == ST_ROLE_CHILD)
                e->refs[i].lot_key = lot_key(&b, e->refs[i].key);

    st_bytes body;
    st_bytes_init(&body, ST_EPCIS_MAX_EVENT_BYTES);
    rc = st_codec_encode(ev, bindings, &body);
    if (rc == ST_OK) {
        unsigned char *p = st_arena_alloc(d->arena, body.n ? body.n : 1);
        if (p) {
            memcpy(p, body.p, body.n);
            e->body = p;
            e->body_len = body.n;
        } else {
            rc = ST_ERR_NOMEM;
        }
    }
    st_bytes_free(&body);
    if (rc)
        return rc;
    if (st_arena_over_cap(d->arena))
        return ST_ERR_LIMIT;
    d->n++;
    return ST_OK;
}

/* ---- lifecycle ------------------------------------------------------------------ */

#define BIZSTEP "https://ref.gs1.org/cbv/BizStep-"
#define DISP "https://ref.gs1.org/cbv/Disp-"

int st_cap_is_instance(unsigned role)
{
    return role >= ST_ROLE_EPC && role <= ST_ROLE_OUTPUT;
}

static int is_term(const char *v, const char *prefix, const char *word)
{
    size_t n = strlen(prefix);
    return v && !strncmp(v, prefix, n) && !strcmp(v + n, word);
}

int st_cap_commissions(const st_cap_event *e, unsigned role)
{
    if (e->type == ST_EVENT_TRANSFORMATION)
        return role == ST_ROLE_OUTPUT;
    if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_ADD && role == ST_ROLE_EPC)
        return 1;
    return is_term(e->biz_step, BIZSTEP, "commissioning") &&
           (role == ST_ROLE_EPC || role == ST_ROLE_OUTPUT);
}

int st_cap_decommissions(const st_cap_event *e, unsigned role)
{
    if (e->type == ST_EVENT_TRANSFORMATION || !st_cap_is_instance(role))
        return 0;
    if (e->type == ST_EVENT_OBJECT && e->action == ST_ACTION_DELETE && role == ST_ROLE_EPC)
        return 1;
    return is_term(e->biz_step, BIZSTEP, "decommissioning") ||
           is_term(e->biz_step, BIZSTEP, "destroying") ||
           is_term(e->disposition, DISP, "destroyed") || is_term(e->disposition, DISP, "inactive");
}

st_rc st_cap_add_anomaly(st_cap_doc *d, const st_cap_anomaly *a)
{
    if (d->n_anom == d->cap_anom) {
        size_t cap = d->cap_anom ? 2 * d->cap_anom : 16;
        st_cap_anomaly *n = realloc(d->anom, cap * sizeof *n);
        if (!n)
            return ST_ERR_NOMEM;
        d->anom = n;
        d->cap_anom = cap;
    }
    d->anom[d->n_anom++] = *a;
    return ST_OK;
}

/* ---- master data: location hierarchy and coordinates ------------------------------ */

/* 1 when attribute id names word ("latitude") as its last segment after
 * '#', ':' or '/': urn:epcglobal:cbv:mda#latitude, cbvmda:latitude,
 * https://gs1.org/voc/latitude, http://example.com/mda/latitude. */
static int attr_is(const char *id, const char *word)
{
    size_t n = strlen(id), w = strlen(word);
    return n > w && !strcmp(id + n - w, word) &&
           (id[n - w - 1] == '#' || id[n - w - 1] == ':' || id[n - w - 1] == '/');
}

/* Degrees text to millionths; -1 when it is no number within limit. */
static int degrees(const char *v, double limit, int64_t *out)
{
    char *end = NULL;
    while (*v == ' ')
        v++;
    double x = strtod(v, &end);
    while (end && *end == ' ')
        end++;
    if (end == v || !end || *end || !(x >= -limit && x <= limit))
        return -1;
    *out = (int64_t)(x * 1e6 + (x < 0 ? -0.5 : 0.5));
    return 0;
}

/* The latitude and longitude attributes of vocabulary element n (with id),
 * when it has both. */
static st_rc geo_of(struct build *b, const st_evnode *n, const char *id)
{
    int64_t lat = 0, lon = 0;
    int have = 0;
    for (const st_evnode *a = n->first; a; a = a->next) {
        if (a->ns || !(st_evname_eq(a->name, "attribute") || st_evname_eq(a->name, "attributes")))
            continue;
        const char *aid = st_evnode_child_value(a, "id");
        const char *v = a->value ? a->value : st_evnode_child_value(a, "attribute");
        if (!aid || !v)
            continue;
        if (attr_is(aid, "latitude") && degrees(v, 90, &lat) == 0)
            have |= 1;
        else if (attr_is(aid, "longitude") && degrees(v, 180, &lon) == 0)
            have |= 2;
    }
    if (have != 3)
        return ST_OK;
    const char *k = canon(b, id, -1);
    if (!k)
        return b->rc;
    st_cap_doc *d = b->d;
    if (d->n_geo == d->cap_geo) {
        size_t cap = d->cap_geo ? 2 * d->cap_geo : 16;
        st_cap_geo *g = realloc(d->geo, cap * sizeof *g);
        if (!g)
            return ST_ERR_NOMEM;
        d->geo = g;
        d->cap_geo = cap;
    }
    d->geo[d->n_geo++] = (st_cap_geo){k, lat, lon};
    return ST_OK;
}

static st_rc add_link(st_cap_doc *d, const char *parent, const char *child)
{
    if (d->n_links == d->cap_links) {
        size_t cap = d->cap_links ? 2 * d->cap_links : 16;
        st_cap_link *l = realloc(d->links, cap * sizeof *l);
        if (!l)
            return ST_ERR_NOMEM;
        d->links = l;
        d->cap_links = cap;
    }
    d->links[d->n_links++] = (st_cap_link){parent, child};
    return ST_OK;
}

/* Every node of the header that has an id and children: one link per
 * child. XML holds them in one wrapper (<children><id>C</id>...</children>);
 * JSON-LD has one "children" node per element of the array, each with its
 * value. */
static st_rc walk_md(struct build *b, const st_evnode *n, int depth)
{
    if (depth > 2 * ST_EPCIS_MAX_DEPTH)
        return ST_ERR_LIMIT;
    const char *id = st_evnode_child_value(n, "id");
    const char *p = NULL;
    if (id) {
        st_rc rc = geo_of(b, n, id);
        if (rc)
            return rc;
    }
    for (const st_evnode *kids = id ? n->first : NULL; kids; kids = kids->next) {
        if (kids->ns || !st_evname_eq(kids->name, "children"))
            continue;
        if (!p && !(p = canon(b, id, -1)))
            break;
        const st_evnode *c = kids->value ? kids : kids->first;
        for (; c; c = c == kids ? NULL : c->next) {
            const char *v = c->value ? c->value : st_evnode_child_value(c, "id");
            const char *k = v ? canon(b, v, -1) : NULL;
            if (k && add_link(b->d, p, k) != ST_OK)
                return ST_ERR_NOMEM;
        }
    }
    if (b->rc)
        return b->rc;
    for (const st_evnode *c = n->first; c; c = c->next) {
        st_rc rc = walk_md(b, c, depth + 1);
        if (rc)
            return rc;
    }
    return ST_OK;
}

st_rc st_cap_add_masterdata(st_cap_doc *d, const st_epcis_doc *doc)
{
    if (!doc || !doc->header)
        return ST_OK;
    struct build b = {d, NULL, st_hashid_bindings(doc), 0, NULL, ST_OK};
    return walk_md(&b, doc->header, 0);
}
