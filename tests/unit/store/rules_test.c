/*
 * Lifecycle rules (lib/store/rules.c, rulecheck.c): the configuration
 * parser; each rule planted once after a clean history and found exactly
 * once, with its identifier and evidence; each rule in reject mode refusing
 * the document with nothing written; a retried document staying idempotent;
 * and a generated chain of many documents raising no anomaly at all. Runs on
 * every store URL (tests/unit/store_urls.h): SQLite and PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <serialtrack/chain.h>
#include <serialtrack/rules.h>
#include <serialtrack/store.h>

#include "store/rulecheck.h"
#include "store/store_int.h"
#include "unit/store_urls.h"
#include "unit/tmp_store.h"

#define U1 "urn:epc:id:sgtin:0614141.107346.1001"
#define U1_KEY "https://id.gs1.org/01/10614141073464/21/1001"
#define U2 "urn:epc:id:sgtin:0614141.107346.1002"
#define U2_KEY "https://id.gs1.org/01/10614141073464/21/1002"
#define PALLET "urn:epc:id:sscc:0614141.1234567890"
#define LOC_A "urn:epc:id:sgln:0614141.00001.0"
#define LOC_B "urn:epc:id:sgln:0614141.00002.0"
#define LOC_B_KEY "https://id.gs1.org/414/0614141000029"

/* ---- building documents ------------------------------------------------------------ */

static char doc[16384];

/* An EPCIS 2.0 JSON-LD document of the events given (JSON objects without
 * the common members), with master data md (the vocabularyList's elements,
 * or ""). */
static const char *document(const char *md, int n, ...)
{
    int w = snprintf(doc, sizeof doc,
                     "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                     "epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                     "\"creationDate\":\"2024-01-01T00:00:00Z\",");
    if (md[0])
        w += snprintf(doc + w, sizeof doc - (size_t)w,
                      "\"epcisHeader\":{\"epcisMasterData\":{\"vocabularyList\":[%s]}},", md);
    w += snprintf(doc + w, sizeof doc - (size_t)w, "\"epcisBody\":{\"eventList\":[");
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        w += snprintf(doc + w, sizeof doc - (size_t)w, "%s{%s,\"eventTimeZoneOffset\":\"+00:00\"}",
                      i ? "," : "", va_arg(ap, const char *));
    va_end(ap);
    snprintf(doc + w, sizeof doc - (size_t)w, "]}}");
    return doc;
}

#define OBJ(time, epcs, action, step, disp, loc)                                                   \
    "\"type\":\"ObjectEvent\",\"eventTime\":\"" time "\",\"epcList\":[" epcs                       \
    "],\"action\":\"" action "\",\"bizStep\":\"" step "\",\"disposition\":\"" disp                 \
    "\",\"readPoint\":{\"id\":\"" loc "\"},\"bizLocation\":{\"id\":\"" loc "\"}"
#define AGG(time, parent, children, loc)                                                           \
    "\"type\":\"AggregationEvent\",\"eventTime\":\"" time "\",\"parentID\":\"" parent              \
    "\",\"childEPCs\":[" children "],\"action\":\"ADD\",\"bizStep\":\"packing\",\"disposition\":"  \
    "\"in_progress\",\"readPoint\":{\"id\":\"" loc "\"},\"bizLocation\":{\"id\":\"" loc "\"}"
#define Q(s) "\"" s "\""
#define COMMISSION(time, epcs) OBJ(time, epcs, "ADD", "commissioning", "active", LOC_A)

/* Locations A (Paris) and B (Tokyo) with coordinates. */
#define GEO_MD                                                                                     \
    "{\"type\":\"urn:epcglobal:epcis:vtype:BusinessLocation\",\"vocabularyElementList\":["         \
    "{\"id\":\"" LOC_A "\",\"attributes\":[{\"id\":\"urn:epcglobal:cbv:mda#latitude\","            \
    "\"attribute\":\"48.8566\"},{\"id\":\"urn:epcglobal:cbv:mda#longitude\",\"attribute\":"        \
    "\"2.3522\"}]},{\"id\":\"" LOC_B "\",\"attributes\":[{\"id\":\"urn:epcglobal:cbv:mda#"         \
    "latitude\",\"attribute\":\"35.6762\"},{\"id\":\"urn:epcglobal:cbv:mda#longitude\","           \
    "\"attribute\":\"139.6503\"}]}]}"

