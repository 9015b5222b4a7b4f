/*
 * The streaming EPCIS XML reader: EPCIS 2.0 (urn:epcglobal:epcis:xsd:2) and
 * 1.x (urn:epcglobal:epcis:xsd:1) EPCISDocument, EPCISQueryDocument and
 * EPCISMasterDataDocument, read with libxml2's xmlTextReader so that memory
 * stays constant however long the document is. Events come out as the trees
 * of event.h; the rules that turn XML into a tree are in xml.c's top comment.
 */
#ifndef ST_EPCIS_XML_H
#define ST_EPCIS_XML_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "epcis/diag.h"
#include "epcis/doc.h"

/*
 * Read the XML document buf[0..n) (not copied; it must stay valid for the
 * call). doc->arena and doc->name are set by the caller; the reader fills in
 * the rest of doc (format, kind, header fields, namespace bindings, header
 * tree) in doc->arena before the first event.
 *
 * Each event is built in a per-event arena (capped at ST_EPCIS_MAX_EVENT_BYTES)
 * and handed to cb(ctx, doc, ev); the arena is reset when cb returns, so cb
 * copies what it keeps. With cb NULL every event is built in doc->arena and
 * listed in doc->kept. A non-OK return of cb stops the reader, which returns
 * that code.
 *
 * Faults go to diag (which may be NULL) with an XPath-like path such as
 * "/EPCISDocument/EPCISBody/EventList/ObjectEvent[4]/bizStep" and the event
 * index (from 0, -1 for the document). Returns ST_OK when the document was
 * read to the end (diag may still hold errors, e.g. an unknown event type,
 * whose event was skipped); ST_ERR_SYNTAX for malformed XML or a root that is
 * not an EPCIS document; ST_ERR_UNSUPPORTED for a DOCTYPE (entities and DTDs
 * are never processed) or a non-event EPCIS document such as EPCISCaptureJob;
 * ST_ERR_LIMIT when the depth or event count cap, or the cap of doc->arena,
 * is exceeded; ST_ERR_NOMEM; ST_ERR_ARG for a NULL doc or arena.
 */
st_rc st_xml_read(st_epcis_doc *doc, const char *buf, size_t n, st_epcis_on_event cb, void *ctx,
                  st_diag *diag);

/* As st_xml_read, reading the open file descriptor fd to its end (fd is
 * neither closed nor rewound). ST_ERR_IO when reading fails. */
st_rc st_xml_read_fd(st_epcis_doc *doc, int fd, st_epcis_on_event cb, void *ctx, st_diag *diag);

#endif
