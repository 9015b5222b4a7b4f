/*
 * The serialtrack program: one function per subcommand, each taking the
 * arguments after its name. Uses only the public headers.
 */
#ifndef ST_CLI_H
#define ST_CLI_H

/* Exit codes shared by all subcommands */
#define CLI_OK 0      /* success */
#define CLI_INVALID 1 /* the input was processed and found invalid */
#define CLI_USAGE 2   /* bad command line */
#define CLI_FAILURE 3 /* could not do the work (I/O, memory) */

int cmd_id(int argc, char **argv);      /* cmd_id.c: id parse, id encode */
int cmd_serials(int argc, char **argv); /* cmd_serials.c: serials generate|allocate|allocations */
int cmd_commission(int argc, char **argv); /* cmd_commission.c: commission */
int cmd_epcis(int argc, char **argv);   /* cmd_epcis.c: epcis validate, epcis convert */
int cmd_hash(int argc, char **argv);    /* cmd_epcis.c: hash */
int cmd_capture(int argc, char **argv); /* cmd_store.c: capture */
int cmd_db(int argc, char **argv);      /* cmd_store.c: db migrate, db info */
int cmd_audit(int argc, char **argv);   /* cmd_store.c: audit verify */
int cmd_events(int argc, char **argv);  /* cmd_events.c: events */
int cmd_demo(int argc, char **argv);    /* cmd_demo.c: demo */
int cmd_serve(int argc, char **argv);   /* cmd_serve.c: serve */
int cmd_trace(int argc, char **argv);   /* cmd_trace.c: trace */
int cmd_recall(int argc, char **argv);  /* cmd_recall.c: recall, recall show|list|execute */
int cmd_keys(int argc, char **argv);    /* cmd_keys.c: keys create, keys list, keys revoke */
int cmd_anomalies(int argc, char **argv); /* cmd_anomalies.c: anomalies */
int cmd_verify(int argc, char **argv);  /* cmd_anomalies.c: verify */
int cmd_warranty(int argc, char **argv); /* cmd_warranty.c: warranty terms|show|claim */
int cmd_returns(int argc, char **argv);  /* cmd_returns.c: returns create|list */

struct st_store;
/* Apply $SERIALTRACK_RULES, then spec (a --rules value; may be NULL), to s;
 * CLI_OK, or CLI_USAGE with the reason printed (prog names the command). */
int cli_rules_apply(struct st_store *s, const char *spec, const char *prog);

#endif
