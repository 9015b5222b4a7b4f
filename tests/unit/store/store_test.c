/*
 * The shared store suite: capture (duplicates, atomicity, caps, record
 * time), the projections as the trace shows them (item state, containment,
 * genealogy), master data, concurrent capture, the audit and the trace's
 * identifier forms. It runs once per store URL template (SQLite, and
 * PostgreSQL when $ST_TEST_PG_URL names a server; or $ST_TEST_STORE_URLS:
 * tests/unit/store_urls.h), with a fresh store per test. Only the
 * public API is used, plus st_store_exec with portable SQL for read-only
 * checks, so every backend is held to the same contract. Every store is
 * audited when its test ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "store/store_int.h"
#include "unit/store_urls.h"

/* ---- identifiers used below (check digits verified with `serialtrack id parse`) -------------- */

#define CTX "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#define TZ "'eventTimeZoneOffset':'+00:00'"

#define U(n) "urn:epc:id:sgtin:0614141.107346." #n /* GTIN 10614141073464 */
#define KU(n) "https://id.gs1.org/01/10614141073464/21/" #n
#define OUT(n) "urn:epc:id:sgtin:0614141.812345." #n /* GTIN 80614141123458 */
#define KOUT(n) "https://id.gs1.org/01/80614141123458/21/" #n
#define CASE "urn:epc:id:sscc:0614141.1000000001"
#define KCASE "https://id.gs1.org/00/106141410000000019"
#define PALLET "urn:epc:id:sscc:0614141.1000000002"
#define KPALLET "https://id.gs1.org/00/106141410000000026"
#define L1 "urn:epc:id:sgln:0614141.00001.0"
#define KL1 "https://id.gs1.org/414/0614141000012"
#define L2 "urn:epc:id:sgln:0614141.00002.0"
#define KL2 "https://id.gs1.org/414/0614141000029"
#define PARTY "urn:epc:id:pgln:0614141.00000"
#define KPARTY "https://id.gs1.org/417/0614141000005"
#define LOTB "urn:epc:class:lgtin:0614141.107346.LOTB"
#define KLOTA "https://id.gs1.org/01/10614141073464/10/LOTA"
#define KLOTB "https://id.gs1.org/01/10614141073464/10/LOTB"
#define XFORM_ID "urn:uuid:6d2a6a0e-1ad8-4b7e-9d5e-2c1b0f3e5a01"

/* ---- the fixture: one fresh store per test --------------------------------------------------- */

static const char *g_url; /* the URL template of the backend being run */

typedef struct fx {
    char dir[512];  /* this test's temporary folder */
    char url[1024]; /* g_url with {tmp} replaced */
    st_store *s;    /* open on url */
} fx;

/* template with "{tmp}" and "{name}" replaced (unit/store_urls.h), into out. */
static void expand(const char *template, const char *dir, char *out, size_t cap)
{
    st_test_expand(template, dir, out, cap);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0)
            remove_tree(p);
    }
    closedir(d);
    rmdir(dir);
}

