/* The library version string. */
#include <serialtrack/serialtrack.h>

const char *st_version(void)
{
    return "0.1.0";
}
