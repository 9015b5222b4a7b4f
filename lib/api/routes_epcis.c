/*
 * The EPCIS 2.0 REST binding (router.h): capture (POST /capture, async jobs
 * or ?sync=true; POST /events), queries (GET /events with the simple query
 * parameters, GET /events/{eventID}), the top-level resources (eventTypes,
 * epcs, bizSteps, bizLocations, readPoints, dispositions), named queries and
 * OPTIONS discovery. Capture is all or nothing: GS1-Capture-Error-Behaviour
 * rollback is what the store does; proceed is refused with 501.
 */
#include <jansson.h>
#include <serialtrack/limits.h>
#include <serialtrack/serialtrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api_int.h"
#include "api/capture_jobs.h"
#include "api/named_queries.h"
#include "api/rest.h"
#include "epcis/epcis_int.h"
#include "store/scope.h"
#include "store/store_int.h"

/* ---- capture ------------------------------------------------------------------------ */

/* The checks every capture makes before it reads the document: 1, or 0
 * with the problem in rs. */
static int capture_precheck(st_http_req *rq, st_http_resp *rs)
{
    const char *ct = st_http_header(rq, "Content-Type");
    int json =
        st_rest_media_is(ct, "application/ld+json") || st_rest_media_is(ct, "application/json");
    int xml = st_rest_media_is(ct, "application/xml") || st_rest_media_is(ct, "text/xml");
    if (!json && !xml) {
        st_http_problem(rs, 415, "Content-Type",
                        "Content-Type %s is not accepted; send application/ld+json, "
                        "application/json, application/xml or text/xml",
                        ct ? ct : "(none)");
        return 0;
    }
    const char *p = rq->body;
    size_t n = rq->body_len;
    while (p && n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    if (!p || !n) {
        st_http_problem(rs, 400, "body", "the request body is empty; send an EPCIS document");
        return 0;
    }
    if ((json && *p != '{') || (xml && *p != '<')) {
        st_http_problem(rs, 400, "Content-Type", "Content-Type says %s but the body is not %s",
                        json ? "JSON" : "XML", json ? "a JSON object" : "XML");
        return 0;
    }
    const char *beh = st_http_header(rq, "GS1-Capture-Error-Behaviour");
    if (beh && strcasecmp(beh, "rollback")) {
        if (!strcasecmp(beh, "proceed"))
            st_http_problem(rs, 501, "GS1-Capture-Error-Behaviour",
                            "only rollback is implemented: a document with any invalid event "
                            "stores nothing");
        else
            st_http_problem(rs, 400, "GS1-Capture-Error-Behaviour",
                            "GS1-Capture-Error-Behaviour must be rollback or proceed, not %s", beh);
        return 0;
    }
    return 1;
}

/* A capture that failed (rc not OK) with report rep, as a problem. */
static void capture_failed(st_http_resp *rs, st_rc rc, const st_epcis_report *rep)
{
    st_jw j;
    st_jw_init(&j);
    unsigned status = st_rest_capture_problem(&j, rc, rep);
    st_http_send_json(rs, status, &j);
    if (rs->status == status)
        rs->content_type = "application/problem+json";
    st_jw_free(&j);
}

/* 1 when the request asks for a synchronous capture (?sync=true, or a
 * Prefer header with "wait"); -1 with a problem for a bad sync value. */
static int wants_sync(st_http_req *rq, st_http_resp *rs)
{
    const char *s = st_http_query(rq, "sync");
    if (s) {
        if (!strcmp(s, "true") || !strcmp(s, "1"))
            return 1;
        if (!strcmp(s, "false") || !strcmp(s, "0"))
            return 0;
        st_http_problem(rs, 400, "sync", "sync must be true or false, not %s", s);
        return -1;
    }
    const char *prefer = st_http_header(rq, "Prefer");
    return prefer && strstr(prefer, "wait") && !strstr(prefer, "respond-async");
}

static void capture_post(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    if (!capture_precheck(rq, rs))
        return;
    int sync = wants_sync(rq, rs);
    if (sync < 0)
        return;
    if (sync) {
        if (rq->body_len > ST_API_SYNC_MAX_BODY) {
            st_http_problem(rs, 413, "sync",
                            "a synchronous capture takes at most %u bytes; this one has %zu: "
                            "capture it asynchronously (without sync)",
                            (unsigned)ST_API_SYNC_MAX_BODY, rq->body_len);
            return;
        }
        st_capture_result res = {0};
        st_epcis_report *rep = NULL;
        st_rc rc = st_store_capture_mem(rq->store, rq->body, rq->body_len, "capture", &res, &rep);
        if (rc != ST_OK) {
            capture_failed(rs, rc, rep);
        } else {
            st_jw j;
            st_jw_init(&j);
            st_jw_object_begin(&j);
            st_jw_key(&j, "success");
            st_jw_bool(&j, 1);
            st_jw_member_str(&j, "captureErrorBehaviour", "rollback");
            st_jw_key(&j, "events");
            st_jw_long(&j, (long)res.events);
            st_jw_key(&j, "stored");
            st_jw_long(&j, (long)res.stored);
            st_jw_key(&j, "duplicates");
            st_jw_long(&j, (long)res.duplicates);
            st_jw_object_end(&j);
            st_http_send_json(rs, 201, &j);
            st_jw_free(&j);
        }
        st_epcis_report_destroy(rep);
        return;
    }
    char id[ST_JOB_ID_MAX];
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_jobs_submit(rq->api, rq->body, rq->body_len, id, &e);
    if (rc != ST_OK) {
        st_http_add_header(rs, "Retry-After", "1");
        st_http_problem(rs, 503, NULL, "cannot accept the capture now: %s", e.msg);
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/capture/%s", id);
    st_http_add_header(rs, "Location", loc);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "captureID", id);
    st_jw_object_end(&j);
    st_http_send_json(rs, 202, &j);
    st_jw_free(&j);
}

static int list_params(st_http_req *rq, st_http_resp *rs, long *per, char *after, size_t cap);
static void link_next_key(st_http_req *rq, st_http_resp *rs, const char *key);

static void capture_list(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    long per = ST_API_LIST_DEFAULT_PAGE;
    char after[32] = "";
    if (!list_params(rq, rs, &per, after, sizeof after))
        return;
    char *end;
    unsigned long long before = strtoull(after, &end, 10);
    if (*end) {
        st_http_problem(rs, 400, "nextPageToken", "QueryParameterException: not a page token");
        return;
    }
    st_jw j;
    st_jw_init(&j);
    uint64_t next = st_jobs_list(rq->api, (uint64_t)before, per, &j);
    if (next) {
        char key[32];
        snprintf(key, sizeof key, "%llu", (unsigned long long)next);
        link_next_key(rq, rs, key);
    }
    st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

static void capture_get(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    st_jw j;
    st_jw_init(&j);
    if (st_jobs_describe(rq->api, rq->param[0], &j) != ST_OK)
        st_http_problem(rs, 404, "captureID", "no capture job %s (jobs are kept for %d s)",
                        rq->param[0], ST_API_JOB_TTL_SECONDS);
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* ---- POST /events: one event --------------------------------------------------------- */

struct one_event {
    size_t n;           /* events seen */
    char hash[90];      /* the first one's hash ID */
    char declared[512]; /* its declared eventID, or "" */
};

static st_rc one_visit(void *ctx, const st_epcis_event *ev)
{
    struct one_event *o = ctx;
    if (o->n++ == 0) {
        if (st_epcis_event_hash_id(ev, o->hash) != ST_OK)
            o->hash[0] = 0;
        const char *id =
            ev->ev && ev->ev->root ? st_evnode_child_value(ev->ev->root, "eventID") : NULL;
        snprintf(o->declared, sizeof o->declared, "%s", id ? id : "");
    }
    return ST_OK;
}

/* A bare JSON-LD event wrapped into an EPCISDocument (malloc'd), the body
 * itself (NULL in *out, 1 returned) when it is a document already, or 0
 * with a problem. */
static int wrap_event(st_http_resp *rs, const char *body, size_t len, char **out)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_loadb(body, len, 0, &je);
    if (!json_is_object(root)) {
        st_http_problem(rs, 400, "body", "the body is not a JSON object: %s (line %d)",
                        root ? "another JSON value" : je.text, root ? 1 : je.line);
        json_decref(root);
        return 0;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && (!strcmp(type, "EPCISDocument") || !strcmp(type, "EPCISQueryDocument"))) {
        json_decref(root);
        return 1;
    }
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *doc = json_pack("{s:[s],s:s,s:s,s:s,s:{s:[O]}}", "@context", ST_REST_CONTEXT, "type",
                            "EPCISDocument", "schemaVersion", "2.0", "creationDate", when,
                            "epcisBody", "eventList", root);
    *out = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    json_decref(root);
    if (!*out) {
        st_http_problem(rs, 503, NULL, "out of memory while reading the event");
        return 0;
    }
    return 1;
}

static void events_post(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    if (!capture_precheck(rq, rs))
        return;
    if (rq->body_len > ST_API_SYNC_MAX_BODY) {
        st_http_problem(rs, 413, "body", "POST /events takes at most %u bytes; use /capture",
                        (unsigned)ST_API_SYNC_MAX_BODY);
        return;
    }
    char *wrapped = NULL;
    const char *p = rq->body;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p == '{' && !wrap_event(rs, rq->body, rq->body_len, &wrapped))
        return;
    const char *doc = wrapped ? wrapped : rq->body;
    size_t len = wrapped ? strlen(wrapped) : rq->body_len;
    struct one_event o = {0};
    st_epcis_read_opts ro = {"event", 0};
    st_epcis_report *rep = NULL;
    st_rc rc = st_epcis_read_mem(doc, len, &ro, one_visit, &o, &rep);
    if (rc != ST_OK) {
        capture_failed(rs, rc == ST_ERR_LIMIT ? rc : ST_ERR_SYNTAX, rep);
        goto out;
    }
    if (o.n != 1) {
        st_http_problem(rs, 400, "eventList",
                        "POST /events takes exactly one event; the document holds %zu; use "
                        "/capture for more",
                        o.n);
        goto out;
    }
    st_epcis_report_destroy(rep);
    rep = NULL;
    st_capture_result res = {0};
    rc = st_store_capture_mem(rq->store, doc, len, "event", &res, &rep);
    if (rc != ST_OK) {
        capture_failed(rs, rc, rep);
        goto out;
    }
    char *loc = NULL;
    size_t loclen = 0;
    FILE *f = open_memstream(&loc, &loclen);
    if (f) {
        fputs("/events/", f);
        st_rest_urlencode(f, o.declared[0] ? o.declared : o.hash, 0);
        fclose(f);
        st_http_add_header(rs, "Location", loc);
        free(loc);
    }
    if (res.stored == 0) {
        st_http_problem(rs, 409, "eventID", "the event is stored already (%s)",
                        o.declared[0] ? o.declared : o.hash);
        goto out;
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "eventID", o.declared[0] ? o.declared : o.hash);
    st_jw_member_str(&j, "hashID", o.hash);
    st_jw_object_end(&j);
    st_http_send_json(rs, 201, &j);
    st_jw_free(&j);
out:
    st_epcis_report_destroy(rep);
    free(wrapped);
}

/* ---- queries ------------------------------------------------------------------------- */

/* Answer q with rq's query parameters added (extra: one more parameter, or
 * NULL). */
static void answer(st_http_req *rq, st_http_resp *rs, const char *extra_k, const char *extra_v,
                   int with_params, int single)
{
    st_query *q = NULL;
    if (st_query_create(&q) != ST_OK) {
        st_http_problem(rs, 503, NULL, "out of memory for the query");
        return;
    }
    st_query_set_scope(q, rq->scope);
    st_error e;
    st_error_clear(&e);
    if (extra_k) {
        st_rc rc = st_query_set(q, extra_k, extra_v, &e);
        if (rc != ST_OK) {
            st_http_problem(rs, 400, extra_k, "QueryParameterException: %s", e.msg);
            goto out;
        }
    }
    if (with_params && !st_rest_query_params(rq, rs, q))
        goto out;
    st_rest_query_answer(rq, rs, q, single);
out:
    st_query_destroy(q);
}

static void events_get(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    answer(rq, rs, NULL, NULL, 1, 0);
}

static void event_get(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    answer(rq, rs, "EQ_eventID", rq->param[0], 0, 1);
}

/* ---- top-level resources ----------------------------------------------------------- */

struct dim {
    const char *res;   /* the resource ("bizSteps") */
    const char *param; /* the query parameter of /{res}/{value}/events */
    const char *sql;   /* the distinct values: $1 after this key, $2 at most this many */
};

static const struct dim dims[] = {
    {"eventTypes", "eventType", NULL},
    {"epcs", "MATCH_anyEPC",
     "SELECT key FROM ident WHERE id IN (SELECT ident FROM event_epc) AND key > $1"
     " ORDER BY key LIMIT $2"},
    {"bizSteps", "EQ_bizStep",
     "SELECT key FROM ident WHERE id IN (SELECT biz_step FROM event WHERE biz_step IS NOT NULL)"
     " AND key > $1 ORDER BY key LIMIT $2"},
    {"bizLocations", "EQ_bizLocation",
     "SELECT key FROM ident WHERE id IN (SELECT biz_location FROM event"
     " WHERE biz_location IS NOT NULL) AND key > $1 ORDER BY key LIMIT $2"},
    {"readPoints", "EQ_readPoint",
     "SELECT key FROM ident WHERE id IN (SELECT read_point FROM event"
     " WHERE read_point IS NOT NULL) AND key > $1 ORDER BY key LIMIT $2"},
    {"dispositions", "EQ_disposition",
     "SELECT key FROM ident WHERE id IN (SELECT disposition FROM event"
     " WHERE disposition IS NOT NULL) AND key > $1 ORDER BY key LIMIT $2"},
};

static const struct dim *dim_of(const st_http_req *rq)
{
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++)
        if (rq->nseg > 0 && !strcmp(rq->seg[0], dims[i].res))
            return &dims[i];
    return NULL;
}

