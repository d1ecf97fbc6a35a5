/*
 * strpool.h - an arena for the many small strings of a snapshot (names,
 * command lines) and the records that point to them: one free for all of
 * them, no per-string overhead.
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
/* n zeroed bytes aligned for any object (a struct that lives as long as
 * the strings it points to). */
void *strpool_zalloc(struct strpool *pool, size_t n);

#endif
