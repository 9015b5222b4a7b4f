/*
 * Helpers shared by the unit tests: where ../shared is, and skipping a test
 * (with a message) when it is absent, as in a user's fresh clone.
 */
#ifndef ST_TEST_UTIL_H
#define ST_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The shared/ folder (conformance corpora), or NULL when it is not there. */
static inline const char *test_shared_dir(void)
{
    const char *d = getenv("ST_SHARED_DIR");
    struct stat st;
    if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return d;
}

/* Exit code ctest counts as "skipped" (SKIP_RETURN_CODE in CMakeLists.txt). */
#define TEST_SKIP_CODE 77

#endif
