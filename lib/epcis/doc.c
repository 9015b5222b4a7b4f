/* Document-level helpers shared by the EPCIS readers (see doc.h). */
#include "epcis/doc.h"

#include <string.h>

/* Find needle in the first n bytes of hay (hay need not be NUL-terminated). */
static int contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, k))
            return 1;
    return 0;
}

st_epcis_format st_epcis_detect(const char *buf, size_t n)
{
    size_t i = 0;
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3; /* UTF-8 byte order mark */
    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i == n)
        return ST_EPCIS_FMT_UNKNOWN;
    if (buf[i] == '{' || buf[i] == '[')
        return ST_EPCIS_FMT_JSONLD;
    if (buf[i] != '<')
        return ST_EPCIS_FMT_UNKNOWN;
    size_t look = n - i < 8192 ? n - i : 8192; /* the root element is near the start */
    if (contains(buf + i, look, "urn:epcglobal:epcis:xsd:2") ||
        contains(buf + i, look, "urn:epcglobal:epcis-query:xsd:2") ||
        contains(buf + i, look, "urn:epcglobal:epcis-masterdata:xsd:2"))
        return ST_EPCIS_FMT_XML2;
    if (contains(buf + i, look, "urn:epcglobal:epcis:xsd:1") ||
        contains(buf + i, look, "urn:epcglobal:epcis-query:xsd:1") ||
        contains(buf + i, look, "urn:epcglobal:epcis-masterdata:xsd:1"))
        return ST_EPCIS_FMT_XML12;
    return ST_EPCIS_FMT_UNKNOWN;
}
