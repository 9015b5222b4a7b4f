/*
 * Tests for lib/store/codec.c: event bodies. Every event of every GS1 EPCIS
 * example (JSON, XML, XML-1.2) round-trips to an identical tree dump and
 * hash ID; hand-built trees cover the corners of the format; one body is
 * pinned byte for byte (stored bodies must stay readable); a table of
 * malformed bodies names each fault; the caps (depth, strings, arena,
 * st_bytes) hold. Prints the size against compact JSON and the time per event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epcis/hashid.h"
#include "epcis/tree_dump.h"
#include "store/codec.h"
#include "unit/epcis/epcis_test_util.h"
#include "unit/test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define BODY_MAX (16u << 20)

/* ---- helpers --------------------------------------------------------------- */

/* A node under parent (NULL: a root) with an optional prefix, in a. */
static st_evnode *node(st_arena *a, st_evnode *parent, const char *ns, const char *prefix,
                       const char *name, const char *value, unsigned flags)
{
    st_evnode *n = st_evnode_add(a, parent, ns, name, value, value ? strlen(value) : 0, flags);
    assert_non_null(n);
    if (prefix)
        assert_non_null(n->prefix = st_arena_strndup(a, prefix, strlen(prefix)));
    return n;
}

/* The dump (with prefixes) of n, "" for NULL, in a. */
static const char *dump(st_arena *a, const st_evnode *n)
{
    const char *d = st_evdump(a, n, ST_EVDUMP_PREFIX);
    assert_non_null(d);
    return d;
}

/* Encode ev with bind into a fresh buffer, decode it into a fresh arena and
 * check that tree, bindings, type and hash ID come back the same. Returns the
 * body size. */
static size_t roundtrip(const st_event *ev, const st_evnode *bind, const char *what)
{
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    st_rc rc = st_codec_encode(ev, bind, &b);
    if (rc != ST_OK)
        fail_msg("%s: encode: %s", what, st_strerror(rc));
    assert_int_equal(b.p[0], ST_CODEC_VERSION);

    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_event got;
    st_evnode *got_bind = (st_evnode *)1;
    st_error err;
    rc = st_codec_decode(b.p, b.n, a, &got, &got_bind, &err);
    if (rc != ST_OK)
        fail_msg("%s: decode: %s at byte %ld: %s", what, st_strerror(rc), err.position, err.msg);
    assert_int_equal(got.type, ev->type);
    assert_int_equal(got.index, -1);
    assert_null(got.root->parent);
    assert_null(got.root->next);
    assert_same_text(dump(a, got.root), dump(a, ev->root));
    if (bind) {
        assert_non_null(got_bind);
        assert_same_text(dump(a, got_bind), dump(a, bind));
    } else {
        assert_null(got_bind);
    }

    char want_id[ST_HASHID_LEN + 1], got_id[ST_HASHID_LEN + 1];
    st_rc want_rc = st_hashid_compute(ev, bind, want_id);
    assert_int_equal(st_hashid_compute(&got, got_bind, got_id), want_rc);
    if (want_rc == ST_OK && strcmp(got_id, want_id))
        fail_msg("%s: hash ID %s, originally %s", what, got_id, want_id);

    size_t n = b.n;
    st_arena_destroy(a);
    st_bytes_free(&b);
    return n;
}

/* ---- the GS1 examples ---------------------------------------------------------- */

typedef struct corpus {
    int docs, unread;    /* documents round-tripped; documents the readers refuse */
    size_t events;       /* events round-tripped */
    size_t body;         /* their body bytes */
    size_t sized_events; /* events whose compact JSON was measured */
    size_t sized_body;   /* the body bytes of those events */
    size_t json;         /* and their compact JSON bytes */
    size_t timed;        /* encode+decode repetitions timed */
    double enc_s, dec_s; /* seconds spent in them */
} corpus;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sum the compact JSON size of every member of every "eventList" below j. */
static size_t json_event_bytes(const json_t *j, size_t *count)
{
    size_t total = 0;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            if (!strcmp(k, "eventList") && json_is_array(v)) {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                {
                    char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
                    assert_non_null(s);
                    total += strlen(s);
                    free(s);
                    ++*count;
                }
            } else {
                total += json_event_bytes(v, count);
            }
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *e;
        json_array_foreach((json_t *)j, i, e) total += json_event_bytes(e, count);
    }
    return total;
}

