/*
 * Canonical keys: the one identity of an object, whatever form it was read in.
 * The key is the GS1 Digital Link URI, on the https://id.gs1.org stem, of the
 * object's identifying AIs only, e.g. https://id.gs1.org/01/09520123456788/21/12345
 * for a serialised unit, whatever expiry, lot or price its label also carries.
 */
#ifndef ST_GS1_KEY_H
#define ST_GS1_KEY_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "gs1/ai.h"

/*
 * Copy into k (reset first) the identifying elements of d: its first Digital
 * Link primary key and the qualifiers that identify an instance or class:
 * (01) with (21), or (235), or else (10); (8006) with (21) or (10); (414)
 * with (254); (8010) with (8011); (8017)/(8018) with (8019); (415) with
 * (8020); other keys alone (their serial is part of the key's value).
 * ST_ERR_UNSUPPORTED when d holds no primary key.
 */
st_rc st_key_elements(const st_aidata *d, st_aidata *k, st_error *err);

/* Write the canonical key of d into out[0..cap). */
st_rc st_key_build(const st_aidata *d, char *out, size_t cap, st_error *err);

/* Offset of the GS1 Company Prefix inside the value of key AI ai: 1 after an
 * indicator or extension digit (01, 02, 03, 00, 8006, 8026) or the leading 0
 * of a GRAI (8003); 0 for the others. */
size_t st_key_gcp_offset(const char *ai);

#endif
