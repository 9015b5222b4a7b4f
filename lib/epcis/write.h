/*
 * EPCIS writers: JSON-LD (EPCIS 2.0), XML 2.0 and XML 1.2, streamed one event
 * at a time so a converted document never has to sit in memory. Identifiers
 * are written as read, or converted to EPC URNs or to GS1 Digital Links.
 * Reading a writer's output again gives the same event and the same hash ID.
 * XML 1.2 cannot carry some 2.0 fields (AssociationEvent, sensorElementList,
 * persistentDisposition, certificationInfo, ...); each one dropped is
 * reported in the notes, never silently lost.
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
 * out (not owned; not closed). src gives the source document's header and
 * namespace bindings (may be NULL). notes (may be NULL) collects what could
 * not be written (dropped fields, identifiers that could not be converted:
 * their original form is kept). *w is freed by st_epcis_writer_finish.
 */
st_rc st_epcis_writer_open(st_epcis_format fmt, st_epcis_ids ids, const st_epcis_doc *src,
                           FILE *out, st_diag *notes, st_epcis_writer **w);

/* Write one event (copied out immediately; ev may be freed afterwards). */
st_rc st_epcis_writer_event(st_epcis_writer *w, const st_event *ev);

/* Close the document, flush, free w. ST_ERR_IO when writing failed at any
 * point. Accepts NULL. */
st_rc st_epcis_writer_finish(st_epcis_writer *w);

#endif
