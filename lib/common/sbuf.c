/* st_sbuf: bounded string building into a caller's array (see sbuf.h). */
#include "common/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void st_sbuf_init(st_sbuf *b, char *p, size_t cap)
{
    b->p = p;
    b->n = 0;
    b->cap = cap;
    b->overflow = cap == 0;
    if (cap)
        p[0] = '\0';
}

void st_sbuf_putn(st_sbuf *b, const char *s, size_t n)
{
    if (b->overflow)
        return;
    if (n >= b->cap - b->n) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void st_sbuf_puts(st_sbuf *b, const char *s)
{
    st_sbuf_putn(b, s, strlen(s));
}

void st_sbuf_printf(st_sbuf *b, const char *fmt, ...)
{
    if (b->overflow)
        return;
    size_t room = b->cap - b->n;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->p + b->n, room, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= room) {
        b->overflow = 1;
        b->p[b->n] = '\0';
        return;
    }
    b->n += (size_t)w;
}

st_rc st_sbuf_rc(const st_sbuf *b)
{
    return b->overflow ? ST_ERR_BUFFER : ST_OK;
}
