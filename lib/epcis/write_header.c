/*
 * The document header (write_int.h): what a reader put in doc->header,
 * written where each output format keeps it, with a note for what a format
 * cannot hold. The tree is read in its source's spelling (see spell) and
 * written in the target's, in the element order of the XSDs:
 *
 *   JSON-LD                                  XML 2.0 and 1.2
 *   id                                       attribute id of the root
 *   sender, receiver, instanceIdentifier     SBDH Sender/Identifier, Receiver/
 *                                            Identifier, .../InstanceIdentifier
 *   epcisHeader."sbdh:StandardBusiness-      EPCISHeader/sbdh:StandardBusiness-
 *     DocumentHeader" (extension member)       DocumentHeader
 *   epcisHeader.epcisMasterData.vocabulary-  EPCISHeader/extension/EPCISMasterData/
 *     List[{type, vocabularyElementList[     VocabularyList/Vocabulary[@type]/...
 *     {id, attributes[{id, attribute}],      VocabularyElement[@id]/(attribute[@id]*,
 *     children[]}]}]                         children/id*)
 *   "prefix:name" document members           root attributes, or elements after EPCISBody
 *
 * The choices, and why:
 *  - an EPCISMasterDataDocument's vocabularies (and those of query results)
 *    join the header's master data in an EPCISDocument, in every format:
 *    EPCIS 2.0 keeps master data in the EPCISHeader (JSON-LD has no other
 *    place), both XSDs use the same vocabulary types, so nothing is lost, and
 *    the output validates against the XSD every conversion is checked with;
 *  - an SBDH read from XML gives JSON-LD's sender, receiver and
 *    instanceIdentifier (the EPCIS 2.0 JSON binding's fields for it) and is
 *    kept whole as an extension member, less the Identifier texts sender and
 *    receiver carry (JSON-LD has no text beside Authority); XML written from
 *    it gets them back. The three fields without SBDH make one in XML
 *    (HeaderVersion 1.0, Standard EPCglobal, TypeVersion 1.0, Type Events,
 *    CreationDateAndTime the creationDate); fewer go into <extension>, noted;
 *  - EPCIS 1.2 requires an SBDH in EPCISHeader: without one the EPCISHeader,
 *    master data included, is dropped, noted (inventing trading partners
 *    would be worse);
 *  - extension elements of EPCISHeader (2.0) and EPCISMasterData (both) have
 *    no place there: they are written after EPCISBody, noted.
 * What the XML reader adds after open (elements after EventList) is written
 * at finish where the format allows, else noted.
 */
#include "epcis/write_int.h"

#include <string.h>

#define SBDH_NS "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NOTE(h, rc, n, ...) st_wr_note((h)->w, rc, n, __VA_ARGS__)

/* The header's structures in each source spelling, [0] JSON-LD and [1] XML.
 * A list (S_VLIST, S_ELIST, S_ATTR, S_KIDS) is followed by its item: NULL
 * when each node of the list's name is an item (a JSON array), else the name
 * of the items inside a wrapper element. */
enum { S_HEADER, S_MD, S_VLIST, S_VOCAB, S_ELIST, S_ELEM, S_ATTR, S_ATTR_ITEM, S_KIDS, S_KID, S_N };
static const char *const spell[2][S_N] = {
    {"epcisHeader", "epcisMasterData", "vocabularyList", NULL, "vocabularyElementList", NULL,
     "attributes", NULL, "children", NULL},
    {"EPCISHeader", "EPCISMasterData", "VocabularyList", "Vocabulary", "VocabularyElementList",
     "VocabularyElement", "attribute", NULL, "children", "id"},
};

/* The JSON-LD fields for the SBDH and where the SBDH holds them. */
static const char *const party_names[3] = {"sender", "receiver", "instanceIdentifier"};
static const char *const party_sbdh[3][2] = {
    {"Sender", "Identifier"},
    {"Receiver", "Identifier"},
    {"DocumentIdentification", "InstanceIdentifier"},
};

/* Element order of StandardBusinessDocumentHeader.xsd (with Partner.xsd and
 * DocumentIdentification.xsd): a parent, then its children in sequence. */
static const char *const sbdh_order[][8] = {
    {"StandardBusinessDocumentHeader", "HeaderVersion", "Sender", "Receiver",
     "DocumentIdentification", "Manifest", "BusinessScope", NULL},
    {"Sender", "Identifier", "ContactInformation", NULL},
    {"Receiver", "Identifier", "ContactInformation", NULL},
    {"ContactInformation", "Contact", "EmailAddress", "FaxNumber", "TelephoneNumber",
     "ContactTypeIdentifier", NULL},
    {"DocumentIdentification", "Standard", "TypeVersion", "InstanceIdentifier", "Type",
     "MultipleType", "CreationDateAndTime", NULL},
};

