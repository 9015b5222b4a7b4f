/* Tests for lib/common/sbuf.c: bounded appends and the single overflow check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/sbuf.h"

static void test_sbuf(void **state)
{
    (void)state;
    char buf[8];
    st_sbuf b;
    st_sbuf_init(&b, buf, sizeof buf);
    st_sbuf_puts(&b, "abc");
    st_sbuf_putc(&b, 'd');
    st_sbuf_printf(&b, "%d", 12);
    assert_string_equal(buf, "abcd12");
    assert_int_equal(st_sbuf_rc(&b), ST_OK);
    st_sbuf_puts(&b, "xyz"); /* does not fit: nothing written, overflow kept */
    assert_string_equal(buf, "abcd12");
    assert_int_equal(st_sbuf_rc(&b), ST_ERR_BUFFER);
    st_sbuf_putc(&b, 'q');
    assert_string_equal(buf, "abcd12");
    st_sbuf_init(&b, buf, sizeof buf);
    st_sbuf_printf(&b, "%s", "123456789");
    assert_int_equal(st_sbuf_rc(&b), ST_ERR_BUFFER);
    assert_int_equal(strlen(buf), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sbuf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
