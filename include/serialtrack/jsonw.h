/*
 * st_jw: a small streaming JSON writer. It writes compact JSON straight into
 * a growable buffer, which the caller takes whole (one fwrite per record for
 * line-per-record output such as `serialtrack id parse -`, where building a
 * jansson tree per line cost three quarters of the time under perf), and it
 * can write a number's original text unchanged (st_jw_raw), which EPCIS
 * output needs and jansson cannot do. jansson stays the tool for reading JSON.
 */
#ifndef SERIALTRACK_JSONW_H
#define SERIALTRACK_JSONW_H

#include <stddef.h>
#include <stdio.h>

typedef struct st_jw {
    char *p;      /* the buffer, owned; freed by st_jw_free */
    size_t n;     /* bytes written */
    size_t cap;   /* bytes allocated */
    int first;    /* no member written yet in the current object or array */
    int failed;   /* an allocation failed; everything after is dropped */
} st_jw;

void st_jw_init(st_jw *w);
void st_jw_free(st_jw *w);
/* Forget the contents, keep the buffer. */
void st_jw_reset(st_jw *w);

void st_jw_object_begin(st_jw *w);
void st_jw_object_end(st_jw *w);
void st_jw_array_begin(st_jw *w);
void st_jw_array_end(st_jw *w);

/* A member name inside an object (escaped); follow it with one value. */
void st_jw_key(st_jw *w, const char *k);

/* Values. Strings are escaped; bytes that are not valid UTF-8 become U+FFFD. */
void st_jw_string(st_jw *w, const char *s, size_t n);
void st_jw_cstring(st_jw *w, const char *s);
void st_jw_long(st_jw *w, long v);
void st_jw_bool(st_jw *w, int v);
void st_jw_null(st_jw *w);

/* A value written exactly as given (a JSON number's original text); the
 * caller guarantees it is valid JSON. */
void st_jw_raw(st_jw *w, const char *s, size_t n);

/* Shorthand: "k": "s" (skipped when s is NULL). */
void st_jw_member_str(st_jw *w, const char *k, const char *s);

/* Write the buffer and a newline to f; 0 on success. */
int st_jw_flush_line(st_jw *w, FILE *f);

#endif
