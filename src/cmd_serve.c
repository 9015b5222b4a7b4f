/*
 * `serialtrack serve`: the HTTP API over a store until SIGTERM or SIGINT,
 * which stop it cleanly (requests in flight finish).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack serve [--db URL] [--listen HOST:PORT] [--threads N]\n"
            "                         [--access-log FILE|-] [--tls-cert PEM --tls-key PEM]\n"
            "                         [--rules RULE=MODE,...]\n"
            "  --listen: default 127.0.0.1:${PORT:-8080}; port 0 picks a free one\n"
            "  prints {\"listening\": \"http://HOST:PORT\"} on stdout once it accepts requests\n");
    return CLI_USAGE;
}

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *log = NULL, *rules = NULL;
    char listen[300];
    const char *port = getenv("PORT");
    snprintf(listen, sizeof listen, "127.0.0.1:%s", port && *port ? port : "8080");
    st_server_opts o = {0};
    for (int i = 0; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        if (!strcmp(argv[i], "--db"))
            db = v;
        else if (!strcmp(argv[i], "--listen"))
            snprintf(listen, sizeof listen, "%s", v);
        else if (!strcmp(argv[i], "--threads"))
            o.threads = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(argv[i], "--access-log"))
            log = v;
        else if (!strcmp(argv[i], "--tls-cert"))
            o.tls_cert = v;
        else if (!strcmp(argv[i], "--tls-key"))
            o.tls_key = v;
        else if (!strcmp(argv[i], "--rules"))
            rules = v;
        else
            return usage();
    }
    o.listen = listen;
    FILE *logf = NULL;
    if (log) {
        logf = strcmp(log, "-") ? fopen(log, "a") : stderr;
        if (!logf) {
            perror(log);
            return CLI_FAILURE;
        }
        o.access_log = logf;
    }
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(db, NULL, &s, &e)) {
        fprintf(stderr, "serialtrack serve: %s\n", e.msg);
        return CLI_FAILURE;
    }
    int urc = cli_rules_apply(s, rules, "serve");
    if (urc) {
        st_store_close(s);
        return urc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    st_server *srv = NULL;
    if (st_server_start(s, &o, &srv, &e)) {
        fprintf(stderr, "serialtrack serve: %s\n", e.msg);
        st_store_close(s);
        return CLI_FAILURE;
    }
    char host[300];
    snprintf(host, sizeof host, "%s", listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = 0;
    printf("{\"listening\":\"%s://%s:%u\"}\n", o.tls_cert ? "https" : "http", host,
           st_server_port(srv));
    fflush(stdout);
    while (!stop_requested)
        pause();
    st_server_stop(srv);
    st_store_close(s);
    if (logf && logf != stderr)
        fclose(logf);
    return CLI_OK;
}
