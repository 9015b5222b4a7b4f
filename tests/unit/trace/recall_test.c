/*
 * Tests for targeted recall (lib/trace/recall.c, recall_walk.c) over a
 * hand-built chain whose right answers are known: cells by lot into packs
 * into units (two levels, one pack mixing two lots), a lot consumed as a
 * class into a pack lot consumed as a class, a material lot, mixed cases
 * on a pallet, a sale; every kind of criterion alone and combined; the
 * facts of each unit; the stored report re-read as JSON and CSV; execution
 * captured once (a second captures nothing, the chain verifies); bad
 * criteria refused with the member named and nothing stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "unit/tmp_store.h"

#include "store/store_int.h"
#include "trace/recall_int.h"

#define CELL "urn:epc:id:sgtin:4012345.040001."
#define PACK "urn:epc:id:sgtin:0614141.030001."
#define UNIT "urn:epc:id:sgtin:0614141.012345."
#define CASE1 "urn:epc:id:sscc:0614141.0000000001"
#define CASE2 "urn:epc:id:sscc:0614141.0000000002"
#define PALLET "urn:epc:id:sscc:0614141.1000000001"
#define KIT "urn:example:kit,7" /* a private identifier with a comma: CSV quotes it */
#define PLANT "urn:epc:id:sgln:0614141.00100.0"
#define PACKING "urn:epc:id:sgln:0614141.00100.201"
#define DC "urn:epc:id:sgln:9520123.10000.0"
#define STORE "urn:epc:id:sgln:9520123.20000.0"
#define RETAIL "urn:epc:id:pgln:9520123.00000"

#define TZ "\"eventTimeZoneOffset\":\"+00:00\""
#define OBJ(t, epcs, rest)                                                                         \
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"" t "\"," TZ ",\"epcList\":[" epcs "]," rest "}"
#define XF(t, rest) "{\"type\":\"TransformationEvent\",\"eventTime\":\"" t "\"," TZ "," rest "}"
#define AGG(t, parent, kids, action, rest)                                                         \
    "{\"type\":\"AggregationEvent\",\"eventTime\":\"" t "\"," TZ ",\"parentID\":\"" parent         \
    "\",\"childEPCs\":[" kids "],\"action\":\"" action "\"" rest "}"
#define Q(s) "\"" s "\""
#define ILMD(lot) "\"ilmd\":{\"cbvmda:lotNumber\":\"" lot "\"}"
#define COMMISSION "\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\""

/* The chain (comments give the answers):
 *   cells 1-5 lot LA, cells 9-12 lot LB
 *   pack1 <- cells 1,2      unit1 <- pack1     (LA)
 *   pack2 <- cells 3,4      unit2 <- pack2     (LA)
 *   pack3 <- cells 9,10     unit3 <- pack3     (LB)
 *   pack4 <- cells 5,11     unit4 <- pack4     (LA and LB: a mixed pack)
 *   unit5 <- cell 12                           (LB, one level)
 *   kit,7 <- cell 4                            (LA)
 *   class LA -> class PL1 (packs), class PL1 -> unit8   (LA, through lots)
 *   class M1 (material) -> unit6, unit7
 *   case1 {unit1, unit3} on pallet, received at DC by RETAIL; case2 {unit2,
 *   unit5} packed an hour later; unit2 unpacked and sold at STORE */
