/*
 * Bulk commissioning (include/serialtrack/commission.h): check every field,
 * allocate the serials (or check the given ones), write one EPCIS 2.0
 * JSON-LD document of ObjectEvents ADD / commissioning with the lot and
 * expiry as ILMD, and capture it through st_store_capture_mem, the path
 * every document takes: validated whole, stored in one transaction.
 */
#include <serialtrack/commission.h>

#include <serialtrack/jsonw.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "gs1/cset.h"

#define EPC_SLOT ST_ALLOC_EPC_MAX /* bytes per EPC */
#define SERIAL_SLOT (ST_SERIAL_MAX_LEN + 1)
#define TIME_MAX 40 /* bytes of an event time */
#define DL_STEM "https://id.gs1.org"

struct st_commission {
    size_t count;              /* units */
    char *epcs;                /* count slots of EPC_SLOT bytes; owned */
    char *serials;             /* count slots of SERIAL_SLOT bytes (given serials); owned */
    st_allocation *alloc;      /* the allocation, or NULL; owned */
    st_capture_result cap;     /* what the capture did */
    char event_time[TIME_MAX]; /* as written */
};

/* ---- checking fields -------------------------------------------------------------- */

/* A serial or lot: 1..20 characters of CSET 82. */
static st_rc check_x20(const char *what, const char *ai, const char *v, st_error *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_LENGTH, -1, ai,
                       "%s \"%.40s\" has %zu characters; AI (%s) holds 1 to %d", what, v, n, ai,
                       ST_SERIAL_MAX_LEN);
    for (size_t i = 0; i < n; i++)
        if (!st_cset_has(ST_CSET_X, (unsigned char)v[i]))
            return st_fail(err, ST_ERR_CHARSET, (long)i, ai,
                           "%s \"%.40s\": byte %zu is not in CSET 82 (AI (%s))", what, v, i, ai);
    return ST_OK;
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* YYYY-MM-DD, a day that exists. */
static st_rc check_date(const char *v, st_error *err)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(v) != 10 || !digits(v, 4) || v[4] != '-' || !digits(v + 5, 2) || v[7] != '-' ||
        !digits(v + 8, 2))
        return st_fail(err, ST_ERR_DATE, -1, "17", "expiry \"%.40s\" is not a date YYYY-MM-DD", v);
    int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return st_fail(err, ST_ERR_DATE, -1, "17", "expiry %s is not a day of the calendar", v);
    return ST_OK;
}

/* A location: a 13-digit GLN becomes its Digital Link; anything else must
 * look like a URI (the validator checks it in full). out: cap bytes. */
static st_rc location(const char *what, const char *v, char *out, size_t cap, st_error *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > ST_COMMISSION_URI_MAX)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "%s has %zu bytes; 1 to %d are allowed", what,
                       n, ST_COMMISSION_URI_MAX);
    if (n == 13 && digits(v, 13)) {
        snprintf(out, cap, DL_STEM "/414/%s", v);
        return ST_OK;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == '"' || v[i] == 0x7f)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "%s \"%.60s\": byte %zu is a space, quote or control character", what, v,
                           i);
    if (!strchr(v, ':'))
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "%s \"%.60s\" is neither a URI (urn:epc:id:sgln:..., https://...) nor a "
                       "13-digit GLN",
                       what, v);
    snprintf(out, cap, "%s", v);
    return ST_OK;
}

