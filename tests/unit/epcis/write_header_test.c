/*
 * Tests for lib/epcis/write_header.c, the document header (the SBDH, master
 * data, JSON-LD's id, sender, receiver and instanceIdentifier, document-level
 * extensions) in each output format: the exact output of hand-written
 * headers read from XML 1.2, XML 2.0 (an EPCISMasterDataDocument) and
 * JSON-LD; the notes for what a format cannot hold or holds elsewhere;
 * master data identifiers converted as the events' are; content the XML
 * reader meets after the events, written at finish; a failing disk.
 * write_header_roundtrip_test.c reads the output back, in every format, and
 * checks it against the XSDs and the GS1 JSON Schema.
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

#include "epcis/jsonld.h"
#include "epcis/write.h"
#include "epcis/xml.h"
#include "epcis_test_util.h"

#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define DATE "1970-01-02T00:00:00Z" /* SOURCE_DATE_EPOCH=86400 */
#define SBDH_NS "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

/* ---- helpers ---------------------------------------------------------------- */

/* The header notes (event -1), one message per line. */
static const char *notes_text(const conv *c)
{
    static char buf[8192];
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->notes.n && k < sizeof buf; i++)
        if (c->notes.items[i].event < 0)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s\n", c->notes.items[i].msg);
    return buf;
}

/* ---- documents ---------------------------------------------------------------------- */

#define EVENT_XML                                                                                  \
    "<ObjectEvent><eventTime>2024-05-01T09:00:00Z</eventTime>"                                     \
    "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"                                            \
    "<epcList><epc>urn:epc:id:sgtin:4012345.011111.1</epc></epcList><action>OBSERVE</action>"      \
    "<readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint></ObjectEvent>"
#define EVENT_JSON                                                                                 \
    "{'type':'ObjectEvent','eventTime':'2024-05-01T09:00:00Z','eventTimeZoneOffset':'+00:00',"     \
    "'epcList':['urn:epc:id:sgtin:4012345.011111.1'],'action':'OBSERVE',"                          \
    "'readPoint':{'id':'urn:epc:id:sgln:4012345.00001.0'}}"

/* XML 1.2 with everything a header holds: attributes of the root and of
 * EPCISHeader, an SBDH, master data (a text value, an XML value, children,
 * an extension element), an extension element of EPCISHeader, one of the
 * document after EPCISBody. */
static const char xml_full[] =
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:1' "
    "xmlns:sbdh='" SBDH_NS "' xmlns:ex='https://ns.example.com/epcis/' schemaVersion='1.2' "
    "creationDate='2024-05-01T10:00:00Z' ex:batch='B-9'>"
    "<EPCISHeader ex:origin='plant-1'><sbdh:StandardBusinessDocumentHeader>"
    "<sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>"
    "<sbdh:Sender><sbdh:Identifier Authority='SGLN'>urn:epc:id:sgln:4012345.00000.0"
    "</sbdh:Identifier></sbdh:Sender>"
    "<sbdh:Receiver><sbdh:Identifier Authority='SGLN'>urn:epc:id:sgln:0614141.00000.0"
    "</sbdh:Identifier><sbdh:ContactInformation><sbdh:Contact>Jane</sbdh:Contact>"
    "</sbdh:ContactInformation></sbdh:Receiver>"
    "<sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard>"
    "<sbdh:TypeVersion>1.0</sbdh:TypeVersion><sbdh:InstanceIdentifier>100002"
    "</sbdh:InstanceIdentifier><sbdh:Type>Events</sbdh:Type>"
    "<sbdh:CreationDateAndTime>2024-05-01T10:00:00Z</sbdh:CreationDateAndTime>"
    "</sbdh:DocumentIdentification></sbdh:StandardBusinessDocumentHeader>"
    "<extension><EPCISMasterData><VocabularyList>"
    "<Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'><VocabularyElementList>"
    "<VocabularyElement id='urn:epc:id:sgln:4012345.00001.0'>"
    "<attribute id='urn:epcglobal:cbv:mda:site'>4012345000016</attribute>"
    "<attribute id='urn:epcglobal:cbv:mda#address'><ex:Address><ex:City>K\xc3\xb6ln</ex:City>"
    "<ex:Zip>50667</ex:Zip></ex:Address></attribute>"
    "<children><id>urn:epc:id:sgln:4012345.00001.1</id><id>urn:epc:id:sgln:4012345.00001.2</id>"
    "</children><ex:note>dock</ex:note></VocabularyElement>"
    "</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension>"
    "<ex:route>north</ex:route></EPCISHeader>"
    "<EPCISBody><EventList>" EVENT_XML "</EventList></EPCISBody>"
    "<ex:trailer>end</ex:trailer></epcis:EPCISDocument>";

