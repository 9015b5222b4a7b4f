/*
 * Tests for lib/epcis/hashid.c: the CBV 2.0 event hash ID. Event trees are
 * written in the indented text form of tree_dump.h ("  name [A]=value", two
 * spaces per level, "{IRI}" before extension names) and built by hand, shaped
 * as the XML and JSON-LD readers shape them; the expected pre-hash strings and
 * hashes are the worked examples and reference vectors of gs1-facts 6 and 9.2.
 * With ST_SHARED_DIR set and the readers built, the seven representations of
 * one event in the conformance corpus (XML/WithEventHashID) are hashed too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/cbv.h"
#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/xml.h"
#include "unit/test_util.h"

/* ---- building trees from text -------------------------------------------- */

/*
 * The event described by text, one node per line: two spaces per depth,
 * optional "{IRI}" namespace, the name, optional " [ANBL]" flags, optional
 * "=value" (the rest of the line, taken as written). Lines starting with '#'
 * are comments. Everything lives in a.
 */
static st_event *build(st_arena *a, const char *text)
{
    st_evnode *stack[64] = {0};
    st_event *ev = st_arena_calloc(a, sizeof *ev);
    assert_non_null(ev);
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char buf[1024];
        assert_true(len < sizeof buf);
        memcpy(buf, line, len);
        buf[len] = '\0';
        line += len + (eol != NULL);
        size_t sp = strspn(buf, " ");
        if (!buf[sp] || buf[sp] == '#')
            continue;
        assert_int_equal(sp % 2, 0);
        size_t depth = sp / 2;
        char *p = buf + sp, *ns = NULL, *value = NULL;
        if (*p == '{') {
            ns = p + 1;
            p = strchr(p, '}');
            assert_non_null(p);
            *p++ = '\0';
        }
        char *name = p;
        p += strcspn(p, " =");
        unsigned flags = 0;
        if (*p == ' ') {
            *p++ = '\0';
            assert_int_equal(*p, '[');
            for (p++; *p && *p != ']'; p++)
                flags |= *p == 'A'   ? ST_EVN_ATTR
                         : *p == 'N' ? ST_EVN_NUMBER
                         : *p == 'B' ? ST_EVN_BOOL
                                     : ST_EVN_LIST;
            assert_int_equal(*p, ']');
            *p++ = '\0';
        }
        if (*p == '=') {
            *p++ = '\0';
            value = p;
        }
        assert_true(depth == 0 || stack[depth - 1] != NULL);
        st_evnode *n = st_evnode_add(a, depth ? stack[depth - 1] : NULL, ns, name, value,
                                     value ? strlen(value) : 0, flags);
        assert_non_null(n);
        if (depth == 0) {
            ev->root = n;
            ev->type = st_event_type_from_name(name);
        }
        stack[depth] = n;
        stack[depth + 1] = NULL;
    }
    assert_non_null(ev->root);
    return ev;
}

/* Prefix bindings as a reader puts them in doc->ns: "ext1=http://...|x=...". */
static st_evnode *bindings(st_arena *a, const char *spec)
{
    st_evnode *ns = st_evnode_add(a, NULL, NULL, "ns", NULL, 0, 0);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *item = strtok_r(buf, "|", &save); item;
         item = strtok_r(NULL, "|", &save)) {
        char *eq = strchr(item, '=');
        *eq = '\0';
        assert_non_null(st_evnode_add(a, ns, NULL, item, eq + 1, strlen(eq + 1), 0));
    }
    return ns;
}

/* Assert the pre-hash string and (when hash is not NULL) the hash of text. */
static void expect(const char *text, const st_evnode *ns, const char *prehash, const char *hash)
{
    st_arena *a = st_arena_create(0);
    st_event *ev = build(a, text);
    static char out[65536];
    size_t len = 0;
    assert_int_equal(st_hashid_prehash(ev, ns, out, sizeof out, &len), ST_OK);
    assert_string_equal(out, prehash);
    assert_int_equal(len, strlen(prehash));
    if (hash) {
        char id[ST_HASHID_LEN + 1];
        assert_int_equal(st_hashid_compute(ev, ns, id), ST_OK);
        assert_int_equal(strlen(id), ST_HASHID_LEN);
        assert_string_equal(id, hash);
    }
    st_arena_destroy(a);
}

/* The hash ID of text. */
static void hash_of(const char *text, const st_evnode *ns, char id[ST_HASHID_LEN + 1])
{
    st_arena *a = st_arena_create(0);
    assert_int_equal(st_hashid_compute(build(a, text), ns, id), ST_OK);
    st_arena_destroy(a);
}

#define NI(hex) "ni:///sha-256;" hex "?ver=CBV2.0"
#define EX "{https://ns.example.com/epcis/}"

/* ---- worked examples and reference vectors ------------------------------- */

/* gs1-facts 6.11: ReferenceEventHashAlgorithm.xml, extensions nested. */
static void test_example1_xml(void **state)
{
    (void)state;
    expect("ObjectEvent\n"
           "  eventTime=2020-03-04T11:00:30.000+01:00\n"
           "  recordTime=2020-03-04T11:00:30.999+01:00\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  epcList [L]\n"
           "    epc=urn:epc:id:sscc:4012345.0000000333\n"
           "    epc=urn:epc:id:sscc:4012345.0000000111\n"
           "    epc=urn:epc:id:sscc:4012345.0000000222\n"
           "  action=OBSERVE\n"
           "  bizStep=urn:epcglobal:cbv:bizstep:departing\n"
           "  readPoint\n"
           "    id=urn:epc:id:sgln:4012345.00011.987\n"
           "  " EX "myField1\n"
           "    " EX "mySubField1=2\n"
           "    " EX "mySubField2=5\n"
           "  " EX "myField2=0\n"
           "  " EX "myField3\n"
           "    " EX "mySubField3=3\n"
           "    " EX "mySubField3=1\n",
           NULL,
           "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00"
           "epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/"
           "040123450000002225epc=https://id.gs1.org/00/040123450000003338action=OBSERVE"
           "bizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/"
           "4012345000115/254/987" EX "myField1" EX "mySubField1=2" EX "mySubField2=5" EX
           "myField2=0" EX "myField3" EX "mySubField3=1" EX "mySubField3=3",
           NI("6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7"));
}

