/*
 * serialtrack result codes: the one enum every library function returns, and
 * the error record callers pass in to learn what exactly was wrong.
 * Codes are only ever appended; never renumber or reuse one.
 */
#ifndef SERIALTRACK_RC_H
#define SERIALTRACK_RC_H

#include <stddef.h>

typedef enum st_rc {
    ST_OK = 0,             /* success */
    ST_ERR_NOMEM = 1,      /* an allocation failed */
    ST_ERR_ARG = 2,        /* the caller passed an impossible argument (NULL, bad option) */
    ST_ERR_SYNTAX = 3,     /* input is not in the expected form */
    ST_ERR_CHECK_DIGIT = 4,/* a GS1 check digit (or check character pair) is wrong */
    ST_ERR_UNKNOWN_AI = 5, /* an Application Identifier that GS1 has not assigned */
    ST_ERR_LENGTH = 6,     /* a value is too short or too long for its field */
    ST_ERR_CHARSET = 7,    /* a character outside the field's character set */
    ST_ERR_DATE = 8,       /* a date or time that does not exist */
    ST_ERR_RULE = 9,       /* a requires/excludes rule between AIs is broken; at capture,
                              a lifecycle rule in reject mode refused the document */
    ST_ERR_LIMIT = 10,     /* a cap from limits.h was exceeded */
    ST_ERR_GCP_UNKNOWN = 11,/* the GS1 Company Prefix length is needed and unknown */
    ST_ERR_UNSUPPORTED = 12,/* valid input that this operation cannot represent */
    ST_ERR_RANGE = 13,     /* a number is out of the range its field can hold */
    ST_ERR_BUFFER = 14,    /* the caller's output buffer is too small */
    ST_ERR_IO = 15,        /* reading or writing a file failed */
    ST_ERR_NOT_FOUND = 16, /* the thing asked for does not exist */
    ST_ERR_EXHAUSTED = 17, /* a serial space or other finite supply is used up */
    ST_ERR_INTERNAL = 18,  /* a bug: an invariant did not hold */
    ST_ERR_REFUSED = 19,   /* well-formed, but a business rule refuses it (a warranty claim
                              for an expired unit, a return of a stolen one); the reason code
                              is in the answer */
    ST_ERR_INTEGRITY = 20, /* sealed data did not authenticate: a wrong key, or tampering */
} st_rc;

/* Number of codes above; keep last + 1. */
#define ST_RC_COUNT 21

/*
 * Detail of a failure, filled in by the function that failed. Callers own the
 * struct (usually on the stack) and may pass NULL when they only want the code.
 */
typedef struct st_error {
    st_rc rc;          /* the code that was returned */
    long position;     /* byte offset into the input where the fault is, or -1 */
    char ai[8];        /* the Application Identifier concerned, or "" */
    char msg[256];     /* human-readable sentence naming the field and the rule */
} st_error;

/* A short, static, English description of rc ("syntax error"). Never NULL. */
const char *st_strerror(st_rc rc);

/* Reset err to "no error" (rc ST_OK, position -1, empty strings). err may be NULL. */
void st_error_clear(st_error *err);

#endif
