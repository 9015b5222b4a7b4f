/*
 * Tests for lib/epcis/write_query.c and write_event.c: EPCISQueryDocuments
 * in JSON-LD, XML 2.0 and XML 1.2 (exact output of small ones), events that
 * bring their own namespace bindings into one output (sources whose
 * prefixes clash), one event as a standalone JSON-LD object, and argument
 * failures. With ST_SHARED_DIR: every GS1 EPCIS example (JSON, XML,
 * XML-1.2) has all its events written into a query document in each format
 * and read back (kind, queryName, and the hash ID of every event), and each
 * event written alone and read back as a bare event keeps its hash ID; the
 * events of all examples (whose prefixes clash: "example" is everyone's)
 * share one query document per format and keep their hash IDs too. The
 * outputs are validated against the GS1 query XSDs (xmllint) and the GS1
 * JSON Schema (node + ajv, tests/conformance), each check skipped with a
 * message when its tool is not installed.
 *
 * Documents use single-quoted attributes for legibility. SOURCE_DATE_EPOCH
 * is set so that creationDate is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <serialtrack/jsonw.h>
#include <serialtrack/limits.h>

#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/write.h"
#include "epcis/xml.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define QUERY "SimpleEventQuery"

static const char *const fmt_name[] = {"", "jsonld", "xml2", "xml12"};

/* ---- writing and reading back ------------------------------------------------ */

/* What the notes said about one event written. */
#define GONE 1    /* left out ("the event is not written") */
#define DROPPED 2 /* written without some of its fields ("dropped") */

/* A query document written: the text, the notes, the first failure. */
typedef struct qdoc {
    char *s;        /* the document (open_memstream) */
    size_t n;       /* its length */
    st_diag notes;  /* the writer's notes */
    st_rc rc;       /* first non-OK code of open, event or finish */
    unsigned *said; /* GONE / DROPPED per event given, in order (in the arena) */
} qdoc;

/* Write the kept events of docs[0..nd), each with its document's bindings
 * (st_hashid_bindings), into one query document of format fmt. */
static void write_query(st_arena *a, st_epcis_format fmt, st_epcis_ids ids,
                        const st_epcis_doc *const *docs, size_t nd, qdoc *q)
{
    memset(q, 0, sizeof *q);
    st_diag_init(&q->notes, a);
    size_t total = 1, k = 0;
    for (size_t d = 0; d < nd; d++)
        total += docs[d]->n_kept;
    assert_non_null(q->said = st_arena_calloc(a, total * sizeof *q->said));
    FILE *f = open_memstream(&q->s, &q->n);
    assert_non_null(f);
    st_epcis_writer *w = NULL;
    q->rc = st_epcis_writer_open_query(fmt, ids, QUERY, f, &q->notes, &w);
    for (size_t d = 0; d < nd && q->rc == ST_OK; d++) {
        for (size_t i = 0; i < docs[d]->n_kept && q->rc == ST_OK; i++, k++) {
            size_t before = q->notes.n;
            q->rc = st_epcis_writer_event_ns(w, docs[d]->kept[i], st_hashid_bindings(docs[d]));
            for (size_t j = before; j < q->notes.n; j++) {
                const char *m = q->notes.items[j].msg;
                q->said[k] |= (strstr(m, "event is not written") ? GONE : 0) |
                              (strstr(m, "dropped") ? DROPPED : 0);
            }
        }
    }
    st_rc rc = st_epcis_writer_finish(w);
    if (q->rc == ST_OK)
        q->rc = rc;
    fclose(f);
}

static void hash_of(const st_event *ev, const st_evnode *ns, char out[ST_HASHID_LEN + 1])
{
    assert_int_equal(st_hashid_compute(ev, ns, out), ST_OK);
}

/* Read q back: a query document of format fmt named QUERY whose events have,
 * one by one, the hash IDs of the events of docs[0..nd) (those the notes say
 * were left out are not there; those that lost a field are not compared).
 * The hash IDs are computed after the whole document is read, with every
 * event's @context in the bindings (the strictest way to read it). Returns
 * the number of hash IDs compared. */
static size_t assert_query_back(st_arena *a, const qdoc *q, st_epcis_format fmt,
                                const st_epcis_doc *const *docs, size_t nd, const char *what)
{
    st_epcis_doc back;
    st_diag diag;
    st_rc rc = read_doc(&back, a, &diag, q->s, q->n);
    if (rc != ST_OK || diag.n)
        fail_msg("%s: the query document does not read back: rc %d, %zu faults, first: %s: %s",
                 what, rc, diag.n, diag.n ? diag.items[0].path : "",
                 diag.n ? diag.items[0].msg : "");
    assert_int_equal(back.kind, ST_EPCIS_DOC_QUERY);
    assert_int_equal(back.format, fmt);
    assert_string_equal(back.schema_version, fmt == ST_EPCIS_FMT_XML12 ? "1.2" : "2.0");
    assert_non_null(back.creation_date);
    assert_string_equal(st_evnode_child_value(back.header, "queryName"), QUERY);
    size_t j = 0, k = 0, compared = 0;
    for (size_t d = 0; d < nd; d++) {
        for (size_t i = 0; i < docs[d]->n_kept; i++, k++) {
            const st_event *e = docs[d]->kept[i];
            if (q->said[k] & GONE)
                continue;
            if (j >= back.n_kept)
                fail_msg("%s: event %zu of source %zu is missing", what, i, d);
            const st_event *e2 = back.kept[j++];
            assert_string_equal(e2->root->name, e->root->name);
            if (q->said[k] & DROPPED)
                continue;
            char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
            hash_of(e, st_hashid_bindings(docs[d]), h1);
            hash_of(e2, st_hashid_bindings(&back), h2);
            if (strcmp(h1, h2))
                fail_msg("%s: event %zu of source %zu: hash ID %s became %s", what, i, d, h1, h2);
            compared++;
        }
    }
    if (j != back.n_kept)
        fail_msg("%s: %zu events read back, %zu written", what, back.n_kept, j);
    return compared;
}

