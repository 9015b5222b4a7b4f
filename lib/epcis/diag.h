/*
 * Diagnostics of an EPCIS document: every error found, each naming the event
 * by index and the field by path, so a rejected document is reported whole
 * ("/epcisBody/eventList/3/bizStep: unknown bizStep \"shiping\" (did you mean
 * \"shipping\"?)"), not just its first fault. Capped at ST_EPCIS_MAX_ERRORS;
 * further errors are counted, not stored.
 */
#ifndef ST_EPCIS_DIAG_H
#define ST_EPCIS_DIAG_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "common/arena.h"

typedef struct st_diag_item {
    st_rc rc;          /* what kind of fault */
    long event;        /* index of the event in eventList, or -1 for the document */
    const char *path;  /* JSON pointer (JSON-LD) or XPath-like path (XML) of the field */
    const char *msg;   /* the sentence: what is wrong and what was expected */
} st_diag_item;

typedef struct st_diag {
    st_arena *a;         /* owns items and their strings; not owned by the diag */
    st_diag_item *items; /* the errors, in the order found */
    size_t n;            /* errors stored */
    size_t cap;          /* room in items */
    size_t max;          /* most errors stored (ST_EPCIS_MAX_ERRORS) */
    size_t dropped;      /* errors counted past max */
} st_diag;

/* Start an empty list whose memory comes from a (which must outlive it). */
void st_diag_init(st_diag *d, st_arena *a);

/* Record an error; returns rc, so `return st_diag_add(...)` reads naturally.
 * path and the formatted message are copied. */
st_rc st_diag_add(st_diag *d, st_rc rc, long event, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Errors found in all (stored + dropped). */
size_t st_diag_count(const st_diag *d);

#endif
