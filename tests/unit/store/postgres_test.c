/*
 * What only the PostgreSQL backend (lib/store/postgres*.c) promises, beyond
 * the shared suites: several handles on one store, as several nodes, capture
 * at once into one chain with dense event ids and non-decreasing record
 * times, and see each other's events at once; an administrative UPDATE ...
 * RETURNING counter never hands out a value twice across handles; the event
 * log is partitioned by month with partitions ahead of time; a duplicate
 * sent through two nodes at once is stored once; the lifecycle projections
 * (item_life, location_geo, anomaly), written in bulk, hold what SQLite's
 * row-by-row writes hold for the same documents; the event rows (binary
 * COPY) keep their NULLs and eventIDs, and schema v8's views find events by
 * hash and eventID without indexes of event on either; the projections,
 * where rows of fresh identifiers go by COPY and the others merge with what
 * is stored, hold what SQLite holds for the same chain however it is cut
 * into documents, and stay whole when several nodes name the same new
 * units at once; new identifiers interned by COPY fall back to look-ups
 * when another node added one of them first; a node whose sessions the
 * server ended reconnects, its prepared statements made again; a handle
 * waiting for commits hears another node's, and only its own store's. Needs $ST_TEST_PG_URL (skips
 * without it; fails without it when CI=true).
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

/* A JSON-LD document of n ObjectEvents, units TAG-0..n-1, at hour h. */
static char *doc_at(const char *tag, int n, int h)
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
            "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T%02d:%02d:%02dZ\","
            "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
            "\"bizStep\":\"commissioning\",\"epcList\":"
            "[\"urn:epc:id:sgtin:0614141.107346.%s%d\"]}",
            i ? "," : "", h, i / 60, i % 60, tag, i);
    snprintf(d + k, cap - k, "]}}");
    return d;
}

static char *doc(const char *tag, int n)
{
    return doc_at(tag, n, 10);
}

struct node {
    st_store *s;
    int id;
    int shared; /* 1: the units every node names, at an hour of its own */
    int stored, failed;
};

/* Node nd->id captures DOCS_PER_NODE documents: units of its own, or
 * (shared) the units of every node, at an hour of its own (so no event
 * repeats another node's). */
static void *capture_docs(void *arg)
{
    struct node *nd = arg;
    for (int i = 0; i < DOCS_PER_NODE; i++) {
        char tag[32];
        if (nd->shared)
            snprintf(tag, sizeof tag, "sh%dx", i);
        else
            snprintf(tag, sizeof tag, "n%dd%dx", nd->id, i);
        char *d = doc_at(tag, EVENTS_PER_DOC, nd->shared ? 10 + nd->id : 10);
        st_capture_result res;
        if (st_store_capture_mem(nd->s, d, strlen(d), tag, &res, NULL) == ST_OK)
            nd->stored += (int)res.stored;
        else
            nd->failed++;
        free(d);
    }
    return NULL;
}

/* NODES handles capture at once; each stores every event it sent. */
static void run_nodes(struct node nd[NODES], int shared)
{
    pthread_t th[NODES];
    for (int i = 0; i < NODES; i++) {
        nd[i] = (struct node){open_node(), i, shared, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, capture_docs, &nd[i]), 0);
    }
    for (int i = 0; i < NODES; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(nd[i].failed, 0);
        assert_int_equal(nd[i].stored, DOCS_PER_NODE * EVENTS_PER_DOC);
    }
}

