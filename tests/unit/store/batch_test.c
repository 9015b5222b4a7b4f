/*
 * Batches of reads (st_store_exec_batch, lib/store/store.c; PostgreSQL's
 * pipeline in lib/store/postgres_read.c): many statements, more than one
 * pipeline holds, each row reaching its own read's callback, in order;
 * arguments of every type; a failing statement or a callback that stops
 * ends the batch with that error, no later callback is called, and the
 * store reads normally afterwards. Runs on every store URL
 * (tests/unit/store_urls.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "unit/store_urls.h"
#include "unit/tmp_store.h"

#include "store/store_int.h"

typedef st_url_store fx; /* the store (t.s) of the URL template being run */

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static int setup(void **state)
{
    return st_test_url_setup(state, g_url, "batch");
}

static int teardown(void **state)
{
    return st_test_url_teardown(state);
}

/* 1..$1, one row each */
#define COUNT_SQL                                                                                  \
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $1)"                 \
    " SELECT x FROM n ORDER BY x"

#define READS 40 /* more than one pipeline */

/* What each read's callback saw, and the order of all callbacks. */
struct seen {
    int64_t rows[READS], sum[READS], last[READS];
    int order[READS * READS]; /* the read of each callback, in call order */
    size_t calls;
    int stop_at; /* read whose callback fails (-1: none) */
};

struct one {
    struct seen *s;
    int read;
};

static st_rc row_count(void *ctx, const st_val *c, int n)
{
    struct one *o = ctx;
    struct seen *s = o->s;
    assert_int_equal(n, 1);
    assert_int_equal(c[0].type, ST_VAL_INT);
    s->rows[o->read]++;
    s->sum[o->read] += c[0].i;
    s->last[o->read] = c[0].i;
    if (s->calls < sizeof s->order / sizeof *s->order)
        s->order[s->calls++] = o->read;
    return o->read == s->stop_at ? ST_ERR_LIMIT : ST_OK;
}

/* READS reads, read i asking for 1..i+1; bad_sql in place of read bad_at (-1: none). */
static st_rc run_batch(st_store *s, struct seen *seen, const char *bad_sql, int bad_at, st_error *e)
{
    st_read r[READS];
    st_val args[READS];
    struct one ctx[READS];
    for (int i = 0; i < READS; i++) {
        args[i] = st_val_int(i + 1);
        ctx[i] = (struct one){seen, i};
        r[i] = (st_read){i == bad_at ? bad_sql : COUNT_SQL, &args[i], 1, row_count, &ctx[i]};
    }
    return st_store_exec_batch(s, r, READS, e);
}

static void test_in_order(void **state)
{
    fx *f = *state;
    struct seen s = {.stop_at = -1};
    st_error e;
    st_error_clear(&e);
    assert_int_equal(run_batch(f->t.s, &s, NULL, -1, &e), ST_OK);
    for (int i = 0; i < READS; i++) {
        int64_t n = i + 1;
        assert_int_equal(s.rows[i], n);
        assert_int_equal(s.sum[i], n * (n + 1) / 2);
        assert_int_equal(s.last[i], n);
    }
    /* every row of read i before any of read i + 1 */
    assert_int_equal(s.calls, READS * (READS + 1) / 2);
    for (size_t k = 1; k < s.calls; k++)
        assert_true(s.order[k] == s.order[k - 1] || s.order[k] == s.order[k - 1] + 1);
}

struct typed {
    int64_t i;
    char text[16];
    unsigned char blob[8];
    size_t blob_n;
    int rows;
};

static st_rc row_typed(void *ctx, const st_val *c, int n)
{
    struct typed *t = ctx;
    assert_int_equal(n, 3);
    assert_int_equal(c[0].type, ST_VAL_INT);
    assert_int_equal(c[1].type, ST_VAL_TEXT);
    assert_int_equal(c[2].type, ST_VAL_BLOB);
    t->i = c[0].i;
    snprintf(t->text, sizeof t->text, "%.*s", (int)c[1].n, (const char *)c[1].p);
    t->blob_n = c[2].n < sizeof t->blob ? c[2].n : sizeof t->blob;
    memcpy(t->blob, c[2].p, t->blob_n);
    t->rows++;
    return ST_OK;
}

static void test_argument_types(void **state)
{
    fx *f = *state;
    static const unsigned char bytes[5] = {0, 1, 0xfe, 0, 7};
    st_val a[2][3] = {{st_val_int(-5), st_val_text("first"), st_val_blob(bytes, 5)},
                      {st_val_int(1LL << 40), st_val_text("second"), st_val_blob(bytes + 1, 3)}};
    struct typed t[2] = {{0}, {0}};
    st_read r[2];
    for (int i = 0; i < 2; i++)
        r[i] = (st_read){"SELECT $1 + 0, $2 || '', $3", a[i], 3, row_typed, &t[i]};
    assert_int_equal(st_store_exec_batch(f->t.s, r, 2, NULL), ST_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(t[i].rows, 1);
        assert_int_equal(t[i].i, a[i][0].i);
        assert_string_equal(t[i].text, a[i][1].p);
        assert_int_equal(t[i].blob_n, a[i][2].n);
        assert_memory_equal(t[i].blob, a[i][2].p, a[i][2].n);
    }
}

/* After a failed batch the store reads as before. */
static void reads_again(st_store *s)
{
    struct seen again = {.stop_at = -1};
    assert_int_equal(run_batch(s, &again, NULL, -1, NULL), ST_OK);
    assert_int_equal(again.rows[READS - 1], READS);
    struct one ctx = {&again, 0};
    st_val arg = st_val_int(3);
    assert_int_equal(st_store_exec(s, COUNT_SQL, &arg, 1, row_count, &ctx, NULL), ST_OK);
    assert_int_equal(again.rows[0], 1 + 3);
}

static void test_failing_statement(void **state)
{
    fx *f = *state;
    for (int bad = 0; bad < READS; bad += 17) { /* first, in a later pipeline, in the last */
        struct seen s = {.stop_at = -1};
        st_error e;
        st_error_clear(&e);
        st_rc rc = run_batch(f->t.s, &s, "SELECT no_such_column FROM ident WHERE id = $1", bad, &e);
        assert_int_not_equal(rc, ST_OK);
        assert_true(e.msg[0] != 0);
        for (int i = 0; i < bad; i++)
            assert_int_equal(s.rows[i], i + 1);
        for (int i = bad; i < READS; i++)
            assert_int_equal(s.rows[i], 0);
        reads_again(f->t.s);
    }
}

static void test_callback_stops(void **state)
{
    fx *f = *state;
    struct seen s = {.stop_at = 20};
    assert_int_equal(run_batch(f->t.s, &s, NULL, -1, NULL), ST_ERR_LIMIT);
    assert_int_equal(s.rows[19], 20);
    assert_int_equal(s.rows[20], 1); /* its first row, then it stopped */
    for (int i = 21; i < READS; i++)
        assert_int_equal(s.rows[i], 0);
    reads_again(f->t.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_argument_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
    };
    return st_test_run_on_urls("batch suite", tests, sizeof tests / sizeof *tests, NULL, NULL,
                               &g_url);
}
