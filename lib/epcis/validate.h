/*
 * EPCIS event validation: required fields per event type and action, time
 * formats and offsets, CBV 2.0 vocabularies in any spelling (non-CBV values
 * only as full URIs), identifiers through lib/gs1, quantities, sensor data.
 * Every fault is added to the diagnostics with the event index and the
 * field's path in the document's own notation (JSON pointer for JSON-LD,
 * XPath-like for XML), so one run reports all of a document's errors.
 */
#ifndef ST_EPCIS_VALIDATE_H
#define ST_EPCIS_VALIDATE_H

#include <serialtrack/rc.h>

#include "epcis/diag.h"
#include "epcis/doc.h"
#include "epcis/event.h"

/* Validate ev, read from doc; add every fault to diag. Returns ST_OK when the
 * event is valid, else the code of its first fault. Nothing is allocated
 * except the diagnostics (in diag's arena). */
st_rc st_epcis_validate_event(const st_epcis_doc *doc, const st_event *ev, st_diag *diag);

/* Write into out[0..cap) the path of node n of event ev in doc's notation:
 * "/epcisBody/eventList/3/epcList/0" (JSON-LD; under queryResults/resultsBody
 * for query documents, "" root for a bare event) or
 * "/EPCISDocument/EPCISBody/EventList/ObjectEvent[4]/epcList/epc[1]" (XML).
 * Truncated, never overflowing, when out is too small. */
void st_epcis_path(const st_epcis_doc *doc, const st_event *ev, const st_evnode *n, char *out,
                   size_t cap);

#endif