static const char chain_doc[] =
    "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
    "\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[" OBJ(
        "2024-01-01T08:00:00Z",
        Q(CELL "1") "," Q(CELL "2") "," Q(CELL "3") "," Q(CELL "4") "," Q(CELL "5"),
        COMMISSION
        "," ILMD("LA")) "," OBJ("2024-01-01T08:10:00Z",
                                Q(CELL "9") "," Q(CELL "10") "," Q(CELL "11") "," Q(CELL "12"),
                                COMMISSION "," ILMD(
                                    "LB")) "," XF("2024-01-02T08:00:00Z",
                                                  "\"inputEPCList\":[" Q(CELL "1") "," Q(CELL "2") "],\"outputEPCList\":[" Q(PACK "1") "]") "," XF("2024-01-02T08:01:00Z", "\"inputEPCList\":[" Q(CELL "3") "," Q(CELL "4") "],\"outputEPCList\":[" Q(PACK "2") "]") "," XF("2024-01-02T08:02:00Z", "\"inputEPCList\":[" Q(CELL
                                                                                                                                                                                                                                                                                                                           "9") "," Q(CELL
                                                                                                                                                                                                                                                                                                                                      "10") "],\"outputEPCList\":[" Q(PACK
                                                                                                                                                                                                                                                                                                                                                                      "3") "]") "," XF("2024-01-02T08:03:00Z", "\"inputEPCList\":[" Q(CELL
                                                                                                                                                                                                                                                                                                                                                                                                                                      "5") "," Q(CELL
                                                                                                                                                                                                                                                                                                                                                                                                                                                 "11") "],\"outputEPCList\":[" Q(PACK "4") "]") "," XF("2024-01-02T08:04:00Z", "\"inputEPCList\":[" Q(CELL "4") "],\"outputEPCList\":[" Q(KIT) "]") "," XF("2024-01-02T08:05:00Z", "\"inputQuantityList\":[{\"epcClass\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   "\"urn:epc:class:lgtin:4012345.040001.LA\",\"quantity\":20}],\"outputQuantityList\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   "[{\"epcClass\":\"urn:epc:class:lgtin:0614141.030001.PL1\",\"quantity\":10}]") "," XF("2024-01-03T08:00:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"inputEPCList\":[" Q(PACK "1") "],\"outputEPCList\":[" Q(UNIT "1") "]") "," XF("2024-01-03T08:01:00Z", "\"inputEPCList\":[" Q(PACK
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "2") "],\"outputEPCList\":[" Q(UNIT "2") "]") "," XF("2024-01-03T08:02:00Z", "\"inputEPCList\":[" Q(PACK
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "3") "],\"outputEPCList\":[" Q(UNIT
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            "3") "]") "," XF("2024-01-03T08:03:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "\"inputEPCList\":[" Q(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 PACK
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 "4") "],\"outputEPCList\":[" Q(UNIT "4") "]") "," XF("2024-01-03T08:04:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      "\"inputEPCList\":[" Q(CELL "12") "],\"outputEPCList\":[" Q(UNIT "5") "]") "," XF("2024-01-03T08:05:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        "\"inputQuantityList\":[{\"epcClass\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        "\"urn:epc:class:lgtin:4012345.050001.M1\",\"quantity\":2}],\"outputEPCList\":[" Q(UNIT "6") "," Q(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            UNIT "7") "]") "," XF("2024-01-03T08:06:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  "\"inputQuantityList\":[{\"epcClass\":"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  "\"urn:epc:class:lgtin:0614141.030001.PL1\",\"quantity\":1}],\"outputEPCList\":[" Q(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      UNIT "8") "]") "," AGG("2024-01-04T08:00:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             CASE1, Q(UNIT "1") "," Q(UNIT "3"), "ADD", ",\"bizStep\":\"packing\",\"readPoint\":{\"id\":\"" PACKING "\"}") "," AGG("2024-01-04T09:00:00Z", CASE2, Q(UNIT "2") "," Q(UNIT "5"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   "ADD",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   ",\"bizStep\":\"packing\",\"readPoint\":{\"id\":\"" PACKING "\"}") "," AGG("2024-01-04T10:00:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              PALLET, Q(CASE1),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              "ADD", ",\"bizStep\":\"packing\"") "," OBJ("2024-01-06T08:00:00Z",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         Q(PALLET),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"action\":\"OBSERVE\",\"bizStep\":\"receiving\",\"disposition\":\"in_progress\","
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"bizLocation\":{\"id\":\"" DC
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"},\"destinationList\":[{\"type\":\"owning_party\","
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"destination\":\"" RETAIL
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "\"}]") "," AGG("2024-01-07T08:00:00Z", CASE2, Q(UNIT "2"), "DELETE", ",\"bizStep\":\"unpacking\"") "," OBJ("2024-01-08T08:00:00Z", Q(UNIT "2"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     "\"action\":\"OBSERVE\",\"bizStep\":\"retail_selling\",\"disposition\":\"retail_sold\","
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     "\"bizLocation\":{\"id\":\"" STORE
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     "\"}") "]}}";

typedef struct fx {
    tmp_store t;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "recall"))
        return -1;
    st_capture_result r;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(f->t.s, chain_doc, sizeof chain_doc - 1, "t", &r, &rep);
    if (rc) {
        long ev = -1;
        const char *p = "", *m = "";
        if (rep && st_epcis_report_errors_listed(rep))
            st_epcis_report_error(rep, 0, &ev, &p, &m);
        fprintf(stderr, "chain refused: event %ld %s %s\n", ev, p, m);
    }
    st_epcis_report_destroy(rep);
    *state = f;
    return rc == ST_OK ? 0 : -1;
}

static int teardown(void **state)
{
    fx *f = *state;
    tmp_store_remove(&f->t);
    free(f);
    return 0;
}

/* The canonical key of an identifier. */
static const char *key(const char *id)
{
    static char k[8][256];
    static int i;
    char *o = k[i++ % 8];
    assert_int_equal(st_trace_key(id, o, 256, NULL), ST_OK);
    return o;
}

static int unit_cmp(const void *a, const void *b)
{
    return strcmp(((const st_rcl_unit *)a)->key, ((const st_rcl_unit *)b)->key);
}

/* Walk crit; the affected units' keys, sorted and space separated, into out. */
static void walk(fx *f, const char *crit, st_rcl_result *r, char *out, size_t cap)
{
    st_arena *a = st_arena_create(0);
    st_rcl_criteria c;
    st_error e;
    st_error_clear(&e);
    assert_int_equal(st_rcl_parse(crit, strlen(crit), a, &c, &e), ST_OK);
    st_rc rc = st_rcl_walk(f->t.s, &c, 1, r, &e);
    if (rc)
        fail_msg("walk %s: %s", crit, e.msg);
    qsort(r->u, r->n, sizeof *r->u, unit_cmp);
    out[0] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        strncat(out, i ? " " : "", cap - strlen(out) - 1);
        strncat(out, r->u[i].key, cap - strlen(out) - 1);
    }
    st_arena_destroy(a);
}

/* The sorted keys of identifiers ids (NULL-terminated), space separated. */
static void expect(char *out, size_t cap, const char *const *ids)
{
    const char *k[16];
    size_t n = 0;
    for (; ids[n]; n++)
        k[n] = key(ids[n]);
    for (size_t i = 0; i < n; i++) /* insertion sort: few */
        for (size_t j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strncat(out, i ? " " : "", cap - strlen(out) - 1);
        strncat(out, k[i], cap - strlen(out) - 1);
    }
}

#define LOT_LA "{\"component_lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"LA\"}]}"

static void check(fx *f, const char *crit, const char *const *want)
{
    char got[4096], exp[4096];
    st_rcl_result r;
    walk(f, crit, &r, got, sizeof got);
    expect(exp, sizeof exp, want);
    if (strcmp(got, exp))
        fail_msg("criteria %s\n got  %s\n want %s", crit, got, exp);
    st_rcl_result_free(&r);
}

static void test_lots(void **state)
{
    fx *f = *state;
    /* LA: two levels (cells 1-4), a mixed pack (cell 5), a kit (cell 4), and
     * the class route LA -> PL1 -> unit8 */
    check(f, LOT_LA, (const char *const[]){UNIT "1", UNIT "2", UNIT "4", KIT, UNIT "8", NULL});
    check(f, "{\"component_lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"LB\"}]}",
          (const char *const[]){UNIT "3", UNIT "4", UNIT "5", NULL});
    /* the material, consumed by quantity only */
    check(f, "{\"component_lots\":[{\"gtin\":\"04012345500011\",\"lot\":\"M1\"}]}",
          (const char *const[]){UNIT "6", UNIT "7", NULL});
    /* a lot nobody made affects nothing */
    check(f, "{\"component_lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"NONE\"}]}",
          (const char *const[]){NULL});
}

static void test_serials_containers_locations(void **state)
{
    fx *f = *state;
    check(f, "{\"components\":[\"" CELL "3\"]}", (const char *const[]){UNIT "2", NULL});
    check(f, "{\"components\":[\"" PACK "4\"]}", (const char *const[]){UNIT "4", NULL});
    /* a finished unit named itself is affected */
    check(f, "{\"components\":[\"" UNIT "6\"]}", (const char *const[]){UNIT "6", NULL});
    /* a case holds mixed units: all of them; a pallet: its cases' */
    check(f, "{\"components\":[\"" CASE1 "\"]}", (const char *const[]){UNIT "1", UNIT "3", NULL});
    check(f, "{\"components\":[\"" PALLET "\"]}", (const char *const[]){UNIT "1", UNIT "3", NULL});
    /* the packing station (under the plant's GLN) in the hour of case2 only */
    check(f,
          "{\"locations\":[{\"location\":\"" PLANT "\",\"from\":\"2024-01-04T08:30:00Z\","
          "\"to\":\"2024-01-04T09:30:00Z\"}]}",
          (const char *const[]){UNIT "2", UNIT "5", NULL});
    /* combined criteria add up */
    check(f,
          "{\"component_lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"LB\"}],"
          "\"components\":[\"" CELL "3\"]}",
          (const char *const[]){UNIT "2", UNIT "3", UNIT "4", UNIT "5", NULL});
    /* a finished lot: units whose ILMD names it (none here: every criterion
     * on an unknown lot yields nothing) and a GS1 element string works */
    check(f, "{\"components\":[\"(01)00614141123452(21)7\"]}",
          (const char *const[]){UNIT "7", NULL});
}

static const st_rcl_unit *find(const st_rcl_result *r, const char *id)
{
    const char *k = key(id);
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->u[i].key, k))
            return &r->u[i];
    fail_msg("%s is not among the affected units", id);
    return NULL;
}

