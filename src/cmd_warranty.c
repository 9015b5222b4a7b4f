/*
 * `serialtrack warranty terms|show|claim`: a GTIN's warranty terms, a
 * unit's warranty, and warranty claims, on the store directly (the same
 * library calls as PUT /warranty-terms/{gtin}, GET /items/{id}/warranty
 * and POST /items/{id}/claims).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"
#include "flags.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack warranty terms --gtin GTIN (--months N --from sale|manufacture |\n"
            "                                  --until YYYY-MM-DD) [--return-days N] [--db URL]\n"
            "       serialtrack warranty show [--db URL] ID\n"
            "       serialtrack warranty claim --description TEXT [--db URL] ID\n"
            "  terms: set the GTIN's warranty (months from the sale or from manufacture, or\n"
            "         to a fixed last day) and its return window (default 30 days)\n"
            "  show:  the unit's warranty: covered, starts, ends, terms, claims\n"
            "  claim: record a claim; a unit not covered is refused with the reason\n"
            "         (exit 1; reasons: unknown_unit, not_genuine, no_terms, unsold,\n"
            "         not_started, expired)\n");
    return CLI_USAGE;
}

struct opts {
    const char *db, *gtin, *months, *from, *until, *days, *description, *id;
};

static int parse(int argc, char **argv, struct opts *o)
{
    static const cli_flag flags[] = {
        {"--db", offsetof(struct opts, db)},
        {"--gtin", offsetof(struct opts, gtin)},
        {"--months", offsetof(struct opts, months)},
        {"--from", offsetof(struct opts, from)},
        {"--until", offsetof(struct opts, until)},
        {"--return-days", offsetof(struct opts, days)},
        {"--description", offsetof(struct opts, description)},
    };
    const char *id = NULL;
    int rc = cli_flags_parse(argc, argv, flags, sizeof flags / sizeof *flags, o, sizeof *o, &id);
    o->id = id;
    return rc;
}

/* A whole number min..max from text; -1 when it is not one. */
static long number(const char *v, long min, long max)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && n >= min && n <= max ? n : -1;
}

static int terms(st_store *s, const struct opts *o)
{
    st_warranty_terms t = {0};
    if (!o->gtin || strlen(o->gtin) >= sizeof t.gtin || (!o->months == !o->until) ||
        (o->months && !o->from) || (o->until && o->from && strcmp(o->from, "fixed")))
        return usage();
    snprintf(t.gtin, sizeof t.gtin, "%s", o->gtin);
    t.base = o->until ? ST_WARRANTY_FIXED : st_warranty_base_parse(o->from);
    long m = o->months ? number(o->months, 1, ST_WARRANTY_MAX_MONTHS) : 0;
    long d = o->days ? number(o->days, 0, ST_RETURN_MAX_DAYS) : 0;
    if (!t.base || m < 0 || d < 0 || (o->until && strlen(o->until) >= sizeof t.until))
        return usage();
    t.months = (int)m;
    t.return_days = (int)d;
    snprintf(t.until, sizeof t.until, "%s", o->until ? o->until : "");
    st_error e;
    st_error_clear(&e);
    if (st_warranty_terms_set(s, &t, cli_user(), &e) || st_warranty_terms_get(s, t.gtin, &t, &e)) {
        fprintf(stderr, "serialtrack warranty terms: %s\n", e.msg);
        return e.rc == ST_ERR_IO || e.rc == ST_ERR_NOMEM ? CLI_FAILURE : CLI_INVALID;
    }
    st_jw j;
    st_jw_init(&j);
    st_warranty_terms_json(&t, &j);
    int rc = st_jw_flush_line(&j, stdout) ? CLI_FAILURE : CLI_OK;
    st_jw_free(&j);
    return rc;
}

static int show_or_claim(st_store *s, const struct opts *o, int claim)
{
    if (!o->id || (claim && !o->description))
        return usage();
    st_warranty *w = malloc(sizeof *w);
    if (!w)
        return CLI_FAILURE;
    st_error e;
    st_error_clear(&e);
    int64_t id = 0;
    st_rc rc = claim ? st_warranty_claim(s, o->id, o->description, cli_user(), 0, w, &id, &e)
                     : st_warranty_get(s, o->id, 0, w, &e);
    int code = CLI_OK;
    st_jw j;
    st_jw_init(&j);
    if (rc == ST_OK || rc == ST_ERR_REFUSED) {
        st_jw_object_begin(&j);
        if (claim) {
            st_jw_key(&j, "claim");
            if (id)
                st_jw_long(&j, (long)id);
            else
                st_jw_null(&j);
        }
        st_jw_key(&j, "warranty");
        st_rc wr = st_warranty_write_json(s, w, &j, &e);
        st_jw_object_end(&j);
        if (wr || st_jw_flush_line(&j, stdout))
            code = CLI_FAILURE;
    }
    if (rc == ST_ERR_REFUSED) {
        fprintf(stderr, "serialtrack warranty claim: %s\n", e.msg);
        code = CLI_INVALID;
    } else if (rc) {
        fprintf(stderr, "serialtrack warranty: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        code = rc == ST_ERR_SYNTAX ? CLI_USAGE : rc == ST_ERR_ARG ? CLI_INVALID : CLI_FAILURE;
    } else if (!claim && w->reason && !strcmp(w->reason, ST_WARRANTY_R_UNKNOWN)) {
        code = CLI_INVALID;
    }
    st_jw_free(&j);
    free(w);
    return code;
}

int cmd_warranty(int argc, char **argv)
{
    if (argc < 1)
        return usage();
    const char *sub = argv[0];
    struct opts o;
    if (parse(argc - 1, argv + 1, &o))
        return usage();
    int is_terms = !strcmp(sub, "terms"), is_show = !strcmp(sub, "show"),
        is_claim = !strcmp(sub, "claim");
    if (!is_terms && !is_show && !is_claim)
        return usage();
    st_store_opts so = {.read_only = is_show};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(o.db, &so, &s, &e)) {
        fprintf(stderr, "serialtrack warranty: %s\n", e.msg);
        return CLI_FAILURE;
    }
    int rc = is_terms ? terms(s, &o) : show_or_claim(s, &o, is_claim);
    st_store_close(s);
    return rc;
}
