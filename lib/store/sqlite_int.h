/*
 * Inside the SQLite backend: the write connection and the readers, the
 * prepared statements of the write path, the identifier cache, and the
 * migrations (sqlite_schema.c).
 */
#ifndef ST_STORE_SQLITE_INT_H
#define ST_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/idcache.h"
#include "store/statemerge.h"

/* Migration i brings the schema from version i to i + 1. */
extern const char *const st_sqlite_migrations[];
extern const int st_sqlite_migration_count;

/* Prepared statements of the write path, by purpose. */
enum {
    SQ_IDENT_GET,      /* SELECT id FROM ident WHERE key = ? */
    SQ_IDENT_ADD,      /* INSERT INTO ident(key) */
    SQ_EVENT_ADD,      /* INSERT INTO event */
    SQ_EPC_ADD,        /* INSERT INTO event_epc */
    SQ_STATE_UPSERT,   /* item_state upsert */
    SQ_UNPACK_ALL,     /* children of a parent leave it (AggregationEvent DELETE, no children) */
    SQ_LOT_ADD,        /* INSERT INTO item_lot */
    SQ_PACK,           /* INSERT INTO containment */
    SQ_UNPACK,         /* close the open containment row of a child */
    SQ_UNPACK_PARENT,  /* close all open rows of a parent */
    SQ_GENEALOGY_ADD,  /* INSERT INTO genealogy */
    SQ_LOCATION_ADD,   /* INSERT INTO location_child */
    SQ_LAST_BATCH,     /* the last link */
    SQ_BATCH_ADD,      /* INSERT INTO batch */
    SQ_COMMISSION,     /* item_life: commissioned */
    SQ_DECOMMISSION,   /* item_life: decommissioned */
    SQ_GEO_ADD,        /* location_geo upsert */
    SQ_ANOMALY_ADD,    /* INSERT INTO anomaly */
    SQ_COUNT
};

#define ST_SQLITE_STMT_CACHE 48 /* read statements kept prepared */
#define ST_SQLITE_READERS 8     /* read connections at most: concurrent readers (server threads) */

/* One connection and what is prepared on it. */
typedef struct st_sqlite_conn {
    sqlite3 *db;
    pthread_mutex_t mu; /* one user at a time */
    struct {
        char *sql;          /* malloc'd copy of the text */
        uint64_t h;         /* hash of the text */
        sqlite3_stmt *stmt; /* prepared on db */
        uint64_t used;      /* last use, for eviction */
    } cache[ST_SQLITE_STMT_CACHE];
    uint64_t tick;
} st_sqlite_conn;

typedef struct st_sqlite {
    char path[512];        /* the database file */
    int read_only;         /* opened for reading only */
    st_sqlite_conn w;      /* the write connection (commits, migrations) */
    st_sqlite_conn r[ST_SQLITE_READERS]; /* read connections (exec), opened as needed */
    int nr;                /* opened (read and written with atomics) */
    pthread_mutex_t pool_mu; /* guards opening another reader */
    sqlite3_stmt *st[SQ_COUNT]; /* write statements on w, prepared after migration */
    st_idcache ids;        /* key -> ident id, for the write path */
    st_statemerge sm;      /* item state changes of the document being committed */
    int version_at_open;   /* schema version found when opening (0: a new store) */
} st_sqlite;

#endif