/* What a child of the header node is. */
enum kind {
    K_SKIP,    /* "type": EPCISDocument / EPCISQueryDocument (the output's own) */
    K_ID,      /* the document's id */
    K_PARTY,   /* sender, receiver, instanceIdentifier */
    K_HDR,     /* EPCISHeader / epcisHeader */
    K_VOCABS,  /* vocabularies of a master-data document or of query results */
    K_QUERY,   /* queryName, subscriptionID: an EPCISDocument has none */
    K_EXT,     /* an extension (namespace) */
    K_UNKNOWN, /* no namespace, no EPCIS field */
};

/* The header of w->src, looked at once per call. */
typedef struct hd {
    st_epcis_writer *w;        /* the writer */
    int x;                     /* spelling of the source: 1 XML, 0 JSON-LD */
    const st_evnode *root;     /* src->header */
    const st_evnode *id;       /* the document's id */
    const st_evnode *party[3]; /* the fields sender, receiver, instanceIdentifier */
    const st_evnode *hdr;      /* EPCISHeader / epcisHeader */
    const st_evnode *md;       /* its EPCISMasterData / epcisMasterData */
    const st_evnode *sbdh;     /* its StandardBusinessDocumentHeader */
    const st_evnode *pn[3];    /* the SBDH's nodes for the three fields */
    const char *pv[3];         /* the three values: the field's, else the SBDH's */
    size_t nvocab;             /* vocabularies, in the header and at the top */
} hd;

typedef void (*item_fn)(hd *h, const st_evnode *item);
typedef int (*skip_fn)(const hd *h, const st_evnode *c);

static const st_evnode id_attr = {.name = "id"};     /* names of attributes written */
static const st_evnode type_attr = {.name = "type"}; /* without a node of their own */

/* ---- looking at the tree ------------------------------------------------------ */

static int is(const st_evnode *n, const char *name)
{
    return n && name && !n->ns && !strcmp(n->name, name);
}

static int is_sbdh(const st_evnode *n, const char *name)
{
    return n->ns && !strcmp(n->ns, SBDH_NS) && (!name || !strcmp(n->name, name));
}

static const st_evnode *sbdh_child(const st_evnode *n, const char *name)
{
    for (const st_evnode *c = n ? n->first : NULL; c; c = c->next)
        if (is_sbdh(c, name))
            return c;
    return NULL;
}

/* An XML attribute (a leaf flagged ATTR). */
static int attr_leaf(const st_evnode *c)
{
    return (c->flags & ST_EVN_ATTR) && !c->first && c->value;
}

static int blank(const char *s)
{
    return !s || strspn(s, " \t\r\n") == strlen(s);
}

static int same_name(const st_evnode *a, const st_evnode *b)
{
    return !strcmp(a->name, b->name) &&
           (a->ns == b->ns || (a->ns && b->ns && !strcmp(a->ns, b->ns)));
}

/* An earlier sibling of c has its namespace and name. */
static int repeated(const st_evnode *c)
{
    for (const st_evnode *s = c->parent ? c->parent->first : NULL; s && s != c; s = s->next)
        if (same_name(s, c))
            return 1;
    return 0;
}

/* The first child after what the writer saw at open. */
static const st_evnode *first_late(const st_epcis_writer *w)
{
    if (w->hdr_open)
        return w->hdr_last ? w->hdr_last->next : w->hdr_open->first;
    return w->src && w->src->header ? w->src->header->first : NULL;
}

/*
 * The items of list s (S_VLIST, S_ELIST, S_ATTR, S_KIDS) under parent,
 * each passed to fn (NULL: only counted); see spell. Anything else inside an
 * XML list wrapper (the XSDs allow nothing) is dropped with a note.
 */
static size_t each(hd *h, const st_evnode *parent, int s, item_fn fn)
{
    size_t k = 0;
    const char *item = spell[h->x][s + 1];
    for (const st_evnode *c = parent ? parent->first : NULL; c; c = c->next) {
        if (!is(c, spell[h->x][s]))
            continue;
        if (!item) {
            k++;
            if (fn)
                fn(h, c);
            continue;
        }
        for (const st_evnode *i = c->first; i; i = i->next) {
            if (is(i, item)) {
                k++;
                if (fn)
                    fn(h, i);
            } else if (fn) {
                NOTE(h, ST_ERR_UNSUPPORTED, i, "%s dropped: %s holds only %s", i->name, c->name,
                     item);
            }
        }
    }
    return k;
}