/* JSON-LD with the pseudo-SBDH fields, an id, master data with a string, a
 * number and a structure as attribute values, an extension member of
 * epcisHeader and one of the document. */
static const char json_full[] =
    "{'@context':['" CTX "',{'ex':'https://ns.example.com/epcis/'}],"
    "'id':'https://id.example.org/doc/7','type':'EPCISDocument','schemaVersion':'2.0',"
    "'creationDate':'2024-05-01T10:00:00Z','sender':'urn:epc:id:pgln:4012345.00000',"
    "'receiver':'urn:epc:id:pgln:0614141.00000','instanceIdentifier':'42',"
    "'epcisHeader':{'epcisMasterData':{'vocabularyList':[{'type':"
    "'urn:epcglobal:epcis:vtype:BusinessLocation','vocabularyElementList':[{'id':"
    "'urn:epc:id:sgln:4012345.00001.0','attributes':[{'id':'urn:epcglobal:cbv:mda#name',"
    "'attribute':'Dock 1'},{'id':'urn:epcglobal:cbv:mda#latitude','attribute':50.9375},"
    "{'id':'https://ns.example.com/epcis/address','attribute':{'ex:City':'K\xc3\xb6ln',"
    "'ex:Zip':'50667'}}],'children':['urn:epc:id:sgln:4012345.00001.1']}]}]},"
    "'ex:route':'north'},'ex:batch':'B-9','epcisBody':{'eventList':[" EVENT_JSON "]}}";

/* ---- tests ----------------------------------------------------------------------------- */

/* XML to JSON-LD: sender, receiver, instanceIdentifier from the SBDH, which
 * is kept as an extension member without the Identifier texts they carry;
 * master data in the JSON shape; the attributes and elements of the document
 * and of EPCISHeader as members (the XML prefix + "-ns"). XML to XML 2.0: the
 * same tree in XSD order, the extension element of EPCISHeader moved after
 * EPCISBody (noted); XML 1.2 as read. */
