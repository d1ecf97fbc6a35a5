/*
 * text.c - how much room text takes on a terminal (see text.h).
 */
#include <wchar.h>

#include "view/escape.h"
#include "view/text.h"

size_t text_cut(const char *s, size_t len, size_t limit, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		int w = 1;

		if (n > 1)
			w = wcwidth((wchar_t)cp);
		if (n == 0)
			n = 1;
		if (w < 0)
			w = 0;
		if (used + (size_t)w > limit)
			break;
		used += (size_t)w;
		i += n;
	}
	*cols = used;
	return i;
}
