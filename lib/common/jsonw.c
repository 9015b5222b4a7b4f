/* st_jw: compact JSON written straight into a buffer (see serialtrack/jsonw.h). */
#include <serialtrack/jsonw.h>

#include <stdlib.h>
#include <string.h>

void st_jw_init(st_jw *w)
{
    memset(w, 0, sizeof *w);
    w->first = 1;
}

void st_jw_free(st_jw *w)
{
    free(w->p);
    st_jw_init(w);
}

void st_jw_reset(st_jw *w)
{
    w->n = 0;
    w->first = 1;
    w->failed = 0;
}

/* Grow the buffer to hold k more bytes; 0 when out of memory. */
static int grow(st_jw *w, size_t k)
{
    if (w->failed)
        return 0;
    size_t ncap = w->cap ? w->cap : 1024;
    while (ncap < w->n + k)
        ncap *= 2;
    char *np = realloc(w->p, ncap);
    if (!np) {
        w->failed = 1;
        return 0;
    }
    w->p = np;
    w->cap = ncap;
    return 1;
}

static inline void put(st_jw *w, const char *s, size_t k)
{
    if (w->n + k <= w->cap || grow(w, k)) {
        memcpy(w->p + w->n, s, k);
        w->n += k;
    }
}

static void comma(st_jw *w)
{
    if (!w->first)
        put(w, ",", 1);
    w->first = 0;
}

void st_jw_object_begin(st_jw *w)
{
    comma(w);
    put(w, "{", 1);
    w->first = 1;
}

void st_jw_object_end(st_jw *w)
{
    put(w, "}", 1);
    w->first = 0;
}

void st_jw_array_begin(st_jw *w)
{
    comma(w);
    put(w, "[", 1);
    w->first = 1;
}

void st_jw_array_end(st_jw *w)
{
    put(w, "]", 1);
    w->first = 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!k || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (k == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, or a surrogate */
    if (k == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0;
    return k;
}

/* 1 for the bytes a JSON string cannot hold as they are (controls, '"', '\\')
 * or that need a UTF-8 check (>= 0x80). */
static const unsigned char special[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static void put_escaped(st_jw *w, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    put(w, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n;) {
        if (!special[s[i]]) {
            i++;
            continue;
        }
        unsigned c = s[i];
        size_t k = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
        if (k) {
            i += k;
            continue;
        }
        put(w, str + run, i - run);
        if (c == '"')
            put(w, "\\\"", 2);
        else if (c == '\\')
            put(w, "\\\\", 2);
        else if (c == '\n')
            put(w, "\\n", 2);
        else if (c == '\t')
            put(w, "\\t", 2);
        else if (c == '\r')
            put(w, "\\r", 2);
        else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, u, 6);
        } else {
            put(w, "\\ufffd", 6); /* a byte that is not valid UTF-8 */
        }
        run = ++i;
    }
    put(w, str + run, n - run);
    put(w, "\"", 1);
}

void st_jw_key(st_jw *w, const char *k)
{
    comma(w);
    put_escaped(w, k, strlen(k));
    put(w, ":", 1);
    w->first = 1; /* the value that follows takes no comma */
}

void st_jw_string(st_jw *w, const char *s, size_t n)
{
    comma(w);
    put_escaped(w, s, n);
}

void st_jw_cstring(st_jw *w, const char *s)
{
    st_jw_string(w, s, strlen(s));
}

void st_jw_long(st_jw *w, long v)
{
    char b[24];
    int k = snprintf(b, sizeof b, "%ld", v);
    comma(w);
    put(w, b, (size_t)k);
}

void st_jw_bool(st_jw *w, int v)
{
    comma(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void st_jw_null(st_jw *w)
{
    comma(w);
    put(w, "null", 4);
}

void st_jw_raw(st_jw *w, const char *s, size_t n)
{
    comma(w);
    put(w, s, n);
}

void st_jw_member_str(st_jw *w, const char *k, const char *s)
{
    if (!s)
        return;
    st_jw_key(w, k);
    st_jw_cstring(w, s);
}

int st_jw_flush_line(st_jw *w, FILE *f)
{
    if (w->failed)
        return -1;
    put(w, "\n", 1);
    if (w->failed || fwrite(w->p, 1, w->n, f) != w->n)
        return -1;
    st_jw_reset(w);
    return 0;
}