static st_store *open_url(const char *url, const st_store_opts *o)
{
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_open(url, o, &s, &e);
    if (rc)
        print_error("opening %s: %s\n", url, e.msg);
    assert_int_equal(rc, ST_OK);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/st_store_test_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    expand(g_url, f->dir, f->url, sizeof f->url);
    st_error e;
    st_error_clear(&e);
    if (st_store_open(f->url, NULL, &f->s, &e) != ST_OK) {
        print_error("opening %s: %s\n", f->url, e.msg);
        remove_tree(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* Every store must still verify when its test is done with it. */
static int teardown(void **state)
{
    fx *f = *state;
    int bad = 0;
    if (f->s) {
        st_audit_result r;
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_store_audit_verify(f->s, &r, &e);
        if (rc || !r.ok) {
            print_error("audit of %s: rc %d (%s), ok %d: %s\n", f->url, rc, e.msg, r.ok, r.reason);
            bad = 1;
        }
        st_store_info info;
        if (!bad && st_store_info_get(f->s, &info, NULL) == ST_OK &&
            (strcmp(info.chain_head, r.head) || info.batches != r.batches ||
             info.events != r.events)) {
            print_error("audit head %s / %lld links / %lld events, db info %s / %lld / %lld\n",
                        r.head, (long long)r.batches, (long long)r.events, info.chain_head,
                        (long long)info.batches, (long long)info.events);
            bad = 1;
        }
        st_test_store_drop(f->s, f->url);
        st_store_close(f->s);
    }
    remove_tree(f->dir);
    free(f);
    return bad ? -1 : 0;
}

/* ---- documents ------------------------------------------------------------------------------- */

/* A malloc'd JSON-LD EPCIS document holding the events printed from fmt,
 * single quotes made double (they keep the C strings legible). */
static char *jdoc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *jdoc(const char *fmt, ...)
{
    static const char head[] = "{'@context':['" CTX "'],'type':'EPCISDocument',"
                               "'schemaVersion':'2.0','creationDate':'2024-01-01T00:00:00Z',"
                               "'epcisBody':{'eventList':[";
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t cap = sizeof head + (size_t)n + 8;
    char *d = malloc(cap);
    assert_non_null(d);
    memcpy(d, head, sizeof head - 1);
    va_start(ap, fmt);
    vsnprintf(d + sizeof head - 1, (size_t)n + 1, fmt, ap);
    va_end(ap);
    strcat(d, "]}}");
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

/* A JSON-LD ObjectEvent. epcs: the quoted, comma-separated list; extra: more
 * members, starting with a comma, or "". */
#define OBJ(time, action, epcs, extra)                                                             \
    "{'type':'ObjectEvent','eventTime':'" time "'," TZ ",'epcList':[" epcs "],'action':'" action   \
    "'" extra "}"
#define AGG(time, action, parent, children, extra)                                                 \
    "{'type':'AggregationEvent','eventTime':'" time "'," TZ ",'parentID':'" parent "'" children    \
    ",'action':'" action "'" extra "}"

/* Three events, and the same three events in XML 2.0 (same hash IDs: checked
 * with `serialtrack hash`). */
// clang-format off
#define D3_EVENTS                                                                                  \
    OBJ("2024-04-01T08:00:00Z", "OBSERVE", "'" U(7001) "'",                                        \
        ",'bizStep':'receiving','disposition':'in_progress','readPoint':{'id':'" L1 "'}") ","      \
    OBJ("2024-04-01T08:01:00Z", "OBSERVE", "'" U(7002) "'",                                        \
        ",'bizStep':'receiving','disposition':'in_progress','readPoint':{'id':'" L1 "'}") ","      \
    AGG("2024-04-01T08:02:00Z", "ADD", "urn:epc:id:sscc:0614141.1000000009",                       \
        ",'childEPCs':['" U(7001) "','" U(7002) "']", ",'bizStep':'packing'")

#define XOBJ(time, serial)                                                                         \
    "<ObjectEvent><eventTime>" time "</eventTime><eventTimeZoneOffset>+00:00"                      \
    "</eventTimeZoneOffset><epcList><epc>" U(serial) "</epc></epcList><action>OBSERVE</action>"    \
    "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>"                                       \
    "<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>"                                \
    "<readPoint><id>" L1 "</id></readPoint></ObjectEvent>"
#define XML_HEAD                                                                                   \
    "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' schemaVersion='2.0' "            \
    "creationDate='2024-04-01T00:00:00Z'>"
static const char d3_xml[] =
    XML_HEAD "<EPCISBody><EventList>"
    XOBJ("2024-04-01T08:00:00Z", 7001)
    XOBJ("2024-04-01T08:01:00Z", 7002)
    "<AggregationEvent><eventTime>2024-04-01T08:02:00Z</eventTime>"
    "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
    "<parentID>urn:epc:id:sscc:0614141.1000000009</parentID>"
    "<childEPCs><epc>" U(7001) "</epc><epc>" U(7002) "</epc></childEPCs><action>ADD</action>"
    "<bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep></AggregationEvent>"
    "</EventList></EPCISBody></epcis:EPCISDocument>";
// clang-format on

/* The documents of the tests below with more than one event. */
// clang-format off
static const char twin_events[] = /* one event twice */
    OBJ("2024-04-03T08:00:00Z", "OBSERVE", "'" U(7005) "'", "") ","
    OBJ("2024-04-03T08:00:00Z", "OBSERVE", "'" U(7005) "'", "");

static const char atomic_events[] = /* the third of five is invalid */
    OBJ("2024-04-05T08:00:00Z", "OBSERVE", "'" U(7101) "'", "") ","
    OBJ("2024-04-05T08:01:00Z", "OBSERVE", "'" U(7102) "'", "") ","
    OBJ("2024-04-05T08:02:00Z", "OBSERVE", "'" U(7103) "'", ",'bizStep':'shiping'") ","
    OBJ("2024-04-05T08:03:00Z", "ADD", "'" U(7104) "'", "") ","
    AGG("2024-04-05T08:04:00Z", "ADD", CASE, ",'childEPCs':['" U(7101) "']", "");

static const char two_events[] = /* old event times */
    OBJ("2020-01-01T00:00:00Z", "OBSERVE", "'" U(7201) "','" U(7202) "'", "") ","
    OBJ("2020-01-01T00:00:01Z", "OBSERVE", "'" U(7203) "'", "");

/* three units of LOTA; two into a case, the case on a pallet */
static const char pack_events[] =
    OBJ("2024-03-01T08:00:00Z", "ADD", "'" U(1001) "','" U(1002) "','" U(1003) "'",
        ",'bizStep':'commissioning','disposition':'active','bizLocation':{'id':'" L1 "'},"
        "'ilmd':{'cbvmda:lotNumber':'LOTA','cbvmda:itemExpirationDate':'2027-06-30'}") ","
    AGG("2024-03-01T09:00:00Z", "ADD", CASE, ",'childEPCs':['" U(1001) "','" U(1002) "']",
        ",'bizStep':'packing','bizLocation':{'id':'" L1 "'}") ","
    AGG("2024-03-01T10:00:00Z", "ADD", PALLET, ",'childEPCs':['" CASE "']",
        ",'bizStep':'packing','bizLocation':{'id':'" L1 "'}");

/* 1001 leaves the case; the case is inspected; the pallet is emptied */
static const char unpack_events[] =
    AGG("2024-03-03T08:00:00Z", "DELETE", CASE, ",'childEPCs':['" U(1001) "']",
        ",'bizStep':'unpacking'") ","
    OBJ("2024-03-03T08:30:00Z", "OBSERVE", "'" CASE "'", ",'bizStep':'inspecting'") ","
    AGG("2024-03-03T09:00:00Z", "DELETE", PALLET, "", ",'bizStep':'unpacking'");

#define XFORM(time, members)                                                                       \
    "{'type':'TransformationEvent','eventTime':'" time "'," TZ members "}"
static const char xform_events[] =
    /* a unit and a lot (class level) into two outputs */
    XFORM("2024-03-04T08:00:00Z", ",'inputEPCList':['" U(2001) "'],'inputQuantityList':"
          "[{'epcClass':'" LOTB "','quantity':10,'uom':'KGM'}],'outputEPCList':['" OUT(5001) "','"
          OUT(5002) "'],'bizStep':'commissioning'") ","
    /* a unit of LOTA into an output */
    XFORM("2024-03-04T09:00:00Z",
          ",'inputEPCList':['" U(1003) "'],'outputEPCList':['" OUT(5003) "']") ","
    /* one transformation in two events, linked by its transformationID */
    XFORM("2024-03-04T10:00:00Z",
          ",'transformationID':'" XFORM_ID "','inputEPCList':['" U(3001) "']") ","
    XFORM("2024-03-04T11:00:00Z",
          ",'transformationID':'" XFORM_ID "','outputEPCList':['" OUT(5004) "']") ","
    /* a second level: 5001 goes on into 6001 */
    XFORM("2024-03-05T08:00:00Z",
          ",'inputEPCList':['" OUT(5001) "'],'outputEPCList':['" OUT(6001) "']") ","
    /* an unrelated transformation */
    XFORM("2024-03-05T09:00:00Z",
          ",'inputEPCList':['" U(3999) "'],'outputEPCList':['" OUT(6999) "']");
// clang-format on

/* ---- store helpers --------------------------------------------------------------------------- */

static void show_report(const st_epcis_report *r)
{
    for (size_t i = 0; r && i < st_epcis_report_errors_listed(r); i++) {
        long ev;
        const char *path, *msg;
        st_epcis_report_error(r, i, &ev, &path, &msg);
        print_error("  event %ld %s: %s\n", ev, path, msg);
    }
}

/* Capture text; *res (may be NULL) gets the outcome. */
static st_rc capture(st_store *s, const char *text, st_capture_result *res)
{
    st_capture_result tmp;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(s, text, strlen(text), "test", res ? res : &tmp, &rep);
    st_epcis_report_destroy(rep);
    return rc;
}

/* Capture text, which must succeed with these counts. */
static st_capture_result capture_ok(st_store *s, const char *text, size_t stored, size_t dups)
{
    st_capture_result res;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(s, text, strlen(text), "test", &res, &rep);
    if (rc)
        show_report(rep);
    st_epcis_report_destroy(rep);
    assert_int_equal(rc, ST_OK);
    assert_int_equal(res.stored, stored);
    assert_int_equal(res.duplicates, dups);
    assert_int_equal(res.events, stored + dups);
    if (stored)
        assert_true(res.batch > 0);
    else
        assert_int_equal(res.batch, 0);
    return res;
}

/* jdoc + capture_ok + free. */
#define CAPTURE_JSON(s, stored, dups, ...)                                                         \
    do {                                                                                           \
        char *doc_ = jdoc(__VA_ARGS__);                                                            \
        capture_ok(s, doc_, stored, dups);                                                         \
        free(doc_);                                                                                \
    } while (0)

static st_store_info info_of(st_store *s)
{
    st_store_info info;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_info_get(s, &info, &e);
    if (rc)
        print_error("info: %s\n", e.msg);
    assert_int_equal(rc, ST_OK);
    return info;
}

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : -1;
    return ST_OK;
}

/* The one integer a read-only statement returns. */
static int64_t sql_int(st_store *s, const char *sql, const st_val *args, int nargs)
{
    int64_t v = -1;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_exec(s, sql, args, nargs, row_int, &v, &e);
    if (rc)
        print_error("%s: %s\n", sql, e.msg);
    assert_int_equal(rc, ST_OK);
    return v;
}

/* ---- trace helpers --------------------------------------------------------------------------- */

/* The trace of id, parsed. Free with json_decref. */
static json_t *trace(st_store *s, const char *id, const st_trace_opts *o)
{
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_trace_write(s, id, o, &j, &e);
    if (rc)
        print_error("trace %s: %s\n", id, e.msg);
    assert_int_equal(rc, ST_OK);
    json_error_t je;
    json_t *root = json_loadb(j.p, j.n, 0, &je);
    if (!root)
        print_error("trace %s is not JSON (%s): %.*s\n", id, je.text, (int)j.n, j.p);
    assert_non_null(root);
    st_jw_free(&j);
    return root;
}

/* The value at path ("state.location.from", "container.1", "children.0.key"), or NULL. */
static json_t *jget(json_t *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = root;
    for (char *save, *p = strtok_r(buf, ".", &save); p && v; p = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(p)) : json_object_get(v, p);
    return v;
}

/* The string at path; NULL when absent or JSON null. */
static const char *jstr(json_t *root, const char *path)
{
    json_t *v = jget(root, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void assert_jstr(json_t *root, const char *path, const char *want)
{
    const char *got = jstr(root, path);
    if (!got || strcmp(got, want)) {
        char *dump = json_dumps(root, JSON_COMPACT);
        print_error("%s = %s, expected %s\n in %s\n", path, got ? got : "(none)", want, dump);
        free(dump);
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void assert_jnull(json_t *root, const char *path)
{
    json_t *v = jget(root, path);
    if (!json_is_null(v))
        print_error("%s is not null\n", path);
    assert_true(json_is_null(v));
}

static size_t jsize(json_t *root, const char *path)
{
    json_t *v = jget(root, path);
    assert_true(json_is_array(v));
    return json_array_size(v);
}

/* Whether the array at path holds an object whose "key" is key. */
static int has_key(json_t *root, const char *path, const char *key)
{
    json_t *a = jget(root, path), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        const char *k = json_string_value(json_object_get(v, "key"));
        if (k && !strcmp(k, key))
            return 1;
    }
    return 0;
}

/* Whether the history holds an event at eventTime t (as written) with bizStep
 * biz_step (NULL: any). */
static int history_has(json_t *root, const char *t, const char *biz_step)
{
    json_t *a = json_object_get(root, "history"), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        const char *et = json_string_value(json_object_get(v, "eventTime"));
        const char *bs = json_string_value(json_object_get(v, "bizStep"));
        if (et && !strcmp(et, t) && (!biz_step || (bs && !strcmp(bs, biz_step))))
            return 1;
    }
    return 0;
}

static st_rc trace_rc(st_store *s, const char *id)
{
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_trace_write(s, id, NULL, &j, NULL);
    st_jw_free(&j);
    return rc;
}

/* ---- a new store, URLs ----------------------------------------------------------------------- */

static void test_new_store(void **state)
{
    fx *f = *state;
    st_store_info info = info_of(f->s);
    assert_true(info.schema_latest > 0);
    assert_int_equal(info.schema_version, info.schema_latest);
    assert_int_equal(info.events, 0);
    assert_int_equal(info.batches, 0);
    assert_int_equal(info.items, 0);
    assert_int_equal(info.last_record_ms, 0);
    assert_string_equal(info.chain_head, "");
    assert_true(info.backend[0] != 0);

    /* the store was created by open: migrate reports it came from nothing */
    int from = -1, to = -1;
    assert_int_equal(st_store_migrate(f->s, &from, &to, NULL), ST_OK);
    assert_int_equal(from, 0);
    assert_int_equal(to, info.schema_latest);

    /* an empty chain verifies, with no head (like db info) */
    st_audit_result r;
    assert_int_equal(st_store_audit_verify(f->s, &r, NULL), ST_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.batches, 0);
    assert_int_equal(r.events, 0);
    assert_string_equal(r.head, "");

    /* a second handle, read-only, on the same store */
    st_store_opts ro = {.read_only = 1};
    st_store *again = open_url(f->url, &ro);
    assert_int_equal(info_of(again).schema_version, info.schema_latest);
    char *doc = jdoc(D3_EVENTS);
    st_capture_result res;
    assert_int_not_equal(capture(again, doc, &res), ST_OK); /* read-only refuses to write */
    assert_int_equal(res.stored, 0);
    free(doc);
    st_store_close(again);
    assert_int_equal(info_of(f->s).events, 0);

    /* read-only open of a store that does not exist */
    if (strstr(g_url, "{tmp}") || strstr(g_url, "{name}")) {
        char dir[600], url[1200];
        snprintf(dir, sizeof dir, "%s/absent", f->dir);
        expand(g_url, dir, url, sizeof url);
        st_store *s = (st_store *)1;
        st_error e;
        assert_int_equal(st_store_open(url, &ro, &s, &e), ST_ERR_NOT_FOUND);
        assert_null(s);
        assert_true(e.msg[0] != 0);
    } else {
        print_message("  (%s has no {tmp} or {name}: the missing-store check is skipped)\n", g_url);
    }

    /* URLs no backend takes */
    st_store *s = (st_store *)1;
    st_error e;
    assert_int_equal(st_store_open("mysql://localhost/serialtrack", NULL, &s, &e), ST_ERR_ARG);
    assert_null(s);
    assert_non_null(strstr(e.msg, "scheme"));
    assert_int_equal(st_store_open("x", NULL, NULL, NULL), ST_ERR_ARG);
    st_store_close(NULL);
}

/* ---- capture: duplicates --------------------------------------------------------------------- */

/* Visitor: the hash ID of the first event into ctx (90 bytes). */
static st_rc hash_of_first(void *ctx, const st_epcis_event *ev)
{
    char *out = ctx;
    return out[0] ? ST_OK : st_epcis_event_hash_id(ev, out);
}

static void test_duplicates(void **state)
{
    fx *f = *state;
    char *doc = jdoc(D3_EVENTS);
    st_capture_result first = capture_ok(f->s, doc, 3, 0);
    assert_int_equal(first.batch, 1);
    st_store_info i1 = info_of(f->s);
    assert_int_equal(i1.events, 3);
    assert_int_equal(i1.batches, 1);
    assert_int_equal(strlen(i1.chain_head), 64);
    assert_int_equal(i1.last_record_ms, first.record_ms);

    /* the same document again: nothing new, no link, the head stays */
    capture_ok(f->s, doc, 0, 3);
    free(doc);
    st_store_info i2 = info_of(f->s);
    assert_int_equal(i2.events, 3);
    assert_int_equal(i2.batches, 1);
    assert_string_equal(i2.chain_head, i1.chain_head);

    /* the same events written in XML: the same hash IDs */
    capture_ok(f->s, d3_xml, 0, 3);
    assert_string_equal(info_of(f->s).chain_head, i1.chain_head);

    /* a declared eventID is the event's identity: other content, same eventID */
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-04-02T08:00:00Z", "OBSERVE", "'" U(7003) "'",
                     ",'eventID':'urn:uuid:3b4c9a1e-7f0d-4c55-9b2e-0a1b2c3d4e5f'"));
    CAPTURE_JSON(f->s, 0, 1,
                 OBJ("2024-04-02T09:30:00Z", "OBSERVE", "'" U(7004) "'",
                     ",'eventID':'urn:uuid:3b4c9a1e-7f0d-4c55-9b2e-0a1b2c3d4e5f'"));

    /* an eventID that is the event's own hash ID (the usual EPCIS 2.0 choice) is its
     * identity too: other content under that eventID is a duplicate */
    char *plain = jdoc(OBJ("2024-04-02T10:00:00Z", "OBSERVE", "'" U(7006) "'", ""));
    char hid[90] = "";
    st_epcis_report *rep = NULL;
    assert_int_equal(st_epcis_read_mem(plain, strlen(plain), NULL, hash_of_first, hid, &rep),
                     ST_OK);
    st_epcis_report_destroy(rep);
    assert_non_null(strstr(hid, "ni:///sha-256;"));
    char *own =
        jdoc(OBJ("2024-04-02T10:00:00Z", "OBSERVE", "'" U(7006) "'", ",'eventID':'%s'"), hid);
    capture_ok(f->s, own, 1, 0);
    capture_ok(f->s, plain, 0, 1);
    free(own);
    free(plain);
    CAPTURE_JSON(f->s, 0, 1,
                 OBJ("2024-04-02T11:00:00Z", "OBSERVE", "'" U(7007) "'", ",'eventID':'%s'"), hid);
    assert_int_equal(trace_rc(f->s, U(7007)), ST_ERR_NOT_FOUND);

    /* two identical events in one document */
    CAPTURE_JSON(f->s, 1, 1, "%s", twin_events);
    st_store_info i3 = info_of(f->s);
    assert_int_equal(i3.events, 6);
    assert_int_equal(i3.batches, 4);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM event", NULL, 0), 6);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM batch", NULL, 0), 4);
    /* the unit of the refused duplicate was never stored */
    assert_int_equal(trace_rc(f->s, U(7004)), ST_ERR_NOT_FOUND);
}

/* ---- capture: all or nothing ----------------------------------------------------------------- */

static void test_atomic(void **state)
{
    fx *f = *state;
    char *doc = jdoc(D3_EVENTS);
    capture_ok(f->s, doc, 3, 0);
    free(doc);
    st_store_info before = info_of(f->s);

    doc = jdoc("%s", atomic_events);
    st_capture_result res;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(f->s, doc, strlen(doc), "five.jsonld", &res, &rep);
    free(doc);
    assert_int_equal(rc, ST_ERR_SYNTAX);
    assert_int_equal(res.stored, 0);
    assert_int_equal(res.batch, 0);
    assert_non_null(rep);
    assert_int_equal(st_epcis_report_events(rep), 5);
    assert_int_equal(st_epcis_report_error_count(rep), 1);
    long ev = -9;
    const char *path = NULL, *msg = NULL;
    assert_int_equal(st_epcis_report_error(rep, 0, &ev, &path, &msg), ST_OK);
    assert_int_equal(ev, 2);
    assert_string_equal(path, "/epcisBody/eventList/2/bizStep");
    assert_non_null(strstr(msg, "shiping"));
    st_epcis_report_destroy(rep);

    st_store_info after = info_of(f->s);
    assert_int_equal(after.events, before.events);
    assert_int_equal(after.batches, before.batches);
    assert_int_equal(after.items, before.items);
    assert_string_equal(after.chain_head, before.chain_head);
    /* nothing of the valid events either, projections included */
    assert_int_equal(trace_rc(f->s, U(7101)), ST_ERR_NOT_FOUND);
    assert_int_equal(trace_rc(f->s, CASE), ST_ERR_NOT_FOUND);

    /* not EPCIS at all */
    assert_int_equal(capture(f->s, "{\"hello\": 1}", &res), ST_ERR_SYNTAX);
    assert_int_equal(info_of(f->s).events, before.events);
}

/* More events than one capture takes: refused whole, with ST_ERR_LIMIT. */
static void test_limit(void **state)
{
    fx *f = *state;
    static const char head[] = XML_HEAD "<EPCISBody><EventList>";
    static const char ev[] = "<ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime>"
                             "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>" U(
                                 1) "</epc></epcList><action>OBSERVE</action></ObjectEvent>";
    static const char tail[] = "</EventList></EPCISBody></epcis:EPCISDocument>";
    size_t n = (size_t)ST_STORE_MAX_CAPTURE_EVENTS + 1;
    size_t len = sizeof head - 1 + n * (sizeof ev - 1) + sizeof tail - 1;
    char *doc = malloc(len + 1), *p = doc;
    assert_non_null(doc);
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    for (size_t i = 0; i < n; i++, p += sizeof ev - 1)
        memcpy(p, ev, sizeof ev - 1);
    memcpy(p, tail, sizeof tail);
    st_capture_result res;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(f->s, doc, len, "big.xml", &res, &rep);
    free(doc);
    assert_int_equal(rc, ST_ERR_LIMIT);
    assert_int_equal(res.stored, 0);
    int named = 0;
    for (size_t i = 0; i < st_epcis_report_errors_listed(rep); i++) {
        long e;
        const char *path, *msg;
        st_epcis_report_error(rep, i, &e, &path, &msg);
        char want[32];
        snprintf(want, sizeof want, "%d", ST_STORE_MAX_CAPTURE_EVENTS);
        named |= strstr(msg, want) != NULL;
    }
    assert_true(named);
    st_epcis_report_destroy(rep);
    assert_int_equal(info_of(f->s).events, 0);
    assert_int_equal(trace_rc(f->s, U(1)), ST_ERR_NOT_FOUND);
}

/* ---- record time ----------------------------------------------------------------------------- */

struct rt_rows {
    int64_t event_batch[16], record[16], batch_record[16];
    int n;
};

static st_rc row_rt(void *ctx, const st_val *c, int n)
{
    struct rt_rows *r = ctx;
    if (n < 3 || r->n == 16)
        return ST_ERR_INTERNAL;
    r->event_batch[r->n] = c[0].i;
    r->record[r->n] = c[1].i;
    r->batch_record[r->n] = c[2].i;
    r->n++;
    return ST_OK;
}

static void test_record_time(void **state)
{
    fx *f = *state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t start = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    char *doc = jdoc(D3_EVENTS);
    st_capture_result a = capture_ok(f->s, doc, 3, 0);
    free(doc);
    st_capture_result b, c;
    char *d2 = jdoc("%s", two_events);
    b = capture_ok(f->s, d2, 2, 0);
    free(d2);
    char *d3 = jdoc(OBJ("2030-01-01T00:00:00Z", "OBSERVE", "'" U(7204) "'", ""));
    c = capture_ok(f->s, d3, 1, 0);
    free(d3);
    /* the store's clock, not the events' */
    assert_true(a.record_ms >= start - 1000 && a.record_ms <= start + 60000);
    assert_true(b.record_ms >= a.record_ms);
    assert_true(c.record_ms >= b.record_ms);

    struct rt_rows r = {.n = 0};
    assert_int_equal(st_store_exec(f->s,
                                   "SELECT e.batch, e.record_time, b.record_time FROM event e"
                                   " JOIN batch b ON b.id = e.batch ORDER BY e.id",
                                   NULL, 0, row_rt, &r, NULL),
                     ST_OK);
    assert_int_equal(r.n, 6);
    const st_capture_result *by_batch[4] = {NULL, &a, &b, &c};
    int64_t want_batch[6] = {a.batch, a.batch, a.batch, b.batch, b.batch, c.batch};
    for (int i = 0; i < r.n; i++) {
        assert_int_equal(r.event_batch[i], want_batch[i]);
        assert_true(r.event_batch[i] >= 1 && r.event_batch[i] <= 3);
        assert_int_equal(r.record[i], by_batch[r.event_batch[i]]->record_ms);
        assert_int_equal(r.record[i], r.batch_record[i]);
        if (i)
            assert_true(r.record[i] >= r.record[i - 1]);
    }
    assert_int_equal(info_of(f->s).last_record_ms, c.record_ms);

    /* the trace shows the record time the store gave, not one the document claims */
    char *d4 = jdoc(OBJ("2024-04-06T08:00:00Z", "OBSERVE", "'" U(7205) "'",
                        ",'recordTime':'2001-01-01T00:00:00Z'"));
    st_capture_result d = capture_ok(f->s, d4, 1, 0);
    free(d4);
    time_t secs = (time_t)(d.record_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char want[96];
    snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(d.record_ms % 1000));
    json_t *t = trace(f->s, U(7205), NULL);
    assert_jstr(t, "history.0.recordTime", want);
    json_decref(t);
}

/* ---- projections: lot, containers, location through containers, unpacking -------------------- */

static void test_containers(void **state)
{
    fx *f = *state;
    CAPTURE_JSON(f->s, 3, 0, "%s", pack_events);
    /* the pallet is shipped, in a later document, to a new place and owner */
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-03-02T08:00:00Z", "OBSERVE", "'" PALLET "'",
                     ",'bizStep':'shipping','disposition':'in_transit','readPoint':{'id':'" L2
                     "'},'bizLocation':{'id':'" L2 "'},'destinationList':[{'type':"
                     "'owning_party','destination':'" PARTY "'}]"));

    json_t *t = trace(f->s, U(1001), NULL);
    assert_jstr(t, "key", KU(1001));
    assert_jstr(t, "state.status", "active");
    assert_jstr(t, "state.lot", KLOTA);
    assert_jstr(t, "state.expiry", "2027-06-30");
    assert_jstr(t, "state.disposition", "https://ref.gs1.org/cbv/Disp-active");
    assert_jstr(t, "state.biz_location", KL1);
    assert_jstr(t, "state.container", KCASE);
    assert_jstr(t, "state.first_seen", "2024-03-01T08:00:00.000Z");
    assert_jstr(t, "state.last_seen", "2024-03-01T09:00:00.000Z");
    /* where it is: where its pallet was seen last */
    assert_jstr(t, "state.location.from", KPALLET);
    assert_jstr(t, "state.location.biz_location", KL2);
    assert_jstr(t, "state.location.read_point", KL2);
    assert_jstr(t, "state.location.disposition", "https://ref.gs1.org/cbv/Disp-in_transit");
    assert_jstr(t, "state.location.as_of", "2024-03-02T08:00:00.000Z");
    assert_int_equal(jsize(t, "container"), 2);
    assert_jstr(t, "container.0", KCASE);
    assert_jstr(t, "container.1", KPALLET);
    assert_int_equal(jsize(t, "children"), 0);
    /* its history: its own events and the containers' while it was inside, in time order */
    assert_int_equal(jsize(t, "history"), 4);
    assert_jstr(t, "history.0.bizStep", "commissioning");
    assert_jstr(t, "history.1.eventTime", "2024-03-01T09:00:00Z");
    assert_jstr(t, "history.2.parentID", PALLET);
    assert_jstr(t, "history.3.bizStep", "shipping");
    assert_jstr(t, "history.3.epcList.0", PALLET);
    assert_true(jget(t, "history.0.recordTime") != NULL);
    json_decref(t);

    /* a unit that was never packed is where it was itself */
    t = trace(f->s, U(1003), NULL);
    assert_jstr(t, "state.location.from", "self");
    assert_jstr(t, "state.location.biz_location", KL1);
    assert_jnull(t, "state.container");
    assert_int_equal(jsize(t, "container"), 0);
    assert_int_equal(jsize(t, "history"), 1);
    json_decref(t);

    /* the pallet: its contents as a tree, its owner */
    t = trace(f->s, "(00)106141410000000026", NULL);
    assert_jstr(t, "key", KPALLET);
    assert_jstr(t, "state.owner", KPARTY);
    assert_jstr(t, "state.location.from", "self");
    assert_int_equal(jsize(t, "container"), 0);
    assert_int_equal(jsize(t, "children"), 1);
    assert_jstr(t, "children.0.key", KCASE);
    assert_int_equal(jsize(t, "children.0.children"), 2);
    assert_jstr(t, "children.0.children.0.key", KU(1001));
    assert_jstr(t, "children.0.children.1.key", KU(1002));
    assert_int_equal(jsize(t, "children.0.children.0.children"), 0);
    json_decref(t);
    /* the unit's owner is not the pallet's */
    t = trace(f->s, U(1001), NULL);
    assert_jnull(t, "state.owner");
    json_decref(t);

    /* unpack 1001 from the case; the case is inspected; the pallet is emptied */
    CAPTURE_JSON(f->s, 3, 0, "%s", unpack_events);
    t = trace(f->s, U(1001), NULL);
    assert_jnull(t, "state.container");
    assert_int_equal(jsize(t, "container"), 0);
    assert_jstr(t, "state.location.from", "self");
    /* the shipping happened while it was on the pallet; the inspection after it left */
    assert_true(history_has(t, "2024-03-02T08:00:00Z", "shipping"));
    assert_false(history_has(t, "2024-03-03T08:30:00Z", NULL));
    assert_true(history_has(t, "2024-03-03T08:00:00Z", "unpacking"));
    json_decref(t);

    t = trace(f->s, U(1002), NULL);
    assert_jstr(t, "state.container", KCASE);
    assert_int_equal(jsize(t, "container"), 1); /* the case left the pallet */
    assert_jstr(t, "container.0", KCASE);
    assert_true(history_has(t, "2024-03-03T08:30:00Z", "inspecting"));
    json_decref(t);

    t = trace(f->s, CASE, NULL);
    assert_jnull(t, "state.container");
    assert_int_equal(jsize(t, "container"), 0);
    assert_int_equal(jsize(t, "children"), 1);
    assert_jstr(t, "children.0.key", KU(1002));
    json_decref(t);

    t = trace(f->s, PALLET, NULL);
    assert_int_equal(jsize(t, "children"), 0);
    json_decref(t);

    /* only the parts asked for */
    st_trace_opts o = {.parts = ST_TRACE_STATE};
    t = trace(f->s, U(1002), &o);
    assert_non_null(jget(t, "state"));
    assert_null(jget(t, "history"));
    assert_null(jget(t, "container"));
    assert_null(jget(t, "genealogy"));
    json_decref(t);
    st_trace_opts h1 = {.parts = ST_TRACE_HISTORY, .max_history = 1};
    t = trace(f->s, U(1002), &h1);
    assert_int_equal(jsize(t, "history"), 1);
    assert_true(json_is_true(jget(t, "history_truncated")));
    json_decref(t);
}