/* The events of doc written as JSON-LD by the writer, compact: their total
 * size, or 0 when the document cannot be written as JSON-LD. */
static size_t compact_json(conv *c)
{
    write_doc(c, ST_EPCIS_FMT_JSONLD, ST_EPCIS_IDS_ASIS);
    if (c->rc != ST_OK || !c->out)
        return 0;
    json_t *j = json_loadb(c->out, c->n, 0, NULL);
    if (!j)
        return 0;
    size_t count = 0, bytes = json_event_bytes(j, &count);
    json_decref(j);
    return count == c->doc.n_kept ? bytes : 0;
}

/* Time reps encodes and decodes of every event of doc. */
static void time_doc(corpus *k, const st_epcis_doc *doc, const st_evnode *bind)
{
    enum { REPS = 20 };
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    for (size_t i = 0; i < doc->n_kept; i++) {
        double t0 = now();
        for (int r = 0; r < REPS; r++) {
            b.n = 0;
            assert_int_equal(st_codec_encode(doc->kept[i], bind, &b), ST_OK);
        }
        double t1 = now();
        for (int r = 0; r < REPS; r++) {
            st_event ev;
            st_evnode *nb;
            st_arena_reset(a);
            assert_int_equal(st_codec_decode(b.p, b.n, a, &ev, &nb, NULL), ST_OK);
        }
        k->enc_s += t1 - t0;
        k->dec_s += now() - t1;
        k->timed += REPS;
    }
    st_arena_destroy(a);
    st_bytes_free(&b);
}

static void on_example(void *ctx, const char *path, const char *rel, const char *name)
{
    corpus *k = ctx;
    size_t n;
    char *buf = slurp(path, &n);
    conv c;
    memset(&c, 0, sizeof c);
    c.a = st_arena_create(0);
    assert_non_null(c.a);
    st_rc rc = read_doc(&c.doc, c.a, &c.diag, buf, n);
    if (rc != ST_OK || c.doc.n_kept == 0) { /* e.g. duplicate keys, capture job documents */
        k->unread++;
        conv_free(&c);
        free(buf);
        return;
    }
    const st_evnode *bind = st_hashid_bindings(&c.doc);
    size_t body = 0;
    for (size_t i = 0; i < c.doc.n_kept; i++) {
        char what[1200];
        snprintf(what, sizeof what, "%s event %zu", rel, i);
        body += roundtrip(c.doc.kept[i], bind, what);
    }
    k->docs++;
    k->events += c.doc.n_kept;
    k->body += body;
    time_doc(k, &c.doc, bind);
    size_t json = compact_json(&c);
    if (json) {
        k->sized_events += c.doc.n_kept;
        k->sized_body += body;
        k->json += json;
    }
    (void)name;
    conv_free(&c);
    free(buf);
}

static void test_gs1_examples(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    char root[1024];
    struct stat st;
    if (shared)
        snprintf(root, sizeof root, "%s/conformance/gs1-epcis", shared);
    if (!shared || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        print_message("ST_SHARED_DIR has no conformance/gs1-epcis folder: skipping the GS1 "
                      "examples\n");
        skip();
    }
    corpus k;
    memset(&k, 0, sizeof k);
    static const char *const folders[] = {"JSON", "XML", "XML-1.2"};
    for (size_t i = 0; i < COUNT(folders); i++) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/%s", root, folders[i]);
        walk_examples(dir, folders[i], epcis_exts, on_example, &k);
    }
    print_message("codec: %zu events of %d GS1 examples round-tripped (%d documents the readers "
                  "refuse skipped)\n",
                  k.events, k.docs, k.unread);
    print_message("codec: bodies %zu bytes for %zu events whose compact JSON-LD is %zu bytes: "
                  "ratio %.3f\n",
                  k.sized_body, k.sized_events, k.json,
                  k.json ? (double)k.sized_body / (double)k.json : 0.0);
    print_message("codec: encode %.2f us + decode %.2f us per event (%zu repetitions)\n",
                  k.enc_s * 1e6 / (double)k.timed, k.dec_s * 1e6 / (double)k.timed, k.timed);
    assert_true(k.docs >= 80);
    assert_true(k.events >= 120);
    assert_true(k.sized_events >= 100);
    assert_true(k.sized_body < k.json); /* smaller than compact JSON, whatever else */
}

