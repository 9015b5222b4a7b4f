/*
 * The configuration file of `serialtrack serve` (--config FILE, or
 * $SERIALTRACK_CONFIG): one "name = value" per line, '#' starts a comment,
 * blank lines are ignored. The names are the long options of serve without
 * their dashes, with '_' or '-' alike (db, listen, threads, access_log,
 * tls_cert, tls_key, rate_limit, key_cache_seconds, data_key_file). Values
 * may be quoted with double quotes. Command-line options override the file,
 * and so do the environment variables that set the same thing (PORT,
 * SERIALTRACK_DB, SERIALTRACK_RATE_LIMIT, SERIALTRACK_KEY_CACHE_SECONDS,
 * SERIALTRACK_DATA_KEY_FILE).
 */
#ifndef ST_CLI_CONFIG_H
#define ST_CLI_CONFIG_H

#include <stddef.h>

#define CLI_CONFIG_MAX 32          /* settings in one file */
#define CLI_CONFIG_LINE_MAX 1024   /* bytes of one line */
#define CLI_CONFIG_BYTES_MAX 65536 /* bytes of the whole file */

typedef struct cli_setting {
    char *name;  /* normalised: '-' read as '_' (malloc'd) */
    char *value; /* unquoted (malloc'd) */
    int line;    /* where it was set */
} cli_setting;

typedef struct cli_config {
    cli_setting set[CLI_CONFIG_MAX]; /* in file order */
    int n;                           /* how many */
    const char *path;                /* the file read (borrowed) */
} cli_config;

/*
 * Read path into c (zeroed first). known[0..nknown) are the names allowed.
 * 0, or -1 with a sentence naming the file and line in msg[0..cap) (the
 * file cannot be read, is too large, a line is malformed, a name unknown or
 * set twice). Free with cli_config_free, also after a failure.
 */
int cli_config_read(cli_config *c, const char *path, const char *const *known, size_t nknown,
                    char *msg, size_t cap);

/* The value of name, or NULL when the file does not set it. */
const char *cli_config_get(const cli_config *c, const char *name);

void cli_config_free(cli_config *c);

#endif
