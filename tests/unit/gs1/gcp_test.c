/*
 * Tests for lib/gs1/gcp.c: company-prefix tables loaded from files
 * (longest-prefix lookups, both line forms, comments), bad files (each row:
 * content, code, message naming the line), the caps and I/O failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <serialtrack/id.h>
#include <serialtrack/limits.h>

/* A temporary folder for the test files, removed at the end. */
static char tmpdir[512];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/st_gcp_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/t.txt", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

/* Write n bytes of text to the test file; returns its path (static). */
static const char *write_file(const char *text, size_t n)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/t.txt", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_lookup(void **state)
{
    (void)state;
    static const char text[] = "# GS1 Company Prefixes\n"
                               "0614141\n"
                               "061414199 9   # a longer prefix inside the 0614141 block\n"
                               "\n"
                               "   \t\n"
                               "50712192365\r\n"
                               "00000950\n"
                               "4012345 7\n"
                               "95 8\n"
                               "9 5\n"
                               "061411123456\n"
                               "0614141\n" /* the same again: fine */
                               "1234";     /* no final newline */
    st_gcp_table *t = NULL;
    st_error err;
    st_rc rc = st_gcp_table_load(write_file(text, sizeof text - 1), &t, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_non_null(t);
    static const struct {
        const char *digits;
        int want;
    } rows[] = {
        {"0614141123456", 7}, /* GLN */
        {"06141411234567890", 7},
        {"0614141990000", 9}, /* the longer prefix wins */
        {"061414199", 9},
        {"06141419", 7},
        {"0614141", 7},
        {"061414", 0}, /* shorter than every prefix it could match */
        {"5071219236588", 11},
        {"0000095010939", 8},
        {"4012345012345", 7},
        {"9512345678901", 8},
        {"9912345678901", 5},
        {"9", 5},
        {"0614111234560", 12},
        {"1234567890123", 4},
        {"2234567890123", 0},
        {"", 0},
        {"06141x1", 0}, /* a non-digit ends the prefix */
        {"9x", 5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int got = st_gcp_table_lookup(t, rows[i].digits, strlen(rows[i].digits));
        if (got != rows[i].want)
            fail_msg("%s: %d, wanted %d", rows[i].digits, got, rows[i].want);
    }
    /* only n bytes are read */
    assert_int_equal(st_gcp_table_lookup(t, "0614141990000", 8), 7);
    assert_int_equal(st_gcp_table_lookup(NULL, "0614141", 7), 0);
    assert_int_equal(st_gcp_table_lookup(t, NULL, 0), 0);
    st_gcp_table_destroy(t);
    st_gcp_table_destroy(NULL);
}

static void test_empty_file(void **state)
{
    (void)state;
    st_gcp_table *t = NULL;
    assert_int_equal(st_gcp_table_load(write_file("", 0), &t, NULL), ST_OK);
    assert_int_equal(st_gcp_table_lookup(t, "0614141123456", 13), 0);
    st_gcp_table_destroy(t);
    assert_int_equal(st_gcp_table_load(write_file("# only a comment\n\n", 18), &t, NULL), ST_OK);
    assert_int_equal(st_gcp_table_lookup(t, "0614141123456", 13), 0);
    st_gcp_table_destroy(t);
}

static void test_bad_files(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t n; /* 0: strlen(text) */
        st_rc rc;
        const char *msg;
    } rows[] = {
        {"061\n", 0, ST_ERR_LENGTH, "line 1: prefix must be 4 to 12 digits; found 3"},
        {"\n\n0614141234567\n", 0, ST_ERR_LENGTH, "line 3: prefix must be 4 to 12 digits"},
        {"0614141\n06A4141\n", 0, ST_ERR_SYNTAX, "line 2: prefix \"06A4141\" must be digits"},
        {"0614141 13\n", 0, ST_ERR_RANGE, "line 1: length \"13\" must be a number from 4 to 12"},
        {"0614141 3\n", 0, ST_ERR_RANGE, "line 1: length \"3\""},
        {"0614141 x\n", 0, ST_ERR_RANGE, "line 1: length \"x\""},
        {"0614141 007\n", 0, ST_ERR_RANGE, "line 1: length \"007\""},
        {"0614141 7 9\n", 0, ST_ERR_SYNTAX, "line 1: expected PREFIX or PREFIX LENGTH"},
        {"0614141234567 7\n", 0, ST_ERR_LENGTH, "line 1: prefix must be 1 to 12 digits"},
        {"-0614141\n", 0, ST_ERR_SYNTAX, "line 1: prefix \"-0614141\" must be digits"},
        {"0614141\n# c\n0614141 8\n", 0, ST_ERR_SYNTAX,
         "line 3: prefix 0614141 has length 8, but line 1 gave it 7"},
        {"0614\0001\n", 7, ST_ERR_SYNTAX, "line 1: prefix"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        st_gcp_table *t = (st_gcp_table *)&t; /* must come back NULL */
        st_error err;
        size_t n = rows[i].n ? rows[i].n : strlen(rows[i].text);
        st_rc rc = st_gcp_table_load(write_file(rows[i].text, n), &t, &err);
        if (rc != rows[i].rc || !strstr(err.msg, rows[i].msg))
            fail_msg("row %zu: rc %d \"%s\"; wanted rc %d \"%s\"", i, rc, err.msg, rows[i].rc,
                     rows[i].msg);
        assert_null(t);
    }
}

static void test_caps(void **state)
{
    (void)state;
    st_gcp_table *t = NULL;
    st_error err;

    /* a line of exactly ST_GCP_LINE_MAX bytes is fine, one more is not */
    char line[ST_GCP_LINE_MAX + 32];
    memset(line, ' ', sizeof line);
    memcpy(line, "0614141\n#", 9);
    line[9 + ST_GCP_LINE_MAX - 1] = '\n';
    assert_int_equal(st_gcp_table_load(write_file(line, 9 + ST_GCP_LINE_MAX), &t, &err), ST_OK);
    st_gcp_table_destroy(t);
    line[9 + ST_GCP_LINE_MAX - 1] = ' ';
    line[9 + ST_GCP_LINE_MAX] = '\n';
    assert_int_equal(st_gcp_table_load(write_file(line, 10 + ST_GCP_LINE_MAX), &t, &err),
                     ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "line 2 holds more than 256 bytes; the limit is 256"));
    assert_int_equal(err.position, 8);
    assert_null(t);

    /* ST_GCP_FILE_MAX_LINES lines are fine, one more is not */
    size_t n = ST_GCP_FILE_MAX_LINES + 1;
    char *many = malloc(n);
    assert_non_null(many);
    memset(many, '\n', n);
    assert_int_equal(st_gcp_table_load(write_file(many, n - 1), &t, &err), ST_OK);
    st_gcp_table_destroy(t);
    assert_int_equal(st_gcp_table_load(write_file(many, n), &t, &err), ST_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "more than 1000000 lines; the limit is 1000000"));
    free(many);
}

