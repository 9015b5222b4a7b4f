/*
 * A SQLite store in a fresh temporary folder, for unit tests that need one
 * (tests/unit/store/store_test.c has its own, for every backend's URL).
 * Test-only, static inline.
 */
#ifndef ST_TEST_TMP_STORE_H
#define ST_TEST_TMP_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <serialtrack/store.h>

typedef struct tmp_store {
    char dir[256];  /* temporary folder */
    char path[300]; /* the database file in it */
    st_store *s;    /* open on path */
} tmp_store;

/* Create the folder (named after tag) and open a new store in it; 0 on
 * success. */
static inline int tmp_store_open(tmp_store *t, const char *tag)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(t->dir, sizeof t->dir, "%s/st_%s_XXXXXX", base, tag);
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->path, sizeof t->path, "%s/st.db", t->dir);
    return st_store_open(t->path, NULL, &t->s, NULL) == ST_OK ? 0 : -1;
}

/* Close the store and remove its files and folder. */
static inline void tmp_store_remove(tmp_store *t)
{
    st_store_close(t->s);
    t->s = NULL;
    char p[400];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

#endif
