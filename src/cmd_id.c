/*
 * `serialtrack id`: parse any identifier form into JSON (one input, or one per
 * line from stdin), and encode identifiers as EPC binary hex.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/jsonw.h>
#include <serialtrack/serialtrack.h>

#include "cli.h"

/* Options shared by the id subcommands. */
struct id_cli {
    st_id_opts opts;      /* passed to st_id_parse */
    st_gcp_table *gcp;    /* loaded from --gcp-file or $SERIALTRACK_GCP_FILE; owned */
    const char *scheme;   /* encode: EPC binary scheme */
    int filter;           /* encode: filter value, -1 = default */
    const char *text;     /* the one positional argument */
};

static void id_usage(FILE *out)
{
    fprintf(out,
            "usage: serialtrack id parse [--gcp-len N] [--gcp-file F] [--legacy-gtin] TEXT|-\n"
            "       serialtrack id encode --scheme S [--filter N] [--gcp-len N] [--gcp-file F] "
            "TEXT\n"
            "  TEXT: an element string, Digital Link URI, EPC URI, EPC tag URI or EPC hex;\n"
            "        '-' reads one input per line from stdin and writes one JSON object per line.\n"
            "  S: sgtin-96 sgtin-198 sscc-96 sgln-96 sgln-195 grai-96 grai-170 giai-96 giai-202\n"
            "     gdti-96 gdti-174\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Read the options of `id parse` / `id encode`; returns CLI_OK or CLI_USAGE. */
static int read_options(int argc, char **argv, int encode, struct id_cli *c)
{
    memset(c, 0, sizeof *c);
    c->filter = -1;
    const char *gcp_file = getenv("SERIALTRACK_GCP_FILE");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--gcp-len") && v) {
            if (parse_int(v, 4, 12, &c->opts.gcp_len)) {
                fprintf(stderr, "serialtrack id: --gcp-len must be 4 to 12, not '%s'\n", v);
                return CLI_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--gcp-file") && v) {
            gcp_file = v;
            i++;
        } else if (!strcmp(a, "--legacy-gtin")) {
            c->opts.dl_legacy_gtin = 1;
        } else if (encode && !strcmp(a, "--scheme") && v) {
            c->scheme = v;
            i++;
        } else if (encode && !strcmp(a, "--filter") && v) {
            if (parse_int(v, 0, 7, &c->filter)) {
                fprintf(stderr, "serialtrack id: --filter must be 0 to 7, not '%s'\n", v);
                return CLI_USAGE;
            }
            i++;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            id_usage(stdout);
            exit(CLI_OK);
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "serialtrack id: unknown option or missing value: %s\n", a);
            return CLI_USAGE;
        } else if (!c->text) {
            c->text = a;
        } else {
            fprintf(stderr, "serialtrack id: more than one input given ('%s')\n", a);
            return CLI_USAGE;
        }
    }
    if (!c->text) {
        id_usage(stderr);
        return CLI_USAGE;
    }
    if (encode && !c->scheme) {
        fprintf(stderr, "serialtrack id encode: --scheme is required\n");
        return CLI_USAGE;
    }
    if (gcp_file && *gcp_file) {
        st_error err;
        st_error_clear(&err);
        if (st_gcp_table_load(gcp_file, &c->gcp, &err)) {
            fprintf(stderr, "serialtrack id: %s: %s\n", gcp_file, err.msg);
            return CLI_USAGE;
        }
        c->opts.gcp = c->gcp;
    }
    return CLI_OK;
}

/* Write the JSON object describing one input (valid or not) into w;
 * *valid says which it was. */
