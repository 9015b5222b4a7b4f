/*
 * Capture jobs of the EPCIS REST binding (st_jobs_*): POST /capture hands a
 * copy of the document to a small pool of worker threads and answers 202;
 * the job's state (running, success, counts, every validation error) is
 * kept in a bounded in-memory table, finished jobs expire after
 * ST_API_JOB_TTL_SECONDS. Capture is all or nothing (rollback): a document
 * with any invalid event stores nothing. struct st_jobs also holds the
 * named queries (named_queries.h), the other state this part owns.
 */
#ifndef ST_API_CAPTURE_JOBS_H
#define ST_API_CAPTURE_JOBS_H

#include <stdint.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/store.h>

#include "api/api_int.h"

#define ST_JOB_ID_MAX 32 /* bytes of a capture job id, its NUL included */

struct st_nq;

/*
 * Queue a capture of body[0..len) (copied; the caller keeps body) as a new
 * job; id (ST_JOB_ID_MAX bytes) receives its id. Returns ST_OK; ST_ERR_LIMIT
 * when ST_API_JOBS_INFLIGHT jobs (or ST_API_JOBS_INFLIGHT_BYTES) are queued
 * or running, or the table holds ST_API_JOBS_MAX unfinished jobs (answer
 * 503); ST_ERR_NOMEM. A sentence in err.
 */
st_rc st_jobs_submit(st_api *api, const char *body, size_t len, char *id, st_error *err);

/* Write job id as a CaptureJob JSON object into jw (the caller's).
 * ST_ERR_NOT_FOUND when there is no such job (or it expired). */
st_rc st_jobs_describe(st_api *api, const char *id, st_jw *jw);

/* Write at most per remembered jobs, newest first, accepted before the job
 * numbered before (0: from the newest), as a JSON array into jw. Returns
 * the number to pass as before for the next page, or 0 when none remains. */
uint64_t st_jobs_list(st_api *api, uint64_t before, long per, st_jw *jw);

/* The named queries (owned by the jobs state; never NULL after init). */
struct st_nq *st_jobs_named(st_api *api);

#endif
