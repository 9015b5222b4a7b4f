/*
 * The live event stream, GET /stream: Server-Sent Events of the events the
 * store records, filtered by the EPCIS simple event query parameters, one
 * frame per event ("id: <store event id>", "event: epcis", "data: <JSON-LD
 * event>"), resumable with Last-Event-ID (what was stored after that id is
 * sent first, then live events), with a comment heartbeat every
 * STREAM_HEARTBEAT_MS.
 *
 * The hub (struct st_hub) keeps the subscribers and one poller thread, which
 * reads the store's largest event id every STREAM_POLL_MS (captures by this
 * server and by other processes on the same store alike) and resumes the
 * connections that wait. Where the store can tell of commits as they happen
 * (PostgreSQL: LISTEN, st_store_wait_change), the poller waits for them
 * instead of sleeping, so a capture on any node reaches the streams at
 * once; the poll every STREAM_POLL_MS stays, should a notice be lost. A subscriber's body callback
 * never blocks: when it has nothing to send it suspends its connection (libmicrohttpd frees the
 * worker thread) and returns 0; the poller resumes it when the head moves,
 * when a heartbeat is due, and at shutdown, after which every stream ends.
 * Event ids are monotonic (a reader never sees a later id before an earlier
 * one: commits are serialised), so "events after id N" is a keyset read.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/limits.h>

#include "api/api_int.h"
#include "common/error.h"
#include "epcis/write.h"
#include "store/query.h"
#include "store/store_int.h"

/* Periods of the stream (its caps are in serialtrack/limits.h). */
#define STREAM_POLL_MS 200        /* how often the poller reads the store's head */
#define STREAM_HEARTBEAT_MS 15000 /* a comment line when nothing else was sent */
#define STREAM_PAGE 100           /* events per store read */
#define STREAM_RETRY_MS 2000      /* reconnection delay advised to clients */

struct sub;

struct st_hub {
    st_store *store;    /* borrowed */
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;  /* wakes the poller: a subscriber came, or stop */
    pthread_t poller;   /* the thread */
    int started;        /* the poller runs */
    int stopping;       /* st_hub_shutdown was called: streams end */
    int64_t head;       /* the largest event id the poller saw */
    int listens;        /* the store tells of commits (st_store_wait_change) */
    struct sub *subs;   /* subscribers, a doubly linked list */
    int nsubs;          /* how many */
};

/* One open stream. Its fields other than the links and suspended are only
 * used by the thread running the connection (one at a time). */
struct sub {
    struct st_hub *hub; /* the hub it is linked into */
    void *conn;         /* the server's connection */
    st_query *q;        /* the filter, owned */
    st_scope *scope;    /* a partner's scope, owned (q borrows it), or NULL */
    st_epcis_evw *evw;  /* writes the frames' events, owned */
    int64_t pos;        /* events up to this id have been looked at */
    int more;           /* the last read stopped before pos reached the head */
    char *buf;          /* frames not yet sent (malloc'd) */
    size_t n, off, cap; /* bytes held, bytes sent, allocation */
    int64_t last_ms;    /* when bytes were last handed over (monotonic ms) */
    int suspended;      /* under hub->mu: the connection is suspended */
    struct sub *prev, *next;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static st_rc row_max(void *ctx, const st_val *v, int ncols)
{
    *(int64_t *)ctx = ncols > 0 && v[0].type == ST_VAL_INT ? v[0].i : 0;
    return ST_OK;
}

/* The largest event id in s (0 for none). */
static st_rc store_head(st_store *s, int64_t *head, st_error *err)
{
    *head = 0;
    return st_store_exec(s, "SELECT max(id) FROM event", NULL, 0, row_max, head, err);
}

/* Resume every suspended subscriber for which wake says so; hub->mu held. */
static void resume_where(struct st_hub *h, int all, int64_t now)
{
    for (struct sub *s = h->subs; s; s = s->next)
        if (s->suspended && (all || now - s->last_ms >= STREAM_HEARTBEAT_MS)) {
            s->suspended = 0;
            st_http_resume(s->conn);
        }
}

/* Wait (h->mu held) until a commit is notified or STREAM_POLL_MS pass, or
 * stop or a new subscriber wakes the condition. Notices are read even when
 * nobody streams: left unread, they would hold up the server's notification
 * queue that every node's commits write to. */
static void pause_poller(struct st_hub *h)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += STREAM_POLL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (h->listens) { /* a commit anywhere ends the wait */
        pthread_mutex_unlock(&h->mu);
        int notified = 0;
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_store_wait_change(h->store, STREAM_POLL_MS, &notified, &e);
        pthread_mutex_lock(&h->mu);
        if (rc == ST_OK)
            return;
    }
    if (!h->stopping) /* polling only, or the listener is down: sleep */
        pthread_cond_timedwait(&h->cv, &h->mu, &until);
}

