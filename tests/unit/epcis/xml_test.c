/*
 * Tests for lib/epcis/xml.c: a hand-written EPCIS 2.0 document and a 1.2
 * document with every kind of extension wrapper, compared line by line
 * through st_evdump in keep-all and callback mode; query documents; a table
 * of bad inputs (each row: document, return code, diagnostic code, event,
 * path, message fragment, events delivered); external entities that must not
 * be resolved; the caps; a streamed document of 200,000 events read in
 * constant memory; and every GS1 XML example (from ST_SHARED_DIR, skipped
 * when it is absent).
 *
 * Documents use single-quoted attributes for legibility.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "epcis/tree_dump.h"
#include "epcis/xml.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* Read s (strlen(s) bytes, copied to a buffer of exactly that size so that
 * ASan sees any read past the end), keeping every event unless cb is set. */
static void read_s(reading *r, const char *s, st_epcis_on_event cb, void *ctx)
{
    size_t n = strlen(s);
    char *b = malloc(n ? n : 1);
    assert_non_null(b);
    memcpy(b, s, n);
    reading_start(r);
    r->rc = st_xml_read(&r->doc, b, n, cb, ctx, &r->diag);
    free(b);
}

/* The dump of doc->ns, doc->header and every kept event. */
static char *dump_doc(text *t, const st_epcis_doc *doc)
{
    text_add(t, doc->ns);
    text_add(t, doc->header);
    for (size_t i = 0; i < doc->n_kept; i++)
        text_add(t, doc->kept[i]->root);
    return t->s;
}

/* Callback mode: the same dump, events appended as they come. */
typedef struct collect {
    text t;                /* the dumps, when t.a is set */
    size_t n;              /* events seen */
    long index[8];         /* indexes of the first events */
    st_event_type type[8]; /* their types */
    size_t stop_at;        /* return ST_ERR_RANGE on this event (1-based), 0 never */
} collect;

static st_rc collect_cb(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    collect *c = ctx;
    if (c->n == 0 && c->t.a) {
        text_add(&c->t, doc->ns);
        text_add(&c->t, doc->header);
    }
    if (c->t.a)
        text_add(&c->t, ev->root);
    if (c->n < COUNT(c->type)) {
        c->type[c->n] = ev->type;
        c->index[c->n] = ev->index;
    }
    c->n++;
    return c->stop_at && c->n == c->stop_at ? ST_ERR_RANGE : ST_OK;
}

/* ---- the conventions, in two documents -------------------------------------------- */

