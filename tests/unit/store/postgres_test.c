/*
 * What only the PostgreSQL backend (lib/store/postgres*.c) promises, beyond
 * the shared suites: several handles on one store, as several nodes, capture
 * at once into one chain with dense event ids and non-decreasing record
 * times, and see each other's events at once; an administrative UPDATE ...
 * RETURNING counter never hands out a value twice across handles; the event
 * log is partitioned by month with partitions ahead of time; a duplicate
 * sent through two nodes at once is stored once. Needs $ST_TEST_PG_URL
 * (skips without it; fails without it when CI=true).
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
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "store/store_int.h"
#include "unit/store_urls.h"

#define NODES 3          /* handles on the one store */
#define DOCS_PER_NODE 12 /* documents each captures */
#define EVENTS_PER_DOC 20

static char g_url[1200]; /* the store's URL: ST_TEST_PG_URL with a fresh schema */

static st_store *open_node(void)
{
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(g_url, NULL, &s, &e) != ST_OK)
        fail_msg("opening %s: %s", g_url, e.msg);
    return s;
}

static st_rc row_i64(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : -1;
    return ST_OK;
}

static int64_t sql_int(st_store *s, const char *sql)
{
    int64_t v = -1;
    st_error e;
    st_error_clear(&e);
    if (st_store_exec(s, sql, NULL, 0, row_i64, &v, &e) != ST_OK)
        fail_msg("%s: %s", sql, e.msg);
    return v;
}

/* A JSON-LD document of n ObjectEvents, units TAG-0..n-1. */
static char *doc(const char *tag, int n)
{
    size_t cap = 512 + (size_t)n * 400;
    char *d = malloc(cap);
    assert_non_null(d);
    size_t k = (size_t)snprintf(
        d, cap,
        "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
        "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
        "\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(
            d + k, cap - k,
            "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:%02d:%02dZ\","
            "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
            "\"bizStep\":\"commissioning\",\"epcList\":"
            "[\"urn:epc:id:sgtin:0614141.107346.%s%d\"]}",
            i ? "," : "", i / 60, i % 60, tag, i);
    snprintf(d + k, cap - k, "]}}");
    return d;
}

struct node {
    st_store *s;
    int id;
    int stored, failed;
};

static void *capture_docs(void *arg)
{
    struct node *nd = arg;
    for (int i = 0; i < DOCS_PER_NODE; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "n%dd%dx", nd->id, i);
        char *d = doc(tag, EVENTS_PER_DOC);
        st_capture_result res;
        if (st_store_capture_mem(nd->s, d, strlen(d), tag, &res, NULL) == ST_OK)
            nd->stored += (int)res.stored;
        else
            nd->failed++;
        free(d);
    }
    return NULL;
}

static void test_nodes_one_chain(void **state)
{
    (void)state;
    struct node nd[NODES];
    pthread_t th[NODES];
    for (int i = 0; i < NODES; i++) {
        nd[i] = (struct node){open_node(), i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, capture_docs, &nd[i]), 0);
    }
    for (int i = 0; i < NODES; i++)
        pthread_join(th[i], NULL);
    int want = NODES * DOCS_PER_NODE * EVENTS_PER_DOC;
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(nd[i].failed, 0);
        assert_int_equal(nd[i].stored, DOCS_PER_NODE * EVENTS_PER_DOC);
    }
    /* every handle sees every event at once */
    for (int i = 0; i < NODES; i++)
        assert_int_equal(sql_int(nd[i].s, "SELECT count(*) FROM event"), want);
    st_store *s = nd[0].s;
    /* one chain: audit, links without gaps, one per document */
    st_audit_result r;
    assert_int_equal(st_store_audit_verify(nd[NODES - 1].s, &r, NULL), ST_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.events, want);
    assert_int_equal(r.batches, NODES * DOCS_PER_NODE);
    /* event ids dense, in link order; record times never go backwards */
    assert_int_equal(sql_int(s, "SELECT max(id) FROM event"), want);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM batch b JOIN batch c ON c.id = b.id + 1"
                                " WHERE c.first_event <> b.last_event + 1"
                                " OR c.record_time < b.record_time"),
                     0);
    for (int i = 0; i < NODES; i++)
        st_store_close(nd[i].s);
}

/* ---- a counter row, as serial allocation uses it ---------------------------------------- */

#define TAKES 150 /* values each node takes */

struct taker {
    st_store *s;
    int64_t got[TAKES];
    int n, failed;
};