static void collection_begin(st_jw *j)
{
    st_jw_object_begin(j);
    st_jw_member_str(j, "@context", ST_REST_CONTEXT);
    st_jw_member_str(j, "type", "Collection");
    st_jw_key(j, "member");
    st_jw_array_begin(j);
}

static void collection_end(st_jw *j)
{
    st_jw_array_end(j);
    st_jw_object_end(j);
}

struct rows {
    st_jw *j;
    long n, limit;         /* rows seen; rows to write */
    char last[1024];       /* the last key written */
    int more;              /* a row beyond limit exists */
    int types;             /* the column is an event type number */
    const st_scope *scope; /* keep only locations within this partner's scope, or NULL */
};

static st_rc row_member(void *ctx, const st_val *c, int n)
{
    struct rows *r = ctx;
    if (n < 1)
        return ST_OK;
    if (r->scope && c[0].type == ST_VAL_TEXT && !st_scope_key_ok(r->scope, (const char *)c[0].p))
        return ST_OK; /* not the partner's: neither listed nor counted */
    if (r->n++ >= r->limit) {
        r->more = 1;
        return ST_OK;
    }
    if (r->types) {
        const char *name =
            c[0].type == ST_VAL_INT ? st_event_type_name((st_event_type)c[0].i) : NULL;
        if (name)
            st_jw_cstring(r->j, name);
        return ST_OK;
    }
    if (c[0].type == ST_VAL_TEXT) {
        st_jw_cstring(r->j, (const char *)c[0].p);
        snprintf(r->last, sizeof r->last, "%s", (const char *)c[0].p);
    }
    return ST_OK;
}

