/*
 * Tests for lib/epcis/jsonld.c and lib/epcis/tree_dump.c: one hand-written
 * document that exercises every convention of the event tree, compared line
 * by line through st_evdump, in keep-all and callback mode; query documents,
 * bare events and callbacks that stop the reader; a table of bad inputs (each
 * row: document, return code, diagnostic code, JSON pointer, message
 * fragment); the caps; and every GS1 JSON/JSON-LD example (from
 * ST_SHARED_DIR, skipped when it is absent).
 *
 * Documents are written with single quotes for legibility; q() turns them
 * into JSON in a buffer of exactly their length, so ASan catches any read
 * past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "epcis/jsonld.h"
#include "epcis/tree_dump.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A heap copy of s, exactly strlen(s) bytes (no NUL), with ' turned into ". */
static char *q(const char *s, size_t *n)
{
    *n = strlen(s);
    char *b = malloc(*n ? *n : 1);
    assert_non_null(b);
    for (size_t i = 0; i < *n; i++)
        b[i] = s[i] == '\'' ? '"' : s[i];
    return b;
}

static void read_raw(reading *r, const char *buf, size_t n, st_epcis_on_event cb, void *ctx)
{
    reading_start(r);
    r->rc = st_jsonld_read(&r->doc, buf, n, cb, ctx, &r->diag);
}

/* Read the single-quoted document s, keeping every event unless cb is set. */
static void read_q(reading *r, const char *s, st_epcis_on_event cb, void *ctx)
{
    size_t n;
    char *b = q(s, &n);
    read_raw(r, b, n, cb, ctx);
    free(b);
}

/* ---- the conventions, in one document ------------------------------------------ */

static const char conv_doc[] =
    "{\n"
    "  'id': 'https://id.example.org/doc/7',\n"
    "  'type': 'EPCISDocument',\n"
    "  'schemaVersion': '2.0',\n"
    "  'creationDate': '2024-05-01T10:00:00Z',\n"
    "  'sender': 'urn:epc:id:pgln:4012345.00000',\n"
    "  'receiver': 'urn:epc:id:pgln:0614141.00000',\n"
    "  'instanceIdentifier': '42',\n"
    "  'epcisHeader': {'epcisMasterData': {'vocabularyList': [{'type': "
    "'urn:epcglobal:epcis:vtype:BusinessLocation', 'vocabularyElementList': [{'id': "
    "'urn:epc:id:sgln:4012345.00001.0', 'attributes': [{'id': 'urn:epcglobal:cbv:mda#name', "
    "'attribute': 'Dock 1'}]}]}]}},\n"
    "  'ex:batch': 'B-9',\n"
    "  'epcisBody': {\n"
    "    'eventList': [\n"
    "      {\n"
    "        'type': 'ObjectEvent',\n"
    "        '@context': {'ev': 'https://ev.example.org/v1/'},\n"
    "        'eventTime': '2024-05-01T09:00:00.000+02:00',\n"
    "        'eventTimeZoneOffset': '+02:00',\n"
    "        'certificationInfo': ['https://cert.example.org/a', "
    "'https://cert.example.org/b'],\n"
    "        'epcList': ['urn:epc:id:sgtin:4012345.011111.1', "
    "'urn:epc:id:sgtin:4012345.011111.2'],\n"
    "        'quantityList': [\n"
    "          {'epcClass': 'urn:epc:class:lgtin:4012345.011111.L1', 'quantity': 200.0, "
    "'uom': 'KGM'},\n"
    "          {'uom': 'LTR', 'quantity': 1E3, 'epcClass': "
    "'urn:epc:class:lgtin:4012345.011111.L2'}\n"
    "        ],\n"
    "        'action': 'OBSERVE',\n"
    "        'bizStep': 'shipping',\n"
    "        'disposition': 'in_transit',\n"
    "        'persistentDisposition': {'unset': ['completeness_inferred'], 'set': "
    "['completeness_verified', 'conformant']},\n"
    "        'readPoint': {'ex:gate': 'G7', 'id': 'urn:epc:id:sgln:4012345.00001.0'},\n"
    "        'bizLocation': {'id': 'urn:epc:id:sgln:4012345.00002.0'},\n"
    "        'bizTransactionList': [\n"
    "          {'type': 'po', 'bizTransaction': 'http://tx.example.org/po/1'},\n"
    "          {'bizTransaction': 'urn:epcglobal:cbv:bt:4012345000009:77'}\n"
    "        ],\n"
    "        'sourceList': [{'source': 'urn:epc:id:pgln:4012345.00000', 'type': "
    "'owning_party'}],\n"
    "        'destinationList': [{'type': 'location', 'destination': "
    "'urn:epc:id:sgln:0614141.00777.0'}],\n"
    "        'sensorElementList': [\n"
    "          {\n"
    "            'sensorMetadata': {'time': '2024-05-01T08:00:00Z', 'deviceID': "
    "'urn:epc:id:giai:4012345.9', 'ex:calibrated': true},\n"
    "            'sensorReport': [\n"
    "              {'type': 'Temperature', 'value': -1.50e-3, 'uom': 'CEL', 'booleanValue': "
    "false, 'ex:probe': 3},\n"
    "              {'type': 'gs1:RelativeHumidity', 'stringValue': 'line1\\nline2\\ttab'}\n"
    "            ],\n"
    "            'ex:note': 'after the reports'\n"
    "          }\n"
    "        ],\n"
    "        'ilmd': {\n"
    "          'cbvmda:lotNumber': 'L1',\n"
    "          'ex:big': 111100001111000011110000,\n"
    "          'ex:tags': ['a', 'b'],\n"
    "          'ex:dims': {'ex:w': 1.250, 'unprefixed': 'x', 'ev:depth': 7}\n"
    "        },\n"
    "        'errorDeclaration': {\n"
    "          'declarationTime': '2024-05-02T00:00:00Z',\n"
    "          'reason': 'incorrect_data',\n"
    "          'correctiveEventIDs': ['urn:uuid:11111111-2222-3333-4444-555555555555'],\n"
    "          'ex:by': 'QA'\n"
    "        },\n"
    "        'rdfs:comment': 'kept as an extension',\n"
    "        'https://abs.example.org/ns#colour': 'red',\n"
    "        'comment': 'an unknown unprefixed key',\n"
    "        'ev:flag': false\n"
    "      },\n"
    "      {\n"
    "        'type': 'AggregationEvent',\n"
    "        'eventTime': '2024-05-01T09:10:00Z',\n"
    "        'eventTimeZoneOffset': '+00:00',\n"
    "        'parentID': 'urn:epc:id:sscc:4012345.0000000001',\n"
    "        'childEPCs': ['urn:epc:id:sgtin:4012345.011111.1'],\n"
    "        'childQuantityList': [{'epcClass': 'urn:epc:class:lgtin:4012345.011111.L1', "
    "'quantity': 5}],\n"
    "        'action': 'ADD'\n"
    "      },\n"
    "      {\n"
    "        'type': 'TransformationEvent',\n"
    "        'eventTime': '2024-05-01T09:20:00Z',\n"
    "        'eventTimeZoneOffset': '+00:00',\n"
    "        'inputEPCList': ['urn:epc:id:sgtin:4012345.011111.1'],\n"
    "        'inputQuantityList': [{'epcClass': 'urn:epc:class:lgtin:4012345.011111.L2', "
    "'quantity': 0.5, 'uom': 'LTR'}],\n"
    "        'outputEPCList': [],\n"
    "        'outputQuantityList': [{'epcClass': 'urn:epc:class:lgtin:4012345.022222.M1', "
    "'quantity': 12}],\n"
    "        'transformationID': 'urn:epc:id:gdti:4012345.00001.1'\n"
    "      },\n"
    "      {'type': 'TransactionEvent', 'eventTime': '2024-05-01T09:30:00Z', "
    "'eventTimeZoneOffset': '+00:00', 'action': 'DELETE', 'epcList': []},\n"
    "      {'type': 'AssociationEvent', 'eventTime': '2024-05-01T09:40:00Z', "
    "'eventTimeZoneOffset': '+00:00', 'parentID': 'urn:epc:id:grai:4012345.55555.1', "
    "'childEPCs': ['urn:epc:id:giai:4012345.7'], 'action': 'ADD'}\n"
    "    ]\n"
    "  },\n"
    "  '@context': [\n"
    "    'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',\n"
    "    {'@version': 1.1, 'ex': 'https://ns.example.com/epcis/'},\n"
    "    {'alias': {'@id': 'https://alias.example.org/'}, 'id2': '@id'}\n"
    "  ]\n"
    "}\n";

