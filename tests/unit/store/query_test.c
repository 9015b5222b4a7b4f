/*
 * Tests of the EPCIS simple event query (lib/store/query.c) over real SQLite
 * stores in a temporary folder: every parameter family against documents
 * of known content (the exact set of events each query returns), result
 * order, paging while new events arrive (no repeats, no skips, no new
 * events), tokens of other queries, the bad-parameter table, the query
 * plans (no scan of the event table where an index applies), the
 * EPCISQueryDocument writer, and the GS1 example corpus checked against a
 * brute-force evaluation of the same parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <serialtrack/limits.h>
#include <serialtrack/store.h>

#include "epcis/cbv.h"
#include "epcis/hashid.h"
#include "store/capture.h"
#include "store/query.h"
#include "store/store_int.h"
#include "unit/store_urls.h"
#include "unit/test_util.h"

/* ---- stores in a temporary folder ------------------------------------------------ */

typedef struct tstore {
    char dir[256];
    char url[1024]; /* g_url expanded */
    st_store *s;
} tstore;

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static void store_open(tstore *t)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/st-query-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    st_test_expand(g_url, t->dir, t->url, sizeof t->url);
    st_error e;
    st_error_clear(&e);
    t->s = NULL;
    if (st_store_open(t->url, NULL, &t->s, &e) != ST_OK)
        fail_msg("cannot open a store: %s", e.msg);
}

static void store_close(tstore *t)
{
    st_test_store_drop(t->s, t->url);
    st_store_close(t->s);
    DIR *d = opendir(t->dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", t->dir, de->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(t->dir);
}

/* Capture the document text (single quotes stand for double quotes in
 * JSON; XML is taken as it is); the test fails unless every event is new. */
static void capture(st_store *s, const char *text, size_t events)
{
    char *d = strdup(text);
    assert_non_null(d);
    if (d[0] == '{')
        for (char *p = d; *p; p++)
            if (*p == '\'')
                *p = '"';
    st_capture_result r;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(s, d, strlen(d), "test", &r, &rep);
    if (rc != ST_OK) {
        long ev = 0;
        const char *path = "", *msg = "";
        if (rep && st_epcis_report_errors_listed(rep))
            st_epcis_report_error(rep, 0, &ev, &path, &msg);
        fail_msg("capture failed (%d): event %ld %s %s", rc, ev, path, msg);
    }
    assert_int_equal(r.stored, events);
    st_epcis_report_destroy(rep);
    free(d);
}

/* ---- running queries ------------------------------------------------------------------- */

/* What a run delivered: each event's declared eventID, else its hash ID. */
typedef struct got {
    char **id;
    size_t n, cap;
    int bad_record_time; /* an event without recordTime right after eventTime */
} got;

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->id[i]);
    free(g->id);
    memset(g, 0, sizeof *g);
}

static void got_add(got *g, const char *s)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->id = realloc(g->id, g->cap * sizeof *g->id);
        assert_non_null(g->id);
    }
    g->id[g->n] = strdup(s);
    assert_non_null(g->id[g->n]);
    g->n++;
}

static void identity(const st_event *ev, const st_evnode *bindings, char out[256])
{
    const char *eid = st_evnode_child_value(ev->root, "eventID");
    if (eid) {
        snprintf(out, 256, "%s", eid);
        return;
    }
    char h[ST_HASHID_LEN + 1];
    assert_int_equal(st_hashid_compute(ev, bindings, h), ST_OK);
    snprintf(out, 256, "%s", h);
}

static st_rc row_got(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                     int64_t record_ms)
{
    got *g = ctx;
    char id[256];
    identity(ev, bindings, id);
    got_add(g, id);
    const st_evnode *et = st_evnode_child(ev->root, "eventTime");
    const char *rt =
        et && et->next && !strcmp(et->next->name, "recordTime") ? et->next->value : NULL;
    char want[32];
    st_cap_time_str(record_ms, want);
    if (!rt || strcmp(rt, want) || event_id <= 0)
        g->bad_record_time = 1;
    return ST_OK;
}

/* Build a query from "NAME=VALUE" strings (NULL-terminated); fails the test
 * when a parameter is refused. */
static st_query *make_query(const char *const *params)
{
    st_query *q = NULL;
    assert_int_equal(st_query_create(&q), ST_OK);
    for (size_t i = 0; params[i]; i++) {
        const char *eq = strchr(params[i], '=');
        char name[256];
        size_t n = eq ? (size_t)(eq - params[i]) : strlen(params[i]);
        snprintf(name, sizeof name, "%.*s", (int)n, params[i]);
        st_error e;
        st_error_clear(&e);
        if (st_query_set(q, name, eq ? eq + 1 : "", &e) != ST_OK)
            fail_msg("parameter %s refused: %s", params[i], e.msg);
    }
    return q;
}

/* Run one page of params (plus a token when tok is not empty); the next
 * token is left in tok. */
static void run_page(st_store *s, const char *const *params, const char *tok, got *g,
                     char next[ST_QUERY_TOKEN_MAX])
{
    st_query *q = make_query(params);
    st_error e;
    st_error_clear(&e);
    if (tok && *tok && st_query_set(q, "nextPageToken", tok, &e) != ST_OK)
        fail_msg("token refused: %s", e.msg);
    st_rc rc = st_query_run(s, q, row_got, g, next, ST_QUERY_TOKEN_MAX, &e);
    if (rc != ST_OK)
        fail_msg("query %s... failed (%d): %s", params[0] ? params[0] : "(none)", rc, e.msg);
    assert_false(g->bad_record_time);
    st_query_destroy(q);
}

/* "a b c" with each word w written as prefix+w; "H" stands for h. */
static void expected(const char *words, const char *h, got *want)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", words);
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
        char id[256];
        if (!strcmp(w, "H"))
            snprintf(id, sizeof id, "%s", h);
        else
            snprintf(id, sizeof id, "urn:test:%s", w);
        got_add(want, id);
    }
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show(const char *what, const got *g, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "%s:", what);
    for (size_t i = 0; i < g->n && o < cap; i++) {
        const char *s = g->id[i];
        o += (size_t)snprintf(out + o, cap - o, " %s", !strncmp(s, "urn:test:", 9) ? s + 9 : s);
    }
}

/* The same ids, in the same order (ordered) or as sets. */
static void assert_same(const char *label, got *g, got *want, int ordered)
{
    if (!ordered && g->n)
        qsort(g->id, g->n, sizeof *g->id, by_str);
    if (!ordered && want->n)
        qsort(want->id, want->n, sizeof *want->id, by_str);
    int same = g->n == want->n;
    for (size_t i = 0; same && i < g->n; i++)
        same = !strcmp(g->id[i], want->id[i]);
    if (!same) {
        char a[4096], b[4096];
        show("got", g, a, sizeof a);
        show("want", want, b, sizeof b);
        fail_msg("%s\n  %s\n  %s", label, a, b);
    }
}

/* ---- the documents ------------------------------------------------------------------- */

/* A location hierarchy: site 00000 holds 00001 and 00002, which holds 00003. */
static const char md_xml[] =
    "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\""
    " creationDate=\"2024-01-01T00:00:00Z\"><EPCISHeader><extension><EPCISMasterData>"
    "<VocabularyList><Vocabulary type=\"urn:epcglobal:epcis:vtype:BusinessLocation\">"
    "<VocabularyElementList>"
    "<VocabularyElement id=\"urn:epc:id:sgln:0614141.00000.0\"><children>"
    "<id>urn:epc:id:sgln:0614141.00001.0</id><id>urn:epc:id:sgln:0614141.00002.0</id>"
    "</children></VocabularyElement>"
    "<VocabularyElement id=\"urn:epc:id:sgln:0614141.00002.0\"><children>"
    "<id>urn:epc:id:sgln:0614141.00003.0</id></children></VocabularyElement>"
    "</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension>"
    "</EPCISHeader><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>";

#define CTX                                                                                        \
    "{'@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',"              \
    " {'ex': 'https://ns.example.com/epcis/'}], 'type': 'EPCISDocument', 'schemaVersion': '2.0',"  \
    " 'creationDate': '2024-01-01T00:00:00Z', 'epcisBody': {'eventList': ["
#define END "]}}"