static void analyse(st_epcis_writer *w, hd *h)
{
    memset(h, 0, sizeof *h);
    h->w = w;
    h->root = w->src ? w->src->header : NULL;
    h->x = w->src_xml;
    for (const st_evnode *c = h->root ? h->root->first : NULL; c; c = c->next) {
        if (c->ns)
            continue;
        if (!h->id && !strcmp(c->name, "id") && !c->first && c->value)
            h->id = c;
        for (int i = 0; i < 3; i++)
            if (!h->party[i] && !strcmp(c->name, party_names[i]) && !c->first && c->value &&
                !(c->flags & ST_EVN_ATTR))
                h->party[i] = c;
        if (!h->hdr && is(c, spell[h->x][S_HEADER]))
            h->hdr = c;
    }
    for (const st_evnode *c = h->hdr ? h->hdr->first : NULL; c; c = c->next) {
        if (!h->md && is(c, spell[h->x][S_MD]))
            h->md = c;
        if (!h->sbdh && is_sbdh(c, "StandardBusinessDocumentHeader"))
            h->sbdh = c;
    }
    for (int i = 0; i < 3; i++) {
        h->pn[i] = sbdh_child(sbdh_child(h->sbdh, party_sbdh[i][0]), party_sbdh[i][1]);
        h->pv[i] = h->party[i]                           ? h->party[i]->value
                   : h->pn[i] && !blank(h->pn[i]->value) ? h->pn[i]->value
                                                         : NULL;
    }
    h->nvocab = each(h, h->md, S_VLIST, NULL) + each(h, h->root, S_VLIST, NULL);
}

static enum kind kind_of(const hd *h, const st_evnode *c)
{
    if (c->ns)
        return K_EXT;
    if (c == h->id)
        return K_ID;
    if (c == h->party[0] || c == h->party[1] || c == h->party[2])
        return K_PARTY;
    if (c == h->hdr)
        return K_HDR;
    if (is(c, spell[h->x][S_VLIST]))
        return K_VOCABS;
    if (!c->first && (!strcmp(c->name, "queryName") || !strcmp(c->name, "subscriptionID")))
        return K_QUERY;
    if (!strcmp(c->name, "type") && c->value &&
        (!strcmp(c->value, "EPCISDocument") || !strcmp(c->value, "EPCISQueryDocument")))
        return K_SKIP;
    return K_UNKNOWN;
}

static void note_query(hd *h, const st_evnode *c)
{
    NOTE(h, ST_ERR_UNSUPPORTED, c,
         "%s dropped: the document written is an EPCISDocument, which has no %s (the source "
         "is a query document)",
         c->name, c->name);
}

static void note_late(hd *h, const st_evnode *c)
{
    NOTE(h, ST_ERR_UNSUPPORTED, c,
         "%s dropped: it came after the events, when the head of the document was written",
         c->name);
}

/* The value of n as w writes it: an identifier (ident) converted as w->ids
 * asks; in XML from JSON-LD a CURIE of the source's @context expanded (n is
 * an @id or @type there). */
static const char *val(st_epcis_writer *w, const st_evnode *n, int ident)
{
    const char *v = n ? n->value : NULL;
    if (!v)
        return NULL;
    if (ident)
        v = st_wr_convert_id(w, n, v);
    if (w->fmt != ST_EPCIS_FMT_JSONLD && v == n->value)
        v = st_wr_expand_curie(w, v);
    return v;
}

/* Which children the writers of each structure handle themselves. */
static int skip_doc(const hd *h, const st_evnode *c)
{
    enum kind k = kind_of(h, c);
    return k != K_EXT && k != K_UNKNOWN;
}

static int skip_hdr(const hd *h, const st_evnode *c)
{
    return c == h->md || c == h->sbdh;
}

static int skip_md(const hd *h, const st_evnode *c)
{
    return is(c, spell[h->x][S_VLIST]);
}

static int skip_vocab(const hd *h, const st_evnode *c)
{
    return is(c, "type") || is(c, spell[h->x][S_ELIST]);
}

static int skip_elem(const hd *h, const st_evnode *c)
{
    return is(c, "id") || is(c, spell[h->x][S_ATTR]) || is(c, spell[h->x][S_KIDS]);
}

static int skip_id(const hd *h, const st_evnode *c)
{
    return is(c, "id");
}

static int skip_attrs(const hd *h, const st_evnode *c)
{
    return attr_leaf(c);
}

static int skip_not_attrs(const hd *h, const st_evnode *c)
{
    return is(c, "id") || !attr_leaf(c);
}

/* ---- JSON-LD -------------------------------------------------------------------- */

#define J(w) st_wr_jl_jw(w)

/* The children of n that skip leaves, as members grouped as extension
 * content (a name met again becomes an array), each value written by value
 * (NULL: as extension content). closed: the GS1 JSON Schema allows only its
 * own names and URIs here (the document, epcisHeader), so a member without
 * namespace is noted. */
