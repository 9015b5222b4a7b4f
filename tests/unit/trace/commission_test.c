/*
 * Bulk commissioning (lib/trace/commission.c, include/serialtrack/commission.h):
 * units split into events of ST_COMMISSION_EVENT_EPCS, every unit's state with
 * its lot and expiry, given serials and their refusals, a document the
 * validator refuses costing no allocation and storing nothing, the same
 * commissioning twice stored once, and commissionings from two threads
 * never sharing a serial.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "unit/tmp_store.h"

#define GTIN "09520123456788"
#define RP "urn:epc:id:sgln:9520123.00001.0"

typedef struct fx {
    tmp_store t; /* the store, in a temporary folder */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "commission"))
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

static st_commission_req seq(uint64_t count)
{
    st_commission_req r = {0};
    r.gtin = GTIN;
    r.count = count;
    r.opts.scheme = ST_SERIAL_SEQUENTIAL;
    r.opts.prefix = "U";
    r.opts.width = 7;
    r.lot = "LOT-1";
    r.expiry = "2027-05-31";
    r.read_point = RP;
    r.by = "test";
    return r;
}

/* The state of unit id as JSON (caller decrefs), or NULL when unknown. */
static json_t *state_of(st_store *s, const char *id)
{
    st_trace_opts o = {.parts = ST_TRACE_STATE};
    st_jw w;
    st_jw_init(&w);
    json_t *j = NULL;
    if (st_trace_write(s, id, &o, &w, NULL) == ST_OK)
        j = json_loadb(w.p, w.n, 0, NULL);
    st_jw_free(&w);
    json_t *st = j ? json_incref(json_object_get(j, "state")) : NULL;
    json_decref(j);
    return st;
}

static int64_t events_stored(st_store *s)
{
    st_store_info info;
    assert_int_equal(st_store_info_get(s, &info, NULL), ST_OK);
    return info.events;
}

static void test_split_and_state(void **state)
{
    fx *f = *state;
    st_commission_req r = seq(2 * ST_COMMISSION_EVENT_EPCS + 1);
    st_commission *c = NULL;
    st_epcis_report *rep = NULL;
    st_error e;
    assert_int_equal(st_commission_run(f->t.s, &r, &c, &rep, &e), ST_OK);
    assert_int_equal(st_commission_count(c), 2 * ST_COMMISSION_EVENT_EPCS + 1);
    assert_int_equal(st_commission_capture(c)->events, 3);
    assert_int_equal(st_commission_capture(c)->stored, 3);
    assert_non_null(st_commission_allocation(c));
    assert_string_equal(st_commission_serial(c, 0), "U0000000");
    assert_string_equal(st_commission_epc(c, 0), "https://id.gs1.org/01/" GTIN "/21/U0000000");
    assert_null(st_commission_epc(c, st_commission_count(c)));
    /* the first, a middle and the last unit are active, with lot and expiry */
    const size_t probes[] = {0, ST_COMMISSION_EVENT_EPCS, 2 * ST_COMMISSION_EVENT_EPCS};
    for (size_t i = 0; i < 3; i++) {
        json_t *st = state_of(f->t.s, st_commission_epc(c, probes[i]));
        assert_non_null(st);
        assert_string_equal(json_string_value(json_object_get(st, "lot")),
                            "https://id.gs1.org/01/" GTIN "/10/LOT-1");
        assert_string_equal(json_string_value(json_object_get(st, "expiry")), "2027-05-31");
        assert_string_equal(json_string_value(json_object_get(st, "status")), "active");
        json_decref(st);
    }
    st_commission_destroy(c);
    st_epcis_report_destroy(rep);
    st_commission_destroy(NULL);
}

static void test_given_serials(void **state)
{
    fx *f = *state;
    const char *serials[] = {"A-1", "B/2", "C%3"};
    st_commission_req r = {0};
    r.gtin = "4006381333931";
    r.serials = serials;
    r.nserials = 3;
    r.gcp_len = 7;
    r.read_point = "9520123000011"; /* a GLN */
    r.event_time = "2026-03-01T08:00:00+01:00";
    st_commission *c = NULL;
    st_error e;
    assert_int_equal(st_commission_run(f->t.s, &r, &c, NULL, &e), ST_OK);
    assert_null(st_commission_allocation(c));
    assert_string_equal(st_commission_epc(c, 1), "urn:epc:id:sgtin:4006381.033393.B%2F2");
    assert_string_equal(st_commission_epc(c, 2), "urn:epc:id:sgtin:4006381.033393.C%253");
    assert_string_equal(st_commission_event_time(c), "2026-03-01T08:00:00+01:00");
    json_t *st = state_of(f->t.s, "(01)04006381333931(21)B/2");
    assert_non_null(st);
    assert_string_equal(json_string_value(json_object_get(st, "read_point")),
                        "https://id.gs1.org/414/9520123000011");
    json_decref(st);
    st_commission_destroy(c);
    /* the same again: every event is a duplicate, nothing is stored twice */
    int64_t before = events_stored(f->t.s);
    assert_int_equal(st_commission_run(f->t.s, &r, &c, NULL, &e), ST_OK);
    assert_int_equal(st_commission_capture(c)->stored, 0);
    assert_int_equal(st_commission_capture(c)->duplicates, 1);
    assert_int_equal(events_stored(f->t.s), before);
    st_commission_destroy(c);
}

