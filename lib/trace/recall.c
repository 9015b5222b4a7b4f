/*
 * Recall reports (include/serialtrack/recall.h): criteria parsed and
 * checked, the walk (recall_walk.c) run and its report stored (tables
 * recall and recall_unit, written in one write transaction: readers see
 * whole reports only), rendered as JSON or CSV from what was stored,
 * and executed as recall events through the normal capture path.
 */
#include <jansson.h>
#include <stdarg.h>
#include <pthread.h>
#include <serialtrack/id.h>
#include <serialtrack/limits.h>
#include <serialtrack/recall.h>
#include <serialtrack/trace.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"
#include "trace/recall_int.h"

#define KEY_MAX 2048  /* bytes of one canonical key */
#define UNIT_ROWS 100 /* units per INSERT statement at most (see st_write_io.rows_per_insert) */
#define RECALLED_KEY "https://ref.gs1.org/cbv/Disp-recalled"

static const char *const MEMBERS = "component_lots, finished_lots, components or locations";

/* ---- a growable text buffer ------------------------------------------------------------ */

typedef struct gbuf {
    char *p;    /* malloc'd, NUL-terminated */
    size_t n;   /* bytes written */
    size_t cap; /* bytes allocated */
    int failed; /* an allocation failed: the text is incomplete */
} gbuf;

static void gb_putn(gbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void gb_puts(gbuf *b, const char *s)
{
    gb_putn(b, s, strlen(s));
}

static void gb_printf(gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gb_printf(gbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        b->failed = 1;
    else
        gb_putn(b, tmp, (size_t)n);
}

/* ---- criteria ------------------------------------------------------------------------ */

static const char *key_dup(st_arena *a, const char *text, const char *where, size_t i,
                           st_error *err, st_rc *rc)
{
    char key[KEY_MAX];
    st_error e;
    st_error_clear(&e);
    *rc = st_trace_key(text, key, sizeof key, &e);
    if (*rc) {
        st_fail(err, *rc, -1, NULL, "%s[%zu]: %s", where, i, e.msg[0] ? e.msg : st_strerror(*rc));
        return NULL;
    }
    const char *k = st_arena_strndup(a, key, strlen(key));
    if (!k)
        *rc = ST_ERR_NOMEM;
    return k;
}

/* {"gtin", "lot"} to the lot's class key. */
static const char *lot_of(st_arena *a, json_t *e, const char *where, size_t i, st_error *err,
                          st_rc *rc)
{
    json_t *g = json_object_get(e, "gtin"), *l = json_object_get(e, "lot");
    if (!json_is_object(e) || !json_is_string(g) || !json_is_string(l) ||
        json_object_size(e) != 2) {
        *rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                      "%s[%zu]: expected {\"gtin\": \"...\", \"lot\": \"...\"}", where, i);
        return NULL;
    }
    const char *gs = json_string_value(g), *ls = json_string_value(l);
    if (!*ls) {
        *rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s[%zu].lot is empty", where, i);
        return NULL;
    }
    size_t gn = strlen(gs);
    if (gn < 8 || gn > 14 || strspn(gs, "0123456789") != gn) {
        *rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                      "%s[%zu].gtin: \"%.40s\" is not a GTIN (8 to 14 digits)", where, i, gs);
        return NULL;
    }
    char text[128];
    if ((size_t)snprintf(text, sizeof text, "(01)%014lld(10)%s", atoll(gs), ls) >= sizeof text) {
        *rc = st_fail(err, ST_ERR_LENGTH, -1, NULL, "%s[%zu].lot is too long", where, i);
        return NULL;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%s[%zu]", where, i);
    st_id *id = NULL;
    st_error pe;
    st_error_clear(&pe);
    *rc = st_id_parse(text, strlen(text), NULL, &id, &pe);
    const char *k = NULL;
    if (*rc)
        st_fail(err, *rc, -1, pe.ai, "%s: %s", buf, pe.msg);
    else if (!(k = st_arena_strndup(a, st_id_key(id), strlen(st_id_key(id)))))
        *rc = ST_ERR_NOMEM;
    st_id_destroy(id);
    return k;
}

static st_rc parse_time(json_t *v, const char *what, size_t i, int64_t *ms, st_error *err)
{
    if (!json_is_string(v) || st_cap_time_ms(json_string_value(v), ms))
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "locations[%zu].%s: expected an ISO 8601 date-time with its offset, such "
                       "as \"2024-01-08T06:00:00Z\"",
                       i, what);
    return ST_OK;
}