static void j_members(hd *h, const st_evnode *n, skip_fn skip, int closed, item_fn value)
{
    st_epcis_writer *w = h->w;
    st_wr_group *g = NULL;
    size_t ng = st_wr_jl_groups(w, n, &g);
    for (size_t i = 0; i < ng; i++) {
        const st_evnode *c = g[i].m[0];
        if (skip && skip(h, c))
            continue;
        if (closed && !c->ns)
            NOTE(h, ST_ERR_SYNTAX, c,
                 "%s is no EPCIS header field and has no namespace: written as it is, which "
                 "the GS1 JSON Schema does not allow",
                 c->name);
        st_jw_key(J(w), st_wr_jl_key(w, c));
        if (g[i].n > 1)
            st_jw_array_begin(J(w));
        for (size_t k = 0; k < g[i].n; k++) {
            if (value)
                value(h, g[i].m[k]);
            else
                st_wr_jl_value(w, g[i].m[k]);
        }
        if (g[i].n > 1)
            st_jw_array_end(J(w));
    }
}

/* The SBDH (or a part of it) as extension content. An element with
 * attributes is an object, whose text JSON-LD cannot hold (noted), except
 * the first Sender's and Receiver's Identifier text: sender and receiver
 * carry it. */
static void j_sbdh(hd *h, const st_evnode *n)
{
    if (!n->first) {
        st_wr_jl_value(h->w, n);
        return;
    }
    int carried = 0;
    for (int i = 0; i < 2; i++)
        carried |= n == h->pn[i] && h->pv[i] && n->value && !strcmp(n->value, h->pv[i]);
    if (!carried && !blank(n->value))
        NOTE(h, ST_ERR_UNSUPPORTED, n,
             "the text \"%s\" beside the fields of %s is dropped: JSON-LD has no place for it",
             n->value, n->name);
    st_jw_object_begin(J(h->w));
    j_members(h, n, NULL, 0, j_sbdh);
    st_jw_object_end(J(h->w));
}

/* An attribute: {"id", "attribute", other members}. Read from XML, the
 * element's child elements (else its text) are the value and its other
 * attributes the other members; read from JSON-LD, as it was. */
static void j_attr(hd *h, const st_evnode *a)
{
    st_epcis_writer *w = h->w;
    st_jw *j = J(w);
    st_jw_object_begin(j);
    st_jw_member_str(j, "id", val(w, st_evnode_child(a, "id"), 0));
    if (!h->x) {
        j_members(h, a, skip_id, 0, NULL);
        st_jw_object_end(j);
        return;
    }
    int elems = 0;
    for (const st_evnode *c = a->first; c; c = c->next)
        elems |= !attr_leaf(c);
    if (elems) {
        if (!blank(a->value))
            NOTE(h, ST_ERR_UNSUPPORTED, a,
                 "the text \"%s\" beside the elements of an attribute's value is dropped: "
                 "JSON-LD has no place for it",
                 a->value);
        st_jw_key(j, "attribute");
        st_jw_object_begin(j);
        j_members(h, a, skip_attrs, 0, NULL);
        st_jw_object_end(j);
    } else {
        st_jw_member_str(j, "attribute", a->value);
    }
    j_members(h, a, skip_not_attrs, 0, NULL);
    st_jw_object_end(j);
}

/* The member key: [...] with fn's output for each of parent's items of kind
 * s, when it has any (nothing otherwise). */
static void j_list(hd *h, const st_evnode *parent, int s, const char *key, item_fn fn)
{
    if (!each(h, parent, s, NULL))
        return;
    st_jw *j = J(h->w);
    st_jw_key(j, key);
    st_jw_array_begin(j);
    each(h, parent, s, fn);
    st_jw_array_end(j);
}

static void j_child(hd *h, const st_evnode *c)
{
    const char *v = val(h->w, c, 1);
    st_jw_cstring(J(h->w), v ? v : "");
}

/* A vocabulary element; the output gets what is built so far, and the
 * scratch goes, after each one (master data can be large). */
static void j_elem(hd *h, const st_evnode *e)
{
    st_epcis_writer *w = h->w;
    st_jw *j = J(w);
    st_jw_object_begin(j);
    st_jw_member_str(j, "id", val(w, st_evnode_child(e, "id"), 1));
    j_list(h, e, S_ATTR, "attributes", j_attr);
    j_list(h, e, S_KIDS, "children", j_child);
    j_members(h, e, skip_elem, 0, NULL);
    st_jw_object_end(j);
    st_wr_jl_flush(w);
    st_wr_scratch_reset(w);
}

