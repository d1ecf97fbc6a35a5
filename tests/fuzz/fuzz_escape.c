/*
 * fuzz_escape.c - libFuzzer target for the one escaping choke point:
 * whatever bytes a process name, command line or chat line holds, what
 * esc_append (and esc_append_message, which lets a backslash through)
 * writes holds no control byte, no unsafe code point and only
 * valid UTF-8 (or only ASCII when the terminal is not UTF-8); utf8_sanitize
 * gives valid UTF-8; text_cut never cuts inside a character.
 * FUZZ-SOURCES: src/view/escape.c src/view/text.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/escape.h"
#include "view/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8 without controls or unsafe code points (ASCII only when
 * ascii is set). */
static void check_inert(const struct buf *b, bool ascii)
{
	for (size_t i = 0; i < b->len;) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)b->data + i, b->len - i, &cp);

		if (n == 0 || codepoint_is_unsafe(cp) || cp < 0x20 || cp == 0x7f ||
		    (ascii && cp >= 0x80))
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf b = {0};
	size_t cols, fit;

	for (int utf8 = 0; utf8 < 2; utf8++) {
		buf_reset(&b);
		esc_append(&b, s, size, utf8);
		check_inert(&b, !utf8);
		buf_reset(&b);
		esc_append_message(&b, s, size, utf8);
		check_inert(&b, !utf8);
		buf_reset(&b);
		esc_append(&b, s, size, utf8);
		fit = text_cut(b.data ? b.data : "", b.len, size / 2, &cols);
		if (fit > b.len || cols > size / 2 ||
		    (fit < b.len && ((unsigned char)b.data[fit] & 0xc0) == 0x80))
			abort();
	}
	buf_reset(&b);
	utf8_sanitize(&b, s, size);
	for (size_t i = 0; i < b.len;) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)b.data + i, b.len - i, &cp);

		if (n == 0)
			abort();
		i += n;
	}
	buf_free(&b);
	return 0;
}
