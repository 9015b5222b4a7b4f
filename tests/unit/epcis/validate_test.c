/*
 * Tests for lib/epcis/validate.c and lib/epcis/path.c: documents written
 * inline as JSON-LD and XML (2.0, 1.2, query documents, bare events), read
 * with the real readers, every event validated, and the exact set of
 * diagnostics compared with the table (event, path, code, message
 * fragment): one valid and at least one invalid row per rule, a document
 * whose invalid events are all reported, paths of every notation, and every
 * GS1 example (from ST_SHARED_DIR, skipped when it is absent), which must
 * validate without error except for the faults listed in example_faults.
 * The value checks themselves are tested in validate_value_test.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "epcis/jsonld.h"
#include "epcis/validate.h"
#include "epcis/xml.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reading and validating ------------------------------------------------------ */

enum fmt { J, JQ, JE, X2, X12, XQ }; /* document, query document, bare event; XML 2.0/1.2/query */

#define CTX                                                                                        \
    "'@context':['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',"                \
    "{'ex':'https://ex.example.org/'}],"
#define XNS                                                                                        \
    "xmlns:ex='https://ex.example.org/' schemaVersion='2.0' creationDate='2024-05-01T10:00:00Z'"

static const char *const wrappers[] = {
    [J] = "{" CTX
          "'type':'EPCISDocument','schemaVersion':'2.0','creationDate':'2024-05-01T10:00:00Z',"
          "'epcisBody':{'eventList':[%s]}}",
    [JQ] = "{" CTX "'type':'EPCISQueryDocument','schemaVersion':'2.0','creationDate':"
           "'2024-05-01T10:00:00Z','epcisBody':{'queryResults':{'queryName':'SimpleEventQuery',"
           "'resultsBody':{'eventList':[%s]}}}}",
    [JE] = "%s",
    [X2] = "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' " XNS
           "><EPCISBody><EventList>%s</EventList></EPCISBody></epcis:EPCISDocument>",
    [X12] = "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:1' " XNS
            "><EPCISBody><EventList>%s</EventList></EPCISBody></epcis:EPCISDocument>",
    [XQ] = "<epcisq:EPCISQueryDocument xmlns:epcisq='urn:epcglobal:epcis-query:xsd:2' " XNS
           "><EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName><resultsBody>"
           "<EventList>%s</EventList></resultsBody></epcisq:QueryResults></EPCISBody>"
           "</epcisq:EPCISQueryDocument>",
};

/* A document read and validated. */
typedef struct run {
    st_arena *a;      /* owns everything */
    st_epcis_doc doc; /* the document */
    st_diag diag;     /* the validator's faults */
    st_rc rc[8];      /* what st_epcis_validate_event returned, per event */
} run;

/* Read buf[0..n) with the reader for its format (no reader fault allowed)
 * and validate every event into r->diag. */
static void validate_buf(run *r, const char *buf, size_t n, int xml)
{
    memset(r, 0, sizeof *r);
    r->a = st_arena_create(0);
    assert_non_null(r->a);
    r->doc.arena = r->a;
    r->doc.name = "test";
    st_diag rd;
    st_diag_init(&rd, r->a);
    st_rc rc = xml ? st_xml_read(&r->doc, buf, n, NULL, NULL, &rd)
                   : st_jsonld_read(&r->doc, buf, n, NULL, NULL, &rd);
    if (rc != ST_OK || rd.n) {
        show_diag(&rd);
        fail_msg("the reader failed (rc %d) on:\n%.*s", rc, (int)n, buf);
    }
    st_diag_init(&r->diag, r->a);
    for (size_t i = 0; i < r->doc.n_kept; i++) {
        st_rc v = st_epcis_validate_event(&r->doc, r->doc.kept[i], &r->diag);
        if (i < COUNT(r->rc))
            r->rc[i] = v;
    }
}

/* Wrap events as fmt says ("'" becomes '"' in JSON) and validate. */
static void validate_doc(run *r, enum fmt f, const char *events)
{
    size_t cap = strlen(wrappers[f]) + strlen(events) + 1;
    char *buf = malloc(cap);
    assert_non_null(buf);
    int n = snprintf(buf, cap, wrappers[f], events);
    assert_true(n > 0 && (size_t)n < cap);
    if (f <= JE)
        for (char *p = buf; *p; p++)
            if (*p == '\'')
                *p = '"';
    char *exact = malloc((size_t)n); /* exactly n bytes, so ASan sees any overread */
    assert_non_null(exact);
    memcpy(exact, buf, (size_t)n);
    free(buf);
    validate_buf(r, exact, (size_t)n, f >= X2);
    free(exact);
}

static void done(run *r)
{
    st_arena_destroy(r->a);
}

/* One expected fault. */
typedef struct want {
    long ev;          /* event index */
    const char *path; /* exact path; NULL ends a list */
    st_rc rc;         /* exact code */
    const char *frag; /* fragment of the message */
} want;

/* Every fault in w (ended by a NULL path) is in r->diag, and nothing else;
 * each event returned the code of its first fault (ST_OK without one). */
static void expect(const run *r, const want *w, const char *name)
{
    int used[64] = {0};
    size_t nw = 0;
    for (; w[nw].path; nw++) {
        size_t i;
        for (i = 0; i < r->diag.n && i < 64; i++) {
            const st_diag_item *d = &r->diag.items[i];
            if (!used[i] && d->event == w[nw].ev && !strcmp(d->path, w[nw].path) &&
                d->rc == w[nw].rc && strstr(d->msg, w[nw].frag))
                break;
        }
        if (i == r->diag.n || i == 64) {
            show_diag(&r->diag);
            fail_msg("%s: no fault (event %ld, %s, rc %d, \"%s\")", name, w[nw].ev, w[nw].path,
                     w[nw].rc, w[nw].frag);
        }
        used[i] = 1;
    }
    if (st_diag_count(&r->diag) != nw) {
        show_diag(&r->diag);
        fail_msg("%s: %zu faults, %zu expected", name, st_diag_count(&r->diag), nw);
    }
    for (size_t e = 0; e < r->doc.n_kept && e < COUNT(r->rc); e++) {
        st_rc first = ST_OK;
        for (size_t i = 0; i < r->diag.n && first == ST_OK; i++)
            if (r->diag.items[i].event == (long)e)
                first = r->diag.items[i].rc;
        if (r->rc[e] != first)
            fail_msg("%s: event %zu returned %d, its first fault has %d", name, e, r->rc[e], first);
    }
}