/* ---- projections: status, late events -------------------------------------------------------- */

/* A container seen more often than a trace reads ahead for (its first
 * batch reads up to 256 events of the containers): the case's events while
 * the unit was inside are then asked for by time range, with the same
 * answer, cut at max_history as any history. */
static void test_busy_container(void **state)
{
    fx *f = *state;
    CAPTURE_JSON(f->s, 1, 0,
                 AGG("2024-04-01T10:00:00Z", "ADD", CASE, ",'childEPCs':['" U(4001) "']", ""));
    size_t cap = 300 * 256, n = 0;
    char *list = malloc(cap);
    assert_non_null(list);
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(list + n, cap - n,
                              "%s" OBJ("2024-04-01T%02d:%02d:30Z", "OBSERVE", "'" CASE "'", ""),
                              i ? "," : "", 10 + i / 60, i % 60);
    CAPTURE_JSON(f->s, 300, 0, "%s", list);
    free(list);
    CAPTURE_JSON(f->s, 1, 0,
                 AGG("2024-04-01T12:00:00Z", "DELETE", CASE, ",'childEPCs':['" U(4001) "']", ""));
    /* its packing, the 120 sightings of the case while inside, its unpacking */
    json_t *t = trace(f->s, U(4001), NULL);
    assert_int_equal(jsize(t, "history"), 122);
    assert_jstr(t, "history.0.eventTime", "2024-04-01T10:00:00Z");
    assert_jstr(t, "history.1.eventTime", "2024-04-01T10:00:30Z");
    assert_jstr(t, "history.120.eventTime", "2024-04-01T11:59:30Z");
    assert_jstr(t, "history.121.action", "DELETE");
    assert_null(jget(t, "history_truncated"));
    json_decref(t);
    st_trace_opts o = {.max_history = 50};
    t = trace(f->s, U(4001), &o);
    assert_int_equal(jsize(t, "history"), 50);
    assert_jstr(t, "history.49.eventTime", "2024-04-01T10:48:30Z");
    assert_true(json_is_true(jget(t, "history_truncated")));
    json_decref(t);
}

