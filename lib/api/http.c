/*
 * Building responses (http.h): bodies, headers, RFC 7807 problems, and the
 * one table from library result codes to HTTP statuses.
 */
#include "api/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_http_send(st_http_resp *rs, unsigned status, const char *content_type, const char *body,
                  size_t len)
{
    free(rs->body);
    rs->body = malloc(len + 1);
    rs->len = rs->body ? len : 0;
    if (rs->body) {
        if (len)
            memcpy(rs->body, body, len);
        rs->body[len] = 0;
    }
    rs->status = rs->body ? status : 500;
    rs->content_type = content_type;
}

void st_http_send_json(st_http_resp *rs, unsigned status, st_jw *jw)
{
    if (jw->failed) {
        st_http_problem(rs, 500, NULL, "out of memory while writing the answer");
        return;
    }
    free(rs->body);
    rs->body = jw->p; /* taken */
    rs->len = jw->n;
    jw->p = NULL;
    jw->n = jw->cap = 0;
    rs->status = status;
    rs->content_type = "application/json";
}

void st_http_add_header(st_http_resp *rs, const char *name, const char *value)
{
    if (rs->nhdr >= ST_HTTP_MAX_HEADERS)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    rs->hdr[rs->nhdr].name = n;
    rs->hdr[rs->nhdr].value = v;
    rs->nhdr++;
}

void st_http_resp_free(st_http_resp *rs)
{
    free(rs->body);
    for (int i = 0; i < rs->nhdr; i++) {
        free(rs->hdr[i].name);
        free(rs->hdr[i].value);
    }
    memset(rs, 0, sizeof *rs);
}

const char *st_http_reason(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

void st_http_problem(st_http_resp *rs, unsigned status, const char *field, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "type", "about:blank");
    st_jw_member_str(&j, "title", st_http_reason(status));
    st_jw_key(&j, "status");
    st_jw_long(&j, (long)status);
    st_jw_member_str(&j, "detail", detail);
    if (field)
        st_jw_member_str(&j, "field", field);
    st_jw_object_end(&j);
    st_http_send_json(rs, status, &j);
    rs->content_type = "application/problem+json";
    st_jw_free(&j);
}

void st_http_problem_code(st_http_resp *rs, unsigned status, const char *field, const char *code,
                          const char *detail, const char *extra, size_t n)
{
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "type", "about:blank");
    st_jw_member_str(&j, "title", st_http_reason(status));
    st_jw_key(&j, "status");
    st_jw_long(&j, (long)status);
    st_jw_member_str(&j, "detail", detail);
    if (field)
        st_jw_member_str(&j, "field", field);
    st_jw_member_str(&j, "code", code);
    if (extra && n > 2 && extra[0] == '{' && extra[n - 1] == '}') {
        /* the members of extra as the object's own (st_jw_raw puts the comma) */
        st_jw_raw(&j, extra + 1, n - 2);
    }
    st_jw_object_end(&j);
    st_http_send_json(rs, status, &j);
    rs->content_type = "application/problem+json";
    st_jw_free(&j);
}

unsigned st_http_status_of(st_rc rc)
{
    switch (rc) {
    case ST_OK:
        return 200;
    case ST_ERR_ARG:
    case ST_ERR_SYNTAX:
    case ST_ERR_CHECK_DIGIT:
    case ST_ERR_UNKNOWN_AI:
    case ST_ERR_LENGTH:
    case ST_ERR_CHARSET:
    case ST_ERR_DATE:
    case ST_ERR_RULE:
    case ST_ERR_RANGE:
    case ST_ERR_GCP_UNKNOWN:
        return 400;
    case ST_ERR_NOT_FOUND:
        return 404;
    case ST_ERR_LIMIT:
    case ST_ERR_BUFFER:
        return 413;
    case ST_ERR_UNSUPPORTED:
        return 501;
    case ST_ERR_EXHAUSTED:
        return 409;
    case ST_ERR_REFUSED:
        return 422;
    case ST_ERR_NOMEM:
    case ST_ERR_IO:
        return 503;
    default:
        return 500;
    }
}
