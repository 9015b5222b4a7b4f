/*
 * Sales, transfers and owners (include/serialtrack/ownership.h) over table
 * ownership (schema v7). A customer's name and contact are sealed with
 * the data key, bound (as associated data) to the field and the unit, so a
 * sealed value copied to another unit or field does not open. A sale that
 * captures its event commits its record in the same transaction.
 */
#include <serialtrack/ownership.h>

#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"
#include "trace/facts.h"
#include "trace/observe.h"

#define SEALED_MAX (ST_PII_MAX_BYTES + ST_SEAL_OVERHEAD)
#define AAD_MAX (ST_FACTS_KEY_MAX + 64)
#define NO_KEY                                                                                     \
    "personal data cannot be stored: no data key is configured (serve --data-key-file PATH, "      \
    "SERIALTRACK_DATA_KEY_FILE, or data_key_file in the configuration file; the file holds "       \
    "32 random bytes as 64 hex digits, e.g. from `openssl rand -hex 32`)"

/* The associated data of field ("name", "contact") of unit key. */
static void aad_of(const char *field, const char *key, char out[AAD_MAX])
{
    snprintf(out, AAD_MAX, "serialtrack/ownership/%s|%s", field, key);
}

static st_rc check_text(const char *what, const char *v, size_t max, int required,
                        st_owner_result *res, st_error *err)
{
    res->field = what;
    if (!v || !*v)
        return required ? st_fail(err, ST_ERR_ARG, -1, NULL, "%s is required", what) : ST_OK;
    size_t n = strlen(v);
    if (n > max)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "%s has %zu bytes; the limit is %zu", what, n,
                       max);
    return ST_OK;
}

/* Check the request; *at_ms receives r->at (0 when not given). */
static st_rc check_req(const st_owner_req *r, int transfer, int64_t *at_ms, char *loc, size_t cap,
                       st_owner_result *res, st_error *err)
{
    st_rc rc;
    if ((rc = check_text("id", r->id, ST_FACTS_KEY_MAX, 1, res, err)) ||
        (rc = check_text("reference", r->reference, ST_WARRANTY_REF_MAX, 0, res, err)))
        return rc;
    if ((rc = check_text(transfer ? "to.name" : "customer.name", r->customer.name, ST_PII_MAX_BYTES,
                         transfer || r->customer.contact, res, err)) ||
        (rc = check_text(transfer ? "to.contact" : "customer.contact", r->customer.contact,
                         ST_PII_MAX_BYTES, 0, res, err)))
        return rc;
    res->field = transfer ? "to" : "customer";
    if (r->customer.name && !r->key)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL, NO_KEY);
    res->field = "at";
    *at_ms = 0;
    if (r->at && st_cap_time_ms(r->at, at_ms) != ST_OK)
        return st_fail(err, ST_ERR_DATE, -1, NULL,
                       "\"%.60s\" is not an RFC 3339 time such as 2026-01-31T08:00:00Z", r->at);
    res->field = "location";
    loc[0] = 0;
    if (r->location && (rc = st_observe_location(r->location, loc, cap, err)) != ST_OK)
        return rc;
    res->field = NULL;
    return ST_OK;
}

/* Seal v (may be NULL: *n = 0) for field of key into out. */
static st_rc seal(const st_owner_req *r, const char *field, const char *key, const char *v,
                  unsigned char out[SEALED_MAX], size_t *n, st_error *err)
{
    *n = 0;
    if (!v || !*v)
        return ST_OK;
    char aad[AAD_MAX];
    aad_of(field, key, aad);
    return st_seal(r->key, v, strlen(v), aad, out, SEALED_MAX, n, err);
}