/* Nine events, one of each kind of content; the last has no eventID. */
static const char events_doc[] = CTX
    "{'type': 'ObjectEvent', 'eventID': 'urn:test:o1', 'eventTime': '2024-01-01T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'ADD', 'bizStep': 'commissioning',"
    " 'disposition': 'active', 'epcList': ['urn:epc:id:sgtin:0614141.107346.1',"
    " 'urn:epc:id:sgtin:0614141.107346.2'], 'readPoint': {'id': 'urn:epc:id:sgln:0614141.00001.0'},"
    " 'bizLocation': {'id': 'urn:epc:id:sgln:0614141.00001.0'},"
    " 'ilmd': {'cbvmda:lotNumber': 'L1', 'ex:grade': 'A'}, 'ex:temp': 5},"
    "{'type': 'ObjectEvent', 'eventID': 'urn:test:o2', 'eventTime': '2024-01-02T11:00:00+01:00',"
    " 'eventTimeZoneOffset': '+01:00', 'action': 'OBSERVE',"
    " 'bizStep': 'urn:epcglobal:cbv:bizstep:shipping', 'disposition': 'in_transit',"
    " 'epcList': ['https://id.gs1.org/01/10614141073464/21/1'],"
    " 'readPoint': {'id': 'urn:epc:id:sgln:0614141.00002.0', 'ex:door': 'D7'},"
    " 'bizTransactionList': [{'type': 'po', 'bizTransaction': "
    "'urn:epcglobal:cbv:bt:0614141000005:PO-1'}],"
    " 'sourceList': [{'type': 'owning_party', 'source': 'urn:epc:id:pgln:0614141.00000'}],"
    " 'destinationList': [{'type': 'owning_party', 'destination': "
    "'urn:epc:id:pgln:4012345.00000'}],"
    " 'ex:temp': 7, 'ex:note': {'ex:inner': 'deep'}},"
    "{'type': 'AggregationEvent', 'eventID': 'urn:test:a1', 'eventTime': '2024-01-03T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'ADD', 'bizStep': 'packing',"
    " 'parentID': 'urn:epc:id:sscc:0614141.1234567890',"
    " 'childEPCs': ['urn:epc:id:sgtin:0614141.107346.1', 'urn:epc:id:sgtin:0614141.107346.2'],"
    " 'childQuantityList': [{'epcClass': 'urn:epc:class:lgtin:4012345.012345.L5', 'quantity': 10,"
    " 'uom': 'KGM'}], 'readPoint': {'id': 'urn:epc:id:sgln:0614141.00003.0'}},"
    "{'type': 'TransactionEvent', 'eventID': 'urn:test:t1', 'eventTime': '2024-01-04T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'ADD',"
    " 'parentID': 'urn:epc:id:sscc:0614141.1234567890',"
    " 'epcList': ['urn:epc:id:sgtin:0614141.107346.3'],"
    " 'bizTransactionList': [{'type': 'inv', 'bizTransaction': "
    "'urn:epcglobal:cbv:bt:0614141000005:INV-9'}]},"
    "{'type': 'TransformationEvent', 'eventID': 'urn:test:x1', 'eventTime': '2024-01-05T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'transformationID': 'urn:test:xf:1',"
    " 'bizStep': 'commissioning', 'inputEPCList': ['urn:epc:id:sgtin:0614141.107346.2'],"
    " 'outputEPCList': ['urn:epc:id:sgtin:0614141.107347.9'],"
    " 'inputQuantityList': [{'epcClass': 'urn:epc:idpat:sgtin:4012345.011111.*', 'quantity': 5}],"
    " 'outputQuantityList': [{'epcClass': 'urn:epc:class:lgtin:0614141.107347.LOTX',"
    " 'quantity': 3.5, 'uom': 'KGM'}]},"
    "{'type': 'ObjectEvent', 'eventID': 'urn:test:s1', 'eventTime': '2024-01-06T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'OBSERVE', 'bizStep': 'sensor_reporting',"
    " 'epcList': ['urn:epc:id:sgtin:0614141.107346.1'], 'sensorElementList': [{'sensorMetadata':"
    " {'time': '2024-01-06T09:00:00Z', 'deviceID': 'urn:epc:id:giai:4000001.111', 'ex:cal': 'c1'},"
    " 'sensorReport': [{'type': 'Temperature', 'value': 4.5, 'uom': 'CEL'},"
    " {'type': 'RelativeHumidity', 'value': 60, 'uom': 'A93', 'stringValue': 'dry',"
    " 'booleanValue': true, 'hexBinaryValue': '0AFF'}]}]},"
    "{'type': 'ObjectEvent', 'eventID': 'urn:test:e1', 'eventTime': '2024-01-07T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'DELETE',"
    " 'epcList': ['urn:epc:id:sgtin:0614141.107346.2'], 'persistentDisposition':"
    " {'set': ['completeness_verified'], 'unset': ['completeness_inferred']},"
    " 'errorDeclaration': {'declarationTime': '2024-02-01T00:00:00Z', 'reason': 'incorrect_data',"
    " 'correctiveEventIDs': ['urn:test:o2']}},"
    "{'type': 'AssociationEvent', 'eventID': 'urn:test:n1', 'eventTime': '2024-01-08T10:00:00Z',"
    " 'eventTimeZoneOffset': '+00:00', 'action': 'ADD', 'bizStep': 'assembling',"
    " 'parentID': 'urn:epc:id:grai:4012345.55555.1', 'childEPCs': ['urn:epc:id:giai:4000001.1'],"
    " 'readPoint': {'id': 'urn:epc:id:sgln:0614141.00003.0'}},"
    "{'type': 'ObjectEvent', 'eventTime': '2024-01-09T10:00:00Z', 'eventTimeZoneOffset': '+00:00',"
    " 'action': 'OBSERVE', 'bizStep': 'receiving',"
    " 'epcList': ['urn:epc:id:sscc:0614141.1234567890']}" END;

#define ALL "o1 o2 a1 t1 x1 s1 e1 n1 H"

/* The store with md_xml and events_doc, shared by the tests that only read. */
static tstore fixed;
static char h9[ST_HASHID_LEN + 1]; /* hash ID of the event without eventID */

static st_rc visit_last(void *ctx, const st_epcis_event *ev)
{
    if (st_epcis_event_index(ev) == 8)
        return st_epcis_event_hash_id(ev, ctx);
    return ST_OK;
}

static int setup_fixed(void **state)
{
    (void)state;
    store_open(&fixed);
    capture(fixed.s, md_xml, 0);
    capture(fixed.s, events_doc, 9);
    /* the hash ID of event 8, by the public reader (not through the store) */
    char *d = strdup(events_doc);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    st_epcis_report *r = NULL;
    st_rc rc = st_epcis_read_mem(d, strlen(d), NULL, visit_last, h9, &r);
    st_epcis_report_destroy(r);
    free(d);
    return rc == ST_OK && !strncmp(h9, "ni:///sha-256;", 14) ? 0 : -1;
}

static int teardown_fixed(void **state)
{
    (void)state;
    store_close(&fixed);
    return 0;
}

/* ---- every parameter family: the exact set of events ------------------------------------ */

typedef struct row {
    const char *params[4]; /* NAME=VALUE */
    const char *want;      /* ids without "urn:test:"; H: the event without eventID */
} row;

