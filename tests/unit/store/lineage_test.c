/*
 * Tests for the lineage index (lib/store/lineage.c) on every backend: a
 * small chain whose answers are known (cells by lot into packs into units,
 * a mixed pack, a lot consumed as a class into a pack lot whose units are
 * commissioned later, a material consumed by quantity, a cell consumed into
 * a kit, a cell never used) is captured all in one document, one event per
 * document in order, in reverse order and in shuffled orders, and after
 * each the recall of every lot through the index must give exactly the
 * known units, the same as the walk without the index; the index must stay
 * built; a repeated document changes nothing.
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

#include "store/store_int.h"
#include "trace/recall_int.h"

#define CELL "urn:epc:id:sgtin:4012345.040001."
#define PACK "urn:epc:id:sgtin:0614141.030001."
#define UNIT "urn:epc:id:sgtin:0614141.012345."
#define KIT "urn:example:kit,7"

#define TZ "\"eventTimeZoneOffset\":\"+00:00\""
#define OBJ(t, epcs, rest)                                                                         \
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"" t "\"," TZ ",\"epcList\":[" epcs "]," rest "}"
#define XF(t, rest) "{\"type\":\"TransformationEvent\",\"eventTime\":\"" t "\"," TZ "," rest "}"
#define Q(s) "\"" s "\""
#define ILMD(lot) "\"ilmd\":{\"cbvmda:lotNumber\":\"" lot "\"}"
#define COMMISSION "\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\""
#define IN(a) "\"inputEPCList\":[" a "]"
#define OUT(a) ",\"outputEPCList\":[" a "]"
#define QTY(list, cls) "\"" list "\":[{\"epcClass\":\"" cls "\",\"quantity\":5}]"

/* The events, in event-time order. */
static const char *const events[] = {
    OBJ("2024-01-01T08:00:00Z", Q(CELL "1") "," Q(CELL "2") "," Q(CELL "3") "," Q(CELL "4"),
        COMMISSION "," ILMD("LA")),
    OBJ("2024-01-01T08:01:00Z", Q(CELL "5") "," Q(CELL "6"), COMMISSION "," ILMD("LB")),
    XF("2024-01-02T08:00:00Z", IN(Q(CELL "1") "," Q(CELL "2")) OUT(Q(PACK "1"))),
    XF("2024-01-02T08:01:00Z", IN(Q(CELL "3") "," Q(CELL "5")) OUT(Q(PACK "2"))), /* mixed */
    XF("2024-01-03T08:00:00Z", IN(Q(PACK "1")) OUT(Q(UNIT "1"))),
    XF("2024-01-03T08:01:00Z", IN(Q(PACK "2")) OUT(Q(UNIT "2"))),
    XF("2024-01-03T08:02:00Z",
       QTY("inputQuantityList", "urn:epc:class:lgtin:4012345.040001.LA") "," QTY(
           "outputQuantityList", "urn:epc:class:lgtin:0614141.030001.PL")),
    OBJ("2024-01-04T08:00:00Z", Q(PACK "3"), COMMISSION "," ILMD("PL")), /* a pack of PL */
    XF("2024-01-05T08:00:00Z", IN(Q(PACK "3")) OUT(Q(UNIT "3"))),
    XF("2024-01-04T08:01:00Z",
       QTY("inputQuantityList", "urn:epc:class:lgtin:4012345.050001.M") OUT(Q(UNIT "4"))),
    XF("2024-01-04T08:02:00Z", IN(Q(CELL "6")) OUT(Q(KIT))),
};
#define NEVENTS (sizeof events / sizeof *events)

/* Lots and the units each must recall (cell 4 was never used: it is affected itself). */
static const struct {
    const char *gtin, *lot;
    const char *want[6];
} answers[] = {
    {"04012345400014", "LA", {UNIT "1", UNIT "2", UNIT "3", CELL "4", NULL}},
    {"04012345400014", "LB", {UNIT "2", KIT, NULL}},
    {"04012345500011", "M", {UNIT "4", NULL}},
    {"00614141300013", "PL", {UNIT "3", NULL}},
    {"04012345400014", "NONE", {NULL}},
};