static void test_facts_and_scope(void **state)
{
    fx *f = *state;
    char got[4096];
    st_rcl_result r;
    walk(f, LOT_LA, &r, got, sizeof got);
    /* unit1: in case1 on the pallet, where the pallet was received, owned by the retailer */
    const st_rcl_unit *u1 = find(&r, UNIT "1");
    char chain[600];
    snprintf(chain, sizeof chain, "%s %s", key(CASE1), key(PALLET));
    assert_string_equal(u1->container, chain);
    assert_string_equal(u1->location, key(DC));
    assert_string_equal(u1->holder, key(RETAIL));
    /* unit2: unpacked and sold at the store */
    const st_rcl_unit *u2 = find(&r, UNIT "2");
    assert_null(u2->container);
    assert_string_equal(u2->status, "retail_sold");
    assert_string_equal(u2->holder, "sold");
    assert_string_equal(u2->location, key(STORE));
    /* unit8: assembled, never moved: no container, no holder */
    const st_rcl_unit *u8 = find(&r, UNIT "8");
    assert_null(u8->container);
    assert_null(u8->holder);
    /* blanket: every unit of GTIN 00614141123452 (units 1-8) */
    assert_int_equal(r.blanket, 8);
    int64_t aff = 0, bl = 0;
    for (size_t i = 0; i < r.nloc; i++) {
        aff += r.loc[i].affected;
        bl += r.loc[i].blanket;
        assert_true(r.loc[i].affected <= r.loc[i].blanket || !strcmp(r.loc[i].name, "unknown"));
    }
    assert_int_equal(aff, 5);
    assert_int_equal(bl, 8); /* the kit has no GTIN: it is in no blanket count */
    for (size_t i = 0; i < r.nparty; i++)
        if (!strcmp(r.party[i].name, "sold"))
            assert_int_equal(r.party[i].affected, 1);
    st_rcl_result_free(&r);
}

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int64_t *)ctx = c[0].i;
    return ST_OK;
}