/* The documents and their dumps, line for line as read (not reflowed). */
/* clang-format off */
static const char doc20[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<!DOCTYPE EPCISDocument>\n"
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2'\n"
    "    xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'\n"
    "    xmlns:ex='https://ns.example.com/epcis/'\n"
    "    xmlns:sbdh='http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader'\n"
    "    schemaVersion='2.0' creationDate='2024-05-01T10:00:00Z'\n"
    "    xsi:schemaLocation='urn:epcglobal:epcis:xsd:2 EPCglobal-epcis-2_0.xsd' ex:batch='B-9'>\n"
    "  <EPCISHeader>\n"
    "    <sbdh:StandardBusinessDocumentHeader>\n"
    "      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n"
    "      <sbdh:Sender><sbdh:Identifier Authority='GS1'>4012345000009</sbdh:Identifier></sbdh:Sender>\n"
    "    </sbdh:StandardBusinessDocumentHeader>\n"
    "  </EPCISHeader>\n"
    "  <EPCISBody>\n"
    "    <EventList>\n"
    "      <!-- every convention of the event tree -->\n"
    "      <ObjectEvent>\n"
    "        <eventTime>2024-05-01T09:00:00.000+02:00</eventTime>\n"
    "        <eventTimeZoneOffset>+02:00</eventTimeZoneOffset>\n"
    "        <certificationInfo>https://cert.example.org/a</certificationInfo>\n"
    "        <certificationInfo>https://cert.example.org/b</certificationInfo>\n"
    "        <epcList>\n"
    "          <epc>urn:epc:id:sgtin:4012345.011111.1</epc>\n"
    "          <epc> urn:epc:id:sgtin:4012345.011111.2 </epc>\n"
    "        </epcList>\n"
    "        <quantityList>\n"
    "          <quantityElement>\n"
    "            <epcClass>urn:epc:class:lgtin:4012345.011111.L1</epcClass>\n"
    "            <quantity>200.0</quantity>\n"
    "            <uom>KGM</uom>\n"
    "          </quantityElement>\n"
    "        </quantityList>\n"
    "        <action>OBSERVE</action>\n"
    "        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n"
    "        <disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>\n"
    "        <persistentDisposition>\n"
    "          <set>urn:epcglobal:cbv:disp:completeness_verified</set>\n"
    "          <unset>urn:epcglobal:cbv:disp:completeness_inferred</unset>\n"
    "        </persistentDisposition>\n"
    "        <readPoint>\n"
    "          <id>urn:epc:id:sgln:4012345.00001.0</id>\n"
    "          <ex:gate>G7</ex:gate>\n"
    "        </readPoint>\n"
    "        <bizTransactionList>\n"
    "          <bizTransaction type='urn:epcglobal:cbv:btt:po'>http://tx.example.org/po?a=1&amp;b=2</bizTransaction>\n"
    "          <bizTransaction>urn:epcglobal:cbv:bt:4012345000009:77</bizTransaction>\n"
    "        </bizTransactionList>\n"
    "        <sourceList>\n"
    "          <source type='urn:epcglobal:cbv:sdt:owning_party'>urn:epc:id:pgln:4012345.00000</source>\n"
    "        </sourceList>\n"
    "        <destinationList>\n"
    "          <destination type='urn:epcglobal:cbv:sdt:location'>urn:epc:id:sgln:0614141.00777.0</destination>\n"
    "        </destinationList>\n"
    "        <sensorElementList>\n"
    "          <sensorElement>\n"
    "            <sensorMetadata time='2024-05-01T08:00:00Z' deviceID='urn:epc:id:giai:4012345.9' ex:calibrated='true'/>\n"
    "            <sensorReport type='gs1:Temperature' value='-1.5' uom='CEL'/>\n"
    "            <sensorReport type='gs1:RelativeHumidity' stringValue='line1&#10;line2'/>\n"
    "            <ex:note>after the reports</ex:note>\n"
    "          </sensorElement>\n"
    "        </sensorElementList>\n"
    "        <ilmd>\n"
    "          <cbvmda:lotNumber xmlns:cbvmda='urn:epcglobal:cbv:mda'>L1</cbvmda:lotNumber>\n"
    "        </ilmd>\n"
    "        <ex:dims ex:unit='cm' plain='p'>\n"
    "          <ex:w>1.250</ex:w>\n"
    "          <unprefixed>x</unprefixed>\n"
    "          <deep xmlns='https://default.example.org/'><d2>7</d2></deep>\n"
    "        </ex:dims>\n"
    "        <ex:raw><![CDATA[<raw & text>]]></ex:raw>\n"
    "        <ex:mixed>a<ex:b>1</ex:b>c <!-- a comment --><?pi ignored?> d</ex:mixed>\n"
    "        <ex:empty/>\n"
    "      </ObjectEvent>\n"
    "      <AggregationEvent>\n"
    "        <eventTime>2024-05-01T09:10:00Z</eventTime>\n"
    "        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
    "        <eventID>urn:uuid:11111111-2222-3333-4444-555555555555</eventID>\n"
    "        <errorDeclaration>\n"
    "          <declarationTime>2024-05-02T00:00:00Z</declarationTime>\n"
    "          <reason>urn:epcglobal:cbv:er:incorrect_data</reason>\n"
    "          <correctiveEventIDs>\n"
    "            <correctiveEventID>urn:uuid:66666666-2222-3333-4444-555555555555</correctiveEventID>\n"
    "          </correctiveEventIDs>\n"
    "          <ex:by>QA</ex:by>\n"
    "        </errorDeclaration>\n"
    "        <parentID>urn:epc:id:sscc:4012345.0000000001</parentID>\n"
    "        <childEPCs><epc>urn:epc:id:sgtin:4012345.011111.1</epc></childEPCs>\n"
    "        <action>ADD</action>\n"
    "        <childQuantityList>\n"
    "          <quantityElement><epcClass>urn:epc:class:lgtin:4012345.011111.L1</epcClass><quantity>5</quantity></quantityElement>\n"
    "        </childQuantityList>\n"
    "      </AggregationEvent>\n"
    "      <TransformationEvent>\n"
    "        <eventTime>2024-05-01T09:20:00Z</eventTime>\n"
    "        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
    "        <inputEPCList><epc>urn:epc:id:sgtin:4012345.011111.1</epc></inputEPCList>\n"
    "        <inputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.011111.L2</epcClass><quantity>0.5</quantity><uom>LTR</uom></quantityElement></inputQuantityList>\n"
    "        <outputEPCList/>\n"
    "        <outputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.022222.M1</epcClass><quantity>12</quantity></quantityElement></outputQuantityList>\n"
    "        <transformationID>urn:epc:id:gdti:4012345.00001.1</transformationID>\n"
    "      </TransformationEvent>\n"
    "      <TransactionEvent>\n"
    "        <eventTime>2024-05-01T09:30:00Z</eventTime>\n"
    "        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
    "        <epcList></epcList>\n"
    "        <action>DELETE</action>\n"
    "        <bizStep>  </bizStep>\n"
    "      </TransactionEvent>\n"
    "      <AssociationEvent>\n"
    "        <eventTime>2024-05-01T09:40:00Z</eventTime>\n"
    "        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
    "        <parentID>urn:epc:id:grai:4012345.55555.1</parentID>\n"
    "        <childEPCs><epc>urn:epc:id:giai:4012345.7</epc></childEPCs>\n"
    "        <action>ADD</action>\n"
    "      </AssociationEvent>\n"
    "    </EventList>\n"
    "  </EPCISBody>\n"
    "</epcis:EPCISDocument>\n";

static const char doc20_dump[] =
    "ns\n"
    "  epcis=urn:epcglobal:epcis:xsd:2\n"
    "  xsi=http://www.w3.org/2001/XMLSchema-instance\n"
    "  ex=https://ns.example.com/epcis/\n"
    "  sbdh=http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader\n"
    "header\n"
    "  {https://ns.example.com/epcis/}ex:batch [A]=B-9\n"
    "  EPCISHeader\n"
    "    {http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}sbdh:StandardBusinessDocumentHeader\n"
    "      {http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}sbdh:HeaderVersion=1.0\n"
    "      {http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}sbdh:Sender\n"
    "        {http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader}sbdh:Identifier=4012345000009\n"
    "          Authority [A]=GS1\n"
    "ObjectEvent\n"
    "  eventTime=2024-05-01T09:00:00.000+02:00\n"
    "  eventTimeZoneOffset=+02:00\n"
    "  certificationInfo=https://cert.example.org/a\n"
    "  certificationInfo=https://cert.example.org/b\n"
    "  epcList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "    epc= urn:epc:id:sgtin:4012345.011111.2 \n"
    "  quantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L1\n"
    "      quantity=200.0\n"
    "      uom=KGM\n"
    "  action=OBSERVE\n"
    "  bizStep=urn:epcglobal:cbv:bizstep:shipping\n"
    "  disposition=https://ref.gs1.org/cbv/Disp-in_transit\n"
    "  persistentDisposition\n"
    "    set=urn:epcglobal:cbv:disp:completeness_verified\n"
    "    unset=urn:epcglobal:cbv:disp:completeness_inferred\n"
    "  readPoint\n"
    "    id=urn:epc:id:sgln:4012345.00001.0\n"
    "    {https://ns.example.com/epcis/}ex:gate=G7\n"
    "  bizTransactionList [L]\n"
    "    bizTransaction=http://tx.example.org/po?a=1&b=2\n"
    "      type [A]=urn:epcglobal:cbv:btt:po\n"
    "    bizTransaction=urn:epcglobal:cbv:bt:4012345000009:77\n"
    "  sourceList [L]\n"
    "    source=urn:epc:id:pgln:4012345.00000\n"
    "      type [A]=urn:epcglobal:cbv:sdt:owning_party\n"
    "  destinationList [L]\n"
    "    destination=urn:epc:id:sgln:0614141.00777.0\n"
    "      type [A]=urn:epcglobal:cbv:sdt:location\n"
    "  sensorElementList [L]\n"
    "    sensorElement\n"
    "      sensorMetadata\n"
    "        time [A]=2024-05-01T08:00:00Z\n"
    "        deviceID [A]=urn:epc:id:giai:4012345.9\n"
    "        {https://ns.example.com/epcis/}ex:calibrated [A]=true\n"
    "      sensorReport\n"
    "        type [A]=gs1:Temperature\n"
    "        value [A]=-1.5\n"
    "        uom [A]=CEL\n"
    "      sensorReport\n"
    "        type [A]=gs1:RelativeHumidity\n"
    "        stringValue [A]=line1\\nline2\n"
    "      {https://ns.example.com/epcis/}ex:note=after the reports\n"
    "  ilmd\n"
    "    {urn:epcglobal:cbv:mda}cbvmda:lotNumber=L1\n"
    "  {https://ns.example.com/epcis/}ex:dims\n"
    "    {https://ns.example.com/epcis/}ex:unit [A]=cm\n"
    "    plain [A]=p\n"
    "    {https://ns.example.com/epcis/}ex:w=1.250\n"
    "    unprefixed=x\n"
    "    {https://default.example.org/}deep\n"
    "      {https://default.example.org/}d2=7\n"
    "  {https://ns.example.com/epcis/}ex:raw=<raw & text>\n"
    "  {https://ns.example.com/epcis/}ex:mixed=ac  d\n"
    "    {https://ns.example.com/epcis/}ex:b=1\n"
    "  {https://ns.example.com/epcis/}ex:empty\n"
    "AggregationEvent\n"
    "  eventTime=2024-05-01T09:10:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  eventID=urn:uuid:11111111-2222-3333-4444-555555555555\n"
    "  errorDeclaration\n"
    "    declarationTime=2024-05-02T00:00:00Z\n"
    "    reason=urn:epcglobal:cbv:er:incorrect_data\n"
    "    correctiveEventIDs [L]\n"
    "      correctiveEventID=urn:uuid:66666666-2222-3333-4444-555555555555\n"
    "    {https://ns.example.com/epcis/}ex:by=QA\n"
    "  parentID=urn:epc:id:sscc:4012345.0000000001\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "  action=ADD\n"
    "  childQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L1\n"
    "      quantity=5\n"
    "TransformationEvent\n"
    "  eventTime=2024-05-01T09:20:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  inputEPCList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.1\n"
    "  inputQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.011111.L2\n"
    "      quantity=0.5\n"
    "      uom=LTR\n"
    "  outputEPCList [L]\n"
    "  outputQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.022222.M1\n"
    "      quantity=12\n"
    "  transformationID=urn:epc:id:gdti:4012345.00001.1\n"
    "TransactionEvent\n"
    "  eventTime=2024-05-01T09:30:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  epcList [L]\n"
    "  action=DELETE\n"
    "  bizStep=  \n"
    "AssociationEvent\n"
    "  eventTime=2024-05-01T09:40:00Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  parentID=urn:epc:id:grai:4012345.55555.1\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:giai:4012345.7\n"
    "  action=ADD\n";

static const char doc12[] =
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:1' xmlns:ex='http://ns.example.com/epcis'\n"
    "    schemaVersion='1.2' creationDate='2019-11-28T14:59:02.000+01:00'>\n"
    "  <EPCISHeader>\n"
    "    <extension>\n"
    "      <EPCISMasterData>\n"
    "        <VocabularyList>\n"
    "          <Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'>\n"
    "            <VocabularyElementList>\n"
    "              <VocabularyElement id='urn:epc:id:sgln:0614141.00300.0'>\n"
    "                <attribute id='urn:epcglobal:cbv:mda:site'>0614141003006</attribute>\n"
    "              </VocabularyElement>\n"
    "            </VocabularyElementList>\n"
    "          </Vocabulary>\n"
    "        </VocabularyList>\n"
    "      </EPCISMasterData>\n"
    "    </extension>\n"
    "  </EPCISHeader>\n"
    "  <EPCISBody>\n"
    "    <EventList>\n"
    "      <ObjectEvent>\n"
    "        <eventTime>2019-11-01T14:00:00.000+01:00</eventTime>\n"
    "        <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
    "        <baseExtension>\n"
    "          <eventID>urn:uuid:aaaaaaaa-2222-3333-4444-555555555555</eventID>\n"
    "          <errorDeclaration>\n"
    "            <declarationTime>2019-11-02T00:00:00Z</declarationTime>\n"
    "            <reason>urn:epcglobal:cbv:er:incorrect_data</reason>\n"
    "            <extension>\n"
    "              <correctiveEventIDs><correctiveEventID>urn:uuid:bbbbbbbb-2222-3333-4444-555555555555</correctiveEventID></correctiveEventIDs>\n"
    "            </extension>\n"
    "            <ex:by>QA</ex:by>\n"
    "          </errorDeclaration>\n"
    "        </baseExtension>\n"
    "        <epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>\n"
    "        <action>OBSERVE</action>\n"
    "        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n"
    "        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>\n"
    "        <readPoint>\n"
    "          <id>urn:epc:id:sgln:0614141.07346.1234</id>\n"
    "          <extension><ex:gate>G7</ex:gate></extension>\n"
    "        </readPoint>\n"
    "        <bizTransactionList>\n"
    "          <bizTransaction type='urn:epcglobal:cbv:btt:po'>http://transaction.acme.com/po/12345678</bizTransaction>\n"
    "        </bizTransactionList>\n"
    "        <extension>\n"
    "          <quantityList>\n"
    "            <quantityElement>\n"
    "              <epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass>\n"
    "              <quantity>200</quantity>\n"
    "              <uom>KGM</uom>\n"
    "            </quantityElement>\n"
    "          </quantityList>\n"
    "          <sourceList>\n"
    "            <source type='urn:epcglobal:cbv:sdt:possessing_party'>urn:epc:id:sgln:4012345.00001.0</source>\n"
    "          </sourceList>\n"
    "          <destinationList>\n"
    "            <destination type='urn:epcglobal:cbv:sdt:owning_party'>urn:epc:id:sgln:0614141.00001.0</destination>\n"
    "          </destinationList>\n"
    "          <ilmd>\n"
    "            <ex:bestBeforeDate>2014-12-10</ex:bestBeforeDate>\n"
    "          </ilmd>\n"
    "          <extension>\n"
    "            <ex:inner>deep</ex:inner>\n"
    "          </extension>\n"
    "        </extension>\n"
    "        <ex:myField>vendor extension</ex:myField>\n"
    "      </ObjectEvent>\n"
    "      <AggregationEvent>\n"
    "        <eventTime>2013-06-08T14:58:56.591Z</eventTime>\n"
    "        <eventTimeZoneOffset>+02:00</eventTimeZoneOffset>\n"
    "        <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>\n"
    "        <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></childEPCs>\n"
    "        <action>OBSERVE</action>\n"
    "        <extension>\n"
    "          <childQuantityList>\n"
    "            <quantityElement><epcClass>urn:epc:idpat:sgtin:4012345.098765.*</epcClass><quantity>10</quantity></quantityElement>\n"
    "          </childQuantityList>\n"
    "        </extension>\n"
    "      </AggregationEvent>\n"
    "      <extension>\n"
    "        <TransformationEvent>\n"
    "          <eventTime>2013-10-31T14:58:56.591Z</eventTime>\n"
    "          <eventTimeZoneOffset>+02:00</eventTimeZoneOffset>\n"
    "          <inputEPCList><epc>urn:epc:id:sgtin:4012345.011122.25</epc></inputEPCList>\n"
    "          <outputEPCList><epc>urn:epc:id:sgtin:4012345.077889.25</epc></outputEPCList>\n"
    "          <ilmd><ex:batch>XYZ</ex:batch></ilmd>\n"
    "        </TransformationEvent>\n"
    "      </extension>\n"
    "      <extension>\n"
    "        <extension>\n"
    "          <AssociationEvent>\n"
    "            <eventTime>2019-11-01T14:00:00.000+01:00</eventTime>\n"
    "            <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>\n"
    "            <parentID>urn:epc:id:grai:4012345.55555.987</parentID>\n"
    "            <childEPCs><epc>urn:epc:id:giai:4000001.12345</epc></childEPCs>\n"
    "            <action>ADD</action>\n"
    "          </AssociationEvent>\n"
    "        </extension>\n"
    "      </extension>\n"
    "      <TransactionEvent>\n"
    "        <eventTime>2020-07-03T09:00:00.0Z</eventTime>\n"
    "        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
    "        <bizTransactionList><bizTransaction type='urn:epcglobal:cbv:btt:inv'>urn:epcglobal:cbv:bt:4012345000009:INV1</bizTransaction></bizTransactionList>\n"
    "        <epcList><epc>urn:epc:id:sgtin:4012345.011111.9876</epc></epcList>\n"
    "        <action>ADD</action>\n"
    "      </TransactionEvent>\n"
    "    </EventList>\n"
    "  </EPCISBody>\n"
    "</epcis:EPCISDocument>\n";

static const char doc12_dump[] =
    "ns\n"
    "  epcis=urn:epcglobal:epcis:xsd:1\n"
    "  ex=http://ns.example.com/epcis\n"
    "header\n"
    "  EPCISHeader\n"
    "    EPCISMasterData\n"
    "      VocabularyList [L]\n"
    "        Vocabulary\n"
    "          type [A]=urn:epcglobal:epcis:vtype:ReadPoint\n"
    "          VocabularyElementList [L]\n"
    "            VocabularyElement\n"
    "              id [A]=urn:epc:id:sgln:0614141.00300.0\n"
    "              attribute=0614141003006\n"
    "                id [A]=urn:epcglobal:cbv:mda:site\n"
    "ObjectEvent\n"
    "  eventTime=2019-11-01T14:00:00.000+01:00\n"
    "  eventTimeZoneOffset=+01:00\n"
    "  eventID=urn:uuid:aaaaaaaa-2222-3333-4444-555555555555\n"
    "  errorDeclaration\n"
    "    declarationTime=2019-11-02T00:00:00Z\n"
    "    reason=urn:epcglobal:cbv:er:incorrect_data\n"
    "    correctiveEventIDs [L]\n"
    "      correctiveEventID=urn:uuid:bbbbbbbb-2222-3333-4444-555555555555\n"
    "    {http://ns.example.com/epcis}ex:by=QA\n"
    "  epcList [L]\n"
    "    epc=urn:epc:id:sgtin:0614141.107346.2017\n"
    "  action=OBSERVE\n"
    "  bizStep=urn:epcglobal:cbv:bizstep:shipping\n"
    "  disposition=urn:epcglobal:cbv:disp:in_transit\n"
    "  readPoint\n"
    "    id=urn:epc:id:sgln:0614141.07346.1234\n"
    "    {http://ns.example.com/epcis}ex:gate=G7\n"
    "  bizTransactionList [L]\n"
    "    bizTransaction=http://transaction.acme.com/po/12345678\n"
    "      type [A]=urn:epcglobal:cbv:btt:po\n"
    "  quantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:class:lgtin:4012345.012345.998877\n"
    "      quantity=200\n"
    "      uom=KGM\n"
    "  sourceList [L]\n"
    "    source=urn:epc:id:sgln:4012345.00001.0\n"
    "      type [A]=urn:epcglobal:cbv:sdt:possessing_party\n"
    "  destinationList [L]\n"
    "    destination=urn:epc:id:sgln:0614141.00001.0\n"
    "      type [A]=urn:epcglobal:cbv:sdt:owning_party\n"
    "  ilmd\n"
    "    {http://ns.example.com/epcis}ex:bestBeforeDate=2014-12-10\n"
    "  {http://ns.example.com/epcis}ex:inner=deep\n"
    "  {http://ns.example.com/epcis}ex:myField=vendor extension\n"
    "AggregationEvent\n"
    "  eventTime=2013-06-08T14:58:56.591Z\n"
    "  eventTimeZoneOffset=+02:00\n"
    "  parentID=urn:epc:id:sscc:0614141.1234567890\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:sgtin:0614141.107346.2017\n"
    "  action=OBSERVE\n"
    "  childQuantityList [L]\n"
    "    quantityElement\n"
    "      epcClass=urn:epc:idpat:sgtin:4012345.098765.*\n"
    "      quantity=10\n"
    "TransformationEvent\n"
    "  eventTime=2013-10-31T14:58:56.591Z\n"
    "  eventTimeZoneOffset=+02:00\n"
    "  inputEPCList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011122.25\n"
    "  outputEPCList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.077889.25\n"
    "  ilmd\n"
    "    {http://ns.example.com/epcis}ex:batch=XYZ\n"
    "AssociationEvent\n"
    "  eventTime=2019-11-01T14:00:00.000+01:00\n"
    "  eventTimeZoneOffset=+01:00\n"
    "  parentID=urn:epc:id:grai:4012345.55555.987\n"
    "  childEPCs [L]\n"
    "    epc=urn:epc:id:giai:4000001.12345\n"
    "  action=ADD\n"
    "TransactionEvent\n"
    "  eventTime=2020-07-03T09:00:00.0Z\n"
    "  eventTimeZoneOffset=+00:00\n"
    "  bizTransactionList [L]\n"
    "    bizTransaction=urn:epcglobal:cbv:bt:4012345000009:INV1\n"
    "      type [A]=urn:epcglobal:cbv:btt:inv\n"
    "  epcList [L]\n"
    "    epc=urn:epc:id:sgtin:4012345.011111.9876\n"
    "  action=ADD\n";
/* clang-format on */

/* Read doc in keep-all mode and in callback mode; both must give dump. */
static void check_conventions(const char *xml, const char *dump, st_epcis_format fmt,
                              const char *version, const char *date, const st_event_type *types,
                              size_t n_types)
{
    reading r;
    read_s(&r, xml, NULL, NULL);
    show_diag(&r.diag);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(st_diag_count(&r.diag), 0);
    assert_int_equal(r.doc.format, fmt);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_DOCUMENT);
    assert_string_equal(r.doc.schema_version, version);
    assert_string_equal(r.doc.creation_date, date);
    assert_int_equal(r.doc.events, n_types);
    assert_int_equal(r.doc.n_kept, n_types);
    for (size_t i = 0; i < n_types; i++) {
        assert_int_equal(r.doc.kept[i]->type, types[i]);
        assert_int_equal(r.doc.kept[i]->index, (long)i);
    }
    text t = {r.a, NULL};
    assert_same_text(dump_doc(&t, &r.doc), dump);
    reading_done(&r);

    collect c;
    memset(&c, 0, sizeof c);
    c.t.a = st_arena_create(0);
    read_s(&r, xml, collect_cb, &c);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(st_diag_count(&r.diag), 0);
    assert_int_equal(r.doc.n_kept, 0);
    assert_null(r.doc.kept);
    assert_int_equal(c.n, n_types);
    for (size_t i = 0; i < n_types; i++) {
        assert_int_equal(c.type[i], types[i]);
        assert_int_equal(c.index[i], (long)i);
    }
    assert_same_text(c.t.s, dump);
    st_arena_destroy(c.t.a);
    reading_done(&r);
}