/* ---- hand-built trees -------------------------------------------------------- */

static void test_corners_roundtrip(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_evnode *bind = node(a, NULL, NULL, NULL, "ns", NULL, 0);
    node(a, bind, NULL, NULL, "ex", "https://ns.example.com/epcis/", 0);
    node(a, bind, NULL, NULL, "", "", 0); /* an empty prefix (XML default namespace) */

    st_event ev = {ST_EVENT_OBJECT, NULL, 7};
    st_evnode *r = ev.root = node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0);
    node(a, r, NULL, NULL, "eventTime", "2020-03-04T11:00:30.000+01:00", 0);
    node(a, r, NULL, NULL, "recordTime", "2020-03-04T11:00:30.999+01:00", 0);
    st_evnode *l = node(a, r, NULL, NULL, "epcList", NULL, ST_EVN_LIST);
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin:0614141.107346.2017", 0);
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin:0614141.107346.2017", 0); /* = previous */
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin:", 0);                    /* = a prefix */
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin", 0); /* a prefix of a prefix */
    node(a, r, NULL, NULL, "action", "OBSERVE", 0);
    node(a, r, NULL, NULL, "action", "OBSERVED", 0);
    node(a, r, NULL, NULL, "bizStep", "", 0);
    st_evnode *bt = node(a, node(a, r, NULL, NULL, "bizTransactionList", NULL, ST_EVN_LIST), NULL,
                         NULL, "bizTransaction", "http://transaction.acme.com/po/12345678", 0);
    node(a, bt, NULL, NULL, "type", "po", ST_EVN_ATTR);
    /* extensions: ns with and without prefix, a prefix without ns, a name
     * that is also a standard name, values equal to a namespace or a name */
    st_evnode *x = node(a, r, "https://ns.example.com/epcis/", "ex", "myField", NULL, 0);
    node(a, x, "https://ns.example.com/epcis/", "ex", "epc", "https://ns.example.com/epcis/", 0);
    node(a, x, "https://ns.example.com/epcis/", NULL, "myField", "myField", 0);
    node(a, x, NULL, "lone", "orphan", "no namespace", 0);
    node(a, x, "urn:other", "o", "n", "42.0", ST_EVN_NUMBER);
    node(a, x, "urn:other", "o", "b", "true", ST_EVN_BOOL | ST_EVN_ATTR);
    node(a, x, "urn:other", "o", "all", NULL,
         ST_EVN_ATTR | ST_EVN_NUMBER | ST_EVN_BOOL | ST_EVN_LIST);
    node(a, x, NULL, NULL, "bytes", "tab\there\nnew line \x01\x7f caf\xc3\xa9 \xff", 0);
    node(a, x, NULL, NULL, "", "empty name", 0);
    roundtrip(&ev, bind, "corners");
    roundtrip(&ev, NULL, "corners without bindings");

    /* no type, an unknown root name, a lone root */
    st_event bare = {ST_EVENT_NONE, node(a, NULL, NULL, NULL, "SomethingElse", "v", 0), 0};
    roundtrip(&bare, NULL, "bare root");
    st_event lone = {ST_EVENT_ASSOCIATION, node(a, NULL, NULL, NULL, "AssociationEvent", NULL, 0),
                     0};
    roundtrip(&lone, bind, "lone root");

    /* siblings of the root and of the bindings are not part of the body */
    st_evnode *r2 = node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0);
    r2->next = node(a, NULL, NULL, NULL, "TransactionEvent", NULL, 0);
    st_evnode *b2 = node(a, NULL, NULL, NULL, "ns", NULL, 0);
    b2->next = node(a, NULL, NULL, NULL, "other", NULL, 0);
    st_event sib = {ST_EVENT_OBJECT, r2, 0};
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    assert_int_equal(st_codec_encode(&sib, b2, &b), ST_OK);
    st_event got;
    st_evnode *got_bind = NULL;
    assert_int_equal(st_codec_decode(b.p, b.n, a, &got, &got_bind, NULL), ST_OK);
    assert_null(got.root->next);
    assert_null(got_bind->next);
    assert_string_equal(dump(a, got.root), "ObjectEvent\n");
    assert_string_equal(dump(a, got_bind), "ns\n");
    st_bytes_free(&b);
    st_arena_destroy(a);
}

