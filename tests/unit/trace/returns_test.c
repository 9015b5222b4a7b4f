/*
 * Returns (lib/trace/returns.c, include/serialtrack/returns.h) over
 * hand-built chains: the routing table, accepted returns routed by
 * condition and warranty with their two events captured, every reason a
 * return is refused (stored, with no event), the window per GTIN,
 * idempotency by (unit, order), and the same return asked for
 * concurrently, accepted and stored once.
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

#include "unit/tmp_store.h"
#include "unit/trace/unit_chain.h"

#define DAY 86400000LL

typedef struct fx {
    tmp_store t;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "returns"))
        return -1;
    st_warranty_terms t = {0};
    snprintf(t.gtin, sizeof t.gtin, "%s", CH_GTIN);
    t.base = ST_WARRANTY_FROM_SALE;
    t.months = 12;
    if (st_warranty_terms_set(f->t.s, &t, "test", NULL))
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

static int64_t events_stored(st_store *s)
{
    st_store_info i;
    assert_int_equal(st_store_info_get(s, &i, NULL), ST_OK);
    return i.events;
}

/* A unit commissioned on Jan 10 and sold on Mar 1, 2025. */
static void sold_unit(st_store *s, const char *epc)
{
    assert_int_equal(ch_commission(s, epc, "2025-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, epc, "2025-03-01T10:00:00Z"), ST_OK);
}

static st_return_req req(const char *id, const char *order, const char *cond, int64_t now)
{
    st_return_req r = {0};
    r.id = id;
    r.order = order;
    r.reason = "changed my mind";
    r.condition = cond;
    r.by = "test";
    r.now_ms = now;
    return r;
}

/* The unit's state as JSON holds text. */
static int state_has(st_store *s, const char *id, const char *text)
{
    st_trace_opts o = {0};
    o.parts = ST_TRACE_STATE;
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_trace_write(s, id, &o, &j, NULL), ST_OK);
    st_jw_raw(&j, "", 1);
    int has = strstr(j.p, text) != NULL;
    st_jw_free(&j);
    return has;
}

static void test_routing_table(void **state)
{
    (void)state;
    static const struct {
        st_return_condition c;
        int covered;
        st_return_route want;
    } rows[] = {
        {ST_RETURN_NEW, 1, ST_ROUTE_RESTOCK},
        {ST_RETURN_NEW, 0, ST_ROUTE_RESTOCK},
        {ST_RETURN_OPENED, 1, ST_ROUTE_REFURBISH},
        {ST_RETURN_OPENED, 0, ST_ROUTE_REFURBISH},
        {ST_RETURN_DEFECTIVE, 1, ST_ROUTE_RETURN_TO_MANUFACTURER},
        {ST_RETURN_DEFECTIVE, 0, ST_ROUTE_DESTROY},
        {ST_RETURN_DAMAGED, 1, ST_ROUTE_DESTROY},
        {ST_RETURN_DAMAGED, 0, ST_ROUTE_DESTROY},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        assert_int_equal(st_return_route_of(rows[i].c, rows[i].covered), rows[i].want);
    assert_int_equal(st_return_route_of((st_return_condition)0, 1), ST_ROUTE_NONE);
    assert_int_equal(st_return_condition_parse("defective"), ST_RETURN_DEFECTIVE);
    assert_int_equal(st_return_condition_parse("broken"), 0);
    assert_string_equal(st_return_route_name(ST_ROUTE_RETURN_TO_MANUFACTURER),
                        "return_to_manufacturer");
}

/* Each condition on the route of the table, its events captured, and the
 * unit's state where the routing event left it. */
static void test_accept_and_route(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    static const struct {
        const char *serial, *cond;
        int gtin_has_terms;
        const char *route, *disposition;
    } rows[] = {
        {"R-NEW", "new", 1, "restock", "Disp-sellable_accessible"},
        {"R-OPEN", "opened", 1, "refurbish", "Disp-in_progress"},
        {"R-DEF", "defective", 1, "return_to_manufacturer", "Disp-non_sellable_other"},
        {"R-DEF2", "defective", 0, "destroy", "Disp-destroyed"},
        {"R-DMG", "damaged", 1, "destroy", "Disp-destroyed"},
    };
    int64_t now = ch_ms("2025-03-06T10:00:00Z");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char epc[128];
        snprintf(epc, sizeof epc, "https://id.gs1.org/01/%s/21/%s",
                 rows[i].gtin_has_terms ? CH_GTIN : CH_GTIN_BARE, rows[i].serial);
        sold_unit(s, epc);
        int64_t before = events_stored(s);
        st_return_req r = req(epc, NULL, rows[i].cond, now);
        st_return_decision d;
        st_error e;
        st_error_clear(&e);
        if (st_return_create(s, &r, &d, &e) != ST_OK)
            fail_msg("row %zu: %s", i, e.msg);
        assert_true(d.accepted);
        assert_false(d.repeated);
        assert_true(d.id > 0);
        assert_string_equal(d.reason_code, ST_RETURN_R_ACCEPTED);
        assert_string_equal(st_return_route_name(d.route), rows[i].route);
        assert_int_equal(d.warranty_covered, rows[i].gtin_has_terms);
        assert_int_equal(d.nevents, 2);
        assert_int_equal(strncmp(d.events[0], "urn:uuid:", 9), 0);
        assert_int_equal(events_stored(s), before + 2);
        if (!state_has(s, epc, rows[i].disposition))
            fail_msg("row %zu: the state lacks %s", i, rows[i].disposition);
    }
    /* the decision as JSON */
    st_return_req r = req(CH_DL "R-NEW", NULL, "new", now);
    st_return_decision d;
    assert_int_equal(st_return_create(s, &r, &d, NULL), ST_OK);
    st_jw j;
    st_jw_init(&j);
    st_return_decision_json(&d, &j);
    st_jw_raw(&j, "", 1);
    assert_non_null(strstr(j.p, "\"accepted\":true,\"reason_code\":\"accepted\""));
    assert_non_null(strstr(j.p, "\"route\":\"restock\""));
    assert_non_null(strstr(j.p, "\"bizStep\":\"receiving\",\"disposition\":\"returned\""));
    assert_non_null(
        strstr(j.p, "\"bizStep\":\"stocking\",\"disposition\":\"sellable_accessible\""));
    assert_non_null(strstr(j.p, "\"repeated\":true"));
    st_jw_free(&j);
}

/* Every refusal: its code, the member at fault, stored, and no event. */
static void test_refusals(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    int64_t now = ch_ms("2025-03-06T10:00:00Z");
    /* counterfeit: seen, never commissioned */
    assert_int_equal(
        ch_event(s, CH_DL "FAKE", "2025-02-01T00:00:00Z", "OBSERVE", "shipping", "in_transit"),
        ST_OK);
    /* stolen after its sale */
    sold_unit(s, CH_DL "STOLEN");
    assert_int_equal(
        ch_event(s, CH_DL "STOLEN", "2025-03-02T00:00:00Z", "OBSERVE", "inspecting", "stolen"),
        ST_OK);
    /* never sold */
    assert_int_equal(ch_commission(s, CH_DL "UNSOLD", "2025-01-10T08:00:00Z"), ST_OK);
    /* returned already */
    sold_unit(s, CH_DL "TWICE");
    st_return_req first = req(CH_DL "TWICE", NULL, "new", now - DAY);
    st_return_decision d;
    assert_int_equal(st_return_create(s, &first, &d, NULL), ST_OK);
    /* sold to a registered order */
    assert_int_equal(ch_commission(s, CH_DL "ORDER", "2025-01-10T08:00:00Z"), ST_OK);
    st_owner_req sale = {0};
    sale.id = CH_DL "ORDER";
    sale.reference = "ORD-1";
    sale.at = "2025-03-01T10:00:00Z";
    st_owner_result res;
    assert_int_equal(st_owner_sale(s, &sale, &res, NULL), ST_OK);
    /* sold anonymously (an event only), returned with an order */
    sold_unit(s, CH_DL "ANON");
    /* sold long ago */
    assert_int_equal(ch_commission(s, CH_DL "LATE", "2024-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, CH_DL "LATE", "2025-01-31T10:00:00Z"), ST_OK);
    static const struct {
        const char *id, *order, *code, *field, *msg;
    } rows[] = {
        {CH_DL "NEVER", NULL, ST_RETURN_R_UNKNOWN, "id", "never been seen"},
        {CH_DL "FAKE", NULL, ST_RETURN_R_NOT_GENUINE, "id", "no commissioning event"},
        {CH_DL "STOLEN", NULL, ST_RETURN_R_STOLEN, "id", "reported stolen"},
        {CH_DL "UNSOLD", NULL, ST_RETURN_R_NOT_SOLD, "id", "never sold"},
        {CH_DL "TWICE", "X-2", ST_RETURN_R_ALREADY_RETURNED, "id", "returned and not sold"},
        {CH_DL "ORDER", "ORD-2", ST_RETURN_R_ORDER_MISMATCH, "order", "not sold to order"},
        {CH_DL "ANON", "ORD-9", ST_RETURN_R_ORDER_MISMATCH, "order", "carries no reference"},
        {CH_DL "LATE", NULL, ST_RETURN_R_WINDOW, "id", "window of 30 days"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        int64_t before = events_stored(s);
        st_return_req r = req(rows[i].id, rows[i].order, "new", now);
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_return_create(s, &r, &d, &e);
        if (rc != ST_ERR_REFUSED || strcmp(d.reason_code, rows[i].code))
            fail_msg("row %zu: rc %d code %s, expected %s (%s)", i, rc, d.reason_code, rows[i].code,
                     e.msg);
        assert_string_equal(d.field, rows[i].field);
        if (!strstr(e.msg, rows[i].msg))
            fail_msg("row %zu: [%s] lacks [%s]", i, e.msg, rows[i].msg);
        assert_false(d.accepted);
        assert_int_equal(d.route, ST_ROUTE_NONE);
        assert_int_equal(d.nevents, 0);
        assert_true(d.id > 0); /* the refusal is on record */
        assert_int_equal(events_stored(s), before);
    }
    /* the right order is accepted */
    st_return_req r = req(CH_DL "ORDER", "ORD-1", "opened", now);
    assert_int_equal(st_return_create(s, &r, &d, NULL), ST_OK);
    assert_true(d.accepted);
    /* refusals are listed with the acceptances, newest first */
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_return_list_json(s, CH_DL "ORDER", 10, &j, NULL), ST_OK);
    st_jw_raw(&j, "", 1);
    char *acc = strstr(j.p, "\"reason_code\":\"accepted\"");
    char *mis = strstr(j.p, "\"reason_code\":\"order_mismatch\"");
    assert_non_null(acc);
    assert_non_null(mis);
    assert_true(acc < mis);
    st_jw_free(&j);
}

static void test_window_per_gtin(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    sold_unit(s, CH_DL "W60");
    int64_t now = ch_ms("2025-04-20T10:00:00Z"); /* 50 days after the sale */
    st_return_req r = req(CH_DL "W60", NULL, "new", now);
    st_return_decision d;
    assert_int_equal(st_return_decide(s, &r, &d, NULL), ST_OK);
    assert_false(d.accepted);
    assert_string_equal(d.reason_code, ST_RETURN_R_WINDOW);
    assert_int_equal(d.id, 0); /* deciding stores nothing */
    st_warranty_terms t;
    assert_int_equal(st_warranty_terms_get(s, CH_GTIN, &t, NULL), ST_OK);
    t.return_days = 60;
    assert_int_equal(st_warranty_terms_set(s, &t, "test", NULL), ST_OK);
    assert_int_equal(st_return_decide(s, &r, &d, NULL), ST_OK);
    assert_true(d.accepted);
}

static void test_idempotent(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    assert_int_equal(ch_commission(s, CH_DL "IDEM", "2025-01-10T08:00:00Z"), ST_OK);
    st_owner_req sale = {0};
    sale.id = CH_DL "IDEM";
    sale.reference = "ORD-7";
    sale.at = "2025-03-01T10:00:00Z";
    st_owner_result res;
    assert_int_equal(st_owner_sale(s, &sale, &res, NULL), ST_OK);
    st_return_req r =
        req("(01)" CH_GTIN "(21)IDEM", "ORD-7", "defective", ch_ms("2025-03-06T10:00:00Z"));
    st_return_decision a, b;
    assert_int_equal(st_return_create(s, &r, &a, NULL), ST_OK);
    assert_int_equal(a.route, ST_ROUTE_RETURN_TO_MANUFACTURER);
    int64_t after = events_stored(s);
    /* asked again, later, in another identifier form: the stored decision */
    r.id = CH_DL "IDEM";
    r.now_ms += DAY;
    assert_int_equal(st_return_create(s, &r, &b, NULL), ST_OK);
    assert_true(b.repeated);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.route, a.route);
    assert_int_equal(b.decided_ms, a.decided_ms);
    assert_string_equal(b.events[0], a.events[0]);
    assert_string_equal(b.events[1], a.events[1]);
    assert_int_equal(events_stored(s), after);
    /* bad input is an error naming the member, not a decision */
    st_error e;
    r.condition = "broken";
    assert_int_equal(st_return_create(s, &r, &b, &e), ST_ERR_ARG);
    assert_string_equal(b.field, "condition");
    r.condition = "new";
    r.reason = NULL;
    assert_int_equal(st_return_create(s, &r, &b, &e), ST_ERR_ARG);
    assert_string_equal(b.field, "reason");
    assert_int_equal(events_stored(s), after);
}

struct returner {
    st_store *s;
    st_return_req r;
    st_return_decision d;
    st_rc rc;
};

static void *return_one(void *arg)
{
    struct returner *x = arg;
    x->rc = st_return_create(x->s, &x->r, &x->d, NULL);
    return NULL;
}

#define RETURNERS 4

/* The same return asked for by several requests at once: one acceptance is
 * stored with its two events (the record and the events in one commit; the
 * unique index decides), every other request answers with that decision,
 * marked repeated, and nothing is stored twice. */
static void test_concurrent_once(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    for (int round = 0; round < 3; round++) {
        char epc[80], order[16];
        snprintf(epc, sizeof epc, CH_DL "RACE%d", round);
        snprintf(order, sizeof order, "ORD-R%d", round);
        assert_int_equal(ch_commission(s, epc, "2025-01-10T08:00:00Z"), ST_OK);
        st_owner_req sale = {0};
        sale.id = epc;
        sale.reference = order;
        sale.at = "2025-03-01T10:00:00Z";
        st_owner_result res;
        assert_int_equal(st_owner_sale(s, &sale, &res, NULL), ST_OK);
        int64_t before = events_stored(s);
        pthread_t th[RETURNERS];
        struct returner x[RETURNERS];
        for (int i = 0; i < RETURNERS; i++) {
            x[i].s = s;
            x[i].r = req(epc, order, "new", ch_ms("2025-03-06T10:00:00Z"));
            assert_int_equal(pthread_create(&th[i], NULL, return_one, &x[i]), 0);
        }
        int fresh = 0;
        int64_t id = 0;
        for (int i = 0; i < RETURNERS; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(x[i].rc, ST_OK);
            assert_true(x[i].d.accepted);
            fresh += !x[i].d.repeated;
            if (!x[i].d.repeated)
                id = x[i].d.id;
        }
        assert_int_equal(fresh, 1);
        for (int i = 0; i < RETURNERS; i++) {
            assert_int_equal(x[i].d.id, id);
            assert_string_equal(x[i].d.events[0], x[0].d.events[0]);
        }
        assert_int_equal(events_stored(s), before + 2);
        st_jw j;
        st_jw_init(&j);
        assert_int_equal(st_return_list_json(s, epc, 50, &j, NULL), ST_OK);
        st_jw_raw(&j, "", 1);
        int rows = 0;
        for (const char *p = j.p; (p = strstr(p, "\"reason_code\"")); p++)
            rows++;
        st_jw_free(&j);
        assert_int_equal(rows, 1); /* one decision stored, no refusal beside it */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing_table),
        cmocka_unit_test_setup_teardown(test_accept_and_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_per_gtin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
