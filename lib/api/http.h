/*
 * One HTTP exchange as the API's handlers see it, independent of
 * libmicrohttpd: the request (method, decoded path segments, query
 * parameters, headers, body, who is calling) and the response being built
 * (status, headers, body). server.c fills the request and sends the response;
 * handlers (lib/api/routes_*.c) only use this interface.
 */
#ifndef ST_API_HTTP_H
#define ST_API_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

#include "common/arena.h"

#define ST_HTTP_MAX_SEGMENTS 32 /* path segments of one request */
#define ST_HTTP_MAX_HEADERS 16  /* response headers a handler may add */

typedef struct st_api st_api; /* server-wide state (server.c) */

/* The request. Everything is borrowed from the server for the duration of
 * the handler call; copy what must outlive it into rq->a. */
typedef struct st_http_req {
    const char *method;               /* "GET", "POST", ... */
    const char *path;                 /* the path, percent-decoded, without the query */
    const char *seg[ST_HTTP_MAX_SEGMENTS]; /* its segments, decoded ("" for none) */
    int nseg;                         /* number of segments */
    const char *body;                 /* request body (NUL-terminated), or NULL */
    size_t body_len;                  /* its length */
    st_arena *a;                      /* request-scoped memory, freed after the response */
    st_store *store;                  /* the store served */
    st_api *api;                      /* server-wide state */
    const char *param[4];             /* values of the route's {placeholders}, in order */
    int nparam;                       /* how many */
    void *conn;                       /* the server's connection (server.c only) */
    const char *route;                /* pattern of the route matched (static), or NULL */
    unsigned role;                    /* the caller's ST_ROLE_BIT_* (auth.c); 0 on public routes */
    const char *party;                /* a partner key's party (in a), or NULL */
    st_scope *scope;                  /* a partner key's scope (auth.c), freed after the
                                         response unless a handler takes it; else NULL */
    const char *key_name;             /* the caller's API key name (in a), or NULL */
    const char *client;               /* the client's IP address (in a), or NULL */
} st_http_req;

/*
 * A streamed body (server-sent events): called by the server for more bytes
 * at pos; copies at most max bytes into buf and returns how many; 0 when
 * nothing is ready (only after st_http_suspend on the request's connection,
 * or the server calls again at once); ST_HTTP_STREAM_END to end the body,
 * ST_HTTP_STREAM_ERROR to abort the connection. Runs on a server thread.
 */
typedef ssize_t (*st_http_stream_fn)(void *ctx, uint64_t pos, char *buf, size_t max);
#define ST_HTTP_STREAM_END ((ssize_t)-1)
#define ST_HTTP_STREAM_ERROR ((ssize_t)-2)

/* The response. The body is copied by the setters; headers are copied. */
typedef struct st_http_resp {
    unsigned status;                  /* HTTP status; 0 until a handler sets one */
    const char *content_type;         /* static string */
    char *body;                       /* malloc'd, owned */
    size_t len;                       /* its length */
    struct {
        char *name, *value;           /* malloc'd */
    } hdr[ST_HTTP_MAX_HEADERS];
    int nhdr;
    st_http_stream_fn stream;         /* when set, the body comes from it, not from body */
    void *stream_ctx;                 /* its context: owned by the response once sent */
    void (*stream_free)(void *ctx);   /* frees stream_ctx when the body ends or fails */
} st_http_resp;

/* A query parameter (decoded), or NULL. */
const char *st_http_query(const st_http_req *rq, const char *name);

/* Call fn for every query parameter in order; a non-zero return stops. */
int st_http_query_each(const st_http_req *rq, int (*fn)(void *ctx, const char *k, const char *v),
                       void *ctx);

/* A request header, or NULL. */
const char *st_http_header(const st_http_req *rq, const char *name);

/* Respond with status and a body of the given content type (copied). */
void st_http_send(st_http_resp *rs, unsigned status, const char *content_type, const char *body,
                  size_t len);

/* Respond with status and the JSON in jw (taken: jw is reset). */
void st_http_send_json(st_http_resp *rs, unsigned status, st_jw *jw);

/* Add a response header (copied). Ignored beyond ST_HTTP_MAX_HEADERS. */
void st_http_add_header(st_http_resp *rs, const char *name, const char *value);

/* Suspend the connection conn (st_http_req.conn) until st_http_resume:
 * only from inside its st_http_stream_fn, which then returns 0. */
void st_http_suspend(void *conn);

/* Resume a connection suspended by st_http_suspend (and only such a one);
 * any thread. */
void st_http_resume(void *conn);

/* Free what a response holds. */
void st_http_resp_free(st_http_resp *rs);

/*
 * RFC 7807 problem: status, a short title, and detail (printf); written as
 * application/problem+json with "type", "title", "status", "detail" and,
 * when field is not NULL, "field" (the parameter or JSON path at fault).
 */
void st_http_problem(st_http_resp *rs, unsigned status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * A problem refused by a business rule: as st_http_problem, plus "code" (a
 * stable reason code clients match on) and, when extra is not NULL, the
 * members of the JSON object extra[0..extra_n) (compact JSON "{...}",
 * written as given).
 */
void st_http_problem_code(st_http_resp *rs, unsigned status, const char *field, const char *code,
                          const char *detail, const char *extra, size_t extra_n);

/* The HTTP status for a library result code (the one table that maps them). */
unsigned st_http_status_of(st_rc rc);

/* The reason phrase of an HTTP status ("Not Found"); static. */
const char *st_http_reason(unsigned status);

#endif
