/*
 * Caller decisions (auth_cache.h): a set-associative cache of stored keys,
 * indexed by SHA-256 of the key (the key itself is never kept), each entry
 * with its token bucket. Store reads happen outside the lock; two threads
 * may then read the same key, which is harmless.
 */
#include "api/auth_cache.h"

#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

enum { KS_UNKNOWN = 0, KS_VALID, KS_REVOKED }; /* what the store said about a key */

struct entry {
    unsigned char hash[32];           /* SHA-256 of the key */
    int used;                         /* the slot holds an entry */
    int state;                        /* KS_* */
    unsigned role;                    /* ST_KEY_ROLE_* */
    char name[ST_KEY_NAME_MAX + 1];   /* the key's name */
    char party[ST_KEY_PARTY_MAX + 1]; /* its party, or "" */
    int64_t expires_ms;               /* read the store again from then on */
    int64_t last_use_ms;              /* for eviction */
    double tokens;                    /* the bucket */
    int64_t refill_ms;                /* when tokens was last brought up to date */
};

struct st_authcache {
    st_store *s;                  /* borrowed */
    st_authcache_opts o;          /* settings */
    pthread_mutex_t mu;           /* guards what follows */
    int64_t nkeys;                /* keys in the store when last counted */
    int64_t nkeys_expires_ms;     /* count again from then on (0: never counted) */
    struct entry set[ST_AUTH_CACHE_SETS][ST_AUTH_CACHE_WAYS];
};

