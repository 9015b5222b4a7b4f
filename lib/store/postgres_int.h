/*
 * Inside the PostgreSQL backend (lib/store/postgres.c): connections (one for
 * writes, one for interning identifiers, one listening for commits, a pool
 * for reads, each with its prepared statements), the write path
 * (postgres_commit.c and the modules of postgres_write.h), waiting for
 * commits (postgres_listen.c) and the migrations (postgres_schema.c).
 */
#ifndef ST_STORE_POSTGRES_INT_H
#define ST_STORE_POSTGRES_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <serialtrack/limits.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/idcache.h"
#include "store/statemerge.h"

/* Migration i brings the schema from version i to i + 1. */
extern const char *const st_pg_migrations[];
extern const int st_pg_migration_count;

/* Advisory lock keys (pg_advisory_xact_lock), one per serialised operation. */
#define ST_PG_LOCK_CHAIN 0x73740001   /* the chain append: event ids, link, record time */
#define ST_PG_LOCK_MIGRATE 0x73740002 /* schema migrations */

#define ST_PG_STMT_CACHE 48 /* read statements kept prepared per connection */
#define ST_PG_READERS 8     /* read connections at most: concurrent readers (server threads) */
#define ST_PG_NOTIFY "serialtrack_events" /* NOTIFY channel of every chain append */

/* One connection and what is prepared on it. */
typedef struct st_pg_conn {
    PGconn *c;          /* NULL when closed */
    pthread_mutex_t mu; /* one user at a time */
    struct {
        char *sql;     /* malloc'd copy of the text */
        uint64_t h;    /* hash of the text and the argument types */
        uint64_t used; /* last use, for eviction */
        unsigned name; /* prepared as "r<name>" */
    } cache[ST_PG_STMT_CACHE];
    uint64_t tick;  /* use counter */
    unsigned names; /* statement names handed out */
} st_pg_conn;

typedef struct st_pg {
    char conninfo[ST_STORE_URL_MAX]; /* the URL for libpq, without serialtrack's schema= */
    char schema[64];                 /* the PostgreSQL schema of the store ("" = search_path) */
    int read_only;                   /* opened for reading only */
    st_pg_conn w;                    /* the write connection (commits, migrations, admin) */
    st_pg_conn in;                   /* interning identifiers (opened by the first commit) */
    pthread_mutex_t in_mu;           /* one interning at a time (guards in) */
    int in_prepared;                 /* the write statements are prepared on in */
    st_pg_conn listen;               /* LISTENs for commits (postgres_listen.c), or closed */
    pthread_mutex_t listen_mu;       /* one waiter at a time (guards listen) */
    st_pg_conn r[ST_PG_READERS];     /* read connections (exec), opened as needed */
    int nr;                          /* opened (read and written with atomics) */
    pthread_mutex_t pool_mu;         /* guards opening another reader */
    st_idcache ids;                  /* key -> ident id: committed rows only */
    pthread_mutex_t ids_mu;          /* guards ids and intern_insert_first */
    st_statemerge sm;                /* item state changes of the document being written */
    int version_at_open;             /* schema version found when opening (0: a new store) */
    int64_t parts_until;             /* ms: event partitions exist for record times below */
    int prepared;                    /* the write statements are prepared on w */
    int64_t analyzed_at;             /* events in the store when this handle last analyzed */
    int64_t ref_max;                 /* the largest ident id the write path named (commit) */
    int intern_insert_first;         /* interning starts with the insert (postgres_intern.c) */
} st_pg;

/* Arguments as libpq wants them: ints as decimal text, blobs binary; one
 * allocation sized for the statement. */
struct st_pg_args {
    Oid *types;        /* parameter types */
    const char **vals; /* values */
    int *lens;         /* lengths of binary values */
    int *fmts;         /* 1: binary */
    char (*ints)[24];  /* the text of integer values */
};

/* args[0..nargs) for libpq into *out (the caller frees it; NULL on failure,
 * err filled in: more than ST_STORE_MAX_SQL_ARGS is ST_ERR_LIMIT). */
st_rc st_pg_args_new(const st_val *args, int nargs, struct st_pg_args **out, st_error *err);

/* Hand each row of the binary result r to cb as st_val columns; cb's first
 * non-OK return. */
st_rc st_pg_rows(PGresult *r, st_row_cb cb, void *ctx);

/* The exec and exec_batch methods (postgres_read.c). */
st_rc st_pg_exec(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                 void *ctx, st_error *err);
st_rc st_pg_exec_batch(void *impl, const st_read *reads, size_t n, st_error *err);

/* Set up a new (or reset) connection's session: the store's schema first
 * in search_path (the schema created when missing, unless read-only),
 * NOTICEs silenced. 0, or -1 with err filled in. */
int st_pg_session(st_pg *p, st_pg_conn *c, st_error *err);

/* Open a connection on p's URL and schema. */
st_rc st_pg_conn_open(st_pg *p, st_pg_conn *c, st_error *err);
void st_pg_conn_close(st_pg_conn *c);
/* Reconnect c (the server went away): a new session, no prepared statements. */
void st_pg_conn_reset(st_pg *p, st_pg_conn *c);

/* Record the connection's last error (what: the step) into err; the st_rc
 * a failure of that kind maps to (a constraint violation: ST_ERR_ARG). */
st_rc st_pg_fail(st_error *err, PGconn *c, const PGresult *r, const char *what);

/* Run sql (no parameters, no rows wanted) on c: 0, or -1 with the result's
 * message in err. */
int st_pg_run(PGconn *c, const char *sql, st_error *err);

/* Make sure event partitions exist for record times up to now plus the
 * look-ahead (postgres_schema.c), in their own transaction on c. */
st_rc st_pg_partitions_ensure(st_pg *p, st_pg_conn *c, int64_t now_ms, st_error *err);

/* The name of sql prepared on c for these argument types, from c's cache
 * or newly prepared (postgres_read.c); NULL on failure (err filled in). */
const char *st_pg_conn_stmt(st_pg_conn *c, const char *sql, const Oid *types, int n, char name[16],
                            st_error *err);

/* Run sql ($1..$N; ints as int8, text, bytea) on c as it stands (no
 * transaction of its own), prepared once through c's cache (the write
 * path runs the same few statements over and over), rows to cb when not
 * NULL, the rows changed to *changes when not NULL. */
st_rc st_pg_query(st_pg_conn *c, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                  void *ctx, int64_t *changes, st_error *err);

/* The commit, prepare and write_tx methods (postgres_commit.c). */
st_rc st_pg_commit(void *impl, st_cap_doc **docs, size_t n, st_error *err);
st_rc st_pg_prepare(void *impl, st_cap_doc *d, st_error *err);

/* The wait_change method (postgres_listen.c). */
st_rc st_pg_wait_change(void *impl, int timeout_ms, int *notified, st_error *err);
st_rc st_pg_write_tx(void *impl, st_write_fn fn, void *ctx, st_error *err);

/* Run the side statements of d (capture.h) on p->w inside the open
 * transaction (the document's savepoint, under the chain lock): ST_OK, or
 * the first failure's code (a violated constraint: ST_ERR_ARG) with its
 * reason in msg[0..cap). The caller rolls the document back. */
st_rc st_pg_side_run(st_pg *p, const st_cap_doc *d, char *msg, size_t cap);

/* Prepare the write path's statements on p->w (postgres_wstmt.c). */
st_rc st_pg_prepare_writes(st_pg *p, st_error *err);
/* Prepare them on c, whose flag *done says they are. */
st_rc st_pg_prepare_on(st_pg_conn *c, int *done, st_error *err);

#endif