/* Many distinct extension names and namespaces: the encoder's string table
 * grows past its first slots, and every string comes back. */
static void test_many_strings(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_event ev = {ST_EVENT_OBJECT, node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0), 0};
    st_evnode *ilmd = node(a, ev.root, NULL, NULL, "ilmd", NULL, 0);
    for (int i = 0; i < 3000; i++) {
        char ns[64], name[32], prefix[16], value[32];
        snprintf(ns, sizeof ns, "https://ns%d.example.com/", i % 700);
        snprintf(name, sizeof name, "field%d", i % 1100);
        snprintf(prefix, sizeof prefix, "p%d", i % 700);
        snprintf(value, sizeof value, "field%d", (i * 7) % 1300); /* some equal a name */
        node(a, ilmd, ns, prefix, name, value, 0);
    }
    size_t n = roundtrip(&ev, NULL, "many strings");
    print_message("codec: 3000 extension fields in %zu bytes\n", n);
    st_arena_destroy(a);
}

/* One body pinned byte for byte: bodies in databases must stay readable, so
 * a change to this output is a new format version. */
static void test_golden_body(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_evnode *bind = node(a, NULL, NULL, NULL, "ns", NULL, 0);
    node(a, bind, NULL, NULL, "ex", "http://ex.com/", 0);
    st_event ev = {ST_EVENT_OBJECT, node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0), 0};
    node(a, ev.root, NULL, NULL, "eventTime", "2020-01-01T00:00:00Z", 0);
    st_evnode *l = node(a, ev.root, NULL, NULL, "epcList", NULL, ST_EVN_LIST);
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin:0614141.107346.2017", 0);
    node(a, l, NULL, NULL, "epc", "urn:epc:id:sgtin:0614141.107346.2018", 0);
    node(a, ev.root, NULL, NULL, "action", "OBSERVE", 0);
    node(a, ev.root, "http://ex.com/", "ex", "myField", "http://ex.com/", 0);

    static const unsigned char want[] = "\x01\x11" /* version 1, ObjectEvent + bindings */
                                        "\x03\x02"
                                        "ex"
                                        "\x07"
                                        "myField"
                                        "\x0e"
                                        "http://ex.com/"   /* string table */
                                        "\x20\x3c\x01"     /* ns: 1 child */
                                        "\x10\x00\x00\x09" /*   ex = table entry 2 */
                                        "\x20\x03\x04"     /* ObjectEvent: 4 children */
                                        "\x10\x26\x00\x14"
                                        "2020-01-01T00:00:00Z" /*   eventTime, literal */
                                        "\x28\x23\x02"         /*   epcList [L]: 2 children */
                                        "\x10\x21\x02\x13"
                                        "0614141.107346.2017" /*     epc, sgtin prefix + 19 */
                                        "\x10\x21\x8c\x01\x01"
                                        "8"            /*     epc, 35 of previous + 1 */
                                        "\x10\x06\x3f" /*   action = standard 15 */
                                        "\xd0\x00\x01\x02\x00\x09"; /*   ex:myField = entry 2 */
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    assert_int_equal(st_codec_encode(&ev, bind, &b), ST_OK);
    assert_int_equal(b.n, sizeof want - 1);
    assert_memory_equal(b.p, want, sizeof want - 1);
    assert_int_equal(st_codec_name_code("ObjectEvent"), 3);
    assert_int_equal(st_codec_name_code("epc"), 0x21);
    assert_int_equal(st_codec_name_code("value"), 94);
    assert_int_equal(st_codec_name_code("myField"), 0);
    assert_int_equal(st_codec_name_code(""), 0);
    st_bytes_free(&b);
    roundtrip(&ev, bind, "golden");
    st_arena_destroy(a);
}

/* ---- malformed bodies ------------------------------------------------------------ */

typedef struct bad_row {
    const char *name;  /* what is wrong */
    const char *bytes; /* the body */
    size_t n;          /* its length */
    st_rc rc;          /* expected code */
    const char *msg;   /* expected fragment of err.msg */
    long pos;          /* expected err.position */
} bad_row;

#define ROW(name, lit, rc, msg, pos)                                                               \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, rc, msg, pos                                                   \
    }

