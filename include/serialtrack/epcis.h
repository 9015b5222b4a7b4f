/*
 * EPCIS documents: read EPCIS 2.0 JSON-LD, EPCIS 2.0 XML and EPCIS 1.2 XML
 * (format detected from the content), validate every event against EPCIS
 * 2.0 and CBV 2.0, compute event hash IDs, and convert between the forms.
 * Documents are streamed event by event; a visitor sees each event once.
 */
#ifndef SERIALTRACK_EPCIS_H
#define SERIALTRACK_EPCIS_H

#include <stddef.h>
#include <stdio.h>
#include <serialtrack/rc.h>

typedef struct st_epcis_event st_epcis_event;   /* one event, valid during a visit */
typedef struct st_epcis_report st_epcis_report; /* what reading a document found */

typedef enum st_epcis_format {
    ST_EPCIS_FMT_UNKNOWN = 0,
    ST_EPCIS_FMT_JSONLD = 1, /* EPCIS 2.0 JSON / JSON-LD */
    ST_EPCIS_FMT_XML2 = 2,   /* EPCIS 2.0 XML */
    ST_EPCIS_FMT_XML12 = 3,  /* EPCIS 1.x XML (what DSCSA partners exchange) */
} st_epcis_format;

typedef enum st_epcis_ids {
    ST_EPCIS_IDS_ASIS = 0, /* identifiers as they were read */
    ST_EPCIS_IDS_URN = 1,  /* EPC URNs where the form allows */
    ST_EPCIS_IDS_DL = 2,   /* canonical GS1 Digital Links */
} st_epcis_ids;

/* Options for reading; zero-initialise. */
typedef struct st_epcis_read_opts {
    const char *name; /* the document's name in messages (a file name); may be NULL */
    int validate;     /* 1: validate each event; invalid events are reported, not visited */
} st_epcis_read_opts;

/* Called once per event in document order; ev is valid only during the call.
 * A non-OK return stops reading and is returned by the read function. */
typedef st_rc (*st_epcis_visit)(void *ctx, const st_epcis_event *ev);

/*
 * Read the document in file path ("-" for standard input), calling visit
 * (may be NULL) for each event. *report is always set (free it with
 * st_epcis_report_destroy) and lists every error with the event index and
 * the field's path. Returns ST_OK when the document was read to its end and,
 * with validate, every event is valid; otherwise the first error's code
 * (ST_ERR_SYNTAX for malformed input or an invalid event, ST_ERR_IO,
 * ST_ERR_LIMIT, ...). Large XML documents are streamed from the file.
 */
st_rc st_epcis_read_file(const char *path, const st_epcis_read_opts *opts, st_epcis_visit visit,
                         void *ctx, st_epcis_report **report);

/* The same for a document in memory (buf is not kept). */
st_rc st_epcis_read_mem(const char *buf, size_t n, const st_epcis_read_opts *opts,
                        st_epcis_visit visit, void *ctx, st_epcis_report **report);

/* The event's position in its document (from 0) and type name ("ObjectEvent"). */
long st_epcis_event_index(const st_epcis_event *ev);
const char *st_epcis_event_type(const st_epcis_event *ev);

/* The CBV 2.0 event hash ID ("ni:///sha-256;...?ver=CBV2.0") into out. */
st_rc st_epcis_event_hash_id(const st_epcis_event *ev, char out[90]);

/* The canonical pre-hash string, for debugging: *out is malloc'd (caller
 * frees), *len its length. */
st_rc st_epcis_event_prehash(const st_epcis_event *ev, char **out, size_t *len);

/*
 * Convert the document in file path to format to, writing it to out (not
 * closed), identifiers per ids. Events are validated first when
 * opts->validate is set (an invalid document is not written: ST_ERR_SYNTAX).
 * Fields the target format cannot carry are dropped and listed as notes in
 * *report (always set; free with st_epcis_report_destroy).
 */
st_rc st_epcis_convert_file(const char *path, const st_epcis_read_opts *opts, st_epcis_format to,
                            st_epcis_ids ids, FILE *out, st_epcis_report **report);

/* The detected format of the document a report is about. */
st_epcis_format st_epcis_report_format(const st_epcis_report *r);
/* "jsonld", "xml" (2.0) or "xml12". */
const char *st_epcis_format_name(st_epcis_format f);
/* Events read (valid or not). */
size_t st_epcis_report_events(const st_epcis_report *r);
/* Errors found in all, including any beyond the listed ones. */
size_t st_epcis_report_error_count(const st_epcis_report *r);
/* Errors listed (at most ST_EPCIS_MAX_ERRORS). */
size_t st_epcis_report_errors_listed(const st_epcis_report *r);
/* Listed error i: event index (-1 for the document), path and message, all
 * owned by r. ST_ERR_RANGE when i is out of range. */
st_rc st_epcis_report_error(const st_epcis_report *r, size_t i, long *event, const char **path,
                            const char **msg);
/* Notes (conversion: what was dropped or left unconverted), same shape. */
size_t st_epcis_report_note_count(const st_epcis_report *r);
st_rc st_epcis_report_note(const st_epcis_report *r, size_t i, long *event, const char **path,
                           const char **msg);
void st_epcis_report_destroy(st_epcis_report *r);

#endif
