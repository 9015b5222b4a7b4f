/*
 * The HTTP server (include/serialtrack/server.h) on libmicrohttpd: a pool of
 * epoll threads with keep-alive, request bodies gathered into a capped
 * buffer, each request routed (router.h) and answered from an arena that
 * lives as long as the request, an access log line per request.
 */
#include <serialtrack/server.h>

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h"
#include "api/router.h"
#include "common/error.h"

struct st_server {
    struct MHD_Daemon *d; /* the daemon */
    st_api api;           /* what handlers share */
    unsigned port;        /* the port bound */
};

/* One request in flight. */
struct conn_ctx {
    st_arena *a;     /* request memory */
    char *body;      /* gathered body (malloc'd), NUL-terminated */
    size_t n, cap;   /* its length and allocation */
    int too_big;     /* the body went over ST_HTTP_MAX_BODY */
    struct timespec start;
};

/* ---- request accessors (http.h) --------------------------------------------------- */

const char *st_http_query(const st_http_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *st_http_header(const st_http_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

struct each {
    int (*fn)(void *ctx, const char *k, const char *v);
    void *ctx;
    int stop;
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    struct each *e = cls;
    e->stop = e->fn(e->ctx, k, v ? v : "");
    return e->stop ? MHD_NO : MHD_YES;
}

int st_http_query_each(const st_http_req *rq, int (*fn)(void *ctx, const char *k, const char *v),
                       void *ctx)
{
    struct each e = {fn, ctx, 0};
    MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, each_arg, &e);
    return e.stop;
}

/* ---- one request ---------------------------------------------------------------------- */

/* Split the decoded path into segments (empty ones kept: "https://" inside
 * an identifier). */
static void split_path(st_http_req *rq, char *path)
{
    rq->nseg = 0;
    char *p = path[0] == '/' ? path + 1 : path;
    if (!*p)
        return;
    while (rq->nseg < ST_HTTP_MAX_SEGMENTS) {
        rq->seg[rq->nseg++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            return;
        *slash = 0;
        p = slash + 1;
    }
}

static void access_log(st_api *api, const st_http_req *rq, const st_http_resp *rs,
                       const struct conn_ctx *c)
{
    if (!api->log)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - c->start.tv_sec) * 1e3 +
                (double)(now.tv_nsec - c->start.tv_nsec) / 1e6;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&api->log_mu);
    fprintf(api->log, "%s %s %s %u %zu %.3fms\n", when, rq->method, rq->path, rs->status,
            rs->len, ms);
    fflush(api->log);
    pthread_mutex_unlock(&api->log_mu);
}

_Static_assert(ST_HTTP_STREAM_END == MHD_CONTENT_READER_END_OF_STREAM &&
                   ST_HTTP_STREAM_ERROR == MHD_CONTENT_READER_END_WITH_ERROR,
               "st_http_stream_fn returns what libmicrohttpd's content readers return");

void st_http_suspend(void *conn)
{
    MHD_suspend_connection(conn);
}

void st_http_resume(void *conn)
{
    MHD_resume_connection(conn);
}

#define STREAM_BLOCK 65536 /* bytes a streamed body is asked for at a time */

