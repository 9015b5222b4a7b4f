/*
 * Statements committed with a document's events (st_store_capture_side,
 * lib/store/store_int.h): the record and the events are stored together or
 * not at all. A side statement that violates a constraint (the unique
 * index item_return_once), a failing row callback or too many statements
 * leave neither the record nor the events (the unit stays unknown to a
 * trace); of concurrent captures whose
 * records collide on the unique index exactly one stores anything. Runs on
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

#include "store/capture.h"
#include "store/store_int.h"
#include "unit/store_urls.h"

#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define EPC "urn:epc:id:sgtin:0614141.107346." /* GTIN 10614141073464, then the serial */
#define KEY "https://id.gs1.org/01/10614141073464/21/"
#define RACERS 6 /* threads capturing colliding records at once */

/* An accepted return of (item, order), as lib/trace/returns.c writes it. */
#define RETURN_SQL                                                                                 \
    "INSERT INTO item_return(item, order_ref, reason, cond, accepted, reason_code, route, "        \
    "covered, events, decided_at, recorded_by, detail) VALUES ($1, $2, 'test', 'new', 1, "         \
    "'accepted', 'restock', 0, NULL, 0, 'test', 'test') RETURNING id"

typedef st_url_store fx; /* the store (t.s) of the URL template being run */

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static int setup(void **state)
{
    return st_test_url_setup(state, g_url, "side");
}

static int teardown(void **state)
{
    return st_test_url_teardown(state);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : -1;
    return ST_OK;
}

static int64_t sql_int(st_store *s, const char *sql, const st_val *a, int n)
{
    int64_t v = -1;
    assert_int_equal(st_store_exec(s, sql, a, n, row_int, &v, NULL), ST_OK);
    return v;
}

/* Accepted returns of (KEY serial, order) stored. */
static int64_t returns_of(st_store *s, const char *serial, const char *order)
{
    char key[128];
    snprintf(key, sizeof key, KEY "%s", serial);
    st_val a[2] = {st_val_text(key), st_val_text(order)};
    return sql_int(s, "SELECT count(*) FROM item_return WHERE item = $1 AND order_ref = $2", a, 2);
}

static st_store_info info_of(st_store *s)
{
    st_store_info i;
    assert_int_equal(st_store_info_get(s, &i, NULL), ST_OK);
    return i;
}

/* One ObjectEvent OBSERVE about EPC serial with eventID urn:uuid:...-{tag},
 * into out. */
static void doc_of(const char *serial, int tag, char *out, size_t cap)
{
    snprintf(out, cap,
             "{\"@context\":[\"" CTX "\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
             "\"creationDate\":\"2025-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[{"
             "\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:6d2a6a0e-1ad8-4b7e-9d5e-%012d\","
             "\"eventTime\":\"2025-03-0%dT08:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\","
             "\"epcList\":[\"" EPC "%s\"],\"action\":\"OBSERVE\",\"bizStep\":\"receiving\","
             "\"disposition\":\"returned\"}]}}",
             tag, 1 + tag % 9, serial);
}

/* Capture the event of doc_of(serial, tag) with side[0..n); the report's
 * first message into msg (may be NULL). */
static st_rc capture(st_store *s, const char *serial, int tag, const st_cap_side *side, size_t n,
                     st_capture_result *res, char *msg, size_t cap)
{
    char doc[1024];
    doc_of(serial, tag, doc, sizeof doc);
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_side(s, doc, strlen(doc), "side", side, n, res, &rep);
    if (msg) {
        const char *path = NULL, *m = NULL;
        long ev = 0;
        msg[0] = 0;
        if (rep && st_epcis_report_error_count(rep) &&
            st_epcis_report_error(rep, 0, &ev, &path, &m) == ST_OK && m)
            snprintf(msg, cap, "%s", m);
    }
    st_epcis_report_destroy(rep);
    return rc;
}

