/*
 * Shared pieces of the EPCIS 2.0 REST binding (rest.h): version headers,
 * Accept negotiation, query parameters, one page of a query answer with its
 * Link header, and problems listing a rejected document's errors.
 */
#include "api/rest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "epcis/write.h"
#include "store/query.h"

void st_rest_headers(st_http_resp *rs)
{
    st_http_add_header(rs, "GS1-EPCIS-Version", "2.0.0");
    st_http_add_header(rs, "GS1-EPCIS-Min", "1.2.0");
    st_http_add_header(rs, "GS1-EPCIS-Max", "2.0.0");
    st_http_add_header(rs, "GS1-CBV-Version", "2.0.0");
    st_http_add_header(rs, "GS1-CBV-Min", "1.2.0");
    st_http_add_header(rs, "GS1-CBV-Max", "2.0.0");
}

/* The media type at p (up to ',' or ';'), trimmed, into out; *q0 is set
 * when its parameters say q=0. Returns where the next item starts. */
static const char *accept_item(const char *p, char *out, size_t cap, int *q0)
{
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    size_t n = 0;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') {
        if (n + 1 < cap)
            out[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    out[n] = 0;
    *q0 = 0;
    while (*p && *p != ',') {
        if (*p == ';') {
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                char *end;
                double q = strtod(p + 2, &end);
                *q0 = end != p + 2 && q <= 0.0;
                p = end;
                continue;
            }
        }
        if (*p && *p != ',')
            p++;
    }
    return p;
}

int st_rest_accept(const st_http_req *rq, st_http_resp *rs, int json_only, st_rest_fmt *out)
{
    const char *acc = st_http_header(rq, "Accept");
    out->fmt = ST_EPCIS_FMT_JSONLD;
    out->ctype = json_only ? "application/json" : "application/ld+json";
    if (!acc || !*acc)
        return 1;
    for (const char *p = acc; *p;) {
        char m[96];
        int q0;
        p = accept_item(p, m, sizeof m, &q0);
        if (q0 || !m[0])
            continue;
        if (!strcmp(m, "application/ld+json")) {
            out->ctype = "application/ld+json";
            return 1;
        }
        if (!strcmp(m, "application/json") || !strcmp(m, "*/*") || !strcmp(m, "application/*")) {
            if (!strcmp(m, "application/json"))
                out->ctype = "application/json";
            return 1;
        }
        if (!json_only && (!strcmp(m, "application/xml") || !strcmp(m, "text/xml"))) {
            out->fmt = ST_EPCIS_FMT_XML2;
            out->ctype = "application/xml";
            return 1;
        }
    }
    st_http_problem(rs, 406, "Accept",
                    "cannot answer in any type of Accept: %s; this resource is served as %s", acc,
                    json_only ? "application/json or application/ld+json"
                              : "application/ld+json, application/json or application/xml");
    return 0;
}

st_epcis_ids st_rest_ids(const st_http_req *rq)
{
    const char *f = st_http_header(rq, "GS1-EPC-Format");
    if (f && !strcasecmp(f, "Always_GS1_Digital_Link"))
        return ST_EPCIS_IDS_DL;
    if (f && !strcasecmp(f, "Always_EPC_URN"))
        return ST_EPCIS_IDS_URN;
    return ST_EPCIS_IDS_ASIS;
}

int st_rest_media_is(const char *ct, const char *media)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strlen(media);
    if (strncasecmp(ct, media, n))
        return 0;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return !*ct || *ct == ';';
}

/* ---- query parameters ------------------------------------------------------------- */

struct qp {
    st_query *q;
    st_http_resp *rs;
    int bad;
};

static int qp_one(void *ctx, const char *k, const char *v)
{
    struct qp *p = ctx;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_query_set(p->q, k, v, &e);
    if (rc == ST_OK)
        return 0;
    if (rc == ST_ERR_NOMEM)
        st_http_problem(p->rs, 503, k, "out of memory while reading parameter %s", k);
    else
        st_http_problem(p->rs, 400, k, "QueryParameterException: %s",
                        e.msg[0] ? e.msg : st_strerror(rc));
    p->bad = 1;
    return 1;
}

