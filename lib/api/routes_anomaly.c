/*
 * Lifecycle anomalies and the public authenticity check (router.h):
 *   GET  /anomalies?type=&since=&location=&limit=&after=   admin, query, partner
 *   GET  /verify/{id}          no key; rate-limited per client address
 *   POST /items/{id}/report    {"status": "stolen" | "lost"}; admin, capture
 * {id} is any form of an identifier, percent-encoded, or a Digital Link path
 * (/verify/01/{gtin}/21/{serial}), so a package's link can point at it.
 * A partner key sees the anomalies at its party's locations only.
 */
#include <jansson.h>
#include <serialtrack/limits.h>
#include <serialtrack/rules.h>
#include <serialtrack/trace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "api/iplimit.h"
#include "api/router.h"
#include "store/capture.h"
#include "store/rulecheck.h"
#include "store/scope.h"

#define KEY_MAX 2048
#define VERIFY_RATE_DEFAULT 20  /* requests per second per client address */
#define VERIFY_BURST_DEFAULT 40 /* bucket size */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

st_rc st_verify_limit_init(st_api *api, st_error *err)
{
    const char *v = getenv("SERIALTRACK_VERIFY_RATE_LIMIT");
    double rate = VERIFY_RATE_DEFAULT, burst = VERIFY_BURST_DEFAULT;
    if (v && (!strcmp(v, "off") || !strcmp(v, "0")))
        return ST_OK; /* no limiter */
    if (v && *v) {
        char *end;
        rate = strtod(v, &end);
        burst = 2 * rate;
        if (*end == '/')
            burst = strtod(end + 1, &end);
        if (*end || end == v || !(rate > 0) || rate > 1e9 || !(burst >= 1) || burst > 1e9) {
            err->rc = ST_ERR_ARG;
            snprintf(err->msg, sizeof err->msg,
                     "SERIALTRACK_VERIFY_RATE_LIMIT=\"%.60s\" is not RATE[/BURST] (requests per "
                     "second per client address, e.g. 20/40) or off",
                     v);
            return ST_ERR_ARG;
        }
    }
    api->verify_limit = st_iplimit_create(rate, burst);
    return api->verify_limit ? ST_OK : ST_ERR_NOMEM;
}

void st_verify_limit_free(st_api *api)
{
    st_iplimit_destroy(api->verify_limit);
    api->verify_limit = NULL;
}

/* The canonical key of text (any identifier form, or a Digital Link path
 * without its host) into key; 0, or -1 with the 400 problem written. */
static int key_of(st_http_resp *rs, const char *text, char *key)
{
    st_error e;
    st_error_clear(&e);
    if (st_trace_key(text, key, KEY_MAX, &e) == ST_OK)
        return 0;
    if (text[0] >= '0' && text[0] <= '9' && strchr(text, '/') && strlen(text) < KEY_MAX - 32) {
        char dl[KEY_MAX];
        snprintf(dl, sizeof dl, "https://id.gs1.org/%s", text);
        if (st_trace_key(dl, key, KEY_MAX, NULL) == ST_OK)
            return 0;
    }
    st_http_problem(rs, 400, "id", "%s", e.msg[0] ? e.msg : "not an identifier");
    return -1;
}

/* ---- GET /verify/{id} --------------------------------------------------------------- */

static void verify(st_http_req *rq, st_http_resp *rs)
{
    if (rq->api->verify_limit) {
        int wait = st_iplimit_take(rq->api->verify_limit, rq->client, mono_ms());
        if (wait) {
            char n[16];
            snprintf(n, sizeof n, "%d", wait);
            st_http_problem(rs, 429, NULL,
                            "too many verifications from this address; retry in %d s", wait);
            st_http_add_header(rs, "Retry-After", n);
            return;
        }
    }
    char key[KEY_MAX];
    if (key_of(rs, rq->param[0], key))
        return;
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_verify_write(rq->store, key, (int64_t)time(NULL) * 1000, &j, &e);
    if (rc)
        st_http_problem(rs, rc == ST_ERR_SYNTAX ? 400 : 503, NULL, "%s",
                        rc == ST_ERR_SYNTAX ? e.msg : "the check is not available now");
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* ---- GET /anomalies ------------------------------------------------------------------- */

/* Query parameter name as a whole number lo..hi into *out (absent: kept);
 * 0, or -1 with the problem written. */
static int number(const st_http_req *rq, st_http_resp *rs, const char *name, long long lo,
                  long long hi, long long *out)
{
    const char *v = st_http_query(rq, name);
    if (!v)
        return 0;
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        st_http_problem(rs, 400, name, "%s: \"%.60s\" is not a whole number from %lld to %lld",
                        name, v, lo, hi);
        return -1;
    }
    *out = n;
    return 0;
}