static void test_conventions_20(void **state)
{
    (void)state;
    static const st_event_type types[] = {ST_EVENT_OBJECT, ST_EVENT_AGGREGATION,
                                          ST_EVENT_TRANSFORMATION, ST_EVENT_TRANSACTION,
                                          ST_EVENT_ASSOCIATION};
    check_conventions(doc20, doc20_dump, ST_EPCIS_FMT_XML2, "2.0", "2024-05-01T10:00:00Z", types,
                      COUNT(types));

    /* prefixes: as used; none for a default namespace */
    reading r;
    read_s(&r, doc20, NULL, NULL);
    st_evnode *dims = r.doc.kept[0]->root->first;
    while (dims && strcmp(dims->name, "dims"))
        dims = dims->next;
    assert_non_null(dims);
    assert_string_equal(dims->prefix, "ex");
    assert_string_equal(dims->ns, "https://ns.example.com/epcis/");
    assert_string_equal(dims->last->name, "deep");
    assert_string_equal(dims->last->ns, "https://default.example.org/");
    assert_null(dims->last->prefix);
    assert_null(st_evnode_child(r.doc.kept[0]->root, "dims")); /* not an EPCIS field */
    assert_null(r.doc.kept[0]->root->first->prefix);
    assert_null(r.doc.kept[0]->root->parent);
    reading_done(&r);
}