/* ---- building blocks of the rows --------------------------------------------------- */

#define EPC1 "urn:epc:id:sgtin:0614141.107346.2017"
#define EPC2 "urn:epc:id:sgtin:0614141.107346.2018"
#define LOT "urn:epc:class:lgtin:4012345.012345.998877"
#define T "'eventTime':'2024-05-01T10:00:00.000+02:00','eventTimeZoneOffset':'+02:00'"
#define OBJ(extra) "{'type':'ObjectEvent'," T ",'action':'OBSERVE','epcList':['" EPC1 "']" extra "}"
#define OBJ_ADD(extra) "{'type':'ObjectEvent'," T ",'action':'ADD','epcList':['" EPC1 "']" extra "}"
#define EV(type, body) "{'type':'" type "'," T body "}"
#define J0 "/epcisBody/eventList/0"
#define QTY(c, more) "'quantityList':[{'epcClass':'" c "'" more "}]"
#define SENSOR(report) "'sensorElementList':[{'sensorReport':[" report "]}]"

#define XT                                                                                         \
    "<eventTime>2024-05-01T10:00:00.000+02:00</eventTime><eventTimeZoneOffset>+02:00</"            \
    "eventTimeZoneOffset>"
#define XOBJ(extra)                                                                                \
    "<ObjectEvent>" XT "<epcList><epc>" EPC1 "</epc></epcList><action>OBSERVE</action>" extra      \
    "</ObjectEvent>"
#define X0 "/EPCISDocument/EPCISBody/EventList/ObjectEvent[1]"
#define XSENSOR(report)                                                                            \
    "<sensorElementList><sensorElement>" report "</sensorElement></sensorElementList>"

typedef struct row {
    const char *name;   /* what the row shows */
    enum fmt f;         /* how the events are wrapped */
    const char *events; /* the events */
    want w[7];          /* the faults, ended by a NULL path */
} row;

/* The rows are laid out by hand: one fault per line. */
// clang-format off

