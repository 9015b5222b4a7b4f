/*
 * Warranties (include/serialtrack/warranty.h): terms per GTIN in table
 * warranty_terms, claims in warranty_claim (schema v5), and the warranty
 * of one unit computed from its terms and its facts (trace/facts.h):
 * commissioning, current sale, genuineness.
 */
#include <serialtrack/warranty.h>

#include <serialtrack/alloc.h>
#include <serialtrack/limits.h>
#include <serialtrack/returns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/civil.h"
#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"
#include "trace/facts.h"

#define DAY_MS 86400000LL

static const char *const base_names[] = {"", "sale", "manufacture", "fixed"};

const char *st_warranty_base_name(st_warranty_base b)
{
    return b >= ST_WARRANTY_FROM_SALE && b <= ST_WARRANTY_FIXED ? base_names[b] : "";
}

st_warranty_base st_warranty_base_parse(const char *name)
{
    for (int i = 1; name && i <= 3; i++)
        if (!strcmp(name, base_names[i]))
            return (st_warranty_base)i;
    return (st_warranty_base)0;
}

/* ---- calendar arithmetic (UTC, proleptic Gregorian) ------------------------------------- */

static int month_days(int64_t y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : md[m - 1];
}

/* ms plus months calendar months, the day clamped to the month's last. */
static int64_t add_months(int64_t ms, int months)
{
    int64_t days = ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
    int64_t rest = ms - days * DAY_MS, y;
    int m, d;
    st_civil_from_days(days, &y, &m, &d);
    int64_t mm = (int64_t)m - 1 + months;
    y += mm / 12;
    m = (int)(mm % 12) + 1;
    if (d > month_days(y, m))
        d = month_days(y, m);
    return st_days_from_civil(y, m, d) * DAY_MS + rest;
}

/* YYYY-MM-DD that exists into *days; 0 or -1. */
static int parse_day(const char *v, int64_t *days)
{
    if (!v || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
            return -1;
    int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    *days = st_days_from_civil(y, m, d);
    return 0;
}

static st_rc row_id(void *ctx, const st_val *c, int n)
{
    if (ctx)
        *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

/* ---- terms ---------------------------------------------------------------------------- */

st_rc st_warranty_terms_set(st_store *s, const st_warranty_terms *t, const char *by, st_error *err)
{
    if (!s || !t)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no terms");
    char gtin[15];
    st_rc rc = st_alloc_gtin14(t->gtin, gtin, err);
    if (rc)
        return rc;
    int64_t day = 0;
    switch (t->base) {
    case ST_WARRANTY_FROM_SALE:
    case ST_WARRANTY_FROM_MANUFACTURE:
        if (t->months < 1 || t->months > ST_WARRANTY_MAX_MONTHS)
            return st_fail(err, ST_ERR_RANGE, -1, NULL,
                           "months is %d; warranty terms run 1 to %d months", t->months,
                           ST_WARRANTY_MAX_MONTHS);
        if (t->until[0])
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "give months (from sale or manufacture) or until, not both");
        break;
    case ST_WARRANTY_FIXED:
        if (parse_day(t->until, &day))
            return st_fail(err, ST_ERR_DATE, -1, NULL,
                           "until \"%.20s\" is not a day YYYY-MM-DD of the calendar (from 1970)",
                           t->until);
        if (t->months)
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "give months (from sale or manufacture) or until, not both");
        break;
    default:
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "warranty terms run from sale or manufacture, or until a fixed day");
    }
    if (t->return_days < 0 || t->return_days > ST_RETURN_MAX_DAYS)
        return st_fail(err, ST_ERR_RANGE, -1, NULL, "return_days is %d; it must be 0 to %d",
                       t->return_days, ST_RETURN_MAX_DAYS);
    st_val null = {ST_VAL_NULL, 0, NULL, 0};
    st_val a[7] = {st_val_text(gtin),
                   st_val_text(base_names[t->base]),
                   t->base == ST_WARRANTY_FIXED ? null : st_val_int(t->months),
                   t->base == ST_WARRANTY_FIXED ? st_val_text(t->until) : null,
                   t->return_days ? st_val_int(t->return_days) : null,
                   st_val_int(st_facts_now_ms()),
                   st_val_text(by ? by : "")};
    return st_store_admin_exec(
        s,
        "INSERT INTO warranty_terms(gtin, base, months, until_date, return_days, updated, "
        "updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (gtin) DO UPDATE SET "
        "base = excluded.base, months = excluded.months, until_date = excluded.until_date, "
        "return_days = excluded.return_days, updated = excluded.updated, "
        "updated_by = excluded.updated_by",
        a, 7, NULL, NULL, NULL, err);
}