st_rc st_rcl_parse(const char *text, size_t n, st_arena *a, st_rcl_criteria *c, st_error *err)
{
    memset(c, 0, sizeof *c);
    if (n > ST_RECALL_MAX_CRITERIA_BYTES)
        return st_fail(
            err, ST_ERR_LIMIT, -1, NULL,
            "the criteria hold %zu bytes; the limit is %u (ST_RECALL_MAX_CRITERIA_BYTES)", n,
            ST_RECALL_MAX_CRITERIA_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return st_fail(err, ST_ERR_SYNTAX, (long)je.position, NULL, "the criteria are not JSON: %s",
                       je.text);
    st_rc rc = ST_OK;
    if (!json_is_object(root)) {
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "the criteria must be a JSON object of %s",
                     MEMBERS);
        goto out;
    }
    const char *name;
    json_t *v;
    size_t total = 0;
    json_object_foreach(root, name, v)
    {
        int lots = !strcmp(name, "component_lots") || !strcmp(name, "finished_lots");
        if (!lots && strcmp(name, "components") && strcmp(name, "locations")) {
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "unknown criterion \"%.64s\"; expected %s",
                         name, MEMBERS);
            goto out;
        }
        if (!json_is_array(v)) {
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s must be an array", name);
            goto out;
        }
        total += json_array_size(v);
    }
    if (!total) {
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "no criteria: give at least one entry of %s",
                     MEMBERS);
        goto out;
    }
    if (total > ST_RECALL_MAX_CRITERIA) {
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL,
                     "the criteria hold %zu entries; the limit is %d (ST_RECALL_MAX_CRITERIA)",
                     total, ST_RECALL_MAX_CRITERIA);
        goto out;
    }
    c->lots = st_arena_alloc(a, total * sizeof *c->lots);
    c->ids = st_arena_alloc(a, total * sizeof *c->ids);
    c->locs = st_arena_alloc(a, total * sizeof *c->locs);
    if (!c->lots || !c->ids || !c->locs) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    json_object_foreach(root, name, v)
    {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!strcmp(name, "components")) {
                if (!json_is_string(e)) {
                    rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                                 "components[%zu]: expected an identifier string", i);
                    goto out;
                }
                if (!(c->ids[c->nids++] = key_dup(a, json_string_value(e), name, i, err, &rc)))
                    goto out;
            } else if (!strcmp(name, "locations")) {
                json_t *l = json_object_get(e, "location");
                st_rcl_loc *L = &c->locs[c->nlocs++];
                if (!json_is_object(e) || !json_is_string(l) || json_object_size(e) != 3) {
                    rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                                 "locations[%zu]: expected {\"location\": SGLN, \"from\": "
                                 "date-time, \"to\": date-time}",
                                 i);
                    goto out;
                }
                if (!(L->key = key_dup(a, json_string_value(l), "locations", i, err, &rc)) ||
                    (rc = parse_time(json_object_get(e, "from"), "from", i, &L->from, err)) ||
                    (rc = parse_time(json_object_get(e, "to"), "to", i, &L->to, err)))
                    goto out;
                if (L->to < L->from) {
                    rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                                 "locations[%zu]: \"to\" is before \"from\"", i);
                    goto out;
                }
            } else if (!(c->lots[c->nlots++] = lot_of(a, e, name, i, err, &rc))) {
                goto out;
            }
        }
    }
out:
    json_decref(root);
    return rc;
}

/* ---- storing a report ---------------------------------------------------------------- */

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int64_t *)ctx = c[0].i;
    return ST_OK;
}

static int64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void scope_json(st_jw *j, const char *name, const st_rcl_count *c, size_t n)
{
    st_jw_key(j, name);
    st_jw_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        st_jw_object_begin(j);
        st_jw_member_str(j, "name", c[i].name);
        st_jw_key(j, "affected");
        st_jw_long(j, (long)c[i].affected);
        st_jw_key(j, "blanket");
        st_jw_long(j, (long)c[i].blanket);
        st_jw_object_end(j);
    }
    st_jw_array_end(j);
}