struct page {
    st_jw *j;
    int n, limit;          /* written, asked for */
    int64_t last;          /* id of the last one written */
    int more;              /* one more than the limit exists */
    const st_scope *scope; /* a partner's: only anomalies at its locations; or NULL */
    int64_t seen;          /* id of the last one read (written or not) */
    int rows;              /* read by this batch */
};

static st_rc page_row(void *ctx, const st_anomaly *a)
{
    struct page *p = ctx;
    p->rows++;
    if (p->more)
        return ST_OK;
    p->seen = a->id;
    if (p->scope && !st_scope_key_ok(p->scope, a->location))
        return ST_OK;
    if (p->n == p->limit) {
        p->more = 1;
        return ST_OK;
    }
    st_anomaly_json(a, p->j);
    p->n++;
    p->last = a->id;
    return ST_OK;
}

static void anomalies(st_http_req *rq, st_http_resp *rs)
{
    st_anomaly_filter f = {0};
    f.type = st_http_query(rq, "type");
    if (f.type) {
        size_t n = 0;
        const char *const *names = st_rules_names(&n);
        int known = 0;
        for (size_t i = 0; i < n; i++)
            known |= !strcmp(names[i], f.type);
        if (!known) {
            st_http_problem(rs, 400, "type",
                            "type: \"%.60s\" is no rule; the rules are %s, %s, %s, "
                            "%s, %s, %s, %s",
                            f.type, names[0], names[1], names[2], names[3], names[4], names[5],
                            names[6]);
            return;
        }
    }
    const char *since = st_http_query(rq, "since");
    if (since) {
        char t[64];
        snprintf(t, sizeof t, "%s%s", since, strlen(since) == 10 ? "T00:00:00Z" : "");
        if (st_cap_time_ms(t, &f.since_ms) != ST_OK) {
            st_http_problem(rs, 400, "since", "since: \"%.60s\" is not an ISO 8601 date-time",
                            since);
            return;
        }
    }
    char loc[KEY_MAX];
    const char *l = st_http_query(rq, "location");
    if (l) {
        st_error e;
        st_error_clear(&e);
        if (st_trace_key(l, loc, sizeof loc, &e) != ST_OK) {
            st_http_problem(rs, 400, "location", "location: %s", e.msg);
            return;
        }
        f.location = loc;
    }
    long long limit = ST_API_ANOMALY_PAGE, after = 0;
    if (number(rq, rs, "limit", 1, ST_API_ANOMALY_MAX_PAGE, &limit) ||
        number(rq, rs, "after", 0, INT64_MAX, &after))
        return;
    f.after = after;
    f.limit = (int)limit + 1;
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "anomalies");
    st_jw_array_begin(&j);
    struct page p = {&j, 0, (int)limit, 0, 0, rq->scope, 0, 0};
    st_error e;
    st_error_clear(&e);
    st_rc rc;
    if (!rq->scope) {
        rc = st_anomalies_list(rq->store, &f, page_row, &p, &e);
    } else { /* the partner's among all: read in batches until the page is full */
        f.limit = ST_API_ANOMALY_MAX_PAGE;
        do {
            p.rows = 0;
            rc = st_anomalies_list(rq->store, &f, page_row, &p, &e);
            f.after = p.seen;
        } while (!rc && !p.more && p.rows == f.limit);
    }
    st_jw_array_end(&j);
    if (p.more) {
        st_jw_key(&j, "after");
        st_jw_long(&j, (long)p.last);
    }
    st_jw_object_end(&j);
    if (rc)
        st_http_problem(rs, st_http_status_of(rc), NULL, "%s", e.msg[0] ? e.msg : st_strerror(rc));
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* ---- POST /items/{id}/report ------------------------------------------------------------ */

