/*
 * The public EPCIS API (include/serialtrack/epcis.h): opens a document,
 * detects its format, runs the right reader with a per-event step that
 * validates and then visits, and keeps the report. Conversion plugs a
 * writer in as the visitor.
 */
#include <serialtrack/epcis.h>

#include <errno.h>
#include <fcntl.h>
#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "epcis/diag.h"
#include "epcis/doc.h"
#include "epcis/epcis_int.h"
#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/validate.h"
#include "epcis/write.h"
#include "epcis/xml.h"

#define PEEK_BYTES 8192 /* enough to see the root element and its namespace */

struct st_epcis_report {
    st_arena *arena;      /* owns the document header and all messages */
    st_epcis_doc doc;     /* the document as read */
    st_diag errors;       /* every error */
    st_diag notes;        /* conversion notes */
    size_t invalid;       /* events that failed validation */
};


/* What the per-event step needs. */
struct step {
    st_epcis_report *r;
    const st_epcis_read_opts *opts;
    st_epcis_visit visit;
    void *ctx;
};

const char *st_epcis_format_name(st_epcis_format f)
{
    switch (f) {
    case ST_EPCIS_FMT_JSONLD:
        return "jsonld";
    case ST_EPCIS_FMT_XML2:
        return "xml";
    case ST_EPCIS_FMT_XML12:
        return "xml12";
    default:
        return "unknown";
    }
}

static st_rc on_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    struct step *s = ctx;
    if (s->opts && s->opts->validate &&
        st_epcis_validate_event(doc, ev, &s->r->errors) != ST_OK) {
        s->r->invalid++;
        return ST_OK; /* keep reading: every error of the document is reported */
    }
    if (!s->visit)
        return ST_OK;
    st_epcis_event e = {doc, ev};
    return s->visit(s->ctx, &e);
}

static st_epcis_report *report_new(const st_epcis_read_opts *opts)
{
    st_epcis_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->arena = st_arena_create(0);
    if (!r->arena) {
        free(r);
        return NULL;
    }
    r->doc.arena = r->arena;
    if (opts && opts->name)
        r->doc.name = st_arena_strndup(r->arena, opts->name, strlen(opts->name));
    st_diag_init(&r->errors, r->arena);
    st_diag_init(&r->notes, r->arena);
    return r;
}

/* The result of a read: the reader's own code, else invalid events. */
static st_rc finish_read(st_epcis_report *r, st_rc rc)
{
    if (rc == ST_OK && (r->invalid || st_diag_count(&r->errors)))
        rc = r->errors.n ? r->errors.items[0].rc : ST_ERR_SYNTAX;
    return rc;
}

static st_rc read_buffer(st_epcis_report *r, const char *buf, size_t n, struct step *s)
{
    st_epcis_format f = st_epcis_detect(buf, n);
    switch (f) {
    case ST_EPCIS_FMT_JSONLD:
        return st_jsonld_read(&r->doc, buf, n, on_event, s, &r->errors);
    case ST_EPCIS_FMT_XML2:
    case ST_EPCIS_FMT_XML12:
        return st_xml_read(&r->doc, buf, n, on_event, s, &r->errors);
    default:
        return st_diag_add(&r->errors, ST_ERR_SYNTAX, -1, "",
                           "not an EPCIS document: expected JSON-LD ('{') or EPCIS XML (namespace "
                           "urn:epcglobal:epcis:xsd:1 or :2)");
    }
}

st_rc st_epcis_read_mem(const char *buf, size_t n, const st_epcis_read_opts *opts,
                        st_epcis_visit visit, void *ctx, st_epcis_report **report)
{
    st_epcis_report *r = report_new(opts);
    if (report)
        *report = r;
    if (!r)
        return ST_ERR_NOMEM;
    struct step s = {r, opts, visit, ctx};
    st_rc rc = read_buffer(r, buf, n, &s);
    return finish_read(r, rc);
}