/* The structure of events: fields per type, required ones, rules between fields. */
static const row structure_rows[] = {
    {"valid ObjectEvent", J, OBJ(",'bizStep':'shipping','disposition':'in_transit'"), {{0}}},
    {"every event type, valid", J,
     EV("AggregationEvent", ",'action':'ADD','parentID':'urn:epc:id:sscc:0614141.1234567890',"
                            "'childEPCs':['" EPC1 "']") ","
     EV("TransactionEvent", ",'action':'ADD','epcList':['" EPC1 "'],'bizTransactionList':[{"
                            "'type':'po','bizTransaction':'http://tx.example.com/po/1'}]") ","
     EV("TransformationEvent", ",'inputEPCList':['" EPC1 "'],'outputEPCList':['" EPC2 "']") ","
     EV("AssociationEvent", ",'action':'ADD','parentID':'urn:epc:id:grai:4012345.55555.987',"
                            "'childEPCs':['urn:epc:id:giai:4000001.12345']"),
     {{0}}},
    {"bizStep misspelt", J, OBJ(",'bizStep':'shiping'"),
     {{0, J0 "/bizStep", ST_ERR_NOT_FOUND, "unknown bizStep \"shiping\" (did you mean \"shipping\"?)"}}},
    {"unknown field", J, OBJ(",'bizstep':'shipping'"),
     {{0, J0 "/bizstep", ST_ERR_SYNTAX, "unknown field \"bizstep\" (did you mean \"bizStep\"?)"}}},
    {"unknown field, nothing near", J, OBJ(",'colour':'red'"),
     {{0, J0 "/colour", ST_ERR_SYNTAX, "unknown field \"colour\" in event; expected a standard"}}},
    {"extension fields are free", J, OBJ(",'ex:colour':'red','ex:deep':{'ex:a':1}"), {{0}}},
    {"missing eventTime and eventTimeZoneOffset", J,
     "{'type':'ObjectEvent','action':'OBSERVE','epcList':[]}",
     {{0, J0, ST_ERR_RULE, "missing \"eventTime\"; every ObjectEvent needs one"},
      {0, J0, ST_ERR_RULE, "missing \"eventTimeZoneOffset\""}}},
    {"missing action", J, EV("ObjectEvent", ",'epcList':['" EPC1 "']"),
     {{0, J0, ST_ERR_RULE, "missing \"action\"; every ObjectEvent needs one"}}},
    {"action misspelt", J, EV("ObjectEvent", ",'action':'add','epcList':[]"),
     {{0, J0 "/action", ST_ERR_SYNTAX,
       "\"add\" is not an action; expected ADD, OBSERVE or DELETE (did you mean \"ADD\"?)"}}},
    {"action in a TransformationEvent", J,
     EV("TransformationEvent", ",'action':'ADD','inputEPCList':['" EPC1 "'],'outputEPCList':['" EPC2 "']"),
     {{0, J0 "/action", ST_ERR_RULE, "field \"action\" is not allowed in a TransformationEvent"}}},
    {"field of another event type", J, OBJ(",'childEPCs':['" EPC2 "']"),
     {{0, J0 "/childEPCs", ST_ERR_RULE, "field \"childEPCs\" is not allowed in an ObjectEvent"}}},
    {"AggregationEvent ADD without parentID", J,
     EV("AggregationEvent", ",'action':'ADD','childEPCs':['" EPC1 "']"),
     {{0, J0, ST_ERR_RULE, "missing \"parentID\"; an AggregationEvent with action ADD"}}},
    {"AggregationEvent DELETE without parentID", J, EV("AggregationEvent", ",'action':'DELETE'"),
     {{0, J0, ST_ERR_RULE, "missing \"parentID\"; an AggregationEvent with action DELETE"}}},
    {"AggregationEvent OBSERVE needs no parentID", J,
     EV("AggregationEvent", ",'action':'OBSERVE','childEPCs':['" EPC1 "']"), {{0}}},
    {"AggregationEvent ADD without children", J,
     EV("AggregationEvent", ",'action':'ADD','parentID':'urn:epc:id:sscc:0614141.1234567890'"),
     {{0, J0, ST_ERR_RULE, "needs children: a non-empty childEPCs or childQuantityList"}}},
    {"AssociationEvent without parentID", J, EV("AssociationEvent", ",'action':'DELETE'"),
     {{0, J0, ST_ERR_RULE, "missing \"parentID\"; every AssociationEvent needs one"}}},
    {"TransactionEvent without bizTransactionList", J,
     EV("TransactionEvent", ",'action':'ADD','epcList':['" EPC1 "']"),
     {{0, J0, ST_ERR_RULE, "missing \"bizTransactionList\"; every TransactionEvent needs one"}}},
    {"TransactionEvent without objects", J,
     EV("TransactionEvent", ",'action':'ADD','bizTransactionList':[{'bizTransaction':"
                            "'http://tx.example.com/po/1'}]"),
     {{0, J0, ST_ERR_RULE, "a TransactionEvent with action ADD needs an epcList"}}},
    {"ObjectEvent about nothing", J, EV("ObjectEvent", ",'action':'OBSERVE'"),
     {{0, J0, ST_ERR_RULE, "an ObjectEvent needs an epcList, a non-empty quantityList"}}},
    {"ObjectEvent with an empty epcList (allowed)", J,
     EV("ObjectEvent", ",'action':'ADD','epcList':[]"), {{0}}},
    {"ObjectEvent with sensor data and a readPoint", J,
     EV("ObjectEvent", ",'action':'OBSERVE','readPoint':{'id':'urn:epc:id:sgln:0614141.07346.1234'},"
        SENSOR("{'type':'Temperature','value':20.5,'uom':'CEL'}")),
     {{0}}},
    {"ilmd with OBSERVE", J, OBJ(",'ilmd':{'ex:lot':'L1'}"),
     {{0, J0 "/ilmd", ST_ERR_RULE, "ilmd is only allowed with action ADD (found OBSERVE)"}}},
    {"ilmd field without namespace", J, OBJ_ADD(",'ilmd':{'lotNumber':'L1'}"),
     {{0, J0 "/ilmd/lotNumber", ST_ERR_SYNTAX, "unknown field \"lotNumber\" in ilmd"}}},
    {"TransformationEvent without outputs", J,
     EV("TransformationEvent", ",'inputEPCList':['" EPC1 "']"),
     {{0, J0, ST_ERR_RULE, "without transformationID needs inputs"}}},
    {"TransformationEvent with transformationID and outputs only", J,
     EV("TransformationEvent", ",'transformationID':'urn:example:tf:1','outputEPCList':['" EPC2 "']"),
     {{0}}},
    {"TransformationEvent with transformationID and nothing", J,
     EV("TransformationEvent", ",'transformationID':'urn:example:tf:1','inputEPCList':[]"),
     {{0, J0, ST_ERR_RULE, "needs at least one input or output"}}},
    {"unknown event type", J, "{'type':'ObjectEvnt'," T "}",
     {{0, J0, ST_ERR_SYNTAX, "unknown event type \"ObjectEvnt\" (did you mean \"ObjectEvent\"?)"}}},
    {"extension event type: common fields only", J,
     "{'type':'https://ex.example.org/MyEvent','eventTimeZoneOffset':'+01:00','foo':1}",
     {{0, J0, ST_ERR_RULE, "missing \"eventTime\""}}},
    {"persistentDisposition without set or unset", J, OBJ(",'persistentDisposition':{}"),
     {{0, J0 "/persistentDisposition", ST_ERR_RULE,
       "expected at least one of \"set\" and \"unset\""}}},
    {"persistentDisposition unset misspelt", J,
     OBJ(",'persistentDisposition':{'set':['completeness_verified'],'unset':['in_transt']}"),
     {{0, J0 "/persistentDisposition/unset/0", ST_ERR_NOT_FOUND, "(did you mean \"in_transit\"?)"}}},
    {"errorDeclaration", J,
     OBJ(",'errorDeclaration':{'reason':'did_not_ocur','correctiveEventIDs':['urn:uuid:x','tx-2']}"),
     {{0, J0 "/errorDeclaration", ST_ERR_RULE, "missing \"declarationTime\"; every errorDeclaration"},
      {0, J0 "/errorDeclaration/reason", ST_ERR_NOT_FOUND, "(did you mean \"did_not_occur\"?)"},
      {0, J0 "/errorDeclaration/correctiveEventIDs/0", ST_ERR_SYNTAX, "is not a UUID URN"},
      {0, J0 "/errorDeclaration/correctiveEventIDs/1", ST_ERR_SYNTAX, "is not an absolute URI"}}},
    {"declarationTime not a date-time", J,
     OBJ(",'errorDeclaration':{'declarationTime':'2024-05-01','reason':'incorrect_data','ex:by':'x'}"),
     {{0, J0 "/errorDeclaration/declarationTime", ST_ERR_SYNTAX, "\"2024-05-01\" is not a date-time"}}},
    {"readPoint without id; sensorElement without sensorReport", J,
     OBJ(",'readPoint':{'ex:dock':'4'},'sensorElementList':[{'sensorMetadata':{'time':"
         "'2024-05-01T10:00:00Z'}}]"),
     {{0, J0 "/readPoint", ST_ERR_RULE, "missing \"id\"; every readPoint needs one"},
      {0, J0 "/sensorElementList/0", ST_ERR_RULE, "missing \"sensorReport\""}}},
    {"bizTransaction entry without its value", J, OBJ(",'bizTransactionList':[{'type':'po'}]"),
     {{0, J0 "/bizTransactionList/0/bizTransaction", ST_ERR_RULE, "missing \"bizTransaction\""}}},
    {"sourceList entry without type", J,
     OBJ(",'sourceList':[{'source':'urn:epc:id:pgln:0614141.00000'}]"),
     {{0, J0 "/sourceList/0", ST_ERR_RULE, "missing \"type\"; every source needs one"}}},
    {"unknown member of a quantityElement", J,
     EV("ObjectEvent", ",'action':'ADD'," QTY(LOT, ",'qty':5")),
     {{0, J0 "/quantityList/0/qty", ST_ERR_SYNTAX, "unknown field \"qty\" in quantityElement"}}},
    {"quantityElement without epcClass", J,
     EV("ObjectEvent", ",'action':'ADD','quantityList':[{'quantity':5}]"),
     {{0, J0 "/quantityList/0", ST_ERR_RULE, "missing \"epcClass\""}}},
    {"extension in a quantityElement", J,
     EV("ObjectEvent", ",'action':'ADD'," QTY(LOT, ",'ex:x':5")),
     {{0, J0 "/quantityList/0/ex:x", ST_ERR_SYNTAX,
       "extension \"ex:x\" is not allowed in quantityElement"}}},
};

