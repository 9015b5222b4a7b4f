/*
 * EPCIS writers: JSON-LD (EPCIS 2.0), XML 2.0 and XML 1.2, streamed one event
 * at a time so a converted document never has to sit in memory. Identifiers
 * are written as read, or converted to EPC URNs or to GS1 Digital Links.
 * Reading a writer's output again gives the same event and the same hash ID.
 * The source's document header goes along (write_header.c): the SBDH (in
 * JSON-LD: sender, receiver, instanceIdentifier, and the SBDH as an extension
 * member), master data vocabularies (an EPCISMasterDataDocument becomes an
 * EPCISDocument whose header holds them), the JSON-LD id and document-level
 * extensions. XML 1.2 cannot carry some 2.0 fields (AssociationEvent,
 * sensorElementList, persistentDisposition, certificationInfo, an EPCISHeader
 * without SBDH, ...); each one dropped is reported in the notes, never
 * silently lost.
 */
#ifndef ST_EPCIS_WRITE_H
#define ST_EPCIS_WRITE_H

#include <stdio.h>
#include <serialtrack/rc.h>

#include "epcis/diag.h"
#include "epcis/doc.h"
#include "epcis/event.h"

/* st_epcis_ids is public: include/serialtrack/epcis.h */
typedef struct st_epcis_writer st_epcis_writer;

/*
 * Start a document of format fmt (ST_EPCIS_FMT_JSONLD, _XML2 or _XML12) on
 * out (not owned; not closed) and write its head: JSON-LD up to the opening
 * of eventList, XML up to <EventList>, the source's header included.
 * creationDate is now (UTC), or SOURCE_DATE_EPOCH when that is set. src gives
 * the source document's format, namespace bindings and header (may be NULL);
 * it is borrowed, not copied, and must stay valid until
 * st_epcis_writer_finish, which writes (or notes) document-level content that
 * a streaming reader added to src->header after open (XML elements after
 * EventList). Pass it: the head declares its bindings, and values are only
 * faithful across formats when the writer knows where they came from (the
 * prefixes of an XML source get the suffix "-ns" in JSON-LD, where "ex:x"
 * in a value would otherwise expand; CURIEs of a JSON-LD source are expanded
 * in XML). notes (may be NULL) collects, per event ("event 3: ..."), what
 * could not be written as read: dropped fields and events (ST_ERR_UNSUPPORTED),
 * identifiers that could not be converted, whose original form is kept
 * (ST_ERR_GCP_UNKNOWN), fields written in a form the target schema does not
 * allow or in another place (ST_ERR_SYNTAX); notes on the header have event
 * -1 and start "header: ". *w is freed by st_epcis_writer_finish.
 * Returns ST_OK; ST_ERR_ARG (w or out NULL, unknown fmt or ids); ST_ERR_NOMEM;
 * ST_ERR_IO when writing the head failed (*w is then NULL).
 */
st_rc st_epcis_writer_open(st_epcis_format fmt, st_epcis_ids ids, const st_epcis_doc *src,
                           FILE *out, st_diag *notes, st_epcis_writer **w);

/* Write one event (copied out immediately; ev may be freed afterwards). An
 * event of an unknown type, or one the format cannot hold (AssociationEvent
 * in 1.2), is left out with a note. Returns ST_OK; ST_ERR_ARG (w, ev or its
 * root NULL); ST_ERR_NOMEM; ST_ERR_IO once a write has failed; after a
 * failure every later call returns the same code. */
st_rc st_epcis_writer_event(st_epcis_writer *w, const st_event *ev);

/* Close the document, with the header's content that belongs after the
 * events (XML: the document's <extension> and extension elements; what the
 * reader added to src->header after open), flush, free w. ST_ERR_IO when
 * writing failed at any point. Accepts NULL. */
st_rc st_epcis_writer_finish(st_epcis_writer *w);

#endif
