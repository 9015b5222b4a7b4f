/*
 * The lineage index (lineage.h), written once for every backend over the
 * backend's write connection with portable SQL.
 *
 * Per document: the identifiers it commissions into lots and the inputs and
 * outputs of its transformations are gathered; their stored roots are read
 * in a few IN-list statements; roots are then spread through the document's
 * transformations in memory until nothing changes (a document may assemble
 * and consume in any order); what is new is written as multi-row inserts,
 * and consumed identifiers leave the leaves. Identifiers that got new roots
 * but were consumed by an earlier document pass them on one by one (the
 * rare case of a document captured after the one that used its output).
 * Identifiers the backend knows to be fresh (io->fresh_above) have nothing
 * stored: they are not looked up, and their rows go in bulk (copy_pairs).
 */
#include "store/lineage.h"

#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/i64map.h"

#define LIN_IN 200       /* ids per IN list */
#define LIN_ROWS 100     /* rows per multi-row insert */
#define LIN_ROUNDS 64    /* passes over one document's transformations at most */
#define LIN_SQL_MAX 4096 /* bytes of a generated statement */

/* A small set of root lot ids: stored ones first. */
typedef struct node {
    int64_t id;             /* ident of the identifier or class */
    int64_t *roots;         /* root lots */
    uint32_t n, cap;        /* entries and room in roots */
    uint32_t stored;        /* roots[0..stored) are stored already */
    unsigned char consumed; /* went into a transformation of this document */
    unsigned char before;   /* went into a transformation of an earlier document */
} node;

typedef struct nodes {
    node *v;
    size_t n, cap;
    st_i64map at; /* id -> index */
} nodes;

/* An identifier or class taking part in a transformation. */
struct part {
    int64_t id;         /* its ident */
    unsigned char role; /* st_role: input, output, input class or output class */
};

/* One transformation of the document: its parts are parts[from..to). */
struct xf {
    size_t from, to;
};

struct lin {
    const st_write_io *io;
    st_error *err;
    nodes inst;   /* instance identifiers */
    nodes cls;    /* classes (lots) */
    int64_t *mem; /* pairs (identifier, lot) commissioned into lots */
    size_t nmem, cmem;
    struct part *parts; /* members of the transformations */
    size_t nio, cio;
    struct xf *xf;
    size_t nxf, cxf;
    st_rc rc;
};

/* ---- small containers --------------------------------------------------------------------- */

static int root_add(node *x, int64_t lot)
{
    for (uint32_t i = 0; i < x->n; i++)
        if (x->roots[i] == lot)
            return 0;
    if (x->n == x->cap) {
        uint32_t cap = x->cap ? 2 * x->cap : 4;
        int64_t *r = realloc(x->roots, cap * sizeof *r);
        if (!r)
            return -1;
        x->roots = r;
        x->cap = cap;
    }
    x->roots[x->n++] = lot;
    return 1;
}

static node *node_of(struct lin *l, nodes *s, int64_t id)
{
    size_t i;
    if (st_i64map_get(&s->at, id, &i))
        return &s->v[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        node *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            l->rc = ST_ERR_NOMEM;
            return NULL;
        }
        s->v = v;
        s->cap = cap;
    }
    if (st_i64map_put(&s->at, id, s->n)) {
        l->rc = ST_ERR_NOMEM;
        return NULL;
    }
    memset(&s->v[s->n], 0, sizeof s->v[s->n]);
    s->v[s->n].id = id;
    return &s->v[s->n++];
}

static void nodes_free(nodes *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].roots);
    free(s->v);
    st_i64map_free(&s->at);
    memset(s, 0, sizeof *s);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Nothing of id is stored yet (st_write_io.fresh_above). */
static int fresh(const struct lin *l, int64_t id)
{
    return l->io->fresh_above > 0 && id > l->io->fresh_above;
}

/* ---- statements ---------------------------------------------------------------------------- */

/* sql with "%s" replaced by an IN list of LIN_IN placeholders after `lead` others. */
static void in_sql(char *out, const char *sql, int lead)
{
    const char *mark = strstr(sql, "%s");
    size_t k = (size_t)(mark - sql);
    memcpy(out, sql, k);
    char *p = out + k;
    *p++ = '(';
    for (int i = 1; i <= LIN_IN; i++)
        p += sprintf(p, i > 1 ? ",$%d" : "$%d", lead + i);
    *p++ = ')';
    strcpy(p, mark + 2);
}