/* One reused single-event writer per ids, shared by every call of
 * event_alone in this run (each example's events, in turn): whatever one
 * event leaves in it must not show in the next. */
static st_epcis_evw *shared_evw[3];

/* ev alone as JSON-LD (st_epcis_event_jsonld) into jw, which is reset
 * first; returns a NUL-terminated copy of it (malloc'd). The reused writer
 * (st_epcis_evw_put) must write the same bytes. */
static char *event_alone(const st_event *ev, const st_evnode *ns, st_epcis_ids ids, st_jw *jw)
{
    st_jw_reset(jw);
    assert_int_equal(st_epcis_event_jsonld(ev, ns, ids, jw), ST_OK);
    assert_false(jw->failed);
    char *s = strndup(jw->p, jw->n);
    assert_non_null(s);
    assert_true((unsigned)ids < 3);
    if (!shared_evw[ids])
        assert_int_equal(st_epcis_evw_create(ids, &shared_evw[ids]), ST_OK);
    st_jw again;
    st_jw_init(&again);
    assert_int_equal(st_epcis_evw_put(shared_evw[ids], ev, ns, &again), ST_OK);
    if (again.n != jw->n || memcmp(again.p, jw->p, jw->n))
        fail_msg("the reused writer wrote\n%.*s\nnot\n%s", (int)again.n, again.p, s);
    st_jw_free(&again);
    static const char head[] = "{\"@context\":[\"" CTX "\"";
    if (strncmp(s, head, sizeof head - 1))
        fail_msg("a standalone event starts with %.80s", s);
    return s;
}

/* Read the standalone event in jw[0..n) as a bare event: its hash ID must be
 * ev's (bindings ns), unless lossy (JSON-LD could not hold all of it).
 * Returns 1 when the hash IDs were compared. */
static int assert_alone_back_lossy(const st_jw *jw, const st_event *ev, const st_evnode *ns,
                                   int lossy, const char *what)
{
    reading r;
    reading_start(&r);
    r.rc = st_jsonld_read(&r.doc, jw->p, jw->n, NULL, NULL, &r.diag);
    if (r.rc != ST_OK || r.diag.n)
        fail_msg("%s: does not read back: rc %d: %s %s\n%.*s", what, r.rc,
                 r.diag.n ? r.diag.items[0].path : "", r.diag.n ? r.diag.items[0].msg : "",
                 (int)jw->n, jw->p);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_EVENT);
    assert_int_equal(r.doc.n_kept, 1);
    char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
    hash_of(ev, ns, h1);
    hash_of(r.doc.kept[0], st_hashid_bindings(&r.doc), h2);
    assert_string_equal(r.doc.kept[0]->root->name, ev->root->name);
    if (!lossy && strcmp(h1, h2))
        fail_msg("%s: hash ID %s became %s\n%.*s", what, h1, h2, (int)jw->n, jw->p);
    reading_done(&r);
    return !lossy;
}

static void assert_alone_back(const st_jw *jw, const st_event *ev, const st_evnode *ns,
                              const char *what)
{
    assert_alone_back_lossy(jw, ev, ns, 0, what);
}

/* Read the NUL-terminated document s into a fresh arena; no read faults. */
static void load_doc(st_arena **a, st_epcis_doc *doc, const char *s)
{
    char *d = dq(s);
    st_diag diag;
    *a = st_arena_create(0);
    assert_non_null(*a);
    st_rc rc = read_doc(doc, *a, &diag, d, strlen(d));
    if (rc != ST_OK || diag.n)
        fail_msg("the test document does not read: rc %d: %s", rc, diag.n ? diag.items[0].msg : "");
    free(d);
}

/* ---- small documents, exact output ------------------------------------------- */

/* A JSON-LD source binding ex: (an extension member and a CURIE value) and
 * an XML source with its own ex: namespace. */
static const char src_json[] =
    "{'@context':['" CTX "',{'ex':'https://ns.example.com/a/'}],"
    "'type':'EPCISDocument','schemaVersion':'2.0','creationDate':'2024-01-01T00:00:00Z',"
    "'epcisBody':{'eventList':[{'type':'ObjectEvent','eventTime':'2024-03-01T09:00:00Z',"
    "'eventTimeZoneOffset':'+01:00','epcList':['urn:epc:id:sgtin:0614141.107346.2017'],"
    "'action':'OBSERVE','bizStep':'shipping','bizTransactionList':[{'type':'po',"
    "'bizTransaction':'ex:po-1'}],'ex:temp':'cold'}]}}";
static const char src_xml[] =
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' "
    "xmlns:ex='https://ns.example.com/b/' schemaVersion='2.0' "
    "creationDate='2024-01-01T00:00:00Z'><EPCISBody><EventList><ObjectEvent>"
    "<eventTime>2024-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
    "<epcList><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></epcList><action>OBSERVE</action>"
    "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep><ex:dock>ex:7</ex:dock>"
    "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>";