static void *take(void *arg)
{
    struct taker *t = arg;
    for (int i = 0; i < TAKES; i++) {
        int64_t v = -1;
        if (st_store_admin_exec(t->s, "UPDATE st_test_counter SET n = n + 1 RETURNING n", NULL, 0,
                                row_i64, &v, NULL, NULL) == ST_OK &&
            v > 0)
            t->got[t->n++] = v;
        else
            t->failed++;
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_counter_across_nodes(void **state)
{
    (void)state;
    st_store *s = open_node();
    assert_int_equal(st_store_admin_exec(s, "CREATE TABLE st_test_counter (n BIGINT NOT NULL)",
                                         NULL, 0, NULL, NULL, NULL, NULL),
                     ST_OK);
    int64_t changes = 0;
    assert_int_equal(st_store_admin_exec(s, "INSERT INTO st_test_counter VALUES (0)", NULL, 0, NULL,
                                         NULL, &changes, NULL),
                     ST_OK);
    assert_int_equal(changes, 1);
    static struct taker t[NODES];
    pthread_t th[NODES];
    for (int i = 0; i < NODES; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].s = i ? open_node() : s;
        assert_int_equal(pthread_create(&th[i], NULL, take, &t[i]), 0);
    }
    int64_t all[NODES * TAKES];
    int n = 0;
    for (int i = 0; i < NODES; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(t[i].failed, 0);
        memcpy(all + n, t[i].got, (size_t)t[i].n * sizeof *all);
        n += t[i].n;
    }
    qsort(all, (size_t)n, sizeof *all, cmp_i64);
    for (int i = 0; i < n; i++) /* 1..N, each once */
        assert_int_equal(all[i], i + 1);
    /* a statement that fails changes nothing and says why */
    st_error e;
    st_error_clear(&e);
    assert_int_not_equal(st_store_admin_exec(s, "UPDATE st_test_counter SET n = n / 0", NULL, 0,
                                             NULL, NULL, NULL, &e),
                         ST_OK);
    assert_true(e.msg[0] != 0);
    assert_int_equal(sql_int(s, "SELECT n FROM st_test_counter"), NODES * TAKES);
    for (int i = 1; i < NODES; i++)
        st_store_close(t[i].s);
    st_store_close(s);
}

/* ---- partitions and duplicates ---------------------------------------------------------- */

static void test_partitions(void **state)
{
    (void)state;
    st_store *s = open_node();
    char *d = doc("part", 3);
    st_capture_result res;
    assert_int_equal(st_store_capture_mem(s, d, strlen(d), "part", &res, NULL), ST_OK);
    free(d);
    /* partitions reach at least two months past the record time */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM event_partition WHERE until > %lld",
             (long long)(res.record_ms + 60LL * 86400000));
    assert_true(sql_int(s, sql) >= 1);
    /* the event log is partitioned, and the events lie in this month's partition */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c"
                                " ON c.oid = p.partrelid WHERE c.relname = 'event'"
                                " AND c.relnamespace = current_schema()::regnamespace"),
                     1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM event e JOIN event_partition p ON p.name ="
             " e.tableoid::regclass::text WHERE %lld >= p.since AND %lld < p.until",
             (long long)res.record_ms, (long long)res.record_ms);
    assert_int_equal(sql_int(s, sql), 3);
    st_store_close(s);
}

struct dup {
    st_store *s;
    const char *d;
    st_capture_result res;
    st_rc rc;
};

static void *capture_one(void *arg)
{
    struct dup *x = arg;
    x->rc = st_store_capture_mem(x->s, x->d, strlen(x->d), "dup", &x->res, NULL);
    return NULL;
}

static void test_duplicate_across_nodes(void **state)
{
    (void)state;
    char *d = doc("dupx", 40);
    struct dup x[NODES];
    pthread_t th[NODES];
    for (int i = 0; i < NODES; i++) {
        x[i] = (struct dup){open_node(), d, {0}, ST_OK};
        assert_int_equal(pthread_create(&th[i], NULL, capture_one, &x[i]), 0);
    }
    size_t stored = 0, dups = 0;
    for (int i = 0; i < NODES; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(x[i].rc, ST_OK);
        stored += x[i].res.stored;
        dups += x[i].res.duplicates;
    }
    assert_int_equal(stored, 40); /* one node stored it, the others found duplicates */
    assert_int_equal(dups, 40 * (NODES - 1));
    assert_int_equal(sql_int(x[0].s, "SELECT count(*) FROM event"), 40);
    assert_int_equal(sql_int(x[0].s, "SELECT count(*) FROM event_hash"), 40);
    assert_int_equal(sql_int(x[0].s, "SELECT count(*) FROM batch"), 1);
    for (int i = 0; i < NODES; i++)
        st_store_close(x[i].s);
    free(d);
}

static int setup(void **state)
{
    (void)state;
    const char *pg = getenv("ST_TEST_PG_URL");
    static int seq;
    char dir[64];
    snprintf(dir, sizeof dir, "st_pg_%d_%ld_%d", (int)getpid(), (long)time(NULL) % 100000, ++seq);
    snprintf(g_url, sizeof g_url, "%s%cschema=%s", pg, strchr(pg, '?') ? '&' : '?', dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_store *s = NULL;
    if (st_store_open(g_url, NULL, &s, NULL) == ST_OK) {
        st_test_store_drop(s, g_url);
        st_store_close(s);
    }
    return 0;
}

int main(void)
{
    const char *pg = getenv("ST_TEST_PG_URL");
    if (!pg || !*pg) {
        const char *ci = getenv("CI");
        printf("SKIP: ST_TEST_PG_URL is not set: the PostgreSQL backend is NOT tested "
               "(make test starts a server; or point ST_TEST_PG_URL at one)\n");
        return ci && !strcmp(ci, "true") ? 1 : 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nodes_one_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_across_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_across_nodes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