static void test_decommission(void **state)
{
    fx *f = *state;
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-03-01T08:00:00Z", "ADD", "'" U(1101) "','" U(1102) "'",
                     ",'bizStep':'commissioning','disposition':'active'"));
    CAPTURE_JSON(
        f->s, 1, 0,
        OBJ("2024-03-05T08:00:00Z", "DELETE", "'" U(1102) "'", ",'bizStep':'decommissioning'"));
    json_t *t = trace(f->s, U(1102), NULL);
    assert_jstr(t, "state.status", "decommissioned");
    assert_jstr(t, "state.last_seen", "2024-03-05T08:00:00.000Z");
    json_decref(t);
    t = trace(f->s, U(1101), NULL);
    assert_jstr(t, "state.status", "active");
    json_decref(t);
}

static void test_late_event(void **state)
{
    fx *f = *state;
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-05-10T08:00:00Z", "OBSERVE", "'" U(8001) "'",
                     ",'bizStep':'storing','disposition':'sellable_accessible','bizLocation':"
                     "{'id':'" L2 "'}"));
    /* an older event arrives afterwards */
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-05-01T08:00:00Z", "OBSERVE", "'" U(8001) "'",
                     ",'bizStep':'inspecting','disposition':'damaged','bizLocation':{'id':'" L1
                     "'},'readPoint':{'id':'" L1 "'}"));
    json_t *t = trace(f->s, U(8001), NULL);
    assert_jstr(t, "state.disposition", "https://ref.gs1.org/cbv/Disp-sellable_accessible");
    assert_jstr(t, "state.biz_location", KL2);
    assert_jstr(t, "state.first_seen", "2024-05-01T08:00:00.000Z");
    assert_jstr(t, "state.last_seen", "2024-05-10T08:00:00.000Z");
    /* what the newer events never said is filled in */
    assert_jstr(t, "state.read_point", KL1);
    /* the last event is still the newest by event time */
    assert_int_equal(jsize(t, "history"), 2);
    assert_jstr(t, "history.0.eventTime", "2024-05-01T08:00:00Z");
    assert_jstr(t, "history.1.eventTime", "2024-05-10T08:00:00Z");
    json_decref(t);
}