/* Read all of fd into a malloc'd buffer, at most cap bytes. */
static st_rc slurp(int fd, size_t cap, char **out, size_t *n, st_epcis_report *r)
{
    size_t size = 1 << 16, used = 0;
    char *buf = malloc(size);
    if (!buf)
        return ST_ERR_NOMEM;
    for (;;) {
        if (used == size) {
            if (size >= cap) {
                free(buf);
                return st_diag_add(&r->errors, ST_ERR_LIMIT, -1, "",
                                   "document holds more than %zu bytes; the limit is %zu", cap,
                                   cap);
            }
            size = size * 2 > cap ? cap : size * 2;
            char *nb = realloc(buf, size);
            if (!nb) {
                free(buf);
                return ST_ERR_NOMEM;
            }
            buf = nb;
        }
        ssize_t k = read(fd, buf + used, size - used);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            free(buf);
            return st_diag_add(&r->errors, ST_ERR_IO, -1, "", "reading failed: %s",
                               strerror(errno));
        }
        if (k == 0)
            break;
        used += (size_t)k;
    }
    *out = buf;
    *n = used;
    return ST_OK;
}

static st_rc read_fd(st_epcis_report *r, int fd, struct step *s)
{
    char peek[PEEK_BYTES];
    ssize_t k;
    do
        k = read(fd, peek, sizeof peek);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return st_diag_add(&r->errors, ST_ERR_IO, -1, "", "reading failed: %s", strerror(errno));
    st_epcis_format f = st_epcis_detect(peek, (size_t)k);
    if ((f == ST_EPCIS_FMT_XML2 || f == ST_EPCIS_FMT_XML12) && lseek(fd, 0, SEEK_SET) == 0)
        return st_xml_read_fd(&r->doc, fd, on_event, s, &r->errors); /* streamed */
    /* JSON-LD (jansson reads whole documents), or a pipe: hold it in memory */
    char *buf = NULL;
    size_t n = 0;
    st_rc rc = slurp(fd, ST_EPCIS_MAX_DOC_BYTES - (size_t)k, &buf, &n, r);
    if (rc)
        return rc;
    char *all = malloc((size_t)k + n + 1);
    if (!all) {
        free(buf);
        return ST_ERR_NOMEM;
    }
    memcpy(all, peek, (size_t)k);
    memcpy(all + k, buf, n);
    free(buf);
    rc = read_buffer(r, all, (size_t)k + n, s);
    free(all);
    return rc;
}

/* Open path ("-" = stdin) and read it with step s. */
static st_rc read_path(st_epcis_report *r, const char *path, struct step *s)
{
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (fd < 0)
        return st_diag_add(&r->errors, ST_ERR_IO, -1, "", "cannot open %s: %s", path,
                           strerror(errno));
    st_rc rc = read_fd(r, fd, s);
    if (fd != STDIN_FILENO)
        close(fd);
    return rc;
}

st_rc st_epcis_read_file(const char *path, const st_epcis_read_opts *opts, st_epcis_visit visit,
                         void *ctx, st_epcis_report **report)
{
    st_epcis_report *r = report_new(opts);
    if (report)
        *report = r;
    if (!r)
        return ST_ERR_NOMEM;
    if (!path)
        return st_diag_add(&r->errors, ST_ERR_ARG, -1, "", "no file given");
    struct step s = {r, opts, visit, ctx};
    return finish_read(r, read_path(r, path, &s));
}

/* ---- conversion ---------------------------------------------------------- */

struct convert {
    st_epcis_format to;
    st_epcis_ids ids;
    FILE *out;
    st_epcis_report *r;
    st_epcis_writer *w; /* opened at the first event, when the header is known */
};

static st_rc convert_event(void *ctx, const st_epcis_event *e)
{
    struct convert *c = ctx;
    st_rc rc;
    if (!c->w &&
        (rc = st_epcis_writer_open(c->to, c->ids, e->doc, c->out, &c->r->notes, &c->w)))
        return rc;
    return st_epcis_writer_event(c->w, e->ev);
}

