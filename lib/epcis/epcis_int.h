/*
 * What other layers of the library (the store's capture) use of the public
 * EPCIS API's internals: the event a visitor receives, with its document,
 * and the report's error list, to which they add their own findings.
 */
#ifndef ST_EPCIS_EPCIS_INT_H
#define ST_EPCIS_EPCIS_INT_H

#include <serialtrack/epcis.h>

#include "epcis/diag.h"
#include "epcis/doc.h"
#include "epcis/event.h"

struct st_epcis_event {
    const st_epcis_doc *doc; /* the document it belongs to */
    st_event *ev;            /* its tree, in the reader's per-event arena: a visitor may
                                rearrange it (nothing else reads it after the visit) */
};

/* The error list of a report (NULL for a NULL report), to add errors with
 * st_diag_add; st_epcis_report_error_count and friends then include them. */
st_diag *st_epcis_report_diag(st_epcis_report *r);

/* The document a report is about (its header, bindings and format). */
const st_epcis_doc *st_epcis_report_doc(const st_epcis_report *r);

#endif
