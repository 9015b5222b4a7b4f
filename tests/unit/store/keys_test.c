/*
 * API keys in the store (lib/store/keys.c, include/serialtrack/keys.h):
 * create, list, lookup, revoke; refused names, roles and parties; only a
 * hash is stored; and the schema migration v1 -> v2 that adds the table,
 * on a v1 store made by hand from the released v1 DDL (on PostgreSQL: a
 * current store taken back to v1). Runs on every store URL
 * (tests/unit/store_urls.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "unit/store_urls.h"
#include "unit/tmp_store.h"

#include "store/sqlite_int.h"
#include "store/store_int.h"

typedef st_url_store fx; /* the store (t.s) of the URL template being run */

static const char *g_url; /* the store URL template being run (unit/store_urls.h) */

static int setup(void **state)
{
    return st_test_url_setup(state, g_url, "keys");
}

static int teardown(void **state)
{
    return st_test_url_teardown(state);
}

/* ---- helpers ----------------------------------------------------------------------- */

typedef struct listing {
    int n;
    st_key_info k[8];
} listing;

static st_rc collect(void *ctx, const st_key_info *k)
{
    listing *l = ctx;
    if (l->n < 8)
        l->k[l->n] = *k;
    l->n++;
    return ST_OK;
}

static listing list_of(st_store *s)
{
    listing l = {0};
    assert_int_equal(st_keys_list(s, collect, &l, NULL), ST_OK);
    return l;
}

static int64_t count_of(st_store *s)
{
    int64_t n = -1;
    assert_int_equal(st_keys_count(s, &n, NULL), ST_OK);
    return n;
}

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : -1;
    return ST_OK;
}

static void assert_key_form(const char *key)
{
    assert_int_equal(strlen(key), ST_KEY_LEN);
    assert_memory_equal(key, ST_KEY_PREFIX, 4);
    for (const char *p = key + 4; *p; p++)
        assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", *p));
}

/* ---- create, list, lookup, revoke ---------------------------------------------------- */

static void test_create_list_revoke(void **state)
{
    fx *f = *state;
    assert_int_equal(count_of(f->t.s), 0);
    assert_int_equal(list_of(f->t.s).n, 0);

    char admin[ST_KEY_LEN + 1], partner[ST_KEY_LEN + 1];
    st_error e;
    assert_int_equal(st_keys_create(f->t.s, "ops", "admin", NULL, admin, sizeof admin, &e), ST_OK);
    assert_key_form(admin);
    assert_int_equal(st_keys_create(f->t.s, "acme-dc_1.x", "partner",
                                    "urn:epc:id:pgln:0614141.00000", partner, sizeof partner, &e),
                     ST_OK);
    assert_key_form(partner);
    assert_string_not_equal(admin, partner);
    assert_int_equal(count_of(f->t.s), 2);

    listing l = list_of(f->t.s);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.k[0].name, "ops");
    assert_int_equal(l.k[0].role, ST_KEY_ROLE_ADMIN);
    assert_string_equal(l.k[0].party, "");
    assert_true(l.k[0].created_ms > 1600000000000LL);
    assert_int_equal(l.k[0].revoked_ms, 0);
    assert_string_equal(l.k[1].name, "acme-dc_1.x");
    assert_int_equal(l.k[1].role, ST_KEY_ROLE_PARTNER);
    assert_string_equal(l.k[1].party, "urn:epc:id:pgln:0614141.00000");

    st_key_info k;
    assert_int_equal(st_keys_lookup(f->t.s, partner, &k, NULL), ST_OK);
    assert_string_equal(k.name, "acme-dc_1.x");
    assert_int_equal(k.role, ST_KEY_ROLE_PARTNER);
    assert_string_equal(k.party, "urn:epc:id:pgln:0614141.00000");
    assert_int_equal(k.revoked_ms, 0);

    assert_int_equal(st_keys_revoke(f->t.s, "ops", &e), ST_OK);
    assert_int_equal(st_keys_lookup(f->t.s, admin, &k, NULL), ST_OK);
    assert_string_equal(k.name, "ops");
    assert_true(k.revoked_ms >= k.created_ms);
    int64_t when = k.revoked_ms;
    assert_int_equal(st_keys_revoke(f->t.s, "ops", &e), ST_OK); /* again: nothing changes */
    assert_int_equal(st_keys_lookup(f->t.s, admin, &k, NULL), ST_OK);
    assert_int_equal(k.revoked_ms, when);
    l = list_of(f->t.s);
    assert_int_equal(l.n, 2); /* revoked keys stay listed */
    assert_true(l.k[0].revoked_ms > 0);
    assert_int_equal(l.k[1].revoked_ms, 0);

    assert_int_equal(st_keys_revoke(f->t.s, "nobody", &e), ST_ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "no key named \"nobody\""));
}

