/*
 * Round trips of the document header (lib/epcis/write_header.c): a header
 * written in any format and read back is the source's header, compared
 * through st_evdump once canon() has normalised what legitimately differs
 * between formats (listed there), every event keeps its hash ID, and what is
 * written passes the GS1 XSDs (xmllint) and the GS1 JSON Schema (node, ajv)
 * when those are installed; each output is converted once more into every
 * format. Hand-written headers that use every part the schemas allow, and,
 * with ST_SHARED_DIR, the GS1 examples that have a header (with the notes
 * each one must get). write_header_test.c checks the exact output.
 *
 * Documents use single-quoted attributes for legibility. SOURCE_DATE_EPOCH
 * is set so that creationDate is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/tree_dump.h"
#include "epcis/write.h"
#include "epcis/xml.h"
#include "unit/test_util.h"
#include "epcis_test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define SBDH_NS "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

/* ---- canon: what legitimately differs, normalised away ------------------------- */

/*
 * The header of doc in one form whatever the format it was read from:
 *  - spelling: XML's EPCISHeader/EPCISMasterData/VocabularyList/Vocabulary/
 *    VocabularyElementList/VocabularyElement/attribute/children/id and
 *    JSON-LD's epcisHeader/epcisMasterData/vocabularyList/vocabularyElement-
 *    List/attributes/children (wrappers in XML, arrays in JSON-LD) become
 *    vocab/element/attribute (id, value)/child;
 *  - flags: XML attributes are JSON-LD members, XML text has no number or
 *    boolean type, so flags are dropped (prefixes are not dumped: ex becomes
 *    ex-ns in JSON-LD);
 *  - order among different names (JSON-LD members have none): children are
 *    sorted by namespace and name, those of one name keeping their order;
 *  - sender, receiver, instanceIdentifier: JSON-LD's fields, else the SBDH's
 *    first Sender/Identifier, Receiver/Identifier and InstanceIdentifier. The
 *    SBDH itself is compared when the source had one (keep_sbdh; one written
 *    for JSON-LD fields adds fixed fields), with those texts, which JSON-LD
 *    keeps in the fields, filled in;
 *  - where extension content sits: EPCIS 2.0 XML moves that of EPCISHeader
 *    and EPCISMasterData after EPCISBody, so the document's, the header's and
 *    the master data's extension content is compared as one set;
 *  - type, queryName, subscriptionID: an EPCISDocument written has no use for
 *    them (the last two are noted).
 * no_hdr: leave out what only the EPCISHeader holds (master data and the
 * header's extension content): XML 1.2 cannot hold one without an SBDH.
 */
typedef struct cn {
    st_arena *a; /* where the form is built */
    int x;       /* read from XML */
} cn;

static int named(const st_evnode *n, const char *name)
{
    return n && !n->ns && !strcmp(n->name, name);
}

static st_evnode *add(st_arena *a, st_evnode *p, const char *ns, const char *name, const char *v)
{
    st_evnode *n = st_evnode_add(a, p, ns, name, v, v ? strlen(v) : 0, 0);
    assert_non_null(n);
    return n;
}

static st_evnode *copy(st_arena *a, st_evnode *p, const st_evnode *n)
{
    st_evnode *c = add(a, p, n->ns, n->name, n->value);
    for (const st_evnode *k = n->first; k; k = k->next)
        copy(a, c, k);
    return c;
}

static void c_attr(cn *c, st_evnode *el, const st_evnode *a)
{
    st_evnode *o = add(c->a, el, NULL, "attribute", NULL);
    for (const st_evnode *k = a->first; k; k = k->next) {
        if (named(k, "id")) {
            add(c->a, o, NULL, "id", k->value);
        } else if (!c->x && named(k, "attribute")) {
            st_evnode *v = add(c->a, o, NULL, "value", k->value);
            for (const st_evnode *kk = k->first; kk; kk = kk->next)
                copy(c->a, v, kk);
        } else if (!c->x || (k->flags & ST_EVN_ATTR)) {
            copy(c->a, o, k);
        }
    }
    if (!c->x)
        return;
    int elems = 0;
    for (const st_evnode *k = a->first; k; k = k->next)
        elems |= !(k->flags & ST_EVN_ATTR);
    st_evnode *v = elems || a->value ? add(c->a, o, NULL, "value", elems ? NULL : a->value) : NULL;
    for (const st_evnode *k = a->first; k && elems; k = k->next)
        if (!(k->flags & ST_EVN_ATTR))
            copy(c->a, v, k);
}