static const char conv_dump[] =
    "ns\n"
    "  ex=https://ns.example.com/epcis/\n"
    "  alias=https://alias.example.org/\n"
    "  ev=https://ev.example.org/v1/\n"
    "header\n"
    "  id=https://id.example.org/doc/7\n"
    "  type=EPCISDocument\n"
    "  sender=urn:epc:id:pgln:4012345.00000\n"
    "  receiver=urn:epc:id:pgln:0614141.00000\n"
    "  instanceIdentifier=42\n"
    "  epcisHeader\n"
    "    epcisMasterData\n"
    "      vocabularyList\n"
    "        type=urn:epcglobal:epcis:vtype:BusinessLocation\n"
    "        vocabularyElementList\n"
    "          id=urn:epc:id:sgln:4012345.00001.0\n"
    "          attributes\n"
    "            id=urn:epcglobal:cbv:mda#name\n"
    "            attribute=Dock 1\n"
    "  {https://ns.example.com/epcis/}ex:batch=B-9\n"
    "ObjectEvent\n"
    "  eventTime=2024-05-01T09:00:00.000+02:00\n"
    "  eventTimeZoneOffset=+02:00\n"
    "  certificationInfo=https://cert.example.org/a\n"
    "  certificationInfo=https://cert.example.org/b\n"
    "  epcList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.2\n"
    "  quantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L1\n"
    "      quantity [N]=200.0\n"
    "      uom=KGM\n"
    "    quantityElement\n"
    "      uom=LTR\n"
    "      quantity [N]=1E3\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L2\n"
    "  action=OBSERVE\n"
    "  bizStep=shipping\n"
    "  disposition=in_transit\n"
    "  persistentDisposition\n"
    "    unset=completeness_inferred\n"
    "    set=completeness_verified\n"
    "    set=conformant\n"
    "  readPoint\n"
    "    id=urn:epc:id:sgln:4012345.00001.0\n"
    "    {https://ns.example.com/epcis/}ex:gate=G7\n"
    "  bizLocation\n"
    "    id=urn:epc:id:sgln:4012345.00002.0\n"
    "  bizTransactionList [L]\n"
    "    bizTransaction=http://tx.example.org/po/1\n"
    "      type [A]=po\n"
    "    bizTransaction=urn:epcglobal:cbv:bt:4012345000009:77\n"
    "  sourceList [L]\n"
    "    source=urn:epc:id:pgln:4012345.00000\n"
    "      type [A]=owning_party\n"
    "  destinationList [L]\n"
    "    destination=urn:epc:id:sgln:0614141.00777.0\n"
    "      type [A]=location\n"
    "  sensorElementList [L]\n"
    "    sensorElement\n"
    "      sensorMetadata\n"
    "        time [A]=2024-05-01T08:00:00Z\n"
    "        deviceID [A]=urn:epc:id:giai:4012345.9\n"
    "        {https://ns.example.com/epcis/}ex:calibrated [AB]=true\n"
    "      sensorReport\n"
    "        type [A]=Temperature\n"
    "        value [AN]=-1.50e-3\n"
    "        uom [A]=CEL\n"
    "        booleanValue [AB]=false\n"
    "        {https://ns.example.com/epcis/}ex:probe [AN]=3\n"
    "      sensorReport\n"
    "        type [A]=gs1:RelativeHumidity\n"
    "        stringValue [A]=line1\\nline2\\ttab\n"
    "      {https://ns.example.com/epcis/}ex:note=after the reports\n"
    "  ilmd\n"
    "    {urn:epcglobal:cbv:mda:}cbvmda:lotNumber=L1\n"
    "    {https://ns.example.com/epcis/}ex:big [N]=111100001111000011110000\n"
    "    {https://ns.example.com/epcis/}ex:tags=a\n"
    "    {https://ns.example.com/epcis/}ex:tags=b\n"
    "    {https://ns.example.com/epcis/}ex:dims\n"
    "      {https://ns.example.com/epcis/}ex:w [N]=1.250\n"
    "      unprefixed=x\n"
    "      {https://ev.example.org/v1/}ev:depth [N]=7\n"
    "  errorDeclaration\n"
    "    declarationTime=2024-05-02T00:00:00Z\n"
    "    reason=incorrect_data\n"
    "    correctiveEventIDs [L]\n"
    "      correctiveEventID=urn:uuid:11111111-2222-3333-4444-555555555555\n"
    "    {https://ns.example.com/epcis/}ex:by=QA\n"
    "  {http://www.w3.org/2000/01/rdf-schema#}rdfs:comment=kept as an extension\n"
    "  {https://abs.example.org/ns#}colour=red\n"
    "  comment=an unknown unprefixed key\n"
    "  {https://ev.example.org/v1/}ev:flag [B]=false\n"
    "AggregationEvent\n"
    "  eventTime=2024-05-01T09:10:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  parentID=urn:epc:id:sscc:4012345.0000000001\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "  childQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L1\n"
    "      quantity [N]=5\n"
    "  action=ADD\n"
    "TransformationEvent\n"
    "  eventTime=2024-05-01T09:20:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  inputEPCList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "  inputQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L2\n"
    "      quantity [N]=0.5\n"
    "      uom=LTR\n"
    "  outputEPCList [L]\n"
    "  outputQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.022222.M1\n"
    "      quantity [N]=12\n"
    "  transformationID=urn:epc:id:gdti:4012345.00001.1\n"
    "TransactionEvent\n"
    "  eventTime=2024-05-01T09:30:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  action=DELETE\n"
    "  epcList [L]\n"
    "AssociationEvent\n"
    "  eventTime=2024-05-01T09:40:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  parentID=urn:epc:id:grai:4012345.55555.1\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:giai:4012345.7\n"
    "  action=ADD\n";