static void test_exact(void **state)
{
    (void)state;
    st_arena *a1, *a2;
    st_epcis_doc d1, d2;
    load_doc(&a1, &d1, src_json);
    load_doc(&a2, &d2, src_xml);
    const st_epcis_doc *docs[] = {&d1, &d2};
    static const char *const want[4] = {
        NULL,
        /* JSON-LD: each event binds its prefixes, renamed so that no value
         * reads as a CURIE of them; CURIE values of the JSON-LD source are
         * expanded, the XML source's "ex:7" (a URI of scheme ex) stays */
        "{\"@context\":[\"" CTX "\"],\"type\":\"EPCISQueryDocument\",\"schemaVersion\":\"2.0\","
        "\"creationDate\":\"1970-01-02T00:00:00Z\",\"epcisBody\":{\"queryResults\":{\"queryName\":"
        "\"SimpleEventQuery\",\"resultsBody\":{\"eventList\":[\n"
        "{\"@context\":{\"ex-ns\":\"https://ns.example.com/a/\"},\"type\":\"ObjectEvent\","
        "\"eventTime\":\"2024-03-01T09:00:00Z\",\"eventTimeZoneOffset\":\"+01:00\","
        "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\"],\"action\":\"OBSERVE\","
        "\"bizStep\":\"shipping\",\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":"
        "\"https://ns.example.com/a/po-1\"}],\"ex-ns:temp\":\"cold\"},\n"
        "{\"@context\":{\"ex-ns2\":\"https://ns.example.com/b/\"},\"type\":\"ObjectEvent\","
        "\"eventTime\":\"2024-03-01T10:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\","
        "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2018\"],\"action\":\"OBSERVE\","
        "\"bizStep\":\"receiving\",\"ex-ns2:dock\":\"ex:7\"}\n"
        "]}}}}\n",
        /* XML 2.0: the JSON-LD CURIE expanded; each namespace declared where used */
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<epcisq:EPCISQueryDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
        "xmlns:epcisq=\"urn:epcglobal:epcis-query:xsd:2\" schemaVersion=\"2.0\" "
        "creationDate=\"1970-01-02T00:00:00Z\">\n"
        "  <EPCISBody>\n"
        "    <epcisq:QueryResults>\n"
        "      <queryName>SimpleEventQuery</queryName>\n"
        "      <resultsBody>\n"
        "        <EventList>\n"
        "          <ObjectEvent>\n"
        "            <eventTime>2024-03-01T09:00:00Z</eventTime>\n"
        "            <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
        "            <epcList>\n"
        "              <epc>urn:epc:id:sgtin:0614141.107346.2017</epc>\n"
        "            </epcList>\n"
        "            <action>OBSERVE</action>\n"
        "            <bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>\n"
        "            <bizTransactionList>\n"
        "              <bizTransaction type=\"https://ref.gs1.org/cbv/BTT-po\">"
        "https://ns.example.com/a/po-1</bizTransaction>\n"
        "            </bizTransactionList>\n"
        "            <ex:temp xmlns:ex=\"https://ns.example.com/a/\">cold</ex:temp>\n"
        "          </ObjectEvent>\n"
        "          <ObjectEvent>\n"
        "            <eventTime>2024-03-01T10:00:00Z</eventTime>\n"
        "            <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
        "            <epcList>\n"
        "              <epc>urn:epc:id:sgtin:0614141.107346.2018</epc>\n"
        "            </epcList>\n"
        "            <action>OBSERVE</action>\n"
        "            <bizStep>https://ref.gs1.org/cbv/BizStep-receiving</bizStep>\n"
        "            <ex:dock xmlns:ex=\"https://ns.example.com/b/\">ex:7</ex:dock>\n"
        "          </ObjectEvent>\n"
        "        </EventList>\n"
        "      </resultsBody>\n"
        "    </epcisq:QueryResults>\n"
        "  </EPCISBody>\n"
        "</epcisq:EPCISQueryDocument>\n",
        /* XML 1.2: the same in the 1.x namespaces, 1.x vocabulary URNs */
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<epcisq:EPCISQueryDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" "
        "xmlns:epcisq=\"urn:epcglobal:epcis-query:xsd:1\" schemaVersion=\"1.2\" "
        "creationDate=\"1970-01-02T00:00:00Z\">\n"
        "  <EPCISBody>\n"
        "    <epcisq:QueryResults>\n"
        "      <queryName>SimpleEventQuery</queryName>\n"
        "      <resultsBody>\n"
        "        <EventList>\n"
        "          <ObjectEvent>\n"
        "            <eventTime>2024-03-01T09:00:00Z</eventTime>\n"
        "            <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
        "            <epcList>\n"
        "              <epc>urn:epc:id:sgtin:0614141.107346.2017</epc>\n"
        "            </epcList>\n"
        "            <action>OBSERVE</action>\n"
        "            <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n"
        "            <bizTransactionList>\n"
        "              <bizTransaction type=\"urn:epcglobal:cbv:btt:po\">"
        "https://ns.example.com/a/po-1</bizTransaction>\n"
        "            </bizTransactionList>\n"
        "            <ex:temp xmlns:ex=\"https://ns.example.com/a/\">cold</ex:temp>\n"
        "          </ObjectEvent>\n"
        "          <ObjectEvent>\n"
        "            <eventTime>2024-03-01T10:00:00Z</eventTime>\n"
        "            <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
        "            <epcList>\n"
        "              <epc>urn:epc:id:sgtin:0614141.107346.2018</epc>\n"
        "            </epcList>\n"
        "            <action>OBSERVE</action>\n"
        "            <bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>\n"
        "            <ex:dock xmlns:ex=\"https://ns.example.com/b/\">ex:7</ex:dock>\n"
        "          </ObjectEvent>\n"
        "        </EventList>\n"
        "      </resultsBody>\n"
        "    </epcisq:QueryResults>\n"
        "  </EPCISBody>\n"
        "</epcisq:EPCISQueryDocument>\n",
    };
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        qdoc q;
        write_query(a1, fmt, ST_EPCIS_IDS_ASIS, docs, 2, &q);
        assert_int_equal(q.rc, ST_OK);
        assert_int_equal(q.notes.n, 0);
        assert_same_text(q.s, want[fmt]);
        assert_int_equal(assert_query_back(a1, &q, fmt, docs, 2, fmt_name[fmt]), 2);
        free(q.s);
    }

    /* the standalone objects */
    st_jw jw;
    st_jw_init(&jw);
    char *alone = event_alone(d1.kept[0], st_hashid_bindings(&d1), ST_EPCIS_IDS_ASIS, &jw);
    assert_same_text(alone, "{\"@context\":[\"" CTX "\",{\"ex\":\"https://ns.example.com/a/\"}],"
                            "\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                            "\"eventTimeZoneOffset\":\"+01:00\",\"epcList\":["
                            "\"urn:epc:id:sgtin:0614141.107346.2017\"],\"action\":\"OBSERVE\","
                            "\"bizStep\":\"shipping\",\"bizTransactionList\":[{\"type\":\"po\","
                            "\"bizTransaction\":\"ex:po-1\"}],\"ex:temp\":\"cold\"}");
    assert_alone_back(&jw, d1.kept[0], st_hashid_bindings(&d1), "json event alone");
    free(alone);
    alone = event_alone(d2.kept[0], st_hashid_bindings(&d2), ST_EPCIS_IDS_DL, &jw);
    assert_same_text(alone,
                     "{\"@context\":[\"" CTX "\",{\"ex-ns\":\"https://ns.example.com/b/\"}],"
                     "\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":["
                     "\"https://id.gs1.org/01/10614141073464/21/2018\"],\"action\":\"OBSERVE\","
                     "\"bizStep\":\"receiving\",\"ex-ns:dock\":\"ex:7\"}");
    assert_alone_back(&jw, d2.kept[0], NULL, "xml event alone");
    free(alone);

    /* inside a caller's JSON: a value after a key, then array members */
    st_jw_reset(&jw);
    st_jw_object_begin(&jw);
    st_jw_member_str(&jw, "key", "https://id.gs1.org/01/80614141073468/21/2018");
    st_jw_key(&jw, "events");
    st_jw_array_begin(&jw);
    assert_int_equal(
        st_epcis_event_jsonld(d1.kept[0], st_hashid_bindings(&d1), ST_EPCIS_IDS_ASIS, &jw), ST_OK);
    assert_int_equal(st_epcis_event_jsonld(d2.kept[0], NULL, ST_EPCIS_IDS_ASIS, &jw), ST_OK);
    st_jw_array_end(&jw);
    st_jw_object_end(&jw);
    assert_false(jw.failed);
    alone = strndup(jw.p, jw.n);
    assert_non_null(alone);
    static const char head[] = "{\"key\":\"https://id.gs1.org/01/80614141073468/21/2018\","
                               "\"events\":[{\"@context\":";
    assert_int_equal(strncmp(alone, head, sizeof head - 1), 0);
    assert_non_null(strstr(alone, "\"ex:temp\":\"cold\"},{\"@context\":[\"" CTX "\",{\"ex-ns\""));
    assert_int_equal(strcmp(alone + jw.n - 3, "}]}"), 0);
    free(alone);
    st_jw_free(&jw);
    st_arena_destroy(a1);
    st_arena_destroy(a2);
}

