/*
 * Serial allocation (include/serialtrack/alloc.h) over tables serial_counter
 * and serial_alloc of schema v3. The counter of a GTIN moves by one
 * administrative write (UPDATE ... RETURNING, its own durable transaction)
 * before any serial is made from the positions it returned; the serials are
 * then made by the GTIN's generator (lib/gs1/serial.c) resumed at those
 * positions. Reads go through the store's read path.
 */
#include <serialtrack/alloc.h>

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "gs1/checkdigit.h"
#include "store/store_int.h"

#define SERIES_MAX 512               /* bytes of a series' canonical text (every option fits) */
#define SLOT (ST_SERIAL_MAX_LEN + 1) /* bytes per serial in st_allocation.serials */

struct st_allocation {
    int64_t id;              /* serial_alloc.id */
    char gtin[15];           /* 14 digits */
    st_serial_scheme scheme; /* which scheme made the serials */
    uint64_t first;          /* counter position of serial 0 */
    size_t count;            /* serials held */
    char *serials;           /* count slots of SLOT bytes, NUL-terminated each; owned */
};

static const char *const scheme_names[] = {"", "sequential", "template", "random"};

st_serial_scheme st_alloc_scheme_parse(const char *name)
{
    for (int i = 1; name && i <= 3; i++)
        if (!strcmp(name, scheme_names[i]))
            return (st_serial_scheme)i;
    return (st_serial_scheme)0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

st_rc st_alloc_gtin14(const char *gtin, char out14[15], st_error *err)
{
    if (!gtin || !*gtin)
        return st_fail(err, ST_ERR_ARG, -1, "01", "a GTIN is required");
    size_t n = strlen(gtin);
    for (size_t i = 0; i < n; i++)
        if (gtin[i] < '0' || gtin[i] > '9')
            return st_fail(err, ST_ERR_ARG, (long)i, "01",
                           "GTIN \"%.20s\": byte %zu is not a digit", gtin, i);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return st_fail(err, ST_ERR_LENGTH, -1, "01",
                       "GTIN \"%.20s\" has %zu digits; a GTIN has 8, 12, 13 or 14", gtin, n);
    char want = 0;
    if (st_cd_verify(gtin, n, &want) != ST_OK)
        return st_fail(err, ST_ERR_CHECK_DIGIT, (long)n - 1, "01",
                       "GTIN %s: check digit is %c, expected %c", gtin, gtin[n - 1], want);
    memset(out14, '0', 14 - n);
    memcpy(out14 + 14 - n, gtin, n + 1);
    return ST_OK;
}

/* The canonical text of a series: the scheme and every option that shapes
 * its serials; text options carry their length, so none can run into the
 * next. Two requests are of one series exactly when their texts are equal. */
static void series_text(const st_serial_opts *o, char *out, size_t cap)
{
    const char *pre = o->prefix ? o->prefix : "", *suf = o->suffix ? o->suffix : "";
    const char *tpl = o->tmpl ? o->tmpl : "", *alpha = o->alphabet ? o->alphabet : "";
    snprintf(out, cap,
             "%s;profile=%s;start=%" PRIu64 ";width=%d;length=%d;year=%d;prefix=%zu:%s;"
             "suffix=%zu:%s;template=%zu:%s;alphabet=%zu:%s",
             scheme_names[o->scheme], o->profile == ST_SERIAL_PROFILE_DSCSA ? "dscsa" : "gs1",
             o->start, o->width, o->length, o->year, strlen(pre), pre, strlen(suf), suf,
             strlen(tpl), tpl, strlen(alpha), alpha);
}

/* ---- row callbacks ------------------------------------------------------------------- */

/* What the counter statements return. */
struct counter_row {
    int found;                            /* a row came back */
    int64_t pos;                          /* first position (UPDATE) or next_pos (SELECT) */
    int64_t space;                        /* SELECT: the series' space */
    char series[SERIES_MAX];              /* SELECT: the stored series */
    unsigned char key[ST_SERIAL_KEY_LEN]; /* the random scheme's key */
    int has_key;                          /* key holds one */
};

static st_rc row_advance(void *ctx, const st_val *c, int n)
{
    struct counter_row *r = ctx;
    r->found = 1;
    r->pos = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : -1;
    if (n > 1 && c[1].type == ST_VAL_BLOB && c[1].n == ST_SERIAL_KEY_LEN) {
        memcpy(r->key, c[1].p, ST_SERIAL_KEY_LEN);
        r->has_key = 1;
    }
    return ST_OK;
}

static st_rc row_counter(void *ctx, const st_val *c, int n)
{
    struct counter_row *r = ctx;
    if (n < 3)
        return ST_ERR_INTERNAL;
    r->found = 1;
    size_t len = c[0].type == ST_VAL_TEXT ? c[0].n : 0;
    if (len >= sizeof r->series)
        len = sizeof r->series - 1;
    memcpy(r->series, c[0].p ? c[0].p : "", len);
    r->series[len] = 0;
    r->pos = c[1].i;
    r->space = c[2].i;
    return ST_OK;
}

static st_rc row_id(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

/* ---- the counter ---------------------------------------------------------------------- */

/* Why the counter of gtin did not move for series (text) and count: another
 * series, or too few positions left. */
static st_rc explain(st_store *s, const char *gtin, const char *series, uint64_t count,
                     st_error *err)
{
    struct counter_row r = {0};
    st_val args[1] = {st_val_text(gtin)};
    st_rc rc =
        st_store_exec(s, "SELECT series, next_pos, space FROM serial_counter WHERE gtin = $1", args,
                      1, row_counter, &r, err);
    if (rc)
        return rc;
    if (!r.found)
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "the counter of GTIN %s vanished", gtin);
    if (strcmp(r.series, series))
        return st_fail(err, ST_ERR_ARG, -1, "01",
                       "GTIN %s already takes its serials from series \"%.160s\"; a second "
                       "series could repeat them, so allocate with the same scheme and options",
                       gtin, r.series);
    return st_fail(err, ST_ERR_EXHAUSTED, -1, "01",
                   "GTIN %s: %" PRIu64 " serials asked, %" PRId64 " of %" PRId64
                   " left in its series; nothing was allocated",
                   gtin, count, r.space - r.pos, r.space);
}

/*
 * Move the counter of gtin on by count, creating it (with space and, for the
 * random scheme, a fresh key) on first use; *first receives the first of the
 * positions taken, key the series' key.
 */
static st_rc advance(st_store *s, const char *gtin, const st_serial_opts *o, const char *series,
                     uint64_t space, uint64_t count, struct counter_row *r, st_error *err)
{
    static const char *const upd = "UPDATE serial_counter SET next_pos = next_pos + $1"
                                   " WHERE gtin = $2 AND series = $3 AND space - next_pos >= $1"
                                   " RETURNING next_pos - $1, skey";
    /* SQLite numbers $N by first appearance, so they appear in order */
    st_val a[3] = {st_val_int((int64_t)count), st_val_text(gtin), st_val_text(series)};
    st_rc rc = st_store_admin_exec(s, upd, a, 3, row_advance, r, NULL, err);
    if (rc || r->found)
        return rc;
    /* no row moved: a new GTIN (create its counter, then move it), or a refusal */
    unsigned char key[ST_SERIAL_KEY_LEN];
    int random = o->scheme == ST_SERIAL_RANDOM;
    if (random && RAND_bytes(key, sizeof key) != 1)
        return st_fail(err, ST_ERR_IO, -1, NULL, "OpenSSL RAND_bytes could not draw a key");
    st_val ins[7] = {st_val_text(gtin),
                     st_val_text(series),
                     st_val_text(scheme_names[o->scheme]),
                     random ? st_val_blob(key, sizeof key) : (st_val){ST_VAL_NULL, 0, NULL, 0},
                     st_val_int(0),
                     st_val_int(space > INT64_MAX ? INT64_MAX : (int64_t)space),
                     st_val_int(now_ms())};
    rc = st_store_admin_exec(s,
                             "INSERT INTO serial_counter(gtin, series, scheme, skey, next_pos, "
                             "space, created) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                             " ON CONFLICT (gtin) DO NOTHING",
                             ins, 7, NULL, NULL, NULL, err);
    OPENSSL_cleanse(key, sizeof key);
    if (rc)
        return rc;
    rc = st_store_admin_exec(s, upd, a, 3, row_advance, r, NULL, err);
    if (rc || r->found)
        return rc;
    return explain(s, gtin, series, count, err);
}

/* ---- allocation ------------------------------------------------------------------------ */

/* Check what the request holds besides the scheme's options. */
static st_rc check_req(const st_alloc_req *req, char gtin[15], st_error *err)
{
    st_rc rc = st_alloc_gtin14(req->gtin, gtin, err);
    if (rc)
        return rc;
    if (req->count == 0)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "count must be at least 1");
    if (req->count > ST_ALLOC_MAX_COUNT)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "count is %" PRIu64 "; one allocation holds at most %d serials", req->count,
                       ST_ALLOC_MAX_COUNT);
    if (req->opts.key)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "a key cannot be given: the store draws and keeps one per GTIN, so that "
                       "its serials never repeat");
    if (req->opts.scheme < ST_SERIAL_SEQUENTIAL || req->opts.scheme > ST_SERIAL_RANDOM)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "scheme must be sequential, template or random");
    size_t nb = req->by ? strlen(req->by) : 0;
    if (req->by && (nb == 0 || nb > ST_ALLOC_BY_MAX))
        return st_fail(err, ST_ERR_ARG, -1, NULL, "who asks is named by 1 to %d bytes, not %zu",
                       ST_ALLOC_BY_MAX, nb);
    return ST_OK;
}