static void c_elem(cn *c, st_evnode *vo, const st_evnode *e)
{
    st_evnode *o = add(c->a, vo, NULL, "element", NULL);
    for (const st_evnode *k = e->first; k; k = k->next) {
        if (named(k, "id"))
            add(c->a, o, NULL, "id", k->value);
        else if (named(k, c->x ? "attribute" : "attributes"))
            c_attr(c, o, k);
        else if (named(k, "children") && c->x)
            for (const st_evnode *kk = k->first; kk; kk = kk->next)
                add(c->a, o, NULL, "child", kk->value);
        else if (named(k, "children"))
            add(c->a, o, NULL, "child", k->value);
        else
            copy(c->a, o, k);
    }
}

static void c_vocab(cn *c, st_evnode *out, const st_evnode *v)
{
    st_evnode *o = add(c->a, out, NULL, "vocab", NULL);
    for (const st_evnode *k = v->first; k; k = k->next) {
        if (named(k, "type"))
            add(c->a, o, NULL, "type", k->value);
        else if (named(k, c->x ? "VocabularyElementList" : "vocabularyElementList") && c->x)
            for (const st_evnode *kk = k->first; kk; kk = kk->next)
                c_elem(c, o, kk);
        else if (named(k, "vocabularyElementList"))
            c_elem(c, o, k);
        else
            copy(c->a, o, k);
    }
}

static int is_vlist(const cn *c, const st_evnode *k)
{
    return named(k, c->x ? "VocabularyList" : "vocabularyList");
}

static void c_vocabs(cn *c, st_evnode *out, const st_evnode *parent)
{
    for (const st_evnode *k = parent ? parent->first : NULL; k; k = k->next) {
        if (!is_vlist(c, k))
            continue;
        if (!c->x)
            c_vocab(c, out, k);
        for (const st_evnode *kk = c->x ? k->first : NULL; kk; kk = kk->next)
            c_vocab(c, out, kk);
    }
}

static int by_name(const void *x, const void *y)
{
    const st_evnode *const *a = x, *const *b = y;
    int r = strcmp((*a)->ns ? (*a)->ns : "", (*b)->ns ? (*b)->ns : "");
    if (!r)
        r = strcmp((*a)->name, (*b)->name);
    return r ? r : *a < *b ? -1 : *a > *b; /* nodes are allocated in order */
}

static void sort_tree(st_evnode *n)
{
    size_t k = st_evnode_count(n, NULL), i = 0;
    if (!k)
        return;
    st_evnode **v = malloc(k * sizeof *v);
    assert_non_null(v);
    for (st_evnode *c = n->first; c; c = c->next)
        v[i++] = c;
    qsort(v, k, sizeof *v, by_name);
    n->first = v[0];
    for (i = 0; i < k; i++) {
        v[i]->next = i + 1 < k ? v[i + 1] : NULL;
        sort_tree(v[i]);
    }
    n->last = v[k - 1];
    free(v);
}

static const st_evnode *sbdh_child(const st_evnode *n, const char *name)
{
    for (const st_evnode *c = n ? n->first : NULL; c; c = c->next)
        if (c->ns && !strcmp(c->ns, SBDH_NS) && !strcmp(c->name, name))
            return c;
    return NULL;
}

static const char *const party_names[3] = {"sender", "receiver", "instanceIdentifier"};
static const char *const party_path[3][2] = {
    {"Sender", "Identifier"},
    {"Receiver", "Identifier"},
    {"DocumentIdentification", "InstanceIdentifier"},
};