static st_rc collect(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    text *t = ctx;
    assert_int_equal(ev->type, st_event_type_from_name(ev->root->name));
    if (!t->s) { /* the document-level parts are complete before the first event */
        text_add(t, doc->ns);
        text_add(t, doc->header);
    }
    text_add(t, ev->root);
    return ST_OK;
}

static void test_conventions(void **state)
{
    (void)state;
    reading r;
    read_q(&r, conv_doc, NULL, NULL);
    show_diag(&r.diag);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(st_diag_count(&r.diag), 0);
    assert_int_equal(r.doc.format, ST_EPCIS_FMT_JSONLD);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_DOCUMENT);
    assert_string_equal(r.doc.schema_version, "2.0");
    assert_string_equal(r.doc.creation_date, "2024-05-01T10:00:00Z");
    assert_int_equal(r.doc.events, 5);
    assert_int_equal(r.doc.n_kept, 5);
    static const st_event_type types[] = {ST_EVENT_OBJECT, ST_EVENT_AGGREGATION,
                                          ST_EVENT_TRANSFORMATION, ST_EVENT_TRANSACTION,
                                          ST_EVENT_ASSOCIATION};
    text t = {r.a, NULL};
    text_add(&t, r.doc.ns);
    text_add(&t, r.doc.header);
    for (size_t i = 0; i < r.doc.n_kept; i++) {
        assert_int_equal(r.doc.kept[i]->type, types[i]);
        assert_int_equal(r.doc.kept[i]->index, (long)i);
        text_add(&t, r.doc.kept[i]->root);
    }
    assert_string_equal(t.s, conv_dump);

    /* prefixes are recorded, but the default dump leaves them out */
    const st_evnode *ilmd = st_evnode_child(r.doc.kept[0]->root, "ilmd");
    assert_non_null(ilmd);
    assert_string_equal(ilmd->first->prefix, "cbvmda");
    assert_null(st_evnode_child(ilmd, "lotNumber")); /* an extension is not an EPCIS field */
    char *plain = st_evdump(r.a, ilmd->first, 0);
    assert_string_equal(plain, "{urn:epcglobal:cbv:mda:}lotNumber=L1\n");

    /* the same trees, one event at a time */
    reading r2;
    text t2 = {r.a, NULL};
    read_q(&r2, conv_doc, collect, &t2);
    assert_int_equal(r2.rc, ST_OK);
    assert_int_equal(r2.doc.events, 5);
    assert_int_equal(r2.doc.n_kept, 0);
    assert_null(r2.doc.kept);
    assert_string_equal(t2.s, conv_dump);
    reading_done(&r2);
    reading_done(&r);
}

/* ---- st_evdump ----------------------------------------------------------------- */

static void test_dump_format(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    st_evnode *root = st_evnode_add(a, NULL, NULL, "ObjectEvent", NULL, 0, 0);
    st_evnode *x = st_evnode_add(a, root, "https://ns.example.com/", "x", "a\\b\n\r\t\x01\x7f", 9,
                                 ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST);
    x->prefix = "ex";
    st_evnode_add(a, x, NULL, "empty", "", 0, 0);
    st_evnode_add(a, root, NULL, "caf\xc3\xa9", "\xc3\xa9t\xc3\xa9", 5, ST_EVN_LIST);
    assert_string_equal(st_evdump(a, root, 0),
                        "ObjectEvent\n"
                        "  {https://ns.example.com/}x [ANBL]=a\\\\b\\n\\r\\t\\x01\\x7f\n"
                        "    empty=\n"
                        "  caf\xc3\xa9 [L]=\xc3\xa9t\xc3\xa9\n");
    assert_string_equal(st_evdump(a, x->first, ST_EVDUMP_PREFIX), "empty=\n");
    assert_string_equal(st_evdump(a, NULL, 0), "");
    char *withp = st_evdump(a, x, ST_EVDUMP_PREFIX);
    assert_non_null(strstr(withp, "{https://ns.example.com/}ex:x [ANBL]="));

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(st_evdump_file(f, root->last, 0), 0);
    assert_int_equal(st_evdump_file(f, NULL, 0), 0);
    rewind(f);
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "caf\xc3\xa9 [L]=\xc3\xa9t\xc3\xa9\n");
    fclose(f);

    st_arena *tiny = st_arena_create(16); /* too small for the text */
    assert_null(st_evdump(tiny, root, 0));
    st_arena_destroy(tiny);
    st_arena_destroy(a);
}

