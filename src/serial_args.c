/*
 * The options of the serial commands (serial_args.h): the table, parsing,
 * and the scheme's options built from it.
 */
#include "serial_args.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define C_SER (C_GEN | C_ALLOC | C_COMM) /* the commands that make serials */

const char *sa_prog = "serialtrack serials";

/* Every option: its name, the commands and schemes that use it, a help line. */
static const struct option {
    const char *name; /* "--gtin" */
    unsigned cmds;    /* C_* */
    unsigned schemes; /* S_* */
    const char *help; /* for sa_usage() */
} options[O_NOPTS] = {
    [O_GTIN] = {"--gtin", C_SER | C_LIST, S_ALL,
                "GTIN (8, 12, 13 or 14 digits) the serials are for"},
    [O_COUNT] = {"--count", C_SER, S_ALL,
                 "how many serials: generate 1.." STR(ST_SERIAL_MAX_COUNT) ", allocate and "
                                                                           "commission 1.." STR(
                                                                               ST_ALLOC_MAX_COUNT)},
    [O_SCHEME] = {"--scheme", C_SER, S_ALL,
                  "sequential, template or random (allocate and commission: default random)"},
    [O_PROFILE] = {"--profile", C_SER, S_ALL, "gs1 (CSET 82, the default) or dscsa (A-Z a-z 0-9)"},
    [O_START] = {"--start", C_SER, S_SEQ | S_TPL, "first counter value (default 0)"},
    [O_PREFIX] = {"--prefix", C_SER, S_SEQ, "text before the counter"},
    [O_SUFFIX] = {"--suffix", C_SER, S_SEQ, "text after the counter"},
    [O_WIDTH] = {"--width", C_SER, S_SEQ,
                 "zero-pad the counter to this many digits (default: none)"},
    [O_TEMPLATE] = {"--template", C_SER, S_TPL,
                    "e.g. {YYYY}07{SEQ:6}; also {YY} {MM} {DD} {RAND:n}"},
    [O_YEAR] = {"--year", C_SER, S_TPL, "year for {YYYY} and {YY} (default: the current UTC year)"},
    [O_ALPHABET] = {"--alphabet", C_SER, S_TPL | S_RND,
                    "characters to draw from (default 0-9 A-Z)"},
    [O_LENGTH] = {"--length", C_SER, S_RND, "serial length, 1..20 (default 12)"},
    [O_KEY] = {"--key", C_GEN, S_RND,
               "64 hex digits: the 32-byte key (default: a fresh random key)"},
    [O_DB] = {"--db", C_ALLOC | C_LIST | C_COMM, S_ALL,
              "the store (sqlite:PATH or PATH; default $SERIALTRACK_DB, else serialtrack.db)"},
    [O_FORMAT] = {"--format", C_ALLOC, S_ALL,
                  "print serials (default), dl (Digital Links), epc (EPC URIs, needs --gcp-len) "
                  "or json"},
    [O_GCP_LEN] = {"--gcp-len", C_ALLOC | C_COMM, S_ALL,
                   "GS1 Company Prefix length 6..12: EPC URIs (commission: in the events; "
                   "default Digital Links)"},
    [O_LIMIT] = {"--limit", C_LIST, S_ALL, "allocations listed, newest first (default 100)"},
    [O_SERIALS] = {"--serials", C_COMM, S_ALL,
                   "file of serials, one per line ('-': standard input), instead of --count"},
    [O_LOT] = {"--lot", C_COMM, S_ALL, "lot number (ILMD lotNumber, AI 10)"},
    [O_EXPIRY] = {"--expiry", C_COMM, S_ALL, "expiry date YYYY-MM-DD (ILMD itemExpirationDate)"},
    [O_READ_POINT] = {"--read-point", C_COMM, S_ALL,
                      "where: an SGLN EPC URI, a Digital Link or a 13-digit GLN; required"},
    [O_BIZ_LOCATION] = {"--biz-location", C_COMM, S_ALL, "business location, the same forms"},
    [O_EVENT_TIME] = {"--event-time", C_COMM, S_ALL, "RFC 3339 time of the events (default: now)"},
};

int sa_complain(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", sa_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

void sa_usage(FILE *out, unsigned cmd)
{
    if (cmd == C_GEN)
        fprintf(out, "usage: serialtrack serials generate --gtin GTIN --count N "
                     "--scheme sequential|template|random [OPTIONS]\n");
    else if (cmd == C_ALLOC)
        fprintf(out, "usage: serialtrack serials allocate --gtin GTIN --count N "
                     "[--scheme random|sequential|template] [OPTIONS] [--db URL]\n");
    else if (cmd == C_LIST)
        fprintf(out, "usage: serialtrack serials allocations [--gtin GTIN] [--limit N] "
                     "[--db URL]\n");
    else
        fprintf(out, "usage: serialtrack commission --gtin GTIN (--count N | --serials FILE) "
                     "--read-point SGLN [--lot LOT] [--expiry YYYY-MM-DD] [OPTIONS] [--db URL]\n");
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; i < O_NOPTS; i++)
        if (options[i].cmds & cmd)
            fprintf(out, "  %-14s %s\n", options[i].name, options[i].help);
}

static const char *cmd_name(unsigned cmd)
{
    return cmd == C_GEN     ? "serials generate"
           : cmd == C_ALLOC ? "serials allocate"
           : cmd == C_LIST  ? "serials allocations"
                            : "commission";
}

