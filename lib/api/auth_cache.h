/*
 * The server's decision on one caller, without HTTP: API key -> stored key
 * (cached for a short time so that requests do not each read the store),
 * then the key's token bucket, then its role against the route's roles.
 * auth.c turns the verdict into a response; tests drive it with their own
 * clock.
 */
#ifndef ST_API_AUTH_CACHE_H
#define ST_API_AUTH_CACHE_H

#include <stdint.h>
#include <serialtrack/keys.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

/* Its caps and defaults (ST_AUTH_*) are in serialtrack/limits.h. */

/* Settings; zero-initialise for no caching and no rate limit. */
typedef struct st_authcache_opts {
    int64_t ttl_ms; /* how long a key's record (valid, revoked, unknown) is trusted; 0: not cached */
    double rate;    /* tokens added per second to each key's bucket; <= 0: no limit */
    double burst;   /* bucket size (requests allowed at once); < 1 taken as 1 */
} st_authcache_opts;

/* What st_authcache_check decided. */
typedef enum st_auth_verdict {
    ST_AUTH_PASS = 0,  /* the key is valid, under its limit and its role may use the route */
    ST_AUTH_OPEN,      /* the store has no keys at all: development mode, everyone passes */
    ST_AUTH_NO_KEY,    /* no key was sent (401) */
    ST_AUTH_BAD_KEY,   /* the key is not one of the store's (401) */
    ST_AUTH_REVOKED,   /* the key was revoked (401) */
    ST_AUTH_FORBIDDEN, /* the key's role is not among the route's (403) */
    ST_AUTH_LIMITED,   /* the key is over its rate limit (429) */
    ST_AUTH_FAILED,    /* the store could not be read (503; err says why) */
} st_auth_verdict;

/* Who is calling, as far as the verdict found out. */
typedef struct st_auth_caller {
    unsigned role;                    /* ST_KEY_ROLE_* bit; 0 when no valid key */
    char name[ST_KEY_NAME_MAX + 1];   /* the key's name, or "" */
    char party[ST_KEY_PARTY_MAX + 1]; /* the key's party, or "" */
    int64_t retry_after_s;            /* ST_AUTH_LIMITED: whole seconds until a token is back */
} st_auth_caller;

struct st_authcache;

/* A cache over store s (borrowed; must outlive it) with settings o (copied;
 * NULL: no caching, no limit). NULL when out of memory. Free with
 * st_authcache_destroy, which accepts NULL. Thread-safe. */
struct st_authcache *st_authcache_create(st_store *s, const st_authcache_opts *o);
void st_authcache_destroy(struct st_authcache *c);

/*
 * Decide on a caller sending key (NULL or "": none) for a route open to
 * roles (ST_KEY_ROLE_* bits; 0: public, always ST_AUTH_PASS) at now_ms (a
 * monotonic clock, milliseconds). Fills *who (may be NULL). A passing call
 * takes one token from the key's bucket. Store errors give ST_AUTH_FAILED
 * with the sentence in err (may be NULL); they are not cached.
 */
st_auth_verdict st_authcache_check(struct st_authcache *c, const char *key, unsigned roles,
                                   int64_t now_ms, st_auth_caller *who, st_error *err);

/* 1 when the store had no keys at all when last looked at (at most ttl_ms
 * ago, looking again now if older); -1 when it could not be read. */
int st_authcache_open(struct st_authcache *c, int64_t now_ms, st_error *err);

#endif
