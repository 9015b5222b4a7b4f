/*
 * The item endpoints (router.h) over the trace API (serialtrack/trace.h):
 *   GET /items/{id}                  state, container chain and contents
 *   GET /items/{id}/history?limit=N  events in time order
 *   GET /items/{id}/genealogy?direction=up|down&depth=N
 * where {id} is any form of an identifier, percent-encoded (it arrives
 * decoded, slashes and all), and the same three on the server's own Digital
 * Link paths (GET /01/{gtin}/21/{serial}, /00/{sscc}, ...), which name the
 * item https://id.gs1.org + path; query attributes there are ignored.
 */
#include <serialtrack/id.h>
#include <serialtrack/limits.h>
#include <serialtrack/trace.h>
#include <string.h>

#include "api/router.h"

#define KEY_MAX 2048 /* bytes of a canonical key (as lib/trace allows) */
#define DL_STEM "https://id.gs1.org"

/* What is asked of an item: the suffix after its identifier names it. */
enum view { VIEW_STATE, VIEW_HISTORY, VIEW_GENEALOGY };

static const struct {
    const char *suffix; /* "/history" */
    enum view view;
} views[] = {
    {"/history", VIEW_HISTORY},
    {"/genealogy", VIEW_GENEALOGY},
};

/* ---- query parameters ----------------------------------------------------------- */

/*
 * Query parameter name as a whole number 1..max into *out; absent leaves
 * *out alone. 0 when absent or valid, else -1 with the 400 problem written.
 */