static void j_vocab(hd *h, const st_evnode *v)
{
    st_epcis_writer *w = h->w;
    st_jw *j = J(w);
    st_jw_object_begin(j);
    st_jw_member_str(j, "type", val(w, st_evnode_child(v, "type"), 0));
    j_list(h, v, S_ELIST, "vocabularyElementList", j_elem);
    j_members(h, v, skip_vocab, 0, NULL);
    st_jw_object_end(j);
}

void st_wr_hdr_jsonld_head(st_epcis_writer *w)
{
    hd h;
    analyse(w, &h);
    if (!h.root)
        return;
    st_jw *j = J(w);
    st_jw_member_str(j, "id", h.id ? h.id->value : NULL);
    for (int i = 0; i < 3; i++)
        st_jw_member_str(j, party_names[i], h.pv[i]);
    if (h.hdr || h.nvocab) {
        st_jw_key(j, "epcisHeader");
        st_jw_object_begin(j);
        if (h.sbdh) {
            st_jw_key(j, st_wr_jl_key(w, h.sbdh));
            j_sbdh(&h, h.sbdh);
        }
        if (h.md || h.nvocab) {
            st_jw_key(j, "epcisMasterData");
            st_jw_object_begin(j);
            st_jw_key(j, "vocabularyList");
            st_jw_array_begin(j);
            each(&h, h.md, S_VLIST, j_vocab);
            each(&h, h.root, S_VLIST, j_vocab);
            st_jw_array_end(j);
            if (h.md)
                j_members(&h, h.md, skip_md, 0, NULL);
            st_jw_object_end(j);
        }
        if (h.hdr)
            j_members(&h, h.hdr, skip_hdr, 1, NULL);
        st_jw_object_end(j);
    }
    j_members(&h, h.root, skip_doc, 1, NULL);
    for (const st_evnode *c = h.root->first; c; c = c->next)
        if (kind_of(&h, c) == K_QUERY)
            note_query(&h, c);
}

void st_wr_hdr_jsonld_tail(st_epcis_writer *w)
{
    hd h;
    analyse(w, &h);
    long cur = w->cur;
    w->cur = -1;
    const st_evnode *late = first_late(w);
    for (const st_evnode *c = late; c && w->rc == ST_OK; c = c->next) {
        enum kind k = kind_of(&h, c);
        int before = 0, again = 0, past = 0; /* its name met before the events, or after */
        for (const st_evnode *s = h.root->first; s != c; s = s->next) {
            past |= s == late;
            again |= past && same_name(s, c);
            before |= !past && same_name(s, c);
        }
        if (k == K_QUERY)
            note_query(&h, c);
        else if (k == K_HDR || k == K_VOCABS)
            note_late(&h, c);
        else if (k == K_SKIP || again)
            continue; /* again: written with the first of its name */
        else if (before || !st_wr_jl_bound(w, c))
            NOTE(&h, ST_ERR_UNSUPPORTED, c, "%s dropped: it came after the events, and %s", c->name,
                 before ? "a JSON object cannot repeat the member written before them"
                        : "its namespace has no prefix in the document's @context, written "
                          "before them");
        else {
            if (k == K_UNKNOWN)
                NOTE(&h, ST_ERR_SYNTAX, c,
                     "%s is no EPCIS header field and has no namespace: written as it is, "
                     "which the GS1 JSON Schema does not allow",
                     c->name);
            size_t n = 0;
            for (const st_evnode *s = c; s; s = s->next)
                n += same_name(s, c);
            st_jw_key(J(w), st_wr_jl_key(w, c));
            if (n > 1)
                st_jw_array_begin(J(w));
            for (const st_evnode *s = c; s; s = s->next)
                if (same_name(s, c))
                    st_wr_jl_value(w, s);
            if (n > 1)
                st_jw_array_end(J(w));
        }
    }
    w->cur = cur;
}

/* ---- XML -------------------------------------------------------------------------- */

/* The attributes read from XML among n's children that skip (may be NULL)
 * leaves, on the element just opened; a name met again is noted. */
static void x_attrs(hd *h, const st_evnode *n, skip_fn skip)
{
    for (const st_evnode *c = n->first; c; c = c->next) {
        if (!attr_leaf(c) || (skip && skip(h, c)))
            continue;
        if (repeated(c))
            NOTE(h, ST_ERR_UNSUPPORTED, c, "%s dropped: an XML element has each attribute once",
                 c->name);
        else
            st_wr_xml_attr(h->w, c, c->value);
    }
}

/* The children of n without namespace that skip leaves, in an <extension>
 * element (whose content the XSDs leave to ##local), then, when ns, its
 * extension elements (##other). */