/* Values: times, vocabularies, identifiers, numbers, sensor data. */
static const row value_rows[] = {
    {"eventTime without time zone", J,
     "{'type':'ObjectEvent','eventTime':'2024-05-01T10:00:00','eventTimeZoneOffset':'+02:00',"
     "'action':'ADD','epcList':[]}",
     {{0, J0 "/eventTime", ST_ERR_SYNTAX, "\"2024-05-01T10:00:00\" has no time zone"}}},
    {"eventTime on 29 February of a common year", J,
     "{'type':'ObjectEvent','eventTime':'2023-02-29T10:00:00Z','eventTimeZoneOffset':'+00:00',"
     "'action':'ADD','epcList':[]}",
     {{0, J0 "/eventTime", ST_ERR_DATE, "February 2023 has 28 days"}}},
    {"leap day and nine fractional digits", J,
     "{'type':'ObjectEvent','eventTime':'2024-02-29T23:59:59.123456789-05:00',"
     "'eventTimeZoneOffset':'-05:00','action':'ADD','epcList':[]}",
     {{0}}},
    {"offsets", J,
     "{'type':'ObjectEvent','eventTime':'2024-05-01T10:00:00+14:00','recordTime':"
     "'2024-05-01T10:00:00+14:30','eventTimeZoneOffset':'+15:00','action':'ADD','epcList':[]}",
     {{0, J0 "/recordTime", ST_ERR_RANGE, "is out of range"},
      {0, J0 "/eventTimeZoneOffset", ST_ERR_RANGE, "\"+15:00\" is out of range"}}},
    {"offset without colon", J,
     "{'type':'ObjectEvent','eventTime':'2024-05-01T10:00:00Z','eventTimeZoneOffset':'+0200',"
     "'action':'ADD','epcList':[]}",
     {{0, J0 "/eventTimeZoneOffset", ST_ERR_SYNTAX, "is not a time-zone offset"}}},
    {"non-CBV values are URIs", J,
     OBJ(",'bizStep':'https://ex.example.org/steps/x','disposition':'my_disposition'"),
     {{0, J0 "/disposition", ST_ERR_NOT_FOUND, "unknown disposition \"my_disposition\""}}},
    {"white space around a JSON value", J, OBJ(",'bizStep':'shipping ','disposition':' active'"),
     {{0, J0 "/bizStep", ST_ERR_SYNTAX, "\"shipping \" has white space at its end"},
      {0, J0 "/disposition", ST_ERR_SYNTAX, "has white space at its start"}}},
    {"a CBV value of the wrong vocabulary", J, OBJ(",'bizStep':'urn:epcglobal:cbv:disp:active'"),
     {{0, J0 "/bizStep", ST_ERR_NOT_FOUND, "is a disposition, not a bizStep"}}},
    {"bizTransaction type and value", J,
     OBJ(",'bizTransactionList':[{'type':'purchase_order','bizTransaction':'PO-1'},"
         "{'type':'urn:epcglobal:cbv:btt:po','bizTransaction':'urn:epc:id:gdti:0614141.00001.1234'}]"),
     {{0, J0 "/bizTransactionList/0/type", ST_ERR_NOT_FOUND, "unknown bizTransaction type"},
      {0, J0 "/bizTransactionList/0/bizTransaction", ST_ERR_SYNTAX, "\"PO-1\" is not an absolute URI"}}},
    {"source and destination", J,
     OBJ(",'sourceList':[{'type':'owning_party','source':'urn:epc:id:pgln:0614141.00000'}],"
         "'destinationList':[{'type':'owner','destination':'urn:epc:id:pgln:0614141'}]"),
     {{0, J0 "/destinationList/0/type", ST_ERR_NOT_FOUND, "unknown source/destination type \"owner\""},
      {0, J0 "/destinationList/0/destination", ST_ERR_SYNTAX, "is not a valid EPC URI: pgln"}}},
    {"epcs: GS1, private and bad", J,
     EV("ObjectEvent", ",'action':'OBSERVE','epcList':['" EPC1 "',"
        "'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427','https://ex.example.org/things/42',"
        "'https://id.gs1.org/01/09520123456789/21/1','urn:epc:id:sgtin:061414.107346.2017',"
        "'urn:epc:idpat:sgtin:0614141.107346.*','https://id.gs1.org/01/09520123456788',"
        "'urn:epc:id:gid:95100000.12345.400']"),
     {{0, J0 "/epcList/3", ST_ERR_CHECK_DIGIT, "is not a valid GS1 Digital Link: AI 01: check digit"},
      {0, J0 "/epcList/4", ST_ERR_LENGTH, "is not a valid EPC URI: sgtin: company prefix"},
      {0, J0 "/epcList/5", ST_ERR_RULE, "is a pattern (urn:epc:idpat:), not one object"},
      {0, J0 "/epcList/6", ST_ERR_RULE, "identifies a class of objects (GTIN without serial)"}}},
    {"parentID and readPoint", J,
     EV("AggregationEvent", ",'action':'ADD','parentID':'urn:epc:id:sscc:0614141.123456789',"
        "'childEPCs':['" EPC1 "'],'readPoint':{'id':'urn:epc:id:sgln:0614141.07346'},"
        "'bizLocation':{'id':'https://ex.example.org/locations/7'}"),
     {{0, J0 "/parentID", ST_ERR_LENGTH, "parentID \"urn:epc:id:sscc:0614141.123456789\" is not a"},
      {0, J0 "/readPoint/id", ST_ERR_SYNTAX, "id \"urn:epc:id:sgln:0614141.07346\" is not a valid"}}},
    {"epcClass: classes, patterns, URIs; not instances", J,
     EV("ObjectEvent", ",'action':'OBSERVE','quantityList':[{'epcClass':'" LOT "','quantity':2},"
        "{'epcClass':'urn:epc:idpat:sgtin:4012345.012345.*','quantity':-1.5,'uom':'KGM'},"
        "{'epcClass':'https://id.gs1.org/01/09520123456788/10/L1'},{'epcClass':'urn:ex:cls:1'},"
        "{'epcClass':'" EPC1 "'},{'epcClass':'https://id.gs1.org/01/09520123456788/21/7'}]"),
     {{0, J0 "/quantityList/4/epcClass", ST_ERR_RULE, "identifies one object; epcClass expects"},
      {0, J0 "/quantityList/5/epcClass", ST_ERR_RULE, "identifies one object (it has a serial)"}}},
    {"uom", J,
     EV("ObjectEvent", ",'action':'OBSERVE','quantityList':[{'epcClass':'" LOT "','quantity':1E300},"
        "{'epcClass':'" LOT "','quantity':0,'uom':'kg'},{'epcClass':'" LOT "','uom':'KGMS'}]"),
     {{0, J0 "/quantityList/1/uom", ST_ERR_SYNTAX, "\"kg\" is not a UN/CEFACT Rec 20 unit code"},
      {0, J0 "/quantityList/2/uom", ST_ERR_SYNTAX, "\"KGMS\" is not a UN/CEFACT"}}},
    {"sensor reports", J,
     OBJ("," SENSOR("{'type':'Temperature','value':-3,'uom':'CEL','time':'2024-05-01T10:00:00Z'},"
                    "{'type':'Temprature','component':'lattitude','exception':'ALARM'},"
                    "{'type':'gs1:Speed','hexBinaryValue':'0FA','uriValue':'not a uri',"
                    "'booleanValue':true,'time':'2024-13-01T00:00:00Z'}")),
     {{0, J0 "/sensorElementList/0/sensorReport/1/type", ST_ERR_NOT_FOUND, "(did you mean \"Temperature\"?)"},
      {0, J0 "/sensorElementList/0/sensorReport/1/component", ST_ERR_NOT_FOUND, "(did you mean \"latitude\"?)"},
      {0, J0 "/sensorElementList/0/sensorReport/1/exception", ST_ERR_NOT_FOUND, "unknown sensor alert type \"ALARM\""},
      {0, J0 "/sensorElementList/0/sensorReport/2/hexBinaryValue", ST_ERR_SYNTAX, "odd number of hex digits"},
      {0, J0 "/sensorElementList/0/sensorReport/2/uriValue", ST_ERR_SYNTAX, "is not an absolute URI"},
      {0, J0 "/sensorElementList/0/sensorReport/2/time", ST_ERR_DATE, "there is no month 13"}}},
    {"sensor report time and metadata", J,
     OBJ(",'sensorElementList':[{'sensorMetadata':{'startTime':'2024-04-31T00:00:00Z',"
         "'deviceID':'urn:ex:dev:1','ex:cal':'x'},'sensorReport':[{'type':'Mass','time':"
         "'2024-05-01T24:00:00Z','ex:note':'n'}]}]"),
     {{0, J0 "/sensorElementList/0/sensorMetadata/startTime", ST_ERR_DATE, "April 2024 has 30 days"},
      {0, J0 "/sensorElementList/0/sensorReport/0/time", ST_ERR_DATE, "is not a time of day"}}},
    {"eventID and certificationInfo", J,
     "{'type':'ObjectEvent'," T ",'action':'ADD','epcList':[],'eventID':'urn:uuid:123',"
     "'certificationInfo':['https://cert.example.org/1','urn:ex:c 2']}",
     {{0, J0 "/eventID", ST_ERR_SYNTAX, "\"urn:uuid:123\" is not a UUID URN"},
      {0, J0 "/certificationInfo/1", ST_ERR_SYNTAX, "\"urn:ex:c 2\" has a space at offset 8"}}},
    {"hash eventID", J,
     "{'type':'ObjectEvent'," T ",'action':'ADD','epcList':[],'eventID':'ni:///sha-256;"
     "ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0'}",
     {{0}}},
    {"query document paths", JQ, OBJ(",'bizStep':'shiping'"),
     {{0, "/epcisBody/queryResults/resultsBody/eventList/0/bizStep", ST_ERR_NOT_FOUND, "shiping"}}},
    {"bare event paths", JE,
     "{" CTX "'type':'ObjectEvent'," T ",'action':'OBSERVE','epcList':['" EPC1 "','x'],"
     "'bizStep':'shiping'}",
     {{0, "/epcList/1", ST_ERR_SYNTAX, "epc \"x\" is not an absolute URI"},
      {0, "/bizStep", ST_ERR_NOT_FOUND, "shiping"}}},
    {"absolute IRI keys are extensions", J, OBJ(",'https://ex.example.org/a/b':2"), {{0}}},
};