static char *canon(st_arena *a, const st_epcis_doc *doc, int keep_sbdh, int no_hdr)
{
    cn c = {a, doc->format != ST_EPCIS_FMT_JSONLD};
    st_evnode *out = add(a, NULL, NULL, "header", NULL);
    const st_evnode *h = doc->header, *hdr = NULL, *md = NULL, *sbdh = NULL;
    const char *party[3] = {NULL, NULL, NULL};
    for (const st_evnode *k = h ? h->first : NULL; k; k = k->next) {
        int p = -1;
        for (int i = 0; i < 3; i++)
            if (named(k, party_names[i]))
                p = i;
        if (p >= 0)
            party[p] = k->value;
        else if (named(k, c.x ? "EPCISHeader" : "epcisHeader"))
            hdr = k;
        else if (!is_vlist(&c, k) && !named(k, "type") && !named(k, "queryName") &&
                 !named(k, "subscriptionID"))
            copy(a, out, k);
    }
    for (const st_evnode *k = hdr ? hdr->first : NULL; k; k = k->next) {
        if (k->ns && !strcmp(k->ns, SBDH_NS) && !strcmp(k->name, "StandardBusinessDocumentHeader"))
            sbdh = k;
        else if (named(k, c.x ? "EPCISMasterData" : "epcisMasterData"))
            md = k;
        else if (!no_hdr)
            copy(a, out, k);
    }
    if (!no_hdr) {
        c_vocabs(&c, out, md);
        c_vocabs(&c, out, h);
        for (const st_evnode *k = md ? md->first : NULL; k; k = k->next)
            if (!is_vlist(&c, k))
                copy(a, out, k);
    }
    for (int i = 0; i < 3; i++) {
        const st_evnode *s = sbdh_child(sbdh_child(sbdh, party_path[i][0]), party_path[i][1]);
        if (!party[i] && s)
            party[i] = s->value;
        if (party[i])
            add(a, out, NULL, party_names[i], party[i]);
    }
    if (keep_sbdh && sbdh) {
        st_evnode *s = copy(a, out, sbdh);
        for (int i = 0; i < 3; i++) {
            st_evnode *id =
                (st_evnode *)sbdh_child(sbdh_child(s, party_path[i][0]), party_path[i][1]);
            if (id && !id->value)
                id->value = party[i];
        }
    }
    sort_tree(out);
    char *d = st_evdump(a, out, 0);
    assert_non_null(d);
    return d;
}

/* Whether doc's header holds an SBDH. */
static int has_sbdh(const st_epcis_doc *doc)
{
    int x = doc->format != ST_EPCIS_FMT_JSONLD;
    const st_evnode *hdr = st_evnode_child(doc->header, x ? "EPCISHeader" : "epcisHeader");
    return sbdh_child(hdr, "StandardBusinessDocumentHeader") != NULL;
}

/* Read c->out back: the header must be c->doc's (canon; no_hdr as there)
 * and every event its hash ID, but those that the notes say lost a field or
 * were left out (XML 1.2 has no sensor data, no AssociationEvent, ...). */
static void assert_round_trip(conv *c, int no_hdr, const char *what)
{
    st_epcis_doc back;
    st_diag diag;
    st_rc rc = read_doc(&back, c->a, &diag, c->out, c->n);
    if (rc != ST_OK || diag.n)
        fail_msg("%s: the output does not read back: rc %d: %s %s", what, rc,
                 diag.n ? diag.items[0].path : "", diag.n ? diag.items[0].msg : "");
    int keep = has_sbdh(&c->doc);
    char *want = canon(c->a, &c->doc, keep, no_hdr), *got = canon(c->a, &back, keep, 0);
    if (strcmp(want, got)) {
        print_message("%s: the header read back differs\n--- source:\n%s--- read back:\n%s", what,
                      want, got);
        assert_same_text(got, want);
    }
    size_t j = 0; /* events the target cannot hold, or whose fields it dropped, are noted */
    for (size_t i = 0; i < c->doc.n_kept; i++) {
        int gone = 0, dropped = 0;
        for (size_t k = 0; k < c->notes.n; k++)
            if (c->notes.items[k].event == c->doc.kept[i]->index) {
                gone |= strstr(c->notes.items[k].msg, "event is not written") != NULL;
                dropped |= strstr(c->notes.items[k].msg, "dropped") != NULL;
            }
        if (gone)
            continue;
        assert_true(j < back.n_kept);
        const st_event *e2 = back.kept[j++];
        char h1[ST_HASHID_LEN + 1], h2[ST_HASHID_LEN + 1];
        assert_int_equal(st_hashid_compute(c->doc.kept[i], st_hashid_bindings(&c->doc), h1), ST_OK);
        assert_int_equal(st_hashid_compute(e2, st_hashid_bindings(&back), h2), ST_OK);
        if (!dropped && strcmp(h1, h2))
            fail_msg("%s: event %zu: hash ID %s became %s", what, i, h1, h2);
    }
    assert_int_equal(j, back.n_kept);
}