static const row families[] = {
    {{NULL}, ALL},
    /* eventType, action */
    {{"eventType=ObjectEvent"}, "o1 o2 s1 e1 H"},
    {{"eventType=TransformationEvent|AssociationEvent"}, "x1 n1"},
    {{"eventType=AggregationEvent,TransactionEvent"}, "a1 t1"},
    {{"eventType=ex:CustomEvent"}, ""},
    {{"EQ_action=ADD"}, "o1 a1 t1 n1"},
    {{"EQ_action=DELETE|OBSERVE"}, "o2 s1 e1 H"},
    /* times (o2 is 11:00+01:00, that is 10:00Z) */
    {{"GE_eventTime=2024-01-03T10:00:00Z", "LT_eventTime=2024-01-06T10:00:00Z"}, "a1 t1 x1"},
    {{"GE_eventTime=2024-01-02T10:00:00Z", "LT_eventTime=2024-01-02T10:00:00.001Z"}, "o2"},
    {{"LT_eventTime=2024-01-02T11:00:00+01:00"}, "o1"},
    {{"GE_recordTime=2000-01-01T00:00:00Z"}, ALL},
    {{"LT_recordTime=2000-01-01T00:00:00Z"}, ""},
    {{"GE_recordTime=2999-01-01T00:00:00Z"}, ""},
    /* vocabularies in every spelling */
    {{"EQ_bizStep=shipping"}, "o2"},
    {{"EQ_bizStep=urn:epcglobal:cbv:bizstep:commissioning"}, "o1 x1"},
    {{"EQ_bizStep=https://ref.gs1.org/cbv/BizStep-packing|receiving"}, "a1 H"},
    {{"EQ_bizStep=cbv:BizStep-assembling"}, "n1"},
    {{"EQ_disposition=in_transit,active"}, "o1 o2"},
    {{"EQ_disposition=destroyed"}, ""},
    /* locations, with descendants from master data */
    {{"EQ_readPoint=urn:epc:id:sgln:0614141.00003.0"}, "a1 n1"},
    {{"EQ_readPoint=https://id.gs1.org/414/0614141000029"}, "o2"},
    {{"EQ_bizLocation=urn:epc:id:sgln:0614141.00001.0"}, "o1"},
    {{"EQ_readPoint=urn:epc:id:sgln:0614141.00000.0"}, ""},
    {{"WD_readPoint=urn:epc:id:sgln:0614141.00000.0"}, "o1 o2 a1 n1"},
    {{"WD_readPoint=urn:epc:id:sgln:0614141.00002.0"}, "o2 a1 n1"},
    {{"WD_bizLocation=urn:epc:id:sgln:0614141.00000.0"}, "o1"},
    {{"WD_readPoint=urn:epc:id:sgln:0614141.00003.0", "EQ_bizStep=assembling"}, "n1"},
    /* identifiers, patterns and classes */
    {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.1"}, "o1 o2 a1 s1"},
    {{"MATCH_epc=https://id.gs1.org/01/10614141073464/21/2"}, "o1 a1 e1"},
    {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.1|urn:epc:id:sgtin:0614141.107346.3"},
     "o1 o2 a1 t1 s1"},
    {{"MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*"}, "o1 o2 a1 t1 s1 e1"},
    {{"MATCH_epc=urn:epc:idpat:sgtin:0614141.*.*"}, "o1 o2 a1 t1 s1 e1"},
    {{"MATCH_epc=urn:epc:idpat:sscc:*.*"}, "H"},
    {{"MATCH_epc=https://id.gs1.org/01/10614141073464"}, "o1 o2 a1 t1 s1 e1"},
    {{"MATCH_parentID=urn:epc:id:sscc:0614141.1234567890"}, "a1 t1"},
    {{"MATCH_parentID=urn:epc:idpat:grai:4012345.55555.*"}, "n1"},
    {{"MATCH_inputEPC=urn:epc:id:sgtin:0614141.107346.2"}, "x1"},
    {{"MATCH_outputEPC=urn:epc:idpat:sgtin:0614141.107347.*"}, "x1"},
    {{"MATCH_anyEPC=urn:epc:id:sscc:0614141.1234567890"}, "a1 t1 H"},
    {{"MATCH_anyEPC=urn:epc:id:giai:4000001.1"}, "n1"},
    {{"MATCH_anyEPC=urn:epc:id:sgtin:0614141.107347.9"}, "x1"},
    {{"MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.L5"}, "a1"},
    {{"MATCH_epcClass=urn:epc:idpat:sgtin:4012345.012345.*"}, "a1"},
    {{"MATCH_epcClass=https://id.gs1.org/01/04012345123456"}, "a1"},
    {{"MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.L6"}, ""},
    {{"MATCH_inputEPCClass=urn:epc:idpat:sgtin:4012345.011111.*"}, "x1"},
    {{"MATCH_outputEPCClass=urn:epc:class:lgtin:0614141.107347.LOTX"}, "x1"},
    {{"MATCH_anyEPCClass=urn:epc:idpat:sgtin:4012345.*.*"}, "a1 x1"},
    {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.1",
      "MATCH_parentID=urn:epc:id:sscc:0614141.1234567890"},
     "a1"},
    /* event IDs, transformation IDs */
    {{"EQ_eventID=urn:test:o2|urn:test:n1"}, "o2 n1"},
    {{"EQ_eventID=urn:test:nope"}, ""},
    {{"EQ_transformationID=urn:test:xf:1"}, "x1"},
    {{"EQ_transformationID=urn:test:xf:2"}, ""},
    /* EXISTS_ */
    {{"EXISTS_errorDeclaration=true"}, "e1"},
    {{"EXISTS_errorDeclaration=false"}, ALL},
    {{"EXISTS_sensorElementList="}, "s1"},
    {{"EXISTS_ilmd=true"}, "o1"},
    {{"EXISTS_bizTransactionList=true"}, "o2 t1"},
    {{"EXISTS_sourceList"}, "o2"},
    {{"EXISTS_persistentDisposition=true"}, "e1"},
    {{"EXISTS_disposition=true"}, "o1 o2"},
    {{"EXISTS_bizLocation=true"}, "o1"},
    {{"EXISTS_parentID=true"}, "a1 t1 n1"},
    {{"EXISTS_ex:temp=true"}, "o1 o2"},
    {{"EXISTS_https://ns.example.com/epcis/#temp"}, "o1 o2"},
    /* persistent disposition, error declarations */
    {{"EQ_persistentDisposition_set=completeness_verified"}, "e1"},
    {{"EQ_persistentDisposition_unset=urn:epcglobal:cbv:disp:completeness_inferred"}, "e1"},
    {{"EQ_persistentDisposition_set=completeness_inferred"}, ""},
    {{"EQ_errorReason=incorrect_data"}, "e1"},
    {{"EQ_errorReason=did_not_occur"}, ""},
    {{"GE_errorDeclarationTime=2024-02-01T00:00:00Z"}, "e1"},
    {{"LT_errorDeclarationTime=2024-02-01T00:00:00Z"}, ""},
    {{"EQ_correctiveEventID=urn:test:o2"}, "e1"},
    /* sources, destinations, business transactions by type */
    {{"EQ_source_owning_party=urn:epc:id:pgln:0614141.00000"}, "o2"},
    {{"EQ_source_possessing_party=urn:epc:id:pgln:0614141.00000"}, ""},
    {{"EQ_destination_owning_party=https://id.gs1.org/417/4012345000009"}, "o2"},
    {{"EQ_bizTransaction_po=urn:epcglobal:cbv:bt:0614141000005:PO-1"}, "o2"},
    {{"EQ_bizTransaction_inv=urn:epcglobal:cbv:bt:0614141000005:PO-1"}, ""},
    {{"EQ_bizTransaction_inv=urn:epcglobal:cbv:bt:0614141000005:INV-9"}, "t1"},
    /* quantities */
    {{"EQ_quantity=10"}, "a1"},
    {{"EQ_quantity=3.5|5"}, "x1"},
    {{"GT_quantity=5"}, "a1"},
    {{"GE_quantity=5"}, "a1 x1"},
    {{"LT_quantity=5"}, "x1"},
    {{"LE_quantity=3.5"}, "x1"},
    {{"EQ_quantity_KGM=3.5"}, "x1"},
    {{"GT_quantity_KGM=4"}, "a1"},
    /* sensors */
    {{"EQ_type=Temperature"}, "s1"},
    {{"EQ_type=Pressure"}, ""},
    {{"EQ_deviceID=urn:epc:id:giai:4000001.111"}, "s1"},
    {{"EQ_deviceID=https://id.gs1.org/8004/4000001111"}, "s1"},
    {{"EQ_stringValue=dry"}, "s1"},
    {{"EQ_stringValue=wet"}, ""},
    {{"EQ_booleanValue=true"}, "s1"},
    {{"EQ_booleanValue=false"}, ""},
    {{"EQ_hexBinaryValue=0aff"}, "s1"},
    {{"EQ_value_CEL=4.5"}, "s1"},
    {{"GT_value_CEL=4.5"}, ""},
    {{"GE_value_CEL=4.5", "LT_value_CEL=5"}, "s1"},
    {{"GE_value_A93=60"}, "s1"},
    {{"GE_value_CEL=60"}, ""},
    {{"GE_time=2024-01-06T09:00:00Z"}, "s1"},
    {{"LT_time=2024-01-06T09:00:00Z"}, ""},
    /* extension fields */
    {{"EQ_ex:temp=7"}, "o2"},
    {{"EQ_ex:temp=5.0"}, "o1"},
    {{"GT_ex:temp=5"}, "o2"},
    {{"LE_ex:temp=7"}, "o1 o2"},
    {{"EQ_https://ns.example.com/epcis/#temp=5"}, "o1"},
    {{"EQ_INNER_ex:inner=deep"}, "o2"},
    {{"EQ_ex:inner=deep"}, ""},
    {{"EQ_ILMD_ex:grade=A"}, "o1"},
    {{"EQ_ILMD_cbvmda:lotNumber=L1"}, "o1"},
    {{"EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber=L1"}, "o1"},
    {{"EXISTS_ILMD_cbvmda:lotNumber"}, "o1"},
    {{"EQ_readPoint_ex:door=D7"}, "o2"},
    {{"EQ_SENSORMETADATA_ex:cal=c1"}, "s1"},
    {{"EQ_SENSORREPORT_ex:cal=c1"}, ""},
    /* several at once, and an order */
    {{"EQ_bizStep=commissioning", "orderBy=eventTime"}, "o1 x1"},
    {{"eventType=ObjectEvent", "EQ_action=OBSERVE", "MATCH_epc=urn:epc:idpat:sgtin:0614141.*.*"},
     "o2 s1"},
};

