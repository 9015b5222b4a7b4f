/*
 * The OpenAPI 3 description of the HTTP API: docs/openapi.json, embedded
 * at build time (CMakeLists.txt writes it into the build tree as a C array).
 */
#ifndef ST_API_OPENAPI_H
#define ST_API_OPENAPI_H

#include <stddef.h>

extern const char st_openapi_json[];     /* the document (static; not NUL-terminated) */
extern const size_t st_openapi_json_len; /* its length in bytes */

#endif