/* ---- projections: genealogy ------------------------------------------------------------------ */

static void test_genealogy(void **state)
{
    fx *f = *state;
    /* units of lot LOTA, commissioned with it in ILMD */
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-03-01T08:00:00Z", "ADD", "'" U(1003) "','" U(1004) "'",
                     ",'bizStep':'commissioning','ilmd':{'cbvmda:lotNumber':'LOTA'}"));
    CAPTURE_JSON(f->s, 6, 0, "%s", xform_events);

    /* up from an output: both inputs */
    json_t *t = trace(f->s, OUT(5001), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 2);
    assert_true(has_key(t, "genealogy.up", KU(2001)));
    assert_true(has_key(t, "genealogy.up", KLOTB));
    assert_int_equal(json_integer_value(jget(t, "genealogy.up.0.depth")), 1);
    assert_int_equal(jsize(t, "genealogy.down"), 1);
    assert_true(has_key(t, "genealogy.down", KOUT(6001)));
    json_decref(t);

    /* down from the input unit: both outputs, and what 5001 went into, one level further */
    t = trace(f->s, U(2001), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 0);
    assert_int_equal(jsize(t, "genealogy.down"), 3);
    assert_true(has_key(t, "genealogy.down", KOUT(5001)));
    assert_true(has_key(t, "genealogy.down", KOUT(5002)));
    assert_true(has_key(t, "genealogy.down", KOUT(6001)));
    assert_jstr(t, "genealogy.down.2.key", KOUT(6001));
    assert_int_equal(json_integer_value(jget(t, "genealogy.down.2.depth")), 2);
    json_decref(t);
    st_trace_opts one = {.depth = 1};
    t = trace(f->s, U(2001), &one);
    assert_int_equal(jsize(t, "genealogy.down"), 2);
    assert_false(has_key(t, "genealogy.down", KOUT(6001)));
    json_decref(t);
    /* from 6001 up, to any depth */
    t = trace(f->s, OUT(6001), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 3);
    assert_true(has_key(t, "genealogy.up", KOUT(5001)));
    assert_true(has_key(t, "genealogy.up", KU(2001)));
    assert_true(has_key(t, "genealogy.up", KLOTB));
    json_decref(t);

    /* down from the lot consumed at class level, named in any form */
    const char *lotb_forms[] = {LOTB, KLOTB, "(01)10614141073464(10)LOTB"};
    for (size_t i = 0; i < 3; i++) {
        t = trace(f->s, lotb_forms[i], NULL);
        assert_jstr(t, "key", KLOTB);
        assert_jnull(t, "state");
        assert_true(has_key(t, "genealogy.down", KOUT(5001)));
        assert_true(has_key(t, "genealogy.down", KOUT(5002)));
        json_decref(t);
    }

    /* down from a lot whose units (not the class) were inputs */
    t = trace(f->s, "(01)10614141073464(10)LOTA", NULL);
    assert_jstr(t, "key", KLOTA);
    assert_int_equal(json_integer_value(jget(t, "state.lot_units")), 2);
    assert_int_equal(jsize(t, "genealogy.down"), 1);
    assert_jstr(t, "genealogy.down.0.key", KOUT(5003));
    json_decref(t);
    t = trace(f->s, OUT(5003), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 1);
    assert_jstr(t, "genealogy.up.0.key", KU(1003));
    json_decref(t);
    t = trace(f->s, U(1004), NULL); /* same lot, never transformed */
    assert_int_equal(jsize(t, "genealogy.down"), 0);
    json_decref(t);

    /* a lot met on the way: up from 7201 to the class LOTC it was made of
     * (depth 1), then through LOTC's units, one of which 7101 was made
     * from 7001 (depth 2) */
    CAPTURE_JSON(f->s, 1, 0,
                 OBJ("2024-03-06T08:00:00Z", "ADD", "'" U(7102) "'",
                     ",'bizStep':'commissioning','ilmd':{'cbvmda:lotNumber':'LOTC'}"));
    CAPTURE_JSON(
        f->s, 2, 0,
        XFORM("2024-03-06T09:00:00Z",
              ",'inputEPCList':['" U(7001) "'],'outputEPCList':['" U(
                  7101) "'],'ilmd':{'cbvmda:lotNumber':'LOTC'}") "," XFORM("2024-03-06T10:00:00Z",
                                                                           ",'inputQuantityList':[{"
                                                                           "'epcClass':'"
                                                                           "urn:epc:class:lgtin:"
                                                                           "0614141.107346.LOTC','"
                                                                           "quantity':2}],"
                                                                           "'outputEPCList':['" OUT(
                                                                               7201) "']"));
    t = trace(f->s, OUT(7201), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 2);
    assert_jstr(t, "genealogy.up.0.key", "https://id.gs1.org/01/10614141073464/10/LOTC");
    assert_int_equal(json_integer_value(jget(t, "genealogy.up.0.depth")), 1);
    assert_jstr(t, "genealogy.up.1.key", KU(7001));
    assert_int_equal(json_integer_value(jget(t, "genealogy.up.1.depth")), 2);
    json_decref(t);
    t = trace(f->s, U(7001), NULL); /* and back down: 7101 (depth 1); 7201 from LOTC (2) */
    assert_int_equal(jsize(t, "genealogy.down"), 2);
    assert_jstr(t, "genealogy.down.0.key", KU(7101));
    assert_jstr(t, "genealogy.down.1.key", KOUT(7201));
    assert_int_equal(json_integer_value(jget(t, "genealogy.down.1.depth")), 2);
    json_decref(t);

    /* the two halves of one transformation */
    t = trace(f->s, OUT(5004), NULL);
    assert_int_equal(jsize(t, "genealogy.up"), 1);
    assert_jstr(t, "genealogy.up.0.key", KU(3001));
    json_decref(t);
    t = trace(f->s, U(3001), NULL);
    assert_int_equal(jsize(t, "genealogy.down"), 1);
    assert_jstr(t, "genealogy.down.0.key", KOUT(5004));
    json_decref(t);
}

