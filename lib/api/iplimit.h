/*
 * Rate limits per client address, for routes that need no key (GET
 * /verify): a token bucket per address in a fixed table of
 * ST_API_CLIENTS_MAX slots, found by hashing the address; an address that
 * collides with another takes its slot (and a full bucket), so memory stays
 * bounded whatever the number of clients.
 */
#ifndef ST_API_IPLIMIT_H
#define ST_API_IPLIMIT_H

#include <stdint.h>
#include <serialtrack/rc.h>

typedef struct st_iplimit st_iplimit;

/* A limiter of rate requests per second with bursts of burst, per address.
 * NULL when out of memory. */
st_iplimit *st_iplimit_create(double rate, double burst);
void st_iplimit_destroy(st_iplimit *l);

/* Take one request of client (NULL: all unknown clients share a bucket)
 * at now_ms (monotonic): 0 when allowed, else the whole seconds to wait
 * (at least 1). */
int st_iplimit_take(st_iplimit *l, const char *client, int64_t now_ms);

#endif
