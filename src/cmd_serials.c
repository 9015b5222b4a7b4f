/*
 * `serialtrack serials generate`: print serial numbers for one GTIN, one per
 * line, from any scheme of include/serialtrack/serial.h. Exit 2 for a bad
 * command line, 1 for a bad value, 3 when output or randomness fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

#define PROG "serialtrack serials"
#define STR_(x) #x
#define STR(x) STR_(x)

/* Which schemes use an option */
#define S_SEQ 1u
#define S_TPL 2u
#define S_RND 4u
#define S_ALL (S_SEQ | S_TPL | S_RND)

/* The options of `serials generate`, indexes into options[] and gen_args.v[] */
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
    O_NOPTS /* how many there are */
};

/* Every option: its name, the schemes that use it, and a help line. */
static const struct option {
    const char *name; /* "--gtin" */
    unsigned schemes; /* S_* */
    const char *help; /* for usage() */
} options[O_NOPTS] = {
    [O_GTIN] = {"--gtin", S_ALL, "GTIN (8, 12, 13 or 14 digits) the serials are for; required"},
    [O_COUNT] = {"--count", S_ALL,
                 "how many serials to print, 1.." STR(ST_SERIAL_MAX_COUNT) "; required"},
    [O_SCHEME] = {"--scheme", S_ALL, "sequential, template or random; required"},
    [O_PROFILE] = {"--profile", S_ALL, "gs1 (CSET 82, the default) or dscsa (A-Z a-z 0-9)"},
    [O_START] = {"--start", S_SEQ | S_TPL, "first counter value (default 0)"},
    [O_PREFIX] = {"--prefix", S_SEQ, "text before the counter"},
    [O_SUFFIX] = {"--suffix", S_SEQ, "text after the counter"},
    [O_WIDTH] = {"--width", S_SEQ, "zero-pad the counter to this many digits (default: none)"},
    [O_TEMPLATE] = {"--template", S_TPL, "e.g. {YYYY}07{SEQ:6}; also {YY} {MM} {DD} {RAND:n}"},
    [O_YEAR] = {"--year", S_TPL, "year for {YYYY} and {YY} (default: the current UTC year)"},
    [O_ALPHABET] = {"--alphabet", S_TPL | S_RND, "characters to draw from (default 0-9 A-Z)"},
    [O_LENGTH] = {"--length", S_RND, "serial length, 1..20 (default 12)"},
    [O_KEY] = {"--key", S_RND, "64 hex digits: the 32-byte key (default: a fresh random key)"},
};

/* The command line of `serials generate`, as given (NULL = absent). */
struct gen_args {
    const char *v[O_NOPTS]; /* one per row of options[], same order */
};

/* Print the usage of `serials generate` to out. */
static void usage(FILE *out)
{
    fprintf(out, "usage: serialtrack serials generate --gtin GTIN --count N "
                 "--scheme sequential|template|random [OPTIONS]\n\noptions:\n");
    for (size_t i = 0; i < O_NOPTS; i++)
        fprintf(out, "  %-11s %s\n", options[i].name, options[i].help);
}

static int complain(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "serialtrack serials: <message>" on stderr and return code. */
static int complain(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

/* Parse argv[0..argc) ("--name value" or "--name=value") into a; the values
 * point into argv. Returns CLI_OK, -1 after printing the help on request, or
 * CLI_USAGE after printing why. */
static int parse_args(int argc, char **argv, struct gen_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return -1; /* done, successfully */
        }
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        size_t k = 0;
        while (k < O_NOPTS && (strlen(options[k].name) != n || strncmp(arg, options[k].name, n)))
            k++;
        if (k == O_NOPTS) {
            complain(CLI_USAGE, "unknown option '%.*s'", (int)n, arg);
            usage(stderr);
            return CLI_USAGE;
        }
        if (a->v[k])
            return complain(CLI_USAGE, "%s given twice", options[k].name);
        if (eq)
            a->v[k] = eq + 1;
        else if (i + 1 < argc)
            a->v[k] = argv[++i];
        else
            return complain(CLI_USAGE, "%s needs a value", options[k].name);
    }
    return CLI_OK;
}

/* Store in *out the whole decimal number min..max that s holds and return 0,
 * or print why not (naming option `name`) and return -1. */