static void test_nodes_one_chain(void **state)
{
    (void)state;
    struct node nd[NODES];
    run_nodes(nd, 0);
    int want = NODES * DOCS_PER_NODE * EVENTS_PER_DOC;
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

/* ---- several nodes naming the same new units at once --------------------------------------- */

/* A unit one node interned may be written by another node's commit first:
 * the writer that interned it must then merge, not add (a second row would
 * fail the document). Every document stores, and each unit's state and
 * lifecycle are those of all its events, whichever node wrote which. */
static void test_shared_units_across_nodes(void **state)
{
    (void)state;
    struct node nd[NODES];
    run_nodes(nd, 1);
    st_store *s = nd[0].s;
    int units = DOCS_PER_NODE * EVENTS_PER_DOC;
    assert_int_equal(sql_int(s, "SELECT count(*) FROM item_state"), units);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM item_life"), units);
    /* each unit: NODES events; first and last seen, last event, first commissioning */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM (SELECT ident FROM event_epc GROUP BY ident"
                                " HAVING count(*) = 3) u"),
                     units);
    assert_int_equal(
        sql_int(s,
                "SELECT count(*) FROM item_state s WHERE s.first_seen <> (SELECT min(e.event_time)"
                " FROM event_epc x JOIN event e ON e.id = x.event WHERE x.ident = s.ident)"
                " OR s.last_seen <> (SELECT max(e.event_time) FROM event_epc x JOIN event e"
                " ON e.id = x.event WHERE x.ident = s.ident)"
                " OR s.last_event <> (SELECT x.event FROM event_epc x JOIN event e"
                " ON e.id = x.event WHERE x.ident = s.ident ORDER BY e.event_time DESC LIMIT 1)"),
        0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM item_life l WHERE l.commissioned IS NULL"
                                " OR l.commissioned <> (SELECT min(x.event) FROM event_epc x"
                                " WHERE x.ident = l.ident)"),
                     0);
    for (int i = 0; i < NODES; i++)
        st_store_close(nd[i].s);
}

/* ---- interning by COPY, when a key is there already ------------------------------------------ */

static void capture_doc(st_store *s, const char *d)
{
    st_capture_result res;
    st_epcis_report *rep = NULL;
    if (st_store_capture_mem(s, d, strlen(d), "intern", &res, &rep) != ST_OK)
        fail_msg("a capture failed");
    st_epcis_report_destroy(rep);
}

/* A handle that has seen new units come adds the next document's unknown
 * keys by COPY; when one of them was added by another node meanwhile, the
 * COPY collides and interning falls back to looking keys up and inserting
 * the rest: every event stored, every key once. */
static void test_intern_collision(void **state)
{
    (void)state;
    st_store *a = open_node(), *b = open_node();
    char *d1 = doc("col-a1-", 5), *d2 = doc("col-a2-", 5), *db = doc_at("col-b-", 5, 11);
    capture_doc(a, d1); /* looked up first: all new, so A adds by COPY from now on */
    capture_doc(a, d2); /* by COPY */
    capture_doc(b, db); /* B adds col-b-0..4 */
    /* A names B's units (not in its cache) and new ones: the COPY collides */
    char *mixed = doc_at("col-b-", 8, 12);
    capture_doc(a, mixed);
    assert_int_equal(sql_int(a, "SELECT count(*) FROM ident WHERE key LIKE '%col-b-%'"), 8);
    assert_int_equal(sql_int(a, "SELECT count(*) FROM (SELECT key FROM ident GROUP BY key"
                                " HAVING count(*) > 1) k"),
                     0);
    assert_int_equal(sql_int(a, "SELECT count(*) FROM event"), 5 + 5 + 5 + 8);
    /* B's units got A's events too: two events each for the first five */
    assert_int_equal(sql_int(a, "SELECT count(*) FROM (SELECT x.ident FROM event_epc x JOIN ident i"
                                " ON i.id = x.ident WHERE i.key LIKE '%col-b-%' GROUP BY x.ident"
                                " HAVING count(*) = 2) u"),
                     5);
    assert_int_equal(sql_int(a, "SELECT count(*) FROM item_state s JOIN ident i ON i.id = s.ident"
                                " WHERE i.key LIKE '%col-b-%'"),
                     8);
    free(d1);
    free(d2);
    free(db);
    free(mixed);
    st_store_close(a);
    st_store_close(b);
}

/* ---- the projections of a whole chain, against SQLite -------------------------------------- */

struct text {
    char *p;
    size_t n, cap;
};