/* XML: vocabulary values must be URIs; paths by element name; 1.2. */
static const row xml_rows[] = {
    {"valid XML event", X2,
     XOBJ("<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
          "<disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>"
          XSENSOR("<sensorReport type='gs1:Temperature' value=' 20.5 ' uom='CEL' booleanValue='1'/>")),
     {{0}}},
    {"bare word in XML", X2, XOBJ("<bizStep>shipping</bizStep>"),
     {{0, X0 "/bizStep", ST_ERR_SYNTAX,
       "bizStep must be a URI in XML; use urn:epcglobal:cbv:bizstep:shipping or "
       "https://ref.gs1.org/cbv/BizStep-shipping"}}},
    {"bare sensor words in XML", X2, XOBJ(XSENSOR("<sensorReport type='Temperature' component='x'/>")),
     {{0, X0 "/sensorElementList/sensorElement/sensorReport/@type", ST_ERR_SYNTAX,
       "measurement type must be a URI in XML; use gs1:Temperature or https://gs1.org/voc/Temperature"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport/@component", ST_ERR_SYNTAX,
       "use cbv:Comp-x or https://ref.gs1.org/cbv/Comp-x"}}},
    {"misspelt bare word in XML", X2, XOBJ("<disposition>in_transt</disposition>"),
     {{0, X0 "/disposition", ST_ERR_NOT_FOUND,
       "(did you mean \"in_transit\"?); in XML it must also be a URI"}}},
    {"indexes of repeated elements", X2,
     "<ObjectEvent>" XT "<epcList><epc>" EPC1 "</epc><epc>urn:epc:id:sgtin:0614141.107346</epc>"
     "</epcList><action>OBSERVE</action><bizTransactionList><bizTransaction type='po'>"
     "http://tx.example.com/po/1</bizTransaction></bizTransactionList>"
     XSENSOR("<sensorReport type='gs1:Mass' value='1'/>"
             "<sensorReport type='gs1:Mass' value='abc' valeu='2'/>") "</ObjectEvent>",
     {{0, X0 "/epcList/epc[2]", ST_ERR_SYNTAX, "is not a valid EPC URI"},
      {0, X0 "/bizTransactionList/bizTransaction/@type", ST_ERR_SYNTAX,
       "bizTransaction type must be a URI in XML"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport[2]/@value", ST_ERR_SYNTAX,
       "\"abc\" is not a number"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport[2]/@valeu", ST_ERR_SYNTAX,
       "unknown attribute \"valeu\" (did you mean \"value\"?)"}}},
    {"XML numbers and booleans", X2,
     "<ObjectEvent>" XT "<action>ADD</action><quantityList><quantityElement><epcClass>" LOT
     "</epcClass><quantity>1E3</quantity></quantityElement><quantityElement><epcClass>" LOT
     "</epcClass><quantity>12.50</quantity><uom>KGM</uom></quantityElement></quantityList>"
     XSENSOR("<sensorReport type='gs1:Mass' value='INF' booleanValue='yes' minValue='-1.5E-3' "
             "maxValue='1E999'/>") "</ObjectEvent>",
     {{0, X0 "/quantityList/quantityElement[1]/quantity", ST_ERR_SYNTAX, "is not a decimal number"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport/@value", ST_ERR_SYNTAX,
       "\"INF\" is not a number"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport/@booleanValue", ST_ERR_SYNTAX,
       "expected true or false"},
      {0, X0 "/sensorElementList/sensorElement/sensorReport/@maxValue", ST_ERR_RANGE,
       "\"1E999\" is too large to be a finite number"}}},
    {"repeated and misplaced elements", X2,
     XOBJ("<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
          "<bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>"
          "<readPoint>urn:epc:id:sgln:0614141.07346.1234</readPoint>"
          "<sourceList><source>urn:epc:id:pgln:0614141.00000</source></sourceList>"
          "<destinationList><ex:dest>x</ex:dest></destinationList>"),
     {{0, X0 "/bizStep[2]", ST_ERR_RULE, "\"bizStep\" occurs more than once; at most once"},
      {0, X0 "/readPoint", ST_ERR_SYNTAX, "readPoint holds text; expected only its fields"},
      {0, X0 "/readPoint", ST_ERR_RULE, "missing \"id\""},
      {0, X0 "/sourceList/source", ST_ERR_RULE, "missing \"type\""},
      {0, X0 "/destinationList/ex:dest", ST_ERR_SYNTAX,
       "extension \"ex:dest\" is not allowed in destinationList"},
      {0, X0 "/destinationList", ST_ERR_RULE,
       "destinationList is empty; expected at least one destination"}}},
    {"XML query document", XQ, XOBJ("<bizStep>urn:epcglobal:cbv:bizstep:shiping</bizStep>"),
     {{0, "/EPCISQueryDocument/EPCISBody/QueryResults/resultsBody/EventList/ObjectEvent[1]/bizStep",
       ST_ERR_NOT_FOUND, "(did you mean \"urn:epcglobal:cbv:bizstep:shipping\"?)"}}},
    {"EPCIS 1.2: extension wrappers, ##local fields, misspellings", X12,
     XOBJ("<extension><extension><myField>x</myField></extension></extension>")
     "<extension><TransformationEvent>" XT "<inputEPCList><epc>" EPC1 "</epc></inputEPCList>"
     "<outputEPCList><epc>" EPC2 "</epc></outputEPCList>"
     "<bizstep>urn:epcglobal:cbv:bizstep:shipping</bizstep></TransformationEvent></extension>",
     {{1, "/EPCISDocument/EPCISBody/EventList/TransformationEvent[2]/bizstep", ST_ERR_SYNTAX,
       "unknown field \"bizstep\" (did you mean \"bizStep\"?)"}}},
    {"XML 2.0 has no ##local event fields", X2, XOBJ("<myField>x</myField>"),
     {{0, X0 "/myField", ST_ERR_SYNTAX, "unknown field \"myField\" in event"}}},
};