/* The array literal "{v[0],v[stride],...}" of n values; malloc'd, NULL when out of memory. */
static char *int_array(const int64_t *v, size_t n, size_t stride)
{
    char *b = malloc(n * 21 + 3), *p = b;
    if (!b)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, i ? ",%lld" : "%lld", (long long)v[i * stride]);
    strcpy(p, "}");
    return b;
}

/* sql with " IN %s" replaced by " = ANY($k::bigint[])", k = lead + 1. */
static void any_sql(char *out, const char *sql, int lead)
{
    const char *mark = strstr(sql, " IN %s");
    size_t k = (size_t)(mark - sql);
    memcpy(out, sql, k);
    sprintf(out + k, " = ANY($%d::bigint[])%s", lead + 1, mark + 6);
}

/* Run sql over ids[0..n) in IN lists (padded with 0, which names nothing),
 * lead[0..nlead) first; with array parameters, the whole list at once. */
static st_rc run_in(struct lin *l, const char *sql, const st_val *lead, int nlead,
                    const int64_t *ids, size_t n, st_row_cb cb, void *arg)
{
    char q[LIN_SQL_MAX];
    if (l->io->arrays) {
        st_val a[5];
        char *list = n ? int_array(ids, n, 1) : NULL;
        if (n && !list)
            return ST_ERR_NOMEM;
        any_sql(q, sql, nlead);
        for (int i = 0; i < nlead; i++)
            a[i] = lead[i];
        a[nlead] = st_val_text(list);
        st_rc rc = n ? l->io->query(l->io->ctx, q, a, nlead + 1, cb, arg, l->err) : ST_OK;
        free(list);
        return rc;
    }
    st_val a[LIN_IN + 4];
    in_sql(q, sql, nlead);
    for (int i = 0; i < nlead; i++)
        a[i] = lead[i];
    for (size_t off = 0; off < n; off += LIN_IN) {
        for (size_t k = 0; k < LIN_IN; k++)
            a[nlead + (int)k] = st_val_int(off + k < n ? ids[off + k] : 0);
        st_rc rc = l->io->query(l->io->ctx, q, a, nlead + LIN_IN, cb, arg, l->err);
        if (rc)
            return rc;
    }
    return ST_OK;
}

/* Insert pairs[0..n) (two ids each) into table(c1, c2), io->rows_per_insert
 * rows per statement (at most LIN_ROWS), the last repeated to fill the
 * last statement (conflicts do nothing). */
static st_rc insert_pairs(struct lin *l, const char *table, const int64_t *pairs, size_t n)
{
    if (!n)
        return ST_OK;
    char q[LIN_SQL_MAX];
    if (l->io->arrays) { /* one statement: the two columns as arrays */
        char *c1 = int_array(pairs, n, 2), *c2 = int_array(pairs + 1, n, 2);
        st_rc rc = ST_ERR_NOMEM;
        if (c1 && c2) {
            snprintf(q, sizeof q,
                     "INSERT INTO %s SELECT * FROM unnest($1::bigint[], $2::bigint[])"
                     " ON CONFLICT DO NOTHING",
                     table);
            st_val a[2] = {st_val_text(c1), st_val_text(c2)};
            rc = l->io->query(l->io->ctx, q, a, 2, NULL, NULL, l->err);
        }
        free(c1);
        free(c2);
        return rc;
    }
    size_t rows = l->io->rows_per_insert > 1 ? (size_t)l->io->rows_per_insert : 1;
    if (rows > LIN_ROWS)
        rows = LIN_ROWS;
    int k = snprintf(q, sizeof q, "INSERT INTO %s VALUES ", table);
    for (size_t i = 0; i < rows; i++)
        k += snprintf(q + k, sizeof q - (size_t)k, "%s($%zu,$%zu)", i ? "," : "", 2 * i + 1,
                      2 * i + 2);
    snprintf(q + k, sizeof q - (size_t)k, " ON CONFLICT DO NOTHING");
    st_val a[2 * LIN_ROWS];
    for (size_t off = 0; off < n; off += rows) {
        for (size_t i = 0; i < rows; i++) {
            size_t r = off + i < n ? off + i : n - 1;
            a[2 * i] = st_val_int(pairs[2 * r]);
            a[2 * i + 1] = st_val_int(pairs[2 * r + 1]);
        }
        st_rc rc = l->io->query(l->io->ctx, q, a, (int)(2 * rows), NULL, NULL, l->err);
        if (rc)
            return rc;
    }
    return ST_OK;
}