/* A report to store: its head's values and the walk's units. */
struct report {
    const st_val *head; /* created, criteria, affected, blanket, blanket_lot, elapsed_ms, scope */
    const st_rcl_result *r;
    int64_t id; /* the new report's id */
};

/* The report and its units, in one write transaction (st_store_write_tx). */
static st_rc store_report(const st_write_io *io, void *ctx, st_error *err)
{
    struct report *rep = ctx;
    const st_rcl_result *r = rep->r;
    st_rc rc = io->query(io->ctx,
                         "INSERT INTO recall (created, status, criteria, affected, blanket,"
                         " blanket_lot, elapsed_ms, scope, executed_events) VALUES ($1,"
                         " 'dry-run', $2, $3, $4, $5, $6, $7, 0) RETURNING id",
                         rep->head, 7, row_int, &rep->id, err);
    if (!rc && !rep->id)
        rc = st_fail(err, ST_ERR_INTERNAL, -1, NULL, "the new report got no id");
    size_t rows = io->rows_per_insert > 1 ? (size_t)io->rows_per_insert : 1;
    if (rows > UNIT_ROWS)
        rows = UNIT_ROWS;
    gbuf b = {0};
    gb_puts(&b, "INSERT INTO recall_unit (recall, ident, status, location, container, holder)"
                " VALUES ");
    for (size_t i = 0; i < rows; i++)
        gb_printf(&b, "%s($%zu,$%zu,$%zu,$%zu,$%zu,$%zu)", i ? "," : "", 6 * i + 1, 6 * i + 2,
                  6 * i + 3, 6 * i + 4, 6 * i + 5, 6 * i + 6);
    st_val args[6 * UNIT_ROWS];
    if (b.failed)
        rc = rc ? rc : ST_ERR_NOMEM;
    /* whole statements of rows; the rest one row at a time */
    for (size_t off = 0; !rc && off < r->n;) {
        size_t m = r->n - off >= rows ? rows : 1;
        for (size_t i = 0; i < m; i++) {
            const st_rcl_unit *u = &r->u[off + i];
            st_val *a = args + 6 * i;
            a[0] = st_val_int(rep->id);
            a[1] = st_val_int(u->id);
            a[2] = st_val_text(u->status);
            a[3] = st_val_text(u->location);
            a[4] = st_val_text(u->container);
            a[5] = st_val_text(u->holder);
        }
        if (m == rows)
            rc = io->query(io->ctx, b.p, args, (int)(6 * m), NULL, NULL, err);
        else
            rc = io->query(io->ctx,
                           "INSERT INTO recall_unit (recall, ident, status, location, container,"
                           " holder) VALUES ($1,$2,$3,$4,$5,$6)",
                           args, 6, NULL, NULL, err);
        off += m;
    }
    free(b.p);
    return rc;
}

st_rc st_recall_create(st_store *s, const char *crit, size_t n, int64_t *id, st_error *err)
{
    if (!s || !crit || !id)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store, criteria or id");
    *id = 0;
    st_arena *a = st_arena_create(0);
    if (!a)
        return ST_ERR_NOMEM;
    st_rcl_criteria c;
    st_rcl_result r = {0};
    st_jw scope;
    st_jw_init(&scope);
    char *canon = NULL;
    st_rc rc = st_rcl_parse(crit, n, a, &c, err);
    if (!rc)
        rc = st_rcl_walk(s, &c, 1, &r, err);
    if (rc)
        goto out;
    json_t *root = json_loadb(crit, n, 0, NULL);
    canon = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(root);
    st_jw_object_begin(&scope);
    scope_json(&scope, "locations", r.loc, r.nloc);
    scope_json(&scope, "parties", r.party, r.nparty);
    st_jw_object_end(&scope);
    if (!canon || scope.failed) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    char *scope_txt = st_arena_strndup(a, scope.p, scope.n);
    if (!scope_txt) {
        rc = ST_ERR_NOMEM;
        goto out;
    }
    st_val head[7] = {st_val_int(wall_ms()),     st_val_text(canon),
                      st_val_int((int64_t)r.n),  st_val_int(r.blanket),
                      st_val_int(r.blanket_lot), st_val_int(r.walk_ms + r.scope_ms),
                      st_val_text(scope_txt)};
    struct report rep = {head, &r, 0};
    rc = st_store_write_tx(s, store_report, &rep, err);
    if (!rc)
        *id = rep.id;
out:
    free(canon);
    st_jw_free(&scope);
    st_rcl_result_free(&r);
    st_arena_destroy(a);
    return rc;
}

