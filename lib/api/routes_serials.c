/*
 * Serial allocation and bulk commissioning over HTTP (router.h):
 *   POST /serials              allocate serials for a GTIN (serialtrack/alloc.h)
 *   GET  /serials/allocations  the allocation log, newest first (?gtin=, ?limit=)
 *   POST /items/commission     commission up to 100,000 units in one capture
 *                              (serialtrack/commission.h)
 * Bodies are JSON objects; an unknown member, a value of the wrong type or a
 * value the library refuses is a 400 problem naming the member, and nothing
 * is allocated or stored.
 */
#include <jansson.h>
#include <serialtrack/commission.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/rest.h"
#include "api/router.h"

/* The members a body may hold, and which endpoint takes them. */
#define B_SERIALS 1u /* POST /serials */
#define B_COMM 2u    /* POST /items/commission */
static const struct member {
    const char *name; /* JSON member */
    json_type type;   /* its JSON type */
    unsigned where;   /* B_* */
} members[] = {
    {"gtin", JSON_STRING, B_SERIALS | B_COMM},
    {"count", JSON_INTEGER, B_SERIALS | B_COMM},
    {"scheme", JSON_STRING, B_SERIALS | B_COMM},
    {"profile", JSON_STRING, B_SERIALS | B_COMM},
    {"start", JSON_INTEGER, B_SERIALS | B_COMM},
    {"prefix", JSON_STRING, B_SERIALS | B_COMM},
    {"suffix", JSON_STRING, B_SERIALS | B_COMM},
    {"width", JSON_INTEGER, B_SERIALS | B_COMM},
    {"template", JSON_STRING, B_SERIALS | B_COMM},
    {"year", JSON_INTEGER, B_SERIALS | B_COMM},
    {"alphabet", JSON_STRING, B_SERIALS | B_COMM},
    {"length", JSON_INTEGER, B_SERIALS | B_COMM},
    {"gcp_len", JSON_INTEGER, B_SERIALS | B_COMM},
    {"format", JSON_STRING, B_SERIALS},
    {"serials", JSON_ARRAY, B_COMM},
    {"lot", JSON_STRING, B_COMM},
    {"expiry", JSON_STRING, B_COMM},
    {"read_point", JSON_STRING, B_COMM},
    {"biz_location", JSON_STRING, B_COMM},
    {"event_time", JSON_STRING, B_COMM},
};

static const char *type_name(json_type t)
{
    return t == JSON_STRING ? "a string" : t == JSON_INTEGER ? "a whole number" : "an array";
}

/* The body as a JSON object whose members are all known to `where` and of
 * the right type; NULL with a 400 problem written. Free with json_decref. */