/* ---- the store and what it found ---------------------------------------------------------- */

typedef st_url_store fx; /* the store (t.s) of the URL template being run */

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static int setup(void **state)
{
    return st_test_url_setup(state, g_url, "rules");
}

static int teardown(void **state)
{
    return st_test_url_teardown(state);
}

static st_rc capture(fx *f, const char *d, st_error *e)
{
    st_epcis_report *rep = NULL;
    st_capture_result res;
    st_rc rc = st_store_capture_mem(f->t.s, d, strlen(d), "t", &res, &rep);
    if (rc && e) {
        st_error_clear(e);
        for (size_t i = 0; rep && i < st_epcis_report_errors_listed(rep); i++) {
            long ev;
            const char *path, *msg;
            st_epcis_report_error(rep, i, &ev, &path, &msg);
            snprintf(e->msg, sizeof e->msg, "%s", msg);
        }
    }
    st_epcis_report_destroy(rep);
    return rc;
}

static void capture_ok(fx *f, const char *d)
{
    st_error e;
    st_rc rc = capture(f, d, &e);
    if (rc)
        fail_msg("capture failed: %s", e.msg);
}

typedef struct found {
    int n;
    char type[64], key[256], evidence[512];
} found;

static st_rc collect(void *ctx, const st_anomaly *a)
{
    found *fd = ctx;
    fd->n++;
    snprintf(fd->type, sizeof fd->type, "%s", a->type);
    snprintf(fd->key, sizeof fd->key, "%s", a->key);
    snprintf(fd->evidence, sizeof fd->evidence, "%s", a->evidence);
    return ST_OK;
}

static found anomalies(fx *f, const char *type)
{
    found fd;
    memset(&fd, 0, sizeof fd);
    st_anomaly_filter flt = {.type = type};
    assert_int_equal(st_anomalies_list(f->t.s, &flt, collect, &fd, NULL), ST_OK);
    return fd;
}

static int64_t events(fx *f)
{
    st_store_info info;
    assert_int_equal(st_store_info_get(f->t.s, &info, NULL), ST_OK);
    return info.events;
}

static void set_rules(fx *f, const char *spec)
{
    st_rules *r = NULL;
    assert_int_equal(st_rules_create(&r), ST_OK);
    assert_int_equal(st_rules_parse(r, spec, NULL), ST_OK);
    assert_int_equal(st_store_set_rules(f->t.s, r), ST_OK);
    st_rules_destroy(r);
}

/* ---- the planted anomalies ------------------------------------------------------------------ */

/* One scenario: a clean history, then a document with one anomaly. */
typedef struct scenario {
    const char *rule;     /* the rule planted */
    const char *history;  /* documents captured first, clean (each one JSON-LD) */
    const char *history2; /* a second one, or NULL */
    const char *planted;  /* the document with exactly one anomaly */
    const char *key;      /* the identifier it names */
    const char *evidence; /* a fragment of its evidence */
} scenario;

static scenario scenarios[7];