/* ---- sources whose prefixes clash ----------------------------------------------- */

/* Two JSON-LD sources bind ex: to different IRIs (keys and CURIE values),
 * one binds a prefix of the standard context (dcterms) to another IRI, an
 * XML source uses ex: for a third: in one output each event still means
 * what it meant, and no prefix is bound to two IRIs. */
static void test_clashing_prefixes(void **state)
{
    (void)state;
    static const char second[] =
        "{'@context':['" CTX "',{'ex':'https://other.example.org/',"
        "'dcterms':'https://not-dc.example.org/'}],"
        "'type':'EPCISDocument','schemaVersion':'2.0','creationDate':'2024-01-01T00:00:00Z',"
        "'epcisBody':{'eventList':[{'type':'ObjectEvent','eventTime':'2024-03-02T09:00:00Z',"
        "'eventTimeZoneOffset':'+01:00','epcList':['urn:epc:id:sgtin:0614141.107346.2019'],"
        "'action':'OBSERVE','readPoint':{'id':'ex:dock-9'},'bizStep':'dcterms:step',"
        "'ex:temp':{'ex:min':'ex:cold'}}]}}";
    st_arena *a1, *a2, *a3;
    st_epcis_doc d1, d2, d3;
    load_doc(&a1, &d1, src_json);
    load_doc(&a2, &d2, second);
    load_doc(&a3, &d3, src_xml);
    const st_epcis_doc *docs[] = {&d1, &d2, &d3};
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        qdoc q;
        write_query(a1, fmt, ST_EPCIS_IDS_ASIS, docs, 3, &q);
        assert_int_equal(q.rc, ST_OK);
        assert_int_equal(q.notes.n, 0);
        assert_int_equal(assert_query_back(a1, &q, fmt, docs, 3, fmt_name[fmt]), 3);
        if (fmt == ST_EPCIS_FMT_JSONLD) {
            /* ex-ns is taken when the second source comes: its key gets
             * ex-ns2; its CURIE values, dcterms: included, are expanded */
            assert_non_null(strstr(q.s, "{\"@context\":{\"ex-ns\":\"https://ns.example.com/a/\"}"));
            assert_non_null(
                strstr(q.s, "{\"@context\":{\"ex-ns2\":\"https://other.example.org/\"}"));
            assert_non_null(
                strstr(q.s, "{\"@context\":{\"ex-ns3\":\"https://ns.example.com/b/\"}"));
            assert_non_null(strstr(q.s, "\"readPoint\":{\"id\":\"https://other.example.org/"
                                        "dock-9\"}"));
            assert_non_null(strstr(q.s, "\"bizStep\":\"https://not-dc.example.org/step\""));
            assert_non_null(strstr(q.s, "\"ex-ns2:temp\":{\"ex-ns2:min\":"
                                        "\"https://other.example.org/cold\"}"));
            assert_non_null(strstr(q.s, "\"ex-ns3:dock\":\"ex:7\""));
            assert_null(strstr(q.s, "dcterms"));
        } else {
            assert_non_null(strstr(q.s, "<id>https://other.example.org/dock-9</id>"));
            assert_non_null(strstr(q.s, "https://not-dc.example.org/step</bizStep>"));
        }
        free(q.s);
    }

    /* a writer with a JSON-LD source document, whose @context binds ex: for
     * every event: the XML source's value "ex:7" reads as a CURIE of it,
     * which cannot be helped, and is noted */
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    st_epcis_writer *w = NULL;
    st_diag notes;
    st_diag_init(&notes, a1);
    assert_int_equal(
        st_epcis_writer_open(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, &d1, f, &notes, &w), ST_OK);
    assert_int_equal(st_epcis_writer_event(w, d1.kept[0]), ST_OK);
    assert_int_equal(st_epcis_writer_event_ns(w, d2.kept[0], st_hashid_bindings(&d2)), ST_OK);
    assert_int_equal(st_epcis_writer_event_ns(w, d3.kept[0], NULL), ST_OK);
    assert_int_equal(st_epcis_writer_event(w, d1.kept[0]), ST_OK); /* the document's again */
    assert_int_equal(st_epcis_writer_finish(w), ST_OK);
    fclose(f);
    st_epcis_doc back;
    st_diag diag;
    assert_int_equal(read_doc(&back, a1, &diag, out, n), ST_OK);
    assert_int_equal(diag.n, 0);
    assert_int_equal(back.n_kept, 4);
    const st_event *orig[] = {d1.kept[0], d2.kept[0], d3.kept[0], d1.kept[0]};
    const st_evnode *ns[] = {d1.ns, d2.ns, NULL, d1.ns};
    for (size_t i = 0; i < 4; i++) {
        char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
        hash_of(orig[i], ns[i], h1);
        hash_of(back.kept[i], st_hashid_bindings(&back), h2);
        if (i == 2)
            assert_string_not_equal(h1, h2); /* as the note says */
        else if (strcmp(h1, h2))
            fail_msg("event %zu: hash ID %s became %s\n%s", i, h1, h2, out);
    }
    assert_non_null(
        strstr(out, "\"@context\":[\"" CTX "\",{\"ex\":\"https://ns.example.com/a/\"}]"));
    assert_non_null(
        strstr(out, "\"ex-ns:temp\":{\"ex-ns:min\":\"https://other.example.org/cold\"}"));
    assert_non_null(strstr(out, "\"ex-ns2:dock\":\"ex:7\""));
    char said[1024];
    assert_int_equal(notes.n, 1);
    assert_int_equal(notes.items[0].rc, ST_ERR_SYNTAX);
    assert_string_equal(notes.items[0].path, "ObjectEvent/dock");
    snprintf(said, sizeof said, "%s", notes.items[0].msg);
    assert_string_equal(said, "event 0: the value \"ex:7\" reads as a CURIE in this document, "
                              "whose @context binds \"ex\" to https://ns.example.com/a/; read "
                              "back, its event has another hash ID");
    free(out);

    /* standalone, every prefix is the event's own */
    st_jw jw;
    st_jw_init(&jw);
    char *alone = event_alone(d2.kept[0], st_hashid_bindings(&d2), ST_EPCIS_IDS_ASIS, &jw);
    assert_non_null(strstr(alone,
                           "\"@context\":[\"" CTX "\",{\"ex\":\"https://other.example.org/\","
                           "\"dcterms\":\"https://not-dc.example.org/\"}]"));
    assert_non_null(strstr(alone, "\"readPoint\":{\"id\":\"ex:dock-9\"}"));
    assert_non_null(strstr(alone, "\"bizStep\":\"dcterms:step\""));
    assert_non_null(strstr(alone, "\"ex:temp\":{\"ex:min\":\"ex:cold\"}"));
    assert_alone_back(&jw, d2.kept[0], st_hashid_bindings(&d2), "second source alone");
    free(alone);
    st_jw_free(&jw);
    st_arena_destroy(a1);
    st_arena_destroy(a2);
    st_arena_destroy(a3);
}

