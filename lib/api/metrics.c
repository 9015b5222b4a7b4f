/*
 * Metrics (GET /metrics, Prometheus text format 0.0.4): requests counted by
 * route pattern, method and status, a latency histogram per route pattern
 * and method, and the store's totals (events, committed batches, bytes)
 * read when scraped. st_metrics_count runs after every request under one
 * short mutex (a few dozen nanoseconds of work); the number of series is
 * capped, so a scan of random paths cannot grow memory: unmatched paths
 * count under the route "(none)".
 */
#include <serialtrack/limits.h>

#include "api/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "common/error.h"
#include "store/store_int.h"

#define METRICS_MAX_STATUSES 12 /* distinct statuses per series; others count as 0 */
#define NBUCKETS 14             /* latency buckets, +Inf included */

/* Upper bounds of the latency buckets, seconds (the last is +Inf). */
static const double bucket_le[NBUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5};

struct series {
    const char *route; /* static pattern, or NULL for no route */
    char method[8];    /* "GET", ...; longer methods are cut */
    struct {
        unsigned code; /* HTTP status; 0: the overflow slot */
        uint64_t n;
    } status[METRICS_MAX_STATUSES];
    uint64_t bucket[NBUCKETS]; /* non-cumulative counts; summed when written */
    double sum;                /* seconds */
    uint64_t count;
};

struct st_metrics {
    pthread_mutex_t mu;
    struct series s[ST_METRICS_MAX_SERIES + 1]; /* the last: every series beyond the cap */
    int n;                                   /* series in use before the overflow one */
    int64_t started;                         /* wall clock seconds at start */
    int64_t bytes;                           /* store size last read (-1: never), guarded by mu */
    int64_t bytes_at;                        /* when (wall clock seconds) */
};

st_rc st_metrics_init(st_api *api, st_error *err)
{
    struct st_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    pthread_mutex_init(&m->mu, NULL);
    snprintf(m->s[ST_METRICS_MAX_SERIES].method, sizeof m->s[0].method, "other");
    m->bytes = -1;
    m->started = (int64_t)time(NULL);
    api->metrics = m;
    return ST_OK;
}

void st_metrics_free(st_api *api)
{
    struct st_metrics *m = api->metrics;
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m);
    api->metrics = NULL;
}

/* The series of (route, method), or the overflow series once the cap is
 * reached; m->mu held. */
static struct series *series_of(struct st_metrics *m, const char *route, const char *method)
{
    for (int i = 0; i < m->n; i++)
        if (m->s[i].route == route && !strncmp(m->s[i].method, method, sizeof m->s[i].method - 1))
            return &m->s[i];
    if (m->n == ST_METRICS_MAX_SERIES)
        return &m->s[ST_METRICS_MAX_SERIES];
    struct series *s = &m->s[m->n++];
    s->route = route;
    snprintf(s->method, sizeof s->method, "%s", method);
    return s;
}

void st_metrics_count(st_api *api, const st_http_req *rq, const st_http_resp *rs,
                      struct timespec start)
{
    struct st_metrics *m = api->metrics;
    if (!m)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double sec = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    int b = 0;
    while (b < NBUCKETS - 1 && sec > bucket_le[b])
        b++;
    pthread_mutex_lock(&m->mu);
    struct series *s = series_of(m, rq->route, rq->method ? rq->method : "");
    int k = 0;
    while (k < METRICS_MAX_STATUSES - 1 && s->status[k].code && s->status[k].code != rs->status)
        k++;
    if (!s->status[k].code && k < METRICS_MAX_STATUSES - 1)
        s->status[k].code = rs->status;
    s->status[k].n++;
    s->bucket[b]++;
    s->sum += sec;
    s->count++;
    pthread_mutex_unlock(&m->mu);
}

/* ---- GET /metrics ------------------------------------------------------------------------ */