static void make_scenarios(void)
{
    static char buf[7][3][4096];
#define KEEP(i, j, s) (strcpy(buf[i][j], s), buf[i][j])
    int i = 0;
    /* unknown_serial: U2 was never commissioned; the pallet (SSCC) is not a serial */
    scenarios[i] =
        (scenario){"unknown_serial",
                   KEEP(i, 0, document("", 1, COMMISSION("2024-01-01T08:00:00Z", Q(U1)))),
                   NULL,
                   KEEP(i, 1,
                        document("", 1,
                                 OBJ("2024-01-02T08:00:00Z", Q(U1) "," Q(U2) "," Q(PALLET),
                                     "OBSERVE", "shipping", "in_transit", LOC_A))),
                   U2_KEY,
                   "\"role\":\"epc\""};
    i++;
    scenarios[i] =
        (scenario){"duplicate_commissioning",
                   KEEP(i, 0, document("", 1, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)))),
                   NULL,
                   KEEP(i, 1, document("", 1, COMMISSION("2024-01-03T08:00:00Z", Q(U1)))),
                   U1_KEY,
                   "\"commissioned_at\":\"2024-01-01T08:00:00.000Z\""};
    i++;
    scenarios[i] =
        (scenario){"event_after_decommission",
                   KEEP(i, 0,
                        document("", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                                 OBJ("2024-01-02T08:00:00Z", Q(U1), "OBSERVE", "decommissioning",
                                     "inactive", LOC_A))),
                   NULL,
                   KEEP(i, 1,
                        document("", 1,
                                 OBJ("2024-01-03T08:00:00Z", Q(U1) "," Q(U2), "OBSERVE",
                                     "inspecting", "active", LOC_A))),
                   U1_KEY,
                   "\"decommissioned_at\":\"2024-01-02T08:00:00.000Z\""};
    i++;
    scenarios[i] = (scenario){
        "recalled_or_stolen_moved",
        KEEP(i, 0,
             document("", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                      OBJ("2024-01-02T08:00:00Z", Q(U1), "OBSERVE", "holding", "recalled", LOC_A))),
        NULL,
        KEEP(i, 1,
             document("", 1,
                      OBJ("2024-01-03T08:00:00Z", Q(U1) "," Q(U2), "OBSERVE", "shipping",
                          "in_transit", LOC_A))),
        U1_KEY,
        "\"disposition\":\"recalled\""};
    i++;
    /* U1 was last at A; packed into the pallet at B (U2 was received at B first) */
    scenarios[i] = (scenario){
        "container_mismatch",
        KEEP(i, 0,
             document(
                 "", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                 OBJ("2024-01-02T08:00:00Z", Q(U2), "OBSERVE", "receiving", "in_progress", LOC_B))),
        NULL,
        KEEP(i, 1, document("", 1, AGG("2024-01-04T08:00:00Z", PALLET, Q(U1) "," Q(U2), LOC_B))),
        U1_KEY,
        "\"packed_at\":\"" LOC_B_KEY "\""};
    i++;
    /* Paris to Tokyo (9,700 km) in one hour; U2 takes ten days */
    scenarios[i] =
        (scenario){"impossible_travel",
                   KEEP(i, 0, document(GEO_MD, 1, COMMISSION("2024-01-01T08:00:00Z", Q(U1)))),
                   KEEP(i, 2, document("", 1, COMMISSION("2023-12-22T08:00:00Z", Q(U2)))),
                   KEEP(i, 1,
                        document("", 1,
                                 OBJ("2024-01-01T09:00:00Z", Q(U1) "," Q(U2), "OBSERVE",
                                     "receiving", "in_progress", LOC_B))),
                   U1_KEY,
                   "\"limit_kmh\":900"};
    i++;
    /* packed at 08:00, and U1 again into the same pallet at the same place 2 min later */
    scenarios[i] =
        (scenario){"duplicate_scan",
                   KEEP(i, 0,
                        document("", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                                 AGG("2024-01-02T08:00:00Z", PALLET, Q(U1) "," Q(U2), LOC_A))),
                   NULL,
                   KEEP(i, 1, document("", 1, AGG("2024-01-02T08:02:00Z", PALLET, Q(U1), LOC_A))),
                   U1_KEY,
                   "\"session\":\"packing\""};
#undef KEEP
}