/* ---- gathering ------------------------------------------------------------------------------ */

static int is_class(unsigned r)
{
    return r == ST_ROLE_INPUT_CLASS || r == ST_ROLE_OUTPUT_CLASS;
}

static st_rc gather(struct lin *l, const st_cap_doc *d, const unsigned char *skip)
{
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        if (skip && skip[i])
            continue;
        int xform = e->type == ST_EVENT_TRANSFORMATION;
        size_t from = l->nio;
        for (size_t k = 0; k < e->n_refs; k++) {
            const st_cap_ref *r = &e->refs[k];
            int member = r->lot_key && r->role >= ST_ROLE_EPC && r->role <= ST_ROLE_OUTPUT;
            int part = xform && r->role >= ST_ROLE_INPUT && r->role != ST_ROLE_EPC_CLASS &&
                       r->role != ST_ROLE_CHILD_CLASS;
            if (!member && !part)
                continue;
            int64_t id = l->io->ident(l->io->ctx, r->key);
            if (id <= 0)
                return st_fail(l->err, ST_ERR_INTERNAL, -1, NULL, "lineage: %.200s is not interned",
                               r->key);
            if (member) {
                int64_t lot = l->io->ident(l->io->ctx, r->lot_key);
                if (lot <= 0)
                    return st_fail(l->err, ST_ERR_INTERNAL, -1, NULL,
                                   "lineage: lot %.200s is not interned", r->lot_key);
                if (grow((void **)&l->mem, &l->cmem, 2 * (l->nmem + 1), sizeof *l->mem) ||
                    !node_of(l, &l->inst, id) || !node_of(l, &l->cls, lot))
                    return ST_ERR_NOMEM;
                l->mem[2 * l->nmem] = id;
                l->mem[2 * l->nmem + 1] = lot;
                l->nmem++;
            }
            if (part) {
                if (grow((void **)&l->parts, &l->cio, l->nio + 1, sizeof *l->parts))
                    return ST_ERR_NOMEM;
                l->parts[l->nio++] = (struct part){id, r->role};
                node *x = node_of(l, is_class(r->role) ? &l->cls : &l->inst, id);
                if (!x)
                    return ST_ERR_NOMEM;
                if (r->role == ST_ROLE_INPUT)
                    x->consumed = 1;
            }
        }
        if (xform && l->nio > from) {
            if (grow((void **)&l->xf, &l->cxf, l->nxf + 1, sizeof *l->xf))
                return ST_ERR_NOMEM;
            l->xf[l->nxf++] = (struct xf){from, l->nio};
        }
    }
    return l->rc;
}

/* ---- stored roots ---------------------------------------------------------------------------- */

struct fill {
    nodes *s;
    int mark; /* 1: set `before` on the row's node instead */
};

static st_rc row_root(void *ctx, const st_val *c, int n)
{
    struct fill *f = ctx;
    size_t i;
    if (n < 1 || c[0].type != ST_VAL_INT || !st_i64map_get(&f->s->at, c[0].i, &i))
        return ST_OK;
    node *x = &f->s->v[i];
    if (f->mark) {
        x->before = 1;
        return ST_OK;
    }
    if (n < 2 || c[1].type != ST_VAL_INT)
        return ST_OK;
    if (root_add(x, c[1].i) < 0)
        return ST_ERR_NOMEM;
    x->stored = x->n; /* read before anything of this document is added */
    return ST_OK;
}

/* The ids of s's nodes that may have something stored (those with new
 * roots only, when grown is set). */