static void *poller(void *arg)
{
    struct st_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        if (!h->nsubs) {
            if (h->listens)
                pause_poller(h);
            else
                pthread_cond_wait(&h->cv, &h->mu);
            continue;
        }
        pthread_mutex_unlock(&h->mu);
        int64_t head = 0;
        st_error e;
        st_error_clear(&e);
        st_rc rc = store_head(h->store, &head, &e);
        pthread_mutex_lock(&h->mu);
        int moved = !rc && head > h->head;
        if (moved)
            h->head = head;
        resume_where(h, moved, now_ms());
        if (!h->stopping)
            pause_poller(h);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* ---- the hub's life ------------------------------------------------------------------- */

st_rc st_hub_init(st_api *api, st_error *err)
{
    struct st_hub *h = calloc(1, sizeof *h);
    if (!h)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    h->store = api->store;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    st_error e;
    st_error_clear(&e);
    store_head(h->store, &h->head, &e); /* an empty or unreadable store: 0 */
    int notified = 0;
    st_error_clear(&e);
    h->listens = st_store_wait_change(h->store, 0, &notified, &e) == ST_OK;
    if (pthread_create(&h->poller, NULL, poller, h)) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "cannot start the stream poller thread");
    }
    h->started = 1;
    api->hub = h;
    return ST_OK;
}

void st_hub_shutdown(st_api *api)
{
    struct st_hub *h = api->hub;
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stopping = 1;
    resume_where(h, 1, now_ms()); /* each ends at its next call */
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->started) {
        pthread_join(h->poller, NULL);
        h->started = 0;
    }
}

void st_hub_free(st_api *api)
{
    struct st_hub *h = api->hub;
    if (!h)
        return;
    st_hub_shutdown(api); /* the daemon is stopped: every subscriber is gone */
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
    api->hub = NULL;
}

/* ---- one subscriber --------------------------------------------------------------------- */

static void sub_free(void *ctx)
{
    struct sub *s = ctx;
    if (!s)
        return;
    struct st_hub *h = s->hub;
    pthread_mutex_lock(&h->mu);
    if (s->prev)
        s->prev->next = s->next;
    else if (h->subs == s)
        h->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    h->nsubs--;
    pthread_mutex_unlock(&h->mu);
    st_query_destroy(s->q);
    st_scope_destroy(s->scope);
    st_epcis_evw_destroy(s->evw);
    free(s->buf);
    free(s);
}

/* Append p[0..n) to the frames to send: 0, or -1 when out of memory. */
static int put(struct sub *s, const char *p, size_t n)
{
    if (s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 8192;
        while (cap < s->n + n)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->n, p, n);
    s->n += n;
    return 0;
}