static void test_each_rule_flags_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        fx *f = NULL;
        assert_int_equal(setup((void **)&f), 0);
        const scenario *sc = &scenarios[i];
        capture_ok(f, sc->history);
        if (sc->history2)
            capture_ok(f, sc->history2);
        found none = anomalies(f, NULL);
        if (none.n)
            fail_msg("%s: the clean history raised %s on %s", sc->rule, none.type, none.key);
        capture_ok(f, sc->planted);
        found all = anomalies(f, NULL);
        if (all.n != 1)
            fail_msg("%s: %d anomalies, expected 1 (last: %s on %s)", sc->rule, all.n, all.type,
                     all.key);
        assert_string_equal(all.type, sc->rule);
        assert_string_equal(all.key, sc->key);
        if (!strstr(all.evidence, sc->evidence))
            fail_msg("%s: evidence %s lacks %s", sc->rule, all.evidence, sc->evidence);
        /* the type filter finds it and only it */
        assert_int_equal(anomalies(f, sc->rule).n, 1);
        /* capturing the same document again stores nothing and finds nothing new */
        capture_ok(f, sc->planted);
        assert_int_equal(anomalies(f, NULL).n, 1);
        teardown((void **)&f);
    }
}

static void test_each_rule_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        fx *f = NULL;
        assert_int_equal(setup((void **)&f), 0);
        const scenario *sc = &scenarios[i];
        capture_ok(f, sc->history);
        if (sc->history2)
            capture_ok(f, sc->history2);
        char spec[128];
        snprintf(spec, sizeof spec, "%s=reject", sc->rule);
        set_rules(f, spec);
        int64_t before = events(f);
        st_error e;
        st_rc rc = capture(f, sc->planted, &e);
        if (rc != ST_ERR_RULE)
            fail_msg("%s: capture returned %d (%s), expected ST_ERR_RULE", sc->rule, rc, e.msg);
        if (!strstr(e.msg, sc->rule) || !strstr(e.msg, sc->key) || !strstr(e.msg, "event 0"))
            fail_msg("%s: message \"%s\" does not name the rule, event and identifier", sc->rule,
                     e.msg);
        assert_int_equal(events(f), before); /* nothing written */
        assert_int_equal(anomalies(f, NULL).n, 0);
        /* off: stored, nothing recorded */
        snprintf(spec, sizeof spec, "%s=off", sc->rule);
        set_rules(f, spec);
        capture_ok(f, sc->planted);
        assert_true(events(f) > before);
        assert_int_equal(anomalies(f, NULL).n, 0);
        teardown((void **)&f);
    }
}

/* Commission then ship in one document is clean; a serial twice in one
 * event's list is a duplicate scan of that event. */
static void test_within_document(void **state)
{
    fx *f = *state;
    capture_ok(f, document("", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1)),
                           OBJ("2024-01-01T09:00:00Z", Q(U1), "OBSERVE", "shipping", "in_transit",
                               LOC_A)));
    assert_int_equal(anomalies(f, NULL).n, 0);
    capture_ok(f, document("", 1, COMMISSION("2024-01-01T08:00:00Z", Q(U2) "," Q(U2))));
    found fd = anomalies(f, NULL);
    assert_int_equal(fd.n, 1);
    assert_string_equal(fd.type, "duplicate_scan");
    assert_string_equal(fd.key, U2_KEY);
    assert_non_null(strstr(fd.evidence, "\"session\":\"event\""));
}

/* A recalled unit shipped inside a pallet: the pallet is named, the unit is
 * found through the committed containment, once. */
static void test_moved_inside_container(void **state)
{
    fx *f = *state;
    capture_ok(
        f, document("", 3, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                    AGG("2024-01-01T09:00:00Z", PALLET, Q(U1) "," Q(U2), LOC_A),
                    OBJ("2024-01-01T10:00:00Z", Q(U1), "OBSERVE", "holding", "recalled", LOC_A)));
    assert_int_equal(anomalies(f, NULL).n, 0);
    capture_ok(f, document("", 1,
                           OBJ("2024-01-02T08:00:00Z", Q(PALLET), "OBSERVE", "shipping",
                               "in_transit", LOC_A)));
    found fd = anomalies(f, NULL);
    assert_int_equal(fd.n, 1);
    assert_string_equal(fd.type, "recalled_or_stolen_moved");
    assert_string_equal(fd.key, U1_KEY);
    assert_non_null(strstr(fd.evidence, "\"inside\":\"https://id.gs1.org/00/"));
}