static void test_duplicate_name(void **state)
{
    fx *f = *state;
    char key[ST_KEY_LEN + 1];
    st_error e;
    assert_int_equal(st_keys_create(f->t.s, "line-7", "capture", NULL, key, sizeof key, &e), ST_OK);
    assert_int_equal(st_keys_create(f->t.s, "line-7", "query", NULL, key, sizeof key, &e),
                     ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "a key named \"line-7\" exists already"));
    assert_string_equal(key, ""); /* no key handed out */
    assert_int_equal(st_keys_revoke(f->t.s, "line-7", NULL), ST_OK);
    /* a revoked name is not free again: it names a former caller */
    assert_int_equal(st_keys_create(f->t.s, "line-7", "capture", NULL, key, sizeof key, &e),
                     ST_ERR_ARG);
    assert_int_equal(count_of(f->t.s), 1);
}

static void test_refused(void **state)
{
    fx *f = *state;
    char key[ST_KEY_LEN + 1], small[ST_KEY_LEN];
    char long_name[ST_KEY_NAME_MAX + 2], long_party[ST_KEY_PARTY_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    memset(long_party, 'p', sizeof long_party - 1);
    long_party[sizeof long_party - 1] = 0;
    static const struct {
        const char *name, *role, *party;
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"a", "root", NULL, ST_ERR_ARG,
         "role \"root\" is not one of admin, capture, query, partner"},
        {"a", "Admin", NULL, ST_ERR_ARG, "is not one of"},
        {"a", "", NULL, ST_ERR_ARG, "is not one of"},
        {"a", NULL, NULL, ST_ERR_ARG, "is not one of"},
        {"", "admin", NULL, ST_ERR_ARG, "a key name has 1 to 64 characters"},
        {NULL, "admin", NULL, ST_ERR_ARG, "a key name has 1 to 64 characters"},
        {"two words", "admin", NULL, ST_ERR_ARG, "character 4 is not one of"},
        {"x/y", "query", NULL, ST_ERR_ARG, "character 2 is not one of"},
        {"p", "partner", NULL, ST_ERR_ARG, "a partner key needs the party"},
        {"p", "partner", "", ST_ERR_ARG, "a partner key needs the party"},
        {"p", "partner", "a b", ST_ERR_ARG, "space or control character at byte 1"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        st_error e;
        st_error_clear(&e);
        st_rc rc =
            st_keys_create(f->t.s, rows[i].name, rows[i].role, rows[i].party, key, sizeof key, &e);
        if (rc != rows[i].rc || !strstr(e.msg, rows[i].msg))
            fail_msg("row %zu: rc %d, message \"%s\"; expected %d and \"%s\"", i, rc, e.msg,
                     rows[i].rc, rows[i].msg);
        assert_string_equal(key, "");
    }
    st_error e;
    assert_int_equal(st_keys_create(f->t.s, long_name, "admin", NULL, key, sizeof key, &e),
                     ST_ERR_ARG);
    assert_int_equal(st_keys_create(f->t.s, "p", "partner", long_party, key, sizeof key, &e),
                     ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "the limit is 255"));
    assert_int_equal(st_keys_create(f->t.s, "a", "admin", NULL, small, sizeof small, &e),
                     ST_ERR_BUFFER);
    assert_int_equal(count_of(f->t.s), 0); /* nothing was stored by any of them */
}

