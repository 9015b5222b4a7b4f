/*
 * cli_flags_parse and cli_user (flags.h).
 */
#include "flags.h"

#include <stdlib.h>
#include <string.h>

int cli_flags_parse(int argc, char **argv, const cli_flag *flags, size_t n, void *opts, size_t size,
                    const char **positional)
{
    memset(opts, 0, size);
    if (positional)
        *positional = NULL;
    for (int i = 0; i < argc; i++) {
        size_t k = 0;
        while (k < n && strcmp(argv[i], flags[k].flag))
            k++;
        if (k < n) {
            if (i + 1 >= argc)
                return -1;
            *(const char **)((char *)opts + flags[k].off) = argv[++i];
        } else if ((argv[i][0] == '-' && argv[i][1] == '-') || !positional || *positional) {
            return -1;
        } else {
            *positional = argv[i];
        }
    }
    return 0;
}

const char *cli_user(void)
{
    const char *u = getenv("USER");
    return u && *u ? u : "cli";
}