static enum MHD_Result respond(struct MHD_Connection *conn, st_http_resp *rs)
{
    struct MHD_Response *r;
    if (rs->stream) { /* the response owns stream_ctx from here on */
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, rs->stream,
                                              rs->stream_ctx, rs->stream_free);
        if (!r && rs->stream_free)
            rs->stream_free(rs->stream_ctx);
        rs->stream = NULL;
        rs->stream_ctx = NULL;
    } else {
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
        if (r)
            rs->body = NULL; /* now the response's */
    }
    if (!r)
        return MHD_NO;
    if (rs->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    for (int i = 0; i < rs->nhdr; i++)
        MHD_add_response_header(r, rs->hdr[i].name, rs->hdr[i].value);
    enum MHD_Result ok = MHD_queue_response(conn, rs->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void handle(st_api *api, st_http_req *rq, st_http_resp *rs, struct conn_ctx *c)
{
    if (c->too_big) {
        st_http_problem(rs, 413, NULL, "the request body is larger than %u bytes",
                        (unsigned)ST_HTTP_MAX_BODY);
        return;
    }
    int known = 0;
    const st_route *r = st_route_find(rq, &known);
    if (!r) {
        if (known)
            st_http_problem(rs, 405, NULL, "%s is not allowed on %s", rq->method, rq->path);
        else
            st_http_problem(rs, 404, NULL, "no such resource: %s", rq->path);
        return;
    }
    rq->route = r->pattern;
    if (!st_api_authorize(api, rq, rs, r))
        return; /* the problem is written */
    r->fn(rq, rs);
    if (!rs->status)
        st_http_problem(rs, 500, NULL, "the handler for %s %s gave no answer", rq->method,
                        rq->path);
}

/* The peer's IP address as text, in a; NULL when unknown. */
static const char *client_address(struct MHD_Connection *conn, st_arena *a)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    char buf[INET6_ADDRSTRLEN];
    const char *s = NULL;
    if (sa && sa->sa_family == AF_INET)
        s = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
    else if (sa && sa->sa_family == AF_INET6)
        s = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
    return s ? st_arena_strndup(a, s, strlen(s)) : NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    st_api *api = cls;
    struct conn_ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c || !(c->a = st_arena_create(0))) {
            free(c);
            return MHD_NO;
        }
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_big) {
            if (c->n + *upload_size > ST_HTTP_MAX_BODY) {
                c->too_big = 1;
            } else if (c->n + *upload_size + 1 > c->cap) {
                size_t cap = c->cap ? c->cap : 65536;
                while (cap < c->n + *upload_size + 1)
                    cap *= 2;
                char *b = realloc(c->body, cap);
                if (!b)
                    c->too_big = 1;
                else {
                    c->body = b;
                    c->cap = cap;
                }
            }
            if (!c->too_big) {
                memcpy(c->body + c->n, upload, *upload_size);
                c->n += *upload_size;
                c->body[c->n] = 0;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    st_http_req rq = {0};
    rq.method = method;
    size_t ulen = strlen(url);
    char *path = st_arena_strndup(c->a, url, ulen), *split = st_arena_strndup(c->a, url, ulen);
    if (!path || !split)
        return MHD_NO;
    rq.path = path;
    split_path(&rq, split);
    rq.body = c->body;
    rq.body_len = c->n;
    rq.a = c->a;
    rq.store = api->store;
    rq.api = api;
    rq.conn = conn;
    rq.client = client_address(conn, c->a);
    st_http_resp rs = {0};
    handle(api, &rq, &rs, c);
    st_scope_destroy(rq.scope);
    access_log(api, &rq, &rs, c);
    st_api_count(api, &rq, &rs, c->start);
    enum MHD_Result ok = respond(conn, &rs);
    st_http_resp_free(&rs);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_ctx *c = *con_cls;
    if (!c)
        return;
    st_arena_destroy(c->a);
    free(c->body);
    free(c);
    *con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------------------- */

static st_rc parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                          st_error *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "listen address \"%s\" is not HOST:PORT (e.g. 127.0.0.1:8080)", listen);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || !colon[1] || port < 0 || port > 65535)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "port in \"%s\" is not 0..65535", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = 0;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return st_fail(err, ST_ERR_ARG, -1, NULL, "\"%s\" is not an IPv6 address", host + 1);
        *len = sizeof *a6;
        return ST_OK;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "\"%s\" is not an IPv4 address", host);
    *len = sizeof *a4;
    return ST_OK;
}

static char *slurp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = 0;
    return buf;
}

st_rc st_server_start(st_store *s, const st_server_opts *o, st_server **out, st_error *err)
{
    st_server_opts none = {0};
    if (!o)
        o = &none;
    if (!s || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no handle");
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    st_rc rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &ss, &sslen, err);
    if (rc)
        return rc;
    st_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return ST_ERR_NOMEM;
    if ((rc = st_api_init(&srv->api, s, o, err))) {
        free(srv);
        return rc;
    }
    unsigned threads = o->threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 2 ? (unsigned)cores : 2;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    char *cert = NULL, *key = NULL;
    if (o->tls_cert || o->tls_key) {
        if (!o->tls_cert || !o->tls_key) {
            rc = st_fail(err, ST_ERR_ARG, -1, NULL, "TLS needs both --tls-cert and --tls-key");
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            rc = st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                         "this libmicrohttpd has no TLS; run behind a TLS reverse proxy");
            goto fail;
        }
        cert = slurp_file(o->tls_cert);
        key = slurp_file(o->tls_key);
        if (!cert || !key) {
            rc = st_fail(err, ST_ERR_IO, -1, NULL, "cannot read %s", !cert ? o->tls_cert : o->tls_key);
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    srv->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv->api, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)ST_HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)ST_HTTP_IDLE_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)ST_HTTP_MAX_HEADER_BYTES, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    if (!srv->d) {
        rc = st_fail(err, ST_ERR_IO, -1, NULL, "cannot listen on %s: %s",
                     o->listen ? o->listen : "127.0.0.1:8080", strerror(errno ? errno : EADDRINUSE));
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    free(cert);
    free(key);
    *out = srv;
    return ST_OK;
fail:
    free(cert);
    free(key);
    st_api_free(&srv->api);
    free(srv);
    return rc;
}

unsigned st_server_port(const st_server *srv)
{
    return srv ? srv->port : 0;
}

void st_server_stop(st_server *srv)
{
    if (!srv)
        return;
    st_api_shutdown(&srv->api); /* wake long-lived streams so they end */
    /* stop accepting, then let the requests in flight finish (bounded) */
    MHD_socket ls = MHD_quiesce_daemon(srv->d);
    for (int i = 0; i < ST_HTTP_DRAIN_SECONDS * 100; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    st_api_free(&srv->api);
    free(srv);
}
