/*
 * Warranties, claims, sales, transfers and owners over HTTP (router.h):
 *   GET  /items/{id}/warranty    {covered, starts, ends, terms, claims, ...}
 *   POST /items/{id}/claims      record a claim: 201, or 422 with the reason code
 *   POST /items/{id}/sale        register a sale (captures its retail_selling event)
 *   POST /items/{id}/transfer    register a new owner
 *   GET  /items/{id}/owners      current owner and history; customers decrypted
 *                                for admin keys only, {"redacted": true} otherwise
 *   PUT  /warranty-terms/{gtin}  set a GTIN's terms (admin)
 *   GET  /warranty-terms/{gtin}
 * Bodies are JSON objects; an unknown member or a value of the wrong type is
 * a 400 problem naming the member; a refusal by a business rule is a 422
 * problem whose "code" is the stable reason code; nothing is stored then.
 */
#include <jansson.h>
#include <serialtrack/limits.h>
#include <serialtrack/ownership.h>
#include <serialtrack/warranty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/router.h"
#include "api/routes_body.h"

#define ROLES_READ (ST_ROLE_BIT_ADMIN | ST_ROLE_BIT_CAPTURE | ST_ROLE_BIT_QUERY)

/* The members each body may hold. */
static const st_body_member claim_members[] = {
    {"description", JSON_STRING},
    {NULL, 0},
};
static const st_body_member sale_members[] = {
    {"customer", JSON_OBJECT},
    {"reference", JSON_STRING},
    {"sold_at", JSON_STRING},
    {"location", JSON_STRING},
    {NULL, 0},
};
static const st_body_member transfer_members[] = {
    {"to", JSON_OBJECT},
    {"reference", JSON_STRING},
    {"transferred_at", JSON_STRING},
    {NULL, 0},
};
static const st_body_member person_members[] = {
    {"name", JSON_STRING},
    {"contact", JSON_STRING},
    {NULL, 0},
};
static const st_body_member terms_members[] = {
    {"from", JSON_STRING},
    {"months", JSON_INTEGER},
    {"until", JSON_STRING},
    {"return_days", JSON_INTEGER},
    {NULL, 0},
};

/* ---- GET /items/{id}/warranty, POST /items/{id}/claims ---------------------------------- */

static void warranty_get(st_http_req *rq, st_http_resp *rs)
{
    st_warranty *w = st_arena_alloc(rq->a, sizeof *w);
    st_error e;
    st_error_clear(&e);
    if (!w) {
        st_http_problem(rs, 503, NULL, "out of memory");
        return;
    }
    st_rc rc = st_warranty_get(rq->store, rq->param[0], 0, w, &e);
    if (rc) {
        st_body_failed(rs, rc, &e, "id");
        return;
    }
    if (w->reason && !strcmp(w->reason, ST_WARRANTY_R_UNKNOWN)) {
        st_http_problem_code(rs, 404, "id", w->reason, w->detail, NULL, 0);
        return;
    }
    st_jw j;
    st_jw_init(&j);
    if ((rc = st_warranty_write_json(rq->store, w, &j, &e)) != ST_OK)
        st_body_failed(rs, rc, &e, NULL);
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

static void claims_post(st_http_req *rq, st_http_resp *rs)
{
    json_t *o = st_body_object(rq, rs, claim_members);
    if (!o)
        return;
    st_warranty *w = st_arena_alloc(rq->a, sizeof *w);
    st_error e;
    st_error_clear(&e);
    int64_t id = 0;
    const char *desc = json_string_value(json_object_get(o, "description"));
    st_rc rc =
        w ? st_warranty_claim(rq->store, rq->param[0], desc, st_body_caller(rq), 0, w, &id, &e)
          : ST_ERR_NOMEM;
    st_jw j;
    st_jw_init(&j);
    if (rc == ST_ERR_REFUSED) {
        st_jw_object_begin(&j);
        st_jw_member_str(&j, "reason_code", w->reason);
        st_jw_object_end(&j);
        st_http_problem_code(rs, 422, "id", w->reason, e.msg, j.failed ? NULL : j.p, j.n);
    } else if (rc) {
        st_body_failed(rs, rc, &e, rc == ST_ERR_SYNTAX ? "id" : "description");
    } else {
        st_jw_object_begin(&j);
        st_jw_key(&j, "claim");
        st_jw_object_begin(&j);
        st_jw_key(&j, "id");
        st_jw_long(&j, (long)id);
        st_jw_member_str(&j, "description", desc);
        st_jw_object_end(&j);
        st_jw_key(&j, "warranty");
        rc = st_warranty_write_json(rq->store, w, &j, &e);
        st_jw_object_end(&j);
        if (rc)
            st_body_failed(rs, rc, &e, NULL);
        else
            st_http_send_json(rs, 201, &j);
    }
    st_jw_free(&j);
    json_decref(o);
}

/* ---- sales, transfers, owners ------------------------------------------------------------- */

/* The answer to a registered sale or transfer, or its problem. */
static void owner_answer(st_http_req *rq, st_http_resp *rs, st_rc rc, const st_owner_result *res,
                         const st_error *e, int sale)
{
    if (rc == ST_ERR_REFUSED) {
        char extra[96];
        snprintf(extra, sizeof extra, "{\"reason_code\":\"%s\"}", res->reason);
        st_http_problem_code(rs, 422, res->field, res->reason, e->msg, extra, strlen(extra));
        return;
    }
    if (rc == ST_ERR_UNSUPPORTED) { /* personal data, and no key to seal it */
        st_http_problem_code(rs, 503, sale ? "customer" : "to", "no_data_key", e->msg, NULL, 0);
        return;
    }
    if (rc) {
        st_body_failed(rs, rc, e, res->field);
        return;
    }
    char t[40];
    st_body_time(res->at_ms, t);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "id");
    st_jw_long(&j, (long)res->id);
    st_jw_member_str(&j, "item", rq->param[0]);
    st_jw_member_str(&j, "kind", sale ? "sale" : "transfer");
    st_jw_member_str(&j, "at", t);
    if (sale) {
        st_jw_key(&j, "event_captured");
        st_jw_bool(&j, res->captured);
        st_jw_key(&j, "eventID");
        if (res->event_id[0])
            st_jw_cstring(&j, res->event_id);
        else
            st_jw_null(&j);
    }
    st_jw_object_end(&j);
    st_http_send_json(rs, 201, &j);
    st_jw_free(&j);
}

