/*
 * st_query: the EPCIS simple event query over the store. st_query_set
 * parses and canonicalises each parameter once; st_query_run turns the
 * query into one portable SQL statement per page that narrows by the
 * indexed columns, reads the candidates in order in keyset batches, decodes
 * them and keeps those that pass the post-filter (what SQL cannot narrow:
 * sensor values, source/destination, extension fields, ...). Pages continue
 * through an opaque token that holds the sort position and a snapshot
 * bound, so a paged result neither repeats nor skips events and never shows
 * events captured after its first page. Shared by `serialtrack events`, the
 * EPCIS REST query endpoints and the trace queries.
 */
#ifndef ST_STORE_QUERY_H
#define ST_STORE_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/store.h>

#include "epcis/event.h"
#include "store/backend.h"

/* Bytes a nextPageToken needs, its NUL included. */
#define ST_QUERY_TOKEN_MAX 96

/*
 * Called for each event of a page, in result order. ev (with a recordTime
 * node after its eventTime, "YYYY-MM-DDTHH:MM:SS.mmmZ") and bindings (the
 * prefix bindings of its document, or NULL) are decoded from the store and
 * valid only during the call; event_id is the store's id, record_ms the
 * record time in ms since the epoch. A non-OK return stops the query and is
 * returned by st_query_run.
 */
typedef st_rc (*st_query_row)(void *ctx, const st_event *ev, const st_evnode *bindings,
                              int64_t event_id, int64_t record_ms);

/*
 * Run one page of q on s, calling cb (may be NULL: count only) for each
 * event. next_token (cap bytes, at least ST_QUERY_TOKEN_MAX; may be NULL
 * when the caller pages no further) receives the token for the next page
 * when more events remain, else "". q and s are only read; q may be run
 * again (a later page is the same q with nextPageToken set).
 * Returns ST_OK; ST_ERR_SYNTAX with a sentence in err for a combination of
 * parameters EPCIS forbids (eventCountLimit without orderBy) and for a token
 * of another query; ST_ERR_LIMIT when more events match than maxEventCount
 * (nothing is delivered then); ST_ERR_BUFFER (cap too small); what cb
 * returned; backend errors (ST_ERR_IO, ST_ERR_NOMEM).
 */
st_rc st_query_run(st_store *s, const st_query *q, st_query_row cb, void *ctx, char *next_token,
                   size_t cap, st_error *err);

/*
 * Whether q may run as it stands (the checks st_query_run makes before it
 * reads anything): ST_OK or ST_ERR_SYNTAX with a sentence in err.
 */
st_rc st_query_check(const st_query *q, st_error *err);

/*
 * Continue q in record order after the event with id after_id, looking at
 * events up to id head only (a live stream: its position and the newest
 * event seen). q must not set orderBy. Replaces any nextPageToken.
 * ST_OK, ST_ERR_INTERNAL (hashing the parameters failed).
 */
st_rc st_query_resume(st_query *q, int64_t after_id, int64_t head);

/* The SQL of one page of q, as st_query_run executes it (for query-plan
 * checks): *sql (malloc'd, NUL-terminated) and *args[0..*nargs) (malloc'd
 * array; its text and blobs are q's and live as long as q). with_body 0
 * gives the id-only statement used for counting. The position placeholders
 * hold the first page's values. Free both with free(). ST_ERR_NOMEM. */
st_rc st_query_sql(const st_query *q, int with_body, char **sql, st_val **args, int *nargs);

#endif