/* The event time (now when NULL) into out, and its offset into tz. */
static st_rc event_time(const char *v, char out[TIME_MAX], char tz[8], st_error *err)
{
    if (!v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(out, TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
        strcpy(tz, "+00:00");
        return ST_OK;
    }
    size_t n = strlen(v);
    if (n < 19 || n >= TIME_MAX || v[10] != 'T')
        return st_fail(err, ST_ERR_DATE, -1, NULL,
                       "event_time \"%.60s\" is not an RFC 3339 time such as "
                       "2026-01-31T08:00:00Z",
                       v);
    if (v[n - 1] == 'Z')
        strcpy(tz, "+00:00");
    else if (n >= 25 && (v[n - 6] == '+' || v[n - 6] == '-') && v[n - 3] == ':')
        memcpy(tz, v + n - 6, 7);
    else
        return st_fail(err, ST_ERR_DATE, -1, NULL,
                       "event_time \"%.60s\" needs a time zone: Z or an offset such as +01:00", v);
    memcpy(out, v, n + 1);
    return ST_OK;
}

/* ---- the document ---------------------------------------------------------------------- */

struct fields {
    char gtin[15];                                /* 14 digits */
    char read_point[ST_COMMISSION_URI_MAX + 1];   /* URI */
    char biz_location[ST_COMMISSION_URI_MAX + 1]; /* URI, or "" */
    char time[TIME_MAX];                          /* eventTime */
    char tz[8];                                   /* eventTimeZoneOffset */
};

/* Write the document of EPCs epcs[from..to) as one ObjectEvent per
 * ST_COMMISSION_EVENT_EPCS into w. */
static void write_doc(st_jw *w, const st_commission_req *r, const struct fields *f,
                      const char *epcs, size_t count)
{
    st_jw_object_begin(w);
    st_jw_key(w, "@context");
    st_jw_array_begin(w);
    st_jw_cstring(w, "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
    st_jw_array_end(w);
    st_jw_member_str(w, "type", "EPCISDocument");
    st_jw_member_str(w, "schemaVersion", "2.0");
    st_jw_member_str(w, "creationDate", f->time);
    st_jw_key(w, "epcisBody");
    st_jw_object_begin(w);
    st_jw_key(w, "eventList");
    st_jw_array_begin(w);
    for (size_t from = 0; from < count; from += ST_COMMISSION_EVENT_EPCS) {
        size_t to =
            count - from > ST_COMMISSION_EVENT_EPCS ? from + ST_COMMISSION_EVENT_EPCS : count;
        st_jw_object_begin(w);
        st_jw_member_str(w, "type", "ObjectEvent");
        st_jw_member_str(w, "eventTime", f->time);
        st_jw_member_str(w, "eventTimeZoneOffset", f->tz);
        st_jw_key(w, "epcList");
        st_jw_array_begin(w);
        for (size_t i = from; i < to; i++)
            st_jw_cstring(w, epcs + i * EPC_SLOT);
        st_jw_array_end(w);
        st_jw_member_str(w, "action", "ADD");
        st_jw_member_str(w, "bizStep", "commissioning");
        st_jw_member_str(w, "disposition", "active");
        st_jw_key(w, "readPoint");
        st_jw_object_begin(w);
        st_jw_member_str(w, "id", f->read_point);
        st_jw_object_end(w);
        if (f->biz_location[0]) {
            st_jw_key(w, "bizLocation");
            st_jw_object_begin(w);
            st_jw_member_str(w, "id", f->biz_location);
            st_jw_object_end(w);
        }
        if (r->lot || r->expiry) {
            st_jw_key(w, "ilmd");
            st_jw_object_begin(w);
            st_jw_member_str(w, "cbvmda:lotNumber", r->lot);
            st_jw_member_str(w, "cbvmda:itemExpirationDate", r->expiry);
            st_jw_object_end(w);
        }
        st_jw_object_end(w);
    }
    st_jw_array_end(w);
    st_jw_object_end(w);
    st_jw_object_end(w);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Check the given serials: each 1..20 of CSET 82, none twice. */
static st_rc check_serials(const st_commission_req *r, st_error *err)
{
    if (r->nserials == 0)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "give count (serials to allocate) or serials");
    if (r->nserials > ST_COMMISSION_MAX_UNITS)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "%zu serials given; one commissioning takes at most %d", r->nserials,
                       ST_COMMISSION_MAX_UNITS);
    for (size_t i = 0; i < r->nserials; i++) {
        if (!r->serials[i])
            return st_fail(err, ST_ERR_ARG, -1, "21", "serial %zu is missing", i);
        st_rc rc = check_x20("serial", "21", r->serials[i], err);
        if (rc)
            return rc;
    }
    const char **v = malloc(r->nserials * sizeof *v);
    if (!v)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    memcpy(v, r->serials, r->nserials * sizeof *v);
    qsort(v, r->nserials, sizeof *v, cmp_str);
    st_rc rc = ST_OK;
    for (size_t i = 1; i < r->nserials && !rc; i++)
        if (!strcmp(v[i - 1], v[i]))
            rc = st_fail(err, ST_ERR_ARG, -1, "21", "serial \"%s\" is given twice", v[i]);
    free(v);
    return rc;
}

/* Check every field of r into f before anything is allocated or written. */
static st_rc check_req(const st_commission_req *r, struct fields *f, st_error *err)
{
    st_rc rc = st_alloc_gtin14(r->gtin, f->gtin, err);
    if (rc)
        return rc;
    if (r->count && r->serials)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "give either count or serials, not both");
    if (r->count > ST_COMMISSION_MAX_UNITS)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "count is %llu; one commissioning takes at most %d units",
                       (unsigned long long)r->count, ST_COMMISSION_MAX_UNITS);
    if (!r->count && (rc = check_serials(r, err)) != ST_OK)
        return rc;
    if (r->lot && (rc = check_x20("lot", "10", r->lot, err)) != ST_OK)
        return rc;
    if (r->expiry && (rc = check_date(r->expiry, err)) != ST_OK)
        return rc;
    if (!r->read_point)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "read_point is required (an SGLN or a GLN)");
    if ((rc = location("read_point", r->read_point, f->read_point, sizeof f->read_point, err)))
        return rc;
    f->biz_location[0] = 0;
    if (r->biz_location && (rc = location("biz_location", r->biz_location, f->biz_location,
                                          sizeof f->biz_location, err)))
        return rc;
    if (r->gcp_len && (r->gcp_len < 6 || r->gcp_len > 12))
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "gcp_len is %d; a company prefix has 6 to 12 digits", r->gcp_len);
    return event_time(r->event_time, f->time, f->tz, err);
}