/* ---- schema checks (skipped, with a message, without the tools) ------------------ */

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* The GS1 folder, or NULL. */
static const char *gs1_dir(void)
{
    static char dir[1024];
    const char *shared = test_shared_dir();
    struct stat st;
    if (!shared)
        return NULL;
    snprintf(dir, sizeof dir, "%s/conformance/gs1-epcis", shared);
    return stat(dir, &st) == 0 ? dir : NULL;
}

/* Whether the validator of fmt can run: xmllint, or node with ajv. */
static int have_tool(int json)
{
    static int known[2], have[2];
    const char *src = getenv("ST_SOURCE_DIR");
    if (!known[json]) {
        char p[1100];
        struct stat st;
        snprintf(p, sizeof p, "%s/tests/conformance/node_modules/ajv", src ? src : ".");
        have[json] =
            !json ? system("xmllint --version >/dev/null 2>&1") == 0
                  : src && stat(p, &st) == 0 && system("node --version >/dev/null 2>&1") == 0;
        known[json] = 1;
        if (!have[json])
            print_message("%s not installed: %s checks skipped\n", json ? "node+ajv" : "xmllint",
                          json ? "JSON Schema" : "XSD");
    }
    return have[json] && gs1_dir();
}

/* JSON-LD outputs wait in a folder for one run of the JSON Schema check at
 * the end of the test (node starts slowly). */
static struct {
    char dir[1024];      /* the folder, or "" */
    size_t n;            /* files in it */
    char what[256][160]; /* what each one is */
} pending;

static void write_file(const char *path, const conv *c)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(c->out, 1, c->n, f), c->n);
    fclose(f);
}

/* Run cmd; its output in out[0..cap); returns its exit status. */
static int run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t k = 0;
    out[0] = '\0';
    while (k + 1 < cap && fgets(out + k, (int)(cap - k), p))
        k += strlen(out + k);
    char rest[512];
    while (fgets(rest, sizeof rest, p))
        ;
    return pclose(p);
}

/* c->out, written as fmt, against the GS1 XSD of fmt now, or queued for the
 * GS1 JSON Schema; a failure prints the validator's words. */
static void assert_schema_valid(const conv *c, st_epcis_format fmt, const char *what)
{
    int json = fmt == ST_EPCIS_FMT_JSONLD;
    if (!have_tool(json))
        return;
    char file[1200], cmd[4096], said[4096];
    if (json) {
        if (!pending.dir[0]) {
            snprintf(pending.dir, sizeof pending.dir, "%s/st_hdr_XXXXXX", tmp_dir());
            assert_non_null(mkdtemp(pending.dir));
        }
        assert_true(pending.n < COUNT(pending.what));
        snprintf(file, sizeof file, "%s/%03zu.jsonld", pending.dir, pending.n);
        snprintf(pending.what[pending.n++], sizeof pending.what[0], "%s", what);
        write_file(file, c);
        return;
    }
    snprintf(file, sizeof file, "%s/st_hdr_%d.xml", tmp_dir(), (int)getpid());
    write_file(file, c);
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet --schema '%s/%s' '%s' 2>&1", gs1_dir(),
             fmt == ST_EPCIS_FMT_XML12 ? "XSD-1.2/EPCglobal-epcis-1_2.xsd"
                                       : "XSD/EPCglobal-epcis-2_0.xsd",
             file);
    int rc = run(cmd, said, sizeof said);
    unlink(file);
    if (rc != 0)
        fail_msg("%s fails its XSD:\n%s", what, said);
}