/* The JSON-LD event of gs1-facts 6.12 (epcisDocWithSingleEvent.jsonld). */
static const char example2_json[] = "ObjectEvent\n"
                                    "  action=OBSERVE\n"
                                    "  bizStep=shipping\n"
                                    "  disposition=in_transit\n"
                                    "  epcList [L]\n"
                                    "    epc=urn:epc:id:sgtin:0614141.107346.2017\n"
                                    "    epc=urn:epc:id:sgtin:0614141.107346.2018\n"
                                    "  eventTime=2022-02-16T20:33:31.116000-06:00\n"
                                    "  eventTimeZoneOffset=-06:00\n"
                                    "  readPoint\n"
                                    "    id=urn:epc:id:sgln:0614141.07346.1234\n"
                                    "  bizTransactionList [L]\n"
                                    "    bizTransaction=http://transaction.acme.com/po/12345678\n"
                                    "      type [A]=po\n";

static const char example2_prehash[] =
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00epcList"
    "epc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/"
    "21/2018action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://"
    "ref.gs1.org/cbv/Disp-in_transitreadPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=http://"
    "transaction.acme.com/po/12345678";

static void test_example2_jsonld(void **state)
{
    (void)state;
    expect(example2_json, NULL, example2_prehash,
           NI("ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b"));
}

/* The same event as EPCIS 1.2 XML would carry it: URNs, another field order,
 * a recordTime and an eventID. One hash. */
static void test_example2_as_xml(void **state)
{
    (void)state;
    expect("ObjectEvent\n"
           "  eventTime=2022-02-16T20:33:31.116-06:00\n"
           "  recordTime=2022-02-17T00:00:00Z\n"
           "  eventTimeZoneOffset=-06:00\n"
           "  eventID=urn:uuid:7e1e4a70-7b54-4bd6-a6a8-5a1a34fdb5a0\n"
           "  epcList\n"
           "    epc=urn:epc:id:sgtin:0614141.107346.2018\n"
           "    epc=urn:epc:id:sgtin:0614141.107346.2017\n"
           "  action=OBSERVE\n"
           "  bizStep=urn:epcglobal:cbv:bizstep:shipping\n"
           "  disposition=https://ref.gs1.org/cbv/Disp-in_transit\n"
           "  readPoint\n"
           "    id=https://id.gs1.org/414/0614141073467/254/1234\n"
           "  bizTransactionList\n"
           "    bizTransaction=http://transaction.acme.com/po/12345678\n"
           "      type [A]=urn:epcglobal:cbv:btt:po\n",
           NULL, example2_prehash,
           NI("ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b"));
}

/* gs1-facts 6.12 example 3 (ReferenceEventHashAlgorithm3.xml): an inline
 * readPoint extension and the sorted remainder block. */
static void test_example3(void **state)
{
    (void)state;
    expect("ObjectEvent\n"
           "  eventTime=2020-03-04T11:00:30.000+01:00\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  epcList\n"
           "    epc=urn:epc:id:sgtin:0614141.011111.987\n"
           "  action=OBSERVE\n"
           "  bizStep=urn:epcglobal:cbv:bizstep:departing\n"
           "  disposition=urn:epcglobal:cbv:disp:in_transit\n"
           "  readPoint\n"
           "    id=urn:epc:id:sgln:4012345.00011.0\n"
           "    " EX "myField1=AB-12\n"
           "  bizTransactionList\n"
           "    bizTransaction=urn:epc:id:gdti:4012345.11111.123\n"
           "      type [A]=urn:epcglobal:cbv:btt:po\n"
           "  sourceList\n"
           "    source=urn:epc:id:pgln:4012345.00000\n"
           "      type [A]=urn:epcglobal:cbv:sdt:owning_party\n"
           "  destinationList\n"
           "    destination=urn:epc:id:pgln:0614141.00000\n"
           "      type [A]=urn:epcglobal:cbv:sdt:owning_party\n"
           "  " EX "userExt=CD-34\n",
           NULL,
           "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00"
           "epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVEbizStep=https://"
           "ref.gs1.org/cbv/BizStep-departingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
           "readPointid=https://id.gs1.org/414/4012345000115" EX "myField1=AB-12"
           "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://"
           "id.gs1.org/253/4012345111118123destinationListtype=https://ref.gs1.org/cbv/"
           "SDT-owning_partydestination=https://id.gs1.org/417/0614141000005sourceListtype="
           "https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009" EX
           "userExt=CD-34",
           NI("a13cbe6c8bb6df3710b3edaeff760a1365ec8fd69ca1f4d7e0c10eb5189a883a"));
}

/* gs1-facts 9.2: ReferenceEventHashAlgorithm2 (sensor data; XML attributes). */
static void test_reference2_sensor(void **state)
{
    (void)state;
    expect("ObjectEvent\n"
           "  eventTime=2020-04-01T15:00:00.000+01:00\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  epcList\n"
           "    epc=urn:epc:id:sgtin:4012345.011111.9876\n"
           "  action=OBSERVE\n"
           "  bizStep=urn:epcglobal:cbv:bizstep:inspecting\n"
           "  readPoint\n"
           "    id=urn:epc:id:sgln:4012345.00005.0\n"
           "  sensorElementList\n"
           "    sensorElement\n"
           "      sensorMetadata\n"
           "        deviceID [A]=urn:epc:id:giai:4000001.111\n"
           "        deviceMetadata [A]=https://id.gs1.org/giai/4000001111\n"
           "      sensorReport\n"
           "        type [A]=gs1:Temperature\n"
           "        value [A]=26\n"
           "        uom [A]=CEL\n"
           "        sDev [A]=0.1\n"
           "      sensorReport\n"
           "        type [A]=gs1:AbsoluteHumidity\n"
           "        value [A]=12.1\n"
           "        uom [A]=A93\n"
           "      sensorReport\n"
           "        type [A]=gs1:Dimensionless\n"
           "        microorganism [A]=https://www.ncbi.nlm.nih.gov/taxonomy/1126011\n"
           "        value [A]=0.05\n"
           "        uom [A]=C35\n"
           "      sensorReport\n"
           "        type [A]=gs1:Dimensionless\n"
           "        chemicalSubstance [A]=https://identifiers.org/inchikey:CZMRCDWAGMRECN-"
           "UGDNZRGBSA-N\n"
           "        value [A]=0.18\n"
           "        uom [A]=C35\n",
           NULL,
           "eventType=ObjectEventeventTime=2020-04-01T14:00:00.000ZeventTimeZoneOffset=+01:00"
           "epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVEbizStep=https://"
           "ref.gs1.org/cbv/BizStep-inspectingreadPointid=https://id.gs1.org/414/4012345000054"
           "sensorElementListsensorElementsensorMetadatadeviceID=https://id.gs1.org/8004/"
           "4000001111deviceMetadata=https://id.gs1.org/8004/4000001111sensorReporttype=https://"
           "gs1.org/voc/AbsoluteHumidityvalue=12.1uom=A93sensorReporttype=https://gs1.org/voc/"
           "DimensionlesschemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-"
           "UGDNZRGBSA-Nvalue=0.18uom=C35sensorReporttype=https://gs1.org/voc/Dimensionless"
           "microorganism=https://www.ncbi.nlm.nih.gov/taxonomy/1126011value=0.05uom=C35"
           "sensorReporttype=https://gs1.org/voc/Temperaturevalue=26sDev=0.1uom=CEL",
           NI("49b13037c36e84ad9307c531671b00e901318c3957e4b1151f816ec49eb668da"));
}

