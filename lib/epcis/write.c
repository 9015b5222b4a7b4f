/*
 * The EPCIS writers' front end (write.h): the writer object, open / event /
 * finish dispatched to the format's methods (write_jsonld.c, write_xml.c),
 * and the rules every format shares: namespace bindings in scope, which
 * standard fields hold identifiers, vocabulary terms, numbers and booleans,
 * and how a value is spelled in the output (st_wr_value).
 *
 * Identifiers: the fields that name objects and places (epc of the four EPC
 * lists, parentID, readPoint/bizLocation id, epcClass, source/destination)
 * are parsed with st_id_parse; ST_EPCIS_IDS_DL writes the canonical key
 * (https://id.gs1.org/...; EPC patterns, which have no key, stay), and
 * ST_EPCIS_IDS_URN keeps EPC URIs and turns Digital Links into EPC URIs when
 * the company prefix length is known, which it never is from a Digital Link
 * alone: those stay as read, with a note. Values that are not GS1
 * identifiers (urn:uuid:..., https://example.com/...) are written as read.
 */
#include "epcis/write_int.h"

#include <serialtrack/id.h>
#include <serialtrack/limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epcis/cbv.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define WRITER_ARENA_CAP (64u << 20) /* the writer's own copies: bindings, prefixes */

/* ---- output and notes ------------------------------------------------------ */

void st_wr_put(st_epcis_writer *w, const char *s, size_t n)
{
    if (n && !w->io_failed && (!w->out || fwrite(s, 1, n, w->out) != n))
        w->io_failed = 1;
}

/* "ObjectEvent/epcList/epc": the names from the event's root down to n. */
static void node_path(const st_evnode *n, char *out, size_t cap)
{
    const char *names[ST_EPCIS_MAX_DEPTH * 2];
    size_t k = 0;
    for (; n && k < COUNT(names); n = n->parent)
        names[k++] = n->name;
    size_t len = 0;
    out[0] = '\0';
    while (k-- > 0 && len < cap) {
        int r = snprintf(out + len, cap - len, "%s%s", len ? "/" : "", names[k]);
        if (r < 0)
            break;
        len += (size_t)r;
    }
}

void st_wr_note(st_epcis_writer *w, st_rc rc, const st_evnode *n, const char *fmt, ...)
{
    if (!w->notes)
        return;
    char msg[480], path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    node_path(n, path, sizeof path);
    if (w->cur < 0)
        st_diag_add(w->notes, rc, -1, path, "header: %s", msg);
    else
        st_diag_add(w->notes, rc, w->cur, path, "event %ld: %s", w->cur, msg);
}

void st_wr_scratch_reset(st_epcis_writer *w)
{
    for (size_t i = 0; i < w->nb; i++)
        if (w->b[i].depth >= 2)
            return; /* an element below the root declared it: its prefix may be scratch */
    st_arena_reset(w->ev_a);
}

void st_wr_now(char out[32])
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*end && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ---- names and namespaces ---------------------------------------------------- */

int st_wr_ncname(const char *s)
{
    if (!s || !*s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int alpha = (*p | 0x20) >= 'a' && (*p | 0x20) <= 'z';
        int other = *p == '-' || *p == '.' || (*p >= '0' && *p <= '9');
        if (!(alpha || *p == '_' || *p >= 0x80 || (other && p != (const unsigned char *)s)))
            return 0;
    }
    return 1;
}

/* 1 for namespaces a writer never declares itself: the EPCIS document
 * namespaces (any version) and XML Schema instance. */
static int reserved_ns(const char *iri)
{
    return !strcmp(iri, XSI_NS) || !strncmp(iri, "urn:epcglobal:epcis:", 20) ||
           !strncmp(iri, "urn:epcglobal:epcis-query:", 26) ||
           !strncmp(iri, "urn:epcglobal:epcis-masterdata:", 31);
}

const st_wr_bind *st_wr_bind_prefix(const st_epcis_writer *w, const char *prefix)
{
    for (size_t i = w->nb; i-- > 0;)
        if (!strcmp(w->b[i].prefix, prefix))
            return &w->b[i];
    return NULL;
}

const st_wr_bind *st_wr_bind_iri(const st_epcis_writer *w, const char *iri)
{
    for (size_t i = w->nb; i-- > 0;)
        if (!strcmp(w->b[i].iri, iri) && st_wr_bind_prefix(w, w->b[i].prefix) == &w->b[i])
            return &w->b[i];
    return NULL;
}