static void test_families(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
        got g = {0}, want = {0};
        char tok[ST_QUERY_TOKEN_MAX];
        run_page(fixed.s, families[i].params, NULL, &g, tok);
        assert_string_equal(tok, "");
        expected(families[i].want, h9, &want);
        char label[512];
        snprintf(label, sizeof label, "row %zu (%s %s %s)", i,
                 families[i].params[0] ? families[i].params[0] : "",
                 families[i].params[1] ? families[i].params[1] : "",
                 families[i].params[2] ? families[i].params[2] : "");
        assert_same(label, &g, &want, 0);
        got_free(&g);
        got_free(&want);
    }
}

/* EQ_eventID with a hash ID: the event that declared none, and the declared
 * eventID of one that did is not its hash ID (both forms find it). */
static void test_event_id_hash(void **state)
{
    (void)state;
    char p[200];
    snprintf(p, sizeof p, "EQ_eventID=%s", h9);
    const char *params[] = {p, NULL};
    got g = {0}, want = {0};
    char tok[ST_QUERY_TOKEN_MAX];
    run_page(fixed.s, params, NULL, &g, tok);
    expected("H", h9, &want);
    assert_same("by hash ID", &g, &want, 0);
    got_free(&g);
    /* upper-case hex, without the ?ver suffix */
    char upper[120];
    snprintf(upper, sizeof upper, "EQ_eventID=%.78s", h9);
    for (char *c = upper + 25; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    params[0] = upper;
    run_page(fixed.s, params, NULL, &g, tok);
    assert_same("by hash ID in upper case", &g, &want, 0);
    got_free(&g);
    got_free(&want);
}

/* ---- order, limits ------------------------------------------------------------------------ */

typedef struct order_row {
    const char *params[5];
    const char *pages[4]; /* each page's ids in order; NULL after the last */
} order_row;

static const order_row orders[] = {
    {{NULL}, {ALL}},
    {{"orderBy=eventTime"}, {"H n1 e1 s1 x1 t1 a1 o2 o1"}},
    {{"orderBy=eventTime", "orderDirection=ASC"}, {"o1 o2 a1 t1 x1 s1 e1 n1 H"}},
    {{"orderBy=recordTime", "orderDirection=ASC"}, {ALL}},
    {{"orderBy=recordTime"}, {"H n1 e1 s1 x1 t1 a1 o2 o1"}},
    {{"orderBy=eventTime", "eventCountLimit=2"}, {"H n1"}},
    {{"orderBy=eventTime", "orderDirection=ASC", "eventCountLimit=5", "perPage=2"},
     {"o1 o2", "a1 t1", "x1"}},
    {{"orderBy=eventTime", "eventCountLimit=4", "perPage=2"}, {"H n1", "e1 s1"}},
    {{"orderBy=eventTime", "eventCountLimit=0"}, {""}},
    {{"perPage=4"}, {"o1 o2 a1 t1", "x1 s1 e1 n1", "H"}},
    {{"perPage=3", "MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*"}, {"o1 o2 a1", "t1 s1 e1"}},
    {{"perPage=2", "EQ_value_CEL=4.5"}, {"s1"}},
    {{"perPage=1", "EXISTS_ex:temp"}, {"o1", "o2"}},
    {{"maxEventCount=9"}, {ALL}},
    {{"maxEventCount=2", "EQ_bizStep=commissioning", "perPage=1"}, {"o1", "x1"}},
};

static void test_order_and_pages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof orders / sizeof *orders; i++) {
        char tok[ST_QUERY_TOKEN_MAX] = "";
        for (int p = 0; p < 4 && orders[i].pages[p]; p++) {
            got g = {0}, want = {0};
            char next[ST_QUERY_TOKEN_MAX];
            run_page(fixed.s, orders[i].params, tok, &g, next);
            expected(orders[i].pages[p], h9, &want);
            char label[256];
            snprintf(label, sizeof label, "order row %zu page %d", i, p);
            assert_same(label, &g, &want, 1);
            int last = p == 3 || !orders[i].pages[p + 1];
            if (last != !next[0])
                fail_msg("%s: next token [%s]", label, next);
            memcpy(tok, next, sizeof tok);
            got_free(&g);
            got_free(&want);
        }
    }
}

static st_rc row_fail_second(void *ctx, const st_event *ev, const st_evnode *bindings,
                             int64_t event_id, int64_t record_ms)
{
    (void)ev, (void)bindings, (void)event_id, (void)record_ms;
    return ++*(int *)ctx == 2 ? ST_ERR_IO : ST_OK;
}

static void test_run_failures(void **state)
{
    (void)state;
    st_error e;
    char tok[ST_QUERY_TOKEN_MAX];
    /* maxEventCount exceeded: nothing is delivered */
    const char *too_many[] = {"maxEventCount=8", NULL};
    st_query *q = make_query(too_many);
    got g = {0};
    st_error_clear(&e);
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, tok, sizeof tok, &e), ST_ERR_LIMIT);
    assert_non_null(strstr(e.msg, "more than maxEventCount=8"));
    assert_int_equal(g.n, 0);
    st_query_destroy(q);
    /* maxEventCount with the post-filter deciding */
    const char *too_many2[] = {"maxEventCount=1", "EXISTS_ex:temp", NULL};
    q = make_query(too_many2);
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, tok, sizeof tok, &e), ST_ERR_LIMIT);
    assert_int_equal(g.n, 0);
    st_query_destroy(q);
    /* eventCountLimit needs orderBy: refused when run */
    const char *no_order[] = {"eventCountLimit=3", NULL};
    q = make_query(no_order);
    st_error_clear(&e);
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, tok, sizeof tok, &e), ST_ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "eventCountLimit needs orderBy"));
    st_query_destroy(q);
    /* the callback's error stops the run */
    const char *none[] = {NULL};
    q = make_query(none);
    int calls = 0;
    assert_int_equal(st_query_run(fixed.s, q, row_fail_second, &calls, tok, sizeof tok, &e),
                     ST_ERR_IO);
    assert_int_equal(calls, 2);
    /* a token buffer too small */
    const char *paged[] = {"perPage=1", NULL};
    st_query *q2 = make_query(paged);
    char small[8];
    assert_int_equal(st_query_run(fixed.s, q2, NULL, NULL, small, sizeof small, &e), ST_ERR_BUFFER);
    st_query_destroy(q2);
    st_query_destroy(q);
    got_free(&g);
}

/* ---- paging while events arrive ------------------------------------------------------------ */

/* Twelve events p01..p12 on days of March 2024 chosen so that event time
 * order differs from record order, with ties (day 6: p03, p11; day 9: p06,
 * p10) that fall across page boundaries. */
static const int page_days[12] = {10, 3, 6, 12, 1, 9, 5, 11, 2, 9, 6, 4};

/* Events prefix01.. on days[i] of March 2024 at hour:00Z, each naming its
 * own serial from serial0 (the hash ID ignores eventID: content differs). */
static void paging_doc(char *out, size_t cap, const char *prefix, const int *days, int n, int hour,
                       int serial0)
{
    size_t o = (size_t)snprintf(out, cap, "%s", CTX);
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(
            out + o, cap - o,
            "%s{'type': 'ObjectEvent', 'eventID': 'urn:test:%s%02d',"
            " 'eventTime': '2024-03-%02dT%02d:00:00Z', 'eventTimeZoneOffset': '+00:00',"
            " 'action': 'OBSERVE', 'bizStep': 'receiving',"
            " 'epcList': ['urn:epc:id:sgtin:0614141.107346.%d']}",
            i ? "," : "", prefix, i + 1, days[i], hour, serial0 + i);
    snprintf(out + o, cap - o, "%s", END);
}

typedef struct paging_row {
    const char *params[4];
    const char *want; /* the whole result, in order */
} paging_row;

static const paging_row pagings[] = {
    {{NULL}, "p01 p02 p03 p04 p05 p06 p07 p08 p09 p10 p11 p12"},
    {{"orderBy=eventTime", "orderDirection=ASC", "EQ_bizStep=receiving"},
     "p05 p09 p02 p12 p07 p03 p11 p06 p10 p01 p08 p04"},
    {{"orderBy=eventTime", "GE_eventTime=2024-03-02T00:00:00Z"},
     "p04 p08 p01 p10 p06 p11 p03 p07 p12 p02 p09"},
    {{"orderBy=recordTime", "MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*"},
     "p12 p11 p10 p09 p08 p07 p06 p05 p04 p03 p02 p01"},
    {{"GE_eventTime=2024-03-02T00:00:00Z"}, "p01 p02 p03 p04 p06 p07 p08 p09 p10 p11 p12"},
    {{"orderBy=eventTime", "orderDirection=ASC", "EXISTS_bizStep"},
     "p05 p09 p02 p12 p07 p03 p11 p06 p10 p01 p08 p04"},
};