/* ---- a clean generated chain ---------------------------------------------------------------- */

static st_rc emit(void *ctx, const char *d, size_t len, size_t n)
{
    fx *f = ctx;
    st_capture_result res;
    return st_store_capture_mem(f->t.s, d, len, "chain", &res, NULL);
}

static void test_clean_chain(void **state)
{
    fx *f = *state;
    st_chain_opts o = {.units = 2000, .events_per_doc = 500};
    st_chain_stats st;
    assert_int_equal(st_chain_generate(&o, emit, f, &st, NULL), ST_OK);
    assert_true(st.documents > 5);
    found fd = anomalies(f, NULL);
    if (fd.n)
        fail_msg("the clean chain raised %d anomalies, e.g. %s on %s: %s", fd.n, fd.type, fd.key,
                 fd.evidence);
}

/* ---- upgrading a store of schema v4 --------------------------------------------------------- */

/* v5's tables and those of every later migration */
#define LATER_TABLES                                                                               \
    "item_life, location_geo, anomaly, recall, recall_unit, warranty_terms, ownership,"            \
    " warranty_claim, item_return, lineage_node, lineage_leaf, lineage_class, lineage_state"

/* the columns later migrations added to v4's tables (v8: named_query's
 * creator; v11: the links' identifier bound) */
static const char *const later_columns[] = {"ALTER TABLE named_query DROP COLUMN created_by",
                                            "ALTER TABLE batch DROP COLUMN ident_hw"};
#define N_LATER_COLUMNS (sizeof later_columns / sizeof *later_columns)

