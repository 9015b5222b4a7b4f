/*
 * What a partner may read (st_scope, public part in serialtrack/store.h):
 * the events and items that concern its party, as source or destination,
 * as owner or possessor, or at one of its locations. Its locations are the
 * GLN the party is identified by (https://id.gs1.org/414/{gln}, with or
 * without a /254 extension) and every location below them in the
 * master-data hierarchy (location_child).
 */
#ifndef ST_STORE_SCOPE_H
#define ST_STORE_SCOPE_H

#include <stddef.h>
#include <serialtrack/store.h>

#include "epcis/event.h"

/*
 * The canonical key of a party as a key's --party gives it: a PGLN in any
 * GS1 form (element string "(417)...", Digital Link, urn:epc:id:pgln:, or
 * the 13 digits alone), an SGLN, or a private URI (its own key). Written to
 * out[0..cap). ST_ERR_SYNTAX with the reason in err otherwise.
 */
st_rc st_scope_party_key(const char *party, char *out, size_t cap, st_error *err);

/* Whether canonical key is the party or one of its locations. */
int st_scope_key_ok(const st_scope *sc, const char *key);

/* Whether the decoded event root (bindings: its document's prefix bindings,
 * or NULL) concerns the party: a sourceList or destinationList entry, its
 * readPoint or its bizLocation is the party or one of its locations. */
int st_scope_event_ok(const st_scope *sc, const st_evnode *root, const st_evnode *bindings);

#endif
