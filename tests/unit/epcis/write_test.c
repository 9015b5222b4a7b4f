/*
 * Tests for lib/epcis/write*.c: the exact output of small hand-written
 * events in JSON-LD, XML 2.0 and XML 1.2 (with the notes for what 1.2
 * cannot carry); identifiers as read, as Digital Links and as EPC URNs;
 * vocabulary spellings per format; extension namespaces and prefixes; the
 * head written at open and each event as it comes; argument and I/O
 * failures. With ST_SHARED_DIR: every GS1 EPCIS example (JSON, XML,
 * XML-1.2) written in each format and read back gives, event by event, the
 * hash ID of the original, and the XML output validates against the GS1
 * XSDs (xmllint, skipped when it is not installed).
 *
 * Documents use single-quoted attributes for legibility. SOURCE_DATE_EPOCH
 * is set so that creationDate is fixed.
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
#include <unistd.h>

#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/write.h"
#include "epcis/xml.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define DATE "1970-01-02T00:00:00Z" /* SOURCE_DATE_EPOCH=86400 */

/* A JSON-LD document of events; ctx: more of the @context array. */
#define JDOC(ctx, events)                                                                          \
    "{\"@context\":[\"" CTX "\"" ctx "],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","     \
    "\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[" events "]}}"
#define EX_CTX ",{\"ex\":\"https://ns.example.com/epcis/\"}"
#define TIMES "\"eventTime\":\"2024-03-01T09:00:00Z\",\"eventTimeZoneOffset\":\"+01:00\","
/* An XML document of events in namespace urn:epcglobal:epcis:xsd:<v>; ns:
 * more declarations. */
#define XDOC(v, ns, events)                                                                        \
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:" #v "'" ns " schemaVersion='" #v   \
    ".0' creationDate='2024-01-01T00:00:00Z'><EPCISBody><EventList>" events                        \
    "</EventList></EPCISBody></epcis:EPCISDocument>"
#define XTIMES                                                                                     \
    "<eventTime>2024-03-01T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"

/* ---- helpers ---------------------------------------------------------------- */

/* The notes' messages, one per line. */
static char *notes_text(const st_diag *d, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s\n", d->items[i].msg);
    return buf;
}

/* Read c->out back; every event must have the hash ID of the source event it
 * came from (events of a type fmt cannot write, and events whose notes say
 * that a field was dropped, are skipped). Returns the number compared. */
static size_t assert_same_hashes(conv *c, const char *what)
{
    st_epcis_doc back;
    st_diag diag;
    st_rc rc = read_doc(&back, c->a, &diag, c->out, c->n);
    if (rc != ST_OK || diag.n)
        fail_msg("%s: the output does not read back: rc %d, %zu faults, first: %s: %s", what, rc,
                 diag.n, diag.n ? diag.items[0].path : "", diag.n ? diag.items[0].msg : "");
    size_t j = 0, compared = 0;
    for (size_t i = 0; i < c->doc.n_kept; i++) {
        const st_event *e = c->doc.kept[i];
        int gone = 0, dropped = 0;
        for (size_t k = 0; k < c->notes.n; k++) {
            const char *m = c->notes.items[k].msg;
            if (c->notes.items[k].event == e->index) {
                gone |= strstr(m, "event is not written") != NULL;
                dropped |= strstr(m, "dropped") != NULL;
            }
        }
        if (gone)
            continue;
        if (j >= back.n_kept)
            fail_msg("%s: event %zu is missing from the output", what, i);
        const st_event *e2 = back.kept[j++];
        if (dropped)
            continue;
        char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
        assert_int_equal(st_hashid_compute(e, st_hashid_bindings(&c->doc), h1), ST_OK);
        assert_int_equal(st_hashid_compute(e2, st_hashid_bindings(&back), h2), ST_OK);
        if (strcmp(h1, h2)) {
            static char p1[1 << 16], p2[1 << 16];
            st_hashid_prehash(e, st_hashid_bindings(&c->doc), p1, sizeof p1, NULL);
            st_hashid_prehash(e2, st_hashid_bindings(&back), p2, sizeof p2, NULL);
            for (size_t k = 0; k < c->notes.n; k++)
                print_message("  note: %s\n", c->notes.items[k].msg);
            fail_msg("%s: event %zu: hash ID differs\n  was: %s\n  now: %s", what, i, p1, p2);
        }
        compared++;
    }
    assert_int_equal(j, back.n_kept);
    return compared;
}

/* ---- exact output ----------------------------------------------------------- */

static const char xml_event[] =
    XDOC(2, " xmlns:ex='https://ns.example.com/epcis/'",
         "<ObjectEvent><eventTime>2024-03-01T10:00:00.000+01:00</eventTime>"
         "<eventTimeZoneOffset>+01:00</eventTimeZoneOffset>"
         "<epcList><epc>urn:epc:id:sgtin:4012345.011111.98</epc></epcList><action>OBSERVE</action>"
         "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
         "<disposition>https://example.com/disp/odd</disposition>"
         "<readPoint><id>\n    urn:epc:id:sgln:4012345.00005.0\n  </id></readPoint>"
         "<bizTransactionList><bizTransaction type='urn:epcglobal:cbv:btt:po'>"
         "urn:epcglobal:cbv:bt:4012345000009:PO-1</bizTransaction></bizTransactionList>"
         "<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.L1</epcClass>"
         "<quantity>+5.0</quantity><uom>KGM</uom></quantityElement></quantityList>"
         "<sensorElementList><sensorElement><sensorReport type='gs1:Temperature' value='26.0'"
         " booleanValue='true' uom='CEL'/></sensorElement></sensorElementList>"
         "<ilmd><ex:lot>L1</ex:lot></ilmd><ex:tag>x</ex:tag><ex:flag/><ex:tag>y</ex:tag>"
         "<q:other xmlns:q='urn:example:q'>z</q:other></ObjectEvent>");