static void test_conventions_12(void **state)
{
    (void)state;
    static const st_event_type types[] = {ST_EVENT_OBJECT, ST_EVENT_AGGREGATION,
                                          ST_EVENT_TRANSFORMATION, ST_EVENT_ASSOCIATION,
                                          ST_EVENT_TRANSACTION};
    check_conventions(doc12, doc12_dump, ST_EPCIS_FMT_XML12, "1.2", "2019-11-28T14:59:02.000+01:00",
                      types, COUNT(types));
}

/* The same event in 1.2 and in 2.0 spelling gives the same tree. */
static void test_12_equals_20(void **state)
{
    (void)state;
    static const char v12[] =
        "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:1' xmlns:ex='urn:ex'>"
        "<EPCISBody><EventList><ObjectEvent><eventTime>2020-01-01T00:00:00Z</eventTime>"
        "<baseExtension><eventID>urn:uuid:1</eventID></baseExtension>"
        "<epcList><epc>urn:epc:id:sgtin:1.2.3</epc></epcList><action>ADD</action>"
        "<extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:1.2.L</epcClass>"
        "<quantity>1</quantity></quantityElement></quantityList>"
        "<ilmd><ex:lot>L</ex:lot></ilmd></extension><ex:f>1</ex:f></ObjectEvent>"
        "</EventList></EPCISBody></epcis:EPCISDocument>";
    static const char v20[] =
        "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' xmlns:ex='urn:ex'>"
        "<EPCISBody><EventList><ObjectEvent><eventTime>2020-01-01T00:00:00Z</eventTime>"
        "<eventID>urn:uuid:1</eventID>"
        "<epcList><epc>urn:epc:id:sgtin:1.2.3</epc></epcList><action>ADD</action>"
        "<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:1.2.L</epcClass>"
        "<quantity>1</quantity></quantityElement></quantityList>"
        "<ilmd><ex:lot>L</ex:lot></ilmd><ex:f>1</ex:f></ObjectEvent>"
        "</EventList></EPCISBody></epcis:EPCISDocument>";
    reading a, b;
    read_s(&a, v12, NULL, NULL);
    read_s(&b, v20, NULL, NULL);
    assert_int_equal(a.rc, ST_OK);
    assert_int_equal(b.rc, ST_OK);
    assert_int_equal(a.doc.n_kept, 1);
    assert_int_equal(b.doc.n_kept, 1);
    assert_string_equal(st_evdump(a.a, a.doc.kept[0]->root, ST_EVDUMP_PREFIX),
                        st_evdump(b.a, b.doc.kept[0]->root, ST_EVDUMP_PREFIX));
    reading_done(&a);
    reading_done(&b);
}

