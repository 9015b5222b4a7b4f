/* Token buckets per client address (iplimit.h). */
#include "api/iplimit.h"

#include <math.h>
#include <pthread.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char addr[48];   /* the address ("" for a free slot) */
    double tokens;   /* tokens left */
    int64_t last_ms; /* when they were counted */
};

struct st_iplimit {
    pthread_mutex_t mu; /* guards the slots */
    double rate, burst; /* per second, bucket size */
    struct slot slot[ST_API_CLIENTS_MAX];
};

st_iplimit *st_iplimit_create(double rate, double burst)
{
    st_iplimit *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->rate = rate;
    l->burst = burst;
    return l;
}

void st_iplimit_destroy(st_iplimit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

int st_iplimit_take(st_iplimit *l, const char *client, int64_t now_ms)
{
    if (!client)
        client = "?";
    uint64_t h = 1469598103934665603ull;
    for (const char *p = client; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    pthread_mutex_lock(&l->mu);
    struct slot *s = &l->slot[h % ST_API_CLIENTS_MAX];
    if (strncmp(s->addr, client, sizeof s->addr - 1)) {
        snprintf(s->addr, sizeof s->addr, "%s", client);
        s->tokens = l->burst;
        s->last_ms = now_ms;
    }
    s->tokens += (double)(now_ms - s->last_ms) / 1000.0 * l->rate;
    if (s->tokens > l->burst)
        s->tokens = l->burst;
    s->last_ms = now_ms;
    int wait = 0;
    if (s->tokens >= 1) {
        s->tokens -= 1;
    } else {
        wait = (int)ceil((1 - s->tokens) / l->rate);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&l->mu);
    return wait;
}