/* "\x01\x01\x00\x00\x03" is the smallest body: version 1, ObjectEvent, no
 * strings, a root of no content named by code 3 (ObjectEvent). */
static const bad_row bad_rows[] = {
    ROW("the smallest body", "\x01\x01\x00\x00\x03", ST_OK, "", -1),
    ROW("empty", "", ST_ERR_SYNTAX, "empty body", 0),
    ROW("version 0", "\x00\x01\x00\x00\x03", ST_ERR_SYNTAX, "unknown body format version 0", 0),
    ROW("version 2", "\x02\x01\x00\x00\x03", ST_ERR_SYNTAX, "unknown body format version 2", 0),
    ROW("only the version", "\x01", ST_ERR_SYNTAX, "truncated body: it ends where the info", 1),
    ROW("reserved info bits", "\x01\x21\x00\x00\x03", ST_ERR_SYNTAX, "reserved bits 0x20", 1),
    ROW("unknown event type", "\x01\x06\x00\x00\x03", ST_ERR_SYNTAX, "unknown event type 6", 1),
    ROW("truncated varint", "\x01\x01\x80", ST_ERR_SYNTAX, "truncated varint", 2),
    ROW("over-long varint", "\x01\x01\x80\x00\x00\x03", ST_ERR_SYNTAX, "over-long varint", 2),
    ROW("varint over 64 bits", "\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00\x03",
        ST_ERR_SYNTAX, "does not fit in 64 bits", 2),
    ROW("huge string count", "\x01\x01\xff\xff\xff\xff\x0f\x00\x03", ST_ERR_SYNTAX,
        "string table count 4294967295 is larger than the 2 bytes left", 2),
    ROW("string past the end",
        "\x01\x01\x01\x05"
        "ab",
        ST_ERR_SYNTAX, "length of a string (5 bytes) runs past the end", 4),
    ROW("NUL in a string",
        "\x01\x01\x01\x02"
        "a\x00"
        "\x00\x03",
        ST_ERR_SYNTAX, "NUL byte in a string", 5),
    ROW("no event", "\x01\x01\x00", ST_ERR_SYNTAX, "ends where a node should be", 3),
    ROW("no name code", "\x01\x01\x00\x00", ST_ERR_SYNTAX, "ends where a name code", 4),
    ROW("unknown name code", "\x01\x01\x00\x00\xee", ST_ERR_SYNTAX, "unknown name code 238", 4),
    ROW("first unassigned name code", "\x01\x01\x00\x00\x5f", ST_ERR_SYNTAX,
        "unknown name code 95 (format version 1 has 94)", 4),
    ROW("name index out of range", "\x01\x01\x00\x00\x00\x00", ST_ERR_SYNTAX,
        "string table index 0 of a name out of range (0 entries)", 5),
    ROW("namespace index out of range", "\x01\x01\x01\x01x\x40\x03\x01", ST_ERR_SYNTAX,
        "string table index 1 of a namespace out of range (1 entries)", 7),
    ROW("prefix index out of range", "\x01\x01\x01\x01x\x80\x03\x05", ST_ERR_SYNTAX,
        "index 5 of a prefix out of range", 7),
    ROW("no value", "\x01\x01\x00\x10\x03", ST_ERR_SYNTAX, "ends where a value should be", 5),
    ROW("value past the end",
        "\x01\x01\x00\x10\x03\x00\x05"
        "a",
        ST_ERR_SYNTAX, "length of a value (5 bytes) runs past the end of the body (1 bytes left)",
        7),
    ROW("value truncated in its length", "\x01\x01\x00\x10\x03\x00\x85", ST_ERR_SYNTAX,
        "truncated varint: the body ends inside a value length", 6),
    ROW("shares more than the previous value", "\x01\x01\x00\x10\x03\x08\x00", ST_ERR_SYNTAX,
        "value shares 2 bytes with a previous value of 0 bytes", 5),
    ROW("standard prefix out of range", "\x01\x01\x00\x10\x03\xf3\x01", ST_ERR_SYNTAX,
        "standard prefix index 60 of a value out of range (60 entries)", 5),
    ROW("value table index out of range", "\x01\x01\x00\x10\x03\x01", ST_ERR_SYNTAX,
        "string table index 0 of a value out of range", 5),
    ROW("NUL in a value",
        "\x01\x01\x00\x10\x03\x00\x02"
        "a\x00",
        ST_ERR_SYNTAX, "NUL byte in a value", 8),
    ROW("trailing garbage", "\x01\x01\x00\x00\x03\x00\x03", ST_ERR_SYNTAX,
        "2 trailing bytes after the event", 5),
    ROW("no child count", "\x01\x01\x00\x20\x03", ST_ERR_SYNTAX,
        "ends where a child count should be", 5),
    ROW("child count 0", "\x01\x01\x00\x20\x03\x00", ST_ERR_SYNTAX,
        "child count 0 where children were announced", 5),
    ROW("huge child count", "\x01\x01\x00\x20\x03\xff\xff\xff\xff\x0f\x00\x21", ST_ERR_SYNTAX,
        "child count 4294967295 is larger than the 2 bytes left can hold", 5),
    ROW("child count past the bytes left", "\x01\x01\x00\x20\x03\x02\x00\x21", ST_ERR_SYNTAX,
        "child count 2 is larger than the 2 bytes left", 5),
    ROW("truncated child", "\x01\x01\x00\x20\x03\x01\x10\x21", ST_ERR_SYNTAX,
        "ends where a value should be", 8),
    ROW("bindings announced, none there", "\x01\x11\x00", ST_ERR_SYNTAX,
        "ends where a node should be", 3),
    ROW("bindings but no event", "\x01\x11\x00\x00\x3c", ST_ERR_SYNTAX,
        "ends where a node should be", 5),
};