/* ---- other document kinds, callbacks ------------------------------------------- */

static void test_query_document(void **state)
{
    (void)state;
    reading r;
    read_q(
        &r,
        "{'@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],"
        " 'type': 'EPCISQueryDocument', 'schemaVersion': '2.0',"
        " 'creationDate': '2024-01-01T00:00:00Z',"
        " 'epcisBody': {'queryResults': {'subscriptionID': 's1', 'queryName': 'SimpleEventQuery',"
        "   'resultsBody': {'eventList': ["
        "     {'type': 'ObjectEvent', 'action': 'OBSERVE', 'epcList': ['urn:epc:id:sgtin:1.2.3']},"
        "     {'type': 'ObjectEvent', 'action': 'OBSERVE', 'quantityList': [{'quantity': -0}]}"
        "   ]}}}}",
        NULL, NULL);
    show_diag(&r.diag);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.diag.n, 0);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_QUERY);
    assert_int_equal(r.doc.events, 2);
    assert_null(r.doc.ns); /* only a context IRI: no bindings */
    assert_string_equal(st_evdump(r.a, r.doc.header, 0),
                        "header\n  type=EPCISQueryDocument\n  subscriptionID=s1\n"
                        "  queryName=SimpleEventQuery\n");
    assert_string_equal(st_evdump(r.a, r.doc.kept[1]->root, 0),
                        "ObjectEvent\n  action=OBSERVE\n  quantityList [L]\n"
                        "    quantityElement\n      quantity [N]=-0\n");
    assert_int_equal(r.doc.kept[1]->index, 1);
    reading_done(&r);
}

static void test_bare_event(void **state)
{
    (void)state;
    reading r;
    /* with a UTF-8 byte order mark, an event-level context and an unknown event type */
    read_q(&r,
           "\xEF\xBB\xBF{'@context': {'my': 'urn:my:'}, 'type': 'QuantityEvent', "
           "'my:n': 12.50, 'epcList': 7}",
           NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_EVENT);
    assert_int_equal(r.doc.events, 1);
    assert_null(r.doc.header);
    assert_null(r.doc.schema_version);
    assert_int_equal(r.doc.kept[0]->type, ST_EVENT_NONE);
    assert_int_equal(r.doc.kept[0]->index, 0);
    assert_string_equal(st_evdump(r.a, r.doc.ns, 0), "ns\n  my=urn:my:\n");
    assert_string_equal(st_evdump(r.a, r.doc.kept[0]->root, ST_EVDUMP_PREFIX),
                        "QuantityEvent\n  {urn:my:}my:n [N]=12.50\n");
    assert_int_equal(r.diag.n, 1);
    assert_int_equal(r.diag.items[0].event, 0);
    assert_string_equal(r.diag.items[0].path, "/epcList");
    assert_string_equal(r.diag.items[0].msg, "must be an array of strings (found a number)");
    reading_done(&r);

    /* the root of a bare event is read once: one fault, one binding */
    read_q(&r, "{'@context': [{'a': 'urn:a:'}, 5], 'type': 'ObjectEvent', 'a:x': 1}", NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.diag.n, 1);
    assert_string_equal(r.diag.items[0].path, "/@context/1");
    assert_string_equal(st_evdump(r.a, r.doc.ns, 0), "ns\n  a=urn:a:\n");
    reading_done(&r);
}

typedef struct stopper {
    int calls;   /* events seen */
    int stop_at; /* return an error on this call (1-based) */
} stopper;

static st_rc stop_cb(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    stopper *s = ctx;
    (void)doc;
    assert_int_equal(ev->index, s->calls);
    return ++s->calls == s->stop_at ? ST_ERR_IO : ST_OK;
}

static void test_callback_stops(void **state)
{
    (void)state;
    reading r;
    stopper s = {0, 2};
    read_q(&r,
           "{'type': 'EPCISDocument', 'epcisBody': {'eventList': [{'type': 'ObjectEvent'},"
           " {'type': 'ObjectEvent'}, {'type': 'ObjectEvent'}]}}",
           stop_cb, &s);
    assert_int_equal(r.rc, ST_ERR_IO);
    assert_int_equal(s.calls, 2);
    assert_int_equal(r.doc.events, 2);
    assert_int_equal(r.diag.n, 0);
    reading_done(&r);
}

/* Several faults in one document are all reported, and reading goes on. */
static void test_all_errors_reported(void **state)
{
    (void)state;
    reading r;
    read_q(&r,
           "{'type': 'EPCISDocument', 'sender': 1, 'epcisBody': {'eventList': ["
           " {'type': 'ObjectEvent', 'eventTime': 5, 'epcList': ['a', 2]},"
           " 'not an event',"
           " {'type': 'ObjectEvent', 'zz:x': 'y', 'action': 'ADD'}]}}",
           NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.doc.events, 2);
    static const struct {
        long event;
        const char *path, *frag;
    } want[] = {
        {-1, "/sender", "must be a string (found a number)"},
        {0, "/epcisBody/eventList/0/eventTime", "must be a string (found a number)"},
        {0, "/epcisBody/eventList/0/epcList/1", "must be a string (found a number)"},
        {1, "/epcisBody/eventList/1", "must be an event object (found a string)"},
        {2, "/epcisBody/eventList/2/zz:x", "prefix \"zz\" of \"zz:x\" is not declared"},
    };
    if (r.diag.n != COUNT(want))
        show_diag(&r.diag);
    assert_int_equal(r.diag.n, COUNT(want));
    for (size_t i = 0; i < COUNT(want); i++) {
        assert_int_equal(r.diag.items[i].event, want[i].event);
        assert_string_equal(r.diag.items[i].path, want[i].path);
        assert_non_null(strstr(r.diag.items[i].msg, want[i].frag));
    }
    /* the faulty fields are left out, the rest is kept (an undeclared prefix keeps the key) */
    assert_string_equal(st_evdump(r.a, r.doc.kept[0]->root, 0),
                        "ObjectEvent\n  epcList [L]\n    epc=a\n");
    assert_string_equal(st_evdump(r.a, r.doc.kept[1]->root, 0),
                        "ObjectEvent\n  zz:x=y\n  action=ADD\n");
    assert_int_equal(r.doc.kept[1]->index, 2);
    reading_done(&r);
}