/* gs1-facts 9.2: TimeStampRoundOff (JSON-LD), millisecond rounding, Digital
 * Links on another domain, a geo: URI, bare sensor vocabulary words. */
static void test_timestamp_roundoff(void **state)
{
    (void)state;
    expect("ObjectEvent\n"
           "  eventTime=2023-02-02T11:04:03.1415Z\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  epcList [L]\n"
           "    epc=https://id.gs1.de/00/040123451111111110\n"
           "  action=OBSERVE\n"
           "  bizStep=shipping\n"
           "  disposition=in_transit\n"
           "  readPoint\n"
           "    id=https://id.gs1.de/414/4012345000115\n",
           NULL,
           "eventType=ObjectEventeventTime=2023-02-02T11:04:03.142ZeventTimeZoneOffset=+01:00"
           "epcListepc=https://id.gs1.org/00/040123451111111110action=OBSERVEbizStep=https://"
           "ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
           "readPointid=https://id.gs1.org/414/4012345000115",
           NI("af7658e711574363633f20b3dadc7bc4c13c6f612cf96d95e03c421c0e58f3c6"));
    expect("ObjectEvent\n"
           "  eventTime=2023-02-02T11:04:03.1414Z\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  epcList [L]\n"
           "    epc=https://id.gs1.de/00/040123451111111110\n"
           "  action=OBSERVE\n"
           "  bizStep=transporting\n"
           "  readPoint\n"
           "    id=geo:50.947573340894124,6.922120147375441\n",
           NULL,
           "eventType=ObjectEventeventTime=2023-02-02T11:04:03.141ZeventTimeZoneOffset=+01:00"
           "epcListepc=https://id.gs1.org/00/040123451111111110action=OBSERVEbizStep=https://"
           "ref.gs1.org/cbv/BizStep-transportingreadPointid=geo:50.947573340894124,"
           "6.922120147375441",
           NI("0550df44527332c1fe417c5837fe61b9e71eaa93307b88519dac549bf2d4dcf9"));
    /* the file's third event (its pre-hash is in the reference .prehashes) */
    expect("ObjectEvent\n"
           "  eventTime=2023-02-12T11:04:03.1415Z\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  certificationInfo=https://accreditation-council.example.org/certificate/ABC12345\n"
           "  epcList [L]\n"
           "    epc=https://id.gs1.de/01/04012345999990/21/XYZ-1234\n"
           "  action=OBSERVE\n"
           "  bizStep=receiving\n"
           "  disposition=in_progress\n"
           "  readPoint\n"
           "    id=https://id.gs1.de/414/4012345000115\n"
           "  sensorElementList [L]\n"
           "    sensorElement\n"
           "      sensorMetadata\n"
           "        time=2023-02-12T11:04:03.1007Z\n"
           "        bizRules=https://id.example.com/253/4012345000054987\n"
           "      sensorReport\n"
           "        type=Dimensionless\n"
           "        exception=ALARM_CONDITION\n"
           "        coordinateReferenceSystem=http://www.opengis.net/def/crs/EPSG/0/27700\n",
           NULL,
           "eventType=ObjectEventeventTime=2023-02-12T11:04:03.142ZeventTimeZoneOffset=+01:00"
           "certificationInfo=https://accreditation-council.example.org/certificate/ABC12345"
           "epcListepc=https://id.gs1.org/01/04012345999990/21/XYZ-1234action=OBSERVEbizStep="
           "https://ref.gs1.org/cbv/BizStep-receivingdisposition=https://ref.gs1.org/cbv/"
           "Disp-in_progressreadPointid=https://id.gs1.org/414/4012345000115sensorElementList"
           "sensorElementsensorMetadatatime=2023-02-12T11:04:03.101ZbizRules=https://id.gs1.org/"
           "253/4012345000054987sensorReporttype=https://gs1.org/voc/Dimensionlessexception="
           "https://gs1.org/voc/ALARM_CONDITIONcoordinateReferenceSystem=http://www.opengis.net/"
           "def/crs/EPSG/0/27700",
           NI("589e6268daac257cff0a64ae0f525abcc3ff90bc7832171270fd9260e9c481c8"));
}

/* ---- canonicalisation units ----------------------------------------------- */

static void canon_is(const char *in, int vocab, const st_evnode *ns, const char *want)
{
    char out[1024];
    assert_int_equal(st_hashid_canon_value(in, vocab, ns, out, sizeof out), ST_OK);
    if (strcmp(out, want))
        fail_msg("canon(\"%s\") = \"%s\", expected \"%s\"", in, out, want);
}

