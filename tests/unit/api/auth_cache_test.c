/*
 * The caller decisions of the server (lib/api/auth_cache.c), on a real store
 * and a clock the test moves: development mode while the store has no keys,
 * the role matrix against the route role sets of router.h, unknown and
 * revoked keys (a revoke seen once the cache time has passed), and the
 * token bucket per key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "unit/tmp_store.h"

#include "api/auth_cache.h"
#include "api/router.h"

typedef struct fx {
    tmp_store t; /* the store, in a temporary folder */
    char key[4][ST_KEY_LEN + 1]; /* admin, capture, query, partner */
} fx;

static const char *const role_names[4] = {"admin", "capture", "query", "partner"};

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "auth"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tmp_store_remove(&f->t);
    free(f);
    return 0;
}

static void make_keys(fx *f)
{
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "k-%s", role_names[i]);
        assert_int_equal(st_keys_create(f->t.s, name, role_names[i],
                                        i == 3 ? "urn:epc:id:pgln:0614141.00000" : NULL,
                                        f->key[i], sizeof f->key[i], NULL),
                         ST_OK);
    }
}

/* ---- development mode ------------------------------------------------------------- */

static void test_open_without_keys(void **state)
{
    fx *f = *state;
    st_authcache_opts o = {.ttl_ms = 5000};
    struct st_authcache *c = st_authcache_create(f->t.s, &o);
    st_auth_caller who;
    assert_int_equal(st_authcache_open(c, 1000, NULL), 1);
    assert_int_equal(st_authcache_check(c, NULL, ST_ROLES_WRITE, 1000, &who, NULL), ST_AUTH_OPEN);
    assert_int_equal(who.role, ST_KEY_ROLE_ADMIN);
    assert_int_equal(st_authcache_check(c, "stk_whatever", ST_ROLE_BIT_ADMIN, 1000, &who, NULL),
                     ST_AUTH_OPEN);

    /* a key appears: still open until the count is read again, then closed */
    make_keys(f);
    assert_int_equal(st_authcache_check(c, NULL, ST_ROLES_READ, 5999, &who, NULL), ST_AUTH_OPEN);
    assert_int_equal(st_authcache_check(c, NULL, ST_ROLES_READ, 6000, &who, NULL), ST_AUTH_NO_KEY);
    assert_int_equal(who.role, 0);
    assert_int_equal(st_authcache_open(c, 6000, NULL), 0);
    /* public routes never need a key */
    assert_int_equal(st_authcache_check(c, NULL, 0, 6000, &who, NULL), ST_AUTH_PASS);
    st_authcache_destroy(c);
    st_authcache_destroy(NULL);
}

/* ---- the role matrix ------------------------------------------------------------- */

static void test_role_matrix(void **state)
{
    fx *f = *state;
    make_keys(f);
    st_authcache_opts o = {.ttl_ms = 5000};
    struct st_authcache *c = st_authcache_create(f->t.s, &o);
    static const struct {
        const char *what;
        unsigned roles;
        int allowed[4]; /* admin, capture, query, partner */
    } rows[] = {
        {"read routes (GET /events, /items)", ST_ROLES_READ, {1, 0, 1, 1}},
        {"write routes (POST /capture)", ST_ROLES_WRITE, {1, 1, 0, 0}},
        {"admin only", ST_ROLE_BIT_ADMIN, {1, 0, 0, 0}},
        {"query only", ST_ROLE_BIT_QUERY, {0, 0, 1, 0}},
        {"every role", ST_ROLES_READ | ST_ROLES_WRITE, {1, 1, 1, 1}},
    };
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
        for (int k = 0; k < 4; k++) {
            st_auth_caller who;
            st_auth_verdict v = st_authcache_check(c, f->key[k], rows[r].roles, 1000, &who, NULL);
            st_auth_verdict want = rows[r].allowed[k] ? ST_AUTH_PASS : ST_AUTH_FORBIDDEN;
            if (v != want)
                fail_msg("%s, role %s: verdict %d, expected %d", rows[r].what, role_names[k], v,
                         want);
            assert_int_equal(who.role, 1u << k);
            char name[16];
            snprintf(name, sizeof name, "k-%s", role_names[k]);
            assert_string_equal(who.name, name);
            assert_string_equal(who.party, k == 3 ? "urn:epc:id:pgln:0614141.00000" : "");
        }
    st_authcache_destroy(c);
}

/* ---- unknown and revoked keys ----------------------------------------------------------- */

