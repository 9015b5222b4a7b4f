/*
 * Sealing personal data (lib/common/seal.c, include/serialtrack/seal.h):
 * keys in hex and base64 with and without an id, refused keys, round trips,
 * a fresh nonce per value, and every way a sealed value must fail to open:
 * a changed byte anywhere, another key, another key id, other associated
 * data, a truncated value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/seal.h>

#define HEX1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEX2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define B64_1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" /* the bytes of HEX1 */

/* 1 when needle[0..m) occurs in hay[0..n). */
static int contains(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static st_seal_key *key(const char *text)
{
    st_seal_key *k = NULL;
    st_error e;
    if (st_seal_key_parse(text, strlen(text), &k, &e) != ST_OK)
        fail_msg("key [%s] refused: %s", text, e.msg);
    return k;
}

static void test_keys(void **state)
{
    (void)state;
    st_seal_key *a = key(HEX1), *b = key("  " B64_1 "\n"), *c = key("7:" HEX1);
    assert_int_equal(st_seal_key_id(a), 1);
    assert_int_equal(st_seal_key_id(c), 7);
    /* hex and base64 of the same bytes are the same key */
    unsigned char sealed[64];
    size_t n = 0;
    char out[64];
    assert_int_equal(st_seal(a, "Ada", 3, "aad", sealed, sizeof sealed, &n, NULL), ST_OK);
    assert_int_equal(st_unseal(b, sealed, n, "aad", out, sizeof out, NULL, NULL), ST_OK);
    assert_string_equal(out, "Ada");
    st_seal_key_destroy(a);
    st_seal_key_destroy(b);
    st_seal_key_destroy(c);
    st_seal_key_destroy(NULL);
    static const struct {
        const char *text;
        st_rc rc;
        const char *msg;
    } bad[] = {
        {"", ST_ERR_LENGTH, "64 hex digits"},
        {"00010203", ST_ERR_LENGTH, "has 8 characters"},
        {HEX1 "00", ST_ERR_LENGTH, "has 66 characters"},
        {"zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", ST_ERR_LENGTH, "hex"},
        {"0:" HEX1, ST_ERR_SYNTAX, "1 to 255"},
        {"256:" HEX1, ST_ERR_SYNTAX, "1 to 255"},
        {"x:" HEX1, ST_ERR_SYNTAX, "1 to 255"},
        {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", ST_ERR_LENGTH, "base64"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        st_seal_key *k = (st_seal_key *)1;
        st_error e;
        st_error_clear(&e);
        assert_int_equal(st_seal_key_parse(bad[i].text, strlen(bad[i].text), &k, &e), bad[i].rc);
        assert_null(k);
        if (!strstr(e.msg, bad[i].msg))
            fail_msg("row %zu: [%s] lacks [%s]", i, e.msg, bad[i].msg);
    }
    st_seal_key *k = NULL;
    st_error e;
    assert_int_equal(st_seal_key_load("/nonexistent/serialtrack.key", &k, &e), ST_ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/serialtrack.key"));
}

static void test_round_trip(void **state)
{
    (void)state;
    st_seal_key *k = key(HEX1);
    const char *v[] = {"", "A", "Ada Lovelace", "ada@example.com, +44 20 7946 0000, flat 3"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        unsigned char s1[128], s2[128];
        size_t n1 = 0, n2 = 0, m = 99;
        size_t len = strlen(v[i]);
        assert_int_equal(st_seal(k, v[i], len, "f|k", s1, sizeof s1, &n1, NULL), ST_OK);
        assert_int_equal(n1, len + ST_SEAL_OVERHEAD);
        assert_int_equal(s1[0], 1);
        /* the same value twice: another nonce, another ciphertext */
        assert_int_equal(st_seal(k, v[i], len, "f|k", s2, sizeof s2, &n2, NULL), ST_OK);
        assert_memory_not_equal(s1 + 1, s2 + 1, ST_SEAL_NONCE_BYTES);
        if (len >= 3)
            assert_false(contains(s1, n1, v[i], len));
        char out[128];
        assert_int_equal(st_unseal(k, s1, n1, "f|k", out, sizeof out, &m, NULL), ST_OK);
        assert_string_equal(out, v[i]);
        assert_int_equal(m, len);
    }
    st_seal_key_destroy(k);
}

static void test_tampered(void **state)
{
    (void)state;
    st_seal_key *k = key(HEX1), *other = key(HEX2), *other_id = key("2:" HEX1);
    const char *v = "Grace Hopper";
    unsigned char s[64];
    size_t n = 0;
    char out[64];
    st_error e;
    assert_int_equal(st_seal(k, v, strlen(v), "name|unit-1", s, sizeof s, &n, NULL), ST_OK);
    /* every byte after the key id, changed, fails to open */
    for (size_t i = 1; i < n; i++) {
        s[i] ^= 0x01;
        st_error_clear(&e);
        if (st_unseal(k, s, n, "name|unit-1", out, sizeof out, NULL, &e) != ST_ERR_INTEGRITY)
            fail_msg("byte %zu changed and the value still opened", i);
        s[i] ^= 0x01;
    }
    assert_non_null(strstr(e.msg, "does not authenticate"));
    /* another key with the same id */
    assert_int_equal(st_unseal(other, s, n, "name|unit-1", out, sizeof out, NULL, &e),
                     ST_ERR_INTEGRITY);
    /* another key id */
    assert_int_equal(st_unseal(other_id, s, n, "name|unit-1", out, sizeof out, NULL, &e),
                     ST_ERR_ARG);
    assert_non_null(strstr(e.msg, "sealed under data key 1; the key configured is key 2"));
    /* moved to another unit or field */
    assert_int_equal(st_unseal(k, s, n, "name|unit-2", out, sizeof out, NULL, &e),
                     ST_ERR_INTEGRITY);
    assert_int_equal(st_unseal(k, s, n, "contact|unit-1", out, sizeof out, NULL, &e),
                     ST_ERR_INTEGRITY);
    /* truncated: without its tag, or shorter than any sealed value */
    assert_int_equal(st_unseal(k, s, n - 1, "name|unit-1", out, sizeof out, NULL, &e),
                     ST_ERR_INTEGRITY);
    assert_int_equal(
        st_unseal(k, s, ST_SEAL_OVERHEAD - 1, "name|unit-1", out, sizeof out, NULL, &e),
        ST_ERR_SYNTAX);
    /* and the original still opens */
    assert_int_equal(st_unseal(k, s, n, "name|unit-1", out, sizeof out, NULL, &e), ST_OK);
    assert_string_equal(out, v);
    /* buffers too small */
    assert_int_equal(st_unseal(k, s, n, "name|unit-1", out, strlen(v), NULL, &e), ST_ERR_BUFFER);
    assert_int_equal(st_seal(k, v, strlen(v), "x", s, strlen(v) + ST_SEAL_OVERHEAD - 1, &n, &e),
                     ST_ERR_BUFFER);
    st_seal_key_destroy(k);
    st_seal_key_destroy(other);
    st_seal_key_destroy(other_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tampered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