static const char *g_url; /* the store URL template of this run */

typedef struct fx {
    st_url_store u;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || st_test_url_store_open(&f->u, g_url, "lineage")) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    st_test_url_store_close(&f->u);
    free(f);
    return 0;
}

/* Capture events order[0..n) as one document. */
static void capture(fx *f, const size_t *order, size_t n)
{
    static const char head[] =
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
        "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
        "\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[";
    char doc[16384];
    size_t k = (size_t)snprintf(doc, sizeof doc, "%s", head);
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(doc + k, sizeof doc - k, "%s%s", i ? "," : "", events[order[i]]);
    k += (size_t)snprintf(doc + k, sizeof doc - k, "]}}");
    assert_true(k < sizeof doc);
    st_capture_result r;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(f->u.t.s, doc, k, "t", &r, &rep);
    if (rc) {
        long ev = -1;
        const char *p = "", *m = "";
        if (rep && st_epcis_report_errors_listed(rep))
            st_epcis_report_error(rep, 0, &ev, &p, &m);
        fail_msg("capture refused: event %ld %s %s", ev, p, m);
    }
    st_epcis_report_destroy(rep);
}

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int64_t *)ctx = c[0].i;
    return ST_OK;
}

static int64_t built(fx *f)
{
    int64_t b = -1;
    assert_int_equal(
        st_store_exec(f->u.t.s, "SELECT built FROM lineage_state", NULL, 0, row_int, &b, NULL),
        ST_OK);
    return b;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The recall of lot a as sorted canonical keys, space separated, into out. */
static void recall_keys(fx *f, size_t a, char *out, size_t cap)
{
    char crit[256];
    snprintf(crit, sizeof crit, "{\"component_lots\":[{\"gtin\":\"%s\",\"lot\":\"%s\"}]}",
             answers[a].gtin, answers[a].lot);
    st_arena *ar = st_arena_create(0);
    st_rcl_criteria c;
    st_rcl_result r;
    st_error e;
    st_error_clear(&e);
    assert_int_equal(st_rcl_parse(crit, strlen(crit), ar, &c, &e), ST_OK);
    if (st_rcl_walk(f->u.t.s, &c, 0, &r, &e))
        fail_msg("recall %s: %s", crit, e.msg);
    const char **k = calloc(r.n + 1, sizeof *k);
    assert_non_null(k);
    for (size_t i = 0; i < r.n; i++)
        k[i] = r.u[i].key;
    qsort(k, r.n, sizeof *k, key_cmp);
    out[0] = '\0';
    for (size_t i = 0; i < r.n; i++) {
        strncat(out, i ? " " : "", cap - strlen(out) - 1);
        strncat(out, k[i], cap - strlen(out) - 1);
    }
    free(k);
    st_rcl_result_free(&r);
    st_arena_destroy(ar);
}

/* The known answer of lot a, in the same form. */
static void want_keys(size_t a, char *out, size_t cap)
{
    char buf[8][256];
    const char *k[8];
    size_t n = 0;
    for (; answers[a].want[n]; n++) {
        assert_int_equal(st_trace_key(answers[a].want[n], buf[n], sizeof buf[n], NULL), ST_OK);
        k[n] = buf[n];
    }
    qsort(k, n, sizeof *k, key_cmp);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strncat(out, i ? " " : "", cap - strlen(out) - 1);
        strncat(out, k[i], cap - strlen(out) - 1);
    }
}

/* Every lot's recall through the index, then through the walk (index off). */
static void check_all(fx *f, const char *how)
{
    char got[2048], want[2048];
    assert_int_equal(built(f), 1);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t a = 0; a < sizeof answers / sizeof *answers; a++) {
            recall_keys(f, a, got, sizeof got);
            want_keys(a, want, sizeof want);
            if (strcmp(got, want))
                fail_msg("%s, lot %s, %s:\n got  %s\n want %s", how, answers[a].lot,
                         pass ? "walk" : "index", got, want);
        }
        assert_int_equal(st_store_admin_exec(f->u.t.s,
                                             pass ? "UPDATE lineage_state SET built = 1"
                                                  : "UPDATE lineage_state SET built = 0",
                                             NULL, 0, NULL, NULL, NULL, NULL),
                         ST_OK);
    }
}