/* perPage and nextPageToken of a collection (the key after which to start,
 * hex-encoded); 0 with a problem for anything else or a bad value. */
static int list_params(st_http_req *rq, st_http_resp *rs, long *per, char *after, size_t cap);

struct lp {
    st_http_resp *rs;
    long *per;
    char *after;
    size_t cap;
    int bad;
};

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int lp_one(void *ctx, const char *k, const char *v)
{
    struct lp *l = ctx;
    if (!strcmp(k, "perPage")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || !*v || n < 1 || n > ST_QUERY_MAX_PAGE) {
            st_http_problem(l->rs, 400, k,
                            "QueryParameterException: perPage must be 1 to %d, not %s",
                            ST_QUERY_MAX_PAGE, v);
            return l->bad = 1;
        }
        *l->per = n;
        return 0;
    }
    if (!strcmp(k, "nextPageToken")) {
        size_t n = strlen(v);
        if (n % 2 || n / 2 >= l->cap)
            goto badtok;
        for (size_t i = 0; i < n; i += 2) {
            int a = hexval(v[i]), b = hexval(v[i + 1]);
            if (a < 0 || b < 0)
                goto badtok;
            l->after[i / 2] = (char)(a * 16 + b);
        }
        l->after[n / 2] = 0;
        return 0;
    badtok:
        st_http_problem(l->rs, 400, k,
                        "QueryParameterException: nextPageToken %s is not one this "
                        "server gave",
                        v);
        return l->bad = 1;
    }
    st_http_problem(l->rs, 400, k,
                    "QueryParameterException: %s is not a parameter of this resource (perPage, "
                    "nextPageToken)",
                    k);
    return l->bad = 1;
}

