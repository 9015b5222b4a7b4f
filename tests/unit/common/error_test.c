/* Tests for lib/common/error.c: error records and result-code names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/error.h"

static void test_errors(void **state)
{
    (void)state;
    st_error e;
    st_error_clear(&e);
    assert_int_equal(e.position, -1);
    assert_int_equal(st_fail(&e, ST_ERR_RULE, 7, "21", "AI %s requires %s", "21", "01"),
                     ST_ERR_RULE);
    assert_int_equal(e.rc, ST_ERR_RULE);
    assert_string_equal(e.ai, "21");
    assert_string_equal(e.msg, "AI 21 requires 01");
    st_error_shift(&e, 3);
    assert_int_equal(e.position, 10);
    assert_int_equal(st_fail(NULL, ST_ERR_IO, 0, NULL, "x"), ST_ERR_IO);
    for (int rc = 0; rc < ST_RC_COUNT; rc++)
        assert_string_not_equal(st_strerror((st_rc)rc), "unknown result code");
    assert_string_equal(st_strerror((st_rc)ST_RC_COUNT), "unknown result code");
    assert_string_equal(st_strerror(ST_OK), "success");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