static void test_bad_and_revoked(void **state)
{
    fx *f = *state;
    make_keys(f);
    st_authcache_opts o = {.ttl_ms = 5000};
    struct st_authcache *c = st_authcache_create(f->t.s, &o);
    st_auth_caller who;
    char other[ST_KEY_LEN + 1];
    memcpy(other, f->key[0], sizeof other);
    other[20] = other[20] == 'a' ? 'b' : 'a';
    assert_int_equal(st_authcache_check(c, other, ST_ROLES_READ, 0, &who, NULL), ST_AUTH_BAD_KEY);
    assert_int_equal(st_authcache_check(c, "stk_short", ST_ROLES_READ, 0, &who, NULL),
                     ST_AUTH_BAD_KEY);
    assert_int_equal(st_authcache_check(c, "", ST_ROLES_READ, 0, &who, NULL), ST_AUTH_NO_KEY);

    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 0, &who, NULL), ST_AUTH_PASS);
    assert_int_equal(st_keys_revoke(f->t.s, "k-query", NULL), ST_OK);
    /* cached: still valid until the cache time has passed ... */
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 4999, &who, NULL),
                     ST_AUTH_PASS);
    /* ... and refused from then on */
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 5000, &who, NULL),
                     ST_AUTH_REVOKED);
    assert_string_equal(who.name, "k-query");
    assert_int_equal(who.role, 0);
    /* the other keys are untouched */
    assert_int_equal(st_authcache_check(c, f->key[3], ST_ROLES_READ, 5000, &who, NULL),
                     ST_AUTH_PASS);
    st_authcache_destroy(c);

    /* without a cache the revoke is seen at once */
    st_authcache_opts none = {0};
    c = st_authcache_create(f->t.s, &none);
    assert_int_equal(st_authcache_check(c, f->key[1], ST_ROLES_WRITE, 0, &who, NULL),
                     ST_AUTH_PASS);
    assert_int_equal(st_keys_revoke(f->t.s, "k-capture", NULL), ST_OK);
    assert_int_equal(st_authcache_check(c, f->key[1], ST_ROLES_WRITE, 0, &who, NULL),
                     ST_AUTH_REVOKED);
    st_authcache_destroy(c);
}

/* ---- rate limits -------------------------------------------------------------------------- */

static void test_rate_limit(void **state)
{
    fx *f = *state;
    make_keys(f);
    st_authcache_opts o = {.ttl_ms = 60000, .rate = 2, .burst = 3};
    struct st_authcache *c = st_authcache_create(f->t.s, &o);
    st_auth_caller who;
    for (int i = 0; i < 3; i++)
        assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 0, &who, NULL),
                         ST_AUTH_PASS);
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 0, &who, NULL),
                     ST_AUTH_LIMITED);
    assert_int_equal(who.retry_after_s, 1);
    assert_string_equal(who.name, "k-query");
    /* another key has its own bucket */
    assert_int_equal(st_authcache_check(c, f->key[0], ST_ROLES_READ, 0, &who, NULL),
                     ST_AUTH_PASS);
    /* 2 per second: not one whole token back before 500 ms; by 1500 ms the
     * bucket is full again, and never fuller than its burst */
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 499, &who, NULL),
                     ST_AUTH_LIMITED);
    for (int i = 0; i < 3; i++)
        assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 1500, &who, NULL),
                         ST_AUTH_PASS);
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 1500, &who, NULL),
                     ST_AUTH_LIMITED);
    for (int i = 0; i < 3; i++)
        assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 100000, &who, NULL),
                         ST_AUTH_PASS);
    assert_int_equal(st_authcache_check(c, f->key[2], ST_ROLES_READ, 100000, &who, NULL),
                     ST_AUTH_LIMITED);
    st_authcache_destroy(c);

    /* a slow rate: the wait is rounded up to whole seconds */
    st_authcache_opts slow = {.ttl_ms = 60000, .rate = 0.25, .burst = 1};
    c = st_authcache_create(f->t.s, &slow);
    assert_int_equal(st_authcache_check(c, f->key[1], ST_ROLES_WRITE, 0, &who, NULL),
                     ST_AUTH_PASS);
    assert_int_equal(st_authcache_check(c, f->key[1], ST_ROLES_WRITE, 0, &who, NULL),
                     ST_AUTH_LIMITED);
    assert_int_equal(who.retry_after_s, 4);
    st_authcache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_without_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_and_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