/* Several events, some invalid (test_all_events_reported). */
static const char several_json[] =
    "{'type':'ObjectEvent','eventTime':'2024-05-01T10:00:00Z','action':'OBSERVE',"
    "'epcList':['" EPC1 "'],'bizStep':'shiping'},"
    OBJ("") ","
    EV("AggregationEvent", ",'action':'ADD','childEPCs':['urn:epc:id:sgtin:1']") ","
    EV("TransformationEvent", ",'inputEPCList':['" EPC1 "'],'outputEPCList':['" EPC2 "'],"
                              "'disposition':'destroyed'");
static const char several_xml[] =
    XOBJ("")
    "<AggregationEvent>" XT "<childEPCs><epc>" EPC1 "</epc></childEPCs><action>DELETE</action>"
    "</AggregationEvent>"
    XOBJ("<bizStep>shipping</bizStep>");

// clang-format on

static void run_rows(const row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        run r;
        validate_doc(&r, rows[i].f, rows[i].events);
        expect(&r, rows[i].w, rows[i].name);
        done(&r);
    }
}

static void test_structure(void **state)
{
    (void)state;
    run_rows(structure_rows, COUNT(structure_rows));
}

static void test_values(void **state)
{
    (void)state;
    run_rows(value_rows, COUNT(value_rows));
}