static void report(st_http_req *rq, st_http_resp *rs)
{
    char key[KEY_MAX];
    if (key_of(rs, rq->param[0], key))
        return;
    if (!st_rulecheck_is_serial(key)) {
        st_http_problem(rs, 400, "id", "%s is not a serialized unit; only units are reported", key);
        return;
    }
    json_error_t je;
    json_t *root = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, &je);
    const char *status = json_string_value(json_object_get(root, "status"));
    /* CBV 2.0 has no "lost": a lost unit's disposition is unknown */
    const char *disp = !status                     ? NULL
                       : !strcmp(status, "stolen") ? "stolen"
                       : !strcmp(status, "lost")   ? "unknown"
                                                   : NULL;
    if (!disp) {
        st_http_problem(rs, 400, "status", "the body must be {\"status\": \"stolen\" or \"lost\"}");
        json_decref(root);
        return;
    }
    st_jw probe;
    st_jw_init(&probe);
    st_trace_opts to = {.parts = ST_TRACE_STATE};
    st_rc rc = st_trace_write(rq->store, key, &to, &probe, NULL);
    st_jw_free(&probe);
    if (rc == ST_ERR_NOT_FOUND) {
        st_http_problem(rs, 404, "id", "the store has never seen %s", key);
        json_decref(root);
        return;
    }
    char now[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    st_cap_time_str((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, now);
    st_jw d;
    st_jw_init(&d);
    st_jw_object_begin(&d);
    st_jw_key(&d, "@context");
    st_jw_array_begin(&d);
    st_jw_cstring(&d, "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
    st_jw_array_end(&d);
    st_jw_member_str(&d, "type", "EPCISDocument");
    st_jw_member_str(&d, "schemaVersion", "2.0");
    st_jw_member_str(&d, "creationDate", now);
    st_jw_key(&d, "epcisBody");
    st_jw_object_begin(&d);
    st_jw_key(&d, "eventList");
    st_jw_array_begin(&d);
    st_jw_object_begin(&d);
    st_jw_member_str(&d, "type", "ObjectEvent");
    st_jw_member_str(&d, "eventTime", now);
    st_jw_member_str(&d, "eventTimeZoneOffset", "+00:00");
    st_jw_key(&d, "epcList");
    st_jw_array_begin(&d);
    st_jw_cstring(&d, key);
    st_jw_array_end(&d);
    st_jw_member_str(&d, "action", "OBSERVE");
    st_jw_member_str(&d, "disposition", disp);
    st_jw_object_end(&d);
    st_jw_array_end(&d);
    st_jw_object_end(&d);
    st_jw_object_end(&d);
    st_capture_result res = {0};
    st_epcis_report *rep = NULL;
    rc = d.failed ? ST_ERR_NOMEM : st_store_capture_mem(rq->store, d.p, d.n, "report", &res, &rep);
    if (rc) {
        char why[256] = "";
        for (size_t i = 0; rep && i < st_epcis_report_errors_listed(rep); i++) {
            long ev;
            const char *path, *msg;
            st_epcis_report_error(rep, i, &ev, &path, &msg);
            snprintf(why, sizeof why, "%s", msg);
        }
        st_http_problem(rs, rc == ST_ERR_RULE ? 409 : st_http_status_of(rc), NULL,
                        "the report was not stored: %s", why[0] ? why : st_strerror(rc));
    } else {
        st_jw j;
        st_jw_init(&j);
        st_jw_object_begin(&j);
        st_jw_member_str(&j, "key", key);
        st_jw_member_str(&j, "reported", status);
        st_jw_member_str(&j, "disposition", disp);
        st_jw_member_str(&j, "eventTime", now);
        st_jw_object_end(&j);
        st_http_send_json(rs, 201, &j);
        st_jw_free(&j);
    }
    st_epcis_report_destroy(rep);
    st_jw_free(&d);
    json_decref(root);
}

const st_route st_routes_anomaly[] = {
    {"GET", "/anomalies", anomalies, ST_ROLES_READ},
    {"GET", "/verify/{id*}", verify, 0},
    {"POST", "/items/{id*}/report", report, ST_ROLES_WRITE},
    {NULL, NULL, NULL, 0},
};
