/*
 * The post-filter: what the page SQL cannot narrow, decided on the decoded
 * event tree: persistent dispositions, error declarations, source/
 * destination and business transaction types, quantities, sensor values and
 * extension fields in their scopes.
 */
#include <serialtrack/limits.h>
#include <string.h>
#include <strings.h>

#include "epcis/cbv.h"
#include "store/capture.h"
#include "store/query_int.h"
#include "store/scope.h"

/* ---- comparisons ------------------------------------------------------------------ */

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
    return st_query_parse_num(value, &d) == 0 && cmp_ok(cmp_dbl(d, op->num), cmp);
}

/* ---- the post-filter ------------------------------------------------------------------------ */

/* value (as in the event) is one of c's values. */
static int value_in(const qcond *c, const char *value, const st_evnode *bindings)
{
    if (!value)
        return 0;
    char canon[KEY_MAX];
    if (c->vk == VK_URI || c->vk == VK_VOCAB) {
        if (st_cap_canon(value, c->vk == VK_VOCAB ? c->vocab : -1, bindings, canon, sizeof canon) !=
            ST_OK)
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
            if (!st_query_parse_num(value, &a) && !st_query_parse_num(v, &b) && a == b)
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
        if (c->inner && k->ns && depth < 2 * ST_EPCIS_MAX_DEPTH &&
            ext_below(c, k, depth + 1, bindings))
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
        return n && value_ok(c,
                             st_evnode_child_value(n, c->kind == K_ERR_REASON ? "reason"
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

int st_query_post_ok(const st_query *q, const st_evnode *root, const st_evnode *bindings)
{
    int ok = !q->scope || st_scope_event_ok(q->scope, root, bindings);
    for (size_t k = 0; k < q->n_conds && ok; k++)
        ok = cond_ok(&q->conds[k], root, bindings);
    return ok;
}