/* st_epcis_writer_event on a query writer: an event without bindings. */
static void test_event_without_bindings(void **state)
{
    (void)state;
    st_arena *a;
    st_epcis_doc d;
    load_doc(&a, &d, src_xml);
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        qdoc q, q2;
        memset(&q, 0, sizeof q);
        FILE *f = open_memstream(&q.s, &q.n);
        st_epcis_writer *w = NULL;
        assert_int_equal(st_epcis_writer_open_query(fmt, ST_EPCIS_IDS_ASIS, QUERY, f, NULL, &w),
                         ST_OK);
        assert_int_equal(st_epcis_writer_event(w, d.kept[0]), ST_OK);
        assert_int_equal(st_epcis_writer_finish(w), ST_OK);
        fclose(f);
        const st_epcis_doc *docs[] = {&d};
        write_query(a, fmt, ST_EPCIS_IDS_ASIS, docs, 1, &q2);
        assert_string_equal(q.s, q2.s);
        assert_int_equal(assert_query_back(a, &q2, fmt, docs, 1, fmt_name[fmt]), 1);
        free(q.s);
        free(q2.s);
    }
    /* an empty answer */
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        qdoc q;
        write_query(a, fmt, ST_EPCIS_IDS_ASIS, NULL, 0, &q);
        assert_int_equal(q.rc, ST_OK);
        assert_int_equal(assert_query_back(a, &q, fmt, NULL, 0, fmt_name[fmt]), 0);
        free(q.s);
    }
    st_arena_destroy(a);
}

/* ---- arguments ------------------------------------------------------------------ */

