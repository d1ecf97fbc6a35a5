/*
 * fuzz_chat_proto.c - libFuzzer target for the pmon-chat/1 parser: the
 * framing, the request parser, the event parser and the sanitiser, fed
 * with arbitrary bytes.  Checks that framing never returns more than it
 * was given, that lines respect the limit, and that sanitised text is
 * valid UTF-8 free of control characters, and stays the same when
 * sanitised again.
 * FUZZ-SOURCES: src/chat/proto.c src/view/escape.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat/proto.h"
#include "view/escape.h"


static void check_clean(const struct buf *b)
{
	size_t i = 0;

	while (i < b->len) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)b->data + i,
				       b->len - i, &cp);

		if (n == 0 || codepoint_is_unsafe(cp))
			abort();
		i += n;
	}
}

static void one_line(const char *s, size_t n)
{
	struct chat_req req;
	struct chat_ev ev;
	struct buf a = {0}, b = {0};

	chat_parse_request(s, n, &req);
	if (req.name_len && (req.name < s || req.name + req.name_len > s + n))
		abort();
	if (req.text_len && (req.text < s || req.text + req.text_len > s + n))
		abort();
	chat_parse_event(s, n, &ev);
	chat_format_plain(&ev, &a);
	check_clean(&a);
	buf_reset(&a);
	chat_sanitize(&a, s, n);
	check_clean(&a);
	chat_sanitize(&b, a.data ? a.data : "", a.len);
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
		abort();
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	bool discarding = false;
	size_t off = 0;

	while (off < size) {
		struct chat_line l;
		size_t used = chat_next_line(p + off, size - off, &discarding,
					     &l);

		if (used > size - off)
			abort();
		if (l.kind == CHAT_LINE_OK) {
			if (l.len > CHAT_LINE_MAX || memchr(l.text, '\n', l.len))
				abort();
			one_line(l.text, l.len);
		}
		if (used == 0) {
			one_line(p + off, size - off); /* the unfinished tail */
			break;
		}
		off += used;
	}
	return 0;
}
