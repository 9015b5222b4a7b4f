/*
 * st_arena: request-scoped memory. Everything a parsed document or an HTTP
 * request needs is carved from a few large blocks and freed at once with
 * st_arena_destroy (or reused after st_arena_reset). Every arena has a cap
 * on the bytes it may hand out, so hostile input cannot exhaust memory.
 */
#ifndef ST_COMMON_ARENA_H
#define ST_COMMON_ARENA_H

#include <stddef.h>
#include <serialtrack/rc.h>

typedef struct st_arena st_arena;

/* Non-owning string slice: p points into memory someone else owns. */
typedef struct st_slice {
    const char *p; /* first byte; need not be NUL-terminated */
    size_t n;      /* length in bytes */
} st_slice;

/* A new arena that hands out at most cap bytes in all (0 = no cap beyond
 * SIZE_MAX). NULL when out of memory. Free with st_arena_destroy. */
st_arena *st_arena_create(size_t cap);

/* A new arena that lives in the caller's buf[0..n) (a stack array, say) and
 * hands out the rest of buf before it mallocs any block: scratch work that
 * usually fits costs no malloc at all. cap as for st_arena_create. buf stays
 * the caller's and must outlive the arena; st_arena_destroy frees only the
 * blocks the arena allocated itself. NULL when n is too small to hold the
 * arena's own bookkeeping (ST_ARENA_IN_MIN bytes). */
#define ST_ARENA_IN_MIN 256
st_arena *st_arena_create_in(void *buf, size_t n, size_t cap);

/* Free the arena and everything allocated from it. NULL is accepted. */
void st_arena_destroy(st_arena *a);

/* Forget every allocation but keep the first block for reuse. */
void st_arena_reset(st_arena *a);

/* n bytes aligned for any type, owned by the arena; NULL when out of memory
 * or when the cap would be exceeded (st_arena_over_cap then returns 1). */
void *st_arena_alloc(st_arena *a, size_t n);

/* Zeroed st_arena_alloc. */
void *st_arena_calloc(st_arena *a, size_t n);

/* A NUL-terminated copy of s[0..n), owned by the arena, or NULL. */
char *st_arena_strndup(st_arena *a, const char *s, size_t n);

/* Bytes handed out so far, and whether an allocation failed on the cap. */
size_t st_arena_used(const st_arena *a);
int st_arena_over_cap(const st_arena *a);

#endif