int sa_parse(int argc, char **argv, unsigned cmd, sa_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            sa_usage(stdout, cmd);
            return -1; /* done, successfully */
        }
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        size_t k = 0;
        while (k < O_NOPTS && (strlen(options[k].name) != n || strncmp(arg, options[k].name, n)))
            k++;
        if (k == O_NOPTS) {
            sa_complain(CLI_USAGE, "unknown option '%.*s'", (int)n, arg);
            sa_usage(stderr, cmd);
            return CLI_USAGE;
        }
        if (!(options[k].cmds & cmd)) {
            if (k == O_KEY)
                return sa_complain(CLI_USAGE,
                                   "--key is not used by %s: the store draws and keeps one key "
                                   "per GTIN",
                                   cmd_name(cmd));
            return sa_complain(CLI_USAGE, "%s is not used by %s", options[k].name, cmd_name(cmd));
        }
        if (a->v[k])
            return sa_complain(CLI_USAGE, "%s given twice", options[k].name);
        if (eq)
            a->v[k] = eq + 1;
        else if (i + 1 < argc)
            a->v[k] = argv[++i];
        else
            return sa_complain(CLI_USAGE, "%s needs a value", options[k].name);
    }
    return CLI_OK;
}

int sa_number(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (p == s || *p || v < min || v > max) {
        if (max >= INT_MAX) /* the type's own bound: the library checks the real range */
            sa_complain(CLI_INVALID, "%s: '%s' is not a whole number (0 or more)", name, s);
        else
            sa_complain(CLI_INVALID, "%s: '%s' is not a whole number %llu..%llu", name, s,
                        (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

/* Check a GTIN: 8, 12, 13 or 14 digits with the right mod-10 check digit
 * (weights 3, 1, 3, ... from the right-most data digit). */
int sa_check_gtin(const char *g)
{
    size_t n = strlen(g);
    for (size_t i = 0; i < n; i++)
        if (g[i] < '0' || g[i] > '9')
            return sa_complain(CLI_INVALID, "--gtin '%s': byte %zu is not a digit", g, i);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return sa_complain(CLI_INVALID, "--gtin '%s': a GTIN has 8, 12, 13 or 14 digits, not %zu",
                           g, n);
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum += (unsigned)(g[n - 2 - i] - '0') * (i % 2 == 0 ? 3u : 1u);
    char want = (char)('0' + (10 - sum % 10) % 10);
    if (g[n - 1] != want)
        return sa_complain(CLI_INVALID, "--gtin '%s': check digit is %c, expected %c", g, g[n - 1],
                           want);
    return CLI_OK;
}

/* Decode the 64 hex digits of s into key[0..ST_SERIAL_KEY_LEN) (caller's
 * array). CLI_OK, or CLI_INVALID after printing why. */
static int parse_key(const char *s, unsigned char *key)
{
    size_t n = strlen(s);
    if (n != 2 * ST_SERIAL_KEY_LEN)
        return sa_complain(CLI_INVALID, "--key must be %d hex digits (%d bytes), not %zu",
                           2 * ST_SERIAL_KEY_LEN, ST_SERIAL_KEY_LEN, n);
    for (size_t i = 0; i < n; i++) {
        const char *hex = "0123456789abcdef0123456789ABCDEF";
        const char *p = strchr(hex, s[i]);
        if (!p)
            return sa_complain(CLI_INVALID, "--key: byte %zu ('%c') is not a hex digit", i, s[i]);
        unsigned d = (unsigned)(p - hex) % 16;
        key[i / 2] = (unsigned char)(i % 2 ? key[i / 2] | d : d << 4);
    }
    return CLI_OK;
}

int sa_serial_opts(const sa_args *a, const char *def, st_serial_opts *o, unsigned char *key)
{
    static const char *const names[] = {"sequential", "template", "random"};
    const char *scheme = a->v[O_SCHEME] ? a->v[O_SCHEME] : def;
    unsigned bit = 0;
    memset(o, 0, sizeof *o);
    for (unsigned i = 0; scheme && i < 3; i++)
        if (!strcmp(scheme, names[i])) {
            o->scheme = (st_serial_scheme)(ST_SERIAL_SEQUENTIAL + i);
            bit = 1u << i;
        }
    if (!bit)
        return sa_complain(CLI_USAGE, "--scheme must be sequential, template or random, not '%s'",
                           scheme ? scheme : "");
    if (a->v[O_PROFILE]) {
        if (!strcmp(a->v[O_PROFILE], "dscsa"))
            o->profile = ST_SERIAL_PROFILE_DSCSA;
        else if (strcmp(a->v[O_PROFILE], "gs1"))
            return sa_complain(CLI_USAGE, "--profile must be gs1 or dscsa, not '%s'",
                               a->v[O_PROFILE]);
    }
    for (size_t k = 0; k < O_NOPTS; k++)
        if (a->v[k] && !(options[k].schemes & bit))
            return sa_complain(CLI_USAGE, "%s is not used by --scheme %s", options[k].name, scheme);
    if (a->v[O_START] && sa_number("--start", a->v[O_START], 0, UINT64_MAX, &o->start))
        return CLI_INVALID;
    const struct {
        int idx;
        int *dst;
    } ints[] = {{O_WIDTH, &o->width}, {O_LENGTH, &o->length}, {O_YEAR, &o->year}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        uint64_t v;
        if (!a->v[ints[i].idx])
            continue;
        if (sa_number(options[ints[i].idx].name, a->v[ints[i].idx], 0, INT_MAX, &v))
            return CLI_INVALID;
        *ints[i].dst = (int)v;
    }
    o->prefix = a->v[O_PREFIX];
    o->suffix = a->v[O_SUFFIX];
    o->tmpl = a->v[O_TEMPLATE];
    o->alphabet = a->v[O_ALPHABET];
    if (a->v[O_KEY]) {
        if (parse_key(a->v[O_KEY], key))
            return CLI_INVALID;
        o->key = key;
    }
    return CLI_OK;
}