/* ---- reading a report ----------------------------------------------------------------- */

struct head {
    int found;
    st_jw *j; /* write the members here, when not NULL */
    int64_t affected, blanket;
    char status[16];
};

static void opt_str(st_jw *j, const char *k, const st_val *v)
{
    st_jw_key(j, k);
    if (v->type == ST_VAL_TEXT)
        st_jw_string(j, v->p, v->n);
    else
        st_jw_null(j);
}

static void time_val(st_jw *j, const char *k, const st_val *v)
{
    st_jw_key(j, k);
    if (v->type == ST_VAL_INT) {
        char b[32];
        st_cap_time_str(v->i, b);
        st_jw_cstring(j, b);
    } else {
        st_jw_null(j);
    }
}

#define HEAD_COLS                                                                                  \
    "id, created, status, criteria, affected, blanket, blanket_lot, elapsed_ms, scope,"            \
    " executed_at, executed_events"

/* Members of one report row (HEAD_COLS), without "units". */
static void head_members(st_jw *j, const st_val *c, int full)
{
    st_jw_key(j, "id");
    st_jw_long(j, (long)c[0].i);
    opt_str(j, "status", &c[2]);
    time_val(j, "created", &c[1]);
    st_jw_key(j, "criteria");
    st_jw_raw(j, c[3].p, c[3].n);
    st_jw_key(j, "affected_units");
    st_jw_long(j, (long)c[4].i);
    st_jw_key(j, "blanket_units");
    st_jw_long(j, (long)c[5].i);
    st_jw_key(j, "blanket_lot_units");
    st_jw_long(j, (long)c[6].i);
    char ratio[32];
    int rn = snprintf(ratio, sizeof ratio, "%.6g", c[5].i ? (double)c[4].i / (double)c[5].i : 0.0);
    st_jw_key(j, "scope_ratio");
    st_jw_raw(j, ratio, (size_t)rn);
    st_jw_key(j, "elapsed_ms");
    st_jw_long(j, (long)c[7].i);
    if (full) {
        st_jw_key(j, "scope");
        st_jw_raw(j, c[8].p, c[8].n);
    }
    time_val(j, "executed_at", &c[9]);
    st_jw_key(j, "executed_events");
    st_jw_long(j, (long)c[10].i);
}

static st_rc row_head(void *ctx, const st_val *c, int n)
{
    struct head *h = ctx;
    if (n < 11 || c[3].type != ST_VAL_TEXT || c[8].type != ST_VAL_TEXT)
        return ST_ERR_INTERNAL;
    h->found = 1;
    h->affected = c[4].i;
    h->blanket = c[5].i;
    snprintf(h->status, sizeof h->status, "%.*s", (int)c[2].n, (const char *)c[2].p);
    if (h->j)
        head_members(h->j, c, 1);
    return ST_OK;
}

static st_rc load_head(st_store *s, int64_t id, struct head *h, st_error *err)
{
    st_val arg = st_val_int(id);
    st_rc rc =
        st_store_exec(s, "SELECT " HEAD_COLS " FROM recall WHERE id = $1 AND status <> 'pending'",
                      &arg, 1, row_head, h, err);
    if (!rc && !h->found)
        rc = st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no recall report %lld", (long long)id);
    return rc;
}

struct units_out {
    st_jw *j;
    FILE *f;
};

static void csv_field(FILE *f, const st_val *v, int last)
{
    if (v && v->type == ST_VAL_TEXT) {
        const char *p = v->p;
        if (strcspn(p, ",\"\r\n") < v->n) {
            fputc('"', f);
            for (size_t i = 0; i < v->n; i++) {
                if (p[i] == '"')
                    fputc('"', f);
                fputc(p[i], f);
            }
            fputc('"', f);
        } else {
            fwrite(p, 1, v->n, f);
        }
    }
    fputs(last ? "\r\n" : ",", f);
}