st_wr_bind *st_wr_bind_push(st_epcis_writer *w, const char *prefix, const char *iri, int depth)
{
    if (w->nb == w->capb) {
        size_t ncap = w->capb ? 2 * w->capb : 32;
        st_wr_bind *nb = realloc(w->b, ncap * sizeof *nb);
        if (!nb) {
            w->rc = ST_ERR_NOMEM;
            return NULL;
        }
        w->b = nb;
        w->capb = ncap;
    }
    st_wr_bind *b = &w->b[w->nb++];
    *b = (st_wr_bind){prefix, iri, depth, 0};
    return b;
}

void st_wr_bind_pop(st_epcis_writer *w, int depth)
{
    while (w->nb && w->b[w->nb - 1].depth >= depth)
        w->nb--;
}

int st_wr_in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++) /* the first byte first: most names differ there */
        if (**list == *s && !strcmp(s, *list))
            return 1;
    return 0;
}

const char *st_wr_new_prefix(st_epcis_writer *w, st_arena *a, const char *hint,
                             const char *const *avoid)
{
    if (hint && st_wr_ncname(hint) && strncmp(hint, "xml", 3) && !st_wr_bind_prefix(w, hint) &&
        !st_wr_in_list(hint, avoid))
        return hint;
    char p[24];
    for (;;) {
        snprintf(p, sizeof p, "ext%u", ++w->next_ext);
        if (!st_wr_bind_prefix(w, p) && !st_wr_in_list(p, avoid))
            break;
    }
    char *c = st_arena_strndup(a, p, strlen(p));
    if (!c)
        w->rc = ST_ERR_NOMEM;
    return c;
}

/* ---- standard fields ------------------------------------------------------------ */

static const char *const epc_lists[] = {"epcList", "childEPCs", "inputEPCList", "outputEPCList",
                                        NULL};
static const char *const list_fields[] = {
    "epcList",
    "childEPCs",
    "inputEPCList",
    "outputEPCList",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "correctiveEventIDs",
    NULL,
};
static const char *const measurements[] = {"value", "minValue", "maxValue",  "meanValue",
                                           "sDev",  "percRank", "percValue", NULL};

/* n is the standard field name under a standard parent named parent. */
static int is_field(const st_evnode *n, const char *name, const char *parent)
{
    return !n->ns && !strcmp(n->name, name) && n->parent && !n->parent->ns &&
           (!parent || !strcmp(n->parent->name, parent));
}

/* 1 when n is a child of an event's root. */
static int top(const st_evnode *n)
{
    return n->parent && !n->parent->parent;
}

int st_wr_is_list(const st_evnode *n)
{
    return !n->ns && ((n->flags & ST_EVN_LIST) || st_wr_in_list(n->name, list_fields));
}

/* The vocabulary (ST_CBV_*) of standard field n, or -1. */
static int vocab_of(const st_evnode *n)
{
    if (n->ns || !n->parent || n->parent->ns)
        return -1;
    const char *p = n->parent->name;
    if (top(n))
        return !strcmp(n->name, "bizStep")       ? ST_CBV_BIZSTEP
               : !strcmp(n->name, "disposition") ? ST_CBV_DISP
                                                 : -1;
    if (!strcmp(p, "persistentDisposition") &&
        (!strcmp(n->name, "set") || !strcmp(n->name, "unset")))
        return ST_CBV_DISP;
    if (!strcmp(p, "errorDeclaration") && !strcmp(n->name, "reason"))
        return ST_CBV_ER;
    if (!strcmp(n->name, "type"))
        return !strcmp(p, "bizTransaction")                        ? ST_CBV_BTT
               : !strcmp(p, "source") || !strcmp(p, "destination") ? ST_CBV_SDT
               : !strcmp(p, "sensorReport")                        ? ST_CBV_MEASUREMENT
                                                                   : -1;
    if (!strcmp(p, "sensorReport"))
        return !strcmp(n->name, "exception")   ? ST_CBV_ALERT
               : !strcmp(n->name, "component") ? ST_CBV_COMP
                                               : -1;
    return -1;
}

int st_wr_numeric(const st_evnode *n)
{
    return is_field(n, "quantity", "quantityElement") ||
           (!n->ns && n->parent && is_field(n->parent, "sensorReport", "sensorElement") &&
            st_wr_in_list(n->name, measurements));
}

int st_wr_boolean(const st_evnode *n)
{
    return !n->ns && n->parent && is_field(n->parent, "sensorReport", "sensorElement") &&
           !strcmp(n->name, "booleanValue");
}