static void text_put(struct text *t, const char *s, size_t n)
{
    if (t->n + n + 2 > t->cap) {
        size_t cap = t->cap ? t->cap : 1 << 16;
        while (t->n + n + 2 > cap)
            cap *= 2;
        t->p = realloc(t->p, cap);
        assert_non_null(t->p);
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}

static st_rc row_line(void *ctx, const st_val *c, int n)
{
    struct text *t = ctx;
    for (int i = 0; i < n; i++) {
        char b[32];
        if (c[i].type == ST_VAL_INT)
            text_put(t, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)c[i].i));
        else if (c[i].type == ST_VAL_TEXT)
            text_put(t, c[i].p, c[i].n);
        else
            text_put(t, "NULL", 4);
        text_put(t, i + 1 < n ? "|" : "\n", 1);
    }
    return ST_OK;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The projections of s as text, identifiers by key, each table's lines sorted. */
static char *projections(st_store *s)
{
    static const char *const q[] = {
        "SELECT i.key, s.first_seen, s.last_seen, s.last_event, d.key, r.key, b.key,"
        " coalesce(c.key, CAST(s.container AS TEXT)), o.key, p.key, l.key, s.expiry, s.deleted"
        " FROM item_state s JOIN ident i ON i.id = s.ident LEFT JOIN ident d ON d.id ="
        " s.disposition LEFT JOIN ident r ON r.id = s.read_point LEFT JOIN ident b ON b.id ="
        " s.biz_location LEFT JOIN ident c ON c.id = s.container LEFT JOIN ident o ON o.id ="
        " s.owner LEFT JOIN ident p ON p.id = s.possessor LEFT JOIN ident l ON l.id = s.lot",
        "SELECT i.key, l.commissioned, l.commissioned_time, l.decommissioned,"
        " l.decommissioned_time FROM item_life l JOIN ident i ON i.id = l.ident",
        "SELECT a.key, b.key FROM item_lot x JOIN ident a ON a.id = x.lot"
        " JOIN ident b ON b.id = x.ident",
        "SELECT coalesce(a.key, CAST(g.xform AS TEXT)), g.role, b.key FROM genealogy g"
        " LEFT JOIN ident a ON a.id = g.xform JOIN ident b ON b.id = g.ident",
        "SELECT a.key, b.key FROM lineage_node x JOIN ident a ON a.id = x.ident"
        " JOIN ident b ON b.id = x.lot",
        "SELECT a.key, b.key FROM lineage_leaf x JOIN ident a ON a.id = x.lot"
        " JOIN ident b ON b.id = x.ident",
        "SELECT a.key, b.key FROM lineage_class x JOIN ident a ON a.id = x.cls"
        " JOIN ident b ON b.id = x.lot",
        "SELECT built FROM lineage_state",
        "SELECT a.key, c.packed_event, b.key, c.unpacked_event FROM containment c"
        " JOIN ident a ON a.id = c.child JOIN ident b ON b.id = c.parent",
        "SELECT i.key, x.event, x.role FROM event_epc x JOIN ident i ON i.id = x.ident",
        "SELECT a.key, b.key FROM location_child x JOIN ident a ON a.id = x.parent"
        " JOIN ident b ON b.id = x.child",
        "SELECT i.key, g.lat_e6, g.lon_e6 FROM location_geo g JOIN ident i ON i.id = g.ident",
        "SELECT a.event, i.key, a.rule, l.key FROM anomaly a JOIN ident i ON i.id = a.ident"
        " LEFT JOIN ident l ON l.id = a.location",
    };
    struct text all = {0};
    for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
        struct text t = {0};
        st_error e;
        st_error_clear(&e);
        if (st_store_exec(s, q[k], NULL, 0, row_line, &t, &e) != ST_OK)
            fail_msg("%s: %s", q[k], e.msg);
        size_t n = 0;
        for (size_t i = 0; i < t.n; i++)
            n += t.p[i] == '\n';
        char **line = malloc((n + 1) * sizeof *line);
        assert_non_null(line);
        size_t m = 0;
        for (char *c = t.p; c && *c;) {
            char *nl = strchr(c, '\n');
            line[m++] = c;
            *nl = 0;
            c = nl + 1;
        }
        qsort(line, m, sizeof *line, cmp_line);
        char head[32];
        text_put(&all, head, (size_t)snprintf(head, sizeof head, "-- %zu rows\n", m));
        for (size_t i = 0; i < m; i++) {
            text_put(&all, line[i], strlen(line[i]));
            text_put(&all, "\n", 1);
        }
        free(line);
        free(t.p);
    }
    return all.p;
}

