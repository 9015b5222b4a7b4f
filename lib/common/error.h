/*
 * Filling st_error records (include/serialtrack/rc.h) from inside the library.
 * Every helper accepts a NULL err and still returns the code, so a failing
 * function can always write `return st_fail(err, ST_ERR_X, pos, ai, ...)`.
 */
#ifndef ST_COMMON_ERROR_H
#define ST_COMMON_ERROR_H

#include <serialtrack/rc.h>

/* Record rc at byte offset pos (-1 if none) for AI ai (NULL if none) with a
 * printf-style message; returns rc. */
st_rc st_fail(st_error *err, st_rc rc, long pos, const char *ai, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Shift a recorded position by delta (when a sub-parser worked on a slice). */
void st_error_shift(st_error *err, long delta);

#endif
