/*
 * Serial allocation (lib/store/serial_alloc.c, include/serialtrack/alloc.h):
 * ranges never overlap, survive closing and reopening the store, never
 * repeat under concurrent allocation from several threads, and bad GTINs,
 * counts, schemes and second series are refused with their reason. Runs on
 * every store URL (tests/unit/store_urls.h): SQLite and PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "unit/store_urls.h"
#include "unit/tmp_store.h"

#define GTIN "09520123456788"

typedef st_url_store fx; /* the store (t.s) of the URL template being run */

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static int setup(void **state)
{
    return st_test_url_setup(state, g_url, "alloc");
}

static int teardown(void **state)
{
    return st_test_url_teardown(state);
}

/* ---- helpers ----------------------------------------------------------------------- */

static st_alloc_req seq_req(const char *gtin, uint64_t count)
{
    st_alloc_req r = {0};
    r.gtin = gtin;
    r.count = count;
    r.opts.scheme = ST_SERIAL_SEQUENTIAL;
    r.opts.prefix = "SN";
    r.opts.width = 8;
    r.by = "test";
    return r;
}

static st_alloc_req rnd_req(const char *gtin, uint64_t count)
{
    st_alloc_req r = {0};
    r.gtin = gtin;
    r.count = count;
    r.opts.scheme = ST_SERIAL_RANDOM;
    r.by = "test";
    return r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A growing list of copied serials, to check as a set. */
typedef struct bag {
    char **v;
    size_t n, cap;
    pthread_mutex_t mu;
} bag;

static void bag_add(bag *b, const st_allocation *a)
{
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < st_allocation_count(a); i++) {
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 1024;
            b->v = realloc(b->v, b->cap * sizeof *b->v);
            assert_non_null(b->v);
        }
        b->v[b->n++] = strdup(st_allocation_serial(a, i));
    }
    pthread_mutex_unlock(&b->mu);
}

/* Number of serials in b that equal another one. */
static size_t bag_repeats(bag *b)
{
    qsort(b->v, b->n, sizeof *b->v, cmp_str);
    size_t rep = 0;
    for (size_t i = 1; i < b->n; i++)
        rep += !strcmp(b->v[i - 1], b->v[i]);
    return rep;
}

static void bag_free(bag *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i]);
    free(b->v);
}

typedef struct listing {
    int n;
    st_alloc_info v[8];
} listing;

static st_rc collect(void *ctx, const st_alloc_info *info)
{
    listing *l = ctx;
    if (l->n < 8)
        l->v[l->n] = *info;
    l->n++;
    return ST_OK;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_sequential_ranges(void **state)
{
    fx *f = *state;
    st_allocation *a = NULL, *b = NULL;
    st_error e;
    st_alloc_req r = seq_req(GTIN, 3);
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, &e), ST_OK);
    assert_int_equal(st_allocation_count(a), 3);
    assert_int_equal(st_allocation_first(a), 0);
    assert_string_equal(st_allocation_serial(a, 0), "SN00000000");
    assert_string_equal(st_allocation_serial(a, 2), "SN00000002");
    assert_null(st_allocation_serial(a, 3));
    assert_string_equal(st_allocation_scheme(a), "sequential");
    r.count = 5;
    assert_int_equal(st_alloc_serials(f->t.s, &r, &b, &e), ST_OK);
    assert_int_equal(st_allocation_first(b), 3);
    assert_string_equal(st_allocation_serial(b, 0), "SN00000003");
    assert_true(st_allocation_id(b) > st_allocation_id(a));
    st_allocation_destroy(a);
    st_allocation_destroy(b);
    st_allocation_destroy(NULL);
}