struct feed {
    st_store *s;
    int every_twice; /* capture every this-many-th document twice (0: never) */
    size_t docs, failed;
    st_store *killer; /* ends s's sessions before document kill_at (NULL: never) */
    const char *app;  /* s's application_name */
    size_t kill_at;   /* the document before which they end */
    size_t retried;   /* captures that failed and went again */
};

/* End the server sessions of application_name app (from another handle). */
static void end_sessions(st_store *killer, const char *app)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE application_name = '%s'",
             app);
    if (sql_int(killer, sql) < 2)
        fail_msg("the sessions of %s were not found", app);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'",
             app);
    for (int i = 0; i < 100 && sql_int(killer, sql) > 0; i++)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
}

static st_rc feed_doc(void *ctx, const char *d, size_t len, size_t events)
{
    (void)events;
    struct feed *f = ctx;
    int times = f->every_twice && f->docs % (size_t)f->every_twice == 0 ? 2 : 1;
    if (f->killer && f->docs == f->kill_at)
        end_sessions(f->killer, f->app);
    f->docs++;
    for (int k = 0; k < times; k++) {
        /* a capture interrupted by the server fails whole; the next one reconnects */
        st_rc rc = ST_ERR_IO;
        for (int attempt = 0; attempt < 4 && rc != ST_OK; attempt++) {
            st_capture_result res;
            st_epcis_report *rep = NULL;
            rc = st_store_capture_mem(f->s, d, len, "chain", &res, &rep);
            f->retried += rc != ST_OK;
            st_epcis_report_destroy(rep);
        }
        f->failed += rc != ST_OK;
    }
    return ST_OK;
}

/* The chain into f->s, events_per_doc to a document. */
static void feed_chain_with(struct feed *f, size_t events_per_doc)
{
    st_chain_opts o = {.seed = 7,
                       .units = 96,
                       .units_per_case = 4,
                       .cases_per_pallet = 3,
                       .components_per_unit = 2,
                       .units_per_component_lot = 10,
                       .units_per_material_lot = 16,
                       .plants = 2,
                       .dcs = 1,
                       .stores = 2,
                       .events_per_doc = events_per_doc,
                       .packs = 1,
                       .anomalies = 1};
    st_chain_stats st;
    st_error e;
    st_error_clear(&e);
    if (st_chain_generate(&o, feed_doc, f, &st, &e) != ST_OK)
        fail_msg("generating the chain: %s", e.msg);
    assert_int_equal(f->failed, 0);
    if (st.events < 200)
        fail_msg("the chain made only %zu events", st.events);
}

static void feed_chain(st_store *s, size_t events_per_doc, int every_twice)
{
    struct feed f = {.s = s, .every_twice = every_twice};
    feed_chain_with(&f, events_per_doc);
}

/* The same chain into SQLite in one document, and into PostgreSQL in one
 * document (nearly every identifier fresh) and in documents of three events
 * with every fifth sent twice (identifiers fresh in their first document,
 * stored in the next ones; duplicates): the same projections, row for row. */