static int list_params(st_http_req *rq, st_http_resp *rs, long *per, char *after, size_t cap)
{
    struct lp l = {rs, per, after, cap, 0};
    st_http_query_each(rq, lp_one, &l);
    return !l.bad;
}

/* Link: rel="next" to the page after key (the token: key in hex, as
 * list_params reads it). */
static void link_next_key(st_http_req *rq, st_http_resp *rs, const char *key)
{
    char tok[2100];
    size_t n = 0;
    tok[0] = 0;
    for (const unsigned char *p = (const unsigned char *)key; *p && n + 3 < sizeof tok; p++)
        n += (size_t)snprintf(tok + n, sizeof tok - n, "%02x", *p);
    st_rest_link_next(rq, rs, tok);
}

static void dim_list(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    const struct dim *d = dim_of(rq);
    st_rest_fmt f;
    if (!d || !st_rest_accept(rq, rs, 1, &f))
        return;
    if (rq->scope && !strcmp(d->res, "epcs")) {
        st_http_problem(rs, 403, NULL,
                        "a partner key cannot list every identifier: ask for the events of one "
                        "(/epcs/{epc}/events) or query /events");
        return;
    }
    long per = ST_API_LIST_DEFAULT_PAGE;
    char after[1024] = "";
    if (!list_params(rq, rs, &per, after, sizeof after))
        return;
    st_jw j;
    st_jw_init(&j);
    collection_begin(&j);
    /* a partner sees the locations of its own party only; the values of
     * the other dimensions are vocabulary, not anybody's data */
    int located = !strcmp(d->res, "bizLocations") || !strcmp(d->res, "readPoints");
    struct rows r = {&j, 0, per, "", 0, d->sql == NULL, located ? rq->scope : NULL};
    st_error e;
    st_error_clear(&e);
    st_rc rc;
    if (d->sql) {
        /* filtered rows are read past: a partner's page reads up to the scope's cap */
        st_val args[2] = {st_val_text(after),
                          st_val_int(r.scope ? per + 1 + ST_SCOPE_MAX_LOCATIONS : per + 1)};
        rc = st_store_exec(rq->store, d->sql, args, 2, row_member, &r, &e);
    } else {
        r.limit = 1000;
        rc = st_store_exec(rq->store, "SELECT DISTINCT type FROM event ORDER BY type", NULL, 0,
                           row_member, &r, &e);
    }
    collection_end(&j);
    if (rc != ST_OK) {
        st_http_problem(rs, 503, NULL, "the store does not answer: %s", e.msg);
    } else {
        if (r.more)
            link_next_key(rq, rs, r.last);
        st_http_send_json(rs, 200, &j);
        rs->content_type = f.ctype;
    }
    st_jw_free(&j);
}