static void test_xml_source(void **state)
{
    (void)state;
    conv c;
    load(&c, xml_full, strlen(xml_full));
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    assert_same_text(
        c.out,
        "{\"@context\":[\"" CTX "\",{\"sbdh-ns\":\"" SBDH_NS "\","
        "\"ex-ns\":\"https://ns.example.com/epcis/\"}],\"type\":\"EPCISDocument\","
        "\"schemaVersion\":\"2.0\",\"creationDate\":\"" DATE "\","
        "\"sender\":\"urn:epc:id:sgln:4012345.00000.0\","
        "\"receiver\":\"urn:epc:id:sgln:0614141.00000.0\",\"instanceIdentifier\":\"100002\","
        "\"epcisHeader\":{\"sbdh-ns:StandardBusinessDocumentHeader\":{"
        "\"sbdh-ns:HeaderVersion\":\"1.0\","
        "\"sbdh-ns:Sender\":{\"sbdh-ns:Identifier\":{\"Authority\":\"SGLN\"}},"
        "\"sbdh-ns:Receiver\":{\"sbdh-ns:Identifier\":{\"Authority\":\"SGLN\"},"
        "\"sbdh-ns:ContactInformation\":{\"sbdh-ns:Contact\":\"Jane\"}},"
        "\"sbdh-ns:DocumentIdentification\":{\"sbdh-ns:Standard\":\"EPCglobal\","
        "\"sbdh-ns:TypeVersion\":\"1.0\",\"sbdh-ns:InstanceIdentifier\":\"100002\","
        "\"sbdh-ns:Type\":\"Events\",\"sbdh-ns:CreationDateAndTime\":\"2024-05-01T10:00:00Z\"}},"
        "\"epcisMasterData\":{\"vocabularyList\":[{\"type\":\"urn:epcglobal:epcis:vtype:"
        "ReadPoint\","
        "\"vocabularyElementList\":[{\"id\":\"urn:epc:id:sgln:4012345.00001.0\",\"attributes\":["
        "{\"id\":\"urn:epcglobal:cbv:mda:site\",\"attribute\":\"4012345000016\"},"
        "{\"id\":\"urn:epcglobal:cbv:mda#address\",\"attribute\":{\"ex-ns:Address\":"
        "{\"ex-ns:City\":\"K\xc3\xb6ln\",\"ex-ns:Zip\":\"50667\"}}}],"
        "\"children\":[\"urn:epc:id:sgln:4012345.00001.1\",\"urn:epc:id:sgln:4012345.00001.2\"],"
        "\"ex-ns:note\":\"dock\"}]}]},\"ex-ns:origin\":\"plant-1\",\"ex-ns:route\":\"north\"},"
        "\"ex-ns:batch\":\"B-9\",\"ex-ns:trailer\":\"end\",\"epcisBody\":{\"eventList\":[\n"
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T09:00:00Z\","
        "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"urn:epc:id:sgtin:4012345.011111.1\"],"
        "\"action\":\"OBSERVE\",\"readPoint\":{\"id\":\"urn:epc:id:sgln:4012345.00001.0\"}}\n"
        "]}}\n");
    assert_string_equal(notes_text(&c), "");

    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    const char *head =
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" xmlns:sbdh=\"" SBDH_NS "\""
        " xmlns:ex=\"https://ns.example.com/epcis/\" schemaVersion=\"2.0\" creationDate=\"" DATE
        "\" ex:batch=\"B-9\">\n"
        "  <EPCISHeader ex:origin=\"plant-1\">\n"
        "    <sbdh:StandardBusinessDocumentHeader>\n"
        "      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n"
        "      <sbdh:Sender>\n"
        "        <sbdh:Identifier Authority=\"SGLN\">urn:epc:id:sgln:4012345.00000.0"
        "</sbdh:Identifier>\n"
        "      </sbdh:Sender>\n";
    assert_non_null(strstr(c.out, head));
    const char *md =
        "    </sbdh:StandardBusinessDocumentHeader>\n"
        "    <extension>\n"
        "      <EPCISMasterData>\n"
        "        <VocabularyList>\n"
        "          <Vocabulary type=\"urn:epcglobal:epcis:vtype:ReadPoint\">\n"
        "            <VocabularyElementList>\n"
        "              <VocabularyElement id=\"urn:epc:id:sgln:4012345.00001.0\">\n"
        "                <attribute id=\"urn:epcglobal:cbv:mda:site\">4012345000016</attribute>\n"
        "                <attribute id=\"urn:epcglobal:cbv:mda#address\">\n"
        "                  <ex:Address>\n"
        "                    <ex:City>K\xc3\xb6ln</ex:City>\n"
        "                    <ex:Zip>50667</ex:Zip>\n"
        "                  </ex:Address>\n"
        "                </attribute>\n"
        "                <children>\n"
        "                  <id>urn:epc:id:sgln:4012345.00001.1</id>\n"
        "                  <id>urn:epc:id:sgln:4012345.00001.2</id>\n"
        "                </children>\n"
        "                <ex:note>dock</ex:note>\n"
        "              </VocabularyElement>\n"
        "            </VocabularyElementList>\n"
        "          </Vocabulary>\n"
        "        </VocabularyList>\n"
        "      </EPCISMasterData>\n"
        "    </extension>\n"
        "  </EPCISHeader>\n"
        "  <EPCISBody>\n";
    assert_non_null(strstr(c.out, md));
    assert_non_null(strstr(c.out, "  </EPCISBody>\n"
                                  "  <ex:trailer>end</ex:trailer>\n"
                                  "  <ex:route>north</ex:route>\n"
                                  "</epcis:EPCISDocument>\n"));
    assert_string_equal(notes_text(&c),
                        "header: route is written after EPCISBody, as an extension of the "
                        "document: EPCIS 2.0's EPCISHeader has no place for extension elements\n");
    assert_int_equal(c.notes.items[0].rc, ST_ERR_SYNTAX);
    assert_string_equal(c.notes.items[0].path, "header/EPCISHeader/route");

    write_doc(&c, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    assert_string_equal(notes_text(&c), "");
    assert_non_null(strstr(c.out, "    </extension>\n"
                                  "    <ex:route>north</ex:route>\n"
                                  "  </EPCISHeader>\n"));
    conv_free(&c);
}

/* JSON-LD to XML: an SBDH made of sender, receiver and instanceIdentifier,
 * the id as an attribute of the root, master data values (a number's text, a
 * structure's members as elements); the extension member of epcisHeader is
 * moved in 2.0 and stays in EPCISHeader in 1.2. */
static void test_json_source(void **state)
{
    (void)state;
    conv c;
    load_json(&c, json_full);
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_int_equal(c.rc, ST_OK);
    const char *head =
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\""
        " xmlns:ex=\"https://ns.example.com/epcis/\" xmlns:cbvmda=\"urn:epcglobal:cbv:mda:\""
        " schemaVersion=\"2.0\" creationDate=\"" DATE "\" id=\"https://id.example.org/doc/7\">\n"
        "  <EPCISHeader>\n"
        "    <sbdh:StandardBusinessDocumentHeader xmlns:sbdh=\"" SBDH_NS "\">\n"
        "      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n"
        "      <sbdh:Sender>\n"
        "        <sbdh:Identifier>urn:epc:id:pgln:4012345.00000</sbdh:Identifier>\n"
        "      </sbdh:Sender>\n"
        "      <sbdh:Receiver>\n"
        "        <sbdh:Identifier>urn:epc:id:pgln:0614141.00000</sbdh:Identifier>\n"
        "      </sbdh:Receiver>\n"
        "      <sbdh:DocumentIdentification>\n"
        "        <sbdh:Standard>EPCglobal</sbdh:Standard>\n"
        "        <sbdh:TypeVersion>1.0</sbdh:TypeVersion>\n"
        "        <sbdh:InstanceIdentifier>42</sbdh:InstanceIdentifier>\n"
        "        <sbdh:Type>Events</sbdh:Type>\n"
        "        <sbdh:CreationDateAndTime>" DATE "</sbdh:CreationDateAndTime>\n"
        "      </sbdh:DocumentIdentification>\n"
        "    </sbdh:StandardBusinessDocumentHeader>\n"
        "    <extension>\n"
        "      <EPCISMasterData>\n"
        "        <VocabularyList>\n"
        "          <Vocabulary type=\"urn:epcglobal:epcis:vtype:BusinessLocation\">\n"
        "            <VocabularyElementList>\n"
        "              <VocabularyElement id=\"urn:epc:id:sgln:4012345.00001.0\">\n"
        "                <attribute id=\"urn:epcglobal:cbv:mda#name\">Dock 1</attribute>\n"
        "                <attribute id=\"urn:epcglobal:cbv:mda#latitude\">50.9375</attribute>\n"
        "                <attribute id=\"https://ns.example.com/epcis/address\">\n"
        "                  <ex:City>K\xc3\xb6ln</ex:City>\n"
        "                  <ex:Zip>50667</ex:Zip>\n"
        "                </attribute>\n"
        "                <children>\n"
        "                  <id>urn:epc:id:sgln:4012345.00001.1</id>\n"
        "                </children>\n"
        "              </VocabularyElement>\n"
        "            </VocabularyElementList>\n"
        "          </Vocabulary>\n"
        "        </VocabularyList>\n"
        "      </EPCISMasterData>\n"
        "    </extension>\n"
        "  </EPCISHeader>\n"
        "  <EPCISBody>\n";
    assert_non_null(strstr(c.out, head));
    assert_non_null(strstr(c.out, "  </EPCISBody>\n"
                                  "  <ex:batch>B-9</ex:batch>\n"
                                  "  <ex:route>north</ex:route>\n"
                                  "</epcis:EPCISDocument>\n"));
    assert_string_equal(notes_text(&c),
                        "header: route is written after EPCISBody, as an extension of the "
                        "document: EPCIS 2.0's EPCISHeader has no place for extension elements\n");
    write_doc(&c, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    assert_string_equal(notes_text(&c), "");
    assert_non_null(strstr(c.out, "    <ex:route>north</ex:route>\n  </EPCISHeader>\n"));
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_non_null(strstr(c.out,
                           "\"creationDate\":\"" DATE "\",\"id\":\"https://id.example.org/doc/7\","
                           "\"sender\":\"urn:epc:id:pgln:4012345.00000\","));
    assert_non_null(strstr(c.out, "\"attribute\":50.9375}"));
    assert_string_equal(notes_text(&c), "");
    conv_free(&c);
}

/* An EPCISMasterDataDocument becomes an EPCISDocument whose header holds its
 * vocabularies, in every format (see write_header.c for why); XML 1.2 has no
 * EPCISHeader without an SBDH, so there it is dropped with a note. */
static const char md_doc[] =
    "<epcismd:EPCISMasterDataDocument xmlns:epcismd='urn:epcglobal:epcis-masterdata:xsd:2' "
    "schemaVersion='2.0' creationDate='2020-06-16T11:30:47.0Z'><EPCISBody><VocabularyList>"
    "<Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'><VocabularyElementList>"
    "<VocabularyElement id='urn:epc:id:sgln:0614141.00300.0'>"
    "<attribute id='urn:epcglobal:cbv:mda:site'>0614141003006</attribute>"
    "<attribute id='urn:epcglobal:cbv:mda:sst'/></VocabularyElement></VocabularyElementList>"
    "</Vocabulary><Vocabulary type='urn:epcglobal:epcis:vtype:BusinessLocation'/>"
    "</VocabularyList></EPCISBody></epcismd:EPCISMasterDataDocument>";

static void test_master_data_document(void **state)
{
    (void)state;
    conv c;
    load(&c, md_doc, strlen(md_doc));
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_same_text(c.out,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
                     "schemaVersion=\"2.0\" creationDate=\"" DATE "\">\n"
                     "  <EPCISHeader>\n"
                     "    <extension>\n"
                     "      <EPCISMasterData>\n"
                     "        <VocabularyList>\n"
                     "          <Vocabulary type=\"urn:epcglobal:epcis:vtype:ReadPoint\">\n"
                     "            <VocabularyElementList>\n"
                     "              <VocabularyElement id=\"urn:epc:id:sgln:0614141.00300.0\">\n"
                     "                <attribute id=\"urn:epcglobal:cbv:mda:site\">0614141003006"
                     "</attribute>\n"
                     "                <attribute id=\"urn:epcglobal:cbv:mda:sst\"/>\n"
                     "              </VocabularyElement>\n"
                     "            </VocabularyElementList>\n"
                     "          </Vocabulary>\n"
                     "          <Vocabulary type=\"urn:epcglobal:epcis:vtype:BusinessLocation\"/>\n"
                     "        </VocabularyList>\n"
                     "      </EPCISMasterData>\n"
                     "    </extension>\n"
                     "  </EPCISHeader>\n"
                     "  <EPCISBody>\n"
                     "    <EventList/>\n"
                     "  </EPCISBody>\n"
                     "</epcis:EPCISDocument>\n");
    assert_string_equal(notes_text(&c), "");
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_non_null(
        strstr(c.out, "\"epcisHeader\":{\"epcisMasterData\":{\"vocabularyList\":[{\"type\":"
                      "\"urn:epcglobal:epcis:vtype:ReadPoint\",\"vocabularyElementList\":[{\"id\":"
                      "\"urn:epc:id:sgln:0614141.00300.0\",\"attributes\":[{\"id\":"
                      "\"urn:epcglobal:cbv:mda:site\",\"attribute\":\"0614141003006\"},{\"id\":"
                      "\"urn:epcglobal:cbv:mda:sst\"}]}]},{\"type\":"
                      "\"urn:epcglobal:epcis:vtype:BusinessLocation\"}]}},\"epcisBody\""));
    write_doc(&c, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    assert_null(strstr(c.out, "EPCISHeader"));
    assert_string_equal(notes_text(&c),
                        "header: EPCISHeader dropped, with its master data: EPCIS 1.2 requires a "
                        "StandardBusinessDocumentHeader in it, and the source has none (nor "
                        "sender, receiver and instanceIdentifier to make one)\n");
    assert_int_equal(c.notes.items[0].rc, ST_ERR_UNSUPPORTED);
    assert_int_equal(c.notes.items[0].event, -1);
    conv_free(&c);
}

/* sender alone cannot make an SBDH: XML keeps it in the document's
 * <extension>, noted; an SBDH read from JSON-LD gets its Identifier text
 * from sender and its Authority as an attribute; a sender that contradicts
 * it is dropped, noted. */
static const char json_partial[] =
    "{'@context':['" CTX "'],'type':'EPCISDocument','schemaVersion':'2.0',"
    "'creationDate':'2024-05-01T10:00:00Z','sender':'urn:epc:id:pgln:4012345.00000',"
    "'epcisHeader':{'epcisMasterData':{'vocabularyList':[]}},"
    "'epcisBody':{'eventList':[" EVENT_JSON "]}}";
static const char json_sbdh[] =
    "{'@context':['" CTX "',{'sbdh':'" SBDH_NS "'}],'type':'EPCISDocument',"
    "'schemaVersion':'2.0','creationDate':'2024-05-01T10:00:00Z',"
    "'sender':'urn:epc:id:pgln:4012345.00000','receiver':'urn:epc:id:pgln:9999999.00000',"
    "'epcisHeader':{'sbdh:StandardBusinessDocumentHeader':{'sbdh:DocumentIdentification':{"
    "'sbdh:Standard':'EPCglobal','sbdh:TypeVersion':'1.0','sbdh:InstanceIdentifier':'7',"
    "'sbdh:Type':'Events','sbdh:CreationDateAndTime':'2024-05-01T10:00:00Z'},"
    "'sbdh:HeaderVersion':'1.0','sbdh:Receiver':{'sbdh:Identifier':{'Authority':'GS1'},"
    "'sbdh:ContactInformation':{'sbdh:Contact':'Jane'}},"
    "'sbdh:Sender':{'sbdh:Identifier':'urn:epc:id:pgln:1111111.00000'}}},"
    "'epcisBody':{'eventList':[" EVENT_JSON "]}}";

static void test_sender_receiver(void **state)
{
    (void)state;
    conv c;
    load_json(&c, json_partial);
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_non_null(strstr(c.out, "  <EPCISHeader>\n    <extension>\n      <EPCISMasterData>\n"
                                  "        <VocabularyList/>\n"));
    assert_non_null(strstr(c.out, "  </EPCISBody>\n  <extension>\n"
                                  "    <sender>urn:epc:id:pgln:4012345.00000</sender>\n"
                                  "  </extension>\n</epcis:EPCISDocument>\n"));
    const char *why = "header: sender is written in the document's <extension>: a "
                      "StandardBusinessDocumentHeader needs sender, receiver and "
                      "instanceIdentifier, and the source has not all three\n";
    assert_string_equal(notes_text(&c), why);
    write_doc(&c, ST_EPCIS_FMT_XML12, ST_EPCIS_IDS_ASIS);
    char want[1024];
    snprintf(want, sizeof want,
             "header: EPCISHeader dropped, with its master data: EPCIS 1.2 requires a "
             "StandardBusinessDocumentHeader in it, and the source has none (nor sender, "
             "receiver and instanceIdentifier to make one)\n%s",
             why);
    assert_string_equal(notes_text(&c), want);
    conv_free(&c);

    load_json(&c, json_sbdh);
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_non_null(
        strstr(c.out, "    <sbdh:StandardBusinessDocumentHeader>\n"
                      "      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n"
                      "      <sbdh:Sender>\n"
                      "        <sbdh:Identifier>urn:epc:id:pgln:1111111.00000</sbdh:Identifier>\n"
                      "      </sbdh:Sender>\n"
                      "      <sbdh:Receiver>\n"
                      "        <sbdh:Identifier Authority=\"GS1\">urn:epc:id:pgln:9999999.00000"
                      "</sbdh:Identifier>\n"
                      "        <sbdh:ContactInformation>\n"
                      "          <sbdh:Contact>Jane</sbdh:Contact>\n"
                      "        </sbdh:ContactInformation>\n"
                      "      </sbdh:Receiver>\n"
                      "      <sbdh:DocumentIdentification>\n"
                      "        <sbdh:Standard>EPCglobal</sbdh:Standard>\n"));
    assert_string_equal(notes_text(&c),
                        "header: sender \"urn:epc:id:pgln:4012345.00000\" dropped: the "
                        "StandardBusinessDocumentHeader, which is written, says otherwise\n");
    conv_free(&c);
}

/* What a format cannot hold is noted: query fields; a document member
 * without namespace (the GS1 JSON Schema allows none); a name XML cannot
 * carry; a structure beside an attribute's value; text beside the elements
 * of an attribute's value in JSON-LD. */
static void test_notes(void **state)
{
    (void)state;
    conv c;
    load_json(&c, "{'@context':['" CTX "'],'type':'EPCISQueryDocument','schemaVersion':'2.0',"
                  "'creationDate':'2024-05-01T10:00:00Z','epcisBody':{'queryResults':{"
                  "'queryName':'SimpleEventQuery','subscriptionID':'s1','resultsBody':{"
                  "'eventList':[]}}}}");
    for (int f = ST_EPCIS_FMT_JSONLD; f <= ST_EPCIS_FMT_XML12; f++) {
        write_doc(&c, f, ST_EPCIS_IDS_ASIS);
        assert_string_equal(notes_text(&c),
                            "header: queryName dropped: the document written is an "
                            "EPCISDocument, which has no queryName (the source is a query "
                            "document)\n"
                            "header: subscriptionID dropped: the document written is an "
                            "EPCISDocument, which has no subscriptionID (the source is a query "
                            "document)\n");
    }
    conv_free(&c);

    load_json(&c,
              "{'@context':['" CTX "',{'ex':'https://ns.example.com/epcis/'}],"
              "'type':'EPCISDocument','schemaVersion':'2.0','creationDate':'2024-05-01T10:00:00Z',"
              "'note':'n','epcisHeader':{'epcisMasterData':{'vocabularyList':[{'type':'urn:t',"
              "'vocabularyElementList':[{'id':'urn:e','attributes':[{'id':'urn:a',"
              "'attribute':'v','ex:unit':'KGM','ex:more':{'ex:x':'1'}}]}]}]},"
              "'https://ns.example.com/epcis/bad name':'b'},'epcisBody':{'eventList':[]}}");
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_string_equal(notes_text(&c),
                        "header: note is no EPCIS header field and has no namespace: written as "
                        "it is, which the GS1 JSON Schema does not allow\n");
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_non_null(strstr(c.out, "<attribute id=\"urn:a\" ex:unit=\"KGM\">v</attribute>"));
    assert_non_null(strstr(c.out, "  <extension>\n    <note>n</note>\n  </extension>\n"));
    assert_string_equal(notes_text(&c),
                        "header: more dropped: an <attribute> element holds its value and "
                        "attributes, not a structure or a repeated name beside them\n"
                        "header: bad name is written after EPCISBody, as an extension of the "
                        "document: EPCIS 2.0's EPCISHeader has no place for extension elements\n"
                        "header: \"bad name\" is not an XML name; the field is dropped\n");
    conv_free(&c);

    load(&c, md_doc, strlen(md_doc));
    st_evnode *attr = c.doc.header->first->first->last->first->first->next;
    assert_string_equal(attr->name, "attribute");
    attr->value = "stray"; /* <attribute id='...'>stray<ex:x/></attribute> */
    assert_non_null(st_evnode_add(c.a, attr, "urn:x", "x", NULL, 0, 0));
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    assert_string_equal(notes_text(&c),
                        "header: the text \"stray\" beside the elements of an attribute's value "
                        "is dropped: JSON-LD has no place for it\n");
    assert_int_equal(c.notes.items[0].rc, ST_ERR_UNSUPPORTED);
    conv_free(&c);
}

/* Master data names the objects and places the events name: its element
 * ids and children are converted as the events' identifiers are, and in XML
 * written from JSON-LD their CURIEs are expanded as the events' are. */
static void test_identifiers(void **state)
{
    (void)state;
    conv c;
    load_json(&c, json_full);
    write_doc(&c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_DL);
    assert_int_equal(c.rc, ST_OK);
    const char *rp = strstr(c.out, "\"readPoint\":{\"id\":\"");
    assert_non_null(rp);
    rp += strlen("\"readPoint\":{\"id\":\"");
    char dl[128], want[256];
    snprintf(dl, sizeof dl, "%.*s", (int)strcspn(rp, "\""), rp);
    assert_non_null(strstr(dl, "https://id.gs1.org/414/"));
    snprintf(want, sizeof want, "\"vocabularyElementList\":[{\"id\":\"%s\"", dl);
    assert_non_null(strstr(c.out, want));
    assert_non_null(strstr(c.out, "\"children\":[\"https://id.gs1.org/414/"));
    assert_non_null(strstr(c.out, "{\"id\":\"urn:epcglobal:cbv:mda#name\""));
    assert_non_null(strstr(c.out, "\"sender\":\"urn:epc:id:pgln:4012345.00000\""));
    conv_free(&c);

    /* CURIEs of JSON-LD @ids expanded in XML; an array of values, one
     * <attribute> each */
    load_json(&c, "{'@context':['" CTX "',{'ex':'https://ns.example.com/epcis/'}],"
                  "'type':'EPCISDocument','schemaVersion':'2.0','creationDate':"
                  "'2024-05-01T10:00:00Z','epcisHeader':{'epcisMasterData':{'vocabularyList':[{"
                  "'type':'urn:t','vocabularyElementList':[{'id':'ex:loc1','attributes':[{'id':"
                  "'ex:attr','attribute':['a','b']}],'children':['ex:loc2']}]}]}},"
                  "'epcisBody':{'eventList':[]}}");
    write_doc(&c, ST_EPCIS_FMT_XML2, ST_EPCIS_IDS_ASIS);
    assert_non_null(
        strstr(c.out, "              <VocabularyElement id=\"https://ns.example.com/epcis/loc1\">\n"
                      "                <attribute id=\"https://ns.example.com/epcis/attr\">a"
                      "</attribute>\n"
                      "                <attribute id=\"https://ns.example.com/epcis/attr\">b"
                      "</attribute>\n"
                      "                <children>\n"
                      "                  <id>https://ns.example.com/epcis/loc2</id>\n"));
    assert_string_equal(notes_text(&c), "");
    conv_free(&c);
}

/* ---- content after the events, and failures -------------------------------------- */

/* The front end's way (lib/epcis/epcis.c): the reader streams, and the
 * writer opens at the first event, when the XML reader has not yet seen what
 * follows EventList. */
typedef struct stream {
    st_epcis_format fmt; /* to write */
    FILE *out;           /* where */
    st_diag *notes;      /* the writer's notes */
    st_epcis_writer *w;  /* opened at the first event */
} stream;

static st_rc on_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    stream *s = ctx;
    st_rc rc = ST_OK;
    if (!s->w)
        rc = st_epcis_writer_open(s->fmt, ST_EPCIS_IDS_ASIS, doc, s->out, s->notes, &s->w);
    return rc ? rc : st_epcis_writer_event(s->w, ev);
}

/* Document-level content after EventList is written at finish where the
 * format has a place for it (after epcisBody in JSON-LD, after EPCISBody in
 * XML), else noted. */
static void test_late_content(void **state)
{
    (void)state;
    static const char doc[] =
        "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' "
        "xmlns:ex='https://ns.example.com/epcis/' schemaVersion='2.0' "
        "creationDate='2024-05-01T10:00:00Z'><EPCISBody><EventList>" EVENT_XML "</EventList>"
        "<ex:inBody>b</ex:inBody></EPCISBody><extension><late>x</late></extension>"
        "<ex:trailer>end</ex:trailer><q:other xmlns:q='urn:example:q'>o</q:other>"
        "</epcis:EPCISDocument>";
    for (int f = ST_EPCIS_FMT_JSONLD; f <= ST_EPCIS_FMT_XML2; f++) {
        conv c;
        memset(&c, 0, sizeof c);
        c.a = st_arena_create(0);
        st_diag_init(&c.notes, c.a);
        stream s = {f, open_memstream(&c.out, &c.n), &c.notes, NULL};
        assert_non_null(s.out);
        c.doc.name = "test";
        c.doc.arena = c.a;
        st_diag_init(&c.diag, c.a);
        assert_int_equal(st_xml_read(&c.doc, doc, strlen(doc), on_event, &s, &c.diag), ST_OK);
        assert_int_equal(c.diag.n, 0);
        assert_non_null(s.w);
        assert_int_equal(st_epcis_writer_finish(s.w), ST_OK);
        fclose(s.out);
        if (f == ST_EPCIS_FMT_JSONLD) {
            assert_non_null(strstr(c.out, "\n]},\"ex-ns:inBody\":\"b\",\"late\":\"x\","
                                          "\"ex-ns:trailer\":\"end\"}\n"));
            assert_string_equal(notes_text(&c),
                                "header: late is no EPCIS header field and has no namespace: "
                                "written as it is, which the GS1 JSON Schema does not allow\n"
                                "header: other dropped: it came after the events, and its "
                                "namespace has no prefix in the document's @context, written "
                                "before them\n");
        } else {
            assert_non_null(strstr(c.out, "  </EPCISBody>\n"
                                          "  <extension>\n"
                                          "    <late>x</late>\n"
                                          "  </extension>\n"
                                          "  <ex:inBody>b</ex:inBody>\n"
                                          "  <ex:trailer>end</ex:trailer>\n"
                                          "  <q:other xmlns:q=\"urn:example:q\">o</q:other>\n"
                                          "</epcis:EPCISDocument>\n"));
            assert_string_equal(notes_text(&c), "");
        }
        conv_free(&c);
    }
}

/* A header too large for the FILE's buffer, written to a full disk: the
 * failure surfaces as ST_ERR_IO, at open or at finish. */
static void test_io_failure(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        print_message("/dev/full is not there: skipping the write-failure check\n");
        skip();
    }
    setvbuf(full, NULL, _IOFBF, 64);
    conv c;
    load(&c, xml_full, strlen(xml_full));
    for (int f = ST_EPCIS_FMT_JSONLD; f <= ST_EPCIS_FMT_XML12; f++) {
        st_epcis_writer *w = NULL;
        st_rc rc = st_epcis_writer_open(f, ST_EPCIS_IDS_ASIS, &c.doc, full, NULL, &w);
        if (rc == ST_OK)
            rc = st_epcis_writer_finish(w);
        assert_int_equal(rc, ST_ERR_IO);
        clearerr(full);
    }
    fclose(full);
    conv_free(&c);
}

int main(void)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_source),
        cmocka_unit_test(test_json_source),
        cmocka_unit_test(test_master_data_document),
        cmocka_unit_test(test_sender_receiver),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_late_content),
        cmocka_unit_test(test_io_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
