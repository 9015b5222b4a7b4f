/*
 * `serialtrack returns create|list`: decide a return on the store directly
 * (the same library call as POST /returns: checks, routing, the events in
 * one capture, the decision stored and idempotent by unit and order), and
 * list the stored decisions.
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
    fprintf(
        stderr,
        "usage: serialtrack returns create --id ID [--order REF | --receipt REF] --reason TEXT\n"
        "                                  --condition new|opened|damaged|defective\n"
        "                                  [--location GLN|URI] [--db URL]\n"
        "       serialtrack returns list [--id ID] [--limit N] [--db URL]\n"
        "  create: prints the decision as JSON; a refused return exits 1 with its reason\n"
        "          (unknown_unit, not_genuine, stolen, not_sold, already_returned,\n"
        "          order_mismatch, window_expired)\n"
        "  list:   stored decisions, newest first (default 100)\n");
    return CLI_USAGE;
}

struct opts {
    const char *db, *id, *order, *receipt, *reason, *condition, *location, *limit;
};

static int parse(int argc, char **argv, struct opts *o)
{
    static const cli_flag flags[] = {
        {"--db", offsetof(struct opts, db)},
        {"--id", offsetof(struct opts, id)},
        {"--order", offsetof(struct opts, order)},
        {"--receipt", offsetof(struct opts, receipt)},
        {"--reason", offsetof(struct opts, reason)},
        {"--condition", offsetof(struct opts, condition)},
        {"--location", offsetof(struct opts, location)},
        {"--limit", offsetof(struct opts, limit)},
    };
    return cli_flags_parse(argc, argv, flags, sizeof flags / sizeof *flags, o, sizeof *o, NULL);
}

static int create(st_store *s, const struct opts *o)
{
    if (!o->id || !o->reason || !o->condition || (o->order && o->receipt))
        return usage();
    st_return_req r = {0};
    r.id = o->id;
    r.order = o->order ? o->order : o->receipt;
    r.reason = o->reason;
    r.condition = o->condition;
    r.location = o->location;
    r.by = cli_user();
    st_return_decision *d = malloc(sizeof *d);
    if (!d)
        return CLI_FAILURE;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_return_create(s, &r, d, &e);
    int code = CLI_OK;
    if (rc == ST_OK || rc == ST_ERR_REFUSED) {
        st_jw j;
        st_jw_init(&j);
        st_return_decision_json(d, &j);
        if (st_jw_flush_line(&j, stdout))
            code = CLI_FAILURE;
        st_jw_free(&j);
    }
    if (rc == ST_ERR_REFUSED) {
        fprintf(stderr, "serialtrack returns: %s\n", e.msg);
        code = CLI_INVALID;
    } else if (rc) {
        fprintf(stderr, "serialtrack returns: %s%s%s\n", d->field ? d->field : "",
                d->field ? ": " : "", e.msg[0] ? e.msg : st_strerror(rc));
        code = rc == ST_ERR_IO || rc == ST_ERR_NOMEM ? CLI_FAILURE : CLI_USAGE;
    }
    free(d);
    return code;
}

static int list(st_store *s, const struct opts *o)
{
    long limit = 100;
    if (o->limit) {
        char *end;
        limit = strtol(o->limit, &end, 10);
        if (*end || limit < 1 || limit > ST_WARRANTY_LIST_MAX)
            return usage();
    }
    st_jw j;
    st_jw_init(&j);
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_return_list_json(s, o->id, (int)limit, &j, &e);
    int code = CLI_OK;
    if (rc) {
        fprintf(stderr, "serialtrack returns list: %s\n", e.msg);
        code = rc == ST_ERR_SYNTAX ? CLI_USAGE : CLI_FAILURE;
    } else if (st_jw_flush_line(&j, stdout)) {
        code = CLI_FAILURE;
    }
    st_jw_free(&j);
    return code;
}

int cmd_returns(int argc, char **argv)
{
    if (argc < 1)
        return usage();
    int is_create = !strcmp(argv[0], "create"), is_list = !strcmp(argv[0], "list");
    struct opts o;
    if ((!is_create && !is_list) || parse(argc - 1, argv + 1, &o))
        return usage();
    st_store_opts so = {.read_only = is_list};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(o.db, &so, &s, &e)) {
        fprintf(stderr, "serialtrack returns: %s\n", e.msg);
        return CLI_FAILURE;
    }
    int rc = is_create ? create(s, &o) : list(s, &o);
    st_store_close(s);
    return rc;
}
