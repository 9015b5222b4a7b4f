/*
 * Hand-built event chains for the warranty, ownership and returns tests:
 * one ObjectEvent at a time about one unit, captured as a JSON-LD document,
 * and the instants the tests ask at. Test-only, static inline.
 */
#ifndef ST_TEST_UNIT_CHAIN_H
#define ST_TEST_UNIT_CHAIN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <serialtrack/store.h>

#define CH_GTIN "09520123456788"      /* has terms in the tests */
#define CH_GTIN_BARE "09506000134352" /* never gets terms */
#define CH_DL "https://id.gs1.org/01/" CH_GTIN "/21/"

/* Capture one ObjectEvent about epc: action ADD/OBSERVE, bizStep and
 * disposition bare CBV words (disp may be NULL), at time (RFC 3339). */
static inline st_rc ch_event(st_store *s, const char *epc, const char *time, const char *action,
                             const char *step, const char *disp)
{
    char doc[2048];
    char dispm[96] = "";
    if (disp)
        snprintf(dispm, sizeof dispm, ",\"disposition\":\"%s\"", disp);
    int n = snprintf(doc, sizeof doc,
                     "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                     "epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                     "\"creationDate\":\"%s\",\"epcisBody\":{\"eventList\":[{\"type\":"
                     "\"ObjectEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":\"+00:00\","
                     "\"epcList\":[\"%s\"],\"action\":\"%s\",\"bizStep\":\"%s\"%s,"
                     "\"readPoint\":{\"id\":\"urn:epc:id:sgln:9520123.00001.0\"}}]}}",
                     time, time, epc, action, step, dispm);
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(s, doc, (size_t)n, "test", NULL, &rep);
    st_epcis_report_destroy(rep);
    return rc;
}

/* Commission epc at time (ObjectEvent ADD, commissioning, active). */
static inline st_rc ch_commission(st_store *s, const char *epc, const char *time)
{
    return ch_event(s, epc, time, "ADD", "commissioning", "active");
}

/* Sell epc at time (ObjectEvent OBSERVE, retail_selling, retail_sold). */
static inline st_rc ch_sell(st_store *s, const char *epc, const char *time)
{
    return ch_event(s, epc, time, "OBSERVE", "retail_selling", "retail_sold");
}

/* ms since the epoch of an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ". */
static inline int64_t ch_ms(const char *t)
{
    int y, mo, d, h, mi, se;
    if (sscanf(t, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6)
        return -1;
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000LL + se * 1000LL;
}

#endif
