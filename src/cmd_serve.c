/*
 * `serialtrack serve`: the HTTP API over a store until SIGTERM or SIGINT,
 * which stop it cleanly (requests in flight finish). Settings come from the
 * command line, else the environment, else the configuration file
 * (--config FILE or $SERIALTRACK_CONFIG; see config.h), else defaults.
 */
#include <signal.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"
#include "config.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack serve [--config FILE] [--db URL] [--listen HOST:PORT]\n"
            "                         [--threads N] [--access-log FILE|-]\n"
            "                         [--tls-cert PEM --tls-key PEM]\n"
            "                         [--rate-limit RATE[/BURST]|off] [--key-cache-seconds S]\n"
            "                         [--rules RULE=MODE,...] [--data-key-file FILE]\n"
            "  --listen: default 127.0.0.1:${PORT:-8080}; port 0 picks a free one\n"
            "  --rate-limit: requests per second per API key (default 1000/2000)\n"
            "  --key-cache-seconds: how long a key's record is trusted (default 5)\n"
            "  --rules: lifecycle rules at capture, each flag (default), reject or off\n"
            "  --data-key-file: the key sealing customers' names and contacts (AES-256-GCM):\n"
            "      32 random bytes as 64 hex digits or 44 base64 characters, optionally\n"
            "      after \"ID:\" (1-255); e.g. `openssl rand -hex 32 > data.key`. Without it,\n"
            "      requests that would store personal data are refused (503)\n"
            "  --config: \"name = value\" lines with the same names (db, listen, threads,\n"
            "      access_log, tls_cert, tls_key, rate_limit, key_cache_seconds, rules,\n"
            "      data_key_file)\n"
            "  environment: SERIALTRACK_CONFIG, SERIALTRACK_DB, PORT, SERIALTRACK_RATE_LIMIT,\n"
            "      SERIALTRACK_KEY_CACHE_SECONDS, SERIALTRACK_RULES, SERIALTRACK_DATA_KEY_FILE;\n"
            "      the command line overrides them, and they\n"
            "      override the file\n"
            "  prints {\"listening\": \"http://HOST:PORT\"} on stdout once it accepts requests\n");
    return CLI_USAGE;
}

/* The settings, by their config-file names; the order of `known` below. */
enum {
    S_DB,
    S_LISTEN,
    S_THREADS,
    S_ACCESS_LOG,
    S_TLS_CERT,
    S_TLS_KEY,
    S_RATE,
    S_TTL,
    S_RULES,
    S_DATA_KEY,
    S_N
};
static const char *const known[S_N] = {"db",       "listen",  "threads",    "access_log",
                                       "tls_cert", "tls_key", "rate_limit", "key_cache_seconds",
                                       "rules",    "data_key_file"};
/* the environment variable that sets each, or NULL */
static const char *const env_of[S_N] = {"SERIALTRACK_DB",
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL,
                                        "SERIALTRACK_RATE_LIMIT",
                                        "SERIALTRACK_KEY_CACHE_SECONDS",
                                        "SERIALTRACK_RULES",
                                        "SERIALTRACK_DATA_KEY_FILE"};

/* Each setting from the command line, else the environment, else the file. */
static void resolve(const char **v, const cli_config *file)
{
    for (int i = 0; i < S_N; i++) {
        const char *env = env_of[i] ? getenv(env_of[i]) : NULL;
        if (!v[i] && env && *env)
            v[i] = env;
        if (!v[i])
            v[i] = cli_config_get(file, known[i]);
    }
}

static int run(const char **v)
{
    const char *listen = v[S_LISTEN] ? v[S_LISTEN] : "127.0.0.1:8080";
    st_server_opts o = {0};
    o.listen = listen;
    if (v[S_THREADS]) {
        char *end;
        unsigned long t = strtoul(v[S_THREADS], &end, 10);
        if (*end || end == v[S_THREADS] || t < 1 || t > 1024) {
            fprintf(stderr, "serialtrack serve: threads \"%s\" is not a number from 1 to 1024\n",
                    v[S_THREADS]);
            return CLI_USAGE;
        }
        o.threads = (unsigned)t;
    }
    o.tls_cert = v[S_TLS_CERT];
    o.tls_key = v[S_TLS_KEY];
    o.rate_limit = v[S_RATE];
    o.key_cache_seconds = v[S_TTL];
    o.data_key_file = v[S_DATA_KEY];
    FILE *logf = NULL;
    if (v[S_ACCESS_LOG]) {
        logf = strcmp(v[S_ACCESS_LOG], "-") ? fopen(v[S_ACCESS_LOG], "a") : stderr;
        if (!logf) {
            perror(v[S_ACCESS_LOG]);
            return CLI_FAILURE;
        }
        o.access_log = logf;
    }
#ifdef __GLIBC__
    /* A server frees and allocates the same sizes request after request:
     * glibc would hand the top of each heap back to the kernel after every
     * burst and fault it in again with the next (a tenth of the time of
     * GET /items/{id}/history under perf). Keep up to 64 MiB. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    int rc = CLI_OK;
    if (st_store_open(v[S_DB], NULL, &s, &e)) {
        fprintf(stderr, "serialtrack serve: %s\n", e.msg);
        rc = CLI_FAILURE;
        goto out;
    }
    if ((rc = cli_rules_apply(s, v[S_RULES], "serve")))
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    st_server *srv = NULL;
    if (st_server_start(s, &o, &srv, &e)) {
        fprintf(stderr, "serialtrack serve: %s\n", e.msg);
        rc = CLI_FAILURE;
        goto out;
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
out:
    st_store_close(s);
    if (logf && logf != stderr)
        fclose(logf);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    const char *v[S_N] = {0};
    const char *config = getenv("SERIALTRACK_CONFIG");
    static const char *const flags[S_N] = {
        "--db",      "--listen",     "--threads",           "--access-log", "--tls-cert",
        "--tls-key", "--rate-limit", "--key-cache-seconds", "--rules",      "--data-key-file"};
    for (int i = 0; i < argc; i += 2) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val)
            return usage();
        if (!strcmp(argv[i], "--config")) {
            config = val;
            continue;
        }
        int k = 0;
        while (k < S_N && strcmp(argv[i], flags[k]))
            k++;
        if (k == S_N)
            return usage();
        v[k] = val;
    }
    cli_config file = {0};
    if (config && *config) {
        char msg[512];
        if (cli_config_read(&file, config, known, S_N, msg, sizeof msg)) {
            fprintf(stderr, "serialtrack serve: %s\n", msg);
            cli_config_free(&file);
            return CLI_USAGE;
        }
    }
    char port_listen[300]; /* $PORT stands for --listen 127.0.0.1:$PORT */
    const char *port = getenv("PORT");
    if (!v[S_LISTEN] && port && *port) {
        snprintf(port_listen, sizeof port_listen, "127.0.0.1:%s", port);
        v[S_LISTEN] = port_listen;
    }
    resolve(v, &file);
    int rc = run(v);
    cli_config_free(&file);
    return rc;
}