static json_t *body_object(st_http_req *rq, st_http_resp *rs, unsigned where)
{
    json_error_t je;
    json_t *root = json_loadb(rq->body ? rq->body : "", rq->body ? rq->body_len : 0,
                              JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        st_http_problem(rs, 400, NULL, "the body is not JSON: %s (line %d, column %d)", je.text,
                        je.line, je.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        st_http_problem(rs, 400, NULL, "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        size_t i = 0;
        while (i < sizeof members / sizeof *members &&
               (strcmp(members[i].name, k) || !(members[i].where & where)))
            i++;
        if (i == sizeof members / sizeof *members) {
            st_http_problem(rs, 400, k, "unknown member \"%.64s\"", k);
            json_decref(root);
            return NULL;
        }
        if (json_typeof(v) != members[i].type) {
            st_http_problem(rs, 400, k, "%s must be %s", k, type_name(members[i].type));
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Integer member k into *out when present: 0, or -1 with a 400 problem when
 * outside min..max. */
static int whole(const json_t *o, const char *k, long long min, long long max, long long *out,
                 st_http_resp *rs)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return 0;
    long long n = json_integer_value(v);
    if (n < min || n > max) {
        st_http_problem(rs, 400, k, "%s is %lld; it must be %lld to %lld", k, n, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* The scheme and its options from o into opts (strings borrowed from o):
 * 0, or -1 with a 400 problem. */
static int scheme_opts(const json_t *o, st_serial_opts *opts, st_http_resp *rs)
{
    memset(opts, 0, sizeof *opts);
    const char *scheme = str(o, "scheme") ? str(o, "scheme") : "random";
    opts->scheme = st_alloc_scheme_parse(scheme);
    if (!opts->scheme) {
        st_http_problem(rs, 400, "scheme",
                        "scheme must be sequential, template or random, not \"%.40s\"", scheme);
        return -1;
    }
    const char *profile = str(o, "profile");
    if (profile && strcmp(profile, "gs1") && strcmp(profile, "dscsa")) {
        st_http_problem(rs, 400, "profile", "profile must be gs1 or dscsa, not \"%.40s\"", profile);
        return -1;
    }
    opts->profile =
        profile && !strcmp(profile, "dscsa") ? ST_SERIAL_PROFILE_DSCSA : ST_SERIAL_PROFILE_GS1;
    long long start = 0, width = 0, year = 0, length = 0;
    if (whole(o, "start", 0, INT64_MAX, &start, rs) || whole(o, "width", 0, 20, &width, rs) ||
        whole(o, "year", 1, 9999, &year, rs) || whole(o, "length", 1, 20, &length, rs))
        return -1;
    opts->start = (uint64_t)start;
    opts->width = (int)width;
    opts->year = (int)year;
    opts->length = (int)length;
    opts->prefix = str(o, "prefix");
    opts->suffix = str(o, "suffix");
    opts->tmpl = str(o, "template");
    opts->alphabet = str(o, "alphabet");
    return 0;
}

/* Who asks: the API key's name, or "open" on a store without keys. */
static const char *caller(const st_http_req *rq)
{
    return rq->key_name ? rq->key_name : "open";
}

/* A library failure as a problem naming field (may be NULL). */
static void failed(st_http_resp *rs, st_rc rc, const st_error *e, const char *field)
{
    unsigned status = st_http_status_of(rc);
    st_http_problem(rs, status >= 500 ? 503 : status, field, "%s",
                    e->msg[0] ? e->msg : st_strerror(rc));
}

/* The allocation record {id, gtin, scheme, first, count, by} as member k. */
static void allocation_json(st_jw *j, const char *k, const st_allocation *al, const char *by)
{
    st_jw_key(j, k);
    if (!al) {
        st_jw_null(j);
        return;
    }
    st_jw_object_begin(j);
    st_jw_key(j, "id");
    st_jw_long(j, (long)st_allocation_id(al));
    st_jw_member_str(j, "gtin", st_allocation_gtin(al));
    st_jw_member_str(j, "scheme", st_allocation_scheme(al));
    st_jw_key(j, "first");
    st_jw_long(j, (long)st_allocation_first(al));
    st_jw_key(j, "count");
    st_jw_long(j, (long)st_allocation_count(al));
    st_jw_member_str(j, "by", by);
    st_jw_object_end(j);
}

/* ---- POST /serials ----------------------------------------------------------------- */

static void serials_post(st_http_req *rq, st_http_resp *rs)
{
    json_t *o = body_object(rq, rs, B_SERIALS);
    if (!o)
        return;
    st_alloc_req r = {0};
    long long count = 0, gcp = 0;
    const char *format = str(o, "format") ? str(o, "format") : "serials";
    int fmt_dl = !strcmp(format, "digital_link"), fmt_epc = !strcmp(format, "epc_uri");
    if (!fmt_dl && !fmt_epc && strcmp(format, "serials")) {
        st_http_problem(rs, 400, "format",
                        "format must be serials, digital_link or epc_uri, not \"%.40s\"", format);
        goto out;
    }
    if (!json_object_get(o, "count")) {
        st_http_problem(rs, 400, "count", "count is required (1 to %d)", ST_ALLOC_MAX_COUNT);
        goto out;
    }
    if (whole(o, "count", 1, ST_ALLOC_MAX_COUNT, &count, rs) ||
        whole(o, "gcp_len", 6, 12, &gcp, rs))
        goto out;
    if (fmt_epc && !gcp) {
        st_http_problem(rs, 400, "gcp_len",
                        "format epc_uri needs gcp_len, the length of the GS1 Company Prefix");
        goto out;
    }
    if (scheme_opts(o, &r.opts, rs))
        goto out;
    r.gtin = str(o, "gtin");
    r.count = (uint64_t)count;
    r.by = caller(rq);
    st_allocation *al = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_alloc_serials(rq->store, &r, &al, &e);
    if (rc) {
        failed(rs, rc, &e, e.ai[0] ? "gtin" : NULL);
        goto out;
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    allocation_json(&j, "allocation", al, r.by);
    st_jw_key(&j, "serials");
    st_jw_array_begin(&j);
    size_t n = st_allocation_count(al);
    for (size_t i = 0; i < n; i++)
        st_jw_cstring(&j, st_allocation_serial(al, i));
    st_jw_array_end(&j);
    if (fmt_dl || fmt_epc) {
        char id[ST_ALLOC_EPC_MAX];
        st_jw_key(&j, fmt_dl ? "digital_links" : "epc_uris");
        st_jw_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
            if (fmt_dl)
                st_alloc_dl(st_allocation_gtin(al), st_allocation_serial(al, i), id, sizeof id);
            else
                st_alloc_epc_uri(st_allocation_gtin(al), (int)gcp, st_allocation_serial(al, i), id,
                                 sizeof id);
            st_jw_cstring(&j, id);
        }
        st_jw_array_end(&j);
    }
    st_jw_object_end(&j);
    char loc[96];
    snprintf(loc, sizeof loc, "/serials/allocations?gtin=%s", st_allocation_gtin(al));
    st_http_add_header(rs, "Location", loc);
    st_http_send_json(rs, 201, &j);
    st_jw_free(&j);
    st_allocation_destroy(al);
out:
    json_decref(o);
}

/* ---- GET /serials/allocations ------------------------------------------------------------ */

/* ms since the epoch as 2026-01-31T08:00:00.000Z into buf. */
static void iso_text(int64_t ms, char buf[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void iso_time(st_jw *j, int64_t ms)
{
    char buf[40];
    iso_text(ms, buf);
    st_jw_cstring(j, buf);
}

static st_rc list_one(void *ctx, const st_alloc_info *i)
{
    st_jw *j = ctx;
    st_jw_object_begin(j);
    st_jw_key(j, "id");
    st_jw_long(j, (long)i->id);
    st_jw_member_str(j, "gtin", i->gtin);
    st_jw_member_str(j, "scheme", i->scheme);
    st_jw_key(j, "first");
    st_jw_long(j, (long)i->first);
    st_jw_key(j, "count");
    st_jw_long(j, (long)i->count);
    st_jw_member_str(j, "by", i->by);
    st_jw_key(j, "created");
    iso_time(j, i->created_ms);
    st_jw_object_end(j);
    return ST_OK;
}

static void allocations_get(st_http_req *rq, st_http_resp *rs)
{
    const char *lim = st_http_query(rq, "limit");
    int limit = 100;
    if (lim) {
        char *end = NULL;
        long v = strtol(lim, &end, 10);
        if (!*lim || *end || v < 1 || v > ST_ALLOC_LIST_MAX) {
            st_http_problem(rs, 400, "limit", "limit must be a whole number from 1 to %d",
                            ST_ALLOC_LIST_MAX);
            return;
        }
        limit = (int)v;
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "allocations");
    st_jw_array_begin(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_alloc_list(rq->store, st_http_query(rq, "gtin"), limit, list_one, &j, &e);
    st_jw_array_end(&j);
    st_jw_object_end(&j);
    if (rc)
        failed(rs, rc, &e, e.ai[0] ? "gtin" : NULL);
    else
        st_http_send_json(rs, 200, &j);
    st_jw_free(&j);
}

/* ---- POST /items/commission ------------------------------------------------------------------ */

/* The member of the body a commissioning error is about, from its AI. */
static const char *field_of(const st_error *e)
{
    if (!strcmp(e->ai, "01"))
        return "gtin";
    if (!strcmp(e->ai, "10"))
        return "lot";
    if (!strcmp(e->ai, "17"))
        return "expiry";
    if (!strcmp(e->ai, "21"))
        return "serials";
    return NULL;
}

/* The answer: capture counts, allocation, EPCs (all of them up to
 * ST_COMMISSION_INLINE_EPCS, or with ?epcs=all; else the first and last and
 * a link to the events). */
static void commission_answer(st_http_req *rq, st_http_resp *rs, const st_commission *c)
{
    const st_capture_result *cap = st_commission_capture(c);
    size_t n = st_commission_count(c);
    const char *all = st_http_query(rq, "epcs");
    int inline_all = n <= ST_COMMISSION_INLINE_EPCS || (all && !strcmp(all, "all"));
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "units");
    st_jw_long(&j, (long)n);
    st_jw_key(&j, "capture");
    st_jw_object_begin(&j);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)cap->events);
    st_jw_key(&j, "stored");
    st_jw_long(&j, (long)cap->stored);
    st_jw_key(&j, "duplicates");
    st_jw_long(&j, (long)cap->duplicates);
    st_jw_key(&j, "record_time");
    iso_time(&j, cap->record_ms);
    st_jw_object_end(&j);
    allocation_json(&j, "allocation", st_commission_allocation(c), caller(rq));
    st_jw_member_str(&j, "event_time", st_commission_event_time(c));
    st_jw_member_str(&j, "first_epc", st_commission_epc(c, 0));
    st_jw_member_str(&j, "last_epc", st_commission_epc(c, n - 1));
    st_jw_key(&j, "epcs_truncated");
    st_jw_bool(&j, !inline_all);
    if (inline_all) {
        st_jw_key(&j, "epcs");
        st_jw_array_begin(&j);
        for (size_t i = 0; i < n; i++)
            st_jw_cstring(&j, st_commission_epc(c, i));
        st_jw_array_end(&j);
    }
    /* the events of this capture: its record time, to the millisecond */
    char t0[40], t1[40], link[160];
    iso_text(cap->record_ms, t0);
    iso_text(cap->record_ms + 1, t1);
    snprintf(link, sizeof link,
             "/events?EQ_bizStep=commissioning&GE_recordTime=%s&LT_recordTime=%s", t0, t1);
    st_jw_member_str(&j, "events", link);
    st_jw_object_end(&j);
    st_http_send_json(rs, 201, &j);
    st_jw_free(&j);
}

static void commission_post(st_http_req *rq, st_http_resp *rs)
{
    json_t *o = body_object(rq, rs, B_COMM);
    if (!o)
        return;
    st_commission_req r = {0};
    const char **serials = NULL;
    long long count = 0, gcp = 0;
    json_t *list = json_object_get(o, "serials");
    if (!list == !json_object_get(o, "count")) {
        st_http_problem(rs, 400, "count", "give count (serials to allocate) or serials, not %s",
                        list ? "both" : "neither");
        goto out;
    }
    if (whole(o, "count", 1, ST_COMMISSION_MAX_UNITS, &count, rs) ||
        whole(o, "gcp_len", 6, 12, &gcp, rs))
        goto out;
    if (list) {
        size_t n = json_array_size(list);
        if (n == 0 || n > ST_COMMISSION_MAX_UNITS) {
            st_http_problem(rs, n ? 413 : 400, "serials", "serials holds %zu; 1 to %d are allowed",
                            n, ST_COMMISSION_MAX_UNITS);
            goto out;
        }
        if (!(serials = st_arena_alloc(rq->a, n * sizeof *serials))) {
            st_http_problem(rs, 503, NULL, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            if (!(serials[i] = json_string_value(json_array_get(list, i)))) {
                st_http_problem(rs, 400, "serials", "serials[%zu] is not a string", i);
                goto out;
            }
        r.serials = serials;
        r.nserials = n;
        static const char *const scheme_members[] = {"scheme",   "profile", "start",    "prefix",
                                                     "suffix",   "width",   "template", "year",
                                                     "alphabet", "length"};
        for (size_t i = 0; i < sizeof scheme_members / sizeof *scheme_members; i++)
            if (json_object_get(o, scheme_members[i])) {
                st_http_problem(rs, 400, scheme_members[i],
                                "%s goes with count (serials to allocate), not with serials",
                                scheme_members[i]);
                goto out;
            }
    } else if (scheme_opts(o, &r.opts, rs)) {
        goto out;
    }
    r.gtin = str(o, "gtin");
    r.count = (uint64_t)count;
    r.lot = str(o, "lot");
    r.expiry = str(o, "expiry");
    r.read_point = str(o, "read_point");
    r.biz_location = str(o, "biz_location");
    r.event_time = str(o, "event_time");
    r.gcp_len = (int)gcp;
    r.by = caller(rq);
    st_commission *c = NULL;
    st_epcis_report *rep = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_commission_run(rq->store, &r, &c, &rep, &e);
    if (rc == ST_ERR_SYNTAX && rep && st_epcis_report_error_count(rep))
        st_rest_problem_report(rs, 400, e.msg, rep);
    else if (rc)
        failed(rs, rc, &e, field_of(&e));
    else
        commission_answer(rq, rs, c);
    st_commission_destroy(c);
    st_epcis_report_destroy(rep);
out:
    json_decref(o);
}

const st_route st_routes_serials[] = {
    {"POST", "/serials", serials_post, ST_ROLES_WRITE},
    {"GET", "/serials/allocations", allocations_get, ST_ROLES_WRITE},
    {"POST", "/items/commission", commission_post, ST_ROLES_WRITE},
    {NULL, NULL, NULL, 0},
};