static void test_query_documents(void **state)
{
    (void)state;
    static const char q20[] =
        "<epcisq:EPCISQueryDocument xmlns:epcisq='urn:epcglobal:epcis-query:xsd:2' "
        "schemaVersion='2.0' creationDate='2024-01-01T00:00:00Z'>\n"
        " <EPCISBody>\n"
        "  <epcisq:QueryResults>\n"
        "   <queryName>SimpleEventQuery</queryName>\n"
        "   <subscriptionID>sub-1</subscriptionID>\n"
        "   <resultsBody>\n"
        "    <EventList>\n"
        "     <ObjectEvent><action>OBSERVE</action></ObjectEvent>\n"
        "     <AggregationEvent><action>ADD</action></AggregationEvent>\n"
        "    </EventList>\n"
        "   </resultsBody>\n"
        "  </epcisq:QueryResults>\n"
        " </EPCISBody>\n"
        "</epcisq:EPCISQueryDocument>\n";
    static const char q12[] =
        "<epcisq:EPCISQueryDocument xmlns:epcisq='urn:epcglobal:epcis-query:xsd:1' "
        "schemaVersion='1.2' creationDate='2019-01-01T00:00:00Z'>"
        "<EPCISBody><epcisq:QueryResults><queryName>SimpleEventQuery</queryName>"
        "<resultsBody><EventList><ObjectEvent><action>OBSERVE</action></ObjectEvent>"
        "<extension><TransformationEvent><transformationID>urn:x</transformationID>"
        "</TransformationEvent></extension></EventList></resultsBody></epcisq:QueryResults>"
        "</EPCISBody></epcisq:EPCISQueryDocument>";
    reading r;
    read_s(&r, q20, NULL, NULL);
    show_diag(&r.diag);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_QUERY);
    assert_int_equal(r.doc.format, ST_EPCIS_FMT_XML2);
    assert_int_equal(r.doc.n_kept, 2);
    assert_int_equal(r.doc.kept[1]->type, ST_EVENT_AGGREGATION);
    text t = {r.a, NULL};
    assert_same_text(dump_doc(&t, &r.doc), "ns\n"
                                           "  epcisq=urn:epcglobal:epcis-query:xsd:2\n"
                                           "header\n"
                                           "  queryName=SimpleEventQuery\n"
                                           "  subscriptionID=sub-1\n"
                                           "ObjectEvent\n"
                                           "  action=OBSERVE\n"
                                           "AggregationEvent\n"
                                           "  action=ADD\n");
    reading_done(&r);

    read_s(&r, q12, NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_QUERY);
    assert_int_equal(r.doc.format, ST_EPCIS_FMT_XML12);
    assert_string_equal(r.doc.schema_version, "1.2");
    assert_int_equal(r.doc.n_kept, 2);
    assert_int_equal(r.doc.kept[1]->type, ST_EVENT_TRANSFORMATION);
    assert_string_equal(st_evnode_child_value(r.doc.header, "queryName"), "SimpleEventQuery");
    reading_done(&r);
}

/* A master-data document has no events; its vocabularies are header content. */
static void test_master_data_document(void **state)
{
    (void)state;
    reading r;
    read_s(&r,
           "<epcismd:EPCISMasterDataDocument xmlns:epcismd='urn:epcglobal:epcis-masterdata:xsd:2' "
           "schemaVersion='2.0' creationDate='2020-06-16T11:30:47.0Z'><EPCISBody><VocabularyList>"
           "<Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'/></VocabularyList></EPCISBody>"
           "</epcismd:EPCISMasterDataDocument>",
           NULL, NULL);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(r.doc.kind, ST_EPCIS_DOC_DOCUMENT);
    assert_int_equal(r.doc.events, 0);
    text t = {r.a, NULL};
    text_add(&t, r.doc.header);
    assert_same_text(t.s, "header\n"
                          "  VocabularyList [L]\n"
                          "    Vocabulary\n"
                          "      type [A]=urn:epcglobal:epcis:vtype:ReadPoint\n");
    reading_done(&r);
}

static st_rc count_cb(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    (void)doc;
    (void)ev;
    (*(size_t *)ctx)++;
    return ST_OK;
}

static void test_callback_stops(void **state)
{
    (void)state;
    collect c;
    memset(&c, 0, sizeof c);
    c.stop_at = 2;
    reading r;
    read_s(&r, doc20, collect_cb, &c);
    assert_int_equal(r.rc, ST_ERR_RANGE);
    assert_int_equal(c.n, 2);
    assert_int_equal(st_diag_count(&r.diag), 0); /* the caller's code, not a fault */
    reading_done(&r);
}

/* ---- bad inputs ------------------------------------------------------------------ */

#define H "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2'><EPCISBody><EventList>\n"
#define T "</EventList></EPCISBody></epcis:EPCISDocument>\n"
#define EVL "/EPCISDocument/EPCISBody/EventList"
#define D1 "<d>"
#define D4 D1 D1 D1 D1
#define D8 D4 D4
#define P1 "/d"
#define P4 P1 P1 P1 P1
#define P8 P4 P4

typedef struct bad {
    const char *name; /* what the row shows */
    const char *xml;  /* the document; @LONG@ stands for 65537 bytes of 'x' */
    st_rc rc;         /* what the reader returns */
    st_rc diag_rc;    /* code of the (single) diagnostic */
    long event;       /* its event index */
    const char *path; /* its path */
    const char *frag; /* a fragment of its message */
    size_t delivered; /* events handed to the callback */
} bad;

