/* Tests for lib/common/jsonw.c: structure, escaping, UTF-8 handling, raw numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <jansson.h>
#include <serialtrack/jsonw.h>

static const char *text(st_jw *w)
{
    static char buf[4096];
    memcpy(buf, w->p, w->n);
    buf[w->n] = '\0';
    return buf;
}

static void test_structure(void **state)
{
    (void)state;
    st_jw w;
    st_jw_init(&w);
    st_jw_object_begin(&w);
    st_jw_member_str(&w, "a", "x");
    st_jw_member_str(&w, "skipped", NULL);
    st_jw_key(&w, "list");
    st_jw_array_begin(&w);
    st_jw_long(&w, -12);
    st_jw_bool(&w, 1);
    st_jw_null(&w);
    st_jw_raw(&w, "1.50e3", 6);
    st_jw_object_begin(&w);
    st_jw_object_end(&w);
    st_jw_array_end(&w);
    st_jw_key(&w, "b");
    st_jw_bool(&w, 0);
    st_jw_object_end(&w);
    assert_false(w.failed);
    assert_string_equal(text(&w), "{\"a\":\"x\",\"list\":[-12,true,null,1.50e3,{}],\"b\":false}");
    st_jw_free(&w);
}

static void test_escaping(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } rows[] = {
        {"plain", 5, "\"plain\""},
        {"q\"b\\", 4, "\"q\\\"b\\\\\""},
        {"\n\t\r\x01\x1d", 5, "\"\\n\\t\\r\\u0001\\u001d\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6", 14, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6\""},
        {"\xff\xfe", 2, "\"\\ufffd\\ufffd\""},
        {"\xc3", 1, "\"\\ufffd\""},             /* truncated sequence */
        {"\xe0\x80\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""}, /* overlong */
        {"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""}, /* surrogate */
        {"a\0b", 3, "\"a\\u0000b\""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_jw w;
        st_jw_init(&w);
        st_jw_string(&w, rows[i].in, rows[i].n);
        assert_string_equal(text(&w), rows[i].out);
        /* every output is JSON that a real parser accepts */
        json_error_t e;
        json_t *j = json_loadb(w.p, w.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        assert_non_null(j);
        json_decref(j);
        st_jw_free(&w);
    }
}

static void test_lines(void **state)
{
    (void)state;
    st_jw w;
    st_jw_init(&w);
    char big[3000];
    memset(big, 'x', sizeof big); /* forces the buffer to grow */
    FILE *f = tmpfile();
    for (int i = 0; i < 3; i++) {
        st_jw_object_begin(&w);
        st_jw_key(&w, "v");
        st_jw_string(&w, big, sizeof big);
        st_jw_object_end(&w);
        assert_int_equal(st_jw_flush_line(&w, f), 0);
        assert_int_equal(w.n, 0);
    }
    assert_int_equal(ftell(f), 3 * (3000 + 9));
    fclose(f);
    st_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