static void test_arguments(void **state)
{
    (void)state;
    st_arena *a;
    st_epcis_doc d;
    load_doc(&a, &d, src_json);
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    st_epcis_writer *w = (st_epcis_writer *)&d; /* must be set to NULL on failure */
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, NULL, f, NULL, &w),
        ST_ERR_ARG);
    assert_null(w);
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, QUERY, NULL, NULL, &w),
        ST_ERR_ARG);
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_UNKNOWN, ST_EPCIS_IDS_ASIS, QUERY, f, NULL, &w),
        ST_ERR_ARG);
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_XML2, (st_epcis_ids)7, QUERY, f, NULL, &w),
        ST_ERR_ARG);
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS, QUERY, f, NULL, NULL),
        ST_ERR_ARG);
    char *longname = malloc(ST_EPCIS_MAX_STRING + 2);
    assert_non_null(longname);
    memset(longname, 'q', ST_EPCIS_MAX_STRING + 1);
    longname[ST_EPCIS_MAX_STRING + 1] = '\0';
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS, longname, f, NULL, &w),
        ST_ERR_LIMIT);
    assert_null(w);
    free(longname);

    /* a queryName is text, escaped in either format */
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML2; fmt++) {
        char *s = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&s, &n);
        assert_int_equal(
            st_epcis_writer_open_query(fmt, ST_EPCIS_IDS_ASIS, "a<\"b\">&c", m, NULL, &w), ST_OK);
        assert_int_equal(st_epcis_writer_finish(w), ST_OK);
        fclose(m);
        assert_non_null(strstr(s, fmt == ST_EPCIS_FMT_JSONLD
                                      ? "\"queryName\":\"a<\\\"b\\\">&c\""
                                      : "<queryName>a&lt;&quot;b&quot;&gt;&amp;c</queryName>"));
        st_epcis_doc back;
        st_diag diag;
        assert_int_equal(read_doc(&back, a, &diag, s, n), ST_OK);
        assert_string_equal(st_evnode_child_value(back.header, "queryName"), "a<\"b\">&c");
        free(s);
    }

    /* events */
    assert_int_equal(
        st_epcis_writer_open_query(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, QUERY, f, NULL, &w),
        ST_OK);
    assert_int_equal(st_epcis_writer_event_ns(NULL, d.kept[0], NULL), ST_ERR_ARG);
    assert_int_equal(st_epcis_writer_event_ns(w, NULL, NULL), ST_ERR_ARG);
    st_event empty = {ST_EVENT_OBJECT, NULL, 0};
    assert_int_equal(st_epcis_writer_event_ns(w, &empty, NULL), ST_ERR_ARG);
    assert_int_equal(st_epcis_writer_event_ns(w, d.kept[0], d.ns), ST_OK);
    assert_int_equal(st_epcis_writer_finish(w), ST_OK);

    /* a failed write: every later call says so */
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        setvbuf(full, NULL, _IONBF, 0);
        assert_int_equal(st_epcis_writer_open_query(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, QUERY,
                                                    full, NULL, &w),
                         ST_ERR_IO);
        assert_null(w);
        fclose(full);
    } else {
        print_message("/dev/full is not there: the I/O failure case is skipped\n");
    }

    /* standalone */
    st_jw jw;
    st_jw_init(&jw);
    assert_int_equal(st_epcis_event_jsonld(NULL, NULL, ST_EPCIS_IDS_ASIS, &jw), ST_ERR_ARG);
    assert_int_equal(st_epcis_event_jsonld(d.kept[0], NULL, ST_EPCIS_IDS_ASIS, NULL), ST_ERR_ARG);
    assert_int_equal(st_epcis_event_jsonld(&empty, NULL, ST_EPCIS_IDS_ASIS, &jw), ST_ERR_ARG);
    assert_int_equal(st_epcis_event_jsonld(d.kept[0], NULL, (st_epcis_ids)7, &jw), ST_ERR_ARG);
    st_evnode *odd = st_evnode_add(a, NULL, NULL, "QuantityEvent", NULL, 0, 0);
    st_event old = {ST_EVENT_NONE, odd, 0};
    assert_int_equal(st_epcis_event_jsonld(&old, NULL, ST_EPCIS_IDS_ASIS, &jw), ST_ERR_UNSUPPORTED);
    assert_int_equal(jw.n, 0);
    st_jw_free(&jw);
    fclose(f);
    st_arena_destroy(a);
}

/* ---- the GS1 examples, with schema checks ----------------------------------------- */

typedef struct corpus {
    const char *root;               /* the GS1 folder */
    char tmp[1024];                 /* folder of the outputs the validators check, or "" */
    int xmllint;                    /* xmllint is there */
    int ajv;                        /* node and ajv are there */
    size_t files;                   /* examples written */
    size_t unreadable;              /* examples the readers refuse (their own tests say why) */
    size_t compared[4];             /* hash IDs compared through a query document, by format */
    size_t alone;                   /* hash IDs compared through a standalone object */
    size_t lossy;                   /* events JSON-LD cannot hold whole (noted "dropped") */
    size_t json_files;              /* JSON-LD outputs waiting for the JSON Schema check */
    st_arena *arena[128];           /* every example read, each in its arena */
    const st_epcis_doc *all[128];   /* the examples read */
    size_t nall;                    /* how many */
    const st_epcis_doc *clean[128]; /* those whose events every schema takes */
    size_t nclean;                  /* how many */
} corpus;

/* Examples that carry what one of the GS1 schemas does not allow (see
 * test_gs1_examples). */
static const char *const schema_faulty[] = {
    "XML-1.2/ObjectEvent.xml",
    "XML-1.2/AssociationEvent.xml",
    "XML/Example-PersistentDisposition.xml",
    "XML/WithSensorData/SensorDataExamples.xml",
};

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* <tmp>/<rel with '/' ',' ' ' as '_'>.<suffix> */
static void out_path(const corpus *c, const char *rel, const char *suffix, char *out, size_t cap)
{
    int k = snprintf(out, cap, "%s/", c->tmp);
    for (const char *p = rel; *p && (size_t)k + 1 < cap - 64; p++)
        out[k++] = *p == '/' || *p == ' ' || *p == ',' ? '_' : *p;
    snprintf(out + k, cap - (size_t)k, ".%s", suffix);
}