static st_rc row_unit(void *ctx, const st_val *c, int n)
{
    struct units_out *o = ctx;
    if (n < 5 || c[0].type != ST_VAL_TEXT)
        return ST_ERR_INTERNAL;
    /* "epc": the identifier as an EPCIS 2.0 event names it: its Digital Link
     * URI (an EPC URI needs the company prefix length, which keys do not keep) */
    if (o->f) {
        csv_field(o->f, &c[0], 0);
        for (int i = 0; i < 5; i++)
            csv_field(o->f, &c[i], i == 4);
        return ferror(o->f) ? ST_ERR_IO : ST_OK;
    }
    st_jw *j = o->j;
    st_jw_object_begin(j);
    opt_str(j, "epc", &c[0]);
    opt_str(j, "key", &c[0]);
    opt_str(j, "status", &c[1]);
    opt_str(j, "location", &c[2]);
    st_jw_key(j, "container");
    st_jw_array_begin(j);
    if (c[3].type == ST_VAL_TEXT) {
        const char *p = c[3].p, *end = p + c[3].n;
        while (p < end) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            if (!sp)
                sp = end;
            st_jw_string(j, p, (size_t)(sp - p));
            p = sp + 1;
        }
    }
    st_jw_array_end(j);
    opt_str(j, "holder", &c[4]);
    st_jw_object_end(j);
    return ST_OK;
}

static st_rc write_units(st_store *s, int64_t id, size_t max, struct units_out *o, st_error *err)
{
    /* no limit is the largest one (SQLite reads -1 as none, PostgreSQL refuses it) */
    st_val args[2] = {st_val_int(id), st_val_int(max ? (int64_t)max : INT64_MAX)};
    return st_store_exec(s,
                         "SELECT i.key, u.status, u.location, u.container, u.holder FROM "
                         "recall_unit u JOIN ident i ON i.id = u.ident WHERE u.recall = $1"
                         " ORDER BY i.key LIMIT $2",
                         args, 2, row_unit, o, err);
}