static int64_t sql_int(st_store *s, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(st_store_exec(s, sql, NULL, 0, row_int, &v, NULL), ST_OK);
    return v;
}

static void test_report_and_execute(void **state)
{
    fx *f = *state;
    st_store *s = f->t.s;
    st_error e;
    st_error_clear(&e);
    int64_t id = 0;
    assert_int_equal(st_recall_create(s, LOT_LA, strlen(LOT_LA), &id, &e), ST_OK);
    assert_true(id > 0);

    /* re-read as JSON */
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_recall_write(s, id, 0, &j, &e), ST_OK);
    json_t *doc = json_loadb(j.p, j.n, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "dry-run");
    assert_int_equal(json_integer_value(json_object_get(doc, "affected_units")), 5);
    assert_int_equal(json_integer_value(json_object_get(doc, "blanket_units")), 8);
    /* 5 affected (the kit among them, though it has no GTIN) over 8 of the GTIN */
    assert_true(json_number_value(json_object_get(doc, "scope_ratio")) == 0.625);
    json_t *units = json_object_get(doc, "units");
    assert_int_equal(json_array_size(units), 5);
    json_t *lot = json_object_get(json_object_get(doc, "criteria"), "component_lots");
    assert_string_equal(json_string_value(json_object_get(json_array_get(lot, 0), "lot")), "LA");
    /* unit1's container chain, innermost first */
    int seen = 0;
    for (size_t i = 0; i < json_array_size(units); i++) {
        json_t *u = json_array_get(units, i);
        if (strcmp(json_string_value(json_object_get(u, "key")), key(UNIT "1")))
            continue;
        json_t *c = json_object_get(u, "container");
        assert_int_equal(json_array_size(c), 2);
        assert_string_equal(json_string_value(json_array_get(c, 1)), key(PALLET));
        seen = 1;
    }
    assert_true(seen);
    json_decref(doc);
    st_jw_free(&j);

    /* ... and as CSV: a header, one line per unit, the comma'd key quoted */
    char *csv = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&csv, &n);
    assert_int_equal(st_recall_write_csv(s, id, m, &e), ST_OK);
    fclose(m);
    assert_true(!strncmp(csv, "epc,key,status,location,container,holder\r\n", 42));
    size_t lines = 0;
    for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, 6);
    assert_non_null(strstr(csv, "\"" KIT "\",\"" KIT "\","));
    free(csv);

    /* execute: one document, every unit once; again: nothing */
    int64_t before = sql_int(s, "SELECT count(*) FROM event");
    size_t events = 0, nunits = 0;
    assert_int_equal(st_recall_execute(s, id, &events, &nunits, &e), ST_OK);
    assert_int_equal(nunits, 5);
    assert_int_equal(events, 1);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event"), before + 1);
    assert_int_equal(st_recall_execute(s, id, &events, &nunits, &e), ST_OK);
    assert_int_equal(events, 0);
    assert_int_equal(nunits, 0);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM event"), before + 1);
    /* the units are recalled now; the report says when and how many events */
    char got[4096];
    st_rcl_result r;
    walk(f, LOT_LA, &r, got, sizeof got);
    for (size_t i = 0; i < r.n; i++)
        assert_string_equal(r.u[i].status, "recalled");
    st_rcl_result_free(&r);
    st_jw_init(&j);
    assert_int_equal(st_recall_write(s, id, 1, &j, &e), ST_OK);
    doc = json_loadb(j.p, j.n, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "executed");
    assert_int_equal(json_integer_value(json_object_get(doc, "executed_events")), 1);
    assert_true(json_is_string(json_object_get(doc, "executed_at")));
    assert_int_equal(json_array_size(json_object_get(doc, "units")), 1);
    assert_true(json_is_true(json_object_get(doc, "units_truncated")));
    json_decref(doc);
    st_jw_free(&j);
    /* the chain still verifies */
    st_audit_result a;
    assert_int_equal(st_store_audit_verify(s, &a, &e), ST_OK);
    assert_true(a.ok);
    /* the list names it; an unknown report is not found */
    st_jw_init(&j);
    assert_int_equal(st_recall_list(s, 0, &j, &e), ST_OK);
    doc = json_loadb(j.p, j.n, 0, NULL);
    assert_int_equal(json_array_size(doc), 1);
    json_decref(doc);
    st_jw_free(&j);
    st_jw_init(&j);
    assert_int_equal(st_recall_write(s, id + 100, 0, &j, &e), ST_ERR_NOT_FOUND);
    st_jw_free(&j);
    assert_int_equal(st_recall_execute(s, id + 100, NULL, NULL, &e), ST_ERR_NOT_FOUND);
}