static void test_persisted_across_reopen(void **state)
{
    fx *f = *state;
    bag b = {.mu = PTHREAD_MUTEX_INITIALIZER};
    st_allocation *a = NULL;
    st_alloc_req r = rnd_req(GTIN, 500);
    st_alloc_req q = seq_req("4006381333931", 10); /* a GTIN-13, kept as 14 digits */
    for (int round = 0; round < 3; round++) {
        assert_int_equal(st_alloc_serials(f->t.s, &r, &a, NULL), ST_OK);
        assert_int_equal(st_allocation_first(a), (uint64_t)round * 500);
        assert_int_equal(strlen(st_allocation_serial(a, 0)), ST_SERIAL_DEFAULT_LENGTH);
        bag_add(&b, a);
        st_allocation_destroy(a);
        assert_int_equal(st_alloc_serials(f->t.s, &q, &a, NULL), ST_OK);
        assert_string_equal(st_allocation_gtin(a), "04006381333931");
        assert_int_equal(st_allocation_first(a), (uint64_t)round * 10);
        st_allocation_destroy(a);
        /* close and reopen: the counter and the random key are in the store */
        st_store_close(f->t.s);
        assert_int_equal(st_store_open(f->url, NULL, &f->t.s, NULL), ST_OK);
    }
    assert_int_equal(b.n, 1500);
    assert_int_equal(bag_repeats(&b), 0);
    bag_free(&b);
}

struct worker {
    st_store *s;  /* shared */
    bag *b;       /* shared */
    int random;   /* which scheme */
    int failures; /* allocations that failed */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 15; i++) {
        st_alloc_req r = w->random ? rnd_req(GTIN, 300) : seq_req("04006381333931", 300);
        st_allocation *a = NULL;
        if (st_alloc_serials(w->s, &r, &a, NULL) != ST_OK) {
            w->failures++;
            continue;
        }
        bag_add(w->b, a);
        st_allocation_destroy(a);
    }
    return NULL;
}

static void test_concurrent_never_repeats(void **state)
{
    fx *f = *state;
    for (int random = 0; random < 2; random++) {
        bag b = {.mu = PTHREAD_MUTEX_INITIALIZER};
        pthread_t th[4];
        struct worker w[4];
        for (int i = 0; i < 4; i++) {
            w[i] = (struct worker){f->t.s, &b, random, 0};
            assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(w[i].failures, 0);
        }
        assert_int_equal(b.n, 4 * 15 * 300);
        assert_int_equal(bag_repeats(&b), 0);
        bag_free(&b);
    }
}

static void test_bad_requests(void **state)
{
    fx *f = *state;
    static const unsigned char key[ST_SERIAL_KEY_LEN] = {1};
    const struct {
        const char *gtin;
        uint64_t count;
        int scheme;
        const unsigned char *key;
        const char *tmpl;
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"09520123456789", 1, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_CHECK_DIGIT, "expected 8"},
        {"0952012345678", 1, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_CHECK_DIGIT, "check digit"},
        {"123456789", 1, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_LENGTH, "8, 12, 13 or 14"},
        {"0952012345678X", 1, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_ARG, "not a digit"},
        {NULL, 1, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_ARG, "GTIN is required"},
        {GTIN, 0, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_ARG, "at least 1"},
        {GTIN, 100001, ST_SERIAL_SEQUENTIAL, NULL, NULL, ST_ERR_LIMIT, "at most 100000"},
        {GTIN, 1, 0, NULL, NULL, ST_ERR_ARG, "scheme must be"},
        {GTIN, 1, 7, NULL, NULL, ST_ERR_ARG, "scheme must be"},
        {GTIN, 1, ST_SERIAL_RANDOM, key, NULL, ST_ERR_ARG, "key cannot be given"},
        {GTIN, 1, ST_SERIAL_TEMPLATE, NULL, "AB{RAND:6}", ST_ERR_ARG, "SEQ"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_alloc_req r = {0};
        r.gtin = rows[i].gtin;
        r.count = rows[i].count;
        r.opts.scheme = (st_serial_scheme)rows[i].scheme;
        r.opts.key = rows[i].key;
        r.opts.tmpl = rows[i].tmpl;
        st_allocation *a = (st_allocation *)&r; /* must be reset to NULL */
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_alloc_serials(f->t.s, &r, &a, &e);
        if (rc != rows[i].rc || !strstr(e.msg, rows[i].msg))
            fail_msg("row %zu: rc %d [%s], expected %d [%s]", i, rc, e.msg, rows[i].rc,
                     rows[i].msg);
        assert_null(a);
    }
    /* nothing was allocated by any of them */
    listing l = {0};
    assert_int_equal(st_alloc_list(f->t.s, NULL, 10, collect, &l, NULL), ST_OK);
    assert_int_equal(l.n, 0);
}

