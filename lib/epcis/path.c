/*
 * Where a node of an event tree is in its document, in the document's own
 * notation (validate.h): a JSON pointer for JSON-LD, an XPath-like path for
 * XML. The tree keeps no positions, so indexes are counted among siblings:
 *  - JSON-LD: the children of a list field by their index ("/epcList/1"),
 *    nodes of an array member by theirs ("/sensorReport/2"; members that
 *    are arrays in every document always, others when repeated), keys
 *    escaped as RFC 6901 says, extension keys as written ("ex:field");
 *  - XML: element names ("prefix:local" for extensions), "[k]" (from 1)
 *    when an element has siblings of its name, attributes as "/@name".
 * The event's own place comes from the document kind and ev->index.
 */
#include <stdio.h>
#include <string.h>

#include "common/sbuf.h"
#include "epcis/validate_int.h"

#define PATH_DEPTH 96 /* levels followed from a node up to its event; deeper ones are cut */

/* Members that are JSON arrays in every EPCIS JSON-LD document: their nodes
 * always take an index, also when the array holds one element. */
static const char *const json_arrays[] = {"sensorReport", "set", "unset"};

/* Entries whose value sits in a member named like the entry (JSON-LD). */
static const char *const json_entries[] = {"bizTransaction", "source", "destination"};

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i]))
            return 1;
    return 0;
}

static int same_name(const st_evnode *a, const st_evnode *b)
{
    if ((a->ns == NULL) != (b->ns == NULL) || (a->ns && strcmp(a->ns, b->ns)))
        return 0;
    return (a->flags & ST_EVN_ATTR) == (b->flags & ST_EVN_ATTR) && !strcmp(a->name, b->name);
}

/* Index of n among the children of its parent named like it (from 0), and
 * how many such children there are. */
static void position(const st_evnode *n, size_t *pos, size_t *count)
{
    *pos = 0;
    *count = 0;
    for (const st_evnode *s = n->parent->first; s; s = s->next) {
        if (!same_name(s, n))
            continue;
        if (s == n)
            *pos = *count;
        (*count)++;
    }
}

/* Append s as one JSON pointer reference token: '~' -> "~0", '/' -> "~1". */
static void put_token(st_sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '~')
            st_sbuf_puts(b, "~0");
        else if (*s == '/')
            st_sbuf_puts(b, "~1");
        else
            st_sbuf_putc(b, *s);
    }
}

static void json_segment(st_sbuf *b, const st_evnode *n)
{
    size_t pos, count;
    position(n, &pos, &count);
    st_sbuf_putc(b, '/');
    if (n->parent->flags & ST_EVN_LIST) { /* an element of a list field's array */
        st_sbuf_printf(b, "%zu", pos);
        return;
    }
    if (n->ns && n->prefix) {
        put_token(b, n->prefix);
        st_sbuf_putc(b, ':');
        put_token(b, n->name);
    } else if (n->ns) { /* the key was the absolute IRI */
        put_token(b, n->ns);
        put_token(b, n->name);
    } else {
        put_token(b, n->name);
    }
    if (count > 1 || (!n->ns && in_list(n->name, json_arrays, 3)))
        st_sbuf_printf(b, "/%zu", pos);
}

static void xml_segment(st_sbuf *b, const st_evnode *n)
{
    st_sbuf_puts(b, n->flags & ST_EVN_ATTR ? "/@" : "/");
    if (n->ns && n->prefix && n->prefix[0])
        st_sbuf_printf(b, "%s:", n->prefix);
    st_sbuf_puts(b, n->name);
    if (n->flags & ST_EVN_ATTR)
        return;
    size_t pos, count;
    position(n, &pos, &count);
    if (count > 1)
        st_sbuf_printf(b, "[%zu]", pos + 1);
}

static int is_xml(const st_epcis_doc *doc)
{
    return doc && (doc->format == ST_EPCIS_FMT_XML2 || doc->format == ST_EPCIS_FMT_XML12);
}

/* The path of the event itself. */
static void event_path(st_sbuf *b, const st_epcis_doc *doc, const st_event *ev)
{
    int query = doc && doc->kind == ST_EPCIS_DOC_QUERY;
    if (is_xml(doc)) {
        st_sbuf_printf(b, "%s/EventList/%s[%ld]",
                       query ? "/EPCISQueryDocument/EPCISBody/QueryResults/resultsBody"
                             : "/EPCISDocument/EPCISBody",
                       ev->root && ev->root->name ? ev->root->name : "event", ev->index + 1);
    } else if (!doc || doc->kind != ST_EPCIS_DOC_EVENT) {
        st_sbuf_printf(b, "/epcisBody/%seventList/%ld", query ? "queryResults/resultsBody/" : "",
                       ev->index);
    }
}

void st_epcis_path(const st_epcis_doc *doc, const st_event *ev, const st_evnode *n, char *out,
                   size_t cap)
{
    if (!out || !cap)
        return;
    out[0] = '\0';
    if (!ev)
        return;
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    event_path(&b, doc, ev);
    const st_evnode *chain[PATH_DEPTH];
    size_t depth = 0;
    for (const st_evnode *p = n; p && p != ev->root && p->parent && depth < PATH_DEPTH;
         p = p->parent)
        chain[depth++] = p;
    while (depth--) {
        if (is_xml(doc))
            xml_segment(&b, chain[depth]);
        else
            json_segment(&b, chain[depth]);
    }
}

void st_epcis_value_path(const st_epcis_doc *doc, const st_event *ev, const st_evnode *n, char *out,
                         size_t cap)
{
    st_epcis_path(doc, ev, n, out, cap);
    if (!out || !cap || !n || is_xml(doc) || n->ns || !n->parent ||
        !(n->parent->flags & ST_EVN_LIST) || !in_list(n->name, json_entries, 3))
        return;
    size_t len = strlen(out);
    if (len + 1 + strlen(n->name) < cap)
        snprintf(out + len, cap - len, "/%s", n->name);
}