static void test_projections_as_sqlite(void **state)
{
    (void)state;
    st_url_store lite;
    assert_int_equal(st_test_url_store_open(&lite, "sqlite:{tmp}/st.db", "pgpr"), 0);
    char small[1300];
    snprintf(small, sizeof small, "%s_small", g_url);
    st_store *s[3] = {lite.t.s, open_node(), NULL};
    assert_int_equal(st_store_open(small, NULL, &s[2], NULL), ST_OK);
    feed_chain(s[0], 100000, 0);
    feed_chain(s[1], 100000, 0);
    feed_chain(s[2], 3, 5);
    char *rows[3];
    for (int k = 0; k < 3; k++)
        rows[k] = projections(s[k]);
    /* what is compared is there: states, lots, assemblies, the index, packing, anomalies */
    static const char *const some[] = {"item_state",   "item_life",    "item_lot",    "genealogy",
                                       "lineage_node", "lineage_leaf", "containment", "anomaly"};
    for (size_t i = 0; i < sizeof some / sizeof *some; i++) {
        char q[80];
        snprintf(q, sizeof q, "SELECT count(*) FROM %s", some[i]);
        if (sql_int(s[0], q) < 1)
            fail_msg("the chain left %s empty", some[i]);
    }
    for (int k = 1; k < 3; k++) {
        if (strcmp(rows[0], rows[k])) {
            size_t i = 0;
            while (rows[0][i] == rows[k][i])
                i++;
            size_t from = i > 300 ? i - 300 : 0;
            fail_msg(
                "PostgreSQL store %d differs from SQLite at byte %zu:\n%.400s\n-- vs --\n%.400s", k,
                i, rows[0] + from, rows[k] + from);
        }
    }
    for (int k = 0; k < 3; k++)
        free(rows[k]);
    st_test_store_drop(s[2], small);
    for (int k = 1; k < 3; k++)
        st_store_close(s[k]);
    st_test_url_store_close(&lite);
}

/* ---- containment written in one go, against SQLite ------------------------------------------- */

#define AG(time, action, parent, children)                                                         \
    "{\"type\":\"AggregationEvent\",\"eventTime\":\"2024-05-01T" time "Z\","                       \
    "\"eventTimeZoneOffset\":\"+00:00\",\"parentID\":\"urn:epc:id:sscc:0614141." parent "\","      \
    "\"childEPCs\":[" children "],\"action\":\"" action "\",\"bizStep\":\"packing\"}"
#define AG_C(n) "\"urn:epc:id:sgtin:0614141.107346.77" n "\""
#define AG_DOC(events)                                                                             \
    "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","            \
    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"                       \
    "\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[" events "]}}"

/* New units packed, a parent emptied whole (the stored containment is
 * read, so what the document packed so far is written first), then the new
 * units unpacked, repacked and unpacked again; a second document unpacks
 * one of them: containment and states as SQLite's, row for row. */
static const char *const ag_docs[] = {
    AG_DOC(AG("08:00:00", "ADD", "1000000001", AG_C("1") "," AG_C("2")) "," AG(
        "08:05:00", "ADD", "1000000002",
        AG_C("3")) "," AG("08:10:00", "DELETE", "1000000002",
                          "") "," AG("08:20:00", "DELETE", "1000000001",
                                     AG_C("1")) "," AG("08:30:00", "ADD", "1000000003",
                                                       AG_C("1")) "," AG("08:40:00", "DELETE",
                                                                         "1000000003", AG_C("1"))),
    AG_DOC(AG("09:00:00", "DELETE", "1000000001", AG_C("2")) "," AG("09:10:00", "ADD", "1000000003",
                                                                    AG_C("2"))),
};

static void test_containment_as_sqlite(void **state)
{
    (void)state;
    st_url_store lite;
    assert_int_equal(st_test_url_store_open(&lite, "sqlite:{tmp}/st.db", "pgag"), 0);
    st_store *s[2] = {open_node(), lite.t.s};
    char *rows[2];
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof ag_docs / sizeof *ag_docs; i++)
            capture_doc(s[k], ag_docs[i]);
        rows[k] = projections(s[k]);
    }
    assert_string_equal(rows[0], rows[1]);
    /* unit 771: packed at event 1, closed by event 4 after the flush of event 3 */
    assert_int_equal(sql_int(s[0], "SELECT count(*) FROM containment c JOIN ident i"
                                   " ON i.id = c.child WHERE i.key LIKE '%/21/771'"
                                   " AND c.packed_event = 1 AND c.unpacked_event = 4"),
                     1);
    assert_int_equal(sql_int(s[0], "SELECT count(*) FROM containment WHERE unpacked_event IS NULL"),
                     1); /* only 772 in the last pallet */
    free(rows[0]);
    free(rows[1]);
    st_store_close(s[0]);
    st_test_url_store_close(&lite);
}