static void dim_item(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    const struct dim *d = dim_of(rq);
    if (!d)
        return;
    const char *v = rq->param[0];
    size_t n = strlen(v);
    if (n > 7 && !strcmp(v + n - 7, "/events")) {
        char *value = st_arena_strndup(rq->a, v, n - 7);
        if (!value) {
            st_http_problem(rs, 503, NULL, "out of memory");
            return;
        }
        answer(rq, rs, d->param, value, 1, 0);
        return;
    }
    st_rest_fmt f;
    if (!st_rest_accept(rq, rs, 1, &f))
        return;
    st_jw j;
    st_jw_init(&j);
    collection_begin(&j);
    st_jw_cstring(&j, "events");
    collection_end(&j);
    st_http_send_json(rs, 200, &j);
    rs->content_type = f.ctype;
    st_jw_free(&j);
}

/* ---- named queries ---------------------------------------------------------------------- */

static void queries_post(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    const char *ct = st_http_header(rq, "Content-Type");
    if (!st_rest_media_is(ct, "application/json") && !st_rest_media_is(ct, "application/ld+json")) {
        st_http_problem(rs, 415, "Content-Type",
                        "Content-Type %s is not accepted; send application/json",
                        ct ? ct : "(none)");
        return;
    }
    char name[ST_API_QUERY_NAME_MAX], field[160];
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_nq_add(st_jobs_named(rq->api), rq->body, rq->body_len, rq->key_name, name,
                         sizeof name, field, sizeof field, &e);
    if (rc == ST_OK) {
        char loc[ST_API_QUERY_NAME_MAX + 16];
        snprintf(loc, sizeof loc, "/queries/%s", name);
        st_http_add_header(rs, "Location", loc);
        st_jw j;
        st_jw_init(&j);
        if (st_nq_describe(st_jobs_named(rq->api), name, &j, &e) == ST_OK)
            st_http_send_json(rs, 201, &j);
        else /* deleted in between */
            st_http_send(rs, 201, NULL, "", 0);
        st_jw_free(&j);
        return;
    }
    unsigned status = rc == ST_ERR_EXHAUSTED ? 409
                      : rc == ST_ERR_LIMIT   ? 507
                      : rc == ST_ERR_SYNTAX  ? 400
                                             : st_http_status_of(rc);
    st_http_problem(rs, status, field[0] ? field : NULL, "%s", e.msg);
}