static void test_xml(void **state)
{
    (void)state;
    run_rows(xml_rows, COUNT(xml_rows));
}

/* ---- a document with several invalid events ---------------------------------------- */

static void test_all_events_reported(void **state)
{
    (void)state;
    run r;
    validate_doc(&r, J, several_json);
    static const want w[] = {
        {0, J0, ST_ERR_RULE, "missing \"eventTimeZoneOffset\""},
        {0, J0 "/bizStep", ST_ERR_NOT_FOUND, "did you mean \"shipping\""},
        {2, "/epcisBody/eventList/2/childEPCs/0", ST_ERR_SYNTAX, "is not a valid EPC URI"},
        {2, "/epcisBody/eventList/2", ST_ERR_RULE, "missing \"parentID\""},
        {0, NULL, 0, NULL},
    };
    expect(&r, w, "JSON-LD document");
    /* each event returns its first fault in document order: bizStep, then what is missing */
    assert_int_equal(r.rc[0], ST_ERR_NOT_FOUND);
    assert_int_equal(r.rc[1], ST_OK);
    assert_int_equal(r.rc[2], ST_ERR_SYNTAX);
    assert_int_equal(r.rc[3], ST_OK);
    done(&r);

    /* XML: the event's step is its position in the event list, whatever its type */
    validate_doc(&r, X2, several_xml);
    static const want wx[] = {
        {1, "/EPCISDocument/EPCISBody/EventList/AggregationEvent[2]", ST_ERR_RULE,
         "missing \"parentID\"; an AggregationEvent with action DELETE"},
        {2, "/EPCISDocument/EPCISBody/EventList/ObjectEvent[3]/bizStep", ST_ERR_SYNTAX,
         "bizStep must be a URI in XML"},
        {0, NULL, 0, NULL},
    };
    expect(&r, wx, "XML document");
    done(&r);
}

/* ---- paths -------------------------------------------------------------------------- */

/* The first node named name (ns ignored) in the tree under n, depth first. */
static const st_evnode *node(const st_evnode *n, const char *name)
{
    for (const st_evnode *c = n->first; c; c = c->next) {
        if (!strcmp(c->name, name))
            return c;
        const st_evnode *d = node(c, name);
        if (d)
            return d;
    }
    return NULL;
}

static void path_is(const run *r, const char *name, int skip, const char *expected_path)
{
    const st_evnode *n = node(r->doc.kept[0]->root, name);
    while (n && skip--)
        n = n->next;
    assert_non_null(n);
    char out[512];
    st_epcis_path(&r->doc, r->doc.kept[0], n, out, sizeof out);
    assert_string_equal(out, expected_path);
}

static void test_paths(void **state)
{
    (void)state;
    run r;
    validate_doc(
        &r, J,
        OBJ(",'ex:deep':{'ex:a':1},'https://ex.example.org/a/b':2,'ex:t~x':3,"
            "'ex:tags':['a','b'],'certificationInfo':'https://cert.example.org/1',"
            "'bizTransactionList':[{'type':'po','bizTransaction':'http://tx.example.com/1'}]"));
    path_is(&r, "a", 0, J0 "/ex:deep/ex:a");
    path_is(&r, "b", 0, J0 "/https:~1~1ex.example.org~1a~1b");
    path_is(&r, "t~x", 0, J0 "/ex:t~0x");
    path_is(&r, "tags", 1, J0 "/ex:tags/1");
    path_is(&r, "certificationInfo", 0, J0 "/certificationInfo");
    path_is(&r, "bizTransaction", 0, J0 "/bizTransactionList/0");
    path_is(&r, "type", 0, J0 "/bizTransactionList/0/type");

    const st_event *ev = r.doc.kept[0];
    char out[64];
    st_epcis_path(&r.doc, ev, ev->root, out, sizeof out);
    assert_string_equal(out, J0);
    const st_evnode *deep = node(ev->root, "a");
    char small[12];
    memset(small, 'x', sizeof small);
    st_epcis_path(&r.doc, ev, deep, small, sizeof small); /* cut, never overflowing */
    assert_true(memchr(small, '\0', sizeof small) != NULL);
    assert_true(!strncmp(small, J0, strlen(small)));
    char one[1] = {'x'};
    st_epcis_path(&r.doc, ev, deep, one, 1);
    assert_int_equal(one[0], '\0');
    st_epcis_path(&r.doc, ev, deep, NULL, 0); /* nothing to write to */
    done(&r);

    validate_doc(
        &r, X2,
        XOBJ("<bizTransactionList><bizTransaction type='urn:epcglobal:cbv:btt:po'>"
             "http://tx.example.com/1</bizTransaction></bizTransactionList>" XSENSOR(
                 "<sensorReport type='gs1:Mass' ex:cal='1'/><sensorReport/>") "<ex:extra><ex:inner>"
                                                                              "1</ex:inner></"
                                                                              "ex:extra>"));
    path_is(&r, "bizTransaction", 0, X0 "/bizTransactionList/bizTransaction");
    path_is(&r, "cal", 0, X0 "/sensorElementList/sensorElement/sensorReport[1]/@ex:cal");
    path_is(&r, "inner", 0, X0 "/ex:extra/ex:inner");
    path_is(&r, "epc", 0, X0 "/epcList/epc");
    done(&r);

    assert_int_equal(st_epcis_validate_event(NULL, NULL, NULL), ST_ERR_ARG);
}

