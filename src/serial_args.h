/*
 * The command-line options shared by `serials generate`, `serials allocate`,
 * `serials allocations` and `commission`: one table (name, commands and
 * schemes that use it, help line), "--name value" / "--name=value" parsing,
 * and turning the values into st_serial_opts. Messages go to stderr as
 * "PROG: ...".
 */
#ifndef ST_CLI_SERIAL_ARGS_H
#define ST_CLI_SERIAL_ARGS_H

#include <stdint.h>
#include <stdio.h>

#include <serialtrack/serialtrack.h>

/* Commands, as bits */
#define C_GEN 1u   /* serials generate */
#define C_ALLOC 2u /* serials allocate */
#define C_LIST 4u  /* serials allocations */
#define C_COMM 8u  /* commission */

/* Schemes, as bits */
#define S_SEQ 1u
#define S_TPL 2u
#define S_RND 4u
#define S_ALL (S_SEQ | S_TPL | S_RND)

/* The options, indexes into sa_args.v[] */
enum {
    O_GTIN,
    O_COUNT,
    O_SCHEME,
    O_PROFILE,
    O_START,
    O_PREFIX,
    O_SUFFIX,
    O_WIDTH,
    O_TEMPLATE,
    O_YEAR,
    O_ALPHABET,
    O_LENGTH,
    O_KEY,
    O_DB,
    O_FORMAT,
    O_GCP_LEN,
    O_LIMIT,
    O_SERIALS,
    O_LOT,
    O_EXPIRY,
    O_READ_POINT,
    O_BIZ_LOCATION,
    O_EVENT_TIME,
    O_NOPTS /* how many there are */
};

/* A command line, as given (NULL = absent); values point into argv. */
typedef struct sa_args {
    const char *v[O_NOPTS]; /* one per option, same order */
} sa_args;

/* The name messages start with ("serialtrack serials"); set by each command. */
extern const char *sa_prog;

/* Print "PROG: <message>" on stderr and return code. */
int sa_complain(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The usage of command cmd (C_*) to out. */
void sa_usage(FILE *out, unsigned cmd);

/* Parse argv[0..argc) for command cmd into a. CLI_OK; -1 after printing the
 * help on request; CLI_USAGE after printing why. */
int sa_parse(int argc, char **argv, unsigned cmd, sa_args *a);

/* Whole number min..max of option `name` into *out: 0, or -1 after printing why. */
int sa_number(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Check --gtin (digits, length, check digit): CLI_OK or CLI_INVALID after printing why. */
int sa_check_gtin(const char *g);

/*
 * The scheme named by --scheme (def when absent) and its options into o;
 * strings point into argv, o->key (--key) into the caller's key array.
 * CLI_OK, or CLI_USAGE / CLI_INVALID after printing why.
 */
int sa_serial_opts(const sa_args *a, const char *def, st_serial_opts *o, unsigned char *key);

#endif