st_rc st_recall_write(st_store *s, int64_t id, size_t units, st_jw *out, st_error *err)
{
    if (!s || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no output");
    struct head h = {0};
    h.j = out;
    st_jw_object_begin(out);
    st_rc rc = load_head(s, id, &h, err);
    if (!rc) {
        struct units_out o = {out, NULL};
        st_jw_key(out, "units");
        st_jw_array_begin(out);
        rc = write_units(s, id, units, &o, err);
        st_jw_array_end(out);
        if (units && (size_t)h.affected > units) {
            st_jw_key(out, "units_truncated");
            st_jw_bool(out, 1);
        }
    }
    st_jw_object_end(out);
    return rc;
}

st_rc st_recall_write_csv(st_store *s, int64_t id, FILE *f, st_error *err)
{
    if (!s || !f)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no output");
    struct head h = {0};
    st_rc rc = load_head(s, id, &h, err);
    if (rc)
        return rc;
    fputs("epc,key,status,location,container,holder\r\n", f);
    struct units_out o = {NULL, f};
    return write_units(s, id, 0, &o, err);
}

static st_rc row_list(void *ctx, const st_val *c, int n)
{
    if (n < 11)
        return ST_ERR_INTERNAL;
    st_jw_object_begin(ctx);
    head_members(ctx, c, 0);
    st_jw_object_end(ctx);
    return ST_OK;
}

st_rc st_recall_list(st_store *s, size_t max, st_jw *out, st_error *err)
{
    if (!s || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no output");
    st_val arg = st_val_int(max ? (int64_t)max : 100);
    st_jw_array_begin(out);
    st_rc rc = st_store_exec(s,
                             "SELECT " HEAD_COLS " FROM recall WHERE status <> 'pending'"
                             " ORDER BY id DESC LIMIT $1",
                             &arg, 1, row_list, out, err);
    st_jw_array_end(out);
    return rc;
}

/* ---- executing a report --------------------------------------------------------------- */

static pthread_mutex_t exec_mu = PTHREAD_MUTEX_INITIALIZER; /* one execution at a time */

struct exec_doc {
    gbuf *b;
    size_t units, events, in_event;
    char time[32];
};

static void event_close(struct exec_doc *d)
{
    if (!d->in_event)
        return;
    gb_puts(d->b, "</epcList><action>OBSERVE</action>"
                  "<bizStep>urn:epcglobal:cbv:bizstep:holding</bizStep>"
                  "<disposition>urn:epcglobal:cbv:disp:recalled</disposition>"
                  "</ObjectEvent>\n");
    d->in_event = 0;
}

static st_rc row_exec_unit(void *ctx, const st_val *c, int n)
{
    struct exec_doc *d = ctx;
    if (n < 1 || c[0].type != ST_VAL_TEXT)
        return ST_ERR_INTERNAL;
    if (d->in_event == ST_RECALL_EPCS_PER_EVENT)
        event_close(d);
    if (!d->in_event) {
        gb_printf(d->b,
                  "<ObjectEvent><eventTime>%s</eventTime><eventTimeZoneOffset>+00:00"
                  "</eventTimeZoneOffset><epcList>",
                  d->time);
        d->events++;
    }
    gb_puts(d->b, "<epc>");
    const char *p = c[0].p;
    for (size_t i = 0; i < c[0].n; i++) { /* XML text */
        if (p[i] == '&')
            gb_puts(d->b, "&amp;");
        else if (p[i] == '<')
            gb_puts(d->b, "&lt;");
        else if (p[i] == '>')
            gb_puts(d->b, "&gt;");
        else
            gb_putn(d->b, p + i, 1);
    }
    gb_puts(d->b, "</epc>");
    d->in_event++;
    d->units++;
    return ST_OK;
}

st_rc st_recall_execute(st_store *s, int64_t id, size_t *events, size_t *units, st_error *err)
{
    if (events)
        *events = 0;
    if (units)
        *units = 0;
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store");
    pthread_mutex_lock(&exec_mu);
    struct head h = {0};
    gbuf b = {0};
    int64_t recalled = 0;
    struct exec_doc d = {&b, 0, 0, 0, {0}};
    st_rc rc = load_head(s, id, &h, err);
    if (!rc) {
        st_val arg = st_val_text(RECALLED_KEY);
        rc = st_store_exec(s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_int, &recalled,
                           err);
    }
    int64_t now = wall_ms();
    st_cap_time_str(now, d.time);
    gb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
                "schemaVersion=\"2.0\" creationDate=\"");
    gb_puts(&b, d.time);
    gb_puts(&b, "\">\n<EPCISBody>\n<EventList>\n");
    if (!rc) {
        st_val args[2] = {st_val_int(id), st_val_int(recalled)};
        rc = st_store_exec(s,
                           "SELECT i.key FROM recall_unit u JOIN ident i ON i.id = u.ident"
                           " LEFT JOIN item_state s ON s.ident = u.ident WHERE u.recall = $1"
                           " AND (s.disposition IS NULL OR s.disposition <> $2) ORDER BY u.ident",
                           args, 2, row_exec_unit, &d, err);
    }
    event_close(&d);
    gb_puts(&b, "</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n");
    if (!rc && b.failed)
        rc = ST_ERR_NOMEM;
    size_t stored = 0;
    if (!rc && d.events) {
        st_capture_result res;
        st_epcis_report *rep = NULL;
        rc = st_store_capture_mem(s, b.p, b.n, "recall", &res, &rep);
        if (rc) {
            long ev = -1;
            const char *path = "", *m = st_strerror(rc);
            if (rep && st_epcis_report_errors_listed(rep))
                st_epcis_report_error(rep, 0, &ev, &path, &m);
            st_fail(err, rc, -1, NULL, "the recall events were refused: event %ld: %s: %s", ev,
                    path, m);
        }
        stored = res.stored;
        st_epcis_report_destroy(rep);
    }
    if (!rc) {
        st_val args[3] = {st_val_int(now), st_val_int((int64_t)stored), st_val_int(id)};
        rc = st_store_admin_exec(s,
                                 "UPDATE recall SET status = 'executed', executed_at ="
                                 " coalesce(executed_at, $1), executed_events = executed_events"
                                 " + $2 WHERE id = $3",
                                 args, 3, NULL, NULL, NULL, err);
    }
    if (!rc && events)
        *events = stored;
    if (!rc && units)
        *units = stored ? d.units : 0;
    free(b.p);
    pthread_mutex_unlock(&exec_mu);
    return rc;
}
