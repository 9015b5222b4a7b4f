/*
 * The HTTP server (`serialtrack serve`): the EPCIS 2.0 REST binding, item
 * endpoints and operations endpoints over one store, on libmicrohttpd with a
 * thread pool and keep-alive. Started and stopped from a program; stopping
 * finishes the requests in flight.
 */
#ifndef SERIALTRACK_SERVER_H
#define SERIALTRACK_SERVER_H

#include <stddef.h>
#include <stdio.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

typedef struct st_server st_server; /* a running server */

/* Options; zero-initialise for the defaults. */
typedef struct st_server_opts {
    const char *listen;   /* "HOST:PORT" (IPv4 or [IPv6]); port 0 picks a free one;
                             NULL: "127.0.0.1:8080" */
    unsigned threads;     /* worker threads; 0: the number of cores (at least 2) */
    FILE *access_log;     /* one line per request, or NULL for none (not closed) */
    const char *tls_cert; /* PEM files: serve HTTPS when both are given */
    const char *tls_key;
    const char *rate_limit; /* per key: "RATE[/BURST]" requests per second, or "off";
                               NULL: $SERIALTRACK_RATE_LIMIT, else 1000/2000 */
    const char *key_cache_seconds; /* how long a key's record is trusted; NULL:
                                      $SERIALTRACK_KEY_CACHE_SECONDS, else 5 */
    const char *data_key_file; /* the data key sealing personal data (serialtrack/seal.h):
                                  a file of 64 hex digits or 44 base64 characters; NULL:
                                  none, and requests that would store personal data are
                                  refused with 503 */
} st_server_opts;

/*
 * Start serving store s (borrowed: it must outlive the server) as o says.
 * *out receives the handle; stop it with st_server_stop. Errors, with a
 * sentence in err: ST_ERR_ARG (a malformed listen address), ST_ERR_IO (the
 * address is in use, a TLS file or the data key file cannot be read),
 * ST_ERR_LENGTH / ST_ERR_SYNTAX (the data key file holds no key), ST_ERR_UNSUPPORTED (TLS
 * asked for and not available), ST_ERR_NOMEM.
 */
st_rc st_server_start(st_store *s, const st_server_opts *o, st_server **out, st_error *err);

/* The port the server listens on (the one picked when 0 was asked for). */
unsigned st_server_port(const st_server *srv);

/* Stop accepting connections, let the requests in flight finish, free the
 * server. Accepts NULL. */
void st_server_stop(st_server *srv);

#endif