/* One event as a frame; stops the read (ST_ERR_BUFFER) once enough is held. */
static st_rc frame(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                   int64_t record_ms)
{
    (void)record_ms;
    struct sub *s = ctx;
    if (s->n >= ST_HTTP_STREAM_BUF_BYTES)
        return ST_ERR_BUFFER; /* the rest in the next read */
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_epcis_evw_put(s->evw, ev, bindings, &j);
    if (rc == ST_ERR_UNSUPPORTED) { /* not an event the writer knows: skip it */
        st_jw_free(&j);
        s->pos = event_id;
        return ST_OK;
    }
    char head[64];
    int k = snprintf(head, sizeof head, "id: %" PRId64 "\nevent: epcis\ndata: ", event_id);
    if (!rc && (put(s, head, (size_t)k) || put(s, j.p, j.n) || put(s, "\n\n", 2)))
        rc = ST_ERR_NOMEM;
    st_jw_free(&j);
    if (!rc)
        s->pos = event_id;
    return rc;
}

/* Read the events after s->pos up to head that pass the filter into frames. */
static st_rc fill(struct sub *s, int64_t head)
{
    char next[ST_QUERY_TOKEN_MAX];
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_query_resume(s->q, s->pos, head);
    if (!rc)
        rc = st_query_run(s->hub->store, s->q, frame, s, next, sizeof next, &e);
    if (rc == ST_ERR_BUFFER) {
        s->more = 1;
        return ST_OK;
    }
    if (rc)
        return rc;
    s->more = next[0] != 0;
    if (!s->more && head > s->pos)
        s->pos = head; /* looked at every event up to head */
    return ST_OK;
}

/* The body: frames, heartbeats, or suspend until the poller resumes us. */
static ssize_t stream_read(void *ctx, uint64_t at, char *out, size_t max)
{
    (void)at;
    struct sub *s = ctx;
    struct st_hub *h = s->hub;
    for (;;) {
        if (s->off < s->n) {
            size_t k = s->n - s->off < max ? s->n - s->off : max;
            memcpy(out, s->buf + s->off, k);
            s->off += k;
            s->last_ms = now_ms();
            return (ssize_t)k;
        }
        s->off = s->n = 0;
        pthread_mutex_lock(&h->mu);
        int stopping = h->stopping;
        int64_t head = h->head;
        pthread_mutex_unlock(&h->mu);
        if (stopping)
            return ST_HTTP_STREAM_END;
        if (s->more || s->pos < head) {
            if (fill(s, head))
                return ST_HTTP_STREAM_ERROR; /* the client reconnects with its last id */
            if (s->n || s->more)
                continue;
        }
        if (now_ms() - s->last_ms >= STREAM_HEARTBEAT_MS) {
            if (put(s, ": heartbeat\n\n", 13))
                return ST_HTTP_STREAM_ERROR;
            continue;
        }
        pthread_mutex_lock(&h->mu);
        if (!h->stopping && h->head == head) {
            s->suspended = 1;
            st_http_suspend(s->conn);
            pthread_mutex_unlock(&h->mu);
            return 0;
        }
        pthread_mutex_unlock(&h->mu);
    }
}

/* ---- GET /stream ------------------------------------------------------------------------- */

/* Parameters a stream cannot take: it is in record order, unbounded, unpaged. */
static const char *const refused[] = {"orderBy",       "orderDirection", "eventCountLimit",
                                      "maxEventCount", "perPage",        "nextPageToken"};

struct params {
    st_query *q;
    st_error e;
    const char *bad; /* the parameter refused */
};

static int set_param(void *ctx, const char *k, const char *v)
{
    struct params *p = ctx;
    if (!strcmp(k, "lastEventId"))
        return 0;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (!strcmp(k, refused[i])) {
            p->bad = k;
            st_fail(&p->e, ST_ERR_SYNTAX, -1, NULL,
                    "%s does not apply to a stream (events come in record order as they are "
                    "stored)",
                    k);
            return 1;
        }
    if (st_query_set(p->q, k, v, &p->e)) {
        p->bad = k;
        return 1;
    }
    return 0;
}