static void save(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

static void write_example(corpus *c, const char *path, const char *rel)
{
    size_t n = 0;
    char *buf = slurp(path, &n);
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_epcis_doc *pd = st_arena_calloc(a, sizeof *pd);
    assert_non_null(pd);
    st_diag diag;
    st_rc rc = read_doc(pd, a, &diag, buf, n);
    free(buf);
    if (rc != ST_OK) {
        c->unreadable++;
        st_arena_destroy(a);
        return;
    }
    const st_epcis_doc doc = *pd;
    c->files++;
    assert_true(c->nall < COUNT(c->all));
    c->arena[c->nall] = a;
    c->all[c->nall++] = pd;
    int faulty = 0;
    for (size_t i = 0; i < COUNT(schema_faulty); i++)
        faulty |= !strcmp(rel, schema_faulty[i]);
    if (!faulty)
        c->clean[c->nclean++] = pd;
    const st_epcis_doc *docs[] = {pd};
    const st_evnode *ns = st_hashid_bindings(&doc);
    char what[1200], file[2200];
    unsigned *jsaid = NULL; /* what the notes of the JSON-LD query document said */
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        qdoc q;
        write_query(a, fmt, ST_EPCIS_IDS_ASIS, docs, 1, &q);
        if (fmt == ST_EPCIS_FMT_JSONLD)
            jsaid = q.said;
        snprintf(what, sizeof what, "%s as a %s query document", rel, fmt_name[fmt]);
        if (q.rc != ST_OK)
            fail_msg("%s: rc %d", what, q.rc);
        c->compared[fmt] += assert_query_back(a, &q, fmt, docs, 1, what);
        if (c->tmp[0] && (fmt == ST_EPCIS_FMT_JSONLD ? c->ajv : c->xmllint)) {
            out_path(c, rel,
                     fmt == ST_EPCIS_FMT_JSONLD ? "query.jsonld"
                     : fmt == ST_EPCIS_FMT_XML2 ? "query.xml2.xml"
                                                : "query.xml12.xml",
                     file, sizeof file);
            save(file, q.s, q.n);
            c->json_files += fmt == ST_EPCIS_FMT_JSONLD;
        }
        free(q.s);
    }
    st_jw jw;
    st_jw_init(&jw);
    for (size_t i = 0; i < doc.n_kept; i++) {
        free(event_alone(doc.kept[i], ns, ST_EPCIS_IDS_ASIS, &jw));
        snprintf(what, sizeof what, "%s: event %zu alone", rel, i);
        int lossy = (jsaid[i] & DROPPED) != 0; /* what the same object lost in the document */
        assert_false(jsaid[i] & GONE);
        c->lossy += lossy;
        c->alone += assert_alone_back_lossy(&jw, doc.kept[i], ns, lossy, what);
        if (c->tmp[0] && c->ajv) {
            char suffix[64];
            snprintf(suffix, sizeof suffix, "event%zu.jsonld", i);
            out_path(c, rel, suffix, file, sizeof file);
            save(file, jw.p, jw.n);
            c->json_files++;
        }
    }
    st_jw_free(&jw);
}

/* Every example's events in one query document per format (and JSON-LD with
 * Digital Links): sources whose prefixes clash ("example" is everyone's)
 * share one output, and every event read back keeps its hash ID; the
 * documents of the examples every schema takes are kept for the schema
 * checks ("0-all.query..."). */
static void all_in_one(corpus *c)
{
    char file[2200];
    size_t total = 0;
    for (size_t d = 0; d < c->nall; d++)
        total += c->all[d]->n_kept;
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        for (int ids = ST_EPCIS_IDS_ASIS; ids <= ST_EPCIS_IDS_DL; ids += 2) {
            if (ids == ST_EPCIS_IDS_DL && fmt != ST_EPCIS_FMT_JSONLD)
                continue;
            char what[128];
            snprintf(what, sizeof what, "every example in one %s query document%s", fmt_name[fmt],
                     ids == ST_EPCIS_IDS_DL ? " (Digital Links)" : "");
            qdoc q;
            write_query(c->arena[0], fmt, ids, c->all, c->nall, &q);
            assert_int_equal(q.rc, ST_OK);
            size_t n = assert_query_back(c->arena[0], &q, fmt, c->all, c->nall, what);
            print_message("%s: %zu of %zu events keep their hash IDs\n", what, n, total);
            if (fmt != ST_EPCIS_FMT_XML12)
                assert_true(n + 1 >= c->compared[fmt]);
            for (size_t k = 0; k < q.notes.n; k++)
                if (strstr(q.notes.items[k].msg, "reads as a CURIE"))
                    fail_msg("%s: %s", what, q.notes.items[k].msg);
            free(q.s);
            if (!c->tmp[0] || ids != ST_EPCIS_IDS_ASIS ||
                !(fmt == ST_EPCIS_FMT_JSONLD ? c->ajv : c->xmllint))
                continue;
            write_query(c->arena[0], fmt, ids, c->clean, c->nclean, &q);
            assert_int_equal(q.rc, ST_OK);
            out_path(c, "0-all",
                     fmt == ST_EPCIS_FMT_JSONLD ? "query.jsonld"
                     : fmt == ST_EPCIS_FMT_XML2 ? "query.xml2.xml"
                                                : "query.xml12.xml",
                     file, sizeof file);
            save(file, q.s, q.n);
            c->json_files += fmt == ST_EPCIS_FMT_JSONLD;
            free(q.s);
        }
    }
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)name;
    write_example(ctx, path, rel);
}

/* Whether name (an output file) begins with one of the prefixes of known. */
static int known_failure(const char *name, const char *const *known)
{
    for (; *known; known++)
        if (!strncmp(name, *known, strlen(*known)))
            return 1;
    return 0;
}

/* Run cmd; every line of its output that contains fail_mark names a file
 * (after c->tmp + '/') that fails: each must begin with one of known, and
 * each of known must fail. Returns the number of lines with ok_mark (files
 * that pass); *failed receives the number of those that fail. */
static size_t run_check(const corpus *c, const char *cmd, const char *ok_mark,
                        const char *fail_mark, const char *const *known, const char *what,
                        size_t *failed)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[4096];
    size_t ok = 0, bad = 0, unexpected = 0, k = 0;
    while (known[k])
        k++;
    int *met = calloc(k + 1, sizeof *met);
    assert_non_null(met);
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        const char *f = strstr(line, c->tmp);
        const char *name = f ? f + strlen(c->tmp) + 1 : line;
        if (strstr(line, ok_mark)) {
            ok++;
        } else if (strstr(line, fail_mark)) {
            bad++;
            int known_one = known_failure(name, known);
            for (size_t i = 0; i < k; i++)
                met[i] |= !strncmp(name, known[i], strlen(known[i]));
            unexpected += !known_one;
            print_message("  %s: %s (%s)\n", what, name, known_one ? "expected" : "UNEXPECTED");
        } else if (strstr(line, "error") || line[0] == ' ') {
            print_message("    %.300s\n", f ? name : line);
        }
    }
    pclose(p);
    *failed = bad;
    print_message("%s: %zu files pass, %zu fail\n", what, ok, bad);
    assert_int_equal(unexpected, 0);
    for (size_t i = 0; i < k; i++)
        if (!met[i])
            fail_msg("%s: %s was expected to fail and did not", what, known[i]);
    free(met);
    return ok;
}