st_rc st_epcis_convert_file(const char *path, const st_epcis_read_opts *opts, st_epcis_format to,
                            st_epcis_ids ids, FILE *out, st_epcis_report **report)
{
    st_epcis_read_opts o = opts ? *opts : (st_epcis_read_opts){0};
    if (o.validate) { /* a document with any invalid event is not converted */
        st_epcis_report *check = NULL;
        st_rc rc = st_epcis_read_file(path, &o, NULL, NULL, &check);
        if (rc) {
            if (report)
                *report = check;
            else
                st_epcis_report_destroy(check);
            return rc;
        }
        st_epcis_report_destroy(check);
        o.validate = 0;
    }
    st_epcis_report *r = report_new(&o);
    if (report)
        *report = r;
    if (!r)
        return ST_ERR_NOMEM;
    if (!path)
        return st_diag_add(&r->errors, ST_ERR_ARG, -1, "", "no file given");
    struct convert c = {to, ids, out, r, NULL};
    struct step s = {r, &o, convert_event, &c};
    st_rc rc = read_path(r, path, &s);
    if (!c.w && rc == ST_OK) /* a document without events still converts */
        rc = st_epcis_writer_open(to, ids, &r->doc, out, &r->notes, &c.w);
    st_rc wrc = st_epcis_writer_finish(c.w);
    return finish_read(r, rc ? rc : wrc);
}

/* ---- events and reports ---------------------------------------------------- */

long st_epcis_event_index(const st_epcis_event *ev)
{
    return ev->ev->index;
}

const char *st_epcis_event_type(const st_epcis_event *ev)
{
    return ev->ev->root->name;
}

st_rc st_epcis_event_hash_id(const st_epcis_event *ev, char out[90])
{
    return st_hashid_compute(ev->ev, st_hashid_bindings(ev->doc), out);
}

st_rc st_epcis_event_prehash(const st_epcis_event *ev, char **out, size_t *len)
{
    size_t need = 0;
    const st_evnode *ns = st_hashid_bindings(ev->doc);
    st_rc rc = st_hashid_prehash(ev->ev, ns, NULL, 0, &need);
    if (rc != ST_OK && rc != ST_ERR_BUFFER)
        return rc;
    char *s = malloc(need + 1);
    if (!s)
        return ST_ERR_NOMEM;
    rc = st_hashid_prehash(ev->ev, ns, s, need + 1, len);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return ST_OK;
}

st_diag *st_epcis_report_diag(st_epcis_report *r)
{
    return r ? &r->errors : NULL;
}

const st_epcis_doc *st_epcis_report_doc(const st_epcis_report *r)
{
    return r ? &r->doc : NULL;
}

st_epcis_format st_epcis_report_format(const st_epcis_report *r)
{
    return r->doc.format;
}

size_t st_epcis_report_events(const st_epcis_report *r)
{
    return r->doc.events;
}

size_t st_epcis_report_error_count(const st_epcis_report *r)
{
    return st_diag_count(&r->errors);
}

size_t st_epcis_report_errors_listed(const st_epcis_report *r)
{
    return r->errors.n;
}

static st_rc item(const st_diag *d, size_t i, long *event, const char **path, const char **msg)
{
    if (i >= d->n)
        return ST_ERR_RANGE;
    if (event)
        *event = d->items[i].event;
    if (path)
        *path = d->items[i].path;
    if (msg)
        *msg = d->items[i].msg;
    return ST_OK;
}

st_rc st_epcis_report_error(const st_epcis_report *r, size_t i, long *event, const char **path,
                            const char **msg)
{
    return item(&r->errors, i, event, path, msg);
}

size_t st_epcis_report_note_count(const st_epcis_report *r)
{
    return r->notes.n;
}

st_rc st_epcis_report_note(const st_epcis_report *r, size_t i, long *event, const char **path,
                           const char **msg)
{
    return item(&r->notes, i, event, path, msg);
}

void st_epcis_report_destroy(st_epcis_report *r)
{
    if (!r)
        return;
    st_arena_destroy(r->arena);
    free(r);
}