/* A Last-Event-ID value: 0 and the id, or -1. */
static int parse_id(const char *v, int64_t *id)
{
    if (!*v || strlen(v) > 18)
        return -1;
    int64_t n = 0;
    for (const char *c = v; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        n = n * 10 + (*c - '0');
    }
    *id = n;
    return 0;
}

static void stream(st_http_req *rq, st_http_resp *rs)
{
    struct st_hub *h = rq->api->hub;
    const char *last = st_http_header(rq, "Last-Event-ID");
    const char *field = "Last-Event-ID";
    if (!last) {
        last = st_http_query(rq, "lastEventId");
        field = "lastEventId";
    }
    int64_t pos = 0;
    if (last && parse_id(last, &pos)) {
        st_http_problem(rs, 400, field, "%s \"%.40s\" is not an event id of this server", field,
                        last);
        return;
    }
    struct sub *s = calloc(1, sizeof *s);
    struct params p = {NULL, {0}, NULL};
    st_error_clear(&p.e);
    if (!s || st_query_create(&p.q) || st_epcis_evw_create(ST_EPCIS_IDS_ASIS, &s->evw)) {
        st_query_destroy(p.q);
        free(s);
        st_http_problem(rs, 503, NULL, "out of memory");
        return;
    }
    s->hub = h;
    s->q = p.q;
    s->conn = rq->conn;
    s->scope = rq->scope; /* the stream outlives the request: it takes the scope */
    rq->scope = NULL;
    st_query_set_scope(p.q, s->scope);
    if (st_http_query_each(rq, set_param, &p) || st_query_set(p.q, "perPage", "100", &p.e) ||
        st_query_check(p.q, &p.e)) {
        if (p.bad)
            st_http_problem(rs, 400, p.bad, "%s", p.e.msg);
        else
            st_http_problem(rs, 500, NULL, "cannot prepare the stream: %s", p.e.msg);
        goto fail;
    }
    if (!last && store_head(rq->store, &pos, &p.e)) {
        st_http_problem(rs, st_http_status_of(p.e.rc), NULL, "the store does not answer: %s",
                        p.e.msg);
        goto fail;
    }
    s->pos = pos;
    s->last_ms = now_ms();
    char retry[32];
    int k = snprintf(retry, sizeof retry, "retry: %d\n\n", STREAM_RETRY_MS);
    if (put(s, retry, (size_t)k)) {
        st_http_problem(rs, 503, NULL, "out of memory");
        goto fail;
    }
    pthread_mutex_lock(&h->mu);
    if (h->stopping || h->nsubs >= ST_HTTP_MAX_STREAMS) {
        int stopping = h->stopping;
        pthread_mutex_unlock(&h->mu);
        if (stopping)
            st_http_problem(rs, 503, NULL, "the server is stopping");
        else
            st_http_problem(rs, 503, NULL, "%d streams are open; the limit is %d",
                            ST_HTTP_MAX_STREAMS, ST_HTTP_MAX_STREAMS);
        goto fail;
    }
    s->next = h->subs;
    if (h->subs)
        h->subs->prev = s;
    h->subs = s;
    h->nsubs++;
    pthread_cond_broadcast(&h->cv); /* the poller starts polling */
    pthread_mutex_unlock(&h->mu);
    rs->status = 200;
    rs->content_type = "text/event-stream";
    st_http_add_header(rs, "Cache-Control", "no-cache");
    st_http_add_header(rs, "X-Accel-Buffering", "no");
    st_http_add_header(rs, "Connection", "close"); /* the stream's end closes the connection */
    rs->stream = stream_read;
    rs->stream_ctx = s; /* the response's from here on: sub_free unlinks it */
    rs->stream_free = sub_free;
    return;
fail:
    st_query_destroy(p.q);
    st_scope_destroy(s->scope);
    st_epcis_evw_destroy(s->evw);
    free(s->buf);
    free(s);
}

const st_route st_routes_stream[] = {
    {"GET", "/stream", stream, ST_ROLES_READ},
    {NULL, NULL, NULL, 0},
};