static void test_numbers(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"1.0", "1"},
        {"600.0", "600"},
        {"0.3434", "0.3434"},
        {"12.10", "12.1"},
        {"+5", "5"},
        {"007", "7"},
        {"1e3", "1000"},
        {"1e-05", "1e-05"},
        {"0.00001", "1e-05"},
        {"1.5e-7", "1.5e-07"},
        {"0.0001", "0.0001"},
        {"-0.0", "0"},
        {"-2.50", "-2.5"},
        {"26.0", "26"},
        {"0.1", "0.1"},
        {"5.", "5"},
        {".5", "0.5"},
        {"1E+2", "100"},
        {" 42 ", "42"},
        {"123456789.5", "123456789.5"},
        {"111100001111000011110000", "111100001111000003641344"},
        {"1e16", "10000000000000000"},
        /* not numbers, or left as written */
        {"inf", "inf"},
        {"nan", "nan"},
        {"1_000", "1_000"},
        {"0x1A", "0x1A"},
        {"1e400", "1e400"},
        {"1.2.3", "1.2.3"},
        {"+", "+"},
        {"e5", "e5"},
        {"12abc", "12abc"},
        {"-", "-"},
        {"1e", "1e"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        canon_is(cases[i][0], -1, NULL, cases[i][1]);
}

static void time_is(const char *in, const char *want)
{
    char out[64];
    st_rc rc = st_hashid_canon_time(in, out, sizeof out);
    if (!want) {
        if (rc != ST_ERR_DATE)
            fail_msg("canon_time(\"%s\") = %d \"%s\", expected ST_ERR_DATE", in, rc, out);
        return;
    }
    assert_int_equal(rc, ST_OK);
    if (strcmp(out, want))
        fail_msg("canon_time(\"%s\") = \"%s\", expected \"%s\"", in, out, want);
}