static void test_malformed(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    for (size_t i = 0; i < COUNT(bad_rows); i++) {
        const bad_row *row = &bad_rows[i];
        st_event ev = {ST_EVENT_NONE, NULL, 5};
        st_evnode *bind = NULL;
        st_error err;
        st_error_clear(&err);
        st_rc rc = st_codec_decode((const unsigned char *)row->bytes, row->n, a, &ev, &bind, &err);
        if (rc != row->rc || !strstr(err.msg, row->msg) || err.position != row->pos)
            fail_msg("row \"%s\": rc %d (want %d), position %ld (want %ld), message \"%s\" "
                     "(want \"%s\")",
                     row->name, rc, row->rc, err.position, row->pos, err.msg, row->msg);
        if (rc == ST_OK) {
            assert_int_equal(ev.type, ST_EVENT_OBJECT);
            assert_string_equal(dump(a, ev.root), "ObjectEvent\n");
        } else {
            assert_int_equal(err.rc, row->rc);
            assert_null(ev.root); /* untouched on failure */
            assert_int_equal(ev.index, 5);
        }
    }
    /* arguments */
    st_event ev;
    assert_int_equal(st_codec_decode(NULL, 3, a, &ev, NULL, NULL), ST_ERR_ARG);
    assert_int_equal(st_codec_decode((const unsigned char *)"\x01", 1, NULL, &ev, NULL, NULL),
                     ST_ERR_ARG);
    assert_int_equal(st_codec_decode((const unsigned char *)"\x01", 1, a, NULL, NULL, NULL),
                     ST_ERR_ARG);
    assert_int_equal(st_codec_decode(NULL, 0, a, &ev, NULL, NULL), ST_ERR_SYNTAX);
    st_arena_destroy(a);
}

/* A body of levels nested nodes named "id" (code 0x30), the innermost empty. */
static unsigned char *nested_body(int levels, size_t *n)
{
    unsigned char *b = malloc(3 + 3 * (size_t)levels);
    assert_non_null(b);
    size_t k = 0;
    b[k++] = 1, b[k++] = 1, b[k++] = 0;
    for (int i = 1; i < levels; i++)
        b[k++] = 0x20, b[k++] = 0x30, b[k++] = 1;
    b[k++] = 0, b[k++] = 0x30;
    *n = k;
    return b;
}

/* A tree of levels nested nodes. */
static st_event nested_tree(st_arena *a, int levels)
{
    st_event ev = {ST_EVENT_OBJECT, node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0), 0};
    st_evnode *p = ev.root;
    for (int i = 1; i < levels; i++)
        p = node(a, p, NULL, NULL, "ilmd", NULL, 0);
    return ev;
}

