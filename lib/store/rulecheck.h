/*
 * The lifecycle rules at capture (serialtrack/rules.h): a prepared document
 * checked event by event, in document order, against the committed state
 * (item_state, item_life, location_geo, event_epc, read through the store's
 * read path) and the document's own earlier events. Backend-independent:
 * every backend stores what it finds (st_cap_doc.anom) with the events.
 */
#ifndef ST_STORE_RULECHECK_H
#define ST_STORE_RULECHECK_H

#include <serialtrack/rc.h>
#include <serialtrack/store.h>

#include "store/capture.h"
#include "store/rules.h"

/*
 * Check d with rules r. A rule in `flag` mode that fires adds an anomaly to
 * d (evidence in d's arena); one in `reject` mode stops the check with
 * ST_ERR_RULE and a message naming the rule, the event index and the
 * identifier. Events already stored (a retried document) are not checked.
 * Store errors as they come.
 */
st_rc st_rulecheck(st_store *s, const struct st_rules *r, st_cap_doc *d, st_error *err);

/* 1 when key (canonical) names one serialized instance that is expected to
 * be commissioned (SGTIN, GIAI, GRAI and GDTI with a serial, GCN with a
 * serial, CPID with a serial); SSCCs and class-level keys are not. */
int st_rulecheck_is_serial(const char *key);

#endif