struct terms_row {
    int found;
    st_warranty_terms *t;
};

static st_rc row_terms(void *ctx, const st_val *c, int n)
{
    struct terms_row *r = ctx;
    if (n < 4)
        return ST_ERR_INTERNAL;
    r->found = 1;
    r->t->base = st_warranty_base_parse(c[0].type == ST_VAL_TEXT ? c[0].p : "");
    r->t->months = c[1].type == ST_VAL_INT ? (int)c[1].i : 0;
    snprintf(r->t->until, sizeof r->t->until, "%.*s", c[2].type == ST_VAL_TEXT ? (int)c[2].n : 0,
             c[2].type == ST_VAL_TEXT ? (const char *)c[2].p : "");
    r->t->return_days = c[3].type == ST_VAL_INT ? (int)c[3].i : 0;
    return ST_OK;
}

st_rc st_warranty_terms_get(st_store *s, const char *gtin, st_warranty_terms *t, st_error *err)
{
    char g[15]; /* gtin may be t->gtin itself */
    st_rc rc = st_alloc_gtin14(gtin, g, err);
    memset(t, 0, sizeof *t);
    if (rc)
        return rc;
    memcpy(t->gtin, g, sizeof g);
    struct terms_row r = {0, t};
    st_val a = st_val_text(t->gtin);
    rc = st_store_exec(s,
                       "SELECT base, months, until_date, return_days FROM warranty_terms "
                       "WHERE gtin = $1",
                       &a, 1, row_terms, &r, err);
    if (!rc && !r.found)
        rc = st_fail(err, ST_ERR_NOT_FOUND, -1, "01", "GTIN %s has no warranty terms", t->gtin);
    return rc;
}

/* ---- one unit ------------------------------------------------------------------------------ */

static void refuse(st_warranty *w, const char *reason, const char *fmt, const char *arg)
{
    w->covered = 0;
    w->reason = reason;
    snprintf(w->detail, sizeof w->detail, fmt, arg);
}

st_rc st_warranty_get(st_store *s, const char *id, int64_t now_ms, st_warranty *w, st_error *err)
{
    memset(w, 0, sizeof *w);
    st_facts *f = malloc(sizeof *f);
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    st_rc rc = st_facts_load(s, id, f, err);
    if (rc)
        goto out;
    if (!now_ms)
        now_ms = st_facts_now_ms();
    memcpy(w->key, f->key, sizeof w->key);
    w->made_ms = f->made_ms;
    w->sold_ms = f->sold_ms;
    if (!f->known) {
        refuse(w, ST_WARRANTY_R_UNKNOWN, "%.200s has never been seen", f->key);
        goto out;
    }
    if (!f->genuine) {
        refuse(w, ST_WARRANTY_R_NOT_GENUINE,
               "no commissioning event names %.200s: it is not a genuine unit", f->key);
        goto out;
    }
    if (f->gtin[0]) {
        st_error e;
        rc = st_warranty_terms_get(s, f->gtin, &w->terms, &e);
        w->has_terms = rc == ST_OK;
        if (rc && rc != ST_ERR_NOT_FOUND) {
            if (err)
                *err = e;
            goto out;
        }
        rc = ST_OK;
    }
    if (!w->has_terms) {
        refuse(w, ST_WARRANTY_R_NO_TERMS, "GTIN %s has no warranty terms",
               f->gtin[0] ? f->gtin : "(none: the unit is not an SGTIN)");
        goto out;
    }
    switch (w->terms.base) {
    case ST_WARRANTY_FROM_SALE:
        if (!f->sold_ms) {
            refuse(w, ST_WARRANTY_R_UNSOLD,
                   "the warranty runs from the sale, and %.200s is not sold (or was returned)",
                   f->key);
            goto out;
        }
        w->starts_ms = f->sold_ms;
        w->ends_ms = add_months(f->sold_ms, w->terms.months);
        break;
    case ST_WARRANTY_FROM_MANUFACTURE:
        w->starts_ms = f->made_ms;
        w->ends_ms = add_months(f->made_ms, w->terms.months);
        break;
    default: {
        int64_t day = 0;
        parse_day(w->terms.until, &day);
        w->starts_ms = f->sold_ms ? f->sold_ms : f->made_ms;
        w->ends_ms = (day + 1) * DAY_MS;
        break;
    }
    }
    char when[32];
    if (now_ms < w->starts_ms) {
        st_cap_time_str(w->starts_ms, when);
        refuse(w, ST_WARRANTY_R_NOT_STARTED, "the warranty starts at %s", when);
    } else if (now_ms >= w->ends_ms) {
        st_cap_time_str(w->ends_ms, when);
        refuse(w, ST_WARRANTY_R_EXPIRED, "the warranty ended at %s", when);
    } else {
        w->covered = 1;
    }
out:
    free(f);
    return rc;
}