/* Each row in a store of its own: p01..p12, then two new events (before
 * and after all others in event time) captured after every page. */
static void test_paging_snapshot(void **state)
{
    (void)state;
    static char doc[16384];
    paging_doc(doc, sizeof doc, "p", page_days, 12, 12, 100);
    for (size_t i = 0; i < sizeof pagings / sizeof *pagings; i++) {
        tstore t;
        store_open(&t);
        capture(t.s, doc, 12);
        int round = 0;
        const char *params[6] = {0};
        size_t np = 0;
        for (; pagings[i].params[np]; np++)
            params[np] = pagings[i].params[np];
        params[np] = "perPage=3";
        got all = {0}, want = {0};
        char tok[ST_QUERY_TOKEN_MAX] = "";
        int pages = 0;
        do {
            char next[ST_QUERY_TOKEN_MAX];
            got g = {0};
            run_page(t.s, params, tok, &g, next);
            assert_true(g.n <= 3);
            for (size_t k = 0; k < g.n; k++)
                got_add(&all, g.id[k]);
            got_free(&g);
            memcpy(tok, next, sizeof tok);
            /* new events, earlier and later than any, between pages */
            char prefix[16];
            snprintf(prefix, sizeof prefix, "new%d-", round);
            static const int new_days[2] = {1, 31};
            static char more[4096];
            paging_doc(more, sizeof more, prefix, new_days, 2, 0, 1000 + 2 * round++);
            capture(t.s, more, 2);
            assert_true(++pages < 10);
        } while (tok[0]);
        expected(pagings[i].want, NULL, &want);
        char label[64];
        snprintf(label, sizeof label, "paging row %zu", i);
        assert_same(label, &all, &want, 1);
        got_free(&all);
        got_free(&want);
        store_close(&t);
    }
}

/* A token is the token of its query: other parameters are refused, the same
 * ones in another order or spelling are not, an altered token is refused. */
static void test_tokens(void **state)
{
    (void)state;
    const char *first[] = {"EQ_bizStep=shipping|commissioning|receiving", "perPage=1",
                           "orderBy=eventTime", NULL};
    got g = {0};
    char tok[ST_QUERY_TOKEN_MAX];
    run_page(fixed.s, first, NULL, &g, tok);
    assert_int_equal(g.n, 1);
    assert_true(strlen(tok) > 0 && strlen(tok) < ST_QUERY_TOKEN_MAX);
    got_free(&g);
    /* same query, values reordered and respelled, another page size */
    const char *same[] = {"orderBy=eventTime",
                          "EQ_bizStep=urn:epcglobal:cbv:bizstep:receiving,"
                          "shipping,commissioning",
                          "perPage=10", NULL};
    char next[ST_QUERY_TOKEN_MAX];
    run_page(fixed.s, same, tok, &g, next);
    got want = {0};
    expected("x1 o2 o1", NULL, &want);
    assert_same("continued", &g, &want, 1);
    assert_string_equal(next, "");
    got_free(&g);
    got_free(&want);
    /* another query */
    const char *other[] = {"EQ_bizStep=shipping|commissioning|receiving", "perPage=1",
                           "orderBy=eventTime", "EQ_action=ADD", NULL};
    st_query *q = make_query(other);
    st_error e;
    st_error_clear(&e);
    assert_int_equal(st_query_set(q, "nextPageToken", tok, &e), ST_OK);
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, next, sizeof next, &e), ST_ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "nextPageToken belongs to another query"));
    assert_int_equal(g.n, 0);
    st_query_destroy(q);
    /* every single altered character is caught */
    for (size_t i = 0; tok[i]; i++) {
        char bad[ST_QUERY_TOKEN_MAX];
        memcpy(bad, tok, sizeof bad);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_equal(st_query_create(&q), ST_OK);
        st_error_clear(&e);
        assert_int_equal(st_query_set(q, "nextPageToken", bad, &e), ST_ERR_SYNTAX);
        assert_non_null(strstr(e.msg, "nextPageToken"));
        st_query_destroy(q);
    }
}

/* ---- list separators ------------------------------------------------------------------------- */

/* ',' separates words and numbers, URIs only when every piece is one, and
 * never free text: an EPC serial, a geo: location, a string may hold one. */