static void test_depth(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_event ev;
    st_error err;
    size_t n;
    unsigned char *b = nested_body(ST_CODEC_MAX_DEPTH, &n);
    assert_int_equal(st_codec_decode(b, n, a, &ev, NULL, &err), ST_OK);
    free(b);
    b = nested_body(ST_CODEC_MAX_DEPTH + 1, &n);
    assert_int_equal(st_codec_decode(b, n, a, &ev, NULL, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "tree deeper than 64 levels"));
    assert_int_equal(err.position, 3 + 3 * ST_CODEC_MAX_DEPTH);
    free(b);
    b = nested_body(100000, &n); /* no stack overflow however deep */
    assert_int_equal(st_codec_decode(b, n, a, &ev, NULL, &err), ST_ERR_LIMIT);
    free(b);

    st_event deep = nested_tree(a, ST_CODEC_MAX_DEPTH);
    roundtrip(&deep, NULL, "deepest tree");
    st_bytes out;
    st_bytes_init(&out, BODY_MAX);
    deep = nested_tree(a, ST_CODEC_MAX_DEPTH + 1);
    assert_int_equal(st_codec_encode(&deep, NULL, &out), ST_ERR_LIMIT);
    assert_int_equal(out.n, 0);
    st_evnode *bind = nested_tree(a, ST_CODEC_MAX_DEPTH + 1).root;
    deep = nested_tree(a, 1);
    assert_int_equal(st_codec_encode(&deep, bind, &out), ST_ERR_LIMIT);
    st_bytes_free(&out);
    st_arena_destroy(a);
}

/* Strings: one longer than ST_EPCIS_MAX_STRING, and many references to one
 * long string adding up past ST_EPCIS_MAX_EVENT_BYTES, are refused both ways. */
static void test_string_caps(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    size_t max = ST_EPCIS_MAX_STRING;
    unsigned char *b = malloc(max + 64);
    assert_non_null(b);
    st_event ev;
    st_error err;
    for (size_t len = max; len <= max + 1; len++) { /* value of len bytes, literal */
        size_t k = 0;
        b[k++] = 1, b[k++] = 1, b[k++] = 0, b[k++] = 0x10, b[k++] = 3, b[k++] = 0;
        b[k++] = (unsigned char)(0x80 | (len & 0x7f)); /* len < 2^21: three varint bytes */
        b[k++] = (unsigned char)(0x80 | ((len >> 7) & 0x7f));
        b[k++] = (unsigned char)(len >> 14);
        memset(b + k, 'v', len);
        st_rc rc = st_codec_decode(b, k + len, a, &ev, NULL, &err);
        if (len == max) {
            assert_int_equal(rc, ST_OK);
            assert_int_equal(strlen(ev.root->value), max);
        } else {
            assert_int_equal(rc, ST_ERR_LIMIT);
            assert_non_null(strstr(err.msg, "ST_EPCIS_MAX_STRING"));
        }
    }
    /* a 60000-byte table string referenced by 70 values: 4.2 MB from 60 KB */
    size_t k = 0;
    b[k++] = 1, b[k++] = 1, b[k++] = 1;
    b[k++] = 0xe0, b[k++] = 0xd4, b[k++] = 0x03; /* 60000 */
    memset(b + k, 's', 60000);
    k += 60000;
    b[k++] = 0x20, b[k++] = 3, b[k++] = 70;
    for (int i = 0; i < 70; i++)
        b[k++] = 0x10, b[k++] = 0x5e, b[k++] = 0x01; /* value = table entry 0 */
    assert_int_equal(st_codec_decode(b, k, a, &ev, NULL, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "ST_EPCIS_MAX_EVENT_BYTES"));
    b[k - 3 * 70 - 1] = 60; /* 60 of them fit */
    assert_int_equal(st_codec_decode(b, k - 30, a, &ev, NULL, &err), ST_OK);
    assert_int_equal(st_evnode_count(ev.root, "value"), 60);

    /* the encoder keeps the same caps */
    st_bytes out;
    st_bytes_init(&out, BODY_MAX);
    char *s = malloc(max + 2);
    assert_non_null(s);
    memset(s, 'v', max + 1);
    s[max + 1] = '\0';
    st_event big = {ST_EVENT_OBJECT, node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0), 0};
    st_evnode *v = node(a, big.root, NULL, NULL, "value", "x", 0);
    v->value = s;
    assert_int_equal(st_codec_encode(&big, NULL, &out), ST_ERR_LIMIT);
    v->value = s + 1; /* exactly the cap */
    assert_int_equal(st_codec_encode(&big, NULL, &out), ST_OK);
    out.n = 0;
    v->name = s; /* a name over the cap */
    assert_int_equal(st_codec_encode(&big, NULL, &out), ST_ERR_LIMIT);
    v->name = "value";
    s[60000] = '\0';
    for (int i = 0; i < 70; i++)
        node(a, big.root, NULL, NULL, "value", NULL, 0)->value = s;
    assert_int_equal(st_codec_encode(&big, NULL, &out), ST_ERR_LIMIT);
    assert_int_equal(out.n, 0);
    free(s);
    st_bytes_free(&out);
    free(b);
    st_arena_destroy(a);
}