/* Every GS1 example (JSON, XML, XML-1.2): a query document of all its events
 * in each format, and each event alone, read back with the same hash IDs;
 * then the schema checks. */
static void test_gs1_examples(void **state)
{
    (void)state;
    corpus c;
    memset(&c, 0, sizeof c);
    static char root[1100];
    const char *shared = test_shared_dir();
    struct stat st;
    if (shared)
        snprintf(root, sizeof root, "%s/conformance/gs1-epcis", shared);
    if (!shared || stat(root, &st) != 0) {
        print_message("ST_SHARED_DIR is not set or has no GS1 examples: skipping them\n");
        skip();
    }
    c.root = root;
    const char *src = getenv("ST_SOURCE_DIR");
    char ajv[1200];
    snprintf(ajv, sizeof ajv, "%s/tests/conformance/node_modules/ajv", src ? src : ".");
    c.xmllint = system("xmllint --version >/dev/null 2>&1") == 0;
    c.ajv = src && stat(ajv, &st) == 0 && system("node --version >/dev/null 2>&1") == 0;
    if (!c.xmllint)
        print_message("xmllint is not installed: the query XSD checks are skipped\n");
    if (!c.ajv)
        print_message("node or ajv (scripts/install-test-tools.sh) is not installed: the JSON "
                      "Schema checks are skipped\n");
    if (c.xmllint || c.ajv) {
        snprintf(c.tmp, sizeof c.tmp, "%s/st_query_XXXXXX", tmp_dir());
        assert_non_null(mkdtemp(c.tmp));
    }
    static const char *const dirs[] = {"JSON", "XML", "XML-1.2"};
    for (size_t i = 0; i < COUNT(dirs); i++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
        walk_examples(dir, dirs[i], epcis_exts, on_example, &c);
    }
    print_message("%zu GS1 examples as query documents (%zu the readers refuse): %zu / %zu / %zu "
                  "events kept their hash IDs in JSON-LD / XML 2.0 / XML 1.2, %zu alone\n",
                  c.files, c.unreadable, c.compared[1], c.compared[2], c.compared[3], c.alone);
    assert_true(c.files >= 80);
    assert_int_equal(c.lossy, 1); /* ILMD text beside an attribute (write_test.c) */
    assert_true(c.compared[ST_EPCIS_FMT_XML2] >= 130);
    assert_int_equal(c.compared[ST_EPCIS_FMT_JSONLD], c.compared[ST_EPCIS_FMT_XML2] - c.lossy);
    assert_int_equal(c.alone, c.compared[ST_EPCIS_FMT_JSONLD]);
    assert_true(c.compared[ST_EPCIS_FMT_XML12] >= 40); /* 1.2 drops 2.0-only events, fields */
    all_in_one(&c);

    char cmd[4096];
    size_t failed = 0;
    if (c.xmllint) {
        /* 1.2 puts an unqualified vendor field in <extension><extension>;
         * 2.0 has no place for a field without namespace */
        static const char *const bad20[] = {"XML-1.2_ObjectEvent.xml.query.xml2", NULL};
        static const char *const bad12[] = {NULL};
        snprintf(cmd, sizeof cmd,
                 "xmllint --nonet --noout --schema '%s/XSD/EPCglobal-epcis-query-2_0.xsd' "
                 "'%s'/*.query.xml2.xml 2>&1",
                 root, c.tmp);
        assert_int_equal(run_check(&c, cmd, " validates", " fails to validate", bad20,
                                   "XML 2.0 query XSD", &failed),
                         c.files); /* each example but one, and 0-all */
        snprintf(cmd, sizeof cmd,
                 "xmllint --nonet --noout --schema '%s/XSD-1.2/EPCglobal-epcis-query-1_2.xsd' "
                 "'%s'/*.query.xml12.xml 2>&1",
                 root, c.tmp);
        assert_int_equal(run_check(&c, cmd, " validates", " fails to validate", bad12,
                                   "XML 1.2 query XSD", &failed),
                         c.files + 1);
    }
    if (c.ajv) {
        /* as for EPCISDocuments (tests/cli/epcis_conformance_test.sh): the
         * 1.2 example's unqualified vendor field has no place in 2.0; the GS1
         * JSON Schema has no persistentDisposition on an AggregationEvent,
         * which its XSD allows, nor a sensorReport without type, which its
         * XSD allows too (the sensor example's event 8); the 1.2
         * AssociationEvent example is faulty (sensorMetaData for
         * sensorMetadata: validation refuses it) */
        static const char *const bad[] = {"XML-1.2_ObjectEvent.xml.query.jsonld",
                                          "XML-1.2_ObjectEvent.xml.event1.",
                                          "XML_Example-PersistentDisposition.xml.query.jsonld",
                                          "XML_Example-PersistentDisposition.xml.event",
                                          "XML-1.2_AssociationEvent.xml.query.jsonld",
                                          "XML-1.2_AssociationEvent.xml.event5.",
                                          "XML_WithSensorData_SensorDataExamples.xml.query.jsonld",
                                          "XML_WithSensorData_SensorDataExamples.xml.event8.",
                                          NULL};
        snprintf(cmd, sizeof cmd,
                 "node '%s/tests/conformance/jsonschema.mjs' '%s/JSON-Schema' '%s'/*.jsonld 2>&1",
                 src, root, c.tmp);
        size_t ok = run_check(&c, cmd, "ok ", "FAIL ", bad, "GS1 JSON Schema", &failed);
        assert_int_equal(ok + failed, c.json_files);
        assert_true(failed <= 10);
    }
    if (c.tmp[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", c.tmp);
        assert_int_equal(system(cmd), 0);
    }
    for (size_t i = 0; i < c.nall; i++)
        st_arena_destroy(c.arena[i]);
}

int main(void)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_clashing_prefixes),
        cmocka_unit_test(test_event_without_bindings),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_gs1_examples),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < COUNT(shared_evw); i++)
        st_epcis_evw_destroy(shared_evw[i]);
    return failed;
}