/* Take the open store back to schema v4 and reopen it migrating. */
static void back_to_v4(fx *f)
{
    if (strncmp(f->url, "sqlite:", 7)) { /* PostgreSQL: through the store itself */
        assert_int_equal(st_store_admin_exec(f->t.s, "DROP TABLE " LATER_TABLES, NULL, 0, NULL,
                                             NULL, NULL, NULL),
                         ST_OK);
        for (size_t i = 0; i < N_LATER_COLUMNS; i++)
            assert_int_equal(
                st_store_admin_exec(f->t.s, later_columns[i], NULL, 0, NULL, NULL, NULL, NULL),
                ST_OK);
        assert_int_equal(st_store_admin_exec(f->t.s, "UPDATE schema_version SET version = 4", NULL,
                                             0, NULL, NULL, NULL, NULL),
                         ST_OK);
        st_store_close(f->t.s);
        f->t.s = NULL;
    } else {
        st_store_close(f->t.s);
        f->t.s = NULL;
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(f->t.path, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_exec(db,
                         "DROP TABLE item_life; DROP TABLE location_geo; DROP TABLE anomaly;"
                         " DROP TABLE recall; DROP TABLE recall_unit; DROP TABLE warranty_terms;"
                         " DROP TABLE ownership; DROP TABLE warranty_claim; DROP TABLE item_return;"
                         " DROP TABLE lineage_node; DROP TABLE lineage_leaf;"
                         " DROP TABLE lineage_class; DROP TABLE lineage_state;"
                         " PRAGMA user_version = 4;",
                         NULL, NULL, NULL),
            SQLITE_OK);
        for (size_t i = 0; i < N_LATER_COLUMNS; i++)
            assert_int_equal(sqlite3_exec(db, later_columns[i], NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    st_store_opts mig = {.migrate = 1};
    assert_int_equal(st_store_open(f->url, &mig, &f->t.s, NULL), ST_OK);
}

/* The v5 migration fills item_life from the stored events: after an
 * upgrade, commissioned serials are known and decommissioned ones stay so. */
static void test_upgrade_backfills(void **state)
{
    fx *f = *state;
    capture_ok(f, document("", 2, COMMISSION("2024-01-01T08:00:00Z", Q(U1) "," Q(U2)),
                           OBJ("2024-01-02T08:00:00Z", Q(U1), "OBSERVE", "destroying", "destroyed",
                               LOC_A)));
    back_to_v4(f);
    capture_ok(f, document("", 1,
                           OBJ("2024-01-03T08:00:00Z", Q(U1) "," Q(U2), "OBSERVE", "inspecting",
                               "active", LOC_A)));
    found fd = anomalies(f, NULL);
    assert_int_equal(fd.n, 1); /* U2 is known; U1 was destroyed */
    assert_string_equal(fd.type, "event_after_decommission");
    assert_string_equal(fd.key, U1_KEY);
}

/* ---- configuration --------------------------------------------------------------------------- */

static void test_parse(void **state)
{
    (void)state;
    st_rules *r = NULL;
    assert_int_equal(st_rules_create(&r), ST_OK);
    assert_int_equal(st_rules_mode(r, "unknown_serial"), ST_RULE_FLAG);
    assert_int_equal(st_rules_parse(r, "all=off,unknown_serial=reject,speed_kmh=500", NULL), ST_OK);
    assert_int_equal(st_rules_mode(r, "unknown_serial"), ST_RULE_REJECT);
    assert_int_equal(st_rules_mode(r, "duplicate_scan"), ST_RULE_OFF);
    static const struct {
        const char *spec, *fragment;
    } bad[] = {
        {"unknown=flag", "unknown rule \"unknown\"; the rules are all, unknown_serial"},
        {"unknown_serial=maybe", "none of flag, reject, off"},
        {"unknown_serial", "is not rule=mode"},
        {"speed_kmh=0", "speed_kmh \"0\" is not a whole number from 1 to 100000"},
        {"session_s=x", "session_s \"x\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        st_error e;
        assert_int_equal(st_rules_parse(r, bad[i].spec, &e), ST_ERR_ARG);
        if (!strstr(e.msg, bad[i].fragment))
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].spec, e.msg, bad[i].fragment);
    }
    /* a failed parse changes nothing */
    assert_int_equal(st_rules_parse(r, "duplicate_scan=flag,bogus=off", NULL), ST_ERR_ARG);
    assert_int_equal(st_rules_mode(r, "duplicate_scan"), ST_RULE_OFF);
    setenv("SERIALTRACK_RULES", "duplicate_scan=reject", 1);
    assert_int_equal(st_rules_from_env(r, NULL), ST_OK);
    assert_int_equal(st_rules_mode(r, "duplicate_scan"), ST_RULE_REJECT);
    setenv("SERIALTRACK_RULES", "x=y", 1);
    st_error e;
    assert_int_equal(st_rules_from_env(r, &e), ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "SERIALTRACK_RULES: "));
    unsetenv("SERIALTRACK_RULES");
    st_rules_destroy(r);
}

static void test_serial_keys(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        int serial;
    } rows[] = {
        {U1_KEY, 1},
        {"https://id.gs1.org/00/106141412345678908", 0},     /* SSCC */
        {"https://id.gs1.org/01/00614141073467/10/LOT1", 0}, /* a lot */
        {"https://id.gs1.org/01/00614141073467", 0},         /* a class */
        {"https://id.gs1.org/8004/0614141ABC", 1},           /* GIAI */
        {"https://id.gs1.org/8003/00614141000012", 0},       /* GRAI, no serial */
        {"https://id.gs1.org/8003/00614141000012S1", 1},     /* GRAI with one */
        {"https://id.gs1.org/414/0614141000012", 0},         /* a location */
        {"urn:example:private:1", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        if (st_rulecheck_is_serial(rows[i].key) != rows[i].serial)
            fail_msg("%s: expected %d", rows[i].key, rows[i].serial);
}

int main(void)
{
    make_scenarios();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_serial_keys),
        cmocka_unit_test(test_each_rule_flags_once),
        cmocka_unit_test(test_each_rule_rejects),
        cmocka_unit_test_setup_teardown(test_within_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_moved_inside_container, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_backfills, setup, teardown),
    };
    return st_test_run_on_urls("lifecycle rules suite", tests, sizeof tests / sizeof *tests, NULL,
                               NULL, &g_url);
}
