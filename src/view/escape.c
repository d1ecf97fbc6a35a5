/*
 * escape.c - the one place where hostile text is made safe to show.
 */
#include <string.h>
#include <wchar.h>

#include "view/escape.h"

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0; /* continuation byte, overlong 0xc0/0xc1, > U+10FFFF */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* What a terminal would not show as itself: C0 and C1 controls, the
 * bidirectional controls, and what Unicode calls default ignorable (drawn
 * as nothing, so it can hide text or make two names look alike), but the
 * variation selectors, which only choose how the character before them
 * looks (an emoji's U+FE0F).  Ascending, for the search. */
static const struct { uint32_t lo, hi; } unsafe_ranges[] = {
	{0x0000, 0x001f}, {0x007f, 0x009f}, /* C0, DEL, C1 */
	{0x00ad, 0x00ad},   /* soft hyphen */
	{0x034f, 0x034f},   /* combining grapheme joiner */
	{0x061c, 0x061c},   /* arabic letter mark */
	{0x115f, 0x1160},   /* hangul fillers */
	{0x17b4, 0x17b5},   /* khmer inherent vowels */
	{0x180b, 0x180f},   /* mongolian selectors, vowel separator */
	{0x200b, 0x200f},   /* zero width, LRM, RLM */
	{0x2028, 0x202e},   /* separators, embeddings */
	{0x2060, 0x206f},   /* isolates, invisibles */
	{0x3164, 0x3164},   /* hangul filler */
	{0xfeff, 0xfeff},   /* BOM, zero width no-break */
	{0xffa0, 0xffa0},   /* halfwidth hangul filler */
	{0xfff0, 0xfffb},   /* unassigned ignorables, annotations */
	{0x1bca0, 0x1bca3}, /* shorthand format controls */
	{0x1d173, 0x1d17a}, /* musical format controls */
	{0xe0000, 0xe00ff}, /* tags: invisible ASCII */
	{0xe01f0, 0xe0fff}, /* unassigned ignorables */
};

bool codepoint_is_unsafe(uint32_t cp)
{
	size_t lo = 0, hi = ARRAY_LEN(unsafe_ranges);

	if (cp >= 0x20 && cp < 0x7f) /* printable ASCII: most of any text */
		return false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < unsafe_ranges[mid].lo)
			hi = mid;
		else if (cp > unsafe_ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* A C1 code at p: its length (0 if none) and, in *fe, the byte that
 * follows ESC in its 7-bit form (0x9b CSI is ESC [). */
static size_t c1_at(const unsigned char *p, size_t n, bool utf8,
		    unsigned char *fe)
{
	if (utf8 && n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		*fe = (unsigned char)(p[1] - 0x40);
		return 2;
	}
	if (!utf8 && n >= 1 && p[0] >= 0x80 && p[0] <= 0x9f) {
		*fe = (unsigned char)(p[0] - 0x40);
		return 1;
	}
	return 0;
}

static bool in_range(const unsigned char *p, size_t i, size_t n,
		     unsigned char lo, unsigned char hi)
{
	return i < n && p[i] >= lo && p[i] <= hi;
}

/* The body of a sequence from p[i] (bytes 0x20..body_hi), then one final
 * byte in [final_lo, 0x7e]: where the sequence ends, or where the first
 * byte that cannot belong to it is. */
static size_t seq_tail(const unsigned char *p, size_t i, size_t n,
		       unsigned char body_hi, unsigned char final_lo)
{
	while (in_range(p, i, n, 0x20, body_hi))
		i++;
	if (in_range(p, i, n, final_lo, 0x7e))
		i++;
	return i;
}

/* The bytes of a control string and its terminator; 0 if it has none
 * before something that would cut it short (see escape.h). */
static size_t string_len(const unsigned char *p, size_t n, bool utf8)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char fe;
		size_t c1;

		if (p[i] == '\a')
			return i + 1;
		if (p[i] == 0x1b)
			return i + 1 < n && p[i + 1] == '\\' ? i + 2 : 0;
		if (p[i] == 0x18 || p[i] == 0x1a) /* CAN, SUB */
			return 0;
		c1 = c1_at(p + i, n - i, utf8, &fe);
		if (c1)
			return fe == '\\' ? i + c1 : 0;
	}
	return 0;
}

size_t esc_sequence_len(const char *s, size_t n, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char fe;
	size_t intro;

	if (n == 0)
		return 0;
	if (p[0] == 0x1b) {
		if (!in_range(p, 1, n, 0x40, 0x5f))
			return seq_tail(p, 1, n, 0x2f, 0x30);
		fe = p[1];
		intro = 2;
	} else if ((intro = c1_at(p, n, utf8, &fe)) == 0) {
		return 0;
	}
	switch (fe) {
	case '[':
		return seq_tail(p, intro, n, 0x3f, 0x40);
	case ']': case 'P': case 'X': case '^': case '_':
		return intro + string_len(p + intro, n - intro, utf8);
	default:
		return intro;
	}
}

static size_t esc_control(struct buf *b, unsigned char c)
{
	static const struct {
		unsigned char byte;
		char name;
	} named[] = {
		{'\a', 'a'}, {'\b', 'b'}, {'\f', 'f'}, {'\n', 'n'},
		{'\r', 'r'}, {'\t', 't'}, {'\v', 'v'}, {0x1b, 'e'},
		{'\\', '\\'},
	};

	for (size_t i = 0; i < ARRAY_LEN(named); i++) {
		if (named[i].byte == c) {
			char esc[2] = {'\\', named[i].name};

			buf_append(b, esc, 2);
			return 2;
		}
	}
	buf_printf(b, "\\x%02x", c);
	return 4;
}

/* Printable ASCII that passes as it is: a backslash too when it is not
 * escaped (esc_append_message). */
static bool passes(unsigned char c, bool backslash)
{
	return c >= 0x20 && c < 0x7f && (c != '\\' || !backslash);
}

static size_t escape_into(struct buf *b, const char *s, size_t n, bool utf8,
			  bool backslash)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len;

		if (passes(p[i], backslash)) {
			size_t run = i;

			while (run < n && passes(p[run], backslash))
				run++;
			buf_append(b, p + i, run - i);
			cols += run - i;
			i = run;
			continue;
		}
		if (p[i] < 0x80) {
			cols += esc_control(b, p[i++]);
			continue;
		}
		len = utf8 ? utf8_decode(p + i, n - i, &cp) : 0;
		if (len == 0) {
			cols += esc_control(b, p[i++]);
			continue;
		}
		if (codepoint_is_unsafe(cp)) {
			size_t before = b->len;

			buf_printf(b, "\\u{%04x}", (unsigned)cp);
			cols += b->len - before;
		} else {
			int w = wcwidth((wchar_t)cp);

			buf_append(b, p + i, len);
			cols += w > 0 ? (size_t)w : 0;
		}
		i += len;
	}
	return cols;
}

