/*
 * st_sbuf: a string builder over a fixed, caller-owned array. Appends never
 * write past the capacity; an overflow is remembered and reported once by
 * st_sbuf_rc(), so callers check a single result at the end (curl's dynbuf
 * idea, without the heap: every output here has a known cap).
 */
#ifndef ST_COMMON_SBUF_H
#define ST_COMMON_SBUF_H

#include <stddef.h>
#include <serialtrack/rc.h>

typedef struct st_sbuf {
    char *p;      /* the caller's array; always NUL-terminated while cap > 0 */
    size_t n;     /* bytes written, excluding the NUL */
    size_t cap;   /* size of p in bytes, NUL included */
    int overflow; /* set once an append did not fit */
} st_sbuf;

/* Start building into p[cap]; p stays owned by the caller. */
void st_sbuf_init(st_sbuf *b, char *p, size_t cap);
void st_sbuf_putn(st_sbuf *b, const char *s, size_t n);
void st_sbuf_puts(st_sbuf *b, const char *s);
/* Append one byte (inline: the hot path of every encoder). */
static inline void st_sbuf_putc(st_sbuf *b, char c)
{
    if (b->overflow || b->cap - b->n < 2) {
        b->overflow = 1;
        return;
    }
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}

/* printf-style append; the formatted text is truncated, and overflow set, if it does not fit. */
void st_sbuf_printf(st_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ST_OK, or ST_ERR_BUFFER when anything was cut. */
st_rc st_sbuf_rc(const st_sbuf *b);

#endif