/* ---- master data ----------------------------------------------------------------------------- */

static int64_t links(st_store *s, const char *parent, const char *child)
{
    st_val args[2] = {st_val_text(parent), st_val_text(child)};
    return sql_int(s,
                   "SELECT count(*) FROM location_child lc JOIN ident p ON p.id = lc.parent"
                   " JOIN ident c ON c.id = lc.child WHERE p.key = $1 AND c.key = $2",
                   args, 2);
}

static void test_masterdata(void **state)
{
    fx *f = *state;
    static const char xml[] = XML_HEAD
        "<EPCISHeader><EPCISMasterData><VocabularyList>"
        "<Vocabulary type='urn:epcglobal:epcis:vtype:BusinessLocation'><VocabularyElementList>"
        "<VocabularyElement id='" L1 "'><attribute id='urn:epcglobal:cbv:mda:name'>Plant"
        "</attribute><children><id>urn:epc:id:sgln:0614141.00001.1</id>"
        "<id>urn:epc:id:sgln:0614141.00001.2</id></children></VocabularyElement>"
        "<VocabularyElement id='urn:epc:id:sgln:0614141.00001.2'><attribute "
        "id='urn:epcglobal:cbv:mda:name'>Dock</attribute></VocabularyElement>"
        "</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></EPCISHeader>"
        "<EPCISBody><EventList>" XOBJ("2024-04-02T08:00:00Z",
                                      7301) "</EventList></EPCISBody></epcis:EPCISDocument>";
    capture_ok(f->s, xml, 1, 0);
    assert_int_equal(links(f->s, KL1, KL1 "/254/1"), 1);
    assert_int_equal(links(f->s, KL1, KL1 "/254/2"), 1);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM location_child", NULL, 0), 2);

    /* JSON-LD: children is an array of identifiers */
    char *json = jdoc(OBJ("2024-04-02T08:00:00Z", "OBSERVE", "'" U(7302) "'", ""));
    static const char md[] =
        "'epcisHeader':{'epcisMasterData':{'vocabularyList':[{'type':"
        "'urn:epcglobal:epcis:vtype:ReadPoint','vocabularyElementList':[{'id':'" L2 "',"
        "'attributes':[{'id':'urn:epcglobal:cbv:mda:name','attribute':'Store'}],"
        "'children':['urn:epc:id:sgln:0614141.00002.1','urn:epc:id:sgln:0614141.00002.2']}]}]}},";
    char *p = strstr(json, "\"epcisBody\"");
    assert_non_null(p);
    size_t pre = (size_t)(p - json);
    char *doc = malloc(strlen(json) + sizeof md);
    assert_non_null(doc);
    memcpy(doc, json, pre);
    memcpy(doc + pre, md, sizeof md - 1);
    strcpy(doc + pre + sizeof md - 1, p);
    for (char *q = doc; *q; q++)
        if (*q == '\'')
            *q = '"';
    capture_ok(f->s, doc, 1, 0);
    assert_int_equal(links(f->s, KL2, KL2 "/254/1"), 1);
    assert_int_equal(links(f->s, KL2, KL2 "/254/2"), 1);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM location_child", NULL, 0), 4);

    /* the same master data again (with a new event) adds no row */
    char *again = strstr(doc, "7302");
    assert_non_null(again);
    memcpy(again, "7303", 4);
    capture_ok(f->s, doc, 1, 0);
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM location_child", NULL, 0), 4);
    free(doc);
    free(json);
}