size_t esc_append(struct buf *b, const char *s, size_t n, bool utf8)
{
	return escape_into(b, s, n, utf8, true);
}

size_t esc_append_message(struct buf *b, const char *s, size_t n, bool utf8)
{
	return escape_into(b, s, n, utf8, false);
}

static char *escape_string(const char *s, bool utf8, bool backslash, char *out,
			   size_t size)
{
	struct buf b = {0};
	size_t cut;

	if (size == 0)
		return out;
	escape_into(&b, s, strlen(s), utf8, backslash);
	cut = b.len < size ? b.len : size - 1;
	/* Never cut inside a UTF-8 sequence: back up over continuations. */
	while (cut > 0 && cut < b.len &&
	       ((unsigned char)b.data[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(out, b.data ? b.data : "", cut);
	out[cut] = '\0';
	buf_free(&b);
	return out;
}

char *esc_string(const char *s, bool utf8, char *out, size_t size)
{
	return escape_string(s, utf8, true, out, size);
}

char *esc_string_message(const char *s, bool utf8, char *out, size_t size)
{
	return escape_string(s, utf8, false, out, size);
}

void utf8_sanitize(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len == 0 || (len == 1 && p[i] == 0)) {
			buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
		} else {
			buf_append(b, p + i, len);
			i += len;
		}
	}
}

void esc_label_value(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len == 1 && (cp == '\\' || cp == '"' || cp == '\n')) {
			buf_putc(b, '\\');
			buf_putc(b, cp == '\n' ? 'n' : (char)cp);
		} else if (len == 0 || codepoint_is_unsafe(cp)) {
			buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD */
			len = len ? len : 1;
		} else {
			buf_append(b, p + i, len);
		}
		i += len;
	}
}

void esc_help_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
}
