/*
 * API keys, roles and rate limits on every request (api_int.h): the key is
 * read from "Authorization: Bearer KEY" or "X-API-Key: KEY", judged by the
 * key cache (auth_cache.c), and a refusal is written as a problem: 401 with
 * WWW-Authenticate, 403 naming the role and what the route needs, 429 with
 * Retry-After. Public routes (roles 0) need no key. A store with no keys at
 * all is served open (development mode), with a warning on stderr.
 *
 * Settings from the environment (read once, at start):
 *   SERIALTRACK_RATE_LIMIT        "RATE[/BURST]" requests per second per key
 *                                 (default 1000/2000; "0" or "off": no limit)
 *   SERIALTRACK_KEY_CACHE_SECONDS how long a key's validity is cached
 *                                 (default 5; a revoke takes effect within it)
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api_int.h"
#include "api/auth_cache.h"
#include "common/error.h"

_Static_assert(ST_KEY_ROLE_ADMIN == ST_ROLE_BIT_ADMIN &&
                   ST_KEY_ROLE_CAPTURE == ST_ROLE_BIT_CAPTURE &&
                   ST_KEY_ROLE_QUERY == ST_ROLE_BIT_QUERY &&
                   ST_KEY_ROLE_PARTNER == ST_ROLE_BIT_PARTNER,
               "key roles (keys.h) and route role bits (router.h) are the same bits");

struct st_auth {
    struct st_authcache *cache; /* keys, buckets */
    st_authcache_opts o;        /* the settings in force */
    atomic_int open;            /* 1 while the store has no keys (last seen) */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A rate limit (--rate-limit, SERIALTRACK_RATE_LIMIT) into o. */
static st_rc parse_rate(const char *v, st_authcache_opts *o, st_error *err)
{
    o->rate = ST_AUTH_RATE_DEFAULT;
    o->burst = ST_AUTH_BURST_DEFAULT;
    if (!v || !*v)
        return ST_OK;
    if (!strcmp(v, "off") || !strcmp(v, "0")) {
        o->rate = 0;
        return ST_OK;
    }
    char *end;
    double rate = strtod(v, &end), burst = 2 * rate;
    if (*end == '/')
        burst = strtod(end + 1, &end);
    if (*end || end == v || !(rate > 0) || rate > 1e9 || !(burst >= 1) || burst > 1e9)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "the rate limit \"%s\" is not RATE[/BURST] (requests per second "
                       "per key, e.g. 1000/2000; BURST at least 1) or off",
                       v);
    o->rate = rate;
    o->burst = burst;
    return ST_OK;
}

/* A key cache time (--key-cache-seconds, SERIALTRACK_KEY_CACHE_SECONDS) into o. */
static st_rc parse_ttl(const char *v, st_authcache_opts *o, st_error *err)
{
    o->ttl_ms = ST_AUTH_TTL_MS_DEFAULT;
    if (!v || !*v)
        return ST_OK;
    char *end;
    double s = strtod(v, &end);
    if (*end || end == v || !(s >= 0) || s * 1000 > ST_AUTH_TTL_MS_MAX)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "the key cache time \"%s\" is not a number of seconds from 0 "
                       "to %d",
                       v, ST_AUTH_TTL_MS_MAX / 1000);
    o->ttl_ms = (int64_t)(s * 1000);
    return ST_OK;
}

static void say_open(int open)
{
    if (open)
        fprintf(stderr, "serialtrack serve: warning: the store has no API keys, so every caller "
                        "may use every route (development mode); create one with `serialtrack "
                        "keys create --name admin --role admin`\n");
    else
        fprintf(stderr, "serialtrack serve: the store has API keys now; requests need one\n");
}

st_rc st_auth_init(st_api *api, const st_server_opts *o, st_error *err)
{
    struct st_auth *a = calloc(1, sizeof *a);
    if (!a)
        return ST_ERR_NOMEM;
    const char *rate = o && o->rate_limit ? o->rate_limit : getenv("SERIALTRACK_RATE_LIMIT");
    const char *ttl =
        o && o->key_cache_seconds ? o->key_cache_seconds : getenv("SERIALTRACK_KEY_CACHE_SECONDS");
    st_rc rc = parse_rate(rate, &a->o, err);
    if (!rc)
        rc = parse_ttl(ttl, &a->o, err);
    if (!rc && !(a->cache = st_authcache_create(api->store, &a->o)))
        rc = ST_ERR_NOMEM;
    if (!rc) {
        int open = st_authcache_open(a->cache, mono_ms(), err);
        if (open < 0)
            rc = err && err->rc ? err->rc : ST_ERR_IO;
        else if ((atomic_store(&a->open, open), open))
            say_open(1);
    }
    if (rc) {
        st_authcache_destroy(a->cache);
        free(a);
        return rc;
    }
    api->auth = a;
    return ST_OK;
}