/* The person object o (may be NULL) of the body into c: 0, or -1 with a 400 problem. */
static int person(st_http_resp *rs, json_t *o, const char *member, st_customer *c)
{
    memset(c, 0, sizeof *c);
    if (!o)
        return 0;
    if (st_body_members(rs, o, person_members, member))
        return -1;
    c->name = json_string_value(json_object_get(o, "name"));
    c->contact = json_string_value(json_object_get(o, "contact"));
    return 0;
}

/* POST /items/{id}/sale (sale 1) and /items/{id}/transfer (sale 0): the
 * same request but for the names of its person and time members. */
static void owner_post(st_http_req *rq, st_http_resp *rs, int sale)
{
    const char *who = sale ? "customer" : "to", *when = sale ? "sold_at" : "transferred_at";
    json_t *o = st_body_object(rq, rs, sale ? sale_members : transfer_members);
    if (!o)
        return;
    st_owner_req r = {0};
    if (person(rs, json_object_get(o, who), who, &r.customer))
        goto out;
    r.id = rq->param[0];
    r.reference = json_string_value(json_object_get(o, "reference"));
    r.at = json_string_value(json_object_get(o, when));
    r.location = sale ? json_string_value(json_object_get(o, "location")) : NULL;
    r.by = st_body_caller(rq);
    r.key = rq->api->data_key;
    st_owner_result res;
    st_error e;
    st_error_clear(&e);
    st_rc rc =
        sale ? st_owner_sale(rq->store, &r, &res, &e) : st_owner_transfer(rq->store, &r, &res, &e);
    if (rc == ST_ERR_DATE && res.field && !strcmp(res.field, "at"))
        res.field = when;
    owner_answer(rq, rs, rc, &res, &e, sale);
out:
    json_decref(o);
}

static void sale_post(st_http_req *rq, st_http_resp *rs)
{
    owner_post(rq, rs, 1);
}

static void transfer_post(st_http_req *rq, st_http_resp *rs)
{
    owner_post(rq, rs, 0);
}