static void test_timestamps(void **state)
{
    (void)state;
    time_is("2020-03-04T11:00:30.000+01:00", "2020-03-04T10:00:30.000Z");
    time_is("2005-04-03T20:33:31.116000-06:00", "2005-04-04T02:33:31.116Z");
    time_is("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z");
    time_is("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z");
    time_is("2023-02-12T11:04:03.1007Z", "2023-02-12T11:04:03.101Z");
    time_is("2023-02-12T11:04:03Z", "2023-02-12T11:04:03.000Z"); /* no fraction */
    time_is("2023-02-12T11:04:03.1Z", "2023-02-12T11:04:03.100Z");
    time_is("2023-02-12T11:04:03.12345649Z", "2023-02-12T11:04:03.123Z"); /* 7th+ cut */
    time_is("2023-02-12T11:04:03.1234999Z", "2023-02-12T11:04:03.123Z");
    time_is("2023-02-12T11:04:03.0625Z", "2023-02-12T11:04:03.063Z");      /* 4th digit 5: up */
    time_is("2020-12-31T23:59:59.9996Z", "2021-01-01T00:00:00.000Z");      /* carry to new year */
    time_is("2024-02-28T23:59:59.9999+00:00", "2024-02-29T00:00:00.000Z"); /* leap day */
    time_is("2024-03-01T00:30:00-01:30", "2024-03-01T02:00:00.000Z");
    time_is("2024-03-01T00:30:00+0130", "2024-02-29T23:00:00.000Z");
    time_is("2024-03-01T00:30:00+05", "2024-02-29T19:30:00.000Z");
    time_is("2024-03-01T00:30:00", "2024-03-01T00:30:00.000Z"); /* no offset: UTC */
    time_is("2024-03-01T00:30Z", "2024-03-01T00:30:00.000Z");
    time_is("1970-01-01T00:00:00.0005+00:00", "1970-01-01T00:00:00.001Z");
    time_is("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
    time_is(" 2020-03-04T11:00:30Z ", "2020-03-04T11:00:30.000Z");
    time_is("2023-02-29T00:00:00Z", NULL); /* not a leap year */
    time_is("2023-13-01T00:00:00Z", NULL);
    time_is("2023-01-01T24:00:00Z", NULL);
    time_is("2023-01-01T00:00:60Z", NULL);
    time_is("2023-01-01T00:00:00.Z", NULL);
    time_is("2023-01-01T00:00:00+25:00", NULL);
    time_is("2023-01-01", NULL);
    time_is("yesterday", NULL);
    time_is("2023-01-01T00:00:00Zjunk", NULL);
    time_is("0001-01-01T00:00:00+01:00", NULL); /* before year 1 in UTC */
    char small[8];
    assert_int_equal(st_hashid_canon_time("2023-01-01T00:00:00Z", small, sizeof small),
                     ST_ERR_BUFFER);
    assert_int_equal(st_hashid_canon_time(NULL, small, sizeof small), ST_ERR_ARG);

    /* in an event: the rule applies to eventTime and the sensor times, and an
     * unparsable time stays as written */
    expect("ObjectEvent\n"
           "  eventTime=not a time\n"
           "  eventTimeZoneOffset=+01:00\n"
           "  sensorElementList\n"
           "    sensorElement\n"
           "      sensorMetadata\n"
           "        startTime [A]=2019-04-02T13:55:01+01:00\n"
           "        endTime [A]=2019-04-02T14:55:00.5+01:00\n",
           NULL,
           "eventType=ObjectEventeventTime=not a timeeventTimeZoneOffset=+01:00sensorElementList"
           "sensorElementsensorMetadatastartTime=2019-04-02T12:55:01.000ZendTime="
           "2019-04-02T13:55:00.500Z",
           NULL);
}

static void test_identifiers(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* gs1-facts 6.9 */
        {"urn:epc:id:sgtin:4012345.011111.98%22", "https://id.gs1.org/01/04012345111118/21/98%22"},
        {"urn:epc:id:sgtin:415056789012.0.987654",
         "https://id.gs1.org/01/04150567890128/21/987654"},
        {"urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
         "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"},
        {"urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"},
        {"urn:epc:id:sscc:4012345.0000000011", "https://id.gs1.org/00/040123450000000115"},
        {"urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"},
        {"urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"},
        {"urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"},
        {"urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"},
        {"urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"},
        {"urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"},
        {"urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074"},
        {"urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994"},
        {"urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
         "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234"},
        {"urn:epc:id:itip:4012345.011111.01.02.987",
         "https://id.gs1.org/8006/040123451111180102/21/987"},
        {"urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7SDB",
         "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7SDB"},
        {"urn:epc:class:lgtin:4012345.012345.Lot987",
         "https://id.gs1.org/01/04012345123456/10/Lot987"},
        {"urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"},
        {"urn:epc:idpat:grai:4012345.99999.*", "https://id.gs1.org/8003/04012345999990"},
        /* escapes: as written (lower-case kept); ' ; = stay literal */
        {"urn:epc:id:sgtin:4012345.011111.a%2fb'c;d=e",
         "https://id.gs1.org/01/04012345111118/21/a%2fb'c;d=e"},
        {"urn:epc:id:giai:4012345.A+B,C:D", "https://id.gs1.org/8004/4012345A%2BB%2CC%3AD"},
        /* patterns that stay as they are; tag URIs and bad EPC URIs too */
        {"urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:idpat:sgtin:4012345.*.*"},
        {"urn:epc:idpat:sscc:4012345.*", "urn:epc:idpat:sscc:4012345.*"},
        {"urn:epc:tag:sgtin-96:3.0614141.812345.6789",
         "urn:epc:tag:sgtin-96:3.0614141.812345.6789"},
        {"urn:epc:id:sgtin:12345.011111.1", "urn:epc:id:sgtin:12345.011111.1"},
        {"urn:epc:id:sgtin:4012345.01111.1", "urn:epc:id:sgtin:4012345.01111.1"},
        {"urn:epc:id:nonsense:1.2", "urn:epc:id:nonsense:1.2"},
        /* gs1-facts 6.8 */
        {"https://example.com/gtin/09780345418913/21/765tz?abc=211121",
         "https://id.gs1.org/01/09780345418913/21/765tz"},
        {"https://id.gs1.org/01/9780345418913/22/344/10/1223/21/765tz",
         "https://id.gs1.org/01/09780345418913/21/765tz"},
        {"http://us-company-with-UPC.com/01/001122334455", "https://id.gs1.org/01/00001122334455"},
        {"https://example.org/8004/401234599999", "https://id.gs1.org/8004/401234599999"},
        {"https://brand.example/some/stem/01/09520123456788/10/ABC1#frag",
         "https://id.gs1.org/01/09520123456788/10/ABC1"},
        {"https://id.gs1.org/giai/4000001111", "https://id.gs1.org/8004/4000001111"},
        {"https://example.com/414/4012345000054/254/122",
         "https://id.gs1.org/414/4012345000054/254/122"},
        /* Digital Links that stay as they are */
        {"https://example.com/01/09520123456788/10/A%2FB",
         "https://example.com/01/09520123456788/10/A%2FB"},
        {"https://example.com/8018/401234500000067657/8019/1",
         "https://example.com/8018/401234500000067657/8019/1"},
        {"https://example.com/01/09520123456788/17/251231",
         "https://example.com/01/09520123456788/17/251231"},
        {"https://example.com/01/09520123456788/21", "https://example.com/01/09520123456788/21"},
        {"https://example.com/01/abc", "https://example.com/01/abc"},
        {"https://example.com/", "https://example.com/"},
        {"http://transaction.acme.com/po/12345678", "http://transaction.acme.com/po/12345678"},
        {"geo:50.94,6.92", "geo:50.94,6.92"},
        {"urn:epcglobal:cbv:bt:0614141073467:1152", "urn:epcglobal:cbv:bt:0614141073467:1152"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        canon_is(cases[i][0], -1, NULL, cases[i][1]);
}

static void test_vocabulary_values(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    st_evnode *ns = bindings(a, "ext1=http://example.com/ext1/|cbv=https://wrong.example/");
    canon_is("urn:epcglobal:cbv:bizstep:receiving", -1, NULL,
             "https://ref.gs1.org/cbv/BizStep-receiving");
    canon_is("urn:epcglobal:cbv:er:incorrect_data", -1, NULL,
             "https://ref.gs1.org/cbv/ER-incorrect_data");
    canon_is("see urn:epcglobal:cbv:disp:active and urn:epcglobal:cbv:sdt:location", -1, NULL,
             "see https://ref.gs1.org/cbv/Disp-active and https://ref.gs1.org/cbv/SDT-location");
    canon_is("shipping", ST_CBV_BIZSTEP, NULL, "https://ref.gs1.org/cbv/BizStep-shipping");
    canon_is("shipping", -1, NULL, "shipping"); /* bare words expand only in vocabulary fields */
    canon_is("po", ST_CBV_BTT, NULL, "https://ref.gs1.org/cbv/BTT-po");
    canon_is("latitude", ST_CBV_COMP, NULL, "https://ref.gs1.org/cbv/Comp-latitude");
    canon_is("Temperature", ST_CBV_MEASUREMENT, NULL, "https://gs1.org/voc/Temperature");
    canon_is("ALARM_CONDITION", ST_CBV_ALERT, NULL, "https://gs1.org/voc/ALARM_CONDITION");
    canon_is("gs1:Temperature", -1, NULL, "https://gs1.org/voc/Temperature");
    canon_is("cbv:BizStep-shipping", -1, ns, "https://ref.gs1.org/cbv/BizStep-shipping");
    canon_is("ext1:thing", -1, ns, "http://example.com/ext1/thing");
    canon_is("ext1:thing", -1, NULL, "ext1:thing");      /* XML: no document prefixes */
    canon_is("example:x", ST_CBV_COMP, ns, "example:x"); /* unbound prefix: as written */
    canon_is("ext1://host/x", -1, ns, "ext1://host/x");  /* not a CURIE */
    canon_is("urn:epcglobal:cbv:bt:0614141073467:1152", ST_CBV_BTT, NULL,
             "urn:epcglobal:cbv:bt:0614141073467:1152");
    char small[10];
    assert_int_equal(
        st_hashid_canon_value("https://ref.gs1.org/cbv/x", -1, NULL, small, sizeof small),
        ST_ERR_BUFFER);
    assert_string_equal(small, "");
    assert_int_equal(st_hashid_canon_value(NULL, -1, NULL, small, sizeof small), ST_ERR_ARG);
    st_arena_destroy(a);
}

/* ---- rendering rules ------------------------------------------------------ */

static void test_sorting_and_empties(void **state)
{
    (void)state;
    /* repeated children sorted by their complete strings; empty lists and
     * empty values skipped; duplicates kept; quantity numbers canonical */
    expect("AggregationEvent\n"
           "  eventTime=2020-01-01T00:00:00Z\n"
           "  childEPCs\n"
           "  epcList [L]\n"
           "  parentID=urn:epc:id:sscc:4012345.0000000111\n"
           "  childQuantityList\n"
           "    quantityElement\n"
           "      epcClass=urn:epc:class:lgtin:4012345.012345.B\n"
           "      quantity=300.0\n"
           "      uom=KGM\n"
           "    quantityElement\n"
           "      uom=KGM\n"
           "      quantity=200\n"
           "      epcClass=urn:epc:class:lgtin:4012345.012345.A\n"
           "    quantityElement\n"
           "      epcClass=urn:epc:class:lgtin:4012345.012345.A\n"
           "      quantity=200\n"
           "      uom=KGM\n"
           "  action=ADD\n"
           "  disposition=\n"
           "  bizStep=  \n"
           "  persistentDisposition\n"
           "    unset=urn:epcglobal:cbv:disp:completeness_inferred\n"
           "    set=completeness_verified\n"
           "    set=active\n",
           NULL,
           "eventType=AggregationEventeventTime=2020-01-01T00:00:00.000ZparentID=https://"
           "id.gs1.org/00/040123450000001112childQuantityListquantityElementepcClass=https://"
           "id.gs1.org/01/04012345123456/10/Aquantity=200uom=KGMquantityElementepcClass=https://"
           "id.gs1.org/01/04012345123456/10/Aquantity=200uom=KGMquantityElementepcClass=https://"
           "id.gs1.org/01/04012345123456/10/Bquantity=300uom=KGMaction=ADDpersistentDisposition"
           "set=https://ref.gs1.org/cbv/Disp-activeset=https://ref.gs1.org/cbv/"
           "Disp-completeness_verifiedunset=https://ref.gs1.org/cbv/Disp-completeness_inferred",
           NULL);
}

static void test_remainder(void **state)
{
    (void)state;
    /* the remainder block: typed lists with "type=" first, a typeless entry,
     * ilmd, leftovers with their ancestors' names, unknown fields, extensions
     * (the last by '{'); ignored fields and xsi attributes gone */
    expect("TransformationEvent\n"
           "  eventID=ni:///sha-256;00?ver=CBV2.0\n"
           "  {http://example.com/ext1}b=2.50\n"
           "    {http://www.w3.org/2001/XMLSchema-instance}type [A]=xsd:double\n"
           "  errorDeclaration\n"
           "    declarationTime=2020-01-01T00:00:00Z\n"
           "    reason=did_not_occur\n"
           "  ilmd\n"
           "    {urn:epcglobal:cbv:mda}lotNumber=LOT-1\n"
           "    {urn:epcglobal:cbv:mda}bestBeforeDate=2025-01-31\n"
           "  transformationID=urn:example:t1\n"
           "  bizTransactionList\n"
           "    bizTransaction=urn:epcglobal:cbv:bt:0614141073467:1152\n"
           "      type [A]=desadv\n"
           "    bizTransaction=http://transaction.acme.com/po/1\n"
           "  sensorElementList\n"
           "    sensorElement\n"
           "      sensorReport\n"
           "        type=Temperature\n"
           "        value=1.50\n"
           "        bizRules=https://example.com/rules\n"
           "      {http://example.com/ext1}a=x\n"
           "  unknownField=007\n"
           "  {http://example.com/ext1}a\n"
           "  comment=ignored\n"
           "  recordTime=2020-01-01T00:00:00Z\n",
           NULL,
           "eventType=TransformationEventtransformationID=urn:example:t1sensorElementList"
           "sensorElementsensorReporttype=https://gs1.org/voc/Temperaturevalue=1.5"
           "{http://example.com/ext1}a=x"
           "bizTransactionListbizTransaction=http://transaction.acme.com/po/1type=https://"
           "ref.gs1.org/cbv/BTT-desadvbizTransaction=urn:epcglobal:cbv:bt:0614141073467:1152"
           "ilmd{urn:epcglobal:cbv:mda}bestBeforeDate=2025-01-31{urn:epcglobal:cbv:mda}lotNumber="
           "LOT-1sensorElementListsensorElementsensorReportbizRules=https://example.com/rules"
           "unknownField=7{http://example.com/ext1}a{http://example.com/ext1}b=2.5",
           NULL);
    /* a prefixed name the reader left unresolved is resolved with the bindings */
    st_arena *a = st_arena_create(0);
    const st_evnode *ns = bindings(a, "ext1=http://example.com/ext1");
    char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
    hash_of("ObjectEvent\n  readPoint\n    id=urn:x\n    ext1:f=ext1:v\n", ns, h1);
    hash_of("ObjectEvent\n  readPoint\n    id=urn:x\n    {http://example.com/ext1}f="
            "http://example.com/ext1v\n",
            NULL, h2);
    assert_string_equal(h1, h2);
    st_arena_destroy(a);
}

/* The sensor fields of the WithEventHashID corpus, as XML attributes and as
 * JSON-LD members (numbers, a boolean, prefixed extension members): one hash. */
static void test_xml_and_jsonld_agree(void **state)
{
    (void)state;
    static const char xml[] =
        "ObjectEvent\n"
        "  eventTime=2005-04-04T20:33:31.116-06:00\n"
        "  eventTimeZoneOffset=-06:00\n"
        "  sensorElementList\n"
        "    sensorElement\n"
        "      sensorMetadata\n"
        "        time [A]=2019-04-02T14:05:00.000+01:00\n"
        "        {http://example.com/ext1}someFurtherMetadata [A]=someText\n"
        "      sensorReport\n"
        "        value [A]=26.0\n"
        "        type [A]=gs1:Temperature\n"
        "        component [A]=example:x\n"
        "        booleanValue [A]=true\n"
        "        percRank [A]=50\n"
        "      {http://example.com/ext1}int=10\n"
        "        {http://www.w3.org/2001/XMLSchema-instance}type [A]=xsd:integer\n"
        "  ilmd\n"
        "    {http://example.com/ext1}float=20\n"
        "      {http://www.w3.org/2001/XMLSchema-instance}type [A]=xsd:double\n"
        "  {http://example.com/ext1}default=stringAsDefaultValue\n"
        "    {http://www.w3.org/2001/XMLSchema-instance}type [A]=xsd:string\n";
    static const char json[] = "ObjectEvent\n"
                               "  eventTimeZoneOffset=-06:00\n"
                               "  eventTime=2005-04-04T20:33:31.116-06:00\n"
                               "  ilmd\n"
                               "    {http://example.com/ext1}float [N]=20.0\n"
                               "  sensorElementList [L]\n"
                               "    sensorElement\n"
                               "      sensorMetadata\n"
                               "        {http://example.com/ext1}someFurtherMetadata=someText\n"
                               "        time=2019-04-02T14:05:00.000+01:00\n"
                               "      sensorReport\n"
                               "        percRank [N]=50.0\n"
                               "        type=gs1:Temperature\n"
                               "        value [N]=26.0\n"
                               "        component=example:x\n"
                               "        booleanValue [B]=true\n"
                               "      {http://example.com/ext1}int [N]=10\n"
                               "  {http://example.com/ext1}default=stringAsDefaultValue\n";
    char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
    hash_of(xml, NULL, h1);
    hash_of(json, NULL, h2);
    assert_string_equal(h1, h2);
    /* a different offset is a different event (the corpus' file 2) */
    char h3[ST_HASHID_LEN + 1];
    static const char other[] = "ObjectEvent\n  eventTime=2005-04-04T21:33:31.116-05:00\n"
                                "  eventTimeZoneOffset=-05:00\n";
    static const char base[] = "ObjectEvent\n  eventTime=2005-04-04T20:33:31.116-06:00\n"
                               "  eventTimeZoneOffset=-06:00\n";
    hash_of(other, NULL, h3);
    hash_of(base, NULL, h1);
    assert_string_not_equal(h1, h3);
}

static void test_errors(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    st_event *ev = build(a, example2_json);
    char small[16], id[ST_HASHID_LEN + 1];
    size_t len = 0;
    assert_int_equal(st_hashid_prehash(ev, NULL, small, sizeof small, &len), ST_ERR_BUFFER);
    assert_int_equal(len, strlen(example2_prehash));
    assert_string_equal(small, "");
    char *big = malloc(len + 1); /* the retry the header promises works */
    assert_int_equal(st_hashid_prehash(ev, NULL, big, len + 1, NULL), ST_OK);
    assert_string_equal(big, example2_prehash);
    assert_int_equal(st_hashid_prehash(ev, NULL, big, len, NULL), ST_ERR_BUFFER);
    free(big);
    assert_int_equal(st_hashid_prehash(ev, NULL, NULL, 0, &len), ST_ERR_BUFFER);
    assert_int_equal(st_hashid_prehash(ev, NULL, NULL, 5, &len), ST_ERR_ARG);
    assert_int_equal(st_hashid_prehash(NULL, NULL, small, sizeof small, &len), ST_ERR_ARG);
    st_event empty = {0};
    assert_int_equal(st_hashid_prehash(&empty, NULL, small, sizeof small, &len), ST_ERR_ARG);
    assert_int_equal(st_hashid_compute(&empty, NULL, id), ST_ERR_ARG);
    assert_int_equal(st_hashid_compute(ev, NULL, NULL), ST_ERR_ARG);

    /* a tree deeper than the renderer recurses */
    st_evnode *n = st_evnode_add(a, NULL, NULL, "ObjectEvent", NULL, 0, 0);
    st_event deep = {ST_EVENT_OBJECT, n, 0};
    for (int i = 0; i < 3 * ST_EPCIS_MAX_DEPTH; i++)
        n = st_evnode_add(a, n, "urn:x", "x", NULL, 0, 0);
    assert_int_equal(st_hashid_compute(&deep, NULL, id), ST_ERR_LIMIT);
    st_arena_destroy(a);

    /* st_hashid_bindings: document prefixes for JSON-LD only */
    st_epcis_doc doc = {0};
    st_evnode nsnode = {0};
    doc.ns = &nsnode;
    doc.format = ST_EPCIS_FMT_JSONLD;
    assert_ptr_equal(st_hashid_bindings(&doc), &nsnode);
    doc.format = ST_EPCIS_FMT_XML2;
    assert_null(st_hashid_bindings(&doc));
    assert_null(st_hashid_bindings(NULL));
}

/* ---- through the readers ---------------------------------------------------- */

#define MAX_EVENTS 8

/* The hash IDs of the events of one document. */
typedef struct hashes {
    char id[MAX_EVENTS][ST_HASHID_LEN + 1];
    size_t n;
} hashes;

static st_rc collect(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    hashes *h = ctx;
    assert_true(h->n < MAX_EVENTS);
    return st_hashid_compute(ev, st_hashid_bindings(doc), h->id[h->n++]);
}

/* Read buf with the reader its format calls for and hash every event. */
static void hash_doc(const char *name, const char *buf, size_t n, hashes *h)
{
    st_arena *a = st_arena_create(0);
    st_epcis_doc doc = {0};
    st_diag diag;
    doc.arena = a;
    doc.name = name;
    st_diag_init(&diag, a);
    memset(h, 0, sizeof *h);
    st_rc rc = st_epcis_detect(buf, n) == ST_EPCIS_FMT_JSONLD
                   ? st_jsonld_read(&doc, buf, n, collect, h, &diag)
                   : st_xml_read(&doc, buf, n, collect, h, &diag);
    if (rc != ST_OK || st_diag_count(&diag))
        fail_msg("%s: reader returned %d with %zu diagnostics (first: %s)", name, rc,
                 st_diag_count(&diag), diag.n ? diag.items[0].msg : "-");
    st_arena_destroy(a);
}

/* Worked examples 1 and 2 written as documents: the XML and JSON-LD readers
 * and the hash together give the published hashes. */
static void test_readers_worked_examples(void **state)
{
    (void)state;
    static const char ex1_xml[] =
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\"\n"
        "    creationDate=\"2020-03-04T11:00:30.999+01:00\"\n"
        "    xmlns:example=\"https://ns.example.com/epcis/\">\n"
        "  <EPCISBody><EventList><ObjectEvent>\n"
        "    <eventTime>2020-03-04T11:00:30.000+01:00</eventTime>\n"
        "    <recordTime>2020-03-04T11:00:30.999+01:00</recordTime>\n"
        "    <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
        "    <epcList><epc>urn:epc:id:sscc:4012345.0000000333</epc>\n"
        "      <epc>urn:epc:id:sscc:4012345.0000000111</epc>"
        "<epc>urn:epc:id:sscc:4012345.0000000222</epc></epcList>\n"
        "    <action>OBSERVE</action>\n"
        "    <bizStep>urn:epcglobal:cbv:bizstep:departing</bizStep>\n"
        "    <readPoint><id>urn:epc:id:sgln:4012345.00011.987</id></readPoint>\n"
        "    <example:myField1><example:mySubField1>2</example:mySubField1>\n"
        "      <example:mySubField2>5</example:mySubField2></example:myField1>\n"
        "    <example:myField2>0</example:myField2>\n"
        "    <example:myField3><example:mySubField3>3</example:mySubField3>\n"
        "      <example:mySubField3>1</example:mySubField3></example:myField3>\n"
        "  </ObjectEvent></EventList></EPCISBody>\n"
        "</epcis:EPCISDocument>\n";
    static const char ex1_json[] =
        "{\"@context\": [\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\",\n"
        "   {\"example\": \"https://ns.example.com/epcis/\"}],\n"
        " \"type\": \"EPCISDocument\", \"schemaVersion\": \"2.0\",\n"
        " \"creationDate\": \"2020-03-04T11:00:30.999+01:00\",\n"
        " \"epcisBody\": {\"eventList\": [{\n"
        "   \"type\": \"ObjectEvent\", \"action\": \"OBSERVE\", \"bizStep\": \"departing\",\n"
        "   \"eventTime\": \"2020-03-04T11:00:30.000+01:00\", \"eventTimeZoneOffset\": "
        "\"+01:00\",\n"
        "   \"recordTime\": \"2020-03-04T11:00:30.999+01:00\",\n"
        "   \"epcList\": [\"urn:epc:id:sscc:4012345.0000000111\",\n"
        "     \"urn:epc:id:sscc:4012345.0000000222\", \"urn:epc:id:sscc:4012345.0000000333\"],\n"
        "   \"readPoint\": {\"id\": \"urn:epc:id:sgln:4012345.00011.987\"},\n"
        "   \"example:myField1\": {\"example:mySubField1\": \"2\", \"example:mySubField2\": "
        "\"5\"},\n"
        "   \"example:myField2\": 0,\n"
        "   \"example:myField3\": {\"example:mySubField3\": [\"3\", \"1\"]}\n"
        " }]}}\n";
    static const char ex2_json[] =
        "{\"@context\": [\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],\n"
        " \"type\": \"EPCISDocument\", \"schemaVersion\": \"2.0\",\n"
        " \"creationDate\": \"2022-02-17T00:00:00Z\",\n"
        " \"epcisBody\": {\"eventList\": [\n"
        "  {\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\",\n"
        "   \"disposition\":\"in_transit\",\n"
        "   \"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\","
        "\"urn:epc:id:sgtin:0614141.107346.2018\"],\n"
        "   "
        "\"eventTime\":\"2022-02-16T20:33:31.116000-06:00\",\"eventTimeZoneOffset\":\"-06:00\",\n"
        "   \"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.07346.1234\"},\n"
        "   \"bizTransactionList\":[{\"type\":\"po\","
        "\"bizTransaction\":\"http://transaction.acme.com/po/12345678\"}]}]}}\n";
    hashes h;
    hash_doc("example1.xml", ex1_xml, strlen(ex1_xml), &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0],
                        NI("6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7"));
    hash_doc("example1.jsonld", ex1_json, strlen(ex1_json), &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0],
                        NI("6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7"));
    hash_doc("example2.jsonld", ex2_json, strlen(ex2_json), &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.id[0],
                        NI("ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b"));
}