static void test_separators(void **state)
{
    (void)state;
    tstore t;
    store_open(&t);
    capture(t.s,
            CTX
            "{'type': 'ObjectEvent', 'eventID': 'urn:test:c1', 'eventTime': '2024-01-01T10:00:00Z',"
            " 'eventTimeZoneOffset': '+00:00', 'action': 'OBSERVE', 'bizStep': 'shipping',"
            " 'epcList': ['urn:epc:id:sgtin:0614141.107346.A,B'], 'sensorElementList':"
            " [{'sensorReport': [{'type': 'Temperature', 'stringValue': 'x,y'}]}]},"
            "{'type': 'ObjectEvent', 'eventID': 'urn:test:c2', 'eventTime': '2024-01-02T10:00:00Z',"
            " 'eventTimeZoneOffset': '+00:00', 'action': 'OBSERVE', 'bizStep': 'receiving',"
            " 'epcList': ['urn:epc:id:sgtin:0614141.107346.A']},"
            "{'type': 'ObjectEvent', 'eventID': 'urn:test:c3', 'eventTime': '2024-01-03T10:00:00Z',"
            " 'eventTimeZoneOffset': '+00:00', 'action': 'OBSERVE',"
            " 'epcList': ['urn:epc:id:sgtin:0614141.107346.B'], 'readPoint': {'id': "
            "'geo:52.1,4.3'}}" END,
            3);
    static const row rows[] = {
        {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.A,B"}, "c1"},
        {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.A,urn:epc:id:sgtin:0614141.107346.B"},
         "c2 c3"},
        {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.A,B|urn:epc:id:sgtin:0614141.107346.B"},
         "c1 c3"},
        {{"EQ_readPoint=geo:52.1,4.3"}, "c3"},
        {{"EQ_stringValue=x,y"}, "c1"},
        {{"EQ_stringValue=x|y"}, ""},
        {{"EQ_bizStep=shipping,receiving"}, "c1 c2"},
        {{"EQ_eventID=urn:test:c1,urn:test:c3"}, "c1 c3"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        got g = {0}, want = {0};
        char tok[ST_QUERY_TOKEN_MAX];
        run_page(t.s, rows[i].params, NULL, &g, tok);
        expected(rows[i].want, NULL, &want);
        assert_same(rows[i].params[0], &g, &want, 0);
        got_free(&g);
        got_free(&want);
    }
    store_close(&t);
}

/* ---- bad parameters ------------------------------------------------------------------------ */

static const struct bad_row {
    const char *name, *value;
    st_rc rc;
    const char *msg; /* fragment of the sentence */
} bad_rows[] = {
    {"EQ_foo", "1", ST_ERR_SYNTAX, "unknown query parameter EQ_foo"},
    {"eventTypes", "ObjectEvent", ST_ERR_SYNTAX, "unknown query parameter eventTypes"},
    {"EQ_ex", "1", ST_ERR_SYNTAX, "unknown query parameter EQ_ex"},
    {"EXISTS_nothing", "", ST_ERR_SYNTAX, "unknown query parameter EXISTS_nothing"},
    {"GE_eventTime", "yesterday", ST_ERR_SYNTAX, "GE_eventTime: \"yesterday\" is not a date-time"},
    {"LT_recordTime", "2024-02-30T00:00:00Z", ST_ERR_SYNTAX, "LT_recordTime: "},
    {"GE_time", "noon", ST_ERR_SYNTAX, "GE_time: \"noon\" is not a date-time"},
    {"EQ_action", "ADD|LOOK", ST_ERR_SYNTAX, "EQ_action: \"LOOK\" is not an action"},
    {"EQ_bizStep", "shiping", ST_ERR_SYNTAX, "did you mean \"shipping\""},
    {"EQ_bizStep", "", ST_ERR_SYNTAX, "EQ_bizStep needs a value"},
    {"EQ_bizStep", "shipping||receiving", ST_ERR_SYNTAX, "EQ_bizStep: an empty value"},
    {"EQ_disposition", "urn:epcglobal:cbv:bizstep:shipping", ST_ERR_SYNTAX, "EQ_disposition: "},
    {"EQ_readPoint", "warehouse", ST_ERR_SYNTAX, "EQ_readPoint: \"warehouse\" is not a URI"},
    {"eventType", "ObjectEvnt", ST_ERR_SYNTAX, "unknown event type \"ObjectEvnt\""},
    {"perPage", "0", ST_ERR_SYNTAX, "perPage: \"0\" is not a positive whole number"},
    {"perPage", "ten", ST_ERR_SYNTAX, "perPage"},
    {"perPage", "10001", ST_ERR_LIMIT, "the limit is 10000 events per page"},
    {"maxEventCount", "-1", ST_ERR_SYNTAX, "maxEventCount: \"-1\" is not a whole number"},
    {"eventCountLimit", "1.5", ST_ERR_SYNTAX, "eventCountLimit"},
    {"orderBy", "bizStep", ST_ERR_SYNTAX, "orderBy: \"bizStep\""},
    {"orderBy", "", ST_ERR_SYNTAX, "orderBy needs a value"},
    {"orderDirection", "UP", ST_ERR_SYNTAX, "orderDirection: \"UP\" is not ASC or DESC"},
    {"GT_quantity", "ten", ST_ERR_SYNTAX, "GT_quantity: \"ten\" is not a number"},
    {"EQ_quantity", "1|x", ST_ERR_SYNTAX, "EQ_quantity: \"x\" is not a number"},
    {"EQ_value_CEL", "warm", ST_ERR_SYNTAX, "EQ_value_CEL: \"warm\" is not a number"},
    {"GE_value_celsius", "1", ST_ERR_SYNTAX, "unknown query parameter GE_value_celsius"},
    {"EQ_booleanValue", "yes", ST_ERR_SYNTAX, "EQ_booleanValue: \"yes\" is not true or false"},
    {"EQ_type", "Presure", ST_ERR_SYNTAX, "did you mean \"Pressure\""},
    {"MATCH_epc", "urn:epc:idpat:sgtin:0614141.*.5", ST_ERR_SYNTAX, "not an EPC pattern"},
    {"MATCH_epc", "urn:epc:idpat:sgtin:06.*.*", ST_ERR_SYNTAX, "not an EPC pattern"},
    {"MATCH_anyEPC", "urn:epc:idpat:foo:1.*", ST_ERR_SYNTAX, "not an EPC pattern"},
    {"MATCH_epc", "notauri", ST_ERR_SYNTAX, "MATCH_epc: \"notauri\" is not a URI"},
    {"EQ_eventID", "ni:///sha-256;abc", ST_ERR_SYNTAX, "is not a hash ID"},
    {"EXISTS_errorDeclaration", "maybe", ST_ERR_SYNTAX, "\"maybe\" is not true or false"},
    {"GT_ex:temp", "warm", ST_ERR_SYNTAX, "neither a number nor a date-time"},
    {"nextPageToken", "abc", ST_ERR_SYNTAX, "nextPageToken is not a token this store gave out"},
    {"nextPageToken", "", ST_ERR_SYNTAX, "nextPageToken needs a value"},
    {"HASATTR_ex:x", "a", ST_ERR_UNSUPPORTED, "master data attributes"},
    {"EQ_ATTR_bizLocation_x", "a", ST_ERR_UNSUPPORTED, "master data attributes"},
};

static void test_bad_params(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_rows / sizeof *bad_rows; i++) {
        st_query *q = NULL;
        assert_int_equal(st_query_create(&q), ST_OK);
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_query_set(q, bad_rows[i].name, bad_rows[i].value, &e);
        if (rc != bad_rows[i].rc || !strstr(e.msg, bad_rows[i].msg))
            fail_msg("%s=%s: rc %d [%s], expected %d [%s]", bad_rows[i].name, bad_rows[i].value, rc,
                     e.msg, bad_rows[i].rc, bad_rows[i].msg);
        st_query_destroy(q);
    }
}

static void test_bad_combinations(void **state)
{
    (void)state;
    st_query *q = NULL;
    st_error e;
    assert_int_equal(st_query_create(&q), ST_OK);
    assert_int_equal(st_query_set(q, "eventCountLimit", "3", &e), ST_OK);
    st_error_clear(&e);
    assert_int_equal(st_query_set(q, "maxEventCount", "3", &e), ST_ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "exclude each other"));
    st_error_clear(&e);
    assert_int_equal(st_query_set(q, "eventCountLimit", "4", &e), ST_ERR_SYNTAX);
    assert_non_null(strstr(e.msg, "eventCountLimit is given more than once"));
    st_query_destroy(q);
    /* a refused parameter leaves the query as it was: its valid first values
     * are not kept, and the name may be given again */
    assert_int_equal(st_query_create(&q), ST_OK);
    assert_int_equal(st_query_set(q, "EQ_bizStep", "shipping|shiping", &e), ST_ERR_SYNTAX);
    assert_int_equal(st_query_set(q, "MATCH_epc", "urn:epc:id:sgtin:0614141.107346.1|x", &e),
                     ST_ERR_SYNTAX);
    assert_int_equal(st_query_set(q, "EQ_value_CEL", "1|warm", &e), ST_ERR_SYNTAX);
    got g = {0}, want = {0};
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, NULL, 0, &e), ST_OK);
    expected(ALL, h9, &want);
    assert_same("after refused parameters", &g, &want, 1);
    got_free(&g);
    got_free(&want);
    assert_int_equal(st_query_set(q, "EQ_bizStep", "packing", &e), ST_OK);
    assert_int_equal(st_query_run(fixed.s, q, row_got, &g, NULL, 0, &e), ST_OK);
    expected("a1", h9, &want);
    assert_same("given again", &g, &want, 1);
    got_free(&g);
    got_free(&want);
    st_query_destroy(q);
    /* the caps: parameters per query, values per parameter */
    assert_int_equal(st_query_create(&q), ST_OK);
    for (int i = 0; i < ST_QUERY_MAX_PARAMS; i++) {
        char name[32];
        snprintf(name, sizeof name, "EQ_ex:f%d", i);
        assert_int_equal(st_query_set(q, name, "1", &e), ST_OK);
    }
    st_error_clear(&e);
    assert_int_equal(st_query_set(q, "EQ_ex:last", "1", &e), ST_ERR_LIMIT);
    assert_non_null(strstr(e.msg, "at most 64 parameters"));
    st_query_destroy(q);
    char *many = malloc(10 * (ST_QUERY_MAX_VALUES + 1) + 1);
    assert_non_null(many);
    size_t o = 0;
    for (int i = 0; i <= ST_QUERY_MAX_VALUES; i++)
        o += (size_t)sprintf(many + o, "%surn:x:%d", i ? "|" : "", i);
    assert_int_equal(st_query_create(&q), ST_OK);
    st_error_clear(&e);
    assert_int_equal(st_query_set(q, "EQ_eventID", many, &e), ST_ERR_LIMIT);
    assert_non_null(strstr(e.msg, "EQ_eventID holds more than 256 values"));
    st_query_destroy(q);
    free(many);
}

/* ---- plans: indexes, no scans of the event table -------------------------------------------- */

typedef struct plan {
    char text[4096];
    size_t n;
} plan;

static st_rc row_plan(void *ctx, const st_val *c, int n)
{
    plan *p = ctx;
    if (n >= 4 && c[3].type == ST_VAL_TEXT)
        p->n += (size_t)snprintf(p->text + p->n, sizeof p->text - p->n, "%.*s\n", (int)c[3].n,
                                 (const char *)c[3].p);
    return ST_OK;
}

static const struct plan_row {
    const char *params[3];
    const char *uses[3]; /* what the plan must mention */
} plan_rows[] = {
    {{NULL}, {"USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"}},
    {{"orderBy=eventTime"}, {"event_event_time"}},
    {{"GE_eventTime=2024-01-01T00:00:00Z"}, {"event_event_time (event_time>?)"}},
    {{"LT_eventTime=2024-01-01T00:00:00Z", "orderBy=recordTime"}, {"event_event_time"}},
    {{"EQ_bizStep=shipping", "orderBy=eventTime"}, {"event_biz_step (biz_step=? AND event_time"}},
    {{"EQ_bizStep=shipping|receiving"}, {"event_biz_step (biz_step=?)"}},
    {{"EQ_disposition=in_transit"}, {"event_disposition"}},
    {{"EQ_readPoint=urn:epc:id:sgln:0614141.00003.0"}, {"event_read_point"}},
    {{"EQ_bizLocation=urn:epc:id:sgln:0614141.00001.0"}, {"event_biz_location"}},
    {{"WD_readPoint=urn:epc:id:sgln:0614141.00000.0"},
     {"event_read_point", "SEARCH lc USING PRIMARY KEY (parent=?)"}},
    {{"MATCH_epc=urn:epc:id:sgtin:0614141.107346.1", "orderBy=eventTime"},
     {"(key=?)", "SEARCH ee USING PRIMARY KEY (ident=?)", "SEARCH c USING INTEGER PRIMARY KEY"}},
    {{"MATCH_anyEPC=urn:epc:idpat:sgtin:0614141.107346.*"},
     {"(key>? AND key<?)", "SEARCH ee USING PRIMARY KEY (ident=?)"}},
    {{"MATCH_epcClass=urn:epc:idpat:sgtin:4012345.*.*", "GE_eventTime=2024-01-01T00:00:00Z"},
     {"SEARCH ee USING PRIMARY KEY (ident=?)"}},
    {{"EQ_eventID=urn:test:o1|ni:///"
      "sha-256;0000000000000000000000000000000000000000000000000000000000000000"},
     {"event_hash", "event_event_id"}},
    {{"EQ_transformationID=urn:test:xf:1"},
     {"(key=?)", "INDEX event_xform (xform=? AND rowid>? AND rowid<?)"}},
    {{"GE_recordTime=2024-01-01T00:00:00Z", "LT_recordTime=2030-01-01T00:00:00Z"},
     {"batch_record_time", "USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"}},
};