static int whole_param(const st_http_req *rq, st_http_resp *rs, const char *name, long max,
                       long *out)
{
    const char *v = st_http_query(rq, name);
    if (!v)
        return 0;
    long n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9'; i++)
        if (n <= max) /* no overflow: max is far below LONG_MAX / 10 */
            n = n * 10 + (v[i] - '0');
    if (!i || v[i] || n < 1) {
        st_http_problem(rs, 400, name, "%s: \"%.100s\" is not a whole number from 1 to %ld", name,
                        v, max);
        return -1;
    }
    if (n > max) {
        st_http_problem(rs, 400, name, "%s is %.100s; at most %ld is allowed", name, v, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* ---- cutting a history to its first events ---------------------------------------- */

/* Past the JSON string that starts at p (its opening quote). */
static const char *string_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

/* Past the JSON value that starts at p, in the compact, valid JSON st_jw
 * writes. */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;
    while (p < end) {
        switch (*p) {
        case '"':
            p = string_end(p, end);
            if (!depth)
                return p;
            continue;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (!depth)
                return p; /* a scalar ended with its container */
            if (!--depth)
                return p + 1;
            break;
        case ',':
            if (!depth)
                return p;
            break;
        }
        p++;
    }
    return end;
}

/*
 * The answer {"key", "history": [the first limit events of t's history],
 * "history_truncated": true when there were more} into out, from t, a
 * trace written with ST_TRACE_HISTORY only. The trace caps its history
 * before sorting, so the first events are cut here, after it sorted them.
 */
static void cut_history(const st_jw *t, const char *key, long limit, st_jw *out)
{
    const char *p = t->p, *end = t->p + t->n;
    const char *arr = NULL, *arr_end = NULL;
    int truncated = 0;
    if (p < end && *p == '{')
        p++;
    while (p < end && *p == '"') {
        const char *name = p, *name_end = string_end(p, end);
        size_t nn = (size_t)(name_end - name);
        p = name_end + 1; /* the colon */
        const char *v = p;
        p = value_end(p, end);
        if (nn == 9 && !memcmp(name, "\"history\"", 9) && *v == '[') {
            arr = v;
            arr_end = p;
        } else if (nn == 19 && !memcmp(name, "\"history_truncated\"", 19) && *v == 't') {
            truncated = 1;
        }
        if (p < end && *p == ',')
            p++;
    }
    st_jw_object_begin(out);
    st_jw_member_str(out, "key", key);
    st_jw_key(out, "history");
    st_jw_array_begin(out);
    long n = 0;
    for (const char *q = arr ? arr + 1 : NULL; q && q < arr_end && *q != ']'; n++) {
        const char *e = value_end(q, arr_end);
        if (n >= limit) {
            truncated = 1;
            break;
        }
        st_jw_raw(out, q, (size_t)(e - q));
        q = e < arr_end && *e == ',' ? e + 1 : e;
    }
    st_jw_array_end(out);
    if (truncated) {
        st_jw_key(out, "history_truncated");
        st_jw_bool(out, 1);
    }
    st_jw_object_end(out);
}

/* ---- one item ---------------------------------------------------------------------- */

/* The part of a trace a genealogy request asks for, or 0 with the 400
 * problem written. */
static unsigned direction_of(const st_http_req *rq, st_http_resp *rs)
{
    const char *d = st_http_query(rq, "direction");
    if (!d)
        return ST_TRACE_UP | ST_TRACE_DOWN;
    if (!strcmp(d, "up"))
        return ST_TRACE_UP;
    if (!strcmp(d, "down"))
        return ST_TRACE_DOWN;
    st_http_problem(rs, 400, "direction", "direction: \"%.100s\" is neither up nor down", d);
    return 0;
}

/*
 * The canonical key of text into key[0..KEY_MAX): any identifier
 * (st_trace_key), or with gs1 set only a valid GS1 identifier (a Digital
 * Link path on this server is never a private URI). The reason in e.
 */
static st_rc key_of(const char *text, int gs1, char *key, st_error *e)
{
    if (!gs1)
        return st_trace_key(text, key, KEY_MAX, e);
    st_id *id = NULL;
    st_rc rc = st_id_parse(text, strlen(text), NULL, &id, e);
    if (rc == ST_OK) {
        const char *k = st_id_key(id);
        size_t n = k ? strlen(k) : 0;
        if (n && n < KEY_MAX)
            memcpy(key, k, n + 1);
        else
            rc = ST_ERR_BUFFER;
    }
    st_id_destroy(id);
    return rc;
}

/* The 400 problem for an identifier that is none. */
static void not_an_id(st_http_resp *rs, const st_error *e)
{
    st_http_problem(rs, 400, "id", "%s", e->msg[0] ? e->msg : "the identifier is too long");
}

/*
 * Split text (the decoded identifier, possibly followed by a view suffix,
 * in the request's arena) into the canonical key of the item and the view.
 * A suffix is split off when what precedes it is an identifier; else the
 * whole text is one. 0, or -1 with the 400 problem written.
 */
static int resolve(st_http_resp *rs, char *text, int gs1, char *key, enum view *view)
{
    st_error e, whole;
    st_error_clear(&e);
    st_error_clear(&whole);
    size_t n = strlen(text);
    *view = VIEW_STATE;
    for (size_t i = 0; i < sizeof views / sizeof *views; i++) {
        size_t sn = strlen(views[i].suffix);
        if (n <= sn || strcmp(text + n - sn, views[i].suffix))
            continue;
        text[n - sn] = 0;
        st_rc rc = key_of(text, gs1, key, &e);
        text[n - sn] = '/';
        if (rc == ST_OK) {
            *view = views[i].view;
            return 0;
        }
        /* perhaps the suffix belongs to the identifier */
        if (key_of(text, gs1, key, &whole) == ST_OK)
            return 0;
        not_an_id(rs, &e);
        return -1;
    }
    if (key_of(text, gs1, key, &e) == ST_OK)
        return 0;
    not_an_id(rs, &e);
    return -1;
}

/* Answer for the item named by text (decoded, suffix included; copied
 * into the request's arena); gs1 as for key_of. */
static void answer(st_http_req *rq, st_http_resp *rs, const char *text, int gs1)
{
    char *t = st_arena_strndup(rq->a, text, strlen(text));
    if (!t) {
        st_http_problem(rs, 503, NULL, "out of memory");
        return;
    }
    char key[KEY_MAX];
    enum view view;
    if (resolve(rs, t, gs1, key, &view))
        return;
    st_trace_opts o = {0};
    o.scope = rq->scope;
    long limit = 0, depth = 0;
    switch (view) {
    case VIEW_STATE:
        o.parts = ST_TRACE_STATE | ST_TRACE_CONTAINER;
        break;
    case VIEW_HISTORY:
        o.parts = ST_TRACE_HISTORY;
        o.max_history = ST_TRACE_MAX_HISTORY;
        if (whole_param(rq, rs, "limit", ST_TRACE_MAX_HISTORY, &limit))
            return;
        break;
    case VIEW_GENEALOGY:
        if (!(o.parts = direction_of(rq, rs)) ||
            whole_param(rq, rs, "depth", ST_TRACE_MAX_NODES, &depth))
            return;
        o.depth = (int)depth;
        break;
    }
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_trace_write(rq->store, key, &o, &j, &e);
    if (rc) {
        unsigned status = st_http_status_of(rc);
        st_http_problem(rs, status, NULL, "%s", e.msg[0] ? e.msg : st_strerror(rc));
    } else if (limit) {
        st_jw cut;
        st_jw_init(&cut);
        if (j.failed)
            cut.failed = 1;
        else
            cut_history(&j, key, limit, &cut);
        st_http_send_json(rs, 200, &cut);
        st_jw_free(&cut);
    } else {
        st_http_send_json(rs, 200, &j);
    }
    st_jw_free(&j);
}

/* GET /items/{id*}: the identifier (and view suffix) is the rest of the path. */
static void item(st_http_req *rq, st_http_resp *rs)
{
    answer(rq, rs, rq->param[0], 0);
}

/* GET /{primary key AI}/...: the path is a Digital Link on this server. */
static void dl_path(st_http_req *rq, st_http_resp *rs)
{
    size_t n = strlen(rq->path);
    char *dl = st_arena_alloc(rq->a, sizeof DL_STEM + n);
    if (!dl) {
        st_http_problem(rs, 503, NULL, "out of memory");
        return;
    }
    memcpy(dl, DL_STEM, sizeof DL_STEM - 1);
    memcpy(dl + sizeof DL_STEM - 1, rq->path, n + 1);
    answer(rq, rs, dl, 1);
}

/* The Digital Link primary keys (the AIs flagged ST_AI_DL_PKEY in the AI
 * table), each followed by its value and any qualifiers. */
const st_route st_routes_items[] = {
    {"GET", "/items/{id*}", item, ST_ROLES_READ},
    {"GET", "/00/{dl*}", dl_path, ST_ROLES_READ},   /* SSCC */
    {"GET", "/01/{dl*}", dl_path, ST_ROLES_READ},   /* GTIN (/22, /10, /21, /235) */
    {"GET", "/253/{dl*}", dl_path, ST_ROLES_READ},  /* GDTI */
    {"GET", "/255/{dl*}", dl_path, ST_ROLES_READ},  /* GCN */
    {"GET", "/401/{dl*}", dl_path, ST_ROLES_READ},  /* GINC */
    {"GET", "/402/{dl*}", dl_path, ST_ROLES_READ},  /* GSIN */
    {"GET", "/414/{dl*}", dl_path, ST_ROLES_READ},  /* GLN of a location (/254, /7040) */
    {"GET", "/415/{dl*}", dl_path, ST_ROLES_READ},  /* GLN of the invoicing party (/8020) */
    {"GET", "/417/{dl*}", dl_path, ST_ROLES_READ},  /* party GLN (/7040) */
    {"GET", "/8003/{dl*}", dl_path, ST_ROLES_READ}, /* GRAI */
    {"GET", "/8004/{dl*}", dl_path, ST_ROLES_READ}, /* GIAI (/7040) */
    {"GET", "/8006/{dl*}", dl_path, ST_ROLES_READ}, /* ITIP (/22, /10, /21) */
    {"GET", "/8010/{dl*}", dl_path, ST_ROLES_READ}, /* CPID (/8011) */
    {"GET", "/8013/{dl*}", dl_path, ST_ROLES_READ}, /* GMN */
    {"GET", "/8017/{dl*}", dl_path, ST_ROLES_READ}, /* GSRN of a provider (/8019) */
    {"GET", "/8018/{dl*}", dl_path, ST_ROLES_READ}, /* GSRN of a recipient (/8019) */
    {NULL, NULL, NULL, 0},
};