/* The JSON Schema check of what assert_schema_valid queued. */
static void check_pending(void)
{
    if (!pending.n)
        return;
    char cmd[4096], said[1 << 16];
    snprintf(cmd, sizeof cmd,
             "node '%s/tests/conformance/jsonschema.mjs' '%s/JSON-Schema' '%s'/*.jsonld 2>&1",
             getenv("ST_SOURCE_DIR"), gs1_dir(), pending.dir);
    int rc = run(cmd, said, sizeof said);
    size_t ok = 0;
    for (const char *l = said; (l = strstr(l, "ok ")); l++)
        ok += l == said || l[-1] == '\n';
    const char *bad = strstr(said, "FAIL ");
    if (bad) {
        const char *num = strstr(bad, pending.dir) + strlen(pending.dir) + 1;
        fail_msg("%s fails the GS1 JSON Schema:\n%.600s", pending.what[atoi(num)], bad);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ok, pending.n);
    print_message("%zu JSON-LD documents pass the GS1 JSON Schema\n", ok);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", pending.dir);
    assert_int_equal(system(cmd), 0);
    pending.dir[0] = '\0';
    pending.n = 0;
}

static const char *const fmt_name[] = {"", "jsonld", "xml2", "xml12"};

/* Write c->doc in every format: schema-valid, and the header and the hash
 * IDs come back (no_hdr12: XML 1.2 cannot hold the EPCISHeader); then once
 * more from each output in every format (two hops). */
static void assert_all_formats(conv *c, int no_hdr12, const char *what)
{
    char w[256];
    for (int f = ST_EPCIS_FMT_JSONLD; f <= ST_EPCIS_FMT_XML12; f++) {
        write_doc(c, f, ST_EPCIS_IDS_ASIS);
        assert_int_equal(c->rc, ST_OK);
        snprintf(w, sizeof w, "%s as %s", what, fmt_name[f]);
        assert_schema_valid(c, f, w);
        assert_round_trip(c, f == ST_EPCIS_FMT_XML12 && no_hdr12, w);
        conv hop;
        load(&hop, c->out, c->n);
        for (int f2 = ST_EPCIS_FMT_JSONLD; f2 <= ST_EPCIS_FMT_XML12; f2++) {
            write_doc(&hop, f2, ST_EPCIS_IDS_ASIS);
            assert_int_equal(hop.rc, ST_OK);
            snprintf(w, sizeof w, "%s as %s then %s", what, fmt_name[f], fmt_name[f2]);
            assert_schema_valid(&hop, f2, w);
            assert_round_trip(&hop, f2 == ST_EPCIS_FMT_XML12 && no_hdr12, w);
        }
        conv_free(&hop);
    }
}

/* ---- documents ---------------------------------------------------------------------- */

#define EVENT_XML                                                                                  \
    "<ObjectEvent><eventTime>2024-05-01T09:00:00Z</eventTime>"                                     \
    "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"                                            \
    "<epcList><epc>urn:epc:id:sgtin:4012345.011111.1</epc></epcList><action>OBSERVE</action>"      \
    "<readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint></ObjectEvent>"
#define EVENT_JSON                                                                                 \
    "{'type':'ObjectEvent','eventTime':'2024-05-01T09:00:00Z','eventTimeZoneOffset':'+00:00',"     \
    "'epcList':['urn:epc:id:sgtin:4012345.011111.1'],'action':'OBSERVE',"                          \
    "'readPoint':{'id':'urn:epc:id:sgln:4012345.00001.0'}}"

/* XML 2.0 with every part of a header the XSD allows in the places JSON-LD
 * can hold too: an id, an SBDH with two senders, vocabularies with
 * attributes (namespaced), XML and repeated attribute values, an attribute
 * beside a value, an empty one, children, unqualified content in the
 * extension wrappers (dissolved by the reader) and extension elements. */