static void test_plans(void **state)
{
    (void)state;
    if (strncmp(g_url, "sqlite:", 7)) {
        print_message("  (query plans are checked on SQLite only: %s)\n", g_url);
        return;
    }
    for (size_t i = 0; i < sizeof plan_rows / sizeof *plan_rows; i++) {
        st_query *q = make_query(plan_rows[i].params);
        for (int body = 0; body < 2; body++) {
            char *sql = NULL;
            st_val *args = NULL;
            int nargs = 0;
            assert_int_equal(st_query_sql(q, body, &sql, &args, &nargs), ST_OK);
            char *ex = malloc(strlen(sql) + 32);
            assert_non_null(ex);
            sprintf(ex, "EXPLAIN QUERY PLAN %s", sql);
            plan p = {{0}, 0};
            st_error e;
            st_error_clear(&e);
            if (st_store_exec(fixed.s, ex, args, nargs, row_plan, &p, &e) != ST_OK)
                fail_msg("plan row %zu: %s\n%s", i, e.msg, sql);
            /* a scan of the event table, by either alias */
            if (strstr(p.text, "SCAN c\n") || strstr(p.text, "SCAN c ") ||
                strstr(p.text, "SCAN e\n") || strstr(p.text, "SCAN e ") ||
                strstr(p.text, "SCAN event"))
                fail_msg("plan row %zu scans the events:\n%s\n%s", i, sql, p.text);
            for (int k = 0; k < 3 && plan_rows[i].uses[k]; k++)
                if (!strstr(p.text, plan_rows[i].uses[k]))
                    fail_msg("plan row %zu does not use %s:\n%s\n%s", i, plan_rows[i].uses[k], sql,
                             p.text);
            free(ex);
            free(sql);
            free(args);
        }
        st_query_destroy(q);
    }
}

/* ---- the EPCISQueryDocument -------------------------------------------------------------- */

typedef struct hashes {
    char h[32][ST_HASHID_LEN + 1];
    int n;
} hashes;

static st_rc visit_hash(void *ctx, const st_epcis_event *ev)
{
    hashes *h = ctx;
    if (h->n < 32)
        return st_epcis_event_hash_id(ev, h->h[h->n++]);
    return ST_OK;
}

static st_rc row_hash(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                      int64_t record_ms)
{
    (void)event_id, (void)record_ms;
    hashes *h = ctx;
    if (h->n < 32 && st_hashid_compute(ev, bindings, h->h[h->n++]) != ST_OK)
        return ST_ERR_INTERNAL;
    return ST_OK;
}

static char *write_doc(const char *const *params, st_epcis_format fmt, size_t *n, char *tok,
                       st_rc want)
{
    st_query *q = make_query(params);
    char *buf = NULL;
    FILE *f = open_memstream(&buf, n);
    assert_non_null(f);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_query_write(fixed.s, q, fmt, f, tok, ST_QUERY_TOKEN_MAX, &e);
    fclose(f);
    if (rc != want)
        fail_msg("query write: rc %d [%s], expected %d", rc, e.msg, want);
    st_query_destroy(q);
    return buf;
}

static void test_write(void **state)
{
    (void)state;
    const char *all[] = {NULL};
    /* what the store holds, hashed from the decoded trees */
    hashes stored = {0};
    st_query *q = make_query(all);
    assert_int_equal(st_query_run(fixed.s, q, row_hash, &stored, NULL, 0, NULL), ST_OK);
    st_query_destroy(q);
    assert_int_equal(stored.n, 9);
    char tok[ST_QUERY_TOKEN_MAX];
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        size_t n = 0;
        char *doc = write_doc(all, (st_epcis_format)fmt, &n, tok, ST_OK);
        assert_string_equal(tok, "");
        hashes read = {0};
        st_epcis_report *r = NULL;
        assert_int_equal(st_epcis_read_mem(doc, n, NULL, visit_hash, &read, &r), ST_OK);
        st_epcis_report_destroy(r);
        /* XML 1.2 cannot carry the AssociationEvent (the 8th), nor
         * sensorElementList (s1) and persistentDisposition (e1): those two
         * are written without them and hash differently */
        int v12 = fmt == ST_EPCIS_FMT_XML12;
        assert_int_equal(read.n, v12 ? 8 : 9);
        for (int i = 0, k = 0; i < 9; i++) {
            if (v12 && i == 7)
                continue;
            if (!v12 || (i != 5 && i != 6))
                assert_string_equal(read.h[k], stored.h[i]);
            k++;
        }
        assert_non_null(strstr(doc, "SimpleEventQuery"));
        assert_non_null(strstr(doc, "EPCISQueryDocument"));
        assert_non_null(strstr(doc, "recordTime"));
        free(doc);
    }
    /* JSON-LD: the shape, recordTime after eventTime, a token when paged */
    const char *paged[] = {"perPage=4", NULL};
    size_t n = 0;
    char *doc = write_doc(paged, ST_EPCIS_FMT_JSONLD, &n, tok, ST_OK);
    assert_true(tok[0]);
    json_error_t je;
    json_t *j = json_loadb(doc, n, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "EPCISQueryDocument");
    json_t *qr = json_object_get(json_object_get(j, "epcisBody"), "queryResults");
    assert_string_equal(json_string_value(json_object_get(qr, "queryName")), "SimpleEventQuery");
    json_t *list = json_object_get(json_object_get(qr, "resultsBody"), "eventList");
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *ev = json_array_get(list, i);
        const char *rt = json_string_value(json_object_get(ev, "recordTime"));
        assert_non_null(rt);
        assert_int_equal(strlen(rt), 24);
        assert_int_equal(rt[23], 'Z');
        const char *prev = NULL, *key;
        json_t *v;
        json_object_foreach(ev, key, v)
        {
            if (!strcmp(key, "recordTime"))
                assert_string_equal(prev, "eventTime");
            prev = key;
        }
    }
    json_decref(j);
    free(doc);
    /* a refused query writes nothing */
    const char *refused[] = {"maxEventCount=1", NULL};
    doc = write_doc(refused, ST_EPCIS_FMT_JSONLD, &n, tok, ST_ERR_LIMIT);
    assert_int_equal(n, 0);
    free(doc);
    /* an empty result is a document without events */
    const char *none[] = {"EQ_bizStep=destroying", NULL};
    doc = write_doc(none, ST_EPCIS_FMT_XML2, &n, tok, ST_OK);
    hashes read = {0};
    st_epcis_report *r = NULL;
    assert_int_equal(st_epcis_read_mem(doc, n, NULL, visit_hash, &read, &r), ST_OK);
    st_epcis_report_destroy(r);
    assert_int_equal(read.n, 0);
    free(doc);
}

/* ---- the GS1 examples against a brute-force evaluation ----------------------------------------
 */

/* What the oracle knows of one stored event. */
typedef struct fact {
    char id[256];                 /* declared eventID, else hash ID */
    char hash[ST_HASHID_LEN + 1]; /* its hash ID */
    char biz_step[256], disposition[256], read_point[256], biz_location[256];
    char *epcs; /* canonical keys of epcList and childEPCs, each followed by '\n' */
    char parent[256];
    int type, action;
    int64_t ms;
} fact;

typedef struct facts {
    fact *f;
    size_t n;
} facts;

static void canon_into(const char *v, int vocab, const st_evnode *b, char out[256])
{
    out[0] = '\0';
    if (v && st_cap_canon(v, vocab, b, out, 256) != ST_OK)
        out[0] = '\0';
}