static void test_refused(void **state)
{
    fx *f = *state;
    const char *dup[] = {"X", "Y", "X"};
    const char *longs[] = {"123456789012345678901"};
    const char *space[] = {"A B"};
    const struct {
        const char *field, *value; /* what is changed */
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"gtin", "09520123456789", ST_ERR_CHECK_DIGIT, "expected 8"},
        {"lot", "", ST_ERR_LENGTH, "AI (10) holds 1 to 20"},
        {"lot", "L~1", ST_ERR_CHARSET, "not in CSET 82"},
        {"expiry", "2027-02-29", ST_ERR_DATE, "not a day of the calendar"},
        {"expiry", "31.05.2027", ST_ERR_DATE, "not a date YYYY-MM-DD"},
        {"read_point", NULL, ST_ERR_ARG, "read_point is required"},
        {"read_point", "here", ST_ERR_ARG, "neither a URI"},
        {"read_point", "urn:epc:id:sgln:x", ST_ERR_SYNTAX, "nothing was allocated"},
        {"event_time", "2026-03-01T08:00:00", ST_ERR_DATE, "needs a time zone"},
        {"count", "100001", ST_ERR_LIMIT, "at most 100000"},
        {"serials", "dup", ST_ERR_ARG, "\"X\" is given twice"},
        {"serials", "long", ST_ERR_LENGTH, "AI (21) holds 1 to 20"},
        {"serials", "space", ST_ERR_CHARSET, "not in CSET 82"},
        {"serials", "none", ST_ERR_ARG, "give count"},
    };
    int64_t before = events_stored(f->t.s);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_commission_req r = seq(10);
        if (!strcmp(rows[i].field, "gtin"))
            r.gtin = rows[i].value;
        else if (!strcmp(rows[i].field, "lot"))
            r.lot = rows[i].value;
        else if (!strcmp(rows[i].field, "expiry"))
            r.expiry = rows[i].value;
        else if (!strcmp(rows[i].field, "read_point"))
            r.read_point = rows[i].value;
        else if (!strcmp(rows[i].field, "event_time"))
            r.event_time = rows[i].value;
        else if (!strcmp(rows[i].field, "count"))
            r.count = strtoull(rows[i].value, NULL, 10);
        else {
            r.count = 0;
            r.serials = !strcmp(rows[i].value, "dup")     ? dup
                        : !strcmp(rows[i].value, "long")  ? longs
                        : !strcmp(rows[i].value, "space") ? space
                                                          : NULL;
            r.nserials = !strcmp(rows[i].value, "dup") ? 3 : r.serials ? 1 : 0;
        }
        st_commission *c = (st_commission *)&r; /* must be reset to NULL */
        st_epcis_report *rep = NULL;
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_commission_run(f->t.s, &r, &c, &rep, &e);
        if (rc != rows[i].rc || !strstr(e.msg, rows[i].msg))
            fail_msg("row %zu (%s): rc %d [%s], expected %d [%s]", i, rows[i].field, rc, e.msg,
                     rows[i].rc, rows[i].msg);
        assert_null(c);
        if (rc == ST_ERR_SYNTAX)
            assert_true(st_epcis_report_error_count(rep) > 0);
        st_epcis_report_destroy(rep);
    }
    /* nothing stored, nothing allocated */
    assert_int_equal(events_stored(f->t.s), before);
    st_alloc_req probe = {.gtin = GTIN, .count = 1, .opts = seq(1).opts};
    st_allocation *a = NULL;
    assert_int_equal(st_alloc_serials(f->t.s, &probe, &a, NULL), ST_OK);
    assert_int_equal(st_allocation_first(a), 0);
    st_allocation_destroy(a);
}

struct worker {
    st_store *s; /* shared */
    char **epcs; /* this worker's EPCs, copied */
    size_t n;    /* how many */
    st_rc rc;    /* the first failure */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int round = 0; round < 4; round++) {
        st_commission_req r = seq(500);
        r.opts.scheme = ST_SERIAL_RANDOM;
        r.opts.prefix = NULL;
        r.opts.width = 0;
        st_commission *c = NULL;
        if ((w->rc = st_commission_run(w->s, &r, &c, NULL, NULL)) != ST_OK)
            return NULL;
        for (size_t i = 0; i < st_commission_count(c); i++)
            w->epcs[w->n++] = strdup(st_commission_epc(c, i));
        st_commission_destroy(c);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_concurrent(void **state)
{
    fx *f = *state;
    struct worker w[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        w[i] = (struct worker){f->t.s, calloc(2000, sizeof(char *)), 0, ST_OK};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    char **all = calloc(4000, sizeof *all);
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, ST_OK);
        for (size_t k = 0; k < w[i].n; k++)
            all[n++] = w[i].epcs[k];
        free(w[i].epcs);
    }
    assert_int_equal(n, 4000);
    qsort(all, n, sizeof *all, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(all[i - 1], all[i]))
            fail_msg("%s commissioned twice", all[i]);
    assert_int_equal(events_stored(f->t.s), 8);
    for (size_t i = 0; i < n; i++)
        free(all[i]);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split_and_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_given_serials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
