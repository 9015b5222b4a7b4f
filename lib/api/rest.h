/*
 * What the EPCIS 2.0 REST binding's handlers share (st_rest_*): the GS1
 * version headers, content negotiation (Accept, Content-Type), turning
 * query parameters into an st_query, answering one page of a query as an
 * EPCISQueryDocument with its Link header, and problems that list every
 * error of a rejected document.
 */
#ifndef ST_API_REST_H
#define ST_API_REST_H

#include <serialtrack/epcis.h>
#include <serialtrack/store.h>

#include "api/http.h"

#define ST_REST_CONTEXT "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

/* Add GS1-EPCIS-Version, -Min, -Max, GS1-CBV-Version, -Min, -Max
 * to rs (copied). GS1-Extensions is left out: no extension is supported and
 * an empty header is not sent. */
void st_rest_headers(st_http_resp *rs);

/* The representation an answer is written in. */
typedef struct st_rest_fmt {
    st_epcis_format fmt; /* ST_EPCIS_FMT_JSONLD or ST_EPCIS_FMT_XML2 */
    const char *ctype;   /* static Content-Type of the answer */
} st_rest_fmt;

/*
 * Pick the representation of an EPCIS document answer from the Accept
 * header (JSON-LD when absent or any; XML 2.0 for application/xml or
 * text/xml). Returns 1 with *out set, or 0 with a 406 problem in rs. With
 * json_only, only JSON is acceptable (resource collections).
 */
int st_rest_accept(const st_http_req *rq, st_http_resp *rs, int json_only, st_rest_fmt *out);

/* Identifier form asked for by GS1-EPC-Format (as read when absent). */
st_epcis_ids st_rest_ids(const st_http_req *rq);

/* 1 when the media type of content type ct (parameters ignored, case
 * insensitive) is media. ct may be NULL. */
int st_rest_media_is(const char *ct, const char *media);

/*
 * Add every query parameter of rq to q (st_query_set). Returns 1, or 0 with
 * a 400 problem naming the parameter (QueryParameterException) in rs.
 */
int st_rest_query_params(st_http_req *rq, st_http_resp *rs, st_query *q);

/*
 * Answer one page of q (borrowed; only read) as an EPCISQueryDocument in
 * the representation Accept asks for, with a Link rel="next" header when
 * more remain. With single, an empty result is a 404 (GET /events/{id}).
 * Every outcome, errors included, is written into rs.
 */
void st_rest_query_answer(st_http_req *rq, st_http_resp *rs, const st_query *q, int single);

/*
 * Add `Link: <PATH?PARAMS&nextPageToken=TOKEN>; rel="next"` for rq's path and
 * query parameters (nextPageToken replaced by token; all percent-encoded).
 */
void st_rest_link_next(st_http_req *rq, st_http_resp *rs, const char *token);

/* Append s percent-encoded (everything but unreserved characters, and '/'
 * and ':' when keep_slash) to the memstream f. */
void st_rest_urlencode(FILE *f, const char *s, int keep_slash);

/* Write the errors of report r (borrowed) into jw as a JSON array of
 * problems: {type, title, status, detail, event, path, message}; status is
 * 400 (an invalid document) or 409 (refused by a lifecycle rule). */
void st_rest_report_errors(st_jw *jw, const st_epcis_report *r, unsigned status);

/* A problem whose "errors" lists every error of report r (borrowed): status
 * 413 a CaptureLimitExceededException, else (400, or 409 for a lifecycle
 * rule) a ValidationException; detail is a sentence (copied). */
void st_rest_problem_report(st_http_resp *rs, unsigned status, const char *detail,
                            const st_epcis_report *r);

/*
 * The problem a capture that failed with rc (not ST_OK) and report rep
 * (borrowed; may be NULL) answers, written into jw as one JSON object: a
 * lifecycle rule's refusal 409, an invalid document 400, one over a cap
 * 413 (each with its errors), anything else its status (503 for a server
 * fault). Returns that status. The synchronous capture sends it; a capture
 * job keeps it, so both tell the same.
 */
unsigned st_rest_capture_problem(st_jw *jw, st_rc rc, const st_epcis_report *rep);

#endif
