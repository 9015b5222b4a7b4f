/*
 * Targeted recall: from criteria (component or finished lots, component
 * serials, a location within a time window) to exactly the finished units
 * they affect, walking forward through transformations (any depth, through
 * class-level lots) and containment, with each unit's status, location,
 * container chain and holder; the scope against a blanket recall of the
 * same products; stored reports, rendered as JSON or CSV; and the execution
 * of a report as recall events captured in one atomic document.
 */
#ifndef SERIALTRACK_RECALL_H
#define SERIALTRACK_RECALL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

/*
 * Run the recall walk for criteria (JSON text crit[0..n), copied) and store
 * its report as a dry run; *id receives the report's id. The criteria are an
 * object with at least one of:
 *   "component_lots": [{"gtin": "04012345400014", "lot": "C1"}, ...]
 *   "finished_lots":  [{"gtin": ..., "lot": ...}, ...]
 *   "components":     ["urn:epc:id:sgtin:...", "(01)...(21)...", ...]
 *   "locations":      [{"location": SGLN or GLN, "from": ISO 8601, "to": ISO 8601}]
 * ST_ERR_SYNTAX (or the identifier parser's code) with the member named in
 * err for bad criteria; ST_ERR_LIMIT over a ST_RECALL_* cap; store errors as
 * they come. Nothing is stored unless the whole report is.
 */
st_rc st_recall_create(st_store *s, const char *crit, size_t n, int64_t *id, st_error *err);

/*
 * Write stored report id as one JSON object to out (the caller's writer):
 * {"id", "status", "created", "criteria", "affected_units", "blanket_units",
 * "blanket_lot_units", "scope_ratio", "elapsed_ms", "scope": {"locations",
 * "parties"}, "executed_at", "executed_events", "units": [{"epc", "key",
 * "status", "location", "container", "holder"}]}. units (0: all) caps the
 * units listed. ST_ERR_NOT_FOUND when there is no such report.
 */
st_rc st_recall_write(st_store *s, int64_t id, size_t units, st_jw *out, st_error *err);

/*
 * Write the units of report id as CSV (RFC 4180: CRLF line ends, fields
 * quoted when they hold a comma, quote or line break) to f (the caller's):
 * a header line, then epc,key,status,location,container,holder per unit.
 */
st_rc st_recall_write_csv(st_store *s, int64_t id, FILE *f, st_error *err);

/* Write the stored reports, newest first, at most max (0: 100), without
 * their units, as a JSON array to out. */
st_rc st_recall_list(st_store *s, size_t max, st_jw *out, st_error *err);

/*
 * Execute report id: for every affected unit whose current disposition is
 * not yet recalled, an ObjectEvent (OBSERVE, bizStep holding, disposition
 * recalled), all captured in one document through the normal capture path
 * (all or nothing). *events and *units (may be NULL) receive the events
 * stored and the units they name: 0 when everything was already recalled,
 * so a second call captures nothing. The report records when it was first
 * executed and the events captured.
 */
st_rc st_recall_execute(st_store *s, int64_t id, size_t *events, size_t *units, st_error *err);

#endif