/* 1 when n's value is an identifier (see the top of this file). */
static int is_id(const st_evnode *n)
{
    if (n->ns || !n->parent || n->parent->ns)
        return 0;
    const st_evnode *p = n->parent;
    if (!strcmp(n->name, "parentID"))
        return top(n);
    if (!strcmp(n->name, "epc"))
        return top(p) && st_wr_in_list(p->name, epc_lists);
    if (!strcmp(n->name, "id"))
        return top(p) && (!strcmp(p->name, "readPoint") || !strcmp(p->name, "bizLocation"));
    if (!strcmp(n->name, "epcClass"))
        return !strcmp(p->name, "quantityElement");
    if (!strcmp(n->name, "source") || !strcmp(n->name, "destination"))
        return !strcmp(p->name, !strcmp(n->name, "source") ? "sourceList" : "destinationList");
    return 0;
}

/* s[0..n) into w->buf, NUL-terminated. */
static const char *to_buf(st_epcis_writer *w, const char *s, size_t n)
{
    if (n >= ST_WR_BUF)
        return NULL;
    memmove(w->buf, s, n);
    w->buf[n] = '\0';
    return w->buf;
}

static void trim(const char **s, size_t *n)
{
    while (*n && strchr(" \t\r\n", **s))
        (*s)++, (*n)--;
    while (*n && strchr(" \t\r\n", (*s)[*n - 1]))
        (*n)--;
}

const char *st_wr_convert_id(st_epcis_writer *w, const st_evnode *n, const char *v)
{
    if (w->ids == ST_EPCIS_IDS_ASIS)
        return v;
    const char *s = v;
    size_t len = strlen(v);
    trim(&s, &len);
    st_id *id = NULL;
    if (!len || len > ST_ID_MAX_INPUT || st_id_parse(s, len, NULL, &id, NULL) != ST_OK)
        return v;
    const char *r = v;
    st_id_format f = st_id_format_of(id);
    if (f == ST_ID_EPC_URI || f == ST_ID_DIGITAL_LINK) {
        const char *out = NULL;
        if (w->ids == ST_EPCIS_IDS_DL) {
            out = st_id_key(id);
            if (strncmp(out, "https://", 8))
                out = NULL; /* an EPC pattern: no key of its own */
        } else if (f == ST_ID_DIGITAL_LINK) {
            out = st_id_epc_uri(id);
            if (!out)
                st_wr_note(w, ST_ERR_GCP_UNKNOWN, n,
                           "cannot convert %s to an EPC URN: company prefix length unknown; "
                           "kept as it is",
                           v);
        }
        if (out && !(r = to_buf(w, out, strlen(out))))
            r = v;
    }
    st_id_destroy(id);
    return r;
}

/* A vocabulary term spelled for w's format (cbv.h): JSON-LD the bare word
 * of a known term (the standard @context expands it) and anything else as
 * written; XML 2.0 the Web URI; XML 1.2 the EPCIS 1.x URN where the
 * vocabulary has one. Values that are no CBV spelling stay as written. */
static const char *spell_term(st_epcis_writer *w, int vocab, const char *v)
{
    if (st_cbv_canon(vocab, v, w->buf, ST_WR_BUF) != ST_OK)
        return v;
    const st_cbv_vocab *voc = st_cbv_get(vocab);
    size_t nl = strlen(voc->ns), ll = strlen(voc->local);
    int cbv = !strncmp(w->buf, voc->ns, nl) && !strncmp(w->buf + nl, voc->local, ll);
    const char *word = w->buf + nl + ll;
    if (w->fmt == ST_EPCIS_FMT_JSONLD)
        return cbv && st_cbv_is_word(vocab, word) ? to_buf(w, word, strlen(word)) : v;
    if (w->fmt == ST_EPCIS_FMT_XML12 && cbv && voc->urn && *word) {
        size_t ul = strlen(voc->urn), wl = strlen(word);
        if (ul + wl < ST_WR_BUF) {
            memmove(w->buf + ul, word, wl + 1);
            memcpy(w->buf, voc->urn, ul);
        }
    }
    return w->buf;
}