static void queries_list(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    long per = ST_API_LIST_DEFAULT_PAGE;
    char after[ST_API_QUERY_NAME_MAX] = "", next[ST_API_QUERY_NAME_MAX] = "";
    if (!list_params(rq, rs, &per, after, sizeof after))
        return;
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    if (st_nq_list(st_jobs_named(rq->api), after, per, &j, next, sizeof next, &e) != ST_OK) {
        st_http_problem(rs, st_http_status_of(e.rc), NULL, "%s", e.msg);
    } else {
        if (next[0])
            link_next_key(rq, rs, next);
        st_http_send_json(rs, 200, &j);
    }
    st_jw_free(&j);
}

static void query_get(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_nq_describe(st_jobs_named(rq->api), rq->param[0], &j, &e);
    if (rc == ST_ERR_NOT_FOUND)
        st_http_problem(rs, 404, "queryName", "no query is named %s", rq->param[0]);
    else if (rc)
        st_http_problem(rs, st_http_status_of(rc), NULL, "%s", e.msg);
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

static void query_delete(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_nq_delete(st_jobs_named(rq->api), rq->param[0], rq->key_name,
                            (rq->role & ST_ROLE_BIT_ADMIN) != 0, &e);
    if (rc == ST_ERR_NOT_FOUND)
        st_http_problem(rs, 404, "queryName", "no query is named %s", rq->param[0]);
    else if (rc == ST_ERR_REFUSED) /* another key's query */
        st_http_problem(rs, 403, "queryName", "%s", e.msg);
    else if (rc)
        st_http_problem(rs, st_http_status_of(rc), NULL, "%s", e.msg);
    else
        st_http_send(rs, 204, NULL, "", 0);
}

static void query_events(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    st_query *q = NULL;
    if (st_query_create(&q) != ST_OK) {
        st_http_problem(rs, 503, NULL, "out of memory for the query");
        return;
    }
    st_error e;
    st_error_clear(&e);
    st_query_set_scope(q, rq->scope);
    st_rc rc = st_nq_apply(st_jobs_named(rq->api), rq->param[0], q, &e);
    if (rc == ST_ERR_NOT_FOUND)
        st_http_problem(rs, 404, "queryName", "no query is named %s", rq->param[0]);
    else if (rc != ST_OK)
        st_http_problem(rs, 400, NULL, "QueryParameterException: %s", e.msg);
    else if (st_rest_query_params(rq, rs, q))
        st_rest_query_answer(rq, rs, q, 0);
    st_query_destroy(q);
}

/* ---- discovery ---------------------------------------------------------------------------- */

static void root_get(st_http_req *rq, st_http_resp *rs)
{
    st_rest_headers(rs);
    st_rest_fmt f;
    if (!st_rest_accept(rq, rs, 1, &f))
        return;
    static const char *const top[] = {"queries",      "capture",      "events",
                                      "eventTypes",   "epcs",         "readPoints",
                                      "bizLocations", "dispositions", "bizSteps"};
    st_jw j;
    st_jw_init(&j);
    collection_begin(&j);
    for (size_t i = 0; i < sizeof top / sizeof *top; i++)
        st_jw_cstring(&j, top[i]);
    collection_end(&j);
    st_http_send_json(rs, 200, &j);
    rs->content_type = f.ctype;
    st_jw_free(&j);
}

/* 204 with Allow (the methods routed for this path) and the GS1 headers. */
static void options(st_http_req *rq, st_http_resp *rs)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    char allow[64] = "OPTIONS";
    const char *saved = rq->method;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        int known;
        rq->method = methods[i];
        if (st_route_find(rq, &known)) {
            strcat(allow, ", ");
            strcat(allow, methods[i]);
        }
    }
    rq->method = saved;
    st_rest_headers(rs);
    st_http_add_header(rs, "Allow", allow);
    st_http_add_header(rs, "GS1-EPC-Format", "No_Preference");
    st_http_add_header(rs, "GS1-Vendor-Version", st_version());
    if (rq->nseg >= 1 && !strcmp(rq->seg[0], "capture")) {
        char v[32];
        snprintf(v, sizeof v, "%d", ST_STORE_MAX_CAPTURE_EVENTS);
        st_http_add_header(rs, "GS1-EPCIS-Capture-Limit", v);
        snprintf(v, sizeof v, "%u", (unsigned)ST_HTTP_MAX_BODY);
        st_http_add_header(rs, "GS1-EPCIS-Capture-File-Size-Limit", v);
        st_http_add_header(rs, "GS1-Capture-Error-Behaviour", "rollback");
    }
    st_http_send(rs, 204, NULL, "", 0);
}