/* The chain verifies from the stored bodies. */
static void audited(st_store *s)
{
    st_audit_result r;
    assert_int_equal(st_store_audit_verify(s, &r, NULL), ST_OK);
    if (!r.ok)
        fail_msg("audit: %s", r.reason);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* The record and the event are committed together; RETURNING reaches the
 * callback. */
static void test_commits_with_events(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    st_val a[2] = {st_val_text(KEY "1"), st_val_text("O-1")};
    int64_t id = 0;
    st_cap_side side = {RETURN_SQL, a, 2, row_int, &id};
    st_capture_result res;
    assert_int_equal(capture(s, "1", 1, &side, 1, &res, NULL, 0), ST_OK);
    assert_int_equal(res.stored, 1);
    assert_true(id > 0);
    assert_int_equal(returns_of(s, "1", "O-1"), 1);
    st_val k = st_val_int(id);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM item_return WHERE id = $1", &k, 1), 1);
    st_store_info i = info_of(s);
    assert_int_equal(i.events, 1);
    assert_int_equal(i.batches, 1);
    audited(s);
}

/* A side statement that violates the unique index: ST_ERR_ARG, and neither
 * the record nor the event (nor the unit's state) is stored; an earlier
 * side statement of the same document goes too. The document stores
 * normally afterwards, and the chain has no gap. */
static void test_violation_stores_nothing(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    st_val a[2] = {st_val_text(KEY "2"), st_val_text("O-2")};
    assert_int_equal(st_store_admin_exec(s, RETURN_SQL, a, 2, NULL, NULL, NULL, NULL), ST_OK);
    st_store_info before = info_of(s);

    st_val b[2] = {st_val_text(KEY "3"), st_val_text("O-3")};
    int64_t id = 0;
    st_cap_side sides[2] = {{RETURN_SQL, b, 2, row_int, &id}, {RETURN_SQL, a, 2, NULL, NULL}};
    st_capture_result res;
    char msg[512];
    assert_int_equal(capture(s, "3", 3, sides, 2, &res, msg, sizeof msg), ST_ERR_ARG);
    assert_non_null(strstr(msg, "committed with the events"));
    assert_int_equal(res.stored, 0);
    assert_int_equal(returns_of(s, "2", "O-2"), 1); /* the one before */
    assert_int_equal(returns_of(s, "3", "O-3"), 0); /* the first side statement went too */
    st_store_info after = info_of(s);
    assert_int_equal(after.events, before.events);
    assert_int_equal(after.batches, before.batches);
    assert_int_equal(after.items, before.items);
    assert_string_equal(after.chain_head, before.chain_head);
    /* the unit the failed document named is as unknown as before (PostgreSQL
     * interns identifiers before the transaction: known, but named by nothing) */
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_trace_write(s, EPC "3", NULL, &j, NULL), ST_ERR_NOT_FOUND);
    st_jw_free(&j);

    /* the same document without the colliding record stores, as the next link */
    assert_int_equal(capture(s, "3", 3, sides, 1, &res, NULL, 0), ST_OK);
    assert_int_equal(res.stored, 1);
    assert_int_equal(res.batch, before.batches + 1);
    assert_int_equal(returns_of(s, "3", "O-3"), 1);
    audited(s);
}

static st_rc refuse_row(void *ctx, const st_val *c, int n)
{
    ++*(int *)ctx;
    return ST_ERR_RANGE;
}

/* A row callback that fails fails the document with its code; too many side
 * statements are refused before anything is written. */
static void test_callback_and_limit(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    st_val a[2] = {st_val_text(KEY "4"), st_val_text("O-4")};
    int calls = 0;
    st_cap_side side = {RETURN_SQL, a, 2, refuse_row, &calls};
    st_capture_result res;
    assert_int_equal(capture(s, "4", 4, &side, 1, &res, NULL, 0), ST_ERR_RANGE);
    assert_int_equal(calls, 1);
    assert_int_equal(returns_of(s, "4", "O-4"), 0);
    assert_int_equal(info_of(s).events, 0);

    st_cap_side many[ST_STORE_MAX_SIDE_STATEMENTS + 1];
    for (int i = 0; i <= ST_STORE_MAX_SIDE_STATEMENTS; i++)
        many[i] = (st_cap_side){"SELECT 1", NULL, 0, NULL, NULL};
    assert_int_equal(capture(s, "4", 4, many, ST_STORE_MAX_SIDE_STATEMENTS + 1, &res, NULL, 0),
                     ST_ERR_LIMIT);
    assert_int_equal(info_of(s).events, 0);
    assert_int_equal(capture(s, "4", 4, many, ST_STORE_MAX_SIDE_STATEMENTS, &res, NULL, 0), ST_OK);
    assert_int_equal(info_of(s).events, 1);
    audited(s);
}

struct racer {
    st_store *s;
    int tag;  /* its own event */
    st_rc rc; /* what its capture returned */
    size_t stored;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    st_val a[2] = {st_val_text(KEY "9"), st_val_text("RACE")};
    st_cap_side side = {RETURN_SQL, a, 2, NULL, NULL};
    st_capture_result res = {0};
    r->rc = capture(r->s, "9", r->tag, &side, 1, &res, NULL, 0);
    r->stored = res.stored;
    return NULL;
}

/* Concurrent captures, each its own event, whose records collide on the
 * unique index (committed together or one after the other): exactly one
 * stores its record and its event, every other is ST_ERR_ARG with nothing
 * stored. */
static void test_race_decided_by_unique_index(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    pthread_t th[RACERS];
    struct racer r[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i] = (struct racer){s, 10 + i, ST_OK, 0};
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    int won = 0, lost = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        if (r[i].rc == ST_OK && r[i].stored == 1)
            won++;
        else if (r[i].rc == ST_ERR_ARG && r[i].stored == 0)
            lost++;
    }
    assert_int_equal(won, 1);
    assert_int_equal(lost, RACERS - 1);
    assert_int_equal(returns_of(s, "9", "RACE"), 1);
    st_store_info i = info_of(s);
    assert_int_equal(i.events, 1);
    assert_int_equal(i.batches, 1);
    audited(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commits_with_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_violation_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_and_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_race_decided_by_unique_index, setup, teardown),
    };
    return st_test_run_on_urls("capture side suite", tests, sizeof tests / sizeof *tests, NULL,
                               NULL, &g_url);
}