static void test_one_document(void **state)
{
    fx *f = *state;
    size_t order[NEVENTS];
    for (size_t i = 0; i < NEVENTS; i++)
        order[i] = i;
    capture(f, order, NEVENTS);
    check_all(f, "one document");
    capture(f, order, NEVENTS); /* all duplicates: nothing changes */
    check_all(f, "the document again");
}

static void test_event_by_event(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < NEVENTS; i++)
        capture(f, &i, 1);
    check_all(f, "one event per document, in order");
}

static void test_reverse_order(void **state)
{
    fx *f = *state;
    for (size_t i = NEVENTS; i-- > 0;)
        capture(f, &i, 1);
    check_all(f, "one event per document, newest first");
}

static void test_shuffled(void **state)
{
    /* each seed a fresh store: orders where outputs are used before they are made */
    for (unsigned seed = 1; seed <= 4; seed++) {
        fx *f = NULL;
        void *st = NULL;
        assert_int_equal(setup(&st), 0);
        f = st;
        size_t order[NEVENTS];
        for (size_t i = 0; i < NEVENTS; i++)
            order[i] = i;
        unsigned x = seed * 2654435761u;
        for (size_t i = NEVENTS - 1; i > 0; i--) { /* Fisher-Yates, a fixed generator */
            x = x * 1103515245u + 12345u;
            size_t j = (x >> 8) % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        /* in documents of one to three events */
        for (size_t i = 0; i < NEVENTS;) {
            size_t n = 1 + (i + seed) % 3;
            if (i + n > NEVENTS)
                n = NEVENTS - i;
            capture(f, order + i, n);
            i += n;
        }
        char how[64];
        snprintf(how, sizeof how, "shuffled order %u", seed);
        check_all(f, how);
        teardown(&st);
    }
}

/* A store whose index was lost (as after migrating a store with events):
 * recalls walk and stay right; the rebuild from the stored events gives
 * the index the captures kept. */
static void test_rebuild(void **state)
{
    fx *f = *state;
    for (size_t i = NEVENTS; i-- > 0;) /* newest first: the rebuild reads in record order */
        capture(f, &i, 1);
    static const char *const wipe[] = {"DELETE FROM lineage_node", "DELETE FROM lineage_leaf",
                                       "DELETE FROM lineage_class",
                                       "UPDATE lineage_state SET built = 0"};
    for (size_t i = 0; i < sizeof wipe / sizeof *wipe; i++)
        assert_int_equal(st_store_admin_exec(f->u.t.s, wipe[i], NULL, 0, NULL, NULL, NULL, NULL),
                         ST_OK);
    int b = 1;
    assert_int_equal(st_store_lineage_built(f->u.t.s, &b, NULL), ST_OK);
    assert_int_equal(b, 0);
    char got[2048], want[2048];
    for (size_t a = 0; a < sizeof answers / sizeof *answers; a++) { /* walked */
        recall_keys(f, a, got, sizeof got);
        want_keys(a, want, sizeof want);
        assert_string_equal(got, want);
    }
    int64_t read = 0;
    st_error e;
    st_error_clear(&e);
    if (st_store_reindex(f->u.t.s, &read, &e))
        fail_msg("reindex: %s", e.msg);
    assert_int_equal(read, NEVENTS);
    int64_t leaves = -1;
    assert_int_equal(st_store_exec(f->u.t.s, "SELECT count(*) FROM lineage_leaf", NULL, 0, row_int,
                                   &leaves, NULL),
                     ST_OK);
    assert_true(leaves > 0);
    check_all(f, "rebuilt from the stored events");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_by_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reverse_order, setup, teardown),
        cmocka_unit_test(test_shuffled),
        cmocka_unit_test_setup_teardown(test_rebuild, setup, teardown),
    };
    return st_test_run_on_urls("lineage suite", tests, sizeof tests / sizeof *tests, NULL, NULL,
                               &g_url);
}