void st_auth_free(st_api *api)
{
    if (!api->auth)
        return;
    st_authcache_destroy(api->auth->cache);
    free(api->auth);
    api->auth = NULL;
}

/* The key the request carries, copied into buf; NULL when none. A value
 * longer than a key can be is returned cut (it will not match). */
static const char *request_key(st_http_req *rq, char *buf, size_t cap)
{
    const char *v = st_http_header(rq, "Authorization");
    if (v && !strncasecmp(v, "Bearer", 6) && (v[6] == ' ' || v[6] == '\t')) {
        v += 6;
    } else {
        v = st_http_header(rq, "X-API-Key");
        if (!v)
            return NULL;
    }
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strcspn(v, " \t");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, v, n);
    buf[n] = 0;
    return buf;
}

/* "admin, query or partner" for a set of role bits. */
static void roles_text(unsigned roles, char *out, size_t cap)
{
    size_t n = 0;
    int count = 0, total = 0;
    for (unsigned bit = 1; bit <= ST_KEY_ROLE_PARTNER; bit <<= 1)
        total += (roles & bit) != 0;
    out[0] = 0;
    for (unsigned bit = 1; bit <= ST_KEY_ROLE_PARTNER; bit <<= 1) {
        if (!(roles & bit))
            continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? " or " : ", ";
        int w = snprintf(out + n, cap - n, "%s%s", sep, st_key_role_name(bit));
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

int st_auth_check(st_api *api, st_http_req *rq, st_http_resp *rs, const st_route *r)
{
    struct st_auth *a = api->auth;
    rq->role = 0;
    rq->party = NULL;
    rq->key_name = NULL;
    if (!r->roles)
        return 1; /* public */
    char buf[ST_KEY_TEXT_MAX + 1];
    const char *key = request_key(rq, buf, sizeof buf);
    st_auth_caller who;
    st_error e;
    st_error_clear(&e);
    st_auth_verdict v = st_authcache_check(a->cache, key, r->roles, mono_ms(), &who, &e);
    int open = v == ST_AUTH_OPEN;
    if (v != ST_AUTH_FAILED && atomic_exchange(&a->open, open) != open)
        say_open(open);
    char need[64], n[32];
    switch (v) {
    case ST_AUTH_OPEN:
    case ST_AUTH_PASS:
        rq->role = who.role;
        if (who.party[0])
            rq->party = st_arena_strndup(rq->a, who.party, strlen(who.party));
        if (who.name[0])
            rq->key_name = st_arena_strndup(rq->a, who.name, strlen(who.name));
        if (who.role == ST_KEY_ROLE_PARTNER && !rq->party) {
            st_http_problem(rs, 403, NULL, "the partner key \"%s\" names no party", who.name);
            return 0;
        }
        if (rq->party && who.role == ST_KEY_ROLE_PARTNER &&
            st_scope_open(rq->store, rq->party, &rq->scope, &e) != ST_OK) {
            st_http_problem(rs, st_http_status_of(e.rc), NULL,
                            "the scope of the partner key \"%s\" cannot be read: %s", who.name,
                            e.msg);
            return 0;
        }
        return 1;
    case ST_AUTH_NO_KEY:
        st_http_problem(rs, 401, NULL,
                        "%s %s needs an API key: send \"Authorization: Bearer KEY\" or "
                        "\"X-API-Key: KEY\"",
                        rq->method, rq->path);
        st_http_add_header(rs, "WWW-Authenticate", "Bearer realm=\"serialtrack\"");
        return 0;
    case ST_AUTH_BAD_KEY:
    case ST_AUTH_REVOKED:
        if (v == ST_AUTH_REVOKED)
            st_http_problem(rs, 401, NULL, "the API key \"%s\" has been revoked", who.name);
        else
            st_http_problem(rs, 401, NULL, "the API key is not valid");
        st_http_add_header(rs, "WWW-Authenticate",
                           "Bearer realm=\"serialtrack\", error=\"invalid_token\"");
        return 0;
    case ST_AUTH_FORBIDDEN:
        roles_text(r->roles, need, sizeof need);
        st_http_problem(rs, 403, NULL, "the API key \"%s\" has role %s; %s %s needs %s", who.name,
                        st_key_role_name(who.role), rq->method, r->pattern, need);
        return 0;
    case ST_AUTH_LIMITED:
        snprintf(n, sizeof n, "%lld", (long long)who.retry_after_s);
        st_http_problem(rs, 429, NULL,
                        "the API key \"%s\" is over its rate limit of %g requests per second "
                        "(burst %g); retry in %s s",
                        who.name, a->o.rate, a->o.burst, n);
        st_http_add_header(rs, "Retry-After", n);
        return 0;
    case ST_AUTH_FAILED:
    default:
        st_http_problem(rs, 503, NULL, "the API keys cannot be read: %s",
                        e.msg[0] ? e.msg : "the store does not answer");
        return 0;
    }
}