st_rc st_alloc_serials(st_store *s, const st_alloc_req *req, st_allocation **out, st_error *err)
{
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "out is NULL");
    *out = NULL;
    if (!s || !req)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no request");
    char gtin[15];
    st_rc rc = check_req(req, gtin, err);
    if (rc)
        return rc;
    st_allocation *a = NULL;
    st_serialgen *g = NULL;
    struct counter_row r = {0};
    /* the generator, first with a dummy key: it checks the options and gives the space */
    static const unsigned char probe_key[ST_SERIAL_KEY_LEN];
    st_serial_opts o = req->opts;
    if (o.scheme == ST_SERIAL_RANDOM)
        o.key = probe_key;
    if ((rc = st_serialgen_create(&o, &g, err)) != ST_OK)
        goto out;
    uint64_t space = st_serialgen_space(g);
    if (req->count > space) {
        rc = st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                     "count %" PRIu64 " is more than the %" PRIu64 " serials this series can make",
                     req->count, space);
        goto out;
    }
    char series[SERIES_MAX];
    series_text(&req->opts, series, sizeof series);
    if ((rc = advance(s, gtin, &req->opts, series, space, req->count, &r, err)) != ST_OK)
        goto out;
    if (r.pos < 0 || (o.scheme == ST_SERIAL_RANDOM && !r.has_key)) {
        rc = st_fail(err, ST_ERR_INTERNAL, -1, NULL, "the counter of GTIN %s is damaged", gtin);
        goto out;
    }
    /* the positions are ours from here: log them, then make the serials */
    int64_t id = 0;
    st_val log[5] = {st_val_text(gtin), st_val_int(r.pos), st_val_int((int64_t)req->count),
                     st_val_text(req->by ? req->by : "unknown"), st_val_int(now_ms())};
    rc = st_store_admin_exec(s,
                             "INSERT INTO serial_alloc(gtin, first_pos, count, requested_by, "
                             "created) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                             log, 5, row_id, &id, NULL, err);
    if (rc)
        goto out;
    if (o.scheme == ST_SERIAL_RANDOM) {
        st_serialgen_destroy(g);
        g = NULL;
        o.key = r.key;
        rc = st_serialgen_create(&o, &g, err);
        if (rc)
            goto out;
    }
    a = calloc(1, sizeof *a);
    if (!a || !(a->serials = malloc((size_t)req->count * SLOT))) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for %" PRIu64 " serials",
                     req->count);
        goto out;
    }
    if (st_serialgen_skip(g, (uint64_t)r.pos) != ST_OK) {
        rc = st_fail(err, ST_ERR_INTERNAL, -1, NULL, "position %" PRId64 " is past the series",
                     r.pos);
        goto out;
    }
    for (uint64_t i = 0; i < req->count; i++)
        if ((rc = st_serialgen_next(g, a->serials + i * SLOT, SLOT, err)) != ST_OK)
            goto out;
    a->id = id;
    memcpy(a->gtin, gtin, sizeof a->gtin);
    a->scheme = o.scheme;
    a->first = (uint64_t)r.pos;
    a->count = (size_t)req->count;
    *out = a;
    a = NULL;