static const bad bad_rows[] = {
    {"mismatched end tag", H "<ObjectEvent>\n<bizStep>x</bizStp>\n</ObjectEvent>" T, ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, -1, EVL "/ObjectEvent/bizStep", "malformed XML at line 3, column", 0},
    {"truncated", H "<ObjectEvent><action>ADD</action>", ST_ERR_SYNTAX, ST_ERR_SYNTAX, -1,
     EVL "/ObjectEvent", "malformed XML at line 2", 0},
    {"not XML", "hello", ST_ERR_SYNTAX, ST_ERR_SYNTAX, -1, "/", "line 1, column 1", 0},
    {"undeclared prefix", H "<ObjectEvent><foo:bar>1</foo:bar></ObjectEvent>" T, ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, -1, EVL "/ObjectEvent", "foo", 0},
    {"undefined entity", H "<ObjectEvent><a>&foo;</a></ObjectEvent>" T, ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, -1, EVL "/ObjectEvent/a", "foo", 0},
    {"duplicate attribute", H "<ObjectEvent><a x='1' x='2'/></ObjectEvent>" T, ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, -1, EVL "/ObjectEvent", "line 2", 0},
    {"unknown event", H "<ObjectEvent/><FooEvent><x>1</x></FooEvent><ObjectEvent/>" T, ST_OK,
     ST_ERR_SYNTAX, 1, EVL "/FooEvent[1]", "unknown event type FooEvent", 2},
    {"unknown event in a 1.2 wrapper",
     "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:1'><EPCISBody><EventList>"
     "<extension><FooEvent/></extension></EventList></EPCISBody></epcis:EPCISDocument>",
     ST_OK, ST_ERR_SYNTAX, 0, EVL "/extension/FooEvent[1]", "unknown event type", 0},
    {"event in a foreign namespace", H "<ex:ObjectEvent xmlns:ex='urn:ex'/>" T, ST_OK,
     ST_ERR_SYNTAX, 0, EVL "/ex:ObjectEvent[1]", "unknown event type {urn:ex}ObjectEvent", 0},
    {"QuantityEvent", H "<QuantityEvent><quantity>1</quantity></QuantityEvent>" T, ST_OK,
     ST_ERR_UNSUPPORTED, 0, EVL "/QuantityEvent[1]", "QuantityEvent", 0},
    {"external entity",
     "<!DOCTYPE d [<!ENTITY x SYSTEM 'secret.txt'>]>\n" H "<ObjectEvent><a>&x;</a></ObjectEvent>" T,
     ST_ERR_UNSUPPORTED, ST_ERR_UNSUPPORTED, -1, "/", "DOCTYPE", 0},
    {"external DTD", "<!DOCTYPE d SYSTEM 'epcis.dtd'>\n" H T, ST_ERR_UNSUPPORTED,
     ST_ERR_UNSUPPORTED, -1, "/", "DOCTYPE", 0},
    {"external parameter entity", "<!DOCTYPE d [<!ENTITY % p SYSTEM 'p.dtd'> %p;]>\n" H T,
     ST_ERR_UNSUPPORTED, ST_ERR_UNSUPPORTED, -1, "/", "DOCTYPE", 0},
    {"entity expansion",
     "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>\n" H
     "<ObjectEvent><a>&b;&b;&b;</a></ObjectEvent>" T,
     ST_ERR_UNSUPPORTED, ST_ERR_UNSUPPORTED, -1, "/", "DOCTYPE", 0},
    {"too deep", H "<ObjectEvent>" D8 D8 D8 D4 D1, ST_ERR_LIMIT, ST_ERR_LIMIT, 0,
     EVL "/ObjectEvent[1]" P8 P8 P8 P4 P1,
     "nest more than 32 deep; the limit is 32 (ST_EPCIS_MAX_DEPTH)", 0},
    {"text too long",
     H "<ObjectEvent/><ObjectEvent/><ObjectEvent/><ObjectEvent><bizStep>@LONG@"
       "</bizStep></ObjectEvent><ObjectEvent/>" T,
     ST_OK, ST_ERR_LIMIT, 3, EVL "/ObjectEvent[4]/bizStep",
     "the limit is 65536 (ST_EPCIS_MAX_STRING)", 4},
    {"attribute too long",
     H "<ObjectEvent><bizTransactionList><bizTransaction type='@LONG@'>x"
       "</bizTransaction></bizTransactionList></ObjectEvent>" T,
     ST_OK, ST_ERR_LIMIT, 0, EVL "/ObjectEvent[1]/bizTransactionList/bizTransaction/@type",
     "ST_EPCIS_MAX_STRING", 0},
    {"sibling indexes",
     H "<ObjectEvent/><ObjectEvent><epcList><epc>a</epc><epc>@LONG@</epc>"
       "</epcList></ObjectEvent>" T,
     ST_OK, ST_ERR_LIMIT, 1, EVL "/ObjectEvent[2]/epcList/epc[2]", "ST_EPCIS_MAX_STRING", 1},
    {"root not EPCIS", "<foo/>", ST_ERR_SYNTAX, ST_ERR_SYNTAX, -1, "/foo",
     "the root element foo is not an EPCIS document", 0},
    {"root without namespace", "<EPCISDocument><EPCISBody/></EPCISDocument>", ST_ERR_SYNTAX,
     ST_ERR_SYNTAX, -1, "/EPCISDocument", "not an EPCIS document", 0},
    {"capture job",
     "<epcis:EPCISCaptureJob xmlns:epcis='urn:epcglobal:epcis:xsd:2' running='false'/>",
     ST_ERR_UNSUPPORTED, ST_ERR_UNSUPPORTED, -1, "/EPCISCaptureJob", "not a document of events", 0},
};

/* row->xml with @LONG@ expanded; free with free(). */
static char *expand(const char *xml)
{
    const char *at = strstr(xml, "@LONG@");
    size_t n = strlen(xml), extra = at ? ST_EPCIS_MAX_STRING + 1 : 0;
    char *s = malloc(n + extra + 1);
    assert_non_null(s);
    if (!at) {
        memcpy(s, xml, n + 1);
        return s;
    }
    size_t k = (size_t)(at - xml);
    memcpy(s, xml, k);
    memset(s + k, 'x', extra);
    strcpy(s + k + extra, at + 6);
    return s;
}

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad_rows); i++) {
        const bad *b = &bad_rows[i];
        char *xml = expand(b->xml);
        size_t delivered = 0;
        reading r;
        read_s(&r, xml, count_cb, &delivered);
        int ok = r.rc == b->rc && r.diag.n == 1 && delivered == b->delivered;
        const st_diag_item *it = r.diag.n ? &r.diag.items[0] : NULL;
        ok = ok && it->rc == b->diag_rc && it->event == b->event && !strcmp(it->path, b->path) &&
             strstr(it->msg, b->frag);
        if (!ok) {
            print_message("row \"%s\": rc %d (want %d), %zu delivered (want %zu), %zu diag\n",
                          b->name, r.rc, b->rc, delivered, b->delivered, r.diag.n);
            print_message("  want: rc %d event %ld %s: ...%s...\n", b->diag_rc, b->event, b->path,
                          b->frag);
            show_diag(&r.diag);
            fail();
        }
        /* without a diag list the same code comes back */
        st_epcis_doc doc;
        memset(&doc, 0, sizeof doc);
        doc.arena = r.a;
        assert_int_equal(st_xml_read(&doc, xml, strlen(xml), NULL, NULL, NULL), b->rc);
        reading_done(&r);
        free(xml);
    }
}