/* ---- concurrency ----------------------------------------------------------------------------- */

#define THREADS 8
#define DOCS_PER_THREAD 20

struct worker {
    st_store *s;
    int n;      /* which thread */
    int stored; /* events stored */
    int failed; /* captures that failed */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < DOCS_PER_THREAD; i++) {
        char doc[1024];
        snprintf(doc, sizeof doc,
                 "{\"@context\":[\"" CTX "\"],\"type\":\"EPCISDocument\",\"schemaVersion\":"
                 "\"2.0\",\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{"
                 "\"eventList\":[{\"type\":\"ObjectEvent\",\"eventTime\":"
                 "\"2024-06-01T08:%02d:%02dZ\",\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":"
                 "[\"urn:epc:id:sgtin:0614141.107346.%d\"],\"action\":\"OBSERVE\"}]}}",
                 w->n, i, 100000 + w->n * 100 + i);
        st_capture_result res;
        if (st_store_capture_mem(w->s, doc, strlen(doc), "thread", &res, NULL) != ST_OK)
            w->failed++;
        else
            w->stored += (int)res.stored;
    }
    return NULL;
}

static void test_concurrency(void **state)
{
    fx *f = *state;
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){f->s, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    int stored = 0, failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        stored += w[i].stored;
        failed += w[i].failed;
    }
    assert_int_equal(failed, 0);
    assert_int_equal(stored, THREADS * DOCS_PER_THREAD);
    st_store_info info = info_of(f->s);
    assert_int_equal(info.events, THREADS * DOCS_PER_THREAD);
    assert_int_equal(info.batches, THREADS * DOCS_PER_THREAD);
    assert_int_equal(info.items, THREADS * DOCS_PER_THREAD);
    /* one event per link, links numbered without gaps */
    assert_int_equal(sql_int(f->s, "SELECT count(*) FROM batch WHERE events <> 1", NULL, 0), 0);
    assert_int_equal(sql_int(f->s, "SELECT max(id) FROM batch", NULL, 0),
                     THREADS * DOCS_PER_THREAD);
    st_audit_result r;
    assert_int_equal(st_store_audit_verify(f->s, &r, NULL), ST_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.batches, THREADS * DOCS_PER_THREAD);
    assert_int_equal(r.events, THREADS * DOCS_PER_THREAD);
    assert_string_equal(r.head, info.chain_head);
    json_t *t = trace(f->s, "urn:epc:id:sgtin:0614141.107346.100719", NULL);
    assert_jstr(t, "state.first_seen", "2024-06-01T08:07:19.000Z");
    json_decref(t);
}