int st_rest_query_params(st_http_req *rq, st_http_resp *rs, st_query *q)
{
    struct qp p = {q, rs, 0};
    st_http_query_each(rq, qp_one, &p);
    return !p.bad;
}

/* ---- answering a query page ----------------------------------------------------------- */

struct page {
    st_epcis_writer *w; /* the document being written */
    size_t n;           /* events written */
};

static st_rc page_row(void *ctx, const st_event *ev, const st_evnode *bindings, int64_t event_id,
                      int64_t record_ms)
{
    (void)event_id;
    (void)record_ms;
    struct page *p = ctx;
    p->n++;
    return st_epcis_writer_event_ns(p->w, ev, bindings);
}

void st_rest_query_answer(st_http_req *rq, st_http_resp *rs, const st_query *q, int single)
{
    st_rest_fmt f;
    if (!st_rest_accept(rq, rs, 0, &f))
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    if (!mf) {
        st_http_problem(rs, 503, NULL, "out of memory while answering the query");
        return;
    }
    st_epcis_writer *w = NULL;
    st_rc rc = st_epcis_writer_open_query(f.fmt, st_rest_ids(rq), "SimpleEventQuery", mf, NULL, &w);
    char tok[ST_QUERY_TOKEN_MAX] = "";
    struct page p = {w, 0};
    st_error e;
    st_error_clear(&e);
    if (rc == ST_OK)
        rc = st_query_run(rq->store, q, page_row, &p, tok, sizeof tok, &e);
    st_rc frc = w ? st_epcis_writer_finish(w) : ST_OK;
    fclose(mf);
    if (rc == ST_OK)
        rc = frc;
    if (rc != ST_OK) {
        free(buf);
        const char *msg = e.msg[0] ? e.msg : st_strerror(rc);
        if (rc == ST_ERR_SYNTAX)
            st_http_problem(rs, 400, strstr(msg, "token") ? "nextPageToken" : NULL,
                            "QueryParameterException: %s", msg);
        else if (rc == ST_ERR_LIMIT)
            st_http_problem(rs, 413, "maxEventCount", "QueryTooLargeException: %s", msg);
        else
            st_http_problem(rs, st_http_status_of(rc) >= 500 ? 503 : st_http_status_of(rc), NULL,
                            "the query failed: %s", msg);
        return;
    }
    if (single && p.n == 0) {
        free(buf);
        st_http_problem(rs, 404, NULL, "no event matches %s", rq->path);
        return;
    }
    if (tok[0])
        st_rest_link_next(rq, rs, tok);
    st_http_send(rs, 200, f.ctype, buf, len);
    free(buf);
}

/* ---- Link: rel="next" ------------------------------------------------------------------- */

void st_rest_urlencode(FILE *f, const char *s, int keep_slash)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
            (keep_slash && (*p == '/' || *p == ':')))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

struct link {
    FILE *f;
    int n; /* parameters written */
};

static int link_param(void *ctx, const char *k, const char *v)
{
    struct link *l = ctx;
    if (!strcmp(k, "nextPageToken"))
        return 0;
    fputc(l->n++ ? '&' : '?', l->f);
    st_rest_urlencode(l->f, k, 0);
    fputc('=', l->f);
    st_rest_urlencode(l->f, v, 0);
    return 0;
}

void st_rest_link_next(st_http_req *rq, st_http_resp *rs, const char *token)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    struct link l = {f, 0};
    fputc('<', f);
    st_rest_urlencode(f, rq->path, 1);
    st_http_query_each(rq, link_param, &l);
    fputs(l.n ? "&nextPageToken=" : "?nextPageToken=", f);
    st_rest_urlencode(f, token, 0);
    fputs(">; rel=\"next\"", f);
    fclose(f);
    st_http_add_header(rs, "Link", buf);
    free(buf);
}