static void test_empty_and_arguments(void **state)
{
    (void)state;
    reading r;
    read_s(&r, "", NULL, NULL);
    assert_int_equal(r.rc, ST_ERR_SYNTAX);
    assert_int_equal(r.diag.n, 1);
    assert_non_null(strstr(r.diag.items[0].msg, "empty"));
    assert_int_equal(st_xml_read(NULL, "<a/>", 4, NULL, NULL, NULL), ST_ERR_ARG);
    assert_int_equal(st_xml_read(&r.doc, NULL, 4, NULL, NULL, NULL), ST_ERR_ARG);
    assert_int_equal(st_xml_read_fd(&r.doc, -1, NULL, NULL, NULL), ST_ERR_ARG);
    st_epcis_doc no_arena;
    memset(&no_arena, 0, sizeof no_arena);
    assert_int_equal(st_xml_read(&no_arena, "<a/>", 4, NULL, NULL, NULL), ST_ERR_ARG);
    reading_done(&r);

    /* a descriptor that cannot be read: a folder */
    int fd = open(".", O_RDONLY);
    assert_true(fd >= 0);
    reading_start(&r);
    r.rc = st_xml_read_fd(&r.doc, fd, NULL, NULL, &r.diag);
    close(fd);
    show_diag(&r.diag);
    assert_int_equal(r.rc, ST_ERR_IO);
    assert_int_equal(r.diag.n, 1);
    assert_int_equal(r.diag.items[0].rc, ST_ERR_IO);
    assert_non_null(strstr(r.diag.items[0].msg, "reading the document failed"));
    reading_done(&r);
}

/* ---- entities are never resolved --------------------------------------------------- */

/* Whether needle occurs in any value of the tree at n, or in any diagnostic. */
static int tree_has(const st_evnode *n, const char *needle)
{
    for (; n; n = n->next)
        if ((n->value && strstr(n->value, needle)) || tree_has(n->first, needle))
            return 1;
    return 0;
}

static void test_external_entities(void **state)
{
    (void)state;
    char name[] = "st_xml_test_XXXXXX", cwd[2048], dir[4096], secret[4200], xml[8192];
    assert_non_null(mkdtemp(name)); /* in the working folder (the build's) */
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(dir, sizeof dir, "%s/%s", cwd, name); /* file:// needs an absolute path */
    snprintf(secret, sizeof secret, "%s/secret.xml", dir);
    FILE *f = fopen(secret, "w");
    assert_non_null(f);
    fputs("<!ENTITY leak 'SECRET-7f3a'>SECRET-7f3a", f);
    fclose(f);

    static const char *const forms[] = {
        /* general external entity */
        "<!DOCTYPE d [<!ENTITY x SYSTEM 'file://%s'>]>" H
        "<ObjectEvent><bizStep>&x;</bizStep></ObjectEvent>" T,
        /* external DTD subset */
        "<!DOCTYPE d SYSTEM 'file://%s'>" H
        "<ObjectEvent><bizStep>&leak;</bizStep></ObjectEvent>" T,
        /* external parameter entity */
        "<!DOCTYPE d [<!ENTITY %% p SYSTEM 'file://%s'> %%p;]>" H
        "<ObjectEvent><bizStep>&leak;</bizStep></ObjectEvent>" T,
        /* XInclude is not processed: the element stays an extension element */
        H "<ObjectEvent><xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='%s' "
          "parse='text'/></ObjectEvent>" T,
    };
    for (size_t i = 0; i < COUNT(forms); i++) {
        snprintf(xml, sizeof xml, forms[i], secret);
        reading r;
        read_s(&r, xml, NULL, NULL);
        assert_false(tree_has(r.doc.header, "SECRET"));
        for (size_t k = 0; k < r.doc.n_kept; k++)
            assert_false(tree_has(r.doc.kept[k]->root, "SECRET"));
        for (size_t k = 0; k < r.diag.n; k++)
            assert_null(strstr(r.diag.items[k].msg, "SECRET"));
        if (i < 3) {
            assert_int_equal(r.rc, ST_ERR_UNSUPPORTED);
            assert_int_equal(r.doc.events, 0);
        } else {
            assert_int_equal(r.rc, ST_OK);
            assert_int_equal(r.doc.n_kept, 1);
            st_evnode *inc = r.doc.kept[0]->root->first;
            assert_string_equal(inc->name, "include");
            assert_string_equal(inc->ns, "http://www.w3.org/2001/XInclude");
            assert_null(inc->value);
        }
        reading_done(&r);
    }
    unlink(secret);
    rmdir(dir);
}

/* ---- caps ---------------------------------------------------------------------------- */

static void test_cap_events(void **state)
{
    (void)state;
    static const char ev[] = "<ObjectEvent/>";
    size_t n = ST_EPCIS_MAX_EVENTS + 1, k = strlen(ev);
    size_t len = strlen(H) + n * k + strlen(T);
    char *xml = malloc(len + 1);
    assert_non_null(xml);
    char *p = xml;
    memcpy(p, H, strlen(H));
    p += strlen(H);
    for (size_t i = 0; i < n; i++, p += k)
        memcpy(p, ev, k);
    memcpy(p, T, strlen(T) + 1);
    size_t delivered = 0;
    reading r;
    reading_start(&r);
    r.rc = st_xml_read(&r.doc, xml, len, count_cb, &delivered, &r.diag);
    assert_int_equal(r.rc, ST_ERR_LIMIT);
    assert_int_equal(delivered, ST_EPCIS_MAX_EVENTS);
    assert_int_equal(r.diag.n, 1);
    assert_string_equal(r.diag.items[0].path, EVL "/ObjectEvent[1000001]");
    assert_non_null(strstr(r.diag.items[0].msg, "the limit is 1000000 (ST_EPCIS_MAX_EVENTS)"));
    reading_done(&r);
    free(xml);
}

/* One event too big for its arena is reported and skipped; the next one is read. */
static void test_cap_event_bytes(void **state)
{
    (void)state;
    static const char epc[] = "<epc>urn:epc:id:sgtin:4012345.011111.100000000000</epc>";
    size_t n = 40000, k = strlen(epc);
    const char *head = H "<ObjectEvent><epcList>";
    const char *tail = "</epcList></ObjectEvent><AggregationEvent/>" T;
    size_t len = strlen(head) + n * k + strlen(tail);
    char *xml = malloc(len + 1), *p = xml;
    assert_non_null(xml);
    memcpy(p, head, strlen(head));
    p += strlen(head);
    for (size_t i = 0; i < n; i++, p += k)
        memcpy(p, epc, k);
    memcpy(p, tail, strlen(tail) + 1);
    for (int keep = 0; keep < 2; keep++) {
        collect c;
        memset(&c, 0, sizeof c);
        reading r;
        reading_start(&r);
        r.rc = st_xml_read(&r.doc, xml, len, keep ? NULL : collect_cb, &c, &r.diag);
        if (r.diag.n != 1)
            show_diag(&r.diag);
        assert_int_equal(r.rc, ST_OK);
        assert_int_equal(r.diag.n, 1);
        assert_int_equal(r.diag.items[0].rc, ST_ERR_LIMIT);
        assert_int_equal(r.diag.items[0].event, 0);
        assert_non_null(strstr(r.diag.items[0].msg, "(ST_EPCIS_MAX_EVENT_BYTES)"));
        assert_int_equal(r.doc.events, 2);
        if (keep) {
            assert_int_equal(r.doc.n_kept, 1);
            assert_int_equal(r.doc.kept[0]->type, ST_EVENT_AGGREGATION);
            assert_int_equal(r.doc.kept[0]->index, 1);
        } else {
            assert_int_equal(c.n, 1);
            assert_int_equal(c.type[0], ST_EVENT_AGGREGATION);
            assert_int_equal(c.index[0], 1);
        }
        reading_done(&r);
    }
    free(xml);
}

