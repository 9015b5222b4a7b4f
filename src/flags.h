/*
 * "--name value" options of the smaller commands (warranty, returns): each
 * stored as a string at its member of the command's options struct, with at
 * most one positional argument.
 */
#ifndef ST_CLI_FLAGS_H
#define ST_CLI_FLAGS_H

#include <stddef.h>

/* One option: its flag and the offset of its `const char *` member. */
typedef struct cli_flag {
    const char *flag; /* "--name" */
    size_t off;       /* offsetof(the options struct, its member) */
} cli_flag;

/*
 * Parse argv[0..argc) into opts (zeroed first: size bytes) by flags[0..n).
 * An argument that is not a flag goes to *positional (once; NULL: none
 * allowed). 0, or -1 for an unknown flag, a flag without its value or a
 * positional argument too many. Values are argv's, borrowed.
 */
int cli_flags_parse(int argc, char **argv, const cli_flag *flags, size_t n, void *opts, size_t size,
                    const char **positional);

/* Who records a change made from the command line: $USER, else "cli". */
const char *cli_user(void);

#endif