static void test_lookup_and_hash_only(void **state)
{
    fx *f = *state;
    char key[ST_KEY_LEN + 1];
    assert_int_equal(st_keys_create(f->t.s, "q", "query", NULL, key, sizeof key, NULL), ST_OK);
    st_key_info k;
    assert_int_equal(st_keys_lookup(f->t.s, key, &k, NULL), ST_OK);
    assert_int_equal(k.role, ST_KEY_ROLE_QUERY);

    char other[ST_KEY_LEN + 1];
    memcpy(other, key, sizeof other);
    other[10] = other[10] == 'a' ? 'b' : 'a'; /* one character off */
    const char *bad[] = {other, "", "stk_", "stk_short", "Bearer x", key + 1};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        st_error e;
        assert_int_equal(st_keys_lookup(f->t.s, bad[i], &k, &e), ST_ERR_NOT_FOUND);
        assert_int_equal(k.id, 0);
    }
    assert_int_equal(st_keys_lookup(f->t.s, NULL, &k, NULL), ST_ERR_NOT_FOUND);

    /* the key's text is in no column; the hash column is SHA-256 of the key */
    int64_t n = -1;
    st_val arg = st_val_text(key);
    assert_int_equal(st_store_exec(f->t.s,
                                   "SELECT count(*) FROM api_key WHERE name = $1 OR role = $1"
                                   " OR party = $1 OR CAST(hash AS TEXT) = $1",
                                   &arg, 1, row_int, &n, NULL),
                     ST_OK);
    assert_int_equal(n, 0);
    unsigned char h[32];
    unsigned hl = 0;
    assert_int_equal(EVP_Digest(key, strlen(key), h, &hl, EVP_sha256(), NULL), 1);
    arg = st_val_blob(h, sizeof h);
    assert_int_equal(st_store_exec(f->t.s, "SELECT count(*) FROM api_key WHERE hash = $1", &arg, 1,
                                   row_int, &n, NULL),
                     ST_OK);
    assert_int_equal(n, 1);
}

/* ---- migration v1 -> v2 ---------------------------------------------------------- */

/* On PostgreSQL: the current store, taken back to v1 (the tables of later
 * migrations dropped, version 1 recorded), must refuse to open, then migrate
 * through every later migration. */
static void migrate_pg(fx *f)
{
    st_store *s = f->t.s;
    assert_int_equal(st_store_admin_exec(
                         s,
                         "INSERT INTO ident(key) VALUES ('https://id.gs1.org/414/0614141000012')",
                         NULL, 0, NULL, NULL, NULL, NULL),
                     ST_OK);
    /* every table a migration after v1 added */
    assert_int_equal(st_store_admin_exec(s,
                                         "DROP TABLE api_key, serial_counter, serial_alloc,"
                                         " named_query, item_life, location_geo, anomaly, recall,"
                                         " recall_unit, warranty_terms, ownership,"
                                         " warranty_claim, item_return, lineage_node, lineage_leaf,"
                                         " lineage_class, lineage_state",
                                         NULL, 0, NULL, NULL, NULL, NULL),
                     ST_OK);
    /* and every column (v11: the links' identifier bound) */
    assert_int_equal(st_store_admin_exec(s, "ALTER TABLE batch DROP COLUMN ident_hw", NULL, 0, NULL,
                                         NULL, NULL, NULL),
                     ST_OK);
    assert_int_equal(st_store_admin_exec(s, "UPDATE schema_version SET version = 1", NULL, 0, NULL,
                                         NULL, NULL, NULL),
                     ST_OK);
    st_store_close(s);
    f->t.s = NULL;
    st_error e;
    assert_int_equal(st_store_open(f->url, NULL, &s, &e), ST_ERR_UNSUPPORTED);
    char needs[64];
    snprintf(needs, sizeof needs, "schema version 1; this serialtrack needs %d", ST_SCHEMA_VERSION);
    assert_non_null(strstr(e.msg, needs));
    assert_non_null(strstr(e.msg, "db migrate"));
    st_store_opts ro = {.read_only = 1}, mig = {.migrate = 1};
    assert_int_equal(st_store_open(f->url, &ro, &s, &e), ST_ERR_UNSUPPORTED);
    assert_int_equal(st_store_open(f->url, &mig, &s, &e), ST_OK);
    int from = 0, to = 0;
    assert_int_equal(st_store_migrate(s, &from, &to, &e), ST_OK);
    assert_int_equal(from, 1);
    assert_int_equal(to, ST_SCHEMA_VERSION); /* every later migration runs too */
    st_store_info info;
    assert_int_equal(st_store_info_get(s, &info, NULL), ST_OK);
    assert_int_equal(info.schema_version, ST_SCHEMA_VERSION);
    assert_int_equal(info.identifiers, 1); /* the v1 data is kept */
    char key[ST_KEY_LEN + 1];
    assert_int_equal(st_keys_create(s, "after", "admin", NULL, key, sizeof key, &e), ST_OK);
    st_store_close(s);
    assert_int_equal(st_store_open(f->url, &ro, &s, &e), ST_OK);
    st_key_info k;
    assert_int_equal(st_keys_lookup(s, key, &k, NULL), ST_OK);
    assert_string_equal(k.name, "after");
    assert_int_equal(st_keys_create(s, "ro", "query", NULL, key, sizeof key, &e), ST_ERR_ARG);
    st_store_close(s);
    assert_int_equal(st_store_open(f->url, NULL, &f->t.s, &e), ST_OK); /* for the teardown */
}

