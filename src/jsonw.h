/*
 * jsonw: a small streaming JSON writer for the command line's line-per-record
 * output. It writes compact JSON into a growable buffer that the caller
 * flushes with one fwrite per record: `id parse -` prints a million lines,
 * and building a jansson tree per line cost three quarters of the time
 * (measured with perf; see bench/). jansson stays the tool for reading JSON
 * and for documents.
 */
#ifndef ST_CLI_JSONW_H
#define ST_CLI_JSONW_H

#include <stddef.h>
#include <stdio.h>

typedef struct jsonw {
    char *p;      /* the buffer, owned; freed by jw_free */
    size_t n;     /* bytes written */
    size_t cap;   /* bytes allocated */
    int first;    /* no member written yet in the current object or array */
    int failed;   /* an allocation failed; everything after is dropped */
} jsonw;

void jw_init(jsonw *w);
void jw_free(jsonw *w);
/* Forget the contents, keep the buffer. */
void jw_reset(jsonw *w);

void jw_object_begin(jsonw *w);
void jw_object_end(jsonw *w);
void jw_array_begin(jsonw *w);
void jw_array_end(jsonw *w);

/* A member name inside an object (escaped); follow it with one value. */
void jw_key(jsonw *w, const char *k);

/* Values. Strings are escaped; bytes that are not valid UTF-8 become U+FFFD. */
void jw_string(jsonw *w, const char *s, size_t n);
void jw_cstring(jsonw *w, const char *s);
void jw_long(jsonw *w, long v);
void jw_bool(jsonw *w, int v);
void jw_null(jsonw *w);

/* Shorthand: "k": "s" (skipped when s is NULL). */
void jw_member_str(jsonw *w, const char *k, const char *s);

/* Write the buffer and a newline to f; 0 on success. */
int jw_flush_line(jsonw *w, FILE *f);

#endif
