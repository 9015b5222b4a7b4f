/*
 * The store URLs the backend suites run against (tests/unit/store/ suites):
 * $ST_TEST_STORE_URLS when set (space-separated templates), else one SQLite
 * store and, when $ST_TEST_PG_URL names a PostgreSQL server (make test
 * starts one: scripts/pg-test-server.sh), one PostgreSQL store in a schema
 * of its own. In a template "{tmp}" becomes the test's fresh temporary
 * folder and "{name}" that folder's name (a fresh PostgreSQL schema).
 * Without a PostgreSQL server the suites say so, and fail when CI=true.
 * Test-only, static inline.
 */
#ifndef ST_TEST_STORE_URLS_H
#define ST_TEST_STORE_URLS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/store.h>

#include "store/store_int.h"
#include "unit/tmp_store.h"

/* The templates, malloc'd (the caller frees); NULL when PostgreSQL is
 * required (CI=true) but not given: the suite must fail. */
static inline char *st_test_store_urls(const char *suite)
{
    const char *env = getenv("ST_TEST_STORE_URLS");
    if (env && *env)
        return strdup(env);
    const char *pg = getenv("ST_TEST_PG_URL");
    const char *ci = getenv("CI");
    if (!pg || !*pg) {
        fprintf(stderr,
                "%s: ST_TEST_PG_URL is not set: the PostgreSQL backend is NOT tested "
                "(make test starts a server; or point ST_TEST_PG_URL at one)\n",
                suite);
        if (ci && !strcmp(ci, "true")) {
            fprintf(stderr, "%s: CI=true: a PostgreSQL server is required\n", suite);
            return NULL;
        }
        return strdup("sqlite:{tmp}/st.db");
    }
    size_t n = strlen(pg) + 64;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "sqlite:{tmp}/st.db %s%cschema={name}", pg, strchr(pg, '?') ? '&' : '?');
    return s;
}

/* template with "{tmp}" replaced by dir and "{name}" by dir's last part
 * (lower case: PostgreSQL folds unquoted names), into out. */
static inline void st_test_expand(const char *template, const char *dir, char *out, size_t cap)
{
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    size_t n = 0;
    for (const char *p = template; *p && n + 1 < cap;) {
        if (!strncmp(p, "{tmp}", 5)) {
            n += (size_t)snprintf(out + n, cap - n, "%s", dir);
            p += 5;
        } else if (!strncmp(p, "{name}", 6)) {
            for (const char *b = base; *b && n + 1 < cap; b++)
                out[n++] = *b >= 'A' && *b <= 'Z'                                 ? (char)(*b + 32)
                           : (*b >= 'a' && *b <= 'z') || (*b >= '0' && *b <= '9') ? *b
                                                                                  : '_';
            p += 6;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < cap ? n : cap - 1] = 0;
}

/* A PostgreSQL store of url in a schema of its own (schema=NAME): drop that
 * schema, so a developer's server keeps nothing of the test. Call before
 * closing s; nothing for other URLs. */
static inline void st_test_store_drop(st_store *s, const char *url)
{
    const char *sc = strstr(url, "schema=");
    if (!s || strncmp(url, "postgres", 8) || !sc)
        return;
    char sql[160];
    snprintf(sql, sizeof sql, "DROP SCHEMA \"%.*s\" CASCADE", (int)strcspn(sc + 7, "&"), sc + 7);
    st_store_admin_exec(s, sql, NULL, 0, NULL, NULL, NULL, NULL);
}

/* A store of a URL template in a fresh temporary folder: what the suites'
 * setups share. */
typedef struct st_url_store {
    tmp_store t;    /* the store (t.s), its temporary folder */
    char url[1024]; /* the store's URL: the template expanded */
} st_url_store;

/* Open u on template tmpl in a new folder named after tag: 0, or -1 (with
 * the reason on stderr; nothing is left behind). */
static inline int st_test_url_store_open(st_url_store *u, const char *tmpl, const char *tag)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(u->t.dir, sizeof u->t.dir, "%s/st_%s_XXXXXX", base, tag);
    if (!mkdtemp(u->t.dir))
        return -1;
    snprintf(u->t.path, sizeof u->t.path, "%s/st.db", u->t.dir);
    st_test_expand(tmpl, u->t.dir, u->url, sizeof u->url);
    st_error e;
    st_error_clear(&e);
    if (st_store_open(u->url, NULL, &u->t.s, &e) != ST_OK) {
        fprintf(stderr, "opening %s: %s\n", u->url, e.msg);
        tmp_store_remove(&u->t);
        return -1;
    }
    return 0;
}

/* Drop u's PostgreSQL schema (if any), close it, remove its folder. */
static inline void st_test_url_store_close(st_url_store *u)
{
    st_test_store_drop(u->t.s, u->url);
    tmp_store_remove(&u->t);
}

/* A cmocka setup's work: a new st_url_store on template url, in a folder
 * named after tag, into *state; 0 or -1. */
static inline int st_test_url_setup(void **state, const char *url, const char *tag)
{
    st_url_store *u = calloc(1, sizeof *u);
    if (!u || st_test_url_store_open(u, url, tag)) {
        free(u);
        return -1;
    }
    *state = u;
    return 0;
}

/* The matching teardown: drop, close and free *state. */
static inline int st_test_url_teardown(void **state)
{
    st_test_url_store_close(*state);
    free(*state);
    return 0;
}

/* Run tests[0..n) (cmocka group setup gs and teardown gt, may be NULL)
 * once per store URL template of st_test_store_urls(suite), *url set to
 * each in turn: main's exit status (1 when any failed, or when PostgreSQL
 * is required but not given). */
static inline int st_test_run_on_urls(const char *suite, const struct CMUnitTest *tests, size_t n,
                                      CMFixtureFunction gs, CMFixtureFunction gt, const char **url)
{
    char *list = st_test_store_urls(suite);
    if (!list)
        return 1;
    int failed = 0;
    char *save = NULL;
    for (char *u = strtok_r(list, " \t\n", &save); u; u = strtok_r(NULL, " \t\n", &save)) {
        *url = u;
        char name[600];
        snprintf(name, sizeof name, "%s on %s", suite, u);
        failed += _cmocka_run_group_tests(name, tests, n, gs, gt);
    }
    free(list);
    return failed ? 1 : 0;
}

#endif