#define R ST_ROLES_READ
#define W ST_ROLES_WRITE
#define DIM(res)                                                                                   \
    {"GET", "/" res, dim_list, R}, {"GET", "/" res "/{v*}", dim_item, R},                          \
        {"OPTIONS", "/" res, options, 0},                                                          \
    {                                                                                              \
        "OPTIONS", "/" res "/{v*}", options, 0                                                     \
    }

const st_route st_routes_epcis[] = {
    {"GET", "/", root_get, R},
    {"OPTIONS", "/", options, 0},
    {"POST", "/capture", capture_post, W},
    {"GET", "/capture", capture_list, W},
    {"OPTIONS", "/capture", options, 0},
    {"GET", "/capture/{id}", capture_get, W},
    {"OPTIONS", "/capture/{id}", options, 0},
    {"POST", "/events", events_post, W},
    {"GET", "/events", events_get, R},
    {"OPTIONS", "/events", options, 0},
    {"GET", "/events/{id*}", event_get, R},
    {"OPTIONS", "/events/{id*}", options, 0},
    DIM("eventTypes"),
    DIM("epcs"),
    DIM("bizSteps"),
    DIM("bizLocations"),
    DIM("readPoints"),
    DIM("dispositions"),
    {"POST", "/queries", queries_post, R},
    {"GET", "/queries", queries_list, R},
    {"OPTIONS", "/queries", options, 0},
    {"GET", "/queries/{name}", query_get, R},
    {"DELETE", "/queries/{name}", query_delete, R},
    {"OPTIONS", "/queries/{name}", options, 0},
    {"GET", "/queries/{name}/events", query_events, R},
    {"OPTIONS", "/queries/{name}/events", options, 0},
    {NULL, NULL, NULL, 0},
};
