/*
 * Fuzz target for GS1 element strings (lib/gs1/ai.c): st_ai_parse on the raw
 * bytes (not NUL-terminated, so ASan sees any over-read). Whatever parses must
 * survive the round trips bracketed -> parse, unbracketed with GS -> parse and
 * "]d2" + unbracketed with '^' -> parse, each giving the same HRI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs1/ai.h"

#define OUT_MAX (ST_AI_MAX_DATA * 2 + ST_AI_MAX_ELEMENTS * 8 + 16) /* worst-case HRI */

/* Report a broken invariant with the data involved and abort (the fuzzer's crash). */
static void fail(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_element_string: %s\n  first:  %s\n  second: %s\n", what, a ? a : "",
            b ? b : "");
    abort();
}

/* A failed parse must leave a terminated message and a position inside the input. */
static void check_error(const st_error *err, const char *s, size_t n)
{
    if (!memchr(err->msg, '\0', sizeof err->msg) || !memchr(err->ai, '\0', sizeof err->ai))
        fail("error record not NUL-terminated", NULL, NULL);
    if (err->position < -1 || err->position > (long)n) {
        fprintf(stderr, "input (%zu bytes): %.*s\nposition: %ld\n", n, (int)n, s, err->position);
        fail("error position outside the input", err->msg, NULL);
    }
}

/* Parse s[0..n) (produced by the library itself): it must parse, and give hri. */
static void reparse(const char *form, const char *s, size_t n, const char *hri)
{
    static st_aidata d2;
    static char hri2[OUT_MAX];
    st_error err;
    st_error_clear(&err);
    if (n > ST_ID_MAX_INPUT)
        return; /* longer than any input may be; the first parse saw a shorter form */
    if (st_ai_parse(s, n, &d2, &err) != ST_OK) {
        fprintf(stderr, "re-parse of the %s form failed: %s (position %ld)\n", form, err.msg,
                err.position);
        fail("library output does not parse", hri, s);
    }
    if (st_ai_to_hri(&d2, hri2, sizeof hri2) != ST_OK)
        fail("st_ai_to_hri failed on re-parsed data", hri, s);
    if (strcmp(hri, hri2) != 0)
        fail(form, hri, hri2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static st_aidata d;
    static char hri[OUT_MAX], raw[OUT_MAX], caret[OUT_MAX + 3];
    st_error err;

    st_error_clear(&err);
    if (st_ai_parse((const char *)data, size, &d, &err) != ST_OK) {
        check_error(&err, (const char *)data, size);
        return 0;
    }
    for (size_t i = 0; i < d.n; i++) {
        const char *v = st_ai_value(&d, i);
        if (strlen(v) != d.e[i].len || d.e[i].pos < 0 || d.e[i].pos > (long)size)
            fail("element length or position inconsistent", d.e[i].def->ai, v);
    }
    if (st_ai_to_hri(&d, hri, sizeof hri) != ST_OK)
        fail("st_ai_to_hri: worst-case buffer too small", NULL, NULL);
    if (st_ai_to_unbracketed(&d, ST_GS, raw, sizeof raw) != ST_OK)
        fail("st_ai_to_unbracketed: worst-case buffer too small", hri, NULL);
    reparse("bracketed", hri, strlen(hri), hri);
    reparse("unbracketed (GS)", raw, strlen(raw), hri);

    memcpy(caret, "]d2", 3);
    if (st_ai_to_unbracketed(&d, '^', caret + 3, sizeof caret - 3) != ST_OK)
        fail("st_ai_to_unbracketed('^'): worst-case buffer too small", hri, NULL);
    reparse("]d2 + unbracketed (^)", caret, strlen(caret), hri);
    return 0;
}
