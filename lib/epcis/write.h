/*
 * EPCIS writers: JSON-LD (EPCIS 2.0), XML 2.0 and XML 1.2, streamed one event
 * at a time so a converted document never has to sit in memory. Identifiers
 * are written as read, or converted to EPC URNs or to GS1 Digital Links.
 * Reading a writer's output again gives the same event and the same hash ID.
 * Besides an EPCISDocument of one source, a writer makes the answer to a
 * query (EPCISQueryDocument, write_query.c) from events that each bring
 * their own namespace bindings (write_event.c), and one event can be written
 * alone as a JSON-LD object.
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
#include <serialtrack/jsonw.h>
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

/*
 * Start an EPCISQueryDocument (the answer to a query) of format fmt on out
 * (not owned; not closed): JSON-LD up to epcisBody.queryResults.resultsBody.
 * eventList, XML 2.0 and 1.2 (namespace urn:epcglobal:epcis-query:xsd:2 or
 * :1) up to EPCISBody/epcisq:QueryResults/resultsBody/EventList, queryName
 * before resultsBody. The document has no header and no source: its events
 * come from anywhere, each with its own namespace bindings
 * (st_epcis_writer_event_ns; st_epcis_writer_event is that with bindings
 * NULL). query_name (e.g. "SimpleEventQuery"; copied) is required by both
 * schemas. Events, notes, creationDate and st_epcis_writer_finish as for
 * st_epcis_writer_open; reading the document gives kind ST_EPCIS_DOC_QUERY,
 * the events and their hash IDs.
 * Returns ST_OK; ST_ERR_ARG (w, out or query_name NULL, unknown fmt or ids);
 * ST_ERR_LIMIT (query_name longer than ST_EPCIS_MAX_STRING bytes);
 * ST_ERR_NOMEM; ST_ERR_IO (*w is then NULL).
 */
st_rc st_epcis_writer_open_query(st_epcis_format fmt, st_epcis_ids ids, const char *query_name,
                                 FILE *out, st_diag *notes, st_epcis_writer **w);

/*
 * Write one event that brings its own namespace bindings instead of sharing
 * the source document of w (events of a store, each kept with what
 * st_hashid_bindings gave for its document), so that events of many sources
 * share one output. bindings is a node whose children are prefix bindings
 * (name = prefix, value = IRI), as doc->ns of a JSON-LD source, or NULL (an
 * XML source: its values never expand a prefix); only read, during the call.
 * The event's CURIE values (other than gs1: and cbv:, which every reader
 * expands alike) mean what bindings says:
 *  - JSON-LD: the event's own "@context" binds the prefixes of its extension
 *    members, under names no value uses as a URI scheme ("ex" becomes
 *    "ex-ns", or "ex-ns2" when another source took that), and its CURIE
 *    values are written expanded. The JSON-LD reader adds every event's
 *    @context to the bindings of the whole document, which hash IDs expand
 *    values with; a source's own prefix ("example", which the GS1 XML
 *    examples also use as a scheme in values) would change the hash ID of
 *    another source's event. No prefix is bound to two IRIs in a document;
 *  - XML: CURIE values are written expanded (XML readers do not expand them).
 * Read back, the event has the hash ID of ev with bindings. A value that
 * reads as a CURIE of a prefix the document binds for all events (the
 * @context of st_epcis_writer_open's JSON-LD source) although bindings do
 * not define it cannot keep its hash ID: noted (ST_ERR_SYNTAX). Otherwise as
 * st_epcis_writer_event, whose return codes it shares.
 */
st_rc st_epcis_writer_event_ns(st_epcis_writer *w, const st_event *ev, const st_evnode *bindings);

/*
 * One event as a JSON-LD object that stands alone (an event embedded in a
 * JSON answer): the members of the object an eventList holds
 * (st_epcis_writer_event_ns, JSON-LD), after an "@context" of its own: the
 * standard EPCIS 2.0 context URL and, when the event needs any, an object of
 * the prefixes its extension members and CURIE values use. Nothing else
 * shares that @context, so an event of a JSON-LD source keeps its prefixes
 * and its CURIE values as read (an eventList renames and expands them); an
 * event without bindings gets the "-ns" prefixes of an XML source. Written
 * into jw as one value (after a key, in an array, or at the top); ev and
 * bindings (as for st_epcis_writer_event_ns, may be NULL) are only read; jw
 * is the caller's. Identifiers are written as ids asks. What could not be
 * written as read (see the notes of st_epcis_writer_open) is not reported.
 * Reading the object as a bare event (st_jsonld_read) gives ev's hash ID.
 * Returns ST_OK; ST_ERR_ARG (ev, its root or jw NULL, unknown ids);
 * ST_ERR_UNSUPPORTED (the root is no EPCIS event type; nothing is written);
 * ST_ERR_NOMEM (also when jw failed to grow).
 */
st_rc st_epcis_event_jsonld(const st_event *ev, const st_evnode *bindings, st_epcis_ids ids,
                            st_jw *jw);

/*
 * The same for many events: a writer made once (its scratch and arenas
 * reused) writes each event exactly as st_epcis_event_jsonld would. For a
 * history or a stream, where one writer per event would cost more than the
 * event. Not shared between threads. st_epcis_evw_create: ST_ERR_ARG
 * (unknown ids), ST_ERR_NOMEM; destroy accepts NULL.
 */
typedef struct st_epcis_evw st_epcis_evw;
st_rc st_epcis_evw_create(st_epcis_ids ids, st_epcis_evw **out);
st_rc st_epcis_evw_put(st_epcis_evw *evw, const st_event *ev, const st_evnode *bindings,
                       st_jw *jw);
void st_epcis_evw_destroy(st_epcis_evw *evw);

#endif
