/*
 * EPCISQueryDocument writers (write.h): the answer to a query, in JSON-LD,
 * XML 2.0 or XML 1.2, streamed like an EPCISDocument. The format writers
 * (write_jsonld.c, write_xml.c) write the query's head and tail when
 * w->query_name is set; what is particular to a query document lives here:
 * it has no source, so no header and no document-wide bindings, and its
 * events come from anywhere, each with its own bindings (write_event.c;
 * st_epcis_writer_event writes one as having none).
 */
#include "epcis/write_int.h"

#include <serialtrack/limits.h>
#include <string.h>

st_rc st_epcis_writer_open_query(st_epcis_format fmt, st_epcis_ids ids, const char *query_name,
                                 FILE *out, st_diag *notes, st_epcis_writer **pw)
{
    if (!pw)
        return ST_ERR_ARG;
    *pw = NULL;
    if (!out || !query_name)
        return ST_ERR_ARG;
    size_t n = strlen(query_name);
    if (n > ST_EPCIS_MAX_STRING)
        return ST_ERR_LIMIT;
    st_epcis_writer *w = NULL;
    st_rc rc = st_wr_create(fmt, ids, out, notes, &w);
    if (rc != ST_OK)
        return rc;
    if (!(w->query_name = st_arena_strndup(w->a, query_name, n))) {
        st_wr_free(w);
        return ST_ERR_NOMEM;
    }
    if ((rc = st_wr_begin(w)) != ST_OK)
        return rc;
    *pw = w;
    return ST_OK;
}
