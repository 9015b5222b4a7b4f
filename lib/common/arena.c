/* st_arena: bump allocation in chained blocks, freed all at once (arena.h). */
#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 65536 /* default block size; larger requests get a block of their own */
#define ARENA_ALIGN 16

struct block {
    struct block *next; /* older block */
    size_t size;        /* usable bytes in data[] */
    size_t used;        /* bytes handed out from data[] */
    int borrowed;       /* the block is the caller's memory (st_arena_create_in): never freed */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct st_arena {
    struct block *head; /* newest block, where allocation happens */
    size_t cap;         /* most bytes to hand out in all */
    size_t used;        /* bytes handed out */
    int over_cap;       /* an allocation was refused by the cap */
    int in_buf;         /* the arena itself lives in the caller's memory */
};

_Static_assert(ST_ARENA_IN_MIN >= sizeof(struct st_arena) + sizeof(struct block) + 2 * ARENA_ALIGN,
               "ST_ARENA_IN_MIN cannot hold an arena and its first block");

st_arena *st_arena_create(size_t cap)
{
    st_arena *a = calloc(1, sizeof *a);
    if (a)
        a->cap = cap ? cap : SIZE_MAX;
    return a;
}

st_arena *st_arena_create_in(void *buf, size_t n, size_t cap)
{
    uintptr_t p = ((uintptr_t)buf + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
    size_t skip = (size_t)(p - (uintptr_t)buf);
    size_t head = (sizeof(struct st_arena) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (!buf || n < ST_ARENA_IN_MIN || n - skip < head + sizeof(struct block) + ARENA_ALIGN)
        return NULL;
    st_arena *a = (st_arena *)p;
    struct block *b = (struct block *)(p + head);
    b->next = NULL;
    b->size = (n - skip - head - sizeof *b) & ~(size_t)(ARENA_ALIGN - 1);
    b->used = 0;
    b->borrowed = 1;
    a->head = b;
    a->cap = cap ? cap : SIZE_MAX;
    a->used = 0;
    a->over_cap = 0;
    a->in_buf = 1;
    return a;
}

void st_arena_destroy(st_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        if (!b->borrowed)
            free(b);
        b = next;
    }
    if (!a->in_buf)
        free(a);
}

void st_arena_reset(st_arena *a)
{
    if (!a || !a->head)
        return;
    struct block *keep = NULL;
    for (struct block *b = a->head; b; b = b->next) /* the caller's block, if any */
        if (b->borrowed)
            keep = b;
    struct block *b = a->head;
    while (b) { /* keep that one, else the oldest (first, standard-size) block */
        struct block *next = b->next;
        if (keep ? b != keep : next != NULL)
            free(b);
        else
            keep = b;
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
    a->used = 0;
    a->over_cap = 0;
}

void *st_arena_alloc(st_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n || need > a->cap - a->used) {
        a->over_cap = need >= n;
        return NULL;
    }
    struct block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        struct block *nb = malloc(sizeof *nb + size);
        if (!nb)
            return NULL;
        nb->size = size;
        nb->used = 0;
        nb->borrowed = 0;
        if (b && need > ARENA_BLOCK) { /* a big one-off: keep allocating from the current block */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *st_arena_calloc(st_arena *a, size_t n)
{
    void *p = st_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *st_arena_strndup(st_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = st_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

size_t st_arena_used(const st_arena *a)
{
    return a->used;
}

int st_arena_over_cap(const st_arena *a)
{
    return a->over_cap;
}