const char *st_wr_curie_prefix(const char *v, size_t *pk)
{
    const char *s = v;
    size_t n = strlen(v);
    trim(&s, &n);
    size_t k = 0;
    while (k < n && s[k] != ':')
        k++;
    if (k == 0 || k + 1 >= n || (s[k + 1] == '/' && k + 2 < n && s[k + 2] == '/'))
        return NULL;
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        if (!alpha && !(i && ((c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')))
            return NULL;
    }
    if (k == 3 && (!memcmp(s, "gs1", 3) || !memcmp(s, "cbv", 3)))
        return NULL;
    *pk = k;
    return s;
}

const st_wr_bind *st_wr_curie(const st_epcis_writer *w, const char *v)
{
    size_t k = 0;
    const char *s = w->nvals ? st_wr_curie_prefix(v, &k) : NULL;
    for (size_t i = 0; s && i < w->nvals; i++)
        if (strlen(w->vals[i].prefix) == k && !memcmp(w->vals[i].prefix, s, k))
            return &w->vals[i];
    return NULL;
}

const char *st_wr_curie_expand(st_epcis_writer *w, const st_wr_bind *b, const char *v)
{
    const char *s = v;
    size_t n = strlen(v), k = strlen(b->prefix), il = strlen(b->iri);
    trim(&s, &n);
    if (il + n - k >= ST_WR_BUF)
        return v;
    memmove(w->buf + il, s + k + 1, n - k - 1); /* v may be in w->buf */
    memcpy(w->buf, b->iri, il);
    w->buf[il + n - k - 1] = '\0';
    return w->buf;
}

/* XML written from JSON-LD: a CURIE whose prefix the source's @context binds
 * (other than gs1: and cbv:, which XML readers expand too) as the full IRI,
 * as the JSON-LD reading of the value meant it. Else v. */
const char *st_wr_expand_curie(st_epcis_writer *w, const char *v)
{
    const st_wr_bind *b = st_wr_curie(w, v);
    return b ? st_wr_curie_expand(w, b, v) : v;
}

/* 1 when n is an EPCIS field: no namespace on it or above it, not in ilmd. */
static int standard(const st_evnode *n)
{
    for (; n; n = n->parent)
        if (n->ns || (!strcmp(n->name, "ilmd") && n->parent && !n->parent->parent))
            return 0;
    return 1;
}

const char *st_wr_value(st_epcis_writer *w, const st_evnode *n)
{
    const char *v = n->value;
    if (!v)
        return NULL;
    int vocab = vocab_of(n);
    const char *r = vocab >= 0 ? spell_term(w, vocab, v) : is_id(n) ? st_wr_convert_id(w, n, v) : v;
    if (!r)
        r = v;
    if (w->fmt != ST_EPCIS_FMT_JSONLD && (r == v || (vocab >= 0 && !strcmp(r, v))))
        r = st_wr_expand_curie(w, v);
    else if (w->ev_own && (r == v || (vocab >= 0 && !strcmp(r, v))))
        r = st_wr_jl_curie(w, n, v);
    size_t len = strlen(r);
    const char *t = r;
    trim(&t, &len);
    if ((t != r || t[len]) &&
        standard(n)) /* "\n  urn:..." of pretty-printed XML: the value is the URI */
        r = to_buf(w, t, len);
    return r ? r : v;
}

/* ---- the writer ------------------------------------------------------------------- */

/* Copy the namespace bindings of src: into w->b (depth 0) those a document
 * head may declare, and for a JSON-LD source all of them into w->vals. */
static st_rc copy_bindings(st_epcis_writer *w, const st_epcis_doc *src)
{
    if (!src)
        return ST_OK;
    w->src_xml = src->format == ST_EPCIS_FMT_XML2 || src->format == ST_EPCIS_FMT_XML12;
    w->src_jsonld = src->format == ST_EPCIS_FMT_JSONLD;
    size_t n = src->ns ? st_evnode_count(src->ns, NULL) : 0;
    if (!w->src_xml && n && !(w->vals = st_arena_calloc(w->a, n * sizeof *w->vals)))
        return ST_ERR_NOMEM;
    for (const st_evnode *c = src->ns ? src->ns->first : NULL; c; c = c->next) {
        if (!c->value || !*c->value || !*c->name)
            continue;
        const char *p = st_arena_strndup(w->a, c->name, strlen(c->name));
        const char *iri = st_arena_strndup(w->a, c->value, strlen(c->value));
        if (!p || !iri)
            return ST_ERR_NOMEM;
        if (!w->src_xml)
            w->vals[w->nvals++] = (st_wr_bind){p, iri, 0, 0};
        if (!st_wr_ncname(p) || !strncmp(p, "xml", 3) || reserved_ns(iri) ||
            st_wr_bind_prefix(w, p) || (w->fmt != ST_EPCIS_FMT_JSONLD && !strcmp(p, "epcis")))
            continue;
        if (!st_wr_bind_push(w, p, iri, 0))
            return ST_ERR_NOMEM;
    }
    return ST_OK;
}

void st_wr_free(st_epcis_writer *w)
{
    if (!w)
        return;
    st_arena_destroy(w->a);
    st_arena_destroy(w->ev_a);
    free(w->b);
    free(w->buf);
    free(w);
}

st_rc st_wr_create(st_epcis_format fmt, st_epcis_ids ids, FILE *out, st_diag *notes,
                   st_epcis_writer **pw)
{
    *pw = NULL;
    const st_wr_methods *m = fmt == ST_EPCIS_FMT_JSONLD ? &st_wr_jsonld_methods
                             : fmt == ST_EPCIS_FMT_XML2 || fmt == ST_EPCIS_FMT_XML12
                                 ? &st_wr_xml_methods
                                 : NULL;
    if (!m || (ids != ST_EPCIS_IDS_ASIS && ids != ST_EPCIS_IDS_URN && ids != ST_EPCIS_IDS_DL))
        return ST_ERR_ARG;
    st_epcis_writer *w = calloc(1, sizeof *w);
    if (!w)
        return ST_ERR_NOMEM;
    w->m = m;
    w->fmt = fmt;
    w->ids = ids;
    w->out = out;
    w->notes = notes;
    w->cur = -1;
    st_wr_now(w->now);
    w->a = st_arena_create(WRITER_ARENA_CAP);
    w->ev_a = st_arena_create(2 * ST_EPCIS_MAX_EVENT_BYTES);
    w->buf = malloc(ST_WR_BUF);
    if (!w->a || !w->ev_a || !w->buf) {
        st_wr_free(w);
        return ST_ERR_NOMEM;
    }
    *pw = w;
    return ST_OK;
}

st_rc st_wr_begin(st_epcis_writer *w)
{
    st_rc rc = w->m->open(w);
    if (rc == ST_OK && w->io_failed)
        rc = ST_ERR_IO;
    if (rc != ST_OK) {
        if (w->impl)
            w->m->finish(w);
        st_wr_free(w);
    }
    return rc;
}

st_rc st_epcis_writer_open(st_epcis_format fmt, st_epcis_ids ids, const st_epcis_doc *src,
                           FILE *out, st_diag *notes, st_epcis_writer **pw)
{
    if (!pw)
        return ST_ERR_ARG;
    *pw = NULL;
    if (!out)
        return ST_ERR_ARG;
    st_epcis_writer *w = NULL;
    st_rc rc = st_wr_create(fmt, ids, out, notes, &w);
    if (rc != ST_OK)
        return rc;
    w->src = src;
    w->hdr_open = src ? src->header : NULL;
    w->hdr_last = w->hdr_open ? w->hdr_open->last : NULL;
    if ((rc = copy_bindings(w, src)) != ST_OK) {
        st_wr_free(w);
        return rc;
    }
    if ((rc = st_wr_begin(w)) != ST_OK)
        return rc;
    *pw = w;
    return ST_OK;
}

st_rc st_epcis_writer_event(st_epcis_writer *w, const st_event *ev)
{
    if (!w || !ev || !ev->root || !ev->root->name)
        return ST_ERR_ARG;
    if (w->rc != ST_OK)
        return w->rc;
    if (w->query_name && !w->ev_own) /* no source document: the event has no bindings */
        return st_epcis_writer_event_ns(w, ev, NULL);
    w->cur = ev->index;
    st_rc rc;
    if (st_event_type_from_name(ev->root->name) == ST_EVENT_NONE || ev->root->ns) {
        st_wr_note(w, ST_ERR_UNSUPPORTED, NULL,
                   "%s is not an EPCIS event type; the event is not written", ev->root->name);
        rc = ST_OK;
    } else {
        rc = w->m->event(w, ev);
    }
    st_arena_reset(w->ev_a);
    if (rc == ST_OK && w->rc != ST_OK)
        rc = w->rc;
    if (rc == ST_OK && w->io_failed)
        rc = ST_ERR_IO;
    w->rc = rc;
    return rc;
}

st_rc st_epcis_writer_finish(st_epcis_writer *w)
{
    if (!w)
        return ST_OK;
    st_rc rc = w->m->finish(w);
    if (fflush(w->out) != 0 || ferror(w->out))
        w->io_failed = 1;
    if (w->rc != ST_OK)
        rc = w->rc;
    else if (w->io_failed)
        rc = ST_ERR_IO;
    st_wr_free(w);
    return rc;
}