/* ---- bad inputs ---------------------------------------------------------------- */

/* A document around one event, with the prefix ex bound. */
#define EV(e)                                                                                      \
    "{'@context': {'ex': 'https://ns.example.com/'}, 'type': 'EPCISDocument', "                    \
    "'epcisBody': {'eventList': [" e "]}}"
#define P "/epcisBody/eventList/0"

typedef struct bad_row {
    const char *name; /* what the row is about */
    const char *doc;  /* single-quoted JSON */
    st_rc rc;         /* st_jsonld_read's return */
    st_rc drc;        /* the code of the first diagnostic */
    const char *path; /* its JSON pointer */
    const char *frag; /* a fragment of its message */
} bad_row;

static const bad_row bad_rows[] = {
    {"trailing comma", "{'type': 'EPCISDocument',}", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "",
     "malformed JSON at line 1, column"},
    {"line and column", "{'type': 'ObjectEvent',\n 'epcList': [\n 'a',, 'b']}", ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, "", "at line 3, column"},
    {"duplicate key", "{'type': 'ObjectEvent', 'type': 'ObjectEvent'}", ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, "", "duplicate object key"},
    {"empty input", "", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "", "malformed JSON"},
    {"two documents", "{} {}", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "", "end of file expected"},
    {"NUL escape", "{'type': 'a\\u0000b'}", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "", "\\u0000"},
    {"huge number", "{'type': 'ObjectEvent', 'ex:n': 1e999}", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "",
     "overflow"},
    {"top-level array", "[{'type': 'ObjectEvent'}]", ST_ERR_SYNTAX, ST_ERR_SYNTAX, "",
     "must be a JSON object (found an array)"},
    {"epcList a string", EV("{'type': 'ObjectEvent', 'epcList': 'urn:x'}"), ST_OK, ST_ERR_SYNTAX,
     P "/epcList", "must be an array of strings (found a string)"},
    {"epc a number", EV("{'type': 'ObjectEvent', 'epcList': ['urn:x', 5]}"), ST_OK, ST_ERR_SYNTAX,
     P "/epcList/1", "must be a string (found a number)"},
    {"eventTime a number", EV("{'type': 'ObjectEvent', 'eventTime': 20240101}"), ST_OK,
     ST_ERR_SYNTAX, P "/eventTime", "must be a string (found a number)"},
    {"action null", EV("{'type': 'ObjectEvent', 'action': null}"), ST_OK, ST_ERR_SYNTAX,
     P "/action", "must be a string (found null)"},
    {"quantity a string", EV("{'type': 'ObjectEvent', 'quantityList': [{'quantity': '5'}]}"), ST_OK,
     ST_ERR_SYNTAX, P "/quantityList/0/quantity", "must be a number (found a string)"},
    {"quantityElement a string", EV("{'type': 'ObjectEvent', 'quantityList': ['5']}"), ST_OK,
     ST_ERR_SYNTAX, P "/quantityList/0", "must be an object (found a string)"},
    {"booleanValue a string",
     EV("{'type': 'ObjectEvent', 'sensorElementList': [{'sensorReport': [{'booleanValue': "
        "'true'}]}]}"),
     ST_OK, ST_ERR_SYNTAX, P "/sensorElementList/0/sensorReport/0/booleanValue",
     "must be true or false (found a string)"},
    {"sensorReport an object",
     EV("{'type': 'ObjectEvent', 'sensorElementList': [{'sensorReport': {'type': 'x'}}]}"), ST_OK,
     ST_ERR_SYNTAX, P "/sensorElementList/0/sensorReport",
     "must be an array of objects (found an object)"},
    {"sensorMetadata an array",
     EV("{'type': 'ObjectEvent', 'sensorElementList': [{'sensorMetadata': []}]}"), ST_OK,
     ST_ERR_SYNTAX, P "/sensorElementList/0/sensorMetadata", "must be an object (found an array)"},
    {"readPoint a string", EV("{'type': 'ObjectEvent', 'readPoint': 'urn:x'}"), ST_OK,
     ST_ERR_SYNTAX, P "/readPoint", "must be an object (found a string)"},
    {"readPoint id a number", EV("{'type': 'ObjectEvent', 'readPoint': {'id': 1}}"), ST_OK,
     ST_ERR_SYNTAX, P "/readPoint/id", "must be a string (found a number)"},
    {"bizTransaction entry a string", EV("{'type': 'ObjectEvent', 'bizTransactionList': ['x']}"),
     ST_OK, ST_ERR_SYNTAX, P "/bizTransactionList/0", "must be an object (found a string)"},
    {"bizTransaction a number",
     EV("{'type': 'ObjectEvent', 'bizTransactionList': [{'bizTransaction': 7}]}"), ST_OK,
     ST_ERR_SYNTAX, P "/bizTransactionList/0/bizTransaction", "must be a string"},
    {"source type a boolean",
     EV("{'type': 'ObjectEvent', 'sourceList': [{'type': true, 'source': 'x'}]}"), ST_OK,
     ST_ERR_SYNTAX, P "/sourceList/0/type", "must be a string (found a boolean)"},
    {"certificationInfo a number", EV("{'type': 'ObjectEvent', 'certificationInfo': 3}"), ST_OK,
     ST_ERR_SYNTAX, P "/certificationInfo", "must be a string or an array of strings"},
    {"set a string", EV("{'type': 'ObjectEvent', 'persistentDisposition': {'set': 'x'}}"), ST_OK,
     ST_ERR_SYNTAX, P "/persistentDisposition/set", "must be an array of strings"},
    {"correctiveEventIDs an object",
     EV("{'type': 'ObjectEvent', 'errorDeclaration': {'correctiveEventIDs': {}}}"), ST_OK,
     ST_ERR_SYNTAX, P "/errorDeclaration/correctiveEventIDs", "must be an array of strings"},
    {"ilmd an array", EV("{'type': 'ObjectEvent', 'ilmd': []}"), ST_OK, ST_ERR_SYNTAX, P "/ilmd",
     "must be an object (found an array)"},
    {"unknown prefix", EV("{'type': 'ObjectEvent', 'zz:colour': 'red'}"), ST_OK, ST_ERR_SYNTAX,
     P "/zz:colour", "prefix \"zz\" of \"zz:colour\" is not declared in the @context"},
    {"unknown prefix, nested", EV("{'type': 'ObjectEvent', 'ilmd': {'ex:a': {'zz:b': 1}}}"), ST_OK,
     ST_ERR_SYNTAX, P "/ilmd/ex:a/zz:b", "prefix \"zz\""},
    {"pointer escapes", EV("{'type': 'ObjectEvent', 'zz:a/b~c': 1}"), ST_OK, ST_ERR_SYNTAX,
     P "/zz:a~1b~0c", "not declared"},
    {"no local name", EV("{'type': 'ObjectEvent', 'ex:': 1}"), ST_OK, ST_ERR_SYNTAX,
     P "/ex:", "has no local name"},
    {"null extension", EV("{'type': 'ObjectEvent', 'ex:x': null}"), ST_OK, ST_ERR_SYNTAX, P "/ex:x",
     "must not be null"},
    {"null in an extension array", EV("{'type': 'ObjectEvent', 'ex:x': ['a', null]}"), ST_OK,
     ST_ERR_SYNTAX, P "/ex:x/1", "must not be null"},
    {"nested array", EV("{'type': 'ObjectEvent', 'ex:m': [[1]]}"), ST_OK, ST_ERR_UNSUPPORTED,
     P "/ex:m/0", "an array inside an array"},
    {"event without type", EV("{'eventTime': '2024-01-01T00:00:00Z'}"), ST_OK, ST_ERR_SYNTAX, P,
     "an event needs a \"type\""},
    {"event type a number", EV("{'type': 1}"), ST_OK, ST_ERR_SYNTAX, P "/type",
     "must be a string (found a number)"},
    {"event a string", EV("'ObjectEvent'"), ST_OK, ST_ERR_SYNTAX, P,
     "must be an event object (found a string)"},
    {"eventList an object", "{'type': 'EPCISDocument', 'epcisBody': {'eventList': {}}}", ST_OK,
     ST_ERR_SYNTAX, "/epcisBody/eventList", "must be an array (found an object)"},
    {"eventList missing", "{'type': 'EPCISDocument', 'epcisBody': {}}", ST_OK, ST_ERR_SYNTAX,
     "/epcisBody", "missing \"eventList\""},
    {"epcisBody missing", "{'type': 'EPCISDocument'}", ST_OK, ST_ERR_SYNTAX, "",
     "missing \"epcisBody\""},
    {"epcisBody an array", "{'type': 'EPCISDocument', 'epcisBody': []}", ST_OK, ST_ERR_SYNTAX,
     "/epcisBody", "must be an object (found an array)"},
    {"resultsBody missing",
     "{'type': 'EPCISQueryDocument', 'epcisBody': {'queryResults': {'queryName': 'q'}}}", ST_OK,
     ST_ERR_SYNTAX, "/epcisBody/queryResults", "missing \"resultsBody\""},
    {"document type unknown", "{'type': 'EPCISDoc', 'epcisBody': {'eventList': []}}", ST_OK,
     ST_ERR_SYNTAX, "/type", "must have type \"EPCISDocument\" or \"EPCISQueryDocument\""},
    {"schemaVersion a number", "{'type': 'EPCISDocument', 'schemaVersion': 2.0}", ST_OK,
     ST_ERR_SYNTAX, "/schemaVersion", "must be a string (found a number)"},
    {"header field a number", "{'type': 'EPCISDocument', 'instanceIdentifier': 42}", ST_OK,
     ST_ERR_SYNTAX, "/instanceIdentifier", "must be a string (found a number)"},
    {"@context a number", "{'@context': 5, 'type': 'ObjectEvent'}", ST_OK, ST_ERR_SYNTAX,
     "/@context", "must be a string, an object or an array of those"},
    {"@context entry a number", "{'@context': ['https://x.example/c', 5], 'type': 'ObjectEvent'}",
     ST_OK, ST_ERR_SYNTAX, "/@context/1", "must be a context IRI or a context object"},
    {"bare event field", "{'type': 'ObjectEvent', 'bizLocation': []}", ST_OK, ST_ERR_SYNTAX,
     "/bizLocation", "must be an object (found an array)"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad_rows); i++) {
        const bad_row *row = &bad_rows[i];
        reading r;
        read_q(&r, row->doc, NULL, NULL);
        if (r.rc != row->rc || r.diag.n == 0 || r.diag.items[0].rc != row->drc ||
            strcmp(r.diag.items[0].path, row->path) || !strstr(r.diag.items[0].msg, row->frag)) {
            print_message("row \"%s\": rc %d, %zu diagnostics\n", row->name, r.rc, r.diag.n);
            show_diag(&r.diag);
            fail_msg("row \"%s\" failed", row->name);
        }
        reading_done(&r);
    }
}

