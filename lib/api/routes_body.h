/*
 * What the warranty and returns endpoints share: JSON bodies checked
 * against a table of members, library failures as problems, who is
 * calling, and times as text.
 */
#ifndef ST_API_ROUTES_BODY_H
#define ST_API_ROUTES_BODY_H

#include <jansson.h>
#include <stdint.h>

#include "api/http.h"

/* A member a body may hold; a table ends with a NULL name. */
typedef struct st_body_member {
    const char *name; /* JSON member */
    json_type type;   /* its JSON type */
} st_body_member;

/* The body as a JSON object whose members are all in allowed, each of its
 * type; NULL with a 400 problem written. Free with json_decref. */
json_t *st_body_object(st_http_req *rq, st_http_resp *rs, const st_body_member *allowed);

/* Check the members of o (the member named prefix of a body) against
 * allowed: 0, or -1 with a 400 problem naming "prefix.member". */
int st_body_members(st_http_resp *rs, json_t *o, const st_body_member *allowed, const char *prefix);

/* A library failure rc (the sentence in e) as a problem naming field (may be NULL). */
void st_body_failed(st_http_resp *rs, st_rc rc, const st_error *e, const char *field);

/* Who asks: the API key's name, or "open" on a store without keys. */
const char *st_body_caller(const st_http_req *rq);

/* ms since the epoch as 2026-01-31T08:00:00.000Z into out. */
void st_body_time(int64_t ms, char out[40]);

#endif
