/*
 * The facts of one unit (facts.h) over the store's read path: a handful
 * of indexed look-ups (ident by key, item_state, event_epc by ident, the
 * v5 tables by item) inside one read transaction.
 */
#include "trace/facts.h"

#include <serialtrack/trace.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "epcis/event.h"
#include "store/capture.h"
#include "store/store_int.h"

#define CBV "https://ref.gs1.org/cbv/"
#define DL_GTIN "https://id.gs1.org/01/"

int64_t st_facts_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first column as an integer (0 when NULL). */
static st_rc row_int(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

struct state_row {
    int64_t ident;
    int stolen;
};

static st_rc row_state(void *ctx, const st_val *c, int n)
{
    struct state_row *r = ctx;
    r->ident = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    r->stolen = n > 1 && c[1].type == ST_VAL_TEXT && !strcmp(c[1].p, CBV "Disp-stolen");
    return ST_OK;
}

struct sale_row {
    int64_t at;
    int has_ref;
    char ref[ST_WARRANTY_REF_MAX + 1];
};

static st_rc row_sale(void *ctx, const st_val *c, int n)
{
    struct sale_row *r = ctx;
    if (n < 2)
        return ST_ERR_INTERNAL;
    r->at = c[0].i;
    r->has_ref = c[1].type == ST_VAL_TEXT;
    snprintf(r->ref, sizeof r->ref, "%.*s", r->has_ref ? (int)c[1].n : 0,
             r->has_ref ? (const char *)c[1].p : "");
    return ST_OK;
}

/* Two integers of a row into ctx (an array of two). */
static st_rc row_pair(void *ctx, const st_val *c, int n)
{
    int64_t *v = ctx;
    for (int i = 0; i < 2 && i < n; i++)
        v[i] = c[i].type == ST_VAL_INT ? c[i].i : 0;
    return ST_OK;
}

st_rc st_facts_genuine(st_store *s, int64_t ident, int *genuine, int64_t *made_ms, st_error *err)
{
    int64_t p[2] = {0, 0}; /* commissioned at (ms), clones suspected */
    st_val a = st_val_int(ident);
    st_rc rc = st_store_exec(s,
                             "SELECT coalesce((SELECT commissioned_time FROM item_life WHERE"
                             " ident = $1 AND commissioned IS NOT NULL), 0), (SELECT count(*)"
                             " FROM anomaly WHERE ident = $1 AND rule = 'impossible_travel')",
                             &a, 1, row_pair, p, err);
    *genuine = rc == ST_OK && p[0] != 0 && p[1] == 0;
    *made_ms = p[0];
    return rc;
}

/* The GTIN of an SGTIN key https://id.gs1.org/01/{14}/21/{serial}. */
static void gtin_of(const char *key, char gtin[15])
{
    size_t n = sizeof DL_GTIN - 1;
    gtin[0] = 0;
    if (strncmp(key, DL_GTIN, n) || strlen(key) < n + 18 || strncmp(key + n + 14, "/21/", 4))
        return;
    memcpy(gtin, key + n, 14);
    gtin[14] = 0;
}

static st_rc load(st_store *s, st_facts *f, st_error *err)
{
    struct state_row st = {0};
    st_val k = st_val_text(f->key);
    st_rc rc =
        st_store_exec(s,
                      "SELECT s.ident, d.key FROM ident i JOIN item_state s ON s.ident = i.id"
                      " LEFT JOIN ident d ON d.id = s.disposition WHERE i.key = $1",
                      &k, 1, row_state, &st, err);
    if (rc || !st.ident)
        return rc;
    f->known = 1;
    f->stolen = st.stolen;
    if ((rc = st_facts_genuine(s, st.ident, &f->genuine, &f->made_ms, err)) != ST_OK)
        return rc;
    st_val a[2] = {st_val_int(st.ident), st_val_text(CBV "BizStep-retail_selling")};
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT MAX(e.event_time) FROM event_epc x JOIN event e ON e.id = x.event"
             " WHERE x.ident = $1 AND x.role = %d AND e.biz_step = "
             "(SELECT id FROM ident WHERE key = $2)",
             ST_ROLE_EPC);
    if ((rc = st_store_exec(s, sql, a, 2, row_int, &f->sale_event_ms, err)) != ST_OK)
        return rc;
    struct sale_row sale = {0};
    if ((rc = st_store_exec(s,
                            "SELECT at_ms, reference FROM ownership WHERE item = $1 AND kind = "
                            "'sale' ORDER BY at_ms DESC, id DESC LIMIT 1",
                            &k, 1, row_sale, &sale, err)) != ST_OK)
        return rc;
    f->reg_sale_ms = sale.at;
    if ((rc = st_store_exec(s,
                            "SELECT MAX(decided_at) FROM item_return WHERE item = $1 AND "
                            "accepted = 1",
                            &k, 1, row_int, &f->returned_ms, err)) != ST_OK)
        return rc;
    int64_t sold = f->sale_event_ms > f->reg_sale_ms ? f->sale_event_ms : f->reg_sale_ms;
    f->sold_ms = sold && sold > f->returned_ms ? sold : 0;
    /* a registration adopts the sale event it finds, at that event's time */
    if (f->sold_ms && sale.at && sale.at >= f->sale_event_ms && sale.has_ref) {
        f->has_ref = 1;
        memcpy(f->sale_ref, sale.ref, sizeof f->sale_ref);
    }
    return ST_OK;
}

st_rc st_facts_load(st_store *s, const char *id, st_facts *f, st_error *err)
{
    memset(f, 0, sizeof *f);
    st_rc rc = st_trace_key(id, f->key, sizeof f->key, err);
    if (rc)
        return rc == ST_ERR_BUFFER ? st_fail(err, ST_ERR_SYNTAX, -1, NULL, "identifier too long")
                                   : rc;
    gtin_of(f->key, f->gtin);
    if ((rc = st_store_read_begin(s, err)) != ST_OK)
        return rc;
    rc = load(s, f, err);
    st_store_read_end(s);
    return rc;
}