/* Growable text of the answer (capped by its content: series and statuses are). */
struct out {
    char *p;
    size_t n, cap;
    int oom;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(o->p ? o->p + o->n : NULL, o->p ? o->cap - o->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            o->oom = 1;
            return;
        }
        if (o->p && o->n + (size_t)k < o->cap) {
            o->n += (size_t)k;
            return;
        }
        size_t cap = o->cap ? o->cap * 2 : 16384;
        while (cap < o->n + (size_t)k + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->oom = 1;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
}

static const char *route_label(const struct st_metrics *m, const struct series *s)
{
    if (s == &m->s[ST_METRICS_MAX_SERIES])
        return "(overflow)";
    return s->route ? s->route : "(none)";
}

static void write_requests(struct out *o, const struct st_metrics *m)
{
    outf(o, "# HELP serialtrack_http_requests_total HTTP requests answered, by route pattern, "
            "method and status.\n# TYPE serialtrack_http_requests_total counter\n");
    for (int i = 0; i <= ST_METRICS_MAX_SERIES; i++) {
        const struct series *s = &m->s[i];
        for (int k = 0; k < METRICS_MAX_STATUSES && s->status[k].n; k++)
            outf(
                o,
                "serialtrack_http_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %" PRIu64
                "\n",
                route_label(m, s), s->method, s->status[k].code, s->status[k].n);
    }
    outf(o, "# HELP serialtrack_http_request_duration_seconds Time from a request's arrival to "
            "its answer being ready, by route pattern and method.\n"
            "# TYPE serialtrack_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= ST_METRICS_MAX_SERIES; i++) {
        const struct series *s = &m->s[i];
        if (!s->count)
            continue;
        uint64_t cum = 0;
        for (int b = 0; b < NBUCKETS; b++) {
            cum += s->bucket[b];
            char le[32];
            if (b < NBUCKETS - 1)
                snprintf(le, sizeof le, "%g", bucket_le[b]);
            else
                snprintf(le, sizeof le, "+Inf");
            outf(o,
                 "serialtrack_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le="
                 "\"%s\"} %" PRIu64 "\n",
                 route_label(m, s), s->method, le, cum);
        }
        outf(o, "serialtrack_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
             route_label(m, s), s->method, s->sum);
        outf(o,
             "serialtrack_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %" PRIu64
             "\n",
             route_label(m, s), s->method, s->count);
    }
}

static st_rc row_ints(void *ctx, const st_val *v, int ncols)
{
    int64_t *out = ctx;
    for (int i = 0; i < ncols && i < 2; i++)
        out[i] = v[i].type == ST_VAL_INT ? v[i].i : 0;
    return ST_OK;
}

/* The store's totals: the largest ids of the append-only tables (one index
 * probe each, whatever the size) and the file size (st_store_info_get also
 * counts items, a scan: not on every scrape). */
static void write_store(struct out *o, st_store *s)
{
    int64_t ev[2] = {0, 0}, ba[2] = {0, 0};
    st_error e;
    st_error_clear(&e);
    int ok =
        !st_store_exec(s, "SELECT coalesce(max(id), 0) FROM event", NULL, 0, row_ints, ev, &e) &&
        !st_store_exec(s, "SELECT coalesce(max(id), 0) FROM batch", NULL, 0, row_ints, ba, &e);
    outf(o,
         "# HELP serialtrack_store_up 1 when the store answered this scrape.\n"
         "# TYPE serialtrack_store_up gauge\nserialtrack_store_up %d\n",
         ok);
    if (!ok)
        return;
    outf(o,
         "# HELP serialtrack_events_stored_total Events in the store (all time, append-only).\n"
         "# TYPE serialtrack_events_stored_total counter\n"
         "serialtrack_events_stored_total %" PRId64 "\n",
         ev[0]);
    outf(o,
         "# HELP serialtrack_captures_total Captures committed to the store (chain links).\n"
         "# TYPE serialtrack_captures_total counter\nserialtrack_captures_total %" PRId64 "\n",
         ba[0]);
}

/* The file size comes with the other totals of st_store_info_get, whose
 * item count is a scan: read at most every STORE_INFO_SECONDS. */
#define STORE_INFO_SECONDS 10

static void write_store_bytes(struct out *o, struct st_metrics *m, st_store *s)
{
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&m->mu);
    int stale = m->bytes < 0 || now - m->bytes_at >= STORE_INFO_SECONDS;
    pthread_mutex_unlock(&m->mu);
    if (stale) {
        st_store_info info;
        st_error e;
        st_error_clear(&e);
        if (!st_store_info_get(s, &info, &e)) {
            pthread_mutex_lock(&m->mu);
            m->bytes = info.bytes;
            m->bytes_at = now;
            pthread_mutex_unlock(&m->mu);
        }
    }
    pthread_mutex_lock(&m->mu);
    int64_t b = m->bytes;
    pthread_mutex_unlock(&m->mu);
    if (b >= 0)
        outf(o,
             "# HELP serialtrack_store_bytes Size of the store on disk (database and journal).\n"
             "# TYPE serialtrack_store_bytes gauge\nserialtrack_store_bytes %" PRId64 "\n",
             b);
}

void st_metrics_get(st_http_req *rq, st_http_resp *rs)
{
    struct st_metrics *m = rq->api->metrics;
    struct out o = {0};
    outf(&o,
         "# HELP serialtrack_start_time_seconds When the server started (Unix time).\n"
         "# TYPE serialtrack_start_time_seconds gauge\nserialtrack_start_time_seconds %" PRId64
         "\n",
         m->started);
    pthread_mutex_lock(&m->mu);
    write_requests(&o, m);
    pthread_mutex_unlock(&m->mu);
    write_store(&o, rq->store);
    write_store_bytes(&o, m, rq->store);
    if (o.oom) {
        free(o.p);
        st_http_problem(rs, 503, NULL, "out of memory while writing the metrics");
        return;
    }
    st_http_send(rs, 200, "text/plain; version=0.0.4; charset=utf-8", o.p, o.n);
    free(o.p);
}
