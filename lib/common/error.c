/* Result-code names and st_error filling (see rc.h and error.h). */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const st_rc_names[ST_RC_COUNT] = {
    [ST_OK] = "success",
    [ST_ERR_NOMEM] = "out of memory",
    [ST_ERR_ARG] = "invalid argument",
    [ST_ERR_SYNTAX] = "syntax error",
    [ST_ERR_CHECK_DIGIT] = "wrong check digit",
    [ST_ERR_UNKNOWN_AI] = "unknown application identifier",
    [ST_ERR_LENGTH] = "wrong length",
    [ST_ERR_CHARSET] = "character not allowed",
    [ST_ERR_DATE] = "invalid date or time",
    [ST_ERR_RULE] = "AI combination rule broken",
    [ST_ERR_LIMIT] = "limit exceeded",
    [ST_ERR_GCP_UNKNOWN] = "GS1 Company Prefix length unknown",
    [ST_ERR_UNSUPPORTED] = "not supported",
    [ST_ERR_RANGE] = "value out of range",
    [ST_ERR_BUFFER] = "output buffer too small",
    [ST_ERR_IO] = "input/output error",
    [ST_ERR_NOT_FOUND] = "not found",
    [ST_ERR_EXHAUSTED] = "exhausted",
    [ST_ERR_INTERNAL] = "internal error",
    [ST_ERR_REFUSED] = "refused by a business rule",
    [ST_ERR_INTEGRITY] = "integrity check failed",
};

const char *st_strerror(st_rc rc)
{
    if ((unsigned)rc >= ST_RC_COUNT || !st_rc_names[rc])
        return "unknown result code";
    return st_rc_names[rc];
}

void st_error_clear(st_error *err)
{
    if (!err)
        return;
    err->rc = ST_OK;
    err->position = -1;
    err->ai[0] = '\0';
    err->msg[0] = '\0';
}

st_rc st_fail(st_error *err, st_rc rc, long pos, const char *ai, const char *fmt, ...)
{
    if (!err)
        return rc;
    err->rc = rc;
    err->position = pos;
    snprintf(err->ai, sizeof err->ai, "%s", ai ? ai : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

void st_error_shift(st_error *err, long delta)
{
    if (err && err->position >= 0)
        err->position += delta;
}