/* The decoder stops at the arena's cap with ST_ERR_LIMIT. */
static void test_arena_cap(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_event ev = nested_tree(a, 20);
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_OK);
    st_arena *small = st_arena_create(256);
    assert_non_null(small);
    st_error err;
    st_event got;
    assert_int_equal(st_codec_decode(b.p, b.n, small, &got, NULL, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "arena's cap"));
    st_arena_destroy(small);
    st_bytes_free(&b);
    st_arena_destroy(a);
}

/* st_bytes: the cap, appending, reuse; encoder arguments. */
static void test_bytes_and_args(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    st_event ev = {ST_EVENT_OBJECT, node(a, NULL, NULL, NULL, "ObjectEvent", NULL, 0), 0};
    node(a, ev.root, NULL, NULL, "eventTime", "2020-01-01T00:00:00Z", 0);
    st_bytes b;
    st_bytes_init(&b, BODY_MAX);
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_OK);
    size_t size = b.n;
    assert_int_equal(size, 2 + 1 + 3 + 4 + 20);
    st_bytes_free(&b);
    assert_null(b.p);
    assert_int_equal(b.n, 0);

    st_bytes_init(&b, size - 1); /* one byte short */
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_ERR_LIMIT);
    assert_int_equal(b.n, 0);
    st_bytes_free(&b);
    st_bytes_init(&b, 0);
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_ERR_LIMIT);
    st_bytes_free(&b);

    st_bytes_init(&b, 2 * size); /* exactly two bodies, appended */
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_OK);
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_OK);
    assert_int_equal(b.n, 2 * size);
    assert_true(b.cap <= b.max);
    assert_memory_equal(b.p, b.p + size, size);
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_ERR_LIMIT);
    assert_int_equal(b.n, 2 * size); /* left as it was */
    st_event got;
    assert_int_equal(st_codec_decode(b.p + size, size, a, &got, NULL, NULL), ST_OK);
    assert_string_equal(dump(a, got.root), dump(a, ev.root));
    b.n = 0; /* reuse */
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_OK);
    assert_int_equal(b.n, size);
    st_bytes_free(&b);
    st_bytes_free(NULL);

    /* arguments and trees the format cannot hold */
    st_bytes_init(&b, BODY_MAX);
    assert_int_equal(st_codec_encode(NULL, NULL, &b), ST_ERR_ARG);
    assert_int_equal(st_codec_encode(&ev, NULL, NULL), ST_ERR_ARG);
    st_event none = {ST_EVENT_OBJECT, NULL, 0};
    assert_int_equal(st_codec_encode(&none, NULL, &b), ST_ERR_ARG);
    st_event badtype = {(st_event_type)9, ev.root, 0};
    assert_int_equal(st_codec_encode(&badtype, NULL, &b), ST_ERR_ARG);
    st_evnode *x = node(a, ev.root, NULL, NULL, "x", NULL, 0);
    x->flags = 0x10;
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_ERR_UNSUPPORTED);
    x->flags = 0;
    x->name = NULL;
    assert_int_equal(st_codec_encode(&ev, NULL, &b), ST_ERR_ARG);
    assert_int_equal(b.n, 0);
    st_bytes_free(&b);
    st_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_body),  cmocka_unit_test(test_corners_roundtrip),
        cmocka_unit_test(test_many_strings), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_depth),        cmocka_unit_test(test_string_caps),
        cmocka_unit_test(test_arena_cap),    cmocka_unit_test(test_bytes_and_args),
        cmocka_unit_test(test_gs1_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