/* ---- the server ending a node's sessions ---------------------------------------------------- */

/* A node whose sessions the server ended (a restart, a failover, an
 * administrator) fails the capture in progress and reconnects at the next:
 * its writing, interning and reading connections come back, with their
 * prepared statements made again, and the store ends as SQLite's. */
static void test_reconnect(void **state)
{
    (void)state;
    st_url_store lite;
    assert_int_equal(st_test_url_store_open(&lite, "sqlite:{tmp}/st.db", "pgrc"), 0);
    char url[1400], app[64];
    snprintf(app, sizeof app, "st_reconnect_%d", (int)getpid());
    snprintf(url, sizeof url, "%s&application_name=%s", g_url, app);
    st_store *s[2] = {lite.t.s, NULL}, *killer = open_node();
    assert_int_equal(st_store_open(url, NULL, &s[1], NULL), ST_OK);
    feed_chain(s[0], 3, 0);
    struct feed f = {.s = s[1], .killer = killer, .app = app, .kill_at = 40};
    feed_chain_with(&f, 3);
    assert_true(f.retried >= 1); /* the capture in progress failed */
    char *rows[2] = {projections(s[0]), projections(s[1])};
    assert_string_equal(rows[0], rows[1]);
    st_audit_result r;
    assert_int_equal(st_store_audit_verify(s[1], &r, NULL), ST_OK);
    assert_int_equal(r.ok, 1);
    free(rows[0]);
    free(rows[1]);
    st_store_close(s[1]);
    st_store_close(killer);
    st_test_url_store_close(&lite);
}

/* ---- waiting for commits -------------------------------------------------------------------- */

/* A handle waiting for commits hears another node's (LISTEN/NOTIFY), and
 * only its own store's: captures of the other tests' stores in the same
 * database notify the same channel. */
static void test_wait_change(void **state)
{
    (void)state;
    st_store *a = open_node(), *b = open_node();
    int notified = -1;
    assert_int_equal(st_store_wait_change(a, 0, &notified, NULL), ST_OK); /* listening now */
    assert_int_equal(notified, 0);
    char *d = doc("wait-", 2);
    capture_doc(b, d);
    free(d);
    assert_int_equal(st_store_wait_change(a, 10000, &notified, NULL), ST_OK);
    assert_int_equal(notified, 1);
    assert_int_equal(st_store_wait_change(a, 0, &notified, NULL), ST_OK); /* heard once */
    assert_int_equal(notified, 0);
    st_store_close(a);
    st_store_close(b);
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

/* ---- the event rows, as binary COPY writes them ------------------------------------------- */

/* A document of n ObjectEvents: even ones declare an eventID and a bizStep,
 * odd ones neither (NULL fields in the binary rows). */
static char *doc_rows(int n)
{
    size_t cap = 512 + (size_t)n * 400;
    char *d = malloc(cap);
    assert_non_null(d);
    size_t k = (size_t)snprintf(
        d, cap,
        "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
        "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
        "\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
    for (int i = 0; i < n; i++) {
        char extra[128] = "";
        if (i % 2 == 0)
            snprintf(extra, sizeof extra,
                     ",\"eventID\":\"urn:uuid:6f0e8f5a-0000-4000-8000-%012d\","
                     "\"bizStep\":\"shipping\"",
                     i);
        k +=
            (size_t)snprintf(d + k, cap - k,
                             "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-06-01T10:00:%02dZ\","
                             "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"OBSERVE\"%s,"
                             "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.rows%d\"]}",
                             i ? "," : "", i % 60, extra, i);
    }
    snprintf(d + k, cap - k, "]}}");
    return d;
}

static void test_event_rows(void **state)
{
    (void)state;
    st_store *s = open_node();
    char *d = doc_rows(10);
    st_capture_result res;
    assert_int_equal(st_store_capture_mem(s, d, strlen(d), "rows", &res, NULL), ST_OK);
    assert_int_equal(res.stored, 10);
    free(d);
    /* the declared eventIDs and the absent fields as written */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event WHERE event_id ="
                                " 'urn:uuid:6f0e8f5a-0000-4000-8000-000000000004'"),
                     1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event WHERE event_id IS NULL"), 5);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event WHERE biz_step IS NULL"), 5);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event WHERE octet_length(hash) = 32"
                                " AND octet_length(body) > 0"),
                     10);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event_epc x JOIN ident i ON i.id = x.ident"
                                " WHERE i.key LIKE '%rows%'"),
                     10);
    /* the views of schema v8 find every event by hash and by eventID */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event e JOIN event_by_hash h"
                                " ON h.event = e.id AND h.hash = e.hash"),
                     10);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event e JOIN event_by_eid x"
                                " ON x.event = e.id AND x.event_id = e.event_id"),
                     5);
    /* and event has no index of its own on either key any more */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM pg_indexes WHERE schemaname ="
                                " current_schema() AND tablename = 'event' AND"
                                " (indexdef LIKE '%(hash)%' OR indexdef LIKE '%(event_id)%')"),
                     0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM pg_indexes WHERE schemaname ="
                                " current_schema() AND tablename = 'event'"),
                     7);
    st_store_close(s);
}