static void owners_get(st_http_req *rq, st_http_resp *rs)
{
    /* personal data only for admin keys (and a store without keys, where
     * every caller is admin) */
    const st_seal_key *k = rq->role == ST_ROLE_BIT_ADMIN ? rq->api->data_key : NULL;
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_owner_write_json(rq->store, rq->param[0], k, &j, &e);
    if (rc == ST_ERR_NOT_FOUND)
        st_http_problem_code(rs, 404, "id", ST_OWNER_R_UNKNOWN, e.msg, NULL, 0);
    else if (rc)
        st_body_failed(rs, rc, &e, "id");
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* ---- warranty terms ----------------------------------------------------------------------------
 */

static void terms_answer(st_http_resp *rs, unsigned status, const st_warranty_terms *t)
{
    st_jw j;
    st_jw_init(&j);
    st_warranty_terms_json(t, &j);
    st_http_send_json(rs, status, &j);
    st_jw_free(&j);
}

static void terms_put(st_http_req *rq, st_http_resp *rs)
{
    json_t *o = st_body_object(rq, rs, terms_members);
    if (!o)
        return;
    st_warranty_terms t = {0};
    const char *from = json_string_value(json_object_get(o, "from"));
    const char *until = json_string_value(json_object_get(o, "until"));
    json_t *months = json_object_get(o, "months"), *days = json_object_get(o, "return_days");
    t.base = from ? st_warranty_base_parse(from) : until ? ST_WARRANTY_FIXED : 0;
    if (!t.base) {
        st_http_problem(rs, 400, "from",
                        from ? "from must be sale, manufacture or fixed, not \"%.40s\""
                             : "give from (sale or manufacture) with months, or until%.0s",
                        from ? from : "");
        goto out;
    }
    long long m = months ? json_integer_value(months) : 0;
    long long d = days ? json_integer_value(days) : 0;
    if (m < 0 || m > ST_WARRANTY_MAX_MONTHS || (months && m == 0)) {
        st_http_problem(rs, 400, "months", "months is %lld; it must be 1 to %d", m,
                        ST_WARRANTY_MAX_MONTHS);
        goto out;
    }
    if (d < 0 || d > ST_RETURN_MAX_DAYS) {
        st_http_problem(rs, 400, "return_days", "return_days is %lld; it must be 0 to %d", d,
                        ST_RETURN_MAX_DAYS);
        goto out;
    }
    if (until && strlen(until) >= sizeof t.until) {
        st_http_problem(rs, 400, "until", "until \"%.40s\" is not a day YYYY-MM-DD", until);
        goto out;
    }
    if (strlen(rq->param[0]) >= sizeof t.gtin) {
        st_http_problem(rs, 400, "gtin",
                        "GTIN \"%.40s\" has %zu characters; a GTIN has 8, 12, 13 "
                        "or 14 digits",
                        rq->param[0], strlen(rq->param[0]));
        goto out;
    }
    snprintf(t.gtin, sizeof t.gtin, "%s", rq->param[0]);
    t.months = (int)m;
    t.return_days = (int)d;
    snprintf(t.until, sizeof t.until, "%s", until ? until : "");
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_warranty_terms_set(rq->store, &t, st_body_caller(rq), &e);
    if (rc) {
        const char *field = e.ai[0]                        ? "gtin"
                            : rc == ST_ERR_DATE            ? "until"
                            : strstr(e.msg, "return_days") ? "return_days"
                            : rc == ST_ERR_RANGE           ? "months"
                                                           : "from";
        st_body_failed(rs, rc, &e, field);
        goto out;
    }
    st_warranty_terms got;
    if (st_warranty_terms_get(rq->store, t.gtin, &got, &e) == ST_OK)
        terms_answer(rs, 200, &got);
    else
        st_body_failed(rs, e.rc, &e, NULL);
out:
    json_decref(o);
}

static void terms_get(st_http_req *rq, st_http_resp *rs)
{
    st_warranty_terms t;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_warranty_terms_get(rq->store, rq->param[0], &t, &e);
    if (rc)
        st_body_failed(rs, rc, &e, "gtin");
    else
        terms_answer(rs, 200, &t);
}

const st_route st_routes_warranty[] = {
    {"GET", "/items/{id*}/warranty", warranty_get, ROLES_READ},
    {"POST", "/items/{id*}/claims", claims_post, ST_ROLES_WRITE},
    {"POST", "/items/{id*}/sale", sale_post, ST_ROLES_WRITE},
    {"POST", "/items/{id*}/transfer", transfer_post, ST_ROLES_WRITE},
    {"GET", "/items/{id*}/owners", owners_get, ROLES_READ},
    {"PUT", "/warranty-terms/{gtin}", terms_put, ST_ROLE_BIT_ADMIN},
    {"GET", "/warranty-terms/{gtin}", terms_get, ROLES_READ},
    {NULL, NULL, NULL, 0},
};
