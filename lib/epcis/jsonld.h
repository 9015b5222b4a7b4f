/*
 * The EPCIS 2.0 JSON / JSON-LD reader: an EPCISDocument, an
 * EPCISQueryDocument or a bare event, parsed with jansson and turned into one
 * st_evnode tree per event (event.h), with the @context prefixes in doc->ns
 * and the document-level fields in doc->header. It checks JSON shapes and
 * caps only; whether the events are valid EPCIS is validate.c's job.
 */
#ifndef ST_EPCIS_JSONLD_H
#define ST_EPCIS_JSONLD_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "epcis/diag.h"
#include "epcis/doc.h"

/*
 * Read the JSON-LD document buf[0..n) (UTF-8, an optional byte order mark).
 *   doc   arena and name set by the caller; the reader sets format (JSONLD),
 *         kind, schema_version, creation_date, ns, header, events, kept.
 *         Everything it sets lives in doc->arena.
 *   cb    called once per event, in document order, with the event in an
 *         arena of its own (capped at ST_EPCIS_MAX_EVENT_BYTES) that is reset
 *         when cb returns; NULL keeps every event in doc->arena (doc->kept).
 *   diag  receives every fault with its JSON pointer: malformed JSON (with
 *         line and column), caps (ST_EPCIS_MAX_DOC_BYTES, _EVENTS, _DEPTH,
 *         _STRING, _EVENT_BYTES), fields of the wrong JSON type, null values,
 *         undeclared prefixes.
 * buf is only read, never kept: every string in a tree is a copy.
 * Returns ST_OK when the document was read to its end (diag may still hold
 * field errors); ST_ERR_SYNTAX (not JSON, or not a JSON object),
 * ST_ERR_LIMIT (a cap), ST_ERR_NOMEM, ST_ERR_ARG (doc, doc->arena or diag
 * NULL, buf NULL with n > 0), or the first non-OK code cb returned, which
 * stops the reader.
 */
st_rc st_jsonld_read(st_epcis_doc *doc, const char *buf, size_t n, st_epcis_on_event cb, void *ctx,
                     st_diag *diag);

#endif