/* ---- caps ---------------------------------------------------------------------- */

/* A heap document made of head, then fill repeated count times, then tail. */
static char *repeat(const char *head, const char *fill, size_t count, const char *tail, size_t *n)
{
    size_t h = strlen(head), f = strlen(fill), t = strlen(tail);
    *n = h + f * count + t;
    char *b = malloc(*n);
    assert_non_null(b);
    memcpy(b, head, h);
    for (size_t i = 0; i < count; i++)
        memcpy(b + h + i * f, fill, f);
    memcpy(b + h + f * count, tail, t);
    for (size_t i = 0; i < *n; i++)
        if (b[i] == '\'')
            b[i] = '"';
    return b;
}

static void expect_first(const reading *r, st_rc rc, long event, const char *path, const char *frag)
{
    if (r->rc != rc || r->diag.n == 0)
        show_diag(&r->diag);
    assert_int_equal(r->rc, rc);
    assert_true(r->diag.n >= 1);
    assert_int_equal(r->diag.items[0].rc, rc);
    assert_int_equal(r->diag.items[0].event, event);
    if (path)
        assert_string_equal(r->diag.items[0].path, path);
    assert_non_null(strstr(r->diag.items[0].msg, frag));
}

/* head, then count times "{'a': ", then inner, the closing braces and tail. */
static char *nested(const char *head, size_t count, const char *inner, const char *tail, size_t *n)
{
    size_t h = strlen(head), i = strlen(inner), t = strlen(tail);
    *n = h + 6 * count + i + count + t;
    char *b = malloc(*n), *p = b;
    assert_non_null(b);
    memcpy(p, head, h);
    p += h;
    for (size_t k = 0; k < count; k++, p += 6)
        memcpy(p, "{\"a\": ", 6);
    memcpy(p, inner, i);
    p += i;
    memset(p, '}', count);
    memcpy(p + count, tail, t);
    return b;
}

