/* st_evdump: one line per node of an event tree (see tree_dump.h). */
#include "epcis/tree_dump.h"

#include <string.h>

/* Output sink: counts bytes always, stores them when p is not NULL. */
typedef struct sink {
    char *p;  /* destination of at least n + 1 bytes when measuring is done, or NULL */
    size_t n; /* bytes produced so far */
} sink;

static void put(sink *s, const char *b, size_t n)
{
    if (s->p)
        memcpy(s->p + s->n, b, n);
    s->n += n;
}

static void put_escaped(sink *s, const char *v)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        char e[4] = {'\\', 0, 0, 0};
        size_t k = 2;
        switch (*c) {
        case '\\':
            e[1] = '\\';
            break;
        case '\n':
            e[1] = 'n';
            break;
        case '\r':
            e[1] = 'r';
            break;
        case '\t':
            e[1] = 't';
            break;
        default:
            if (*c >= 0x20 && *c != 0x7f) {
                put(s, (const char *)c, 1);
                continue;
            }
            e[1] = 'x';
            e[2] = hex[*c >> 4];
            e[3] = hex[*c & 15];
            k = 4;
        }
        put(s, e, k);
    }
}

static void dump_node(sink *s, const st_evnode *n, unsigned depth, unsigned opts)
{
    for (unsigned i = 0; i < depth; i++)
        put(s, "  ", 2);
    if (n->ns) {
        put(s, "{", 1);
        put(s, n->ns, strlen(n->ns));
        put(s, "}", 1);
    }
    if ((opts & ST_EVDUMP_PREFIX) && n->prefix) {
        put(s, n->prefix, strlen(n->prefix));
        put(s, ":", 1);
    }
    put(s, n->name, strlen(n->name));
    if (n->flags & (ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST)) {
        put(s, " [", 2);
        if (n->flags & ST_EVN_ATTR)
            put(s, "A", 1);
        if (n->flags & ST_EVN_NUMBER)
            put(s, "N", 1);
        if (n->flags & ST_EVN_BOOL)
            put(s, "B", 1);
        if (n->flags & ST_EVN_LIST)
            put(s, "L", 1);
        put(s, "]", 1);
    }
    if (n->value) {
        put(s, "=", 1);
        put_escaped(s, n->value);
    }
    put(s, "\n", 1);
    for (const st_evnode *c = n->first; c; c = c->next)
        dump_node(s, c, depth + 1, opts);
}

char *st_evdump(st_arena *a, const st_evnode *n, unsigned opts)
{
    sink s = {NULL, 0};
    if (n)
        dump_node(&s, n, 0, opts);
    char *out = st_arena_alloc(a, s.n + 1);
    if (!out)
        return NULL;
    s.p = out;
    s.n = 0;
    if (n)
        dump_node(&s, n, 0, opts);
    out[s.n] = '\0';
    return out;
}

int st_evdump_file(FILE *f, const st_evnode *n, unsigned opts)
{
    if (!n)
        return 0;
    st_arena *a = st_arena_create(0);
    char *text = a ? st_evdump(a, n, opts) : NULL;
    int rc = text && fputs(text, f) != EOF ? 0 : -1;
    st_arena_destroy(a);
    return rc;
}