/* ---- trace: identifiers ---------------------------------------------------------------------- */

static void test_trace_ids(void **state)
{
    fx *f = *state;
    CAPTURE_JSON(
        f->s, 2, 0,
        OBJ("2024-03-01T08:00:00Z", "ADD", "'" U(1001) "'",
            ",'bizStep':'commissioning','ilmd':{'cbvmda:lotNumber':'LOTA'}") "," AGG("2024-03-"
                                                                                     "01T09:00:00Z",
                                                                                     "ADD", CASE,
                                                                                     ",'childEPCs':"
                                                                                     "['" U(
                                                                                         1001) "']",
                                                                                     ""));

    st_error e;
    st_error_clear(&e);
    st_jw j;
    st_jw_init(&j);
    /* valid, never seen */
    assert_int_equal(st_trace_write(f->s, U(9999), NULL, &j, &e), ST_ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, KU(9999)));
    /* not an identifier */
    st_error_clear(&e);
    st_jw_reset(&j);
    assert_int_equal(st_trace_write(f->s, "not an identifier", NULL, &j, &e), ST_ERR_SYNTAX);
    assert_true(e.msg[0] != 0);
    assert_int_equal(st_trace_write(f->s, "", NULL, &j, NULL), ST_ERR_SYNTAX);
    assert_int_equal(st_trace_write(f->s, "(01)10614141073463(21)1001", NULL, &j, NULL),
                     ST_ERR_SYNTAX); /* check digit */
    st_jw_free(&j);

    /* EPC hex, from the public identifier API */
    st_id_opts o = {.gcp_len = 7};
    st_id *id = NULL;
    assert_int_equal(st_id_parse(U(1001), strlen(U(1001)), &o, &id, NULL), ST_OK);
    char hex[64];
    assert_int_equal(st_id_encode(id, "sgtin-96", 3, hex, sizeof hex, NULL), ST_OK);
    st_id_destroy(id);
    assert_string_equal(hex, "3074257BF468D480000003E9");

    const char *forms[] = {U(1001),
                           KU(1001),
                           "https://example.com/01/10614141073464/21/1001",
                           "(01)10614141073464(21)1001",
                           "0110614141073464211001",
                           hex};
    char *first = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char key[256];
        assert_int_equal(st_trace_key(forms[i], key, sizeof key, NULL), ST_OK);
        assert_string_equal(key, KU(1001));
        st_jw_init(&j);
        st_rc rc = st_trace_write(f->s, forms[i], NULL, &j, &e);
        if (rc)
            print_error("%s: %s\n", forms[i], e.msg);
        assert_int_equal(rc, ST_OK);
        char *out = strndup(j.p, j.n);
        st_jw_free(&j);
        if (!first) {
            first = out;
            json_t *t = trace(f->s, forms[i], NULL);
            assert_jstr(t, "key", KU(1001));
            assert_jstr(t, "container.0", KCASE);
            assert_jstr(t, "state.lot", KLOTA);
            assert_int_equal(jsize(t, "history"), 2);
            json_decref(t);
        } else {
            assert_string_equal(out, first);
            free(out);
        }
    }
    free(first);
    char small[8];
    assert_int_equal(st_trace_key(U(1001), small, sizeof small, NULL), ST_ERR_BUFFER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_container, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decommission, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_genealogy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masterdata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_ids, setup, teardown),
    };
    return st_test_run_on_urls("store suite", tests, sizeof tests / sizeof *tests, NULL, NULL,
                               &g_url);
}