/* ---- rejected documents ------------------------------------------------------------------ */

void st_rest_report_errors(st_jw *jw, const st_epcis_report *r, unsigned status)
{
    st_jw_array_begin(jw);
    size_t n = r ? st_epcis_report_errors_listed(r) : 0;
    for (size_t i = 0; i < n; i++) {
        long ev;
        const char *path, *msg;
        if (st_epcis_report_error(r, i, &ev, &path, &msg) != ST_OK)
            continue;
        st_jw_object_begin(jw);
        st_jw_member_str(jw, "type", "epcisException:ValidationException");
        st_jw_member_str(jw, "title",
                         status == 409 ? "Refused by a lifecycle rule" : "Invalid EPCIS document");
        st_jw_key(jw, "status");
        st_jw_long(jw, status);
        st_jw_member_str(jw, "detail", msg);
        st_jw_key(jw, "event");
        if (ev >= 0)
            st_jw_long(jw, ev);
        else
            st_jw_null(jw);
        st_jw_key(jw, "path");
        if (path && *path)
            st_jw_cstring(jw, path);
        else
            st_jw_null(jw);
        st_jw_member_str(jw, "message", msg);
        st_jw_object_end(jw);
    }
    st_jw_array_end(jw);
}

/* The body of st_rest_problem_report into jw. */
static void problem_report(st_jw *j, unsigned status, const char *detail, const st_epcis_report *r)
{
    st_jw_object_begin(j);
    st_jw_member_str(j, "type",
                     status == 413 ? "epcisException:CaptureLimitExceededException"
                                   : "epcisException:ValidationException");
    st_jw_member_str(j, "title", st_http_reason(status));
    st_jw_key(j, "status");
    st_jw_long(j, status);
    st_jw_member_str(j, "detail", detail);
    st_jw_key(j, "errorCount");
    st_jw_long(j, r ? (long)st_epcis_report_error_count(r) : 0);
    st_jw_key(j, "errors");
    st_rest_report_errors(j, r, status == 409 ? 409 : 400);
    st_jw_object_end(j);
}

void st_rest_problem_report(st_http_resp *rs, unsigned status, const char *detail,
                            const st_epcis_report *r)
{
    st_jw j;
    st_jw_init(&j);
    problem_report(&j, status, detail, r);
    st_http_send_json(rs, status, &j);
    if (rs->status == status)
        rs->content_type = "application/problem+json";
    st_jw_free(&j);
}

unsigned st_rest_capture_problem(st_jw *j, st_rc rc, const st_epcis_report *rep)
{
    char detail[256];
    size_t nerr = rep ? st_epcis_report_error_count(rep) : 0;
    if (rc == ST_ERR_RULE && nerr) { /* a lifecycle rule in reject mode */
        problem_report(j, 409, "a lifecycle rule refused the document; nothing was stored", rep);
        return 409;
    }
    if (rc == ST_ERR_SYNTAX || (rc == ST_ERR_LIMIT && nerr)) {
        unsigned status = rc == ST_ERR_LIMIT ? 413 : 400;
        snprintf(detail, sizeof detail,
                 "the document was rejected with %zu error%s; nothing was stored", nerr,
                 nerr == 1 ? "" : "s");
        problem_report(j, status, detail, rep);
        return status;
    }
    unsigned status = st_http_status_of(rc);
    if (status >= 500)
        status = 503;
    snprintf(detail, sizeof detail, "the capture failed: %s; nothing was stored", st_strerror(rc));
    st_jw_object_begin(j);
    st_jw_member_str(j, "type", "about:blank");
    st_jw_member_str(j, "title", st_http_reason(status));
    st_jw_key(j, "status");
    st_jw_long(j, status);
    st_jw_member_str(j, "detail", detail);
    st_jw_object_end(j);
    return status;
}
