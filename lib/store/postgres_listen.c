/*
 * Waiting for other nodes' commits on PostgreSQL (the wait_change method,
 * lib/store/backend.h): every commit that stores events sends NOTIFY
 * ST_PG_NOTIFY (postgres_commit.c) with the store's schema as payload; a
 * connection of its own LISTENs on that channel, so a waiter wakes at the
 * commit of any node instead of at its next poll (notices of other stores
 * in the same database are read and dropped). Opened at the first wait,
 * reopened after the server ended it.
 */
#include "store/postgres_int.h"

#include <poll.h>
#include <string.h>

#include "common/error.h"

/* Take what has arrived on c: 1 when a notice of store schema was among
 * it, 0 when not, -1 when the connection failed. */
static int drain(PGconn *c, const char *schema)
{
    if (!PQconsumeInput(c))
        return -1;
    int got = 0;
    for (PGnotify *n; (n = PQnotifies(c));) {
        got |= n->extra && !strcmp(n->extra, schema);
        PQfreemem(n);
    }
    return got;
}

st_rc st_pg_wait_change(void *impl, int timeout_ms, int *notified, st_error *err)
{
    st_pg *p = impl;
    *notified = 0;
    pthread_mutex_lock(&p->listen_mu);
    st_rc rc = ST_OK;
    if (p->listen.c && PQstatus(p->listen.c) != CONNECTION_OK)
        st_pg_conn_close(&p->listen);
    if (!p->listen.c) {
        if ((rc = st_pg_conn_open(p, &p->listen, err)))
            goto out;
        if (st_pg_run(p->listen.c, "LISTEN " ST_PG_NOTIFY, err)) {
            st_pg_conn_close(&p->listen);
            rc = ST_ERR_IO;
            goto out;
        }
    }
    int got = drain(p->listen.c, p->schema);
    if (!got && timeout_ms > 0) {
        struct pollfd pfd = {.fd = PQsocket(p->listen.c), .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) > 0)
            got = drain(p->listen.c, p->schema);
    }
    if (got < 0) {
        rc = st_pg_fail(err, p->listen.c, NULL, "waiting for notifications");
        st_pg_conn_close(&p->listen);
        goto out;
    }
    *notified = got;
out:
    pthread_mutex_unlock(&p->listen_mu);
    return rc;
}
