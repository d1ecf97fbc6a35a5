/*
 * strpool.h - an arena for the many small strings of a snapshot (names,
 * command lines): one free for all of them, no per-string overhead.
 */
#ifndef PMON_STRPOOL_H
#define PMON_STRPOOL_H

#include <stddef.h>

struct strpool;

struct strpool *strpool_new(void);
void strpool_free(struct strpool *pool);
/* n bytes that live until strpool_free; never NULL (dies on OOM). */
char *strpool_alloc(struct strpool *pool, size_t n);
const char *strpool_strdup(struct strpool *pool, const char *s);
/* Move every string of from into pool (they live until pool is freed)
 * and free from: the pools of threads that scanned in parallel. */
void strpool_merge(struct strpool *pool, struct strpool *from);
/* Bytes the pool holds, for the memory figures of make bench. */
size_t strpool_size(const struct strpool *pool);

#endif