/* ---- the lifecycle projections, against SQLite -------------------------------------------- */

#define LC_EV(type, time, epc, extra, loc)                                                         \
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T" time "Z\",\"eventTimeZoneOffset\":"    \
    "\"+00:00\",\"action\":\"" type "\",\"epcList\":[" epc "],\"readPoint\":{\"id\":\"" loc        \
    "\"},\"bizLocation\":{\"id\":\"" loc "\"}" extra "}"
#define LC_U1 "\"urn:epc:id:sgtin:0614141.107346.9001\""
#define LC_U2 "\"urn:epc:id:sgtin:0614141.107346.9002\""
#define LC_A "urn:epc:id:sgln:0614141.00001.0"
#define LC_B "urn:epc:id:sgln:0614141.00002.0"
#define LC_GEO(loc, lat, lon)                                                                      \
    "{\"id\":\"" loc "\",\"attributes\":[{\"id\":\"urn:epcglobal:cbv:mda#latitude\","              \
    "\"attribute\":\"" lat "\"},{\"id\":\"urn:epcglobal:cbv:mda#longitude\",\"attribute\":\"" lon  \
    "\"}]}"
#define LC_HEAD                                                                                    \
    "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","            \
    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"                       \
    "\"2024-01-01T00:00:00Z\",\"epcisHeader\":{\"epcisMasterData\":{\"vocabularyList\":[{"         \
    "\"type\":\"urn:epcglobal:epcis:vtype:BusinessLocation\",\"vocabularyElementList\":[" LC_GEO(  \
        LC_A, "48.8566", "2.3522") "," LC_GEO(LC_B, "35.6762",                                     \
                                              "139.6503") "]}]}},\"epcisBody\":{\"eventList\":["
#define LC_STEP(s) ",\"bizStep\":\"" s "\""

/* One identifier commissioned twice (the first counts) and decommissioned
 * three times in one document (the earliest event time counts; a tie keeps
 * the first), an impossible journey, then a document repeating that event
 * (its anomaly is not stored twice) and naming the decommissioned one. */
static const char *const lc_docs[] = {
    LC_HEAD LC_EV("ADD", "10:00:00", LC_U1 "," LC_U2, LC_STEP("commissioning"), LC_A) "," LC_EV(
        "ADD", "09:00:00", LC_U1, LC_STEP("commissioning"),
        LC_A) "," LC_EV("OBSERVE", "12:00:00", LC_U2, LC_STEP("destroying"),
                        LC_A) "," LC_EV("OBSERVE", "11:00:00", LC_U2, LC_STEP("decommissioning"),
                                        LC_A) "," LC_EV("OBSERVE", "11:00:00", LC_U2,
                                                        LC_STEP("decommissioning"),
                                                        LC_B) "," LC_EV("OBSERVE", "10:05:00",
                                                                        LC_U1, "", LC_B) "]}}",
    LC_HEAD LC_EV("OBSERVE", "10:05:00", LC_U1, "",
                  LC_B) "," LC_EV("OBSERVE", "13:00:00", LC_U2, LC_STEP("inspecting"), LC_A) "]}}",
};

