/*
 * Server-wide state shared by the handlers (st_api) and the hooks the
 * server calls around every request: authorisation (API keys and roles,
 * auth.c), counting (metrics.c), shutdown (ending streams, routes_stream.c).
 * Each part keeps its own state behind a pointer here and its own
 * init/free pair, called from api.c.
 */
#ifndef ST_API_API_INT_H
#define ST_API_API_INT_H

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <serialtrack/seal.h>
#include <serialtrack/server.h>

#include "api/http.h"
#include "api/router.h"

struct st_auth;    /* auth.c: keys, roles, rate limits */
struct st_metrics; /* metrics.c: counters and histograms */
struct st_hub;     /* routes_stream.c: live event stream subscribers */
struct st_jobs;    /* routes_epcis.c: capture jobs */
struct st_iplimit; /* iplimit.c: rate limits per client address (key-less routes) */

struct st_api {
    st_store *store;           /* borrowed */
    FILE *log;                 /* access log, or NULL (borrowed) */
    pthread_mutex_t log_mu;    /* one line at a time */
    volatile int stopping;     /* set by st_api_shutdown */
    struct st_auth *auth;      /* owned by auth.c */
    struct st_metrics *metrics; /* owned by metrics.c */
    struct st_hub *hub;        /* owned by routes_stream.c */
    struct st_jobs *jobs;      /* owned by routes_epcis.c */
    struct st_iplimit *verify_limit; /* GET /verify: per client address (iplimit.c) */
    st_seal_key *data_key;     /* seals personal data, or NULL when none is configured */
};

/* Set up api for store s with the server's options. */
st_rc st_api_init(st_api *api, st_store *s, const st_server_opts *o, st_error *err);

/* Free what api holds (not the store). Accepts a zeroed api. */
void st_api_free(st_api *api);

/* The server is stopping: end long-lived responses (streams). */
void st_api_shutdown(st_api *api);

/* 1 when the caller of rq may use route r; else writes the problem (401,
 * 403 or 429) into rs and returns 0. */
int st_api_authorize(st_api *api, st_http_req *rq, st_http_resp *rs, const st_route *r);

/* Count a finished request (metrics). start: when it arrived (monotonic). */
void st_api_count(st_api *api, const st_http_req *rq, const st_http_resp *rs,
                  struct timespec start);

/* ---- the parts (each file implements its own) ---- */

st_rc st_auth_init(st_api *api, const st_server_opts *o, st_error *err); /* auth.c */
void st_auth_free(st_api *api);
int st_auth_check(st_api *api, st_http_req *rq, st_http_resp *rs, const st_route *r);

st_rc st_metrics_init(st_api *api, st_error *err); /* metrics.c */
void st_metrics_free(st_api *api);
void st_metrics_count(st_api *api, const st_http_req *rq, const st_http_resp *rs,
                      struct timespec start);

st_rc st_hub_init(st_api *api, st_error *err);   /* routes_stream.c */
void st_hub_shutdown(st_api *api);
void st_hub_free(st_api *api);

st_rc st_jobs_init(st_api *api, st_error *err);  /* routes_epcis.c */
void st_jobs_free(st_api *api);

/* routes_anomaly.c: the per-client limit of GET /verify, from
 * $SERIALTRACK_VERIFY_RATE_LIMIT */
st_rc st_verify_limit_init(st_api *api, st_error *err);
void st_verify_limit_free(st_api *api);

#endif