/* A whole file, or NULL when it cannot be read. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 65536;
            char *p = realloc(buf, cap);
            assert_non_null(p);
            buf = p;
        }
        size_t k = fread(buf + *n, 1, cap - *n, f);
        *n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    return buf;
}

/* The conformance corpus' seven representations of one event
 * (XML/WithEventHashID): files 1 and 3-7 (XML with shuffled lists, another
 * prefix, xsi:type attributes, and JSON-LD) give one hash; file 2 writes the
 * same instant with offset -05:00 instead of -06:00 and so gives another
 * (conformance/README.md). */
static void test_conformance_with_event_hash_id(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    if (!shared) {
        print_message("ST_SHARED_DIR is not set or not a folder: skipping XML/WithEventHashID\n");
        skip();
    }
    static const char *const files[] = {
        "event_with_identical_hash_id_1.xml",  "event_with_identical_hash_id_2.xml",
        "event_with_identical_hash_id_3.xml",  "event_with_identical_hash_id_4.xml",
        "event_with_identical_hash_id_5.xml",  "event_with_identical_hash_id_6.xml",
        "event_with_identical_hash_id_7.json",
    };
    char ids[7][ST_HASHID_LEN + 1];
    for (size_t i = 0; i < 7; i++) {
        char path[1024];
        size_t n = 0;
        snprintf(path, sizeof path, "%s/conformance/gs1-epcis/XML/WithEventHashID/%s", shared,
                 files[i]);
        char *buf = slurp(path, &n);
        if (!buf) {
            print_message("%s not found: skipping XML/WithEventHashID\n", path);
            skip();
        }
        hashes h;
        hash_doc(files[i], buf, n, &h);
        free(buf);
        assert_int_equal(h.n, 1);
        memcpy(ids[i], h.id[0], sizeof ids[i]);
    }
    for (size_t i = 2; i < 7; i++)
        if (strcmp(ids[i], ids[0]))
            fail_msg("%s: %s\n  differs from file 1: %s", files[i], ids[i], ids[0]);
    assert_string_not_equal(ids[1], ids[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example1_xml),
        cmocka_unit_test(test_example2_jsonld),
        cmocka_unit_test(test_example2_as_xml),
        cmocka_unit_test(test_example3),
        cmocka_unit_test(test_reference2_sensor),
        cmocka_unit_test(test_timestamp_roundoff),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_vocabulary_values),
        cmocka_unit_test(test_sorting_and_empties),
        cmocka_unit_test(test_remainder),
        cmocka_unit_test(test_xml_and_jsonld_agree),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_readers_worked_examples),
        cmocka_unit_test(test_conformance_with_event_hash_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