/* ---- the GS1 examples --------------------------------------------------------------- */

/*
 * Faults of the GS1 examples that are faults of the examples, not of the
 * rules (see the report of the change that added this test):
 *  - "sensorMetaData" is a misspelling of sensorMetadata (the reader keeps
 *    it as an unknown field, so its start and end times would be lost);
 *  - "gs1:EffectiveDoseRate" and "gs1:Molar_concentration" are not terms of
 *    the GS1 measurement types (the EPCIS 2.0 context lists 72; the closest
 *    are DoseEquivalentRate and AmountOfSubstancePerUnitVolume);
 *  - "https://ref.gs1.org/cbv/Bizstep-sensor_reporting" is not a CBV URI
 *    (the prefix is BizStep-; CBV URIs are case-sensitive).
 */
static const struct {
    const char *file; /* path below conformance/gs1-epcis */
    long ev;          /* event index */
    const char *path; /* path of the fault below the event list */
    const char *frag; /* fragment of its message */
} example_faults[] = {
    {"XML-1.2/AssociationEvent.xml", 5,
     "/AssociationEvent[6]/sensorElementList/sensorElement/sensorMetaData",
     "unknown field \"sensorMetaData\" (did you mean \"sensorMetadata\"?)"},
    {"XML/WithExtension/TransactionEvent.xml", 0,
     "/TransactionEvent[1]/sensorElementList/sensorElement/sensorReport/@type",
     "unknown measurement type \"gs1:EffectiveDoseRate\""},
    {"XML/WithSensorData/SensorDataExamples.xml", 7,
     "/AggregationEvent[8]/sensorElementList/sensorElement[1]/sensorReport[2]/@type",
     "unknown measurement type \"gs1:Molar_concentration\""},
    {"XML/WithSensorData/SensorDataExamples.xml", 7,
     "/AggregationEvent[8]/sensorElementList/sensorElement[1]/sensorReport[3]/@type",
     "unknown measurement type \"gs1:Molar_concentration\""},
    {"XML/WithSensorData/SensorDataExamples.xml", 10,
     "/TransactionEvent[11]/sensorElementList/sensorElement/sensorReport/@type",
     "unknown measurement type \"gs1:EffectiveDoseRate\""},
    {"XML/WithSensorData/SensorDataExamples.xml", 12, "/ObjectEvent[13]/bizStep",
     "unknown bizStep \"https://ref.gs1.org/cbv/Bizstep-sensor_reporting\" (did you mean "
     "\"https://ref.gs1.org/cbv/BizStep-sensor_reporting\"?)"},
    {"XML/WithSensorData/SensorDataExamples.xml", 13, "/ObjectEvent[14]/bizStep",
     "unknown bizStep \"https://ref.gs1.org/cbv/Bizstep-sensor_reporting\""},
};

typedef struct walk {
    size_t root_len; /* length of the conformance/gs1-epcis folder's path */
    int files;       /* documents validated */
    size_t events;   /* events in them */
    int faults;      /* rows of example_faults met */
} walk;

static void check_example(walk *w, const char *path)
{
    const char *rel = path + w->root_len + 1;
    size_t n;
    char *buf = slurp(path, &n);
    run r;
    validate_buf(&r, buf, n, st_epcis_detect(buf, n) != ST_EPCIS_FMT_JSONLD);
    free(buf);
    want expected[COUNT(example_faults) + 1];
    char paths[COUNT(example_faults)][256];
    size_t k = 0;
    for (size_t i = 0; i < COUNT(example_faults); i++) {
        if (strcmp(rel, example_faults[i].file))
            continue;
        snprintf(paths[k], sizeof paths[k], "/EPCISDocument/EPCISBody/EventList%s",
                 example_faults[i].path);
        expected[k] =
            (want){example_faults[i].ev, paths[k], ST_ERR_NOT_FOUND, example_faults[i].frag};
        if (strstr(example_faults[i].frag, "unknown field"))
            expected[k].rc = ST_ERR_SYNTAX;
        k++;
    }
    expected[k] = (want){0, NULL, 0, NULL};
    expect(&r, expected, rel);
    w->faults += (int)k;
    w->files++;
    w->events += r.doc.n_kept;
    done(&r);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    if (strstr(rel, "CaptureJob/")) /* capture-job status files hold no events */
        return;
    if (!strcmp(name, "AssociationEvent-h.jsonld"))
        return; /* a duplicate key: not JSON (jsonld_test.c) */
    check_example(ctx, path);
}

static void test_gs1_examples(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    if (!shared) {
        print_message("ST_SHARED_DIR is not set or not a folder: skipping the GS1 examples\n");
        skip();
    }
    char root[1024], dir[1200];
    snprintf(root, sizeof root, "%s/conformance/gs1-epcis", shared);
    walk w = {strlen(root), 0, 0, 0};
    static const char *const dirs[] = {"JSON", "XML", "XML-1.2"};
    for (size_t i = 0; i < COUNT(dirs); i++) {
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
        walk_examples(dir, dirs[i], epcis_exts, on_example, &w);
    }
    print_message("%d GS1 examples validated (%zu events)\n", w.files, w.events);
    assert_true(w.files >= 80);
    assert_true(w.events >= 120);
    assert_int_equal(w.faults, (int)COUNT(example_faults));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure), cmocka_unit_test(test_values),
        cmocka_unit_test(test_xml),       cmocka_unit_test(test_all_events_reported),
        cmocka_unit_test(test_paths),     cmocka_unit_test(test_gs1_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