out:
    OPENSSL_cleanse(r.key, sizeof r.key);
    st_serialgen_destroy(g);
    st_allocation_destroy(a);
    return rc;
}

void st_allocation_destroy(st_allocation *a)
{
    if (!a)
        return;
    free(a->serials);
    free(a);
}

int64_t st_allocation_id(const st_allocation *a)
{
    return a ? a->id : 0;
}

const char *st_allocation_gtin(const st_allocation *a)
{
    return a ? a->gtin : "";
}

const char *st_allocation_scheme(const st_allocation *a)
{
    return a ? scheme_names[a->scheme] : "";
}

uint64_t st_allocation_first(const st_allocation *a)
{
    return a ? a->first : 0;
}

size_t st_allocation_count(const st_allocation *a)
{
    return a ? a->count : 0;
}

const char *st_allocation_serial(const st_allocation *a, size_t i)
{
    return a && i < a->count ? a->serials + i * SLOT : NULL;
}

/* ---- identifiers ---------------------------------------------------------------------- */

static const char hex[] = "0123456789ABCDEF";

/* Append c to out[n], percent-encoded; returns the new length. */
static size_t pct(char *out, size_t n, unsigned char c)
{
    out[n++] = '%';
    out[n++] = hex[c >> 4];
    out[n++] = hex[c & 15];
    return n;
}