static void describe(st_jw *w, const char *text, size_t len, const st_id_opts *opts, int *valid)
{
    st_jw_object_begin(w);
    st_jw_key(w, "input");
    st_jw_string(w, text, len);
    st_id *id = NULL;
    st_error err;
    st_error_clear(&err);
    st_rc rc = st_id_parse(text, len, opts, &id, &err);
    if (rc) {
        *valid = 0;
        st_jw_key(w, "valid");
        st_jw_bool(w, 0);
        st_jw_member_str(w, "error", err.msg[0] ? err.msg : st_strerror(rc));
        st_jw_key(w, "position");
        if (err.position >= 0)
            st_jw_long(w, err.position);
        else
            st_jw_null(w);
        st_jw_key(w, "ai");
        if (err.ai[0])
            st_jw_cstring(w, err.ai);
        else
            st_jw_null(w);
        st_jw_object_end(w);
        return;
    }
    *valid = 1;
    st_jw_member_str(w, "format", st_id_format_name(st_id_format_of(id)));
    st_jw_key(w, "valid");
    st_jw_bool(w, 1);
    st_jw_member_str(w, "key", st_id_key(id));
    st_jw_key(w, "ais");
    st_jw_array_begin(w);
    for (size_t i = 0; i < st_id_ai_count(id); i++) {
        const char *ai, *value;
        st_id_ai_at(id, i, &ai, &value);
        st_jw_object_begin(w);
        st_jw_member_str(w, "ai", ai);
        st_jw_member_str(w, "value", value);
        st_jw_object_end(w);
    }
    st_jw_array_end(w);
    if (st_id_ai_count(id))
        st_jw_member_str(w, "hri", st_id_hri(id));
    st_jw_member_str(w, "digital_link", st_id_digital_link(id));
    st_jw_member_str(w, "epc_uri", st_id_epc_uri(id));
    if (!st_id_epc_uri(id))
        st_jw_member_str(w, "epc_uri_unavailable", st_id_epc_uri_why(id));
    st_jw_member_str(w, "tag_uri", st_id_tag_uri(id));
    st_jw_member_str(w, "hex", st_id_hex(id));
    st_jw_object_end(w);
    st_id_destroy(id);
}

/* `id parse -`: one JSON line per input line, in order; invalid lines are reported too. */
static int parse_stream(const st_id_opts *opts)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    st_jw w;
    st_jw_init(&w);
    int rc = CLI_OK;
    while (rc == CLI_OK && (n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        int valid;
        describe(&w, line, len, opts, &valid);
        if (st_jw_flush_line(&w, stdout))
            rc = CLI_FAILURE;
    }
    free(line);
    st_jw_free(&w);
    if (rc == CLI_OK && ferror(stdin)) {
        fprintf(stderr, "serialtrack id parse: reading stdin: %s\n", strerror(errno));
        rc = CLI_FAILURE;
    }
    if (fflush(stdout))
        rc = CLI_FAILURE;
    return rc;
}

static int id_parse(int argc, char **argv)
{
    struct id_cli c;
    int rc = read_options(argc, argv, 0, &c);
    if (rc)
        return rc;
    if (!strcmp(c.text, "-")) {
        rc = parse_stream(&c.opts);
    } else {
        int valid;
        st_jw w;
        st_jw_init(&w);
        describe(&w, c.text, strlen(c.text), &c.opts, &valid);
        rc = st_jw_flush_line(&w, stdout) || fflush(stdout) ? CLI_FAILURE
             : valid                                     ? CLI_OK
                                                         : CLI_INVALID;
        st_jw_free(&w);
    }
    st_gcp_table_destroy(c.gcp);
    return rc;
}

static int id_encode(int argc, char **argv)
{
    struct id_cli c;
    int rc = read_options(argc, argv, 1, &c);
    if (rc)
        return rc;
    st_id *id = NULL;
    st_error err;
    st_error_clear(&err);
    char hex[ST_EPC_HEX_MAX + 1];
    if (st_id_parse(c.text, strlen(c.text), &c.opts, &id, &err) ||
        st_id_encode(id, c.scheme, c.filter, hex, sizeof hex, &err)) {
        fprintf(stderr, "serialtrack id encode: %s\n", err.msg[0] ? err.msg : st_strerror(err.rc));
        rc = CLI_INVALID;
    } else {
        printf("%s\n", hex);
    }
    st_id_destroy(id);
    st_gcp_table_destroy(c.gcp);
    return rc;
}

int cmd_id(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "parse"))
        return id_parse(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "encode"))
        return id_encode(argc - 1, argv + 1);
    id_usage(argc ? stderr : stdout);
    return CLI_USAGE;
}