static int parse_number(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
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
            complain(CLI_INVALID, "%s: '%s' is not a whole number (0 or more)", name, s);
        else
            complain(CLI_INVALID, "%s: '%s' is not a whole number %llu..%llu", name, s,
                     (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

/* Check a GTIN: 8, 12, 13 or 14 digits with the right mod-10 check digit
 * (weights 3, 1, 3, ... from the right-most data digit). CLI_OK, or
 * CLI_INVALID after printing why. */
static int check_gtin(const char *g)
{
    size_t n = strlen(g);
    for (size_t i = 0; i < n; i++)
        if (g[i] < '0' || g[i] > '9')
            return complain(CLI_INVALID, "--gtin '%s': byte %zu is not a digit", g, i);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return complain(CLI_INVALID, "--gtin '%s': a GTIN has 8, 12, 13 or 14 digits, not %zu", g,
                        n);
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum += (unsigned)(g[n - 2 - i] - '0') * (i % 2 == 0 ? 3u : 1u);
    char want = (char)('0' + (10 - sum % 10) % 10);
    if (g[n - 1] != want)
        return complain(CLI_INVALID, "--gtin '%s': check digit is %c, expected %c", g, g[n - 1],
                        want);
    return CLI_OK;
}

/* Decode the 64 hex digits of s into key[0..ST_SERIAL_KEY_LEN) (caller's
 * array). CLI_OK, or CLI_INVALID after printing why. */
static int parse_key(const char *s, unsigned char *key)
{
    size_t n = strlen(s);
    if (n != 2 * ST_SERIAL_KEY_LEN)
        return complain(CLI_INVALID, "--key must be %d hex digits (%d bytes), not %zu",
                        2 * ST_SERIAL_KEY_LEN, ST_SERIAL_KEY_LEN, n);
    for (size_t i = 0; i < n; i++) {
        const char *hex = "0123456789abcdef0123456789ABCDEF";
        const char *p = strchr(hex, s[i]);
        if (!p)
            return complain(CLI_INVALID, "--key: byte %zu ('%c') is not a hex digit", i, s[i]);
        unsigned d = (unsigned)(p - hex) % 16;
        key[i / 2] = (unsigned char)(i % 2 ? key[i / 2] | d : d << 4);
    }
    return CLI_OK;
}

/* Fill o from the parsed command line: its strings point into argv, o->key
 * (when --key is given) into the caller's key array. Returns CLI_OK, or
 * CLI_USAGE / CLI_INVALID after printing why. */
static int build_opts(const struct gen_args *a, unsigned scheme_bit, st_serial_opts *o,
                      unsigned char *key)
{
    uint64_t v;
    if (a->v[O_PROFILE]) {
        if (!strcmp(a->v[O_PROFILE], "dscsa"))
            o->profile = ST_SERIAL_PROFILE_DSCSA;
        else if (strcmp(a->v[O_PROFILE], "gs1"))
            return complain(CLI_USAGE, "--profile must be gs1 or dscsa, not '%s'", a->v[O_PROFILE]);
    }
    for (size_t k = 0; k < O_NOPTS; k++)
        if (a->v[k] && !(options[k].schemes & scheme_bit))
            return complain(CLI_USAGE, "%s is not used by --scheme %s", options[k].name,
                            a->v[O_SCHEME]);
    if (a->v[O_START]) {
        if (parse_number("--start", a->v[O_START], 0, UINT64_MAX, &o->start))
            return CLI_INVALID;
    }
    const struct {
        int idx;
        int *dst;
    } ints[] = {{O_WIDTH, &o->width}, {O_LENGTH, &o->length}, {O_YEAR, &o->year}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (!a->v[ints[i].idx])
            continue;
        if (parse_number(options[ints[i].idx].name, a->v[ints[i].idx], 0, INT_MAX, &v))
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

/* The random scheme's line on stderr: the space, the guessing probability for
 * count serials, and the EU FMD verdict. */
static void report_random(const st_serialgen *g, const st_serial_opts *o, uint64_t count)
{
    size_t k = strlen(o->alphabet ? o->alphabet : ST_SERIAL_DEFAULT_ALPHABET);
    int len = o->length ? o->length : ST_SERIAL_DEFAULT_LENGTH;
    uint64_t space = st_serialgen_space(g);
    double p = st_serialgen_guess_probability(g, count);
    char space_s[48];
    if (space < UINT64_MAX)
        snprintf(space_s, sizeof space_s, "%llu", (unsigned long long)space);
    else
        snprintf(space_s, sizeof space_s, "about %.3g", count / p);
    char odds[48];
    snprintf(odds, sizeof odds, 1.0 / p < 1e15 ? "%.0f" : "%.3g", 1.0 / p);
    int ok = st_serialgen_check_eu_fmd(g, count, NULL) == ST_OK;
    fprintf(stderr,
            "serial space %zu^%d = %s; guessing probability with %llu issued: %.3g (1 in %s); "
            "%s the EU FMD bound (below 1 in 10,000)\n",
            k, len, space_s, (unsigned long long)count, p, odds, ok ? "meets" : "does NOT meet");
}

/* Print count serials from g on stdout, one per line, through one buffer. */
static int print_serials(st_serialgen *g, uint64_t count)
{
    static char out[1 << 16];
    size_t used = 0;
    st_error err;
    for (uint64_t i = 0; i < count; i++) {
        if (sizeof out - used < ST_SERIAL_MAX_LEN + 2) {
            if (fwrite(out, 1, used, stdout) != used)
                break;
            used = 0;
        }
        st_rc rc = st_serialgen_next(g, out + used, sizeof out - used, &err);
        if (rc) {
            fwrite(out, 1, used, stdout);
            fflush(stdout);
            return complain(rc == ST_ERR_EXHAUSTED ? CLI_INVALID : CLI_FAILURE, "serial %llu: %s",
                            (unsigned long long)i + 1, err.msg);
        }
        used += strlen(out + used);
        out[used++] = '\n';
    }
    if (fwrite(out, 1, used, stdout) != used || fflush(stdout) || ferror(stdout))
        return complain(CLI_FAILURE, "writing the serials failed: %s", strerror(errno));
    return CLI_OK;
}

/* `serials generate OPTIONS`: argv[0] is the first option. Returns the exit code. */
static int cmd_generate(int argc, char **argv)
{
    struct gen_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    for (int k = O_GTIN; k <= O_SCHEME; k++)
        if (!a.v[k]) {
            complain(CLI_USAGE, "%s is required", options[k].name);
            usage(stderr);
            return CLI_USAGE;
        }
    static const char *const names[] = {"sequential", "template", "random"};
    unsigned bit = 0;
    st_serial_opts o = {0};
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(a.v[O_SCHEME], names[i])) {
            o.scheme = (st_serial_scheme)(ST_SERIAL_SEQUENTIAL + i);
            bit = 1u << i;
        }
    if (!bit)
        return complain(CLI_USAGE, "--scheme must be sequential, template or random, not '%s'",
                        a.v[O_SCHEME]);
    unsigned char key[ST_SERIAL_KEY_LEN];
    if ((rc = build_opts(&a, bit, &o, key)) != CLI_OK)
        return rc;
    if ((rc = check_gtin(a.v[O_GTIN])) != CLI_OK)
        return rc;
    uint64_t count;
    if (parse_number("--count", a.v[O_COUNT], 1, ST_SERIAL_MAX_COUNT, &count))
        return CLI_INVALID;

    st_serialgen *g = NULL;
    st_error err;
    st_error_clear(&err);
    st_rc src = st_serialgen_create(&o, &g, &err);
    if (src)
        return complain(src == ST_ERR_ARG || src == ST_ERR_LIMIT ? CLI_INVALID : CLI_FAILURE, "%s",
                        err.msg);
    if (count > st_serialgen_space(g)) {
        complain(CLI_INVALID, "--count %llu is more than the %llu serials this scheme can make",
                 (unsigned long long)count, (unsigned long long)st_serialgen_space(g));
        st_serialgen_destroy(g);
        return CLI_INVALID;
    }
    if (o.scheme == ST_SERIAL_RANDOM)
        report_random(g, &o, count);
    rc = print_serials(g, count);
    st_serialgen_destroy(g);
    return rc;
}

/* `serialtrack serials SUBCOMMAND ...`: argv[0] is the subcommand; only
 * `generate` exists. Returns the exit code (cli.h). */
int cmd_serials(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[0], "generate")) {
        complain(CLI_USAGE, "unknown subcommand '%s' (serials generate)", argv[0]);
        usage(stderr);
        return CLI_USAGE;
    }
    return cmd_generate(argc - 1, argv + 1);
}
