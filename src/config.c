/*
 * The configuration file of `serialtrack serve` (config.h): read whole,
 * checked line by line, every fault reported with its line number.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static const char *trim(const char *b, const char **e)
{
    while (b < *e && isspace((unsigned char)*b))
        b++;
    while (*e > b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
    return b;
}

/* One line [b, e) numbered ln into c: 0, or -1 with msg. */
static int one_line(cli_config *c, const char *b, const char *e, int ln, const char *const *known,
                    size_t nknown, char *msg, size_t cap)
{
    b = trim(b, &e);
    if (b == e || *b == '#')
        return 0;
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq) {
        snprintf(msg, cap, "%s:%d: expected \"name = value\"", c->path, ln);
        return -1;
    }
    const char *ne = eq;
    const char *nb = trim(b, &ne);
    const char *ve = e;
    const char *vb = trim(eq + 1, &ve);
    if (vb < ve && *vb == '"') { /* quoted: may hold '#'; a comment may follow */
        const char *close = memchr(vb + 1, '"', (size_t)(ve - vb - 1));
        const char *after = close ? close + 1 : NULL;
        while (after && after < ve && isspace((unsigned char)*after))
            after++;
        if (!close || (after < ve && *after != '#')) {
            snprintf(msg, cap, "%s:%d: the quoted value does not end with '\"'", c->path, ln);
            return -1;
        }
        vb++;
        ve = close;
    } else { /* unquoted: a '#' after a space starts a comment */
        for (const char *p = vb; p < ve; p++)
            if (*p == '#' && (p == vb || isspace((unsigned char)p[-1]))) {
                ve = p;
                vb = trim(vb, &ve);
                break;
            }
    }
    if (vb == ve) {
        snprintf(msg, cap, "%s:%d: \"%.*s\" has no value", c->path, ln, (int)(ne - nb), nb);
        return -1;
    }
    char name[64];
    size_t nn = (size_t)(ne - nb);
    if (nn == 0 || nn >= sizeof name) {
        snprintf(msg, cap, "%s:%d: a setting needs a name", c->path, ln);
        return -1;
    }
    for (size_t i = 0; i < nn; i++)
        name[i] = nb[i] == '-' ? '_' : (char)tolower((unsigned char)nb[i]);
    name[nn] = 0;
    size_t k = 0;
    while (k < nknown && strcmp(known[k], name))
        k++;
    if (k == nknown) {
        int w = snprintf(msg, cap, "%s:%d: unknown setting \"%s\"; known:", c->path, ln, name);
        for (size_t i = 0; i < nknown && w > 0 && (size_t)w < cap; i++)
            w += snprintf(msg + w, cap - (size_t)w, "%s %s", i ? "," : "", known[i]);
        return -1;
    }
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->set[i].name, name)) {
            snprintf(msg, cap, "%s:%d: \"%s\" is already set on line %d", c->path, ln, name,
                     c->set[i].line);
            return -1;
        }
    if (c->n == CLI_CONFIG_MAX) {
        snprintf(msg, cap, "%s:%d: more than %d settings", c->path, ln, CLI_CONFIG_MAX);
        return -1;
    }
    cli_setting *s = &c->set[c->n];
    s->name = dup_n(name, nn);
    s->value = dup_n(vb, (size_t)(ve - vb));
    s->line = ln;
    c->n++;
    if (!s->name || !s->value) {
        snprintf(msg, cap, "out of memory");
        return -1;
    }
    return 0;
}

int cli_config_read(cli_config *c, const char *path, const char *const *known, size_t nknown,
                    char *msg, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(CLI_CONFIG_BYTES_MAX + 1);
    size_t n = buf ? fread(buf, 1, CLI_CONFIG_BYTES_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    int rc = -1;
    if (!buf)
        snprintf(msg, cap, "out of memory");
    else if (bad)
        snprintf(msg, cap, "%s: cannot be read", path);
    else if (n > CLI_CONFIG_BYTES_MAX)
        snprintf(msg, cap, "%s: larger than %d bytes", path, CLI_CONFIG_BYTES_MAX);
    else if (memchr(buf, 0, n))
        snprintf(msg, cap, "%s: holds a NUL byte: not a text file", path);
    else {
        rc = 0;
        int ln = 0;
        for (const char *p = buf, *end = buf + n; p < end && !rc;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *e = nl ? nl : end;
            ln++;
            if ((size_t)(e - p) > CLI_CONFIG_LINE_MAX) {
                snprintf(msg, cap, "%s:%d: longer than %d bytes", path, ln, CLI_CONFIG_LINE_MAX);
                rc = -1;
            } else
                rc = one_line(c, p, e, ln, known, nknown, msg, cap);
            p = nl ? nl + 1 : end;
        }
    }
    free(buf);
    return rc;
}

const char *cli_config_get(const cli_config *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->set[i].name, name))
            return c->set[i].value;
    return NULL;
}

void cli_config_free(cli_config *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->set[i].name);
        free(c->set[i].value);
    }
    c->n = 0;
}