static st_rc row_id(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

#define INSERT_SQL                                                                                 \
    "INSERT INTO ownership(item, kind, at_ms, reference, location, name_sealed, contact_sealed, "  \
    "recorded_by, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"

/* Insert the record (customer sealed); res->id receives its id. With ev
 * (the sale's event), the record is committed with the event, in one
 * transaction (st_observe_capture), so neither is ever stored alone. */
static st_rc insert(st_store *s, const st_owner_req *r, const char *kind, const char *key,
                    int64_t at, const char *loc, st_observe *ev, st_owner_result *res,
                    st_error *err)
{
    unsigned char name[SEALED_MAX], contact[SEALED_MAX];
    size_t nn = 0, cn = 0;
    st_rc rc = seal(r, "name", key, r->customer.name, name, &nn, err);
    if (!rc)
        rc = seal(r, "contact", key, r->customer.contact, contact, &cn, err);
    if (rc)
        return rc;
    st_val null = {ST_VAL_NULL, 0, NULL, 0};
    st_val a[9] = {st_val_text(key),
                   st_val_text(kind),
                   st_val_int(at),
                   r->reference && *r->reference ? st_val_text(r->reference) : null,
                   loc && *loc ? st_val_text(loc) : null,
                   nn ? st_val_blob(name, nn) : null,
                   cn ? st_val_blob(contact, cn) : null,
                   st_val_text(r->by ? r->by : ""),
                   st_val_int(st_facts_now_ms())};
    if (!ev)
        return st_store_admin_exec(s, INSERT_SQL, a, 9, row_id, &res->id, NULL, err);
    st_cap_side side = {INSERT_SQL, a, 9, row_id, &res->id};
    rc = st_observe_capture(s, key, ev, 1, &side, 1, err);
    if (rc)
        res->id = 0;
    return rc;
}

/* The refusals common to sales and transfers. */
static st_rc refuse_unit(const st_facts *f, st_owner_result *res, st_error *err)
{
    res->field = "id";
    if (!f->known)
        res->reason = ST_OWNER_R_UNKNOWN;
    else if (!f->genuine)
        res->reason = ST_OWNER_R_NOT_GENUINE;
    else if (f->stolen)
        res->reason = ST_OWNER_R_STOLEN;
    else
        return ST_OK;
    return st_fail(err, ST_ERR_REFUSED, -1, NULL, "%s: %.200s", res->reason, f->key);
}

static st_rc run(st_store *s, const st_owner_req *r, int transfer, st_owner_result *res,
                 st_error *err)
{
    memset(res, 0, sizeof *res);
    if (!s || !r)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no request");
    int64_t at = 0;
    char loc[600];
    st_rc rc = check_req(r, transfer, &at, loc, sizeof loc, res, err);
    if (rc)
        return rc;
    st_facts *f = malloc(sizeof *f);
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    if ((rc = st_facts_load(s, r->id, f, err)) != ST_OK) {
        res->field = "id";
        goto out;
    }
    if ((rc = refuse_unit(f, res, err)) != ST_OK)
        goto out;
    if (!at)
        at = st_facts_now_ms();
    if (transfer) {
        if (!f->sold_ms) {
            res->reason = ST_OWNER_R_UNSOLD;
            rc = st_fail(err, ST_ERR_REFUSED, -1, NULL, "%s: %.200s is not sold; sell it first",
                         res->reason, f->key);
            goto out;
        }
    } else if (f->sold_ms && f->reg_sale_ms >= f->sale_event_ms) {
        res->reason = ST_OWNER_R_ALREADY_SOLD;
        rc = st_fail(err, ST_ERR_REFUSED, -1, NULL,
                     "%s: the sale of %.200s is registered already; a new owner is a transfer",
                     res->reason, f->key);
        goto out;
    } else if (f->sold_ms) {
        at = f->sale_event_ms; /* adopt the sale event already stored */
    } else {
        /* the record and its event in one commit: a sale is registered
         * with its event or not at all, whatever happens in between */
        st_observe ev = {at, "retail_selling", "retail_sold", loc[0] ? loc : NULL, ""};
        res->at_ms = at;
        if ((rc = st_observe_ids(&ev, 1, err)) != ST_OK)
            goto out;
        if ((rc = insert(s, r, "sale", f->key, at, loc, &ev, res, err)) != ST_OK) {
            /* what the validator can refuse */
            res->field = rc == ST_ERR_SYNTAX && loc[0] ? "location" : NULL;
            goto out;
        }
        res->captured = 1;
        memcpy(res->event_id, ev.id, sizeof res->event_id);
        goto out;
    }
    res->at_ms = at;
    rc = insert(s, r, transfer ? "transfer" : "sale", f->key, at, loc, NULL, res, err);
out:
    free(f);
    return rc;
}

st_rc st_owner_sale(st_store *s, const st_owner_req *r, st_owner_result *res, st_error *err)
{
    return run(s, r, 0, res, err);
}

st_rc st_owner_transfer(st_store *s, const st_owner_req *r, st_owner_result *res, st_error *err)
{
    return run(s, r, 1, res, err);
}

/* ---- owners -------------------------------------------------------------------------------- */

struct entry {
    int64_t at, id;
    char kind[12];                     /* sale, transfer, return */
    int anonymous;                     /* a sale seen only as an event */
    char ref[ST_WARRANTY_REF_MAX + 1]; /* or "" */
    char *location;                    /* malloc'd, or NULL */
    unsigned char name[SEALED_MAX];    /* sealed */
    size_t name_n;
    unsigned char contact[SEALED_MAX];
    size_t contact_n;
};

struct entries {
    struct entry *e;
    size_t n, cap;
};

static struct entry *push(struct entries *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct entry *e = realloc(l->e, cap * sizeof *e);
        if (!e)
            return NULL;
        l->e = e;
        l->cap = cap;
    }
    struct entry *e = &l->e[l->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static void copy_text(char *out, size_t cap, const st_val *v)
{
    snprintf(out, cap, "%.*s", v->type == ST_VAL_TEXT ? (int)v->n : 0,
             v->type == ST_VAL_TEXT ? (const char *)v->p : "");
}

static void copy_blob(unsigned char *out, size_t *n, const st_val *v)
{
    *n = v->type == ST_VAL_BLOB && v->n <= SEALED_MAX ? v->n : 0;
    if (*n)
        memcpy(out, v->p, *n);
}

static st_rc row_owner(void *ctx, const st_val *c, int n)
{
    struct entries *l = ctx;
    if (n < 7)
        return ST_ERR_INTERNAL;
    struct entry *e = push(l);
    if (!e)
        return ST_ERR_NOMEM;
    e->id = c[0].i;
    copy_text(e->kind, sizeof e->kind, &c[1]);
    e->at = c[2].i;
    copy_text(e->ref, sizeof e->ref, &c[3]);
    if (c[4].type == ST_VAL_TEXT && !(e->location = strndup(c[4].p, c[4].n)))
        return ST_ERR_NOMEM;
    copy_blob(e->name, &e->name_n, &c[5]);
    copy_blob(e->contact, &e->contact_n, &c[6]);
    return ST_OK;
}

static int by_time(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* One customer value: decrypted, or why not. */
static void pii_member(st_jw *j, const char *k, const char *field, const char *key,
                       const st_seal_key *sk, const unsigned char *v, size_t n, int *failed,
                       char *why, size_t whycap)
{
    st_jw_key(j, k);
    if (!n) {
        st_jw_null(j);
        return;
    }
    char aad[AAD_MAX], out[ST_PII_MAX_BYTES + 1];
    aad_of(field, key, aad);
    st_error e;
    st_error_clear(&e);
    if (st_unseal(sk, v, n, aad, out, sizeof out, NULL, &e) == ST_OK) {
        st_jw_cstring(j, out);
    } else {
        st_jw_null(j);
        *failed = 1;
        snprintf(why, whycap, "%s", e.msg);
    }
}

static void customer_json(st_jw *j, const struct entry *e, const char *key, const st_seal_key *sk)
{
    st_jw_key(j, "customer");
    if (e->anonymous || !strcmp(e->kind, "return") || (!e->name_n && !e->contact_n)) {
        st_jw_null(j);
        return;
    }
    st_jw_object_begin(j);
    if (!sk) {
        st_jw_key(j, "redacted");
        st_jw_bool(j, 1);
    } else {
        int failed = 0;
        char why[256] = "";
        pii_member(j, "name", "name", key, sk, e->name, e->name_n, &failed, why, sizeof why);
        pii_member(j, "contact", "contact", key, sk, e->contact, e->contact_n, &failed, why,
                   sizeof why);
        if (failed) {
            st_jw_key(j, "redacted");
            st_jw_bool(j, 1);
            st_jw_member_str(j, "error", why);
        }
    }
    st_jw_object_end(j);
}

static void entry_json(st_jw *j, const struct entry *e, const char *key, const st_seal_key *sk)
{
    char t[32];
    st_cap_time_str(e->at, t);
    st_jw_object_begin(j);
    st_jw_member_str(j, "kind", e->kind);
    st_jw_member_str(j, "at", t);
    if (e->anonymous) {
        st_jw_key(j, "anonymous");
        st_jw_bool(j, 1);
    }
    st_jw_key(j, "reference");
    if (e->ref[0])
        st_jw_cstring(j, e->ref);
    else
        st_jw_null(j);
    st_jw_key(j, "location");
    if (e->location)
        st_jw_cstring(j, e->location);
    else
        st_jw_null(j);
    customer_json(j, e, key, sk);
    st_jw_object_end(j);
}

static st_rc load_entries(st_store *s, const st_facts *f, struct entries *l, st_error *err)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT id, kind, at_ms, reference, location, name_sealed, contact_sealed FROM "
             "ownership WHERE item = $1 ORDER BY id LIMIT %d",
             ST_WARRANTY_LIST_MAX);
    st_val a = st_val_text(f->key);
    st_rc rc = st_store_exec(s, sql, &a, 1, row_owner, l, err);
    if (rc)
        return rc;
    snprintf(sql, sizeof sql,
             "SELECT id, 'return', decided_at, order_ref, NULL, NULL, NULL FROM item_return "
             "WHERE item = $1 AND accepted = 1 ORDER BY id LIMIT %d",
             ST_WARRANTY_LIST_MAX);
    if ((rc = st_store_exec(s, sql, &a, 1, row_owner, l, err)) != ST_OK)
        return rc;
    /* a sale seen only as an event (none registered at or after it) */
    if (f->sale_event_ms && f->sale_event_ms > f->reg_sale_ms) {
        struct entry *e = push(l);
        if (!e)
            return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
        e->at = f->sale_event_ms;
        e->id = INT64_MAX;
        strcpy(e->kind, "sale");
        e->anonymous = 1;
    }
    if (l->n > 1)
        qsort(l->e, l->n, sizeof *l->e, by_time);
    return ST_OK;
}

st_rc st_owner_write_json(st_store *s, const char *id, const st_seal_key *key, st_jw *j,
                          st_error *err)
{
    st_facts *f = malloc(sizeof *f);
    struct entries l = {0};
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    st_rc rc = st_facts_load(s, id, f, err);
    if (rc)
        goto out;
    if (!f->known) {
        rc = st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "%.200s has never been seen", f->key);
        goto out;
    }
    if ((rc = load_entries(s, f, &l, err)) != ST_OK)
        goto out;
    st_jw_object_begin(j);
    st_jw_member_str(j, "key", f->key);
    st_jw_key(j, "current");
    if (l.n && strcmp(l.e[l.n - 1].kind, "return") && f->sold_ms)
        entry_json(j, &l.e[l.n - 1], f->key, key);
    else
        st_jw_null(j);
    st_jw_key(j, "history");
    st_jw_array_begin(j);
    for (size_t i = 0; i < l.n; i++)
        entry_json(j, &l.e[i], f->key, key);
    st_jw_array_end(j);
    st_jw_object_end(j);
    if (j->failed)
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory writing the owners");
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.e[i].location);
    free(l.e);
    free(f);
    return rc;
}