/* XML 2.0 to JSON-LD: shapes, bare CBV words, numbers and booleans of the
 * standard fields, extension keys (the XML prefix + "-ns"), a namespace met
 * inside the event declared in the event's @context. */
static void test_jsonld_exact(void **state)
{
    (void)state;
    conv c;
    convert(&c, xml_event, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(
        c.out, "{\"@context\":[\"" CTX "\",{\"ex-ns\":\"https://ns.example.com/epcis/\"}],"
               "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"" DATE "\","
               "\"epcisBody\":{\"eventList\":[\n"
               "{\"@context\":{\"q-ns\":\"urn:example:q\"},\"type\":\"ObjectEvent\","
               "\"eventTime\":\"2024-03-01T10:00:00.000+01:00\",\"eventTimeZoneOffset\":\"+01:00\","
               "\"epcList\":[\"urn:epc:id:sgtin:4012345.011111.98\"],\"action\":\"OBSERVE\","
               "\"bizStep\":\"shipping\",\"disposition\":\"https://example.com/disp/odd\","
               "\"readPoint\":{\"id\":\"urn:epc:id:sgln:4012345.00005.0\"},"
               "\"bizTransactionList\":[{\"type\":\"po\","
               "\"bizTransaction\":\"urn:epcglobal:cbv:bt:4012345000009:PO-1\"}],"
               "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.L1\","
               "\"quantity\":5.0,\"uom\":\"KGM\"}],"
               "\"sensorElementList\":[{\"sensorReport\":[{\"type\":\"Temperature\",\"value\":26.0,"
               "\"booleanValue\":true,\"uom\":\"CEL\"}]}],"
               "\"ilmd\":{\"ex-ns:lot\":\"L1\"},\"ex-ns:tag\":[\"x\",\"y\"],\"ex-ns:flag\":{},"
               "\"q-ns:other\":\"z\"}\n"
               "]}}\n");
    assert_int_equal(c.notes.n, 0);
    assert_int_equal(assert_same_hashes(&c, "jsonld"), 1);
    conv_free(&c);
}

static const char json_event[] = JDOC(
    EX_CTX,
    "{\"type\":\"ObjectEvent\",\"action\":\"ADD\",\"bizStep\":\"commissioning\"," TIMES
    "\"epcList\":[\"https://id.gs1.org/01/04012345111118/21/98\"],"
    "\"persistentDisposition\":{\"set\":[\"completeness_verified\"],"
    "\"unset\":[\"completeness_inferred\"]},"
    "\"sensorElementList\":[{\"sensorMetadata\":{\"time\":\"2024-03-01T08:00:00Z\","
    "\"ex:batch\":\"B7\"},\"sensorReport\":[{\"type\":\"Temperature\",\"value\":26.5,"
    "\"uom\":\"CEL\"}]}],\"ilmd\":{\"ex:lot\":\"L1\",\"cbvmda:bestBeforeDate\":\"2025-01-31\"},"
    "\"ex:tags\":[\"a\",\"b\"],\"https://other.example.org/ns#note\":\"n\","
    "\"ex:ref\":\"ex:thing\"}");

/* JSON-LD to XML 2.0: XSD order (unset before set), sensor fields as
 * attributes, Web URIs, a CURIE of the source @context expanded, a namespace
 * without prefix given one on its element. */
static void test_xml2_exact(void **state)
{
    (void)state;
    conv c;
    convert(&c, json_event, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(
        c.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\""
               " xmlns:ex=\"https://ns.example.com/epcis/\" xmlns:cbvmda=\"urn:epcglobal:cbv:mda:\""
               " schemaVersion=\"2.0\" creationDate=\"" DATE "\">\n"
               "  <EPCISBody>\n"
               "    <EventList>\n"
               "      <ObjectEvent>\n"
               "        <eventTime>2024-03-01T09:00:00Z</eventTime>\n"
               "        <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
               "        <epcList>\n"
               "          <epc>https://id.gs1.org/01/04012345111118/21/98</epc>\n"
               "        </epcList>\n"
               "        <action>ADD</action>\n"
               "        <bizStep>https://ref.gs1.org/cbv/BizStep-commissioning</bizStep>\n"
               "        <sensorElementList>\n"
               "          <sensorElement>\n"
               "            <sensorMetadata time=\"2024-03-01T08:00:00Z\" ex:batch=\"B7\"/>\n"
               "            <sensorReport type=\"https://gs1.org/voc/Temperature\" value=\"26.5\""
               " uom=\"CEL\"/>\n"
               "          </sensorElement>\n"
               "        </sensorElementList>\n"
               "        <persistentDisposition>\n"
               "          <unset>https://ref.gs1.org/cbv/Disp-completeness_inferred</unset>\n"
               "          <set>https://ref.gs1.org/cbv/Disp-completeness_verified</set>\n"
               "        </persistentDisposition>\n"
               "        <ilmd>\n"
               "          <ex:lot>L1</ex:lot>\n"
               "          <cbvmda:bestBeforeDate>2025-01-31</cbvmda:bestBeforeDate>\n"
               "        </ilmd>\n"
               "        <ex:tags>a</ex:tags>\n"
               "        <ex:tags>b</ex:tags>\n"
               "        <ext1:note xmlns:ext1=\"https://other.example.org/ns#\">n</ext1:note>\n"
               "        <ex:ref>https://ns.example.com/epcis/thing</ex:ref>\n"
               "      </ObjectEvent>\n"
               "    </EventList>\n"
               "  </EPCISBody>\n"
               "</epcis:EPCISDocument>\n");
    assert_int_equal(c.notes.n, 0);
    assert_int_equal(assert_same_hashes(&c, "xml2"), 1);
    conv_free(&c);
}

static const char json_for_12[] = JDOC(
    EX_CTX, "{\"type\":\"ObjectEvent\"," TIMES "\"eventID\":\"urn:uuid:1\","
            "\"errorDeclaration\":{\"declarationTime\":\"2024-03-02T09:00:00Z\","
            "\"reason\":\"incorrect_data\",\"ex:why\":\"typo\"},"
            "\"certificationInfo\":\"https://cert.example.org/1\",\"action\":\"OBSERVE\","
            "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.L1\","
            "\"quantity\":5}],\"ilmd\":{\"ex:lot\":\"L1\"},"
            "\"sensorElementList\":[{\"sensorReport\":[{\"type\":\"Temperature\",\"value\":3}]}],"
            "\"ex:x\":\"1\",\"unknownField\":\"u\"},"
            "{\"type\":\"AssociationEvent\"," TIMES
            "\"parentID\":\"urn:epc:id:grai:4012345.55555.1\",\"action\":\"ADD\"},"
            "{\"type\":\"TransformationEvent\"," TIMES
            "\"inputEPCList\":[\"urn:epc:id:sgtin:4012345.011111.1\"],"
            "\"outputEPCList\":[\"urn:epc:id:sgtin:4012345.011111.2\"],"
            "\"persistentDisposition\":{\"set\":[\"completeness_verified\"]},"
            "\"bizStep\":\"https://example.com/steps/mix\"}");

static const char want_12[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\""
    " xmlns:ex=\"https://ns.example.com/epcis/\" xmlns:cbvmda=\"urn:epcglobal:cbv:mda:\""
    " schemaVersion=\"1.2\" creationDate=\"" DATE "\">\n"
    "  <EPCISBody>\n"
    "    <EventList>\n"
    "      <ObjectEvent>\n"
    "        <eventTime>2024-03-01T09:00:00Z</eventTime>\n"
    "        <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
    "        <baseExtension>\n"
    "          <eventID>urn:uuid:1</eventID>\n"
    "          <errorDeclaration>\n"
    "            <declarationTime>2024-03-02T09:00:00Z</declarationTime>\n"
    "            <reason>urn:epcglobal:cbv:er:incorrect_data</reason>\n"
    "            <ex:why>typo</ex:why>\n"
    "          </errorDeclaration>\n"
    "        </baseExtension>\n"
    "        <epcList/>\n"
    "        <action>OBSERVE</action>\n"
    "        <extension>\n"
    "          <quantityList>\n"
    "            <quantityElement>\n"
    "              <epcClass>urn:epc:class:lgtin:4012345.012345.L1</epcClass>\n"
    "              <quantity>5</quantity>\n"
    "            </quantityElement>\n"
    "          </quantityList>\n"
    "          <ilmd>\n"
    "            <ex:lot>L1</ex:lot>\n"
    "          </ilmd>\n"
    "          <extension>\n"
    "            <unknownField>u</unknownField>\n"
    "          </extension>\n"
    "        </extension>\n"
    "        <ex:x>1</ex:x>\n"
    "      </ObjectEvent>\n"
    "      <extension>\n"
    "        <TransformationEvent>\n"
    "          <eventTime>2024-03-01T09:00:00Z</eventTime>\n"
    "          <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
    "          <inputEPCList>\n"
    "            <epc>urn:epc:id:sgtin:4012345.011111.1</epc>\n"
    "          </inputEPCList>\n"
    "          <outputEPCList>\n"
    "            <epc>urn:epc:id:sgtin:4012345.011111.2</epc>\n"
    "          </outputEPCList>\n"
    "          <bizStep>https://example.com/steps/mix</bizStep>\n"
    "        </TransformationEvent>\n"
    "      </extension>\n"
    "    </EventList>\n"
    "  </EPCISBody>\n"
    "</epcis:EPCISDocument>\n";

/* 1 when xmllint is installed. */
static int have_xmllint(void)
{
    return system("xmllint --version >/dev/null 2>&1") == 0;
}

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* JSON-LD to XML 1.2: the 1.2 wrappers, URNs, an empty epcList where 1.2
 * requires one, and a note for each field and event 1.2 cannot carry. (The
 * GS1 examples' test checks such output against the 1.2 XSD.) */
static void test_xml12_exact(void **state)
{
    (void)state;
    conv c;
    convert(&c, json_for_12, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(c.out, want_12);
    char notes[2048];
    assert_same_text(notes_text(&c.notes, notes, sizeof notes),
                     "event 0: sensorElementList dropped: EPCIS 1.2 has no sensor data\n"
                     "event 0: certificationInfo dropped: EPCIS 1.2 has no certification info\n"
                     "event 1: AssociationEvent dropped: EPCIS 1.2 has no AssociationEvent; the "
                     "event is not written\n"
                     "event 2: persistentDisposition dropped: EPCIS 1.2 has no persistent "
                     "disposition\n");
    assert_int_equal(c.notes.items[0].rc, ST_ERR_UNSUPPORTED);
    assert_int_equal(c.notes.items[0].event, 0);
    assert_string_equal(c.notes.items[0].path, "ObjectEvent/sensorElementList");
    assert_int_equal(assert_same_hashes(&c, "xml12"), 0); /* every event lost a field */
    conv_free(&c);
}

/* ---- identifiers, vocabularies, namespaces ------------------------------------ */

static const char json_ids[] =
    JDOC("", "{\"type\":\"ObjectEvent\"," TIMES "\"action\":\"OBSERVE\","
             "\"epcList\":[\"urn:epc:id:sgtin:4012345.011111.98\","
             "\"https://example.com/01/04012345111118/21/99?17=250101\","
             "\"urn:epc:idpat:sgtin:4012345.011111.*\",\"urn:uuid:abc\"],"
             "\"readPoint\":{\"id\":\"urn:epc:id:sgln:4012345.00005.0\"},"
             "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.L1\","
             "\"quantity\":1}],\"sourceList\":[{\"type\":\"owning_party\","
             "\"source\":\"https://id.gs1.org/417/4012345000009\"}],"
             "\"bizTransactionList\":[{\"type\":\"po\","
             "\"bizTransaction\":\"urn:epc:id:gdti:4012345.00001.1\"}]}");

/* Identifiers as read, as canonical Digital Links, as EPC URNs (Digital
 * Links kept, with a note: the company prefix length is unknown). The hash
 * ID stays in every mode; bizTransaction values are not identifiers here. */
static void test_identifiers(void **state)
{
    (void)state;
    conv c;
    convert(&c, json_ids, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_DL);
    assert_int_equal(c.rc, ST_OK);
    assert_non_null(strstr(c.out, "\"epcList\":[\"https://id.gs1.org/01/04012345111118/21/98\","
                                  "\"https://id.gs1.org/01/04012345111118/21/99\","
                                  "\"urn:epc:idpat:sgtin:4012345.011111.*\",\"urn:uuid:abc\"]"));
    assert_non_null(
        strstr(c.out, "\"readPoint\":{\"id\":\"https://id.gs1.org/414/4012345000054\"}"));
    assert_non_null(strstr(c.out, "\"epcClass\":\"https://id.gs1.org/01/04012345123456/10/L1\""));
    assert_non_null(strstr(c.out, "\"bizTransaction\":\"urn:epc:id:gdti:4012345.00001.1\""));
    assert_int_equal(c.notes.n, 0);
    assert_int_equal(assert_same_hashes(&c, "dl"), 1);

    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_URN);
    assert_int_equal(c.rc, ST_OK);
    assert_non_null(strstr(c.out, "<epc>urn:epc:id:sgtin:4012345.011111.98</epc>"));
    assert_non_null(
        strstr(c.out, "<epc>https://example.com/01/04012345111118/21/99?17=250101</epc>"));
    assert_non_null(strstr(c.out, "<id>urn:epc:id:sgln:4012345.00005.0</id>"));
    assert_non_null(strstr(c.out, "<source type=\"https://ref.gs1.org/cbv/SDT-owning_party\">"
                                  "https://id.gs1.org/417/4012345000009</source>"));
    char notes[2048];
    assert_same_text(
        notes_text(&c.notes, notes, sizeof notes),
        "event 0: cannot convert https://example.com/01/04012345111118/21/99?17=250101 "
        "to an EPC URN: company prefix length unknown; kept as it is\n"
        "event 0: cannot convert https://id.gs1.org/417/4012345000009 to an EPC URN: "
        "company prefix length unknown; kept as it is\n");
    assert_int_equal(c.notes.items[0].rc, ST_ERR_GCP_UNKNOWN);
    assert_string_equal(c.notes.items[0].path, "ObjectEvent/epcList/epc");
    assert_int_equal(assert_same_hashes(&c, "urn"), 1);

    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_non_null(strstr(c.out, "<id>urn:epc:id:sgln:4012345.00005.0</id>"));
    assert_int_equal(c.notes.n, 0);
    conv_free(&c);
}

/* One vocabulary value in each spelling, written in each format. */
static void test_vocabulary(void **state)
{
    (void)state;
    static const struct {
        const char *in;                  /* bizStep as read (JSON-LD) */
        const char *json, *xml2, *xml12; /* as written */
    } rows[] = {
        {"shipping", "shipping", "https://ref.gs1.org/cbv/BizStep-shipping",
         "urn:epcglobal:cbv:bizstep:shipping"},
        {"urn:epcglobal:cbv:bizstep:receiving", "receiving",
         "https://ref.gs1.org/cbv/BizStep-receiving", "urn:epcglobal:cbv:bizstep:receiving"},
        {"https://ref.gs1.org/cbv/BizStep-packing", "packing",
         "https://ref.gs1.org/cbv/BizStep-packing", "urn:epcglobal:cbv:bizstep:packing"},
        {"cbv:BizStep-loading", "loading", "https://ref.gs1.org/cbv/BizStep-loading",
         "urn:epcglobal:cbv:bizstep:loading"},
        {"urn:example:step:x", "urn:example:step:x", "urn:example:step:x", "urn:example:step:x"},
        {"https://example.com/steps/y", "https://example.com/steps/y",
         "https://example.com/steps/y", "https://example.com/steps/y"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        char doc[1024], want[256];
        snprintf(doc, sizeof doc,
                 JDOC("", "{\"type\":\"ObjectEvent\"," TIMES
                          "\"action\":\"OBSERVE\",\"bizStep\":\"%s\"}"),
                 rows[i].in);
        conv c;
        convert(&c, doc, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
        snprintf(want, sizeof want, "\"bizStep\":\"%s\"", rows[i].json);
        if (!strstr(c.out, want))
            fail_msg("row %zu: %s not in %s", i, want, c.out);
        for (int v = 0; v < 2; v++) {
            write_doc(&c, v ? ST_EPCIS_FMT_XML12 : ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
            snprintf(want, sizeof want, "<bizStep>%s</bizStep>", v ? rows[i].xml12 : rows[i].xml2);
            if (!strstr(c.out, want))
                fail_msg("row %zu: %s not in %s", i, want, c.out);
            assert_int_equal(assert_same_hashes(&c, rows[i].in), 1);
        }
        conv_free(&c);
    }
}

/* XML namespaces: a default namespace and a prefix bound to two IRIs get
 * prefixes of their own; a namespaced attribute of a sensor report; JSON-LD
 * from it and back. */
static void test_namespaces(void **state)
{
    (void)state;
    static const char doc[] =
        XDOC(2, " xmlns:a='urn:ns:one'",
             "<ObjectEvent>" XTIMES "<action>OBSERVE</action><sensorElementList><sensorElement>"
             "<sensorReport value='1' a:unit='u'/></sensorElement></sensorElementList>"
             "<d xmlns='urn:ns:default'><e>1</e></d><a:x xmlns:a='urn:ns:two'><a:y>2</a:y></a:x>"
             "<a:z>3</a:z></ObjectEvent>");
    conv c;
    convert(&c, doc, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_non_null(strstr(c.out, "<sensorReport value=\"1\" a:unit=\"u\"/>"));
    assert_non_null(strstr(c.out, "<ext1:d xmlns:ext1=\"urn:ns:default\">\n"
                                  "          <ext1:e>1</ext1:e>\n"
                                  "        </ext1:d>"));
    assert_non_null(strstr(c.out, "<ext2:x xmlns:ext2=\"urn:ns:two\">\n"
                                  "          <ext2:y>2</ext2:y>\n"
                                  "        </ext2:x>"));
    assert_non_null(strstr(c.out, "<a:z>3</a:z>"));
    assert_int_equal(assert_same_hashes(&c, "xml2"), 1);
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_non_null(strstr(c.out, "{\"a-ns\":\"urn:ns:one\"}"));
    assert_non_null(strstr(c.out, "\"@context\":{\"ext1\":\"urn:ns:default\","
                                  "\"ext2\":\"urn:ns:two\"}"));
    assert_non_null(strstr(c.out, "\"sensorReport\":[{\"value\":1,\"a-ns:unit\":\"u\"}]"));
    assert_non_null(strstr(c.out, "\"ext1:d\":{\"ext1:e\":\"1\"},\"ext2:x\":{\"ext2:y\":\"2\"},"
                                  "\"a-ns:z\":\"3\""));
    assert_int_equal(assert_same_hashes(&c, "jsonld"), 1);
    conv_free(&c);
}

/* What a format cannot say is noted: an XML field without namespace in
 * JSON-LD and XML 2.0, text beside child elements in JSON-LD, an XML name
 * that is none, booleanValue 1, a quantity that is no number. */
static void test_notes(void **state)
{
    (void)state;
    static const char doc[] =
        XDOC(1, " xmlns:ex='urn:ex'",
             "<ObjectEvent>" XTIMES "<epcList/><action>OBSERVE</action><extension><quantityList>"
             "<quantityElement><epcClass>urn:x</epcClass><quantity>many</quantity>"
             "</quantityElement></quantityList><extension><myField>m</myField></extension>"
             "</extension><ex:mixed>text<ex:in>1</ex:in></ex:mixed></ObjectEvent>");
    conv c;
    char notes[2048];
    convert(&c, doc, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(notes_text(&c.notes, notes, sizeof notes),
                     "event 0: quantity \"many\" is not a number; written as a string\n"
                     "event 0: myField is no EPCIS field and has no namespace: written as it is; "
                     "JSON-LD processors ignore such a key\n"
                     "event 0: the text \"text\" beside the fields of mixed is dropped: JSON-LD "
                     "has no place for it\n");
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_same_text(notes_text(&c.notes, notes, sizeof notes),
                     "event 0: myField is no EPCIS 2.0 field of ObjectEvent and has no namespace: "
                     "written as it is, which the EPCIS 2.0 XSD does not allow\n");
    assert_int_equal(assert_same_hashes(&c, "xml2"), 1);
    write_doc(&c, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.notes.n, 0);
    assert_int_equal(assert_same_hashes(&c, "xml12"), 1);
    conv_free(&c);

    static const char json[] =
        JDOC("", "{\"type\":\"ObjectEvent\"," TIMES "\"action\":\"OBSERVE\",\"bad name\":\"v\"},"
                 "{\"type\":\"QuantityEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\"}");
    convert(&c, json, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(notes_text(&c.notes, notes, sizeof notes),
                     "event 0: \"bad name\" is not an XML name; the field is dropped\n"
                     "event 1: QuantityEvent is not an EPCIS event type; the event is not "
                     "written\n");
    assert_null(strstr(c.out, "QuantityEvent"));
    conv_free(&c);

    static const char xml_bool[] =
        XDOC(2, "",
             "<ObjectEvent>" XTIMES "<action>OBSERVE</action><sensorElementList>"
             "<sensorElement><sensorReport booleanValue='1'/></sensorElement>"
             "</sensorElementList></ObjectEvent>");
    convert(&c, xml_bool, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_non_null(strstr(c.out, "\"booleanValue\":true"));
    assert_same_text(notes_text(&c.notes, notes, sizeof notes),
                     "event 0: booleanValue \"1\" is written as true (the event hash ID, which "
                     "reads the text, changes)\n");
    conv_free(&c);
}

/* ---- streaming and failures ---------------------------------------------------- */

/* The head is out when open returns, each event when its call returns; a
 * document without events in each format, exactly, reads back empty. */
static void test_streaming(void **state)
{
    (void)state;
    static const char *const empty[] = {
        "",
        "{\"@context\":[\"" CTX "\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
        "\"creationDate\":\"" DATE "\",\"epcisBody\":{\"eventList\":[\n]}}\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<epcis:EPCISDocument "
        "xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" creationDate=\"" DATE
        "\">\n  <EPCISBody>\n    <EventList/>\n  </EPCISBody>\n</epcis:EPCISDocument>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<epcis:EPCISDocument "
        "xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" creationDate=\"" DATE
        "\">\n  <EPCISBody>\n    <EventList/>\n  </EPCISBody>\n</epcis:EPCISDocument>\n",
    };
    /* libxml2 holds back the '>' of a start tag until it knows what follows */
    static const char *const head[] = {"", "\"eventList\":[\n", "<EventList", "<EventList"};
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        for (int events = 0; events <= 3; events += 3) {
            conv c;
            memset(&c, 0, sizeof c);
            c.a = st_arena_create(0);
            assert_int_equal(read_doc(&c.doc, c.a, &c.diag, json_ids, strlen(json_ids)), ST_OK);
            FILE *out = open_memstream(&c.out, &c.n);
            st_epcis_writer *w = NULL;
            assert_int_equal(
                st_epcis_writer_open(fmt, ST_EPCIS_IDS_ASIS, events ? &c.doc : NULL, out, NULL, &w),
                ST_OK);
            fflush(out);
            size_t hl = strlen(head[fmt]);
            if (c.n <= hl || strcmp(c.out + c.n - hl, head[fmt]))
                fail_msg("after open: [%s]", c.out ? c.out : "(null)");
            for (int i = 0; i < events; i++) {
                size_t before = c.n;
                assert_int_equal(st_epcis_writer_event(w, c.doc.kept[0]), ST_OK);
                fflush(out);
                assert_non_null(strstr(c.out + before, fmt == ST_EPCIS_FMT_JSONLD
                                                           ? "\"type\":\"ObjectEvent\""
                                                           : "</ObjectEvent>"));
            }
            assert_int_equal(st_epcis_writer_finish(w), ST_OK);
            fclose(out);
            if (!events)
                assert_same_text(c.out, empty[fmt]);
            st_epcis_doc back;
            st_diag diag;
            assert_int_equal(read_doc(&back, c.a, &diag, c.out, c.n), ST_OK);
            assert_int_equal(back.n_kept, (size_t)events);
            conv_free(&c);
        }
    }
}

static void test_arguments_and_io(void **state)
{
    (void)state;
    st_epcis_writer *w = (st_epcis_writer *)&w;
    assert_int_equal(
        st_epcis_writer_open(ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS, NULL, NULL, NULL, &w),
        ST_ERR_ARG);
    assert_null(w);
    assert_int_equal(
        st_epcis_writer_open(ST_EPCIS_FMT_UNKNOWN, ST_EPCIS_IDS_ASIS, NULL, stdout, NULL, &w),
        ST_ERR_ARG);
    assert_int_equal(
        st_epcis_writer_open(ST_EPCIS_FMT_XML2, (st_epcis_ids)7, NULL, stdout, NULL, &w),
        ST_ERR_ARG);
    assert_int_equal(
        st_epcis_writer_open(ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS, NULL, stdout, NULL, NULL),
        ST_ERR_ARG);
    assert_int_equal(st_epcis_writer_event(NULL, NULL), ST_ERR_ARG);
    assert_int_equal(st_epcis_writer_finish(NULL), ST_OK);

    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        print_message("/dev/full is not there: skipping the write-failure check\n");
        return;
    }
    setvbuf(full, NULL, _IOFBF, 64); /* fail soon, not at the final flush only */
    st_arena *a = st_arena_create(0);
    st_epcis_doc doc;
    st_diag diag;
    assert_int_equal(read_doc(&doc, a, &diag, json_ids, strlen(json_ids)), ST_OK);
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        st_rc rc = st_epcis_writer_open(fmt, ST_EPCIS_IDS_ASIS, &doc, full, NULL, &w);
        if (rc == ST_OK) { /* the head may still sit in the FILE's buffer */
            assert_int_equal(st_epcis_writer_event(w, NULL), ST_ERR_ARG);
            for (int i = 0; i < 50 && rc == ST_OK; i++)
                rc = st_epcis_writer_event(w, doc.kept[0]);
            st_rc fin = st_epcis_writer_finish(w);
            assert_int_equal(fin, ST_ERR_IO);
        }
        assert_true(rc == ST_OK || rc == ST_ERR_IO);
        clearerr(full);
    }
    fclose(full);
    st_arena_destroy(a);
}

/* ---- the GS1 examples ----------------------------------------------------------- */

static const char *const fmt_name[] = {"", "jsonld", "xml2", "xml12"};
static const char *const ids_name[] = {"asis", "urn", "dl"};

typedef struct corpus {
    const char *shared;    /* ST_SHARED_DIR */
    char *tmp;             /* folder for the XML files xmllint checks, or NULL */
    size_t files;          /* examples converted */
    size_t unreadable;     /* examples the readers refuse (their own tests say why) */
    size_t compared[4][3]; /* events whose hash ID was compared, by format and ids */
    size_t written[4][3];  /* documents written, by format and ids */
    size_t lost[4];        /* JSON-LD / XML 2.0 (asis): notes of something dropped */
    size_t dropped12[4];   /* XML 1.2 (asis): notes per kind of drops12 */
} corpus;

/* What XML 1.2 drops, as its notes say. */
static const char *const drops12[] = {"sensorElementList dropped", "persistentDisposition dropped",
                                      "certificationInfo dropped", "AssociationEvent dropped"};

/* The one example that loses data in JSON-LD: ILMD elements with text and an
 * attribute (<cbvmda:drainedWeight measurementUnitCode="KGM">3.5</...>),
 * which the JSON-LD event model cannot hold; the writer says so. */
static const char lossy_jsonld[] = "XML/WithFullCombinationOfFields/"
                                   "transformation_event_all_possible_fields.xml";

/* Tally the notes of one conversion and check that only XML 1.2, and JSON-LD
 * for lossy_jsonld, dropped anything from an event. (Notes on the document
 * header, event -1, are write_header_test.c's.) */
static void tally_notes(corpus *c, const conv *cv, const char *rel, int fmt, int ids)
{
    for (size_t i = 0; i < cv->notes.n; i++) {
        const char *m = cv->notes.items[i].msg;
        if (!strstr(m, "dropped") || cv->notes.items[i].event < 0)
            continue;
        if (fmt == ST_EPCIS_FMT_XML12) {
            for (size_t k = 0; k < COUNT(drops12); k++)
                c->dropped12[k] += ids == ST_EPCIS_IDS_ASIS && strstr(m, drops12[k]) != NULL;
            continue;
        }
        if (ids == ST_EPCIS_IDS_ASIS) {
            c->lost[fmt]++;
            print_message("  %s as %s: %s\n", rel, fmt_name[fmt], m);
        }
        if (fmt != ST_EPCIS_FMT_JSONLD || strcmp(rel, lossy_jsonld))
            fail_msg("%s as %s/%s: %s", rel, fmt_name[fmt], ids_name[ids], m);
    }
}

static void convert_example(corpus *c, const char *path, const char *rel)
{
    size_t n = 0;
    char *buf = slurp(path, &n);
    assert_non_null(buf);
    assert_true(n < 1 << 22); /* the largest example is about 100 kB */
    conv cv;
    memset(&cv, 0, sizeof cv);
    cv.a = st_arena_create(0);
    st_rc rc = read_doc(&cv.doc, cv.a, &cv.diag, buf, n);
    free(buf);
    if (rc != ST_OK) {
        c->unreadable++;
        conv_free(&cv);
        return;
    }
    c->files++;
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        for (int ids = ST_EPCIS_IDS_ASIS; ids <= ST_EPCIS_IDS_DL; ids++) {
            write_doc(&cv, fmt, ids);
            if (cv.rc != ST_OK)
                fail_msg("%s as %s/%s: rc %d", rel, fmt_name[fmt], ids_name[ids], cv.rc);
            char what[1024];
            snprintf(what, sizeof what, "%s as %s/%s", rel, fmt_name[fmt], ids_name[ids]);
            c->compared[fmt][ids] += assert_same_hashes(&cv, what);
            tally_notes(c, &cv, rel, fmt, ids);
            c->written[fmt][ids]++;
            if (c->tmp && fmt != ST_EPCIS_FMT_JSONLD && ids != ST_EPCIS_IDS_URN) {
                char file[2048]; /* <tmp>/XML-1.2_ObjectEvent.xml.xml2.asis.xml */
                int k = snprintf(file, sizeof file, "%s/", c->tmp);
                for (const char *p = rel; *p && k < 1900; p++)
                    file[k++] = *p == '/' || *p == ' ' || *p == ',' ? '_' : *p;
                snprintf(file + k, sizeof file - (size_t)k, ".%s.%s.xml", fmt_name[fmt],
                         ids_name[ids]);
                FILE *f = fopen(file, "wb");
                assert_non_null(f);
                assert_int_equal(fwrite(cv.out, 1, cv.n, f), cv.n);
                fclose(f);
            }
        }
    }
    conv_free(&cv);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)name;
    convert_example(ctx, path, rel);
}

/* Run xmllint on every file of c->tmp written as fmt; the files that fail
 * must be exactly those named in expect, each printed with why. */
static void xsd_check(const corpus *c, int fmt, const char *xsd, const char *const *expect)
{
    char cmd[4096], line[4096];
    snprintf(cmd, sizeof cmd,
             "xmllint --nonet --noout --schema '%s/conformance/gs1-epcis/%s' '%s'/*.%s.*.xml 2>&1",
             c->shared, xsd, c->tmp, fmt_name[fmt]);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t ok = 0, bad = 0, unexpected = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, " validates")) {
            ok++;
        } else if (strstr(line, " fails to validate")) {
            int known = 0;
            for (const char *const *x = expect; *x; x++)
                known |= strstr(line, *x) != NULL;
            bad++;
            unexpected += !known;
            print_message("  %s: %s (%s)\n", fmt_name[fmt], line + strlen(c->tmp) + 1,
                          known ? "expected" : "UNEXPECTED");
        } else if (strstr(line, "error")) {
            print_message("    %s\n", strstr(line, "element") ? strstr(line, "element") : line);
        }
    }
    assert_int_equal(pclose(p), bad ? 3 << 8 : 0); /* xmllint: 3 = validation failed */
    print_message("%s: %zu files validate against %s, %zu do not\n", fmt_name[fmt], ok, xsd, bad);
    size_t n_expect = 0;
    while (expect[n_expect])
        n_expect++;
    assert_int_equal(unexpected, 0);
    assert_int_equal(bad, n_expect);
    assert_true(ok > 0);
}

/* Every GS1 example (JSON, XML, XML-1.2) in every format and ids mode
 * written, read back, hash IDs compared event by event; the XML written with
 * ids as read and as Digital Links validated against the XSDs (URN mode
 * writes nothing the other two do not). */
static void test_gs1_examples(void **state)
{
    (void)state;
    corpus c;
    memset(&c, 0, sizeof c);
    c.shared = test_shared_dir();
    char root[1024];
    struct stat st;
    if (c.shared)
        snprintf(root, sizeof root, "%s/conformance/gs1-epcis", c.shared);
    if (!c.shared || stat(root, &st) != 0) {
        print_message("ST_SHARED_DIR is not set or has no GS1 examples: skipping them\n");
        skip();
    }
    char tmpl[1024];
    snprintf(tmpl, sizeof tmpl, "%s/st_write_xsdXXXXXX", tmp_dir());
    if (!have_xmllint())
        print_message("xmllint is not installed: skipping the XSD validation\n");
    else
        assert_non_null(c.tmp = mkdtemp(tmpl));
    static const char *const dirs[] = {"JSON", "XML", "XML-1.2"};
    for (size_t i = 0; i < COUNT(dirs); i++) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
        walk_examples(dir, dirs[i], epcis_exts, on_example, &c);
    }
    print_message("%zu GS1 examples converted (%zu the readers refuse)\n", c.files, c.unreadable);
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++)
        for (int ids = ST_EPCIS_IDS_ASIS; ids <= ST_EPCIS_IDS_DL; ids++)
            print_message("  %-6s %-4s: %zu documents, %zu events with the same hash ID\n",
                          fmt_name[fmt], ids_name[ids], c.written[fmt][ids], c.compared[fmt][ids]);
    print_message("XML 1.2 (asis) notes: %zu sensorElementList, %zu persistentDisposition, "
                  "%zu certificationInfo dropped, %zu AssociationEvents dropped\n",
                  c.dropped12[0], c.dropped12[1], c.dropped12[2], c.dropped12[3]);
    assert_int_equal(c.lost[ST_EPCIS_FMT_XML2], 0);
    assert_int_equal(c.lost[ST_EPCIS_FMT_JSONLD], 3);
    assert_true(c.files >= 80);
    assert_true(c.compared[ST_EPCIS_FMT_JSONLD][ST_EPCIS_IDS_DL] >= 100);
    if (c.tmp) {
        /* 1.2 puts an unqualified vendor field in <extension><extension>;
         * 2.0 has no place for a field without namespace */
        static const char *const bad20[] = {"XML-1.2_ObjectEvent.xml.xml2.asis.xml",
                                            "XML-1.2_ObjectEvent.xml.xml2.dl.xml", NULL};
        static const char *const bad12[] = {NULL};
        xsd_check(&c, ST_EPCIS_FMT_XML2, "XSD/EPCglobal-epcis-2_0.xsd", bad20);
        xsd_check(&c, ST_EPCIS_FMT_XML12, "XSD-1.2/EPCglobal-epcis-1_2.xsd", bad12);
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", c.tmp);
        assert_int_equal(system(cmd), 0);
    }
}

int main(void)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonld_exact),
        cmocka_unit_test(test_xml2_exact),
        cmocka_unit_test(test_xml12_exact),
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_arguments_and_io),
        cmocka_unit_test(test_gs1_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