static const char rt_xml[] =
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' xmlns:sbdh='" SBDH_NS "' "
    "xmlns:ex='https://ns.example.com/epcis/' schemaVersion='2.0' "
    "creationDate='2024-05-01T10:00:00Z' id='https://id.example.org/doc/9'><EPCISHeader>"
    "<sbdh:StandardBusinessDocumentHeader><sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>"
    "<sbdh:Sender><sbdh:Identifier Authority='GS1'>4012345000009</sbdh:Identifier>"
    "</sbdh:Sender><sbdh:Sender><sbdh:Identifier>4012345000016</sbdh:Identifier></sbdh:Sender>"
    "<sbdh:Receiver><sbdh:Identifier Authority='GS1'>0614141000005</sbdh:Identifier>"
    "</sbdh:Receiver><sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard>"
    "<sbdh:TypeVersion>1.0</sbdh:TypeVersion><sbdh:InstanceIdentifier>9</sbdh:InstanceIdentifier>"
    "<sbdh:Type>Events</sbdh:Type><sbdh:MultipleType>false</sbdh:MultipleType>"
    "<sbdh:CreationDateAndTime>2024-05-01T10:00:00Z</sbdh:CreationDateAndTime>"
    "</sbdh:DocumentIdentification></sbdh:StandardBusinessDocumentHeader>"
    "<extension><EPCISMasterData><VocabularyList>"
    "<Vocabulary type='urn:epcglobal:epcis:vtype:BusinessLocation' ex:source='erp'>"
    "<VocabularyElementList><VocabularyElement id='urn:epc:id:sgln:4012345.00001.0' ex:rank='1'>"
    "<attribute id='urn:a:text'>t</attribute><attribute id='urn:a:multi'>one</attribute>"
    "<attribute id='urn:a:multi'>two</attribute>"
    "<attribute id='urn:a:unit' ex:unit='KGM'>3.5</attribute>"
    "<attribute id='urn:a:tree'><ex:a><ex:b>1</ex:b><ex:b>2</ex:b><plain>p</plain></ex:a>"
    "</attribute><attribute id='urn:a:empty'/>"
    "<children><id>urn:epc:id:sgln:4012345.00001.1</id></children>"
    "<extension><local>l</local></extension><ex:tag>t</ex:tag></VocabularyElement>"
    "<VocabularyElement id='urn:epc:id:sgln:4012345.00001.1'/></VocabularyElementList>"
    "<extension><vlocal>v</vlocal></extension><ex:vtag>v</ex:vtag></Vocabulary>"
    "<Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'/></VocabularyList>"
    "<extension><mdlocal>m</mdlocal></extension></EPCISMasterData></extension></EPCISHeader>"
    "<EPCISBody><EventList>" EVENT_XML "</EventList></EPCISBody><ex:doc>1</ex:doc>"
    "</epcis:EPCISDocument>";

/* JSON-LD: the three fields (an SBDH in XML), a number, a structure with an
 * array and an empty object as attribute values, a member beside a value,
 * extension members at every level, a repeated document member. */
static const char rt_json[] =
    "{'@context':['" CTX "',{'ex':'https://ns.example.com/epcis/'}],"
    "'id':'https://id.example.org/doc/7','type':'EPCISDocument','schemaVersion':'2.0',"
    "'creationDate':'2024-05-01T10:00:00Z','sender':'urn:epc:id:pgln:4012345.00000',"
    "'receiver':'urn:epc:id:pgln:0614141.00000','instanceIdentifier':'42',"
    "'epcisHeader':{'ex:hext':{'ex:deep':'1'},'epcisMasterData':{'vocabularyList':[{'type':"
    "'urn:epcglobal:epcis:vtype:BusinessLocation','ex:vext':'v','vocabularyElementList':[{'id':"
    "'urn:epc:id:sgln:4012345.00001.0','attributes':[{'id':'urn:a:n','attribute':12},"
    "{'id':'urn:a:o','attribute':{'ex:k':['x','y'],'ex:m':{}}},"
    "{'id':'urn:a:extra','attribute':'v','ex:unit':'KGM'}],"
    "'children':['urn:c:1','urn:c:2'],'ex:etag':{'ex:z':'1'}}]}],'ex:mdext':'m'}},"
    "'ex:doc':['1','2'],'epcisBody':{'eventList':[" EVENT_JSON "]}}";