static void x_rest(hd *h, const st_evnode *n, skip_fn skip, int ns)
{
    int opened = 0;
    for (const st_evnode *c = n->first; c; c = c->next) {
        if (c->ns || attr_leaf(c) || skip(h, c))
            continue;
        if (!opened++)
            st_wr_xml_start(h->w, "extension");
        st_wr_xml_tree(h->w, c);
    }
    if (opened)
        st_wr_xml_end(h->w);
    for (const st_evnode *c = n->first; ns && c; c = c->next)
        if (c->ns && !attr_leaf(c))
            st_wr_xml_tree(h->w, c);
}

/* A child of an SBDH element that is an attribute: the SBDH XSD qualifies
 * every element and no attribute (Authority), so a scalar without namespace
 * is one also when read from JSON-LD, which has no attributes. */
static int sbdh_attr(const st_evnode *c)
{
    return !c->ns && !c->first && c->value;
}

/* The SBDH element n in the order of the SBDH XSD; the first Sender's and
 * Receiver's Identifier and the InstanceIdentifier get the value of sender,
 * receiver and instanceIdentifier when they have no text of their own. */
static void x_sbdh(hd *h, const st_evnode *n)
{
    st_epcis_writer *w = h->w;
    if (!st_wr_xml_open(w, n))
        return;
    for (const st_evnode *c = n->first; c; c = c->next)
        if (sbdh_attr(c) && !st_wr_xml_is_attr(n, c) && !repeated(c))
            st_wr_xml_attr(w, c, c->value);
    const char *v = n->value;
    for (int i = 0; i < 3; i++)
        if (n == h->pn[i] && blank(v) && h->pv[i])
            v = h->pv[i];
    st_wr_xml_text(w, v);
    const char *const *order = NULL;
    for (size_t k = 0; k < COUNT(sbdh_order) && is_sbdh(n, NULL); k++)
        if (!strcmp(n->name, sbdh_order[k][0]))
            order = sbdh_order[k] + 1;
    for (const char *const *o = order; o && *o; o++)
        for (const st_evnode *c = n->first; c; c = c->next)
            if (is_sbdh(c, *o))
                x_sbdh(h, c);
    for (const st_evnode *c = n->first; c; c = c->next) {
        int known = 0;
        for (const char *const *o = order; o && *o && !known; o++)
            known = is_sbdh(c, *o);
        if (known || sbdh_attr(c))
            continue;
        if (is_sbdh(c, NULL))
            x_sbdh(h, c);
        else
            st_wr_xml_tree(w, c);
    }
    st_wr_xml_end(w);
}

/* A node of the SBDH made for sender, receiver and instanceIdentifier. */
static st_evnode *sbdh_node(hd *h, st_evnode *parent, const char *name, const char *v)
{
    st_evnode *n = h->w->rc == ST_OK
                       ? st_evnode_add(h->w->ev_a, parent, SBDH_NS, name, v, v ? strlen(v) : 0, 0)
                       : NULL;
    if (n)
        n->prefix = "sbdh";
    else
        h->w->rc = ST_ERR_NOMEM;
    return n;
}

/* The SBDH for a source that has sender, receiver and instanceIdentifier but
 * none: what the EPCIS XML binding's SBDH needs, around those three. */
static void x_make_sbdh(hd *h)
{
    st_evnode *r = sbdh_node(h, NULL, "StandardBusinessDocumentHeader", NULL);
    if (!r)
        return;
    sbdh_node(h, r, "HeaderVersion", "1.0");
    st_evnode *s = sbdh_node(h, r, "Sender", NULL);
    st_evnode *rc = s ? sbdh_node(h, r, "Receiver", NULL) : NULL;
    st_evnode *d = rc ? sbdh_node(h, r, "DocumentIdentification", NULL) : NULL;
    if (!d)
        return;
    sbdh_node(h, s, "Identifier", h->pv[0]);
    sbdh_node(h, rc, "Identifier", h->pv[1]);
    sbdh_node(h, d, "Standard", "EPCglobal");
    sbdh_node(h, d, "TypeVersion", "1.0");
    sbdh_node(h, d, "InstanceIdentifier", h->pv[2]);
    sbdh_node(h, d, "Type", "Events");
    sbdh_node(h, d, "CreationDateAndTime", h->w->now);
    if (h->w->rc == ST_OK)
        x_sbdh(h, r);
}

/* One <attribute>. Read from XML: as it was. Read from JSON-LD: one element
 * per value of "attribute" (a structure's members become its child
 * elements), the other scalar members its attributes. */