static st_rc row_text(void *ctx, const st_val *c, int n)
{
    char *out = ctx;
    size_t k = strlen(out);
    for (int i = 0; i < n && k < 8000; i++) {
        if (c[i].type == ST_VAL_INT)
            k += (size_t)snprintf(out + k, 8192 - k, "%lld|", (long long)c[i].i);
        else if (c[i].type == ST_VAL_TEXT)
            k += (size_t)snprintf(out + k, 8192 - k, "%.*s|", (int)c[i].n, (const char *)c[i].p);
        else
            k += (size_t)snprintf(out + k, 8192 - k, "NULL|");
    }
    if (k < 8191)
        out[k++] = '\n', out[k] = 0;
    return ST_OK;
}

/* The lifecycle projections of s, as text (keys, not ids). */
static void lc_rows(st_store *s, char *out)
{
    static const char *const q[] = {
        "SELECT i.key, l.commissioned, l.commissioned_time, l.decommissioned,"
        " l.decommissioned_time FROM item_life l JOIN ident i ON i.id = l.ident ORDER BY i.key",
        "SELECT i.key, g.lat_e6, g.lon_e6 FROM location_geo g JOIN ident i ON i.id = g.ident"
        " ORDER BY i.key",
        "SELECT a.event, i.key, a.rule, l.key, a.evidence FROM anomaly a JOIN ident i"
        " ON i.id = a.ident LEFT JOIN ident l ON l.id = a.location ORDER BY a.id",
    };
    out[0] = 0;
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        st_error e;
        st_error_clear(&e);
        if (st_store_exec(s, q[i], NULL, 0, row_text, out, &e) != ST_OK)
            fail_msg("%s: %s", q[i], e.msg);
        strcat(out, "--\n");
    }
}

static void test_lifecycle_as_sqlite(void **state)
{
    (void)state;
    st_url_store lite;
    assert_int_equal(st_test_url_store_open(&lite, "sqlite:{tmp}/st.db", "pglc"), 0);
    st_store *s[2] = {open_node(), lite.t.s};
    static char rows[2][8192];
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof lc_docs / sizeof *lc_docs; i++) {
            st_capture_result res;
            st_epcis_report *rep = NULL;
            if (st_store_capture_mem(s[k], lc_docs[i], strlen(lc_docs[i]), "lc", &res, &rep))
                fail_msg("capture %zu on store %d failed", i, k);
            st_epcis_report_destroy(rep);
        }
        lc_rows(s[k], rows[k]);
    }
    assert_string_equal(rows[0], rows[1]);
    /* and what they hold is what row-by-row writes leave */
    assert_non_null(strstr(rows[0], "/21/9001|1|1714557600000|NULL|NULL|\n"));
    assert_non_null(strstr(rows[0], "/21/9002|1|1714557600000|4|1714561200000|\n"));
    assert_non_null(strstr(rows[0], "|48856600|2352200|\n"));
    assert_non_null(
        strstr(rows[0], "\n6|https://id.gs1.org/01/10614141073464/21/9001|impossible_travel|"));
    assert_non_null(strstr(
        rows[0], "\n7|https://id.gs1.org/01/10614141073464/21/9002|event_after_decommission|"));
    /* event 6 came again in the second document: its anomaly is stored once */
    assert_null(strstr(strstr(rows[0], "\n6|") + 1, "\n6|"));
    st_store_close(s[0]);
    st_test_url_store_close(&lite);
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
        cmocka_unit_test_setup_teardown(test_event_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle_as_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_units_across_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projections_as_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intern_collision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_containment_as_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_change, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