static st_rc row_fact(void *ctx, const st_event *ev, const st_evnode *b, int64_t event_id,
                      int64_t record_ms)
{
    (void)event_id, (void)record_ms;
    facts *fs = ctx;
    fs->f = realloc(fs->f, (fs->n + 1) * sizeof *fs->f);
    assert_non_null(fs->f);
    fact *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    identity(ev, b, f->id);
    assert_int_equal(st_hashid_compute(ev, b, f->hash), ST_OK);
    const st_evnode *r = ev->root;
    canon_into(st_evnode_child_value(r, "bizStep"), ST_CBV_BIZSTEP, b, f->biz_step);
    canon_into(st_evnode_child_value(r, "disposition"), ST_CBV_DISP, b, f->disposition);
    const st_evnode *rp = st_evnode_child(r, "readPoint"), *bl = st_evnode_child(r, "bizLocation");
    canon_into(rp ? st_evnode_child_value(rp, "id") : NULL, -1, b, f->read_point);
    canon_into(bl ? st_evnode_child_value(bl, "id") : NULL, -1, b, f->biz_location);
    canon_into(st_evnode_child_value(r, "parentID"), -1, b, f->parent);
    f->type = ev->type;
    const char *a = st_evnode_child_value(r, "action");
    f->action = !a ? 0 : !strcmp(a, "ADD") ? 1 : !strcmp(a, "OBSERVE") ? 2 : 3;
    assert_int_equal(st_cap_time_ms(st_evnode_child_value(r, "eventTime"), &f->ms), ST_OK);
    size_t len = 1;
    f->epcs = calloc(1, 1);
    static const char *const lists[] = {"epcList", "childEPCs"};
    for (int k = 0; k < 2; k++) {
        const st_evnode *l = st_evnode_child(r, lists[k]);
        for (const st_evnode *c = l ? l->first : NULL; c; c = c->next) {
            char key[256];
            canon_into(c->value, -1, b, key);
            f->epcs = realloc(f->epcs, len + strlen(key) + 1);
            strcat(f->epcs, key);
            strcat(f->epcs, "\n");
            len += strlen(key) + 1;
        }
    }
    return ST_OK;
}

static void capture_file(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)rel, (void)name;
    st_capture_result r;
    st_epcis_report *rep = NULL;
    st_store_capture_file(ctx, path, &r, &rep); /* some examples are no event documents */
    st_epcis_report_destroy(rep);
}

static void walk(const char *dir, void (*fn)(void *, const char *, const char *, const char *),
                 void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (stat(p, &sb))
            continue;
        size_t n = strlen(de->d_name);
        if (S_ISDIR(sb.st_mode))
            walk(p, fn, ctx);
        else if ((n > 4 && !strcmp(de->d_name + n - 4, ".xml")) ||
                 (n > 5 && !strcmp(de->d_name + n - 5, ".json")) ||
                 (n > 7 && !strcmp(de->d_name + n - 7, ".jsonld")))
            fn(ctx, p, de->d_name, de->d_name);
    }
    closedir(d);
}

/* The query name=value against the facts that pred selects. */
static void oracle(st_store *s, const facts *fs, const char *name, const char *value,
                   int (*pred)(const fact *, const char *))
{
    if (strchr(value, '|'))
        return; /* a list separator inside one value */
    char p[600];
    snprintf(p, sizeof p, "%s=%s", name, value);
    const char *params[] = {p, "perPage=10000", NULL};
    got g = {0}, want = {0};
    char tok[ST_QUERY_TOKEN_MAX];
    run_page(s, params, NULL, &g, tok);
    for (size_t i = 0; i < fs->n; i++)
        if (pred(&fs->f[i], value))
            got_add(&want, fs->f[i].id);
    assert_true(want.n > 0 || !strcmp(name, "eventType"));
    assert_same(p, &g, &want, 1);
    got_free(&g);
    got_free(&want);
}

static int p_biz_step(const fact *f, const char *v)
{
    return !strcmp(f->biz_step, v);
}
static int p_disposition(const fact *f, const char *v)
{
    return !strcmp(f->disposition, v);
}
static int p_read_point(const fact *f, const char *v)
{
    return !strcmp(f->read_point, v);
}
static int p_biz_location(const fact *f, const char *v)
{
    return !strcmp(f->biz_location, v);
}
static int p_parent(const fact *f, const char *v)
{
    return !strcmp(f->parent, v);
}
static int p_event_id(const fact *f, const char *v)
{
    return !strcmp(f->id, v) || !strcmp(f->hash, v);
}
static int p_epc(const fact *f, const char *v)
{
    char line[300];
    snprintf(line, sizeof line, "%s\n", v);
    for (const char *p = f->epcs; (p = strstr(p, line)); p++)
        if (p == f->epcs || p[-1] == '\n')
            return 1;
    return 0;
}
static int p_type(const fact *f, const char *v)
{
    return !strcmp(v, st_event_type_name((st_event_type)f->type));
}

static void test_gs1_examples(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    if (!shared) {
        print_message("skipped: no ../shared folder with the GS1 EPCIS examples\n");
        skip();
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/conformance/gs1-epcis", shared);
    struct stat sb;
    if (stat(dir, &sb)) {
        print_message("skipped: %s is missing\n", dir);
        skip();
    }
    tstore t;
    store_open(&t);
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/JSON", dir);
    walk(sub, capture_file, t.s);
    snprintf(sub, sizeof sub, "%s/XML", dir);
    walk(sub, capture_file, t.s);
    facts fs = {0};
    const char *all[] = {"perPage=10000", NULL};
    st_query *q = make_query(all);
    assert_int_equal(st_query_run(t.s, q, row_fact, &fs, NULL, 0, NULL), ST_OK);
    st_query_destroy(q);
    assert_true(fs.n >= 50);
    for (size_t i = 0; i < fs.n; i++) {
        const fact *f = &fs.f[i];
        if (f->biz_step[0])
            oracle(t.s, &fs, "EQ_bizStep", f->biz_step, p_biz_step);
        if (f->disposition[0])
            oracle(t.s, &fs, "EQ_disposition", f->disposition, p_disposition);
        if (f->read_point[0] && strchr(f->read_point, ':'))
            oracle(t.s, &fs, "EQ_readPoint", f->read_point, p_read_point);
        if (f->biz_location[0] && strchr(f->biz_location, ':'))
            oracle(t.s, &fs, "EQ_bizLocation", f->biz_location, p_biz_location);
        if (f->parent[0])
            oracle(t.s, &fs, "MATCH_parentID", f->parent, p_parent);
        oracle(t.s, &fs, "EQ_eventID", f->id, p_event_id);
        oracle(t.s, &fs, "EQ_eventID", f->hash, p_event_id);
        char first[300];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(f->epcs, "\n"), f->epcs);
        if (first[0] && !strchr(first, ',') && !strchr(first, '|'))
            oracle(t.s, &fs, "MATCH_epc", first, p_epc);
    }
    for (int type = ST_EVENT_OBJECT; type <= ST_EVENT_ASSOCIATION; type++)
        oracle(t.s, &fs, "eventType", st_event_type_name((st_event_type)type), p_type);
    /* paging through everything by event time gives everything, sorted */
    const char *by_time[] = {"orderBy=eventTime", "orderDirection=ASC", "perPage=7", NULL};
    got pages = {0}, want = {0};
    char tok[ST_QUERY_TOKEN_MAX] = "";
    do {
        char next[ST_QUERY_TOKEN_MAX];
        run_page(t.s, by_time, tok, &pages, next);
        memcpy(tok, next, sizeof tok);
    } while (tok[0]);
    for (int64_t last = INT64_MIN;;) { /* stable by record order within one time */
        int64_t next = INT64_MAX;
        for (size_t i = 0; i < fs.n; i++)
            if (fs.f[i].ms > last && fs.f[i].ms < next)
                next = fs.f[i].ms;
        if (next == INT64_MAX)
            break;
        for (size_t i = 0; i < fs.n; i++)
            if (fs.f[i].ms == next)
                got_add(&want, fs.f[i].id);
        last = next;
    }
    assert_same("GS1 examples by event time", &pages, &want, 1);
    got_free(&pages);
    got_free(&want);
    for (size_t i = 0; i < fs.n; i++)
        free(fs.f[i].epcs);
    free(fs.f);
    store_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families),        cmocka_unit_test(test_event_id_hash),
        cmocka_unit_test(test_order_and_pages), cmocka_unit_test(test_run_failures),
        cmocka_unit_test(test_tokens),          cmocka_unit_test(test_separators),
        cmocka_unit_test(test_bad_params),      cmocka_unit_test(test_bad_combinations),
        cmocka_unit_test(test_plans),           cmocka_unit_test(test_write),
        cmocka_unit_test(test_paging_snapshot), cmocka_unit_test(test_gs1_examples),
    };
    return st_test_run_on_urls("query suite", tests, sizeof tests / sizeof *tests, setup_fixed,
                               teardown_fixed, &g_url);
}