/* A table of 200,000 prefixes loads, and every prefix is found. */
static void test_big(void **state)
{
    (void)state;
    const size_t count = 200000;
    char *text = malloc(count * 16);
    assert_non_null(text);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) /* 7-digit prefixes 1000000 + 37 i, in no order */
        n += (size_t)sprintf(text + n, "%zu\n", 1000000 + (i * 7919 % count) * 37);
    st_gcp_table *t = NULL;
    st_error err;
    assert_int_equal(st_gcp_table_load(write_file(text, n), &t, &err), ST_OK);
    char key[16];
    for (size_t i = 0; i < count; i++) {
        snprintf(key, sizeof key, "%zu12345", 1000000 + i * 37);
        assert_int_equal(st_gcp_table_lookup(t, key, strlen(key)), 7);
        snprintf(key, sizeof key, "%zu12345", 1000000 + i * 37 + 1);
        assert_int_equal(st_gcp_table_lookup(t, key, strlen(key)), 0);
    }
    st_gcp_table_destroy(t);
    free(text);
}

static void test_io_errors(void **state)
{
    (void)state;
    st_gcp_table *t = NULL;
    st_error err;
    char path[600];
    snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
    assert_int_equal(st_gcp_table_load(path, &t, &err), ST_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_non_null(strstr(err.msg, "missing.txt"));
    assert_null(t);
    /* a folder opens but cannot be read */
    assert_int_equal(st_gcp_table_load(tmpdir, &t, &err), ST_ERR_IO);
    assert_null(t);
    assert_int_equal(st_gcp_table_load(NULL, &t, &err), ST_ERR_ARG);
    assert_int_equal(st_gcp_table_load(path, NULL, &err), ST_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),    cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_bad_files), cmocka_unit_test(test_caps),
        cmocka_unit_test(test_big),       cmocka_unit_test(test_io_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