st_rc st_alloc_dl(const char *gtin14, const char *serial, char *out, size_t cap)
{
    size_t ns = strlen(serial);
    if (strlen(gtin14) != 14 || ns > ST_SERIAL_MAX_LEN || cap < ST_ALLOC_EPC_MAX)
        return ST_ERR_ARG;
    size_t n = (size_t)snprintf(out, cap, "https://id.gs1.org/01/%s/21/", gtin14);
    for (const unsigned char *p = (const unsigned char *)serial; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            out[n++] = (char)*p;
        else
            n = pct(out, n, *p);
    }
    out[n] = 0;
    return ST_OK;
}

st_rc st_alloc_epc_uri(const char *gtin14, int gcp_len, const char *serial, char *out, size_t cap)
{
    size_t ns = strlen(serial);
    if (strlen(gtin14) != 14 || gcp_len < 6 || gcp_len > 12 || ns > ST_SERIAL_MAX_LEN ||
        cap < ST_ALLOC_EPC_MAX)
        return ST_ERR_ARG;
    size_t n = (size_t)snprintf(out, cap, "urn:epc:id:sgtin:%.*s.%c%.*s.", gcp_len, gtin14 + 1,
                                gtin14[0], 12 - gcp_len, gtin14 + 1 + gcp_len);
    for (const unsigned char *p = (const unsigned char *)serial; *p; p++) {
        if (strchr("\"%&/<>?", *p))
            n = pct(out, n, *p);
        else
            out[n++] = (char)*p;
    }
    out[n] = 0;
    return ST_OK;
}

/* ---- the log --------------------------------------------------------------------------- */

struct list_ctx {
    st_alloc_cb cb; /* the caller's */
    void *ctx;      /* ... and its context */
};

static void copy_text(char *dst, size_t cap, const st_val *v)
{
    size_t n = v->type == ST_VAL_TEXT ? v->n : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v->p, n);
    dst[n] = 0;
}

static st_rc row_list(void *ctx, const st_val *c, int n)
{
    struct list_ctx *l = ctx;
    if (n < 7)
        return ST_ERR_INTERNAL;
    st_alloc_info info;
    memset(&info, 0, sizeof info);
    info.id = c[0].i;
    copy_text(info.gtin, sizeof info.gtin, &c[1]);
    copy_text(info.scheme, sizeof info.scheme, &c[2]);
    info.first = (uint64_t)c[3].i;
    info.count = (uint64_t)c[4].i;
    copy_text(info.by, sizeof info.by, &c[5]);
    info.created_ms = c[6].i;
    return l->cb(l->ctx, &info);
}

st_rc st_alloc_list(st_store *s, const char *gtin, int limit, st_alloc_cb cb, void *ctx,
                    st_error *err)
{
    if (!s || !cb)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no callback");
    if (limit < 1 || limit > ST_ALLOC_LIST_MAX)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "limit is %d; it must be 1 to %d", limit,
                       ST_ALLOC_LIST_MAX);
    char g14[15];
    if (gtin) {
        st_rc rc = st_alloc_gtin14(gtin, g14, err);
        if (rc)
            return rc;
    }
    struct list_ctx l = {cb, ctx};
#define LIST_COLS                                                                                  \
    "SELECT a.id, a.gtin, c.scheme, a.first_pos, a.count, a.requested_by, a.created"               \
    " FROM serial_alloc a JOIN serial_counter c ON c.gtin = a.gtin"
    if (!gtin) {
        st_val one = st_val_int(limit);
        return st_store_exec(s, LIST_COLS " ORDER BY a.id DESC LIMIT $1", &one, 1, row_list, &l,
                             err);
    }
    st_val args[2] = {st_val_text(g14), st_val_int(limit)};
    return st_store_exec(s, LIST_COLS " WHERE a.gtin = $1 ORDER BY a.id DESC LIMIT $2", args, 2,
                         row_list, &l, err);
}