/* Validate the document's shape once, with one unit, before serials are
 * allocated: a read point or event time the validator refuses must not
 * cost an allocation. */
static st_rc probe(const st_commission_req *r, const struct fields *f, st_epcis_report **report,
                   st_error *err)
{
    char epc[EPC_SLOT];
    if (r->gcp_len)
        st_alloc_epc_uri(f->gtin, r->gcp_len, "0", epc, sizeof epc);
    else
        st_alloc_dl(f->gtin, "0", epc, sizeof epc);
    st_jw w;
    st_jw_init(&w);
    write_doc(&w, r, f, epc, 1);
    st_rc rc = ST_OK;
    if (w.failed) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    } else {
        st_epcis_read_opts ro = {"commission", 1};
        rc = st_epcis_read_mem(w.p, w.n, &ro, NULL, NULL, report);
        if (rc)
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                         "the commissioning event would be invalid; nothing was allocated");
    }
    st_jw_free(&w);
    return rc;
}

st_rc st_commission_run(st_store *s, const st_commission_req *r, st_commission **out,
                        st_epcis_report **report, st_error *err)
{
    if (report)
        *report = NULL;
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "out is NULL");
    *out = NULL;
    if (!s || !r)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no request");
    struct fields f;
    st_rc rc = check_req(r, &f, err);
    st_epcis_report *rep = NULL;
    st_commission *c = NULL;
    st_jw w;
    st_jw_init(&w);
    if (rc)
        goto out;
    if ((rc = probe(r, &f, &rep, err)) != ST_OK)
        goto out;
    st_epcis_report_destroy(rep);
    rep = NULL;
    if (!(c = calloc(1, sizeof *c))) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
        goto out;
    }
    memcpy(c->event_time, f.time, sizeof c->event_time);
    if (r->count) {
        st_alloc_req ar = {.gtin = f.gtin, .count = r->count, .opts = r->opts, .by = r->by};
        if ((rc = st_alloc_serials(s, &ar, &c->alloc, err)) != ST_OK)
            goto out;
        c->count = st_allocation_count(c->alloc);
    } else {
        c->count = r->nserials;
        if (!(c->serials = malloc(c->count * SERIAL_SLOT))) {
            rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < c->count; i++)
            memcpy(c->serials + i * SERIAL_SLOT, r->serials[i], strlen(r->serials[i]) + 1);
    }
    if (!(c->epcs = malloc(c->count * EPC_SLOT))) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for %zu EPCs", c->count);
        goto out;
    }
    for (size_t i = 0; i < c->count; i++) {
        const char *serial = st_commission_serial(c, i);
        if (r->gcp_len)
            st_alloc_epc_uri(f.gtin, r->gcp_len, serial, c->epcs + i * EPC_SLOT, EPC_SLOT);
        else
            st_alloc_dl(f.gtin, serial, c->epcs + i * EPC_SLOT, EPC_SLOT);
    }
    write_doc(&w, r, &f, c->epcs, c->count);
    if (w.failed) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the document");
        goto out;
    }
    rc = st_store_capture_mem(s, w.p, w.n, "commission", &c->cap, &rep);
    if (rc)
        st_fail(err, rc, -1, NULL,
                "the commissioning document was refused (%s); nothing was stored", st_strerror(rc));
out:
    st_jw_free(&w);
    if (report)
        *report = rep;
    else
        st_epcis_report_destroy(rep);
    if (rc) {
        st_commission_destroy(c);
        return rc;
    }
    *out = c;
    return ST_OK;
}

void st_commission_destroy(st_commission *c)
{
    if (!c)
        return;
    st_allocation_destroy(c->alloc);
    free(c->epcs);
    free(c->serials);
    free(c);
}

size_t st_commission_count(const st_commission *c)
{
    return c ? c->count : 0;
}

const char *st_commission_epc(const st_commission *c, size_t i)
{
    return c && c->epcs && i < c->count ? c->epcs + i * EPC_SLOT : NULL;
}

const char *st_commission_serial(const st_commission *c, size_t i)
{
    if (!c || i >= c->count)
        return NULL;
    return c->alloc ? st_allocation_serial(c->alloc, i) : c->serials + i * SERIAL_SLOT;
}

const st_capture_result *st_commission_capture(const st_commission *c)
{
    return c ? &c->cap : NULL;
}

const st_allocation *st_commission_allocation(const st_commission *c)
{
    return c ? c->alloc : NULL;
}

const char *st_commission_event_time(const st_commission *c)
{
    return c ? c->event_time : "";
}