static void test_cap_depth(void **state)
{
    (void)state;
    size_t n;
    reading r;
    /* a bare event (level 1) whose ilmd opens 31 objects: 32 levels, the limit */
    char *in = nested("{\"type\": \"ObjectEvent\", \"ilmd\": ", 31, "1", "}", &n);
    read_raw(&r, in, n, NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.diag.n, 0);
    reading_done(&r);
    free(in);

    /* in a document (event at level 4): ilmd and 27 more objects reach 32, the array 33 */
    in = nested("{\"type\": \"EPCISDocument\", \"epcisBody\": {\"eventList\": "
                "[{\"type\": \"ObjectEvent\", \"ilmd\": ",
                28, "[]", "}]}}", &n);
    read_raw(&r, in, n, NULL, NULL);
    expect_first(&r, ST_ERR_LIMIT, 0, NULL, "value nests 33 levels deep; the limit is 32");
    assert_int_equal(strncmp(r.diag.items[0].path, "/epcisBody/eventList/0/ilmd/a/a/a", 33), 0);
    assert_int_equal(r.diag.n, 1);
    assert_int_equal(r.doc.events, 0);
    reading_done(&r);
    free(in);
}

static void test_cap_strings(void **state)
{
    (void)state;
    size_t n;
    reading r;
    char *in = repeat("{'type': 'ObjectEvent', 'eventID': '", "x", ST_EPCIS_MAX_STRING, "'}", &n);
    read_raw(&r, in, n, NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(strlen(st_evnode_child_value(r.doc.kept[0]->root, "eventID")),
                     ST_EPCIS_MAX_STRING);
    reading_done(&r);
    free(in);

    in = repeat("{'type': 'ObjectEvent', 'eventID': '", "x", ST_EPCIS_MAX_STRING + 1, "'}", &n);
    read_raw(&r, in, n, NULL, NULL);
    expect_first(&r, ST_ERR_LIMIT, 0, "/eventID", "string holds 65537 bytes; the limit is 65536");
    assert_int_equal(r.doc.events, 0);
    reading_done(&r);
    free(in);

    in = repeat("{'type': 'ObjectEvent', '", "k", ST_EPCIS_MAX_STRING + 1, "': 1}", &n);
    read_raw(&r, in, n, NULL, NULL);
    expect_first(&r, ST_ERR_LIMIT, 0, NULL, "key holds 65537 bytes; the limit is 65536");
    assert_true(strlen(r.diag.items[0].path) < 1024); /* the pointer is cut, not the report */
    reading_done(&r);
    free(in);
}

static void test_cap_document(void **state)
{
    (void)state;
    reading r;
    /* the size is checked before a byte is read */
    read_raw(&r, "{}", (size_t)ST_EPCIS_MAX_DOC_BYTES + 1, NULL, NULL);
    expect_first(&r, ST_ERR_LIMIT, -1, "",
                 "document holds 536870913 bytes; the limit is 536870912");
    reading_done(&r);

    size_t n;
    char *in = repeat("{'type': 'EPCISDocument', 'epcisBody': {'eventList': [", "0,",
                      ST_EPCIS_MAX_EVENTS, "0]}}", &n);
    read_raw(&r, in, n, NULL, NULL);
    expect_first(&r, ST_ERR_LIMIT, -1, "/epcisBody/eventList",
                 "document holds 1000001 events; the limit is 1000000");
    assert_int_equal(r.doc.events, 0);
    reading_done(&r);
    free(in);
}

static st_rc count_cb(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    (void)doc;
    (void)ev;
    ++*(int *)ctx;
    return ST_OK;
}

/* One event whose tree needs more than ST_EPCIS_MAX_EVENT_BYTES, between two small ones. */
static void test_cap_event_bytes(void **state)
{
    (void)state;
    size_t n;
    char *in = repeat("{'type': 'EPCISDocument', 'epcisBody': {'eventList': [{'type': "
                      "'ObjectEvent'}, {'type': 'ObjectEvent', 'epcList': [",
                      "'urn:epc:id:sgtin:4012345.011111.100000000000000000000000000000',", 40000,
                      "'x']}, {'type': 'ObjectEvent'}]}}", &n);
    for (int mode = 0; mode < 2; mode++) {
        reading r;
        int calls = 0;
        read_raw(&r, in, n, mode ? count_cb : NULL, &calls);
        expect_first(&r, ST_ERR_LIMIT, 1, NULL,
                     "event needs more than 4194304 bytes of memory; the limit is 4194304");
        assert_int_equal(strncmp(r.diag.items[0].path, "/epcisBody/eventList/1/epcList/", 31), 0);
        assert_int_equal(r.doc.events, 1); /* the first event only: a cap stops the reader */
        assert_int_equal(calls, mode ? 1 : 0);
        reading_done(&r);
    }
    free(in);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    st_epcis_doc doc = {.arena = a};
    st_diag diag;
    st_diag_init(&diag, a);
    assert_int_equal(st_jsonld_read(NULL, "{}", 2, NULL, NULL, &diag), ST_ERR_ARG);
    assert_int_equal(st_jsonld_read(&doc, "{}", 2, NULL, NULL, NULL), ST_ERR_ARG);
    assert_int_equal(st_jsonld_read(&doc, NULL, 2, NULL, NULL, &diag), ST_ERR_ARG);
    st_epcis_doc no_arena = {0};
    assert_int_equal(st_jsonld_read(&no_arena, "{}", 2, NULL, NULL, &diag), ST_ERR_ARG);
    assert_int_equal(st_jsonld_read(&doc, NULL, 0, NULL, NULL, &diag), ST_ERR_SYNTAX);
    st_arena_destroy(a);

    /* a document arena too small for the header: a cap, reported */
    a = st_arena_create(256);
    st_arena *da = st_arena_create(0);
    st_epcis_doc small = {.arena = a};
    st_diag_init(&diag, da);
    size_t n;
    char *in = q("{'type': 'EPCISDocument', 'sender': 'urn:epc:id:pgln:4012345.00000', "
                 "'receiver': 'urn:epc:id:pgln:4012345.00000', 'epcisBody': {'eventList': []}}",
                 &n);
    assert_int_equal(st_jsonld_read(&small, in, n, NULL, NULL, &diag), ST_ERR_LIMIT);
    assert_non_null(strstr(diag.items[0].msg, "the document's arena reached its cap"));
    free(in);
    st_arena_destroy(da);
    st_arena_destroy(a);
}

/* ---- the GS1 examples ------------------------------------------------------------ */

/* Examples that are not valid JSON, with what must be said about them. */
static const struct {
    const char *file; /* base name */
    const char *frag; /* fragment of the diagnostic */
} known_bad[] = {
    {"AssociationEvent-h.jsonld", "duplicate object key"}, /* "eventID" twice in one event */
};

/* Events in a document by an independent reading (jansson, duplicates allowed). */
static size_t expected_events(const char *buf, size_t n)
{
    json_error_t e;
    json_t *root = json_loadb(buf, n, JSON_DECODE_INT_AS_REAL, &e);
    assert_non_null(root);
    json_t *body = json_object_get(root, "epcisBody");
    json_t *qr = json_object_get(json_object_get(body, "queryResults"), "resultsBody");
    json_t *list = json_object_get(qr ? qr : body, "eventList");
    size_t count = list ? json_array_size(list) : json_is_object(root) && !body;
    json_decref(root);
    return count;
}

typedef struct walk {
    int files;    /* files read */
    int checked7; /* the hash example with number texts was seen */
} walk;

static void check_example(walk *w, const char *path, const char *base)
{
    size_t n;
    char *buf = slurp(path, &n);
    reading r;
    read_raw(&r, buf, n, NULL, NULL);
    w->files++;
    for (size_t k = 0; k < COUNT(known_bad); k++) {
        if (!strcmp(base, known_bad[k].file)) {
            assert_int_equal(r.rc, ST_ERR_SYNTAX);
            assert_non_null(strstr(r.diag.items[0].msg, known_bad[k].frag));
            reading_done(&r);
            free(buf);
            return;
        }
    }
    if (r.rc != ST_OK || st_diag_count(&r.diag) != 0) {
        show_diag(&r.diag);
        fail_msg("%s: rc %d, %zu diagnostics", path, r.rc, st_diag_count(&r.diag));
    }
    size_t want = expected_events(buf, n);
    assert_true(want > 0);
    if (r.doc.events != want)
        fail_msg("%s: %zu events read, %zu expected", path, r.doc.events, want);

    /* the same trees through the callback */
    text t = {r.a, NULL}, t2 = {r.a, NULL};
    if (r.doc.ns)
        text_add(&t, r.doc.ns);
    if (r.doc.header)
        text_add(&t, r.doc.header);
    for (size_t i = 0; i < r.doc.n_kept; i++)
        text_add(&t, r.doc.kept[i]->root);
    reading r2;
    read_raw(&r2, buf, n, collect, &t2);
    assert_int_equal(r2.rc, ST_OK);
    assert_string_equal(t.s, t2.s);
    reading_done(&r2);

    if (!strcmp(base, "event_with_identical_hash_id_7.json")) {
        /* numbers keep their text; extensions their namespace as declared */
        const st_evnode *ev = r.doc.kept[0]->root;
        const st_evnode *qe =
            st_evnode_child(st_evnode_child(ev, "quantityList"), "quantityElement");
        assert_string_equal(st_evnode_child_value(qe, "quantity"), "200.0");
        assert_int_equal(st_evnode_child(qe, "quantity")->flags, ST_EVN_NUMBER);
        const st_evnode *x = st_evnode_child(ev, "ilmd")->last;
        assert_string_equal(x->ns, "http://example.com/ext1");
        assert_string_equal(x->name, "float");
        assert_string_equal(x->value, "20.0");
        w->checked7 = 1;
    }
    reading_done(&r);
    free(buf);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)rel;
    check_example(ctx, path, name);
}

static const char *const json_exts[] = {".jsonld", ".json", NULL};

static void test_gs1_examples(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    if (!shared) {
        print_message("ST_SHARED_DIR is not set or not a folder: skipping the GS1 examples\n");
        skip();
    }
    walk w = {0, 0};
    char path[1024];
    snprintf(path, sizeof path, "%s/conformance/gs1-epcis/JSON", shared);
    walk_examples(path, "", json_exts, on_example, &w);
    snprintf(path, sizeof path, "%s/conformance/gs1-epcis/XML/WithEventHashID", shared);
    walk_examples(path, "", json_exts, on_example, &w);
    print_message("%d GS1 JSON-LD examples read\n", w.files);
    assert_true(w.files >= 40);
    assert_true(w.checked7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conventions),     cmocka_unit_test(test_dump_format),
        cmocka_unit_test(test_query_document),  cmocka_unit_test(test_bare_event),
        cmocka_unit_test(test_callback_stops),  cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_bad_inputs),      cmocka_unit_test(test_cap_depth),
        cmocka_unit_test(test_cap_strings),     cmocka_unit_test(test_cap_document),
        cmocka_unit_test(test_cap_event_bytes), cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_gs1_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