static void x_attr(hd *h, const st_evnode *a)
{
    st_epcis_writer *w = h->w;
    size_t nv = st_evnode_count(a, "attribute"), i = 0;
    const st_evnode *v = st_evnode_child(a, "attribute");
    do {
        const char *id = val(w, st_evnode_child(a, "id"), 0); /* in w->buf, maybe: each time */
        st_wr_xml_start(w, "attribute");
        if (id)
            st_wr_xml_attr(w, &id_attr, id);
        if (h->x) {
            x_attrs(h, a, skip_id);
            st_wr_xml_text(w, a->value);
            for (const st_evnode *c = a->first; c; c = c->next)
                if (!attr_leaf(c))
                    st_wr_xml_tree(w, c);
            st_wr_xml_end(w);
            return;
        }
        for (const st_evnode *c = a->first; c; c = c->next) {
            if (is(c, "id") || is(c, "attribute"))
                continue;
            if (!c->first && c->value && !repeated(c))
                st_wr_xml_attr(w, c, c->value);
            else if (!i)
                NOTE(h, ST_ERR_UNSUPPORTED, c,
                     "%s dropped: an <attribute> element holds its value and attributes, not "
                     "a structure or a repeated name beside them",
                     c->name);
        }
        if (v && v->first)
            for (const st_evnode *c = v->first; c; c = c->next)
                st_wr_xml_tree(w, c);
        else if (v)
            st_wr_xml_text(w, v->value);
        st_wr_xml_end(w);
        while (v && (v = v->next) && !is(v, "attribute"))
            ;
    } while (++i < nv);
}

static void x_child(hd *h, const st_evnode *c)
{
    st_wr_xml_start(h->w, "id");
    st_wr_xml_text(h->w, val(h->w, c, 1));
    st_wr_xml_end(h->w);
}

/* The element <tag> with fn's output for each of parent's items of kind s,
 * when it has any (nothing otherwise). */
static void x_list(hd *h, const st_evnode *parent, int s, const char *tag, item_fn fn)
{
    if (!each(h, parent, s, NULL))
        return;
    st_wr_xml_start(h->w, tag);
    each(h, parent, s, fn);
    st_wr_xml_end(h->w);
}

/* A VocabularyElement, in XSD order; the scratch goes after each one. */
static void x_elem(hd *h, const st_evnode *e)
{
    st_epcis_writer *w = h->w;
    st_wr_xml_start(w, "VocabularyElement");
    const char *id = val(w, st_evnode_child(e, "id"), 1);
    if (id)
        st_wr_xml_attr(w, &id_attr, id);
    x_attrs(h, e, skip_elem);
    each(h, e, S_ATTR, x_attr);
    x_list(h, e, S_KIDS, "children", x_child);
    x_rest(h, e, skip_elem, 1);
    st_wr_xml_end(w);
    st_wr_scratch_reset(w);
}

static void x_vocab(hd *h, const st_evnode *v)
{
    st_epcis_writer *w = h->w;
    st_wr_xml_start(w, "Vocabulary");
    const char *type = val(w, st_evnode_child(v, "type"), 0);
    if (type)
        st_wr_xml_attr(w, &type_attr, type);
    x_attrs(h, v, skip_vocab);
    x_list(h, v, S_ELIST, "VocabularyElementList", x_elem);
    x_rest(h, v, skip_vocab, 1);
    st_wr_xml_end(w);
}

/* Whether n has a child that x_rest writes in <extension> (ext) or an
 * extension element (!ext); attributes are not counted. */
static int has_rest(const hd *h, const st_evnode *n, skip_fn skip, int ext)
{
    for (const st_evnode *c = n ? n->first : NULL; c; c = c->next)
        if (!attr_leaf(c) && !skip(h, c) && (c->ns == NULL) == ext)
            return 1;
    return 0;
}