struct st_authcache *st_authcache_create(st_store *s, const st_authcache_opts *o)
{
    struct st_authcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->s = s;
    if (o)
        c->o = *o;
    if (c->o.ttl_ms < 0)
        c->o.ttl_ms = 0;
    if (c->o.burst < 1)
        c->o.burst = 1;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void st_authcache_destroy(struct st_authcache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int st_authcache_open(struct st_authcache *c, int64_t now_ms, st_error *err)
{
    pthread_mutex_lock(&c->mu);
    int fresh = c->nkeys_expires_ms && now_ms < c->nkeys_expires_ms;
    int64_t n = c->nkeys;
    pthread_mutex_unlock(&c->mu);
    if (fresh)
        return n == 0;
    if (st_keys_count(c->s, &n, err) != ST_OK)
        return -1;
    pthread_mutex_lock(&c->mu);
    c->nkeys = n;
    c->nkeys_expires_ms = now_ms + (c->o.ttl_ms ? c->o.ttl_ms : 1);
    pthread_mutex_unlock(&c->mu);
    return n == 0;
}

/* The entry of hash in its set, or NULL. Under c->mu. */
static struct entry *find(struct st_authcache *c, const unsigned char hash[32])
{
    struct entry *set = c->set[(hash[0] | (unsigned)hash[1] << 8) % ST_AUTH_CACHE_SETS];
    for (int i = 0; i < ST_AUTH_CACHE_WAYS; i++)
        if (set[i].used && !memcmp(set[i].hash, hash, 32))
            return &set[i];
    return NULL;
}

/* A slot for hash: its own, a free one, or the least recently used. Under c->mu. */
static struct entry *slot(struct st_authcache *c, const unsigned char hash[32])
{
    struct entry *e = find(c, hash);
    if (e)
        return e;
    struct entry *set = c->set[(hash[0] | (unsigned)hash[1] << 8) % ST_AUTH_CACHE_SETS];
    e = &set[0];
    for (int i = 0; i < ST_AUTH_CACHE_WAYS; i++) {
        if (!set[i].used) {
            e = &set[i];
            break;
        }
        if (set[i].last_use_ms < e->last_use_ms)
            e = &set[i];
    }
    memset(e, 0, sizeof *e);
    return e;
}

/* 1 when a request may go (taking a token); else the seconds until it may. Under c->mu. */
static int take_token(struct st_authcache *c, struct entry *e, int64_t now_ms, int64_t *retry_s)
{
    if (c->o.rate <= 0)
        return 1;
    if (now_ms > e->refill_ms) {
        e->tokens += (double)(now_ms - e->refill_ms) * c->o.rate / 1000.0;
        if (e->tokens > c->o.burst)
            e->tokens = c->o.burst;
        e->refill_ms = now_ms;
    }
    if (e->tokens >= 1) {
        e->tokens -= 1;
        return 1;
    }
    double s = ceil((1 - e->tokens) / c->o.rate);
    *retry_s = s < 1 ? 1 : (int64_t)s;
    return 0;
}

/* The verdict on entry e for a route open to roles. Under c->mu. */
static st_auth_verdict decide(struct st_authcache *c, struct entry *e, unsigned roles,
                              int64_t now_ms, st_auth_caller *who)
{
    e->last_use_ms = now_ms;
    who->role = e->state == KS_VALID ? e->role : 0;
    memcpy(who->name, e->name, sizeof who->name);
    memcpy(who->party, e->party, sizeof who->party);
    if (e->state == KS_UNKNOWN)
        return ST_AUTH_BAD_KEY;
    if (e->state == KS_REVOKED)
        return ST_AUTH_REVOKED;
    if (!take_token(c, e, now_ms, &who->retry_after_s))
        return ST_AUTH_LIMITED;
    return e->role & roles ? ST_AUTH_PASS : ST_AUTH_FORBIDDEN;
}

st_auth_verdict st_authcache_check(struct st_authcache *c, const char *key, unsigned roles,
                                   int64_t now_ms, st_auth_caller *who, st_error *err)
{
    st_auth_caller none;
    if (!who)
        who = &none;
    memset(who, 0, sizeof *who);
    if (!roles)
        return ST_AUTH_PASS;
    int open = st_authcache_open(c, now_ms, err);
    if (open < 0)
        return ST_AUTH_FAILED;
    if (open) {
        who->role = ST_KEY_ROLE_ADMIN;
        return ST_AUTH_OPEN;
    }
    if (!key || !*key)
        return ST_AUTH_NO_KEY;
    size_t n = strlen(key);
    if (n != ST_KEY_LEN || strncmp(key, ST_KEY_PREFIX, sizeof ST_KEY_PREFIX - 1))
        return ST_AUTH_BAD_KEY; /* not even the form of a key: no cache slot spent on it */
    unsigned char h[32];
    unsigned hl = 0;
    if (EVP_Digest(key, n, h, &hl, EVP_sha256(), NULL) != 1) {
        st_fail(err, ST_ERR_INTERNAL, -1, NULL, "SHA-256 failed");
        return ST_AUTH_FAILED;
    }

    pthread_mutex_lock(&c->mu);
    struct entry *e = find(c, h);
    if (e && now_ms < e->expires_ms) {
        st_auth_verdict v = decide(c, e, roles, now_ms, who);
        pthread_mutex_unlock(&c->mu);
        return v;
    }
    pthread_mutex_unlock(&c->mu);

    st_key_info k;
    st_error e2;
    st_error_clear(&e2);
    st_rc rc = st_keys_lookup(c->s, key, &k, &e2);
    if (rc && rc != ST_ERR_NOT_FOUND) {
        if (err)
            *err = e2;
        return ST_AUTH_FAILED;
    }
    if (rc)
        memset(&k, 0, sizeof k);

    pthread_mutex_lock(&c->mu);
    e = slot(c, h);
    if (!e->used) { /* new: a full bucket */
        memcpy(e->hash, h, 32);
        e->used = 1;
        e->tokens = c->o.burst;
        e->refill_ms = now_ms;
    }
    e->state = !k.id ? KS_UNKNOWN : k.revoked_ms ? KS_REVOKED : KS_VALID;
    e->role = k.role;
    memcpy(e->name, k.name, sizeof e->name);
    memcpy(e->party, k.party, sizeof e->party);
    e->expires_ms = now_ms + c->o.ttl_ms;
    st_auth_verdict v = decide(c, e, roles, now_ms, who);
    pthread_mutex_unlock(&c->mu);
    return v;
}
