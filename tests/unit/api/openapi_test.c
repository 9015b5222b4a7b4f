/*
 * Tests for the OpenAPI description served by GET /openapi.json
 * (docs/openapi.json, embedded by CMakeLists.txt; lib/api/openapi.h): the
 * embedded bytes are the document, it parses as an OpenAPI 3 object with
 * the Bearer API key scheme and problem+json errors, and every route of
 * every route table (router.h) is described with its method, so the
 * description cannot fall behind the server. OPTIONS routes, which exist
 * for CORS and the GS1 headers, need not be described.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/openapi.h"
#include "api/router.h"

static json_t *load(void)
{
    json_error_t e;
    json_t *doc = json_loadb(st_openapi_json, st_openapi_json_len, 0, &e);
    if (!doc)
        fail_msg("docs/openapi.json does not parse: line %d: %s", e.line, e.text);
    return doc;
}

/* A path template with every "{name}" or "{name*}" as "{}", into out. */
static void shape(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    while (*p && n + 3 < cap) {
        if (*p == '{') {
            while (*p && *p != '}')
                p++;
            if (*p)
                p++;
            out[n++] = '{';
            out[n++] = '}';
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = 0;
}

/* The paths object's member whose template has the shape of pattern. */
static json_t *path_item(json_t *paths, const char *pattern)
{
    char want[512], got[512];
    shape(pattern, want, sizeof want);
    const char *k;
    json_t *v;
    json_object_foreach(paths, k, v)
    {
        shape(k, got, sizeof got);
        if (!strcmp(got, want))
            return v;
    }
    return NULL;
}

static void test_parses(void **state)
{
    (void)state;
    assert_true(st_openapi_json_len > 1000);
    json_t *doc = load();
    const char *v = json_string_value(json_object_get(doc, "openapi"));
    assert_non_null(v);
    assert_int_equal(v[0], '3');
    json_t *sch = json_object_get(
        json_object_get(json_object_get(doc, "components"), "securitySchemes"), "apiKey");
    assert_string_equal(json_string_value(json_object_get(sch, "scheme")), "bearer");
    json_t *problem = json_object_get(
        json_object_get(json_object_get(doc, "components"), "responses"), "NotFound");
    assert_non_null(
        json_object_get(json_object_get(problem, "content"), "application/problem+json"));
    json_decref(doc);
}

static void check_table(json_t *paths, const st_route *t)
{
    for (const st_route *r = t; r->method; r++) {
        if (!strcmp(r->method, "OPTIONS"))
            continue;
        json_t *item = path_item(paths, r->pattern);
        if (!item)
            fail_msg("route %s %s is not in docs/openapi.json", r->method, r->pattern);
        char m[16];
        size_t i = 0;
        for (; r->method[i] && i < sizeof m - 1; i++)
            m[i] = (char)tolower((unsigned char)r->method[i]);
        m[i] = 0;
        if (!json_object_get(item, m))
            fail_msg("route %s %s: docs/openapi.json describes the path, not the method", r->method,
                     r->pattern);
    }
}

static void test_every_route(void **state)
{
    (void)state;
    json_t *doc = load();
    json_t *paths = json_object_get(doc, "paths");
    assert_non_null(paths);
    check_table(paths, st_routes_ops);
    check_table(paths, st_routes_epcis);
    check_table(paths, st_routes_items);
    check_table(paths, st_routes_stream);
    check_table(paths, st_routes_serials);
    check_table(paths, st_routes_anomaly);
    check_table(paths, st_routes_recall);
    check_table(paths, st_routes_warranty);
    check_table(paths, st_routes_returns);
    /* and the ones this server is known by */
    assert_non_null(json_object_get(paths, "/healthz"));
    assert_non_null(json_object_get(paths, "/stream"));
    assert_non_null(json_object_get(paths, "/metrics"));
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parses),
        cmocka_unit_test(test_every_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