static const char md_doc[] =
    "<epcismd:EPCISMasterDataDocument xmlns:epcismd='urn:epcglobal:epcis-masterdata:xsd:2' "
    "schemaVersion='2.0' creationDate='2020-06-16T11:30:47.0Z'><EPCISBody><VocabularyList>"
    "<Vocabulary type='urn:epcglobal:epcis:vtype:ReadPoint'><VocabularyElementList>"
    "<VocabularyElement id='urn:epc:id:sgln:0614141.00300.0'>"
    "<attribute id='urn:epcglobal:cbv:mda:site'>0614141003006</attribute>"
    "<attribute id='urn:epcglobal:cbv:mda:sst'/></VocabularyElement></VocabularyElementList>"
    "</Vocabulary><Vocabulary type='urn:epcglobal:epcis:vtype:BusinessLocation'/>"
    "</VocabularyList></EPCISBody></epcismd:EPCISMasterDataDocument>";

static const char json_partial[] =
    "{'@context':['" CTX "'],'type':'EPCISDocument','schemaVersion':'2.0',"
    "'creationDate':'2024-05-01T10:00:00Z','sender':'urn:epc:id:pgln:4012345.00000',"
    "'epcisHeader':{'epcisMasterData':{'vocabularyList':[]}},"
    "'epcisBody':{'eventList':[" EVENT_JSON "]}}";
/* ---- tests ----------------------------------------------------------------------------- */

/* The hand-written headers in every format and then once more in every
 * format. md_doc and json_partial have no SBDH, which XML 1.2 needs for an
 * EPCISHeader: there their master data is dropped (noted; write_header_test.c). */
static void test_hand_written(void **state)
{
    (void)state;
    static const struct {
        const char *name; /* for messages */
        const char *doc;  /* the source */
        int no_hdr12;     /* XML 1.2 cannot hold the EPCISHeader */
    } docs[] = {{"rt_xml", rt_xml, 0},
                {"rt_json", rt_json, 0},
                {"md_doc", md_doc, 1},
                {"json_partial", json_partial, 1}};
    for (size_t i = 0; i < COUNT(docs); i++) {
        conv c;
        int json = docs[i].doc[0] == '{';
        if (json)
            load_json(&c, docs[i].doc);
        else
            load(&c, docs[i].doc, strlen(docs[i].doc));
        if (docs[i].doc != md_doc) { /* the sources are valid (md_doc: not an EPCISDocument) */
            conv src = {.out = json ? dq(docs[i].doc) : strdup(docs[i].doc)};
            src.n = strlen(src.out);
            assert_schema_valid(&src, json ? ST_EPCIS_FMT_JSONLD : ST_EPCIS_FMT_XML2, docs[i].name);
            free(src.out);
        }
        assert_all_formats(&c, docs[i].no_hdr12, docs[i].name);
        conv_free(&c);
    }
    check_pending();
}

/* The notes each GS1 example with a header must get (event -1), by format
 * (0: every format); any other header note fails the test. */
static const struct {
    const char *file;
    int fmt;
    const char *note;
} gs1_notes[] = {
    {"JSON/EPCISQueryDocument.jsonld", 0, "subscriptionID dropped: the document written is an"},
    {"JSON/EPCISQueryDocument.jsonld", 0, "queryName dropped: the document written is an"},
    {"XML/CBV/CBV-11.4-2020-06-16a.xml", ST_EPCIS_FMT_XML12,
     "EPCISHeader dropped, with its master"},
    {"XML/Mimasu/Example-masterData.xml", ST_EPCIS_FMT_XML12,
     "EPCISHeader dropped, with its master"},
    {"XML/WithFullCombinationOfFields/masterdata_all_possible_fields.xml", ST_EPCIS_FMT_XML12,
     "EPCISHeader dropped, with its master"},
};

