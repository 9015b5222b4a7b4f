/*
 * EPCIS documents and the reader interface shared by the JSON-LD reader
 * (jsonld.c) and the streaming XML reader (xml.c, EPCIS 2.0 and 1.2).
 *
 * A reader hands each event to a callback as soon as it is complete, in an
 * arena that is reset after the callback returns, so a 1 GB XML document is
 * read in constant memory; the callback copies what it wants to keep.
 * st_epcis_read_all() is the convenience that keeps every event.
 */
#ifndef ST_EPCIS_DOC_H
#define ST_EPCIS_DOC_H

#include <stddef.h>
#include <serialtrack/epcis.h>
#include <serialtrack/rc.h>

#include "common/arena.h"
#include "epcis/diag.h"
#include "epcis/event.h"

typedef enum st_epcis_doc_kind {
    ST_EPCIS_DOC_DOCUMENT = 1, /* EPCISDocument */
    ST_EPCIS_DOC_QUERY = 2,    /* EPCISQueryDocument (events under queryResults) */
    ST_EPCIS_DOC_EVENT = 3,    /* a bare event (JSON-LD only) */
} st_epcis_doc_kind;

/* Document-level data, filled in by the reader before the first event. */
typedef struct st_epcis_doc {
    st_arena *arena;             /* owns everything below; owned by the caller */
    const char *name;            /* what the caller called the document (file name), for errors */
    st_epcis_format format;      /* detected format */
    st_epcis_doc_kind kind;      /* document, query document or bare event */
    const char *schema_version;  /* "2.0", "1.2", ... or NULL */
    const char *creation_date;   /* as written, or NULL */
    st_evnode *ns;               /* namespace bindings: children named by prefix, value = IRI
                                    (JSON-LD @context terms, XML xmlns declarations) */
    st_evnode *header;           /* other document-level content (EPCISHeader, master data,
                                    JSON-LD id/sender/...), or NULL */
    size_t events;               /* events read so far */
    st_event **kept;             /* with a NULL callback: every event, in doc->arena */
    size_t n_kept;               /* entries in kept */
} st_epcis_doc;

/* Called once per event, in document order. ev and its tree live in a
 * per-event arena that is reset after the call. A non-OK return stops the
 * reader, which returns that code. */
typedef st_rc (*st_epcis_on_event)(void *ctx, const st_epcis_doc *doc, st_event *ev);

/*
 * The readers (jsonld.c, xml.c) share this shape:
 *   st_rc st_jsonld_read(st_epcis_doc *doc, const char *buf, size_t n,
 *                        st_epcis_on_event cb, void *ctx, st_diag *diag);
 *   st_rc st_xml_read(st_epcis_doc *doc, const char *buf, size_t n, cb, ctx, diag);
 *   st_rc st_xml_read_fd(st_epcis_doc *doc, int fd, cb, ctx, diag);   (streaming)
 * doc->arena and doc->name are set by the caller, the rest by the reader.
 * With cb NULL every event is kept in doc->arena and listed in doc->kept.
 * Structural faults (malformed JSON/XML, a cap exceeded, a field of the wrong
 * JSON type) are added to diag with their path; the return is ST_OK when the
 * document could be read to the end, else the first fatal code. Whether the
 * events are valid EPCIS is a separate step (validate.c).
 */

/* The format of a document from its first bytes ('{' / '[' → JSON-LD;
 * '<' → XML, 2.0 or 1.x by the namespace of the root element). */
st_epcis_format st_epcis_detect(const char *buf, size_t n);

#endif
