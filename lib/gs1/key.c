/* Canonical keys from AI data (see key.h). */
#include "gs1/key.h"

#include <string.h>

#include "common/error.h"
#include "gs1/dl.h"

/* Which qualifiers identify the object, per primary key: alternatives in
 * preference order, the first one present wins. Data, not code. */
static const struct {
    const char *key;       /* primary-key AI */
    const char *quals[3];  /* identity qualifier AIs, in preference order */
} key_quals[] = {
    {"01", {"21", "235", "10"}}, {"8006", {"21", "10", NULL}}, {"414", {"254", NULL, NULL}},
    {"8010", {"8011", NULL, NULL}}, {"8017", {"8019", NULL, NULL}},
    {"8018", {"8019", NULL, NULL}}, {"415", {"8020", NULL, NULL}},
};

st_rc st_key_elements(const st_aidata *d, st_aidata *k, st_error *err)
{
    st_ai_init(k);
    for (size_t i = 0; i < d->n; i++) {
        const st_ai_elem *e = &d->e[i];
        if (!(e->def->flags & ST_AI_DL_PKEY))
            continue;
        st_rc rc = st_ai_add(k, e->def->ai, e->def->ai_len, st_ai_value(d, i), e->len, e->pos, err);
        if (rc)
            return rc;
        for (size_t q = 0; q < sizeof key_quals / sizeof key_quals[0]; q++) {
            if (strcmp(key_quals[q].key, e->def->ai))
                continue;
            for (size_t a = 0; a < 3 && key_quals[q].quals[a]; a++) {
                for (size_t j = 0; j < d->n; j++) {
                    if (strcmp(d->e[j].def->ai, key_quals[q].quals[a]))
                        continue;
                    return st_ai_add(k, d->e[j].def->ai, d->e[j].def->ai_len,
                                     st_ai_value(d, j), d->e[j].len, d->e[j].pos, err);
                }
            }
        }
        return ST_OK;
    }
    return st_fail(err, ST_ERR_UNSUPPORTED, 0, NULL,
                   "no GS1 identification key (such as 01, 00, 414, 8003, 8004) in the data");
}

st_rc st_key_build(const st_aidata *d, char *out, size_t cap, st_error *err)
{
    st_aidata k;
    st_rc rc = st_key_elements(d, &k, err);
    if (rc)
        return rc;
    return st_dl_build(&k, NULL, ST_DL_KEY_ONLY, out, cap, err);
}

size_t st_key_gcp_offset(const char *ai)
{
    static const char *const after_first[] = {"00", "01", "02", "03", "8003", "8006", "8026"};
    for (size_t i = 0; i < sizeof after_first / sizeof after_first[0]; i++)
        if (!strcmp(ai, after_first[i]))
            return 1;
    return 0;
}