typedef struct corpus {
    const char *root; /* the GS1 folder */
    size_t files;     /* examples with a header */
    size_t sbdh;      /* of which with an SBDH, or the three fields that make one */
    size_t vocabs;    /* of which with master data */
} corpus;

/* Whether the header holds more than type and id. */
static int has_header(const st_epcis_doc *doc)
{
    for (const st_evnode *c = doc->header ? doc->header->first : NULL; c; c = c->next)
        if (!named(c, "type") && !named(c, "id"))
            return 1;
    return 0;
}

static void check_example(corpus *k, const char *path, const char *rel)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 22]; /* the largest example is about 100 kB */
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n < sizeof buf);
    conv c;
    memset(&c, 0, sizeof c);
    c.a = st_arena_create(0);
    if (read_doc(&c.doc, c.a, &c.diag, buf, n) != ST_OK || !has_header(&c.doc)) {
        conv_free(&c); /* the readers' and write_test.c's business */
        return;
    }
    k->files++;
    int party = 1;
    for (int i = 0; i < 3; i++)
        party &= st_evnode_child(c.doc.header, party_names[i]) != NULL;
    int sbdh = has_sbdh(&c.doc) || party;
    k->sbdh += sbdh;
    char *d = canon(c.a, &c.doc, 0, 0);
    k->vocabs += strstr(d, "  vocab\n") != NULL;
    for (int fmt = ST_EPCIS_FMT_JSONLD; fmt <= ST_EPCIS_FMT_XML12; fmt++) {
        write_doc(&c, fmt, ST_EPCIS_IDS_ASIS);
        size_t want = 0, got = 0;
        for (size_t i = 0; i < COUNT(gs1_notes); i++)
            want +=
                !strcmp(gs1_notes[i].file, rel) && (!gs1_notes[i].fmt || gs1_notes[i].fmt == fmt);
        for (size_t j = 0; j < c.notes.n; j++) {
            if (c.notes.items[j].event >= 0)
                continue;
            int known = 0;
            for (size_t i = 0; i < COUNT(gs1_notes) && !known; i++)
                known = !strcmp(gs1_notes[i].file, rel) &&
                        (!gs1_notes[i].fmt || gs1_notes[i].fmt == fmt) &&
                        strstr(c.notes.items[j].msg, gs1_notes[i].note);
            if (!known)
                fail_msg("%s as %s: unexpected note: %s", rel, fmt_name[fmt], c.notes.items[j].msg);
            got++;
        }
        if (got != want)
            fail_msg("%s as %s: %zu header notes, %zu expected", rel, fmt_name[fmt], got, want);
    }
    assert_all_formats(&c, !sbdh, rel);
    conv_free(&c);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    (void)name;
    check_example(ctx, path, rel);
}

/* Every GS1 example with a header (JSON, XML, XML-1.2): its notes exactly,
 * then round trips and schemas as for the hand-written ones. */
static void test_gs1_headers(void **state)
{
    (void)state;
    corpus k = {gs1_dir(), 0, 0, 0};
    if (!k.root) {
        print_message("ST_SHARED_DIR is not set or has no GS1 examples: skipping them\n");
        skip();
    }
    static const char *const dirs[] = {"JSON", "XML", "XML-1.2"};
    for (size_t i = 0; i < COUNT(dirs); i++) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/%s", k.root, dirs[i]);
        walk_examples(dir, dirs[i], epcis_exts, on_example, &k);
    }
    print_message("%zu GS1 examples with a header (%zu with an SBDH or the fields for one, %zu "
                  "with master data) round-trip in every format\n",
                  k.files, k.sbdh, k.vocabs);
    check_pending();
    assert_true(k.files >= 10);
    assert_true(k.sbdh >= 6);
    assert_true(k.vocabs >= 3);
}

int main(void)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_written),
        cmocka_unit_test(test_gs1_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