static void test_second_series_and_exhaustion(void **state)
{
    fx *f = *state;
    st_allocation *a = NULL;
    st_error e;
    st_alloc_req r = seq_req(GTIN, 60);
    r.opts.prefix = NULL;
    r.opts.width = 2; /* 00..99: 100 serials */
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, &e), ST_OK);
    st_allocation_destroy(a);
    /* more than is left: refused, and nothing is taken */
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, &e), ST_ERR_EXHAUSTED);
    assert_non_null(strstr(e.msg, "40 of 100 left"));
    r.count = 40;
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, &e), ST_OK);
    assert_string_equal(st_allocation_serial(a, 39), "99");
    st_allocation_destroy(a);
    r.count = 1;
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, &e), ST_ERR_EXHAUSTED);
    /* another series for the same GTIN could repeat a serial: refused */
    st_alloc_req other = seq_req(GTIN, 1);
    other.opts.width = 3;
    other.opts.prefix = NULL;
    assert_int_equal(st_alloc_serials(f->t.s, &other, &a, &e), ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "already takes its serials from series"));
    st_alloc_req rnd = rnd_req(GTIN, 1);
    assert_int_equal(st_alloc_serials(f->t.s, &rnd, &a, &e), ST_ERR_ARG);
    /* more than the series can ever make */
    st_alloc_req small = seq_req("04006381333931", 11);
    small.opts.prefix = NULL;
    small.opts.width = 1;
    assert_int_equal(st_alloc_serials(f->t.s, &small, &a, &e), ST_ERR_EXHAUSTED);
    assert_non_null(strstr(e.msg, "more than the 10 serials"));
}

static void test_list(void **state)
{
    fx *f = *state;
    st_allocation *a = NULL;
    st_alloc_req r = seq_req(GTIN, 7);
    r.by = "alice";
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, NULL), ST_OK);
    st_allocation_destroy(a);
    st_alloc_req q = rnd_req("4006381333931", 4);
    q.by = NULL;
    assert_int_equal(st_alloc_serials(f->t.s, &q, &a, NULL), ST_OK);
    st_allocation_destroy(a);
    r.by = "bob";
    r.count = 2;
    assert_int_equal(st_alloc_serials(f->t.s, &r, &a, NULL), ST_OK);
    st_allocation_destroy(a);

    listing l = {0};
    assert_int_equal(st_alloc_list(f->t.s, GTIN, 10, collect, &l, NULL), ST_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].by, "bob"); /* newest first */
    assert_int_equal(l.v[0].first, 7);
    assert_int_equal(l.v[0].count, 2);
    assert_string_equal(l.v[1].by, "alice");
    assert_string_equal(l.v[1].scheme, "sequential");
    assert_true(l.v[1].created_ms > 0);
    memset(&l, 0, sizeof l);
    assert_int_equal(st_alloc_list(f->t.s, NULL, 2, collect, &l, NULL), ST_OK);
    assert_int_equal(l.n, 2);
    memset(&l, 0, sizeof l);
    assert_int_equal(st_alloc_list(f->t.s, "04006381333931", 10, collect, &l, NULL), ST_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].by, "unknown");
    assert_string_equal(l.v[0].scheme, "random");
    st_error e;
    assert_int_equal(st_alloc_list(f->t.s, "123", 10, collect, &l, &e), ST_ERR_LENGTH);
    assert_int_equal(st_alloc_list(f->t.s, NULL, 0, collect, &l, &e), ST_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sequential_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persisted_across_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_never_repeats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_series_and_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
    };
    return st_test_run_on_urls("serial allocation suite", tests, sizeof tests / sizeof *tests, NULL,
                               NULL, &g_url);
}
