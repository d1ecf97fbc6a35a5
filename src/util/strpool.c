/*
 * strpool.c - chunked string arena.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/strpool.h"

#define CHUNK_SIZE (64 * 1024 - 64)

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct strpool {
	struct chunk *head;
};

struct strpool *strpool_new(void)
{
	return xcalloc(1, sizeof(struct strpool));
}

void strpool_free(struct strpool *pool)
{
	struct chunk *c, *next;

	if (!pool)
		return;
	for (c = pool->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(pool);
}

char *strpool_alloc(struct strpool *pool, size_t n)
{
	struct chunk *c = pool->head;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		/* A big one-off string gets its own chunk behind the head so
		 * the head's free space is not wasted. */
		if (pool->head && n > CHUNK_SIZE) {
			c->next = pool->head->next;
			pool->head->next = c;
		} else {
			c->next = pool->head;
			pool->head = c;
		}
	}
	c->used += n;
	return c->data + c->used - n;
}

void *strpool_zalloc(struct strpool *pool, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	uintptr_t p = (uintptr_t)strpool_alloc(pool, n + align - 1);

	return memset((void *)((p + align - 1) & ~(uintptr_t)(align - 1)), 0, n);
}

const char *strpool_strdup(struct strpool *pool, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(strpool_alloc(pool, n), s, n);
}