static void test_migrate_v1_to_v2(void **state)
{
    fx *f = *state;
    if (strncmp(g_url, "sqlite:", 7)) {
        migrate_pg(f);
        return;
    }
    char path[400];
    snprintf(path, sizeof path, "%s/v1.db", f->t.dir);
    /* a store as the released v1 wrote it: v1 DDL, user_version 1, one identifier */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, st_sqlite_migrations[0], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO ident(key) VALUES ('https://id.gs1.org/414/0614141000012');"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    st_store *s = NULL;
    st_error e;
    assert_int_equal(st_store_open(path, NULL, &s, &e), ST_ERR_UNSUPPORTED);
    char needs[64];
    snprintf(needs, sizeof needs, "schema version 1; this serialtrack needs %d", ST_SCHEMA_VERSION);
    assert_non_null(strstr(e.msg, needs));
    assert_non_null(strstr(e.msg, "db migrate"));
    st_store_opts ro = {.read_only = 1};
    assert_int_equal(st_store_open(path, &ro, &s, &e), ST_ERR_UNSUPPORTED);

    st_store_opts mig = {.migrate = 1};
    assert_int_equal(st_store_open(path, &mig, &s, &e), ST_OK);
    int from = 0, to = 0;
    assert_int_equal(st_store_migrate(s, &from, &to, &e), ST_OK);
    assert_int_equal(from, 1);
    assert_int_equal(to, ST_SCHEMA_VERSION); /* every later migration runs too */
    st_store_info info;
    assert_int_equal(st_store_info_get(s, &info, NULL), ST_OK);
    assert_int_equal(info.schema_version, ST_SCHEMA_VERSION);
    assert_int_equal(info.identifiers, 1); /* the v1 data is kept */
    char key[ST_KEY_LEN + 1];
    assert_int_equal(st_keys_create(s, "after", "admin", NULL, key, sizeof key, &e), ST_OK);
    st_store_close(s);

    /* now current: opens without migrating, read-only too, and the key is there */
    assert_int_equal(st_store_open(path, &ro, &s, &e), ST_OK);
    int64_t n = -1;
    assert_int_equal(st_store_exec(s, "PRAGMA user_version", NULL, 0, row_int, &n, NULL), ST_OK);
    assert_int_equal(n, ST_SCHEMA_VERSION);
    st_key_info k;
    assert_int_equal(st_keys_lookup(s, key, &k, NULL), ST_OK);
    assert_string_equal(k.name, "after");
    /* a read-only handle cannot write keys */
    assert_int_equal(st_keys_create(s, "ro", "query", NULL, key, sizeof key, &e), ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "read-only"));
    assert_int_equal(st_keys_revoke(s, "after", &e), ST_ERR_ARG);
    st_store_close(s);
    char p[420];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static void test_roles(void **state)
{
    (void)state;
    const char *names[] = {"admin", "capture", "query", "partner"};
    unsigned bits[] = {ST_KEY_ROLE_ADMIN, ST_KEY_ROLE_CAPTURE, ST_KEY_ROLE_QUERY,
                       ST_KEY_ROLE_PARTNER};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(st_key_role_parse(names[i]), bits[i]);
        assert_string_equal(st_key_role_name(bits[i]), names[i]);
    }
    assert_int_equal(st_key_role_parse("ADMIN"), 0);
    assert_int_equal(st_key_role_parse(NULL), 0);
    assert_string_equal(st_key_role_name(0), "none");
    assert_string_equal(st_key_role_name(ST_KEY_ROLE_ADMIN | ST_KEY_ROLE_QUERY), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test_setup_teardown(test_create_list_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_and_hash_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_v1_to_v2, setup, teardown),
    };
    return st_test_run_on_urls("keys suite", tests, sizeof tests / sizeof *tests, NULL, NULL,
                               &g_url);
}