st_rc st_warranty_claim(st_store *s, const char *id, const char *description, const char *by,
                        int64_t now_ms, st_warranty *w, int64_t *claim_id, st_error *err)
{
    if (claim_id)
        *claim_id = 0;
    if (!description || !*description)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "a claim needs a description");
    size_t n = strlen(description);
    if (n > ST_WARRANTY_TEXT_MAX)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL,
                       "the description has %zu bytes; the limit is %d", n, ST_WARRANTY_TEXT_MAX);
    if (!now_ms)
        now_ms = st_facts_now_ms();
    st_rc rc = st_warranty_get(s, id, now_ms, w, err);
    if (rc)
        return rc;
    if (!w->covered)
        return st_fail(err, ST_ERR_REFUSED, -1, NULL, "claim refused (%s): %s", w->reason,
                       w->detail);
    st_val a[4] = {st_val_text(w->key), st_val_text(description), st_val_int(now_ms),
                   st_val_text(by ? by : "")};
    return st_store_admin_exec(s,
                               "INSERT INTO warranty_claim(item, description, claimed_at, "
                               "recorded_by) VALUES ($1, $2, $3, $4) RETURNING id",
                               a, 4, row_id, claim_id, NULL, err);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void time_member(st_jw *j, const char *k, int64_t ms)
{
    char b[32];
    st_jw_key(j, k);
    if (!ms) {
        st_jw_null(j);
        return;
    }
    st_cap_time_str(ms, b);
    st_jw_cstring(j, b);
}

void st_warranty_terms_json(const st_warranty_terms *t, st_jw *j)
{
    st_jw_object_begin(j);
    st_jw_member_str(j, "gtin", t->gtin);
    st_jw_member_str(j, "from", st_warranty_base_name(t->base));
    if (t->base == ST_WARRANTY_FIXED) {
        st_jw_member_str(j, "until", t->until);
    } else {
        st_jw_key(j, "months");
        st_jw_long(j, t->months);
    }
    st_jw_key(j, "return_days");
    st_jw_long(j, t->return_days ? t->return_days : ST_RETURN_DEFAULT_DAYS);
    st_jw_object_end(j);
}

static st_rc row_claim(void *ctx, const st_val *c, int n)
{
    st_jw *j = ctx;
    if (n < 4)
        return ST_ERR_INTERNAL;
    st_jw_object_begin(j);
    st_jw_key(j, "id");
    st_jw_long(j, (long)c[0].i);
    st_jw_key(j, "description");
    st_jw_string(j, c[1].p ? c[1].p : "", c[1].n);
    time_member(j, "claimed_at", c[2].i);
    st_jw_key(j, "by");
    st_jw_string(j, c[3].p ? c[3].p : "", c[3].n);
    st_jw_object_end(j);
    return ST_OK;
}

st_rc st_warranty_write_json(st_store *s, const st_warranty *w, st_jw *j, st_error *err)
{
    st_jw_object_begin(j);
    st_jw_member_str(j, "key", w->key);
    st_jw_key(j, "covered");
    st_jw_bool(j, w->covered);
    time_member(j, "starts", w->starts_ms);
    time_member(j, "ends", w->ends_ms);
    st_jw_key(j, "terms");
    if (w->has_terms)
        st_warranty_terms_json(&w->terms, j);
    else
        st_jw_null(j);
    time_member(j, "manufactured", w->made_ms);
    time_member(j, "sold", w->sold_ms);
    if (!w->covered) {
        st_jw_member_str(j, "reason_code", w->reason);
        st_jw_member_str(j, "detail", w->detail);
    }
    st_jw_key(j, "claims");
    st_jw_array_begin(j);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT id, description, claimed_at, recorded_by FROM warranty_claim WHERE item = $1"
             " ORDER BY id LIMIT %d",
             ST_WARRANTY_LIST_MAX);
    st_val a = st_val_text(w->key);
    st_rc rc = st_store_exec(s, sql, &a, 1, row_claim, j, err);
    st_jw_array_end(j);
    st_jw_object_end(j);
    if (!rc && j->failed)
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory writing the warranty");
    return rc;
}