static int64_t *ids_of(const struct lin *l, const nodes *s, int grown, size_t *n)
{
    int64_t *v = malloc((s->n ? s->n : 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < s->n; i++)
        if ((!grown || s->v[i].n > s->v[i].stored) && !fresh(l, s->v[i].id))
            v[(*n)++] = s->v[i].id;
    return v;
}

static st_rc load_roots(struct lin *l, nodes *s, const char *sql)
{
    size_t n;
    int64_t *ids = ids_of(l, s, 0, &n);
    if (!ids)
        return ST_ERR_NOMEM;
    struct fill f = {s, 0};
    st_rc rc = run_in(l, sql, NULL, 0, ids, n, row_root, &f);
    free(ids);
    return rc;
}

/* ---- spreading roots through the document ------------------------------------------------- */

static node *get(nodes *s, int64_t id)
{
    size_t i;
    return st_i64map_get(&s->at, id, &i) ? &s->v[i] : NULL;
}

/* Add lot and the roots of class c (when not NULL) to x; *changed when any was new. */
static int add_all(node *x, const node *from, int64_t lot, int *changed)
{
    int r = lot > 0 ? root_add(x, lot) : 0;
    for (uint32_t i = 0; r >= 0 && from && i < from->n; i++) {
        int a = root_add(x, from->roots[i]);
        r = a < 0 ? a : r | a;
    }
    if (r > 0)
        *changed = 1;
    return r < 0 ? -1 : 0;
}

/* Spread roots until nothing changes; 1 when it did not settle in LIN_ROUNDS. */
static int spread(struct lin *l)
{
    node acc = {0};
    int unsettled = 1;
    for (int round = 0; round < LIN_ROUNDS && unsettled; round++) {
        int changed = 0;
        for (size_t i = 0; i < l->nmem; i++) {
            node *c = get(&l->cls, l->mem[2 * i + 1]);
            if (add_all(get(&l->inst, l->mem[2 * i]), c, c->id, &changed))
                goto oom;
        }
        for (size_t t = 0; t < l->nxf; t++) {
            int dummy = 0;
            acc.n = 0;
            for (size_t k = l->xf[t].from; k < l->xf[t].to; k++) {
                const struct part *p = &l->parts[k];
                if (p->role == ST_ROLE_INPUT && add_all(&acc, get(&l->inst, p->id), 0, &dummy))
                    goto oom;
                if (p->role == ST_ROLE_INPUT_CLASS &&
                    add_all(&acc, get(&l->cls, p->id), p->id, &dummy))
                    goto oom;
            }
            for (size_t k = l->xf[t].from; acc.n && k < l->xf[t].to; k++) {
                const struct part *p = &l->parts[k];
                node *o = p->role == ST_ROLE_OUTPUT         ? get(&l->inst, p->id)
                          : p->role == ST_ROLE_OUTPUT_CLASS ? get(&l->cls, p->id)
                                                            : NULL;
                if (o && add_all(o, &acc, 0, &changed))
                    goto oom;
            }
        }
        unsettled = changed;
    }
    free(acc.roots);
    return unsettled;
oom:
    free(acc.roots);
    l->rc = ST_ERR_NOMEM;
    return 0;
}

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct pairs {
    int64_t *v; /* 2 * n */
    size_t n, cap;
} pairs;

static int pair_add(pairs *p, int64_t a, int64_t b)
{
    if (grow((void **)&p->v, &p->cap, 2 * (p->n + 1), sizeof *p->v))
        return -1;
    p->v[2 * p->n] = a;
    p->v[2 * p->n + 1] = b;
    p->n++;
    return 0;
}

static int pair_cmp(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Remove the leaf pairs (lot, ident) in p, one statement per lot and IN list. */
static st_rc delete_leaves(struct lin *l, pairs *p)
{
    if (!p->n)
        return ST_OK;
    if (l->io->rows_per_insert <= 1) { /* a row per statement: see st_write_io */
        for (size_t i = 0; i < p->n; i++) {
            st_val a[2] = {st_val_int(p->v[2 * i]), st_val_int(p->v[2 * i + 1])};
            st_rc rc =
                l->io->query(l->io->ctx, "DELETE FROM lineage_leaf WHERE lot = $1 AND ident = $2",
                             a, 2, NULL, NULL, l->err);
            if (rc)
                return rc;
        }
        return ST_OK;
    }
    if (l->io->arrays) { /* one statement: the pairs as two arrays */
        char *c1 = int_array(p->v, p->n, 2), *c2 = int_array(p->v + 1, p->n, 2);
        st_rc rc = ST_ERR_NOMEM;
        if (c1 && c2) {
            st_val a[2] = {st_val_text(c1), st_val_text(c2)};
            rc = l->io->query(l->io->ctx,
                              "DELETE FROM lineage_leaf WHERE (lot, ident) IN"
                              " (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
                              a, 2, NULL, NULL, l->err);
        }
        free(c1);
        free(c2);
        return rc;
    }
    qsort(p->v, p->n, 2 * sizeof *p->v, pair_cmp);
    int64_t *ids = malloc(p->n * sizeof *ids);
    if (!ids)
        return ST_ERR_NOMEM;
    st_rc rc = ST_OK;
    for (size_t i = 0; !rc && i < p->n;) {
        size_t j = i, k = 0;
        for (; j < p->n && p->v[2 * j] == p->v[2 * i]; j++)
            ids[k++] = p->v[2 * j + 1];
        st_val lot = st_val_int(p->v[2 * i]);
        rc = run_in(l, "DELETE FROM lineage_leaf WHERE lot = $1 AND ident IN %s", &lot, 1, ids, k,
                    NULL, NULL);
        i = j;
    }
    free(ids);
    return rc;
}

/* Add both lists of pairs to table: the fresh ones ([1]) in bulk when the
 * backend can, the others merged with what is stored. */
static st_rc add_pairs(struct lin *l, const char *table, pairs p[2])
{
    st_rc rc = insert_pairs(l, table, p[0].v, p[0].n);
    if (!rc && l->io->copy_pairs && p[1].n)
        return l->io->copy_pairs(l->io->ctx, table, p[1].v, p[1].n, l->err);
    return rc ? rc : insert_pairs(l, table, p[1].v, p[1].n);
}

/* What the document adds: node and class roots, leaves, and the leaves its
 * inputs stop being. Each kind of row in two lists: [1] for the rows of
 * fresh identifiers and classes, [0] for the others. */
static st_rc write_doc(struct lin *l)
{
    pairs nd[2] = {{0}}, cl[2] = {{0}}, lf[2] = {{0}}, del = {0};
    int oom = 0;
    for (size_t i = 0; i < l->inst.n; i++) {
        const node *x = &l->inst.v[i];
        int f = fresh(l, x->id);
        for (uint32_t k = x->stored; k < x->n; k++) {
            oom |= pair_add(&nd[f], x->id, x->roots[k]);
            if (!x->consumed && !x->before)
                oom |= pair_add(&lf[f], x->roots[k], x->id);
        }
        for (uint32_t k = 0; x->consumed && k < x->stored; k++)
            oom |= pair_add(&del, x->roots[k], x->id);
    }
    for (size_t i = 0; i < l->cls.n; i++) {
        const node *c = &l->cls.v[i];
        for (uint32_t k = c->stored; k < c->n; k++)
            oom |= pair_add(&cl[fresh(l, c->id)], c->id, c->roots[k]);
    }
    st_rc rc = oom ? ST_ERR_NOMEM : ST_OK;
    if (!rc)
        rc = add_pairs(l, "lineage_node(ident, lot)", nd);
    if (!rc)
        rc = add_pairs(l, "lineage_class(cls, lot)", cl);
    if (!rc)
        rc = add_pairs(l, "lineage_leaf(lot, ident)", lf);
    if (!rc)
        rc = delete_leaves(l, &del);
    for (int f = 0; f < 2; f++) {
        free(nd[f].v);
        free(cl[f].v);
        free(lf[f].v);
    }
    free(del.v);
    return rc;
}

/* ---- roots reaching what earlier documents stored ----------------------------------------- */

/* A pending step: give roots[from..to) of the work's pool to an identifier or class. */
struct step {
    int64_t id;
    int cls;         /* 1: a class */
    size_t from, to; /* in work.pool */
};

struct work {
    struct step *s;
    size_t n, cap, done;
    int64_t *pool; /* roots of the steps */
    size_t np, cpool;
    int64_t *got; /* rows read: one column */
    size_t ng, cgot;
    int64_t *got2; /* second column, when read */
};

static st_rc row_ids(void *ctx, const st_val *c, int n)
{
    struct work *w = ctx;
    if (n < 1 || c[0].type != ST_VAL_INT)
        return ST_OK;
    size_t cap = w->cgot;
    if (grow((void **)&w->got, &w->cgot, w->ng + 1, sizeof *w->got) ||
        grow((void **)&w->got2, &cap, w->ng + 1, sizeof *w->got2))
        return ST_ERR_NOMEM;
    w->got[w->ng] = c[0].i;
    w->got2[w->ng++] = n > 1 && c[1].type == ST_VAL_INT ? c[1].i : 0;
    return ST_OK;
}

static int push(struct work *w, int64_t id, int cls, const int64_t *roots, size_t n)
{
    if (grow((void **)&w->s, &w->cap, w->n + 1, sizeof *w->s) ||
        grow((void **)&w->pool, &w->cpool, w->np + n, sizeof *w->pool))
        return -1;
    memcpy(w->pool + w->np, roots, n * sizeof *roots);
    w->s[w->n++] = (struct step){id, cls, w->np, w->np + n};
    w->np += n;
    return 0;
}

static st_rc query_ids(struct lin *l, struct work *w, const char *sql, int64_t id)
{
    st_val a = st_val_int(id);
    w->ng = 0;
    return l->io->query(l->io->ctx, sql, &a, 1, row_ids, w, l->err);
}

/* What consumed identifier id went into: push its outputs with roots. */
static st_rc push_outputs(struct lin *l, struct work *w, int64_t id, const int64_t *roots, size_t n)
{
    st_rc rc =
        query_ids(l, w,
                  "SELECT g.ident, g.role FROM event_epc c JOIN event e ON e.id = c.event"
                  " JOIN genealogy g ON g.xform = coalesce(e.xform, -e.id) AND g.role IN (5, 9)"
                  " WHERE c.ident = $1 AND c.role = 4",
                  id);
    size_t ng = w->ng;
    int64_t *out = rc || !ng ? NULL : malloc(2 * ng * sizeof *out);
    if (!rc && ng && !out)
        rc = ST_ERR_NOMEM;
    for (size_t i = 0; !rc && i < ng; i++) {
        out[2 * i] = w->got[i];
        out[2 * i + 1] = w->got2[i];
    }
    for (size_t i = 0; !rc && i < ng; i++)
        if (push(w, out[2 * i], out[2 * i + 1] == ST_ROLE_OUTPUT_CLASS, roots, n))
            rc = ST_ERR_NOMEM;
    free(out);
    return rc;
}

/* One step: the roots id does not have yet are added, and passed on. */
static st_rc step(struct lin *l, struct work *w, const struct step *s)
{
    st_rc rc = query_ids(l, w,
                         s->cls ? "SELECT lot FROM lineage_class WHERE cls = $1"
                                : "SELECT lot FROM lineage_node WHERE ident = $1",
                         s->id);
    pairs add = {0};
    for (size_t i = s->from; !rc && i < s->to; i++) {
        int have = 0;
        for (size_t k = 0; k < w->ng && !have; k++)
            have = w->got[k] == w->pool[i];
        if (!have && pair_add(&add, s->id, w->pool[i]))
            rc = ST_ERR_NOMEM;
    }
    if (rc || !add.n)
        goto out;
    int64_t *roots = malloc(add.n * sizeof *roots);
    if (!roots) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < add.n; i++)
        roots[i] = add.v[2 * i + 1];
    rc = insert_pairs(l, s->cls ? "lineage_class(cls, lot)" : "lineage_node(ident, lot)", add.v,
                      add.n);
    if (!rc && s->cls) {
        /* the class's members stored so far */
        rc = query_ids(l, w, "SELECT ident FROM item_lot WHERE lot = $1", s->id);
        size_t ng = w->ng;
        int64_t *m = rc || !ng ? NULL : malloc(ng * sizeof *m);
        if (!rc && ng && !m)
            rc = ST_ERR_NOMEM;
        if (m)
            memcpy(m, w->got, ng * sizeof *m);
        for (size_t i = 0; !rc && i < ng; i++)
            if (push(w, m[i], 0, roots, add.n))
                rc = ST_ERR_NOMEM;
        free(m);
    } else if (!rc) {
        rc =
            query_ids(l, w, "SELECT 1 FROM event_epc WHERE ident = $1 AND role = 4 LIMIT 1", s->id);
        if (!rc && w->ng)
            rc = push_outputs(l, w, s->id, roots, add.n);
        else if (!rc) {
            for (size_t i = 0; i < add.n; i++) { /* (lot, ident) */
                int64_t t = add.v[2 * i];
                add.v[2 * i] = add.v[2 * i + 1];
                add.v[2 * i + 1] = t;
            }
            rc = insert_pairs(l, "lineage_leaf(lot, ident)", add.v, add.n);
        }
    }
    free(roots);
out:
    free(add.v);
    return rc;
}

/* Roots new to identifiers an earlier document consumed, and to classes
 * with stored members, passed on; 1 in *overflow past ST_LINEAGE_MAX_SPREAD. */
static st_rc spread_stored(struct lin *l, int *overflow)
{
    struct work w = {0};
    st_rc rc = ST_OK;
    for (size_t i = 0; !rc && i < l->inst.n; i++) {
        const node *x = &l->inst.v[i];
        if (x->before && x->n > x->stored)
            rc = push_outputs(l, &w, x->id, x->roots + x->stored, x->n - x->stored);
    }
    for (size_t i = 0; !rc && i < l->cls.n; i++) {
        const node *c = &l->cls.v[i];
        if (c->n <= c->stored || fresh(l, c->id)) /* a fresh class's members are this document's */
            continue;
        rc = query_ids(l, &w, "SELECT ident FROM item_lot WHERE lot = $1", c->id);
        size_t ng = w.ng;
        int64_t *m = rc || !ng ? NULL : malloc(ng * sizeof *m);
        if (!rc && ng && !m)
            rc = ST_ERR_NOMEM;
        if (m)
            memcpy(m, w.got, ng * sizeof *m);
        for (size_t k = 0; !rc && k < ng; k++)
            if (!get(&l->inst, m[k]) && push(&w, m[k], 0, c->roots + c->stored, c->n - c->stored))
                rc = ST_ERR_NOMEM;
        free(m);
    }
    while (!rc && w.done < w.n) {
        if (w.done >= ST_LINEAGE_MAX_SPREAD) {
            *overflow = 1;
            break;
        }
        struct step s = w.s[w.done++];
        rc = step(l, &w, &s);
    }
    free(w.s);
    free(w.pool);
    free(w.got);
    free(w.got2);
    return rc;
}

/* ---- the whole ------------------------------------------------------------------------------- */

st_rc st_lin_apply(const st_write_io *io, const st_cap_doc *d, const unsigned char *skip,
                   int64_t first_event, st_error *err)
{
    struct lin l;
    memset(&l, 0, sizeof l);
    l.io = io;
    l.err = err;
    st_rc rc = gather(&l, d, skip);
    if (rc || (!l.nmem && !l.nxf))
        goto out;
    if ((rc = load_roots(&l, &l.inst, "SELECT ident, lot FROM lineage_node WHERE ident IN %s")) ||
        (rc = load_roots(&l, &l.cls, "SELECT cls, lot FROM lineage_class WHERE cls IN %s")))
        goto out;
    int incomplete = spread(&l);
    if ((rc = l.rc))
        goto out;
    /* which of those with new roots went into an earlier document's transformation */
    size_t n;
    int64_t *ids = ids_of(&l, &l.inst, 1, &n);
    if (!ids) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    st_val first = st_val_int(first_event);
    struct fill f = {&l.inst, 1};
    rc = run_in(
        &l, "SELECT DISTINCT ident FROM event_epc WHERE event < $1 AND role = 4 AND ident IN %s",
        &first, 1, ids, n, row_root, &f);
    free(ids);
    if (!rc)
        rc = write_doc(&l);
    if (!rc)
        rc = spread_stored(&l, &incomplete);
    if (!rc && incomplete) /* the recall walks instead of reading the index */
        rc = io->query(io->ctx, "UPDATE lineage_state SET built = 0", NULL, 0, NULL, NULL, err);
out:
    nodes_free(&l.inst);
    nodes_free(&l.cls);
    free(l.mem);
    free(l.parts);
    free(l.xf);
    if (rc && rc != ST_ERR_NOMEM && !err->msg[0])
        st_fail(err, rc, -1, NULL, "updating the lineage index failed");
    return rc;
}