static void test_bad_criteria(void **state)
{
    fx *f = *state;
    static const struct {
        const char *crit; /* the criteria */
        const char *msg;  /* a fragment of the message */
    } bad[] = {
        {"", "not JSON"},
        {"nope", "not JSON"},
        {"[]", "must be a JSON object"},
        {"{}", "no criteria"},
        {"{\"component_lots\":[]}", "no criteria"},
        {"{\"lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"LA\"}]}", "unknown criterion \"lots\""},
        {"{\"components\":\"x\"}", "components must be an array"},
        {"{\"component_lots\":[{\"gtin\":\"123\",\"lot\":\"A\"}]}", "component_lots[0].gtin"},
        {"{\"component_lots\":[{\"gtin\":\"04012345400015\",\"lot\":\"A\"}]}",
         "component_lots[0]: "},
        {"{\"finished_lots\":[{\"gtin\":\"04012345400014\"}]}", "finished_lots[0]: expected"},
        {"{\"component_lots\":[{\"gtin\":\"04012345400014\",\"lot\":\"\"}]}", "lot is empty"},
        {"{\"components\":[\"urn:epc:id:sgtin:bad\"]}", "components[0]: "},
        {"{\"components\":[7]}", "components[0]: expected an identifier"},
        {"{\"locations\":[{\"location\":\"" PLANT "\",\"from\":\"yesterday\",\"to\":"
         "\"2024-01-01T00:00:00Z\"}]}",
         "locations[0].from"},
        {"{\"locations\":[{\"location\":\"" PLANT "\",\"from\":\"2024-01-02T00:00:00Z\","
         "\"to\":\"2024-01-01T00:00:00Z\"}]}",
         "\"to\" is before \"from\""},
        {"{\"locations\":[{\"location\":\"" PLANT "\"}]}", "locations[0]: expected"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        st_error e;
        st_error_clear(&e);
        int64_t id = 1;
        st_rc rc = st_recall_create(f->t.s, bad[i].crit, strlen(bad[i].crit), &id, &e);
        if (rc == ST_OK || !strstr(e.msg, bad[i].msg))
            fail_msg("criteria %s: rc %d, message [%s], expected [%s]", bad[i].crit, (int)rc, e.msg,
                     bad[i].msg);
        assert_int_equal(id, 0);
    }
    assert_int_equal(sql_int(f->t.s, "SELECT count(*) FROM recall"), 0);
    assert_int_equal(sql_int(f->t.s, "SELECT count(*) FROM recall_unit"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serials_containers_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_facts_and_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_and_execute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_criteria, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