void st_wr_hdr_xml_head(st_epcis_writer *w)
{
    hd h;
    analyse(w, &h);
    int v12 = w->fmt == ST_EPCIS_FMT_XML12;
    w->hdr_placed = !v12;
    if (!h.root)
        return;
    if (h.id) /* the root's attributes first */
        st_wr_xml_attr(w, &id_attr, h.id->value);
    x_attrs(&h, h.root, skip_doc);
    for (const st_evnode *c = h.root->first; c; c = c->next)
        if (kind_of(&h, c) == K_QUERY)
            note_query(&h, c);
    for (int i = 0; i < 3 && h.sbdh; i++)
        if (h.party[i] &&
            (!h.pn[i] || (!blank(h.pn[i]->value) && strcmp(h.pn[i]->value, h.party[i]->value))))
            NOTE(&h, ST_ERR_UNSUPPORTED, h.party[i],
                 "%s \"%s\" dropped: the StandardBusinessDocumentHeader, which is written, "
                 "says otherwise",
                 party_names[i], h.party[i]->value);
    int make = !h.sbdh && h.party[0] && h.party[1] && h.party[2];
    int md = h.md || h.nvocab;
    int ext = md || has_rest(&h, h.hdr, skip_hdr, 1);
    int attrs = 0, ns12 = v12 && has_rest(&h, h.hdr, skip_hdr, 0);
    for (const st_evnode *c = h.hdr ? h.hdr->first : NULL; c; c = c->next)
        attrs |= attr_leaf(c);
    if (!h.sbdh && !make && !ext && !attrs && !ns12)
        return; /* nothing for an EPCISHeader */
    if (v12 && !h.sbdh && !make) {
        NOTE(&h, ST_ERR_UNSUPPORTED, h.hdr,
             "EPCISHeader dropped%s: EPCIS 1.2 requires a StandardBusinessDocumentHeader in it, "
             "and the source has none (nor sender, receiver and instanceIdentifier to make one)",
             md ? ", with its master data" : "");
        return;
    }
    w->hdr_placed = 1;
    w->hdr_sbdh = 1;
    st_wr_xml_start(w, "EPCISHeader");
    if (h.hdr)
        x_attrs(&h, h.hdr, NULL);
    if (h.sbdh)
        x_sbdh(&h, h.sbdh);
    else if (make)
        x_make_sbdh(&h);
    else
        w->hdr_sbdh = 0;
    if (ext) {
        st_wr_xml_start(w, "extension");
        if (md) {
            st_wr_xml_start(w, "EPCISMasterData");
            st_wr_xml_start(w, "VocabularyList");
            each(&h, h.md, S_VLIST, x_vocab);
            each(&h, h.root, S_VLIST, x_vocab);
            st_wr_xml_end(w);
            if (h.md)
                x_rest(&h, h.md, skip_md, 0);
            st_wr_xml_end(w);
        }
        if (h.hdr)
            x_rest(&h, h.hdr, skip_hdr, 0);
        st_wr_xml_end(w);
    }
    for (const st_evnode *c = h.hdr && v12 ? h.hdr->first : NULL; c; c = c->next)
        if (c->ns && c != h.sbdh && !attr_leaf(c))
            st_wr_xml_tree(w, c);
    st_wr_xml_end(w);
}

/* Extension element c of a header structure that has no place for it,
 * written after EPCISBody instead. */
static void x_moved(hd *h, const st_evnode *c, const char *where)
{
    NOTE(h, ST_ERR_SYNTAX, c,
         "%s is written after EPCISBody, as an extension of the document: %s has no place for "
         "extension elements",
         c->name, where);
    st_wr_xml_tree(h->w, c);
}

void st_wr_hdr_xml_tail(st_epcis_writer *w)
{
    hd h;
    analyse(w, &h);
    if (!h.root)
        return;
    long cur = w->cur;
    w->cur = -1;
    int opened = 0;
    for (const st_evnode *c = h.root->first; c; c = c->next) {
        enum kind k = kind_of(&h, c);
        if (!(k == K_UNKNOWN && !attr_leaf(c)) && !(k == K_PARTY && !w->hdr_sbdh))
            continue;
        if (k == K_PARTY)
            NOTE(&h, ST_ERR_SYNTAX, c,
                 "%s is written in the document's <extension>: a StandardBusinessDocumentHeader "
                 "needs sender, receiver and instanceIdentifier, and the source has not all "
                 "three",
                 c->name);
        if (!opened++)
            st_wr_xml_start(w, "extension");
        st_wr_xml_tree(w, c);
    }
    if (opened)
        st_wr_xml_end(w);
    for (const st_evnode *c = h.root->first; c; c = c->next)
        if (c->ns && !attr_leaf(c))
            st_wr_xml_tree(w, c);
    for (const st_evnode *c = h.hdr && w->fmt == ST_EPCIS_FMT_XML2 ? h.hdr->first : NULL; c;
         c = c->next)
        if (c->ns && c != h.sbdh && !attr_leaf(c))
            x_moved(&h, c, "EPCIS 2.0's EPCISHeader");
    for (const st_evnode *c = h.md && w->hdr_placed ? h.md->first : NULL; c; c = c->next)
        if (c->ns && !attr_leaf(c))
            x_moved(&h, c, "EPCISMasterData");
    for (const st_evnode *c = first_late(w); c; c = c->next) {
        enum kind k = kind_of(&h, c);
        if (k == K_QUERY)
            note_query(&h, c);
        else if (k == K_ID || k == K_HDR || k == K_VOCABS || (k == K_PARTY && w->hdr_sbdh) ||
                 ((k == K_EXT || k == K_UNKNOWN) && attr_leaf(c)))
            note_late(&h, c);
    }
    w->cur = cur;
}