/* ---- streaming ----------------------------------------------------------------------- */

typedef struct stream_stats {
    size_t n;        /* events seen */
    size_t max_tree; /* largest event tree, in bytes of nodes and strings */
    size_t doc_used; /* st_arena_used(doc->arena) at the first event */
    int doc_grew;    /* doc->arena grew after the first event */
    int bad_index;   /* an event came with the wrong index */
} stream_stats;

static size_t tree_bytes(const st_evnode *n)
{
    size_t b = 0;
    for (; n; n = n->next) {
        b += sizeof *n + strlen(n->name) + 1 + (n->value ? strlen(n->value) + 1 : 0) +
             (n->ns ? strlen(n->ns) + 1 : 0) + (n->prefix ? strlen(n->prefix) + 1 : 0);
        b += tree_bytes(n->first);
    }
    return b;
}

static st_rc stream_cb(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    stream_stats *s = ctx;
    if (s->n == 0)
        s->doc_used = st_arena_used(doc->arena);
    else if (st_arena_used(doc->arena) != s->doc_used)
        s->doc_grew = 1;
    if (ev->index != (long)s->n || ev->type != ST_EVENT_OBJECT)
        s->bad_index = 1;
    size_t b = tree_bytes(ev->root);
    if (b > s->max_tree)
        s->max_tree = b;
    s->n++;
    return ST_OK;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static void test_streaming(void **state)
{
    (void)state;
    enum { EVENTS = 200000 };
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("<?xml version='1.0' encoding='UTF-8'?>\n"
          "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' "
          "xmlns:ex='https://ns.example.com/epcis/' schemaVersion='2.0' "
          "creationDate='2024-01-01T00:00:00Z'>\n<EPCISBody>\n<EventList>\n",
          f);
    for (long i = 0; i < EVENTS; i++)
        fprintf(f,
                "<ObjectEvent>\n"
                "  <eventTime>2024-01-01T00:00:00.000Z</eventTime>\n"
                "  <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
                "  <epcList><epc>urn:epc:id:sgtin:0614141.107346.%ld</epc>"
                "<epc>urn:epc:id:sgtin:0614141.107346.%ld</epc></epcList>\n"
                "  <action>OBSERVE</action>\n"
                "  <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>\n"
                "  <readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id></readPoint>\n"
                "  <bizTransactionList><bizTransaction type='urn:epcglobal:cbv:btt:po'>"
                "http://tx.example.com/po/%ld</bizTransaction></bizTransactionList>\n"
                "  <ex:note ex:n='%ld'>event %ld</ex:note>\n"
                "</ObjectEvent>\n",
                i, i + EVENTS, i, i, i);
    fputs("</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n", f);
    assert_int_equal(fflush(f), 0);
    long bytes = ftell(f);
    int fd = fileno(f);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);

    long rss_before = peak_rss_kb();
    stream_stats s;
    memset(&s, 0, sizeof s);
    reading r;
    reading_start(&r);
    r.rc = st_xml_read_fd(&r.doc, fd, stream_cb, &s, &r.diag);
    long rss_after = peak_rss_kb();
    fclose(f);
    show_diag(&r.diag);
    print_message("streamed %zu events, %ld bytes of XML: largest event tree %zu bytes, "
                  "document arena %zu bytes, peak RSS %ld KB before, %ld KB after (+%ld KB)\n",
                  s.n, bytes, s.max_tree, st_arena_used(r.a), rss_before, rss_after,
                  rss_after - rss_before);
    assert_int_equal(r.rc, ST_OK);
    assert_int_equal(st_diag_count(&r.diag), 0);
    assert_int_equal(s.n, EVENTS);
    assert_int_equal(r.doc.events, EVENTS);
    assert_false(s.bad_index);
    assert_false(s.doc_grew);
    assert_true(s.max_tree < 4096);
    if (!UNDER_ASAN) /* ASan's quarantine holds on to freed memory (256 MB by default) */
        assert_true(rss_after - rss_before < 64 * 1024);
    reading_done(&r);
}

/* ---- the GS1 examples ------------------------------------------------------------------ */

typedef struct walk {
    int files;     /* documents read with ST_OK and no diagnostics */
    int rejected;  /* EPCISCaptureJob files, which hold no events */
    size_t events; /* events in them */
} walk;

static void check_example(walk *w, const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    reading r;
    reading_start(&r);
    r.doc.name = path;
    r.rc = st_xml_read_fd(&r.doc, fd, NULL, NULL, &r.diag);
    close(fd);
    if (strstr(path, "/CaptureJob/")) { /* a capture job's status, not a document of events */
        if (r.rc != ST_ERR_UNSUPPORTED || r.diag.n != 1) {
            print_message("%s: rc %d\n", path, r.rc);
            show_diag(&r.diag);
            fail();
        }
        w->rejected++;
    } else {
        if (r.rc != ST_OK || st_diag_count(&r.diag) != 0 || r.doc.format == ST_EPCIS_FMT_UNKNOWN) {
            print_message("%s: rc %d\n", path, r.rc);
            show_diag(&r.diag);
            fail();
        }
        for (size_t i = 0; i < r.doc.n_kept; i++)
            assert_int_not_equal(r.doc.kept[i]->type, ST_EVENT_NONE);
        w->files++;
        w->events += r.doc.n_kept;
    }
    reading_done(&r);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)rel;
    (void)name;
    check_example(ctx, path);
}

static const char *const xml_exts[] = {".xml", NULL};

static void test_gs1_examples(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    char xml2[1024], xml12[1024];
    struct stat st;
    if (shared) {
        snprintf(xml2, sizeof xml2, "%s/conformance/gs1-epcis/XML", shared);
        snprintf(xml12, sizeof xml12, "%s/conformance/gs1-epcis/XML-1.2", shared);
    }
    if (!shared || stat(xml2, &st) != 0 || stat(xml12, &st) != 0) {
        print_message("ST_SHARED_DIR is not set or has no GS1 XML examples: skipping them\n");
        skip();
    }
    walk w = {0, 0, 0};
    walk_examples(xml2, "", xml_exts, on_example, &w);
    walk_examples(xml12, "", xml_exts, on_example, &w);
    print_message("%d GS1 XML examples read (%zu events); %d capture-job files refused\n", w.files,
                  w.events, w.rejected);
    assert_true(w.files >= 30);
    assert_true(w.events >= 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaming), /* first, so that peak RSS starts low */
        cmocka_unit_test(test_conventions_20),
        cmocka_unit_test(test_conventions_12),
        cmocka_unit_test(test_12_equals_20),
        cmocka_unit_test(test_query_documents),
        cmocka_unit_test(test_master_data_document),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_empty_and_arguments),
        cmocka_unit_test(test_external_entities),
        cmocka_unit_test(test_cap_events),
        cmocka_unit_test(test_cap_event_bytes),
        cmocka_unit_test(test_gs1_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
