/*
 * test_escape.c - hostile text made safe for a terminal (esc_append,
 * esc_string) and for JSON (utf8_sanitize), and the UTF-8 decoder they
 * stand on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/escape.h"

/* esc_append into a fresh buffer: the text, and the columns in *cols. */
static char *esc(const char *s, size_t n, bool utf8, size_t *cols)
{
	static char out[1024];
	struct buf b = {0};
	size_t c = esc_append(&b, s, n, utf8);

	assert_true(b.len < sizeof(out));
	memcpy(out, b.data ? b.data : "", b.len);
	out[b.len] = '\0';
	buf_free(&b);
	if (cols)
		*cols = c;
	return out;
}

#define ESC_U(lit) esc(lit, sizeof(lit) - 1, true, NULL)
#define ESC_A(lit) esc(lit, sizeof(lit) - 1, false, NULL)

/* Nothing that can act on a terminal survives: no byte < 0x20, no DEL,
 * no C1 (as a byte or as U+0080..U+009F). */
static void assert_inert(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_true(*p >= 0x20);
		assert_true(*p != 0x7f);
		if (*p == 0xc2)
			assert_false(p[1] >= 0x80 && p[1] <= 0x9f);
	}
}

static void test_plain_text_unchanged(void **state)
{
	size_t cols;

	(void)state;
	assert_string_equal(esc("bash -c 'x y'", 13, true, &cols), "bash -c 'x y'");
	assert_int_equal(cols, 13);
	assert_string_equal(ESC_A("kworker/0:1H"), "kworker/0:1H");
}

/* The name a process can give itself to retitle an xterm. */
static void test_osc_title_is_inert(void **state)
{
	static const char hostile[] = "\033]0;owned\a";
	const char *out;
	size_t cols;

	(void)state;
	out = esc(hostile, sizeof(hostile) - 1, true, &cols);
	assert_string_equal(out, "\\e]0;owned\\a");
	assert_int_equal(cols, strlen(out));
	assert_inert(out);
	assert_string_equal(ESC_A(hostile), "\\e]0;owned\\a");
}

static void test_c0_controls(void **state)
{
	(void)state;
	assert_string_equal(ESC_U("a\tb\nc\rd"), "a\\tb\\nc\\rd");
	assert_string_equal(ESC_U("\b\f\v"), "\\b\\f\\v");
	assert_string_equal(ESC_U("\x01\x1f"), "\\x01\\x1f");
	/* An embedded NUL is a byte like any other here. */
	assert_string_equal(esc("a\0b", 3, true, NULL), "a\\x00b");
	assert_string_equal(ESC_U("\x7f"), "\\x7f"); /* DEL */
}

/* A backslash is escaped too, so that "\e" in a name cannot pass for an
 * escaped ESC. */
static void test_backslash_cannot_forge(void **state)
{
	(void)state;
	assert_string_equal(ESC_U("\\e]0;x\\a"), "\\\\e]0;x\\\\a");
	assert_string_equal(ESC_U("\\"), "\\\\");
}

/* For pmon's own messages (usage errors): a backslash passes as typed,
 * everything else is escaped as by esc_append. */
static void test_message_keeps_backslash(void **state)
{
	static const char typed[] = "\\d+( or \\(\033[2J\x9b";
	struct buf b = {0};
	char out[32];

	(void)state;
	esc_append_message(&b, typed, sizeof(typed) - 1, false);
	assert_string_equal(b.data, "\\d+( or \\(\\e[2J\\x9b");
	assert_inert(b.data);
	buf_free(&b);
	assert_string_equal(esc_string_message("a\\b\033", true, out, sizeof(out)),
			    "a\\b\\e");
	assert_string_equal(esc_string("a\\b", true, out, sizeof(out)), "a\\\\b");
}

/* C1 controls: 0x9b alone is CSI on some terminals; U+009B encoded as
 * UTF-8 is the same control to a UTF-8 terminal. */
static void test_c1_controls(void **state)
{
	(void)state;
	assert_string_equal(ESC_U("\x9b" "31m"), "\\x9b31m");
	assert_string_equal(ESC_A("\x9b" "31m"), "\\x9b31m");
	assert_string_equal(ESC_U("\xc2\x9b" "2J"), "\\u{009b}2J");
	assert_string_equal(ESC_U("\xc2\x85"), "\\u{0085}"); /* NEL */
	assert_string_equal(ESC_A("\xc2\x9b"), "\\xc2\\x9b");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* Lone continuation, truncated sequence, overlong '/', surrogate,
	 * beyond U+10FFFF, 0xff: each bad byte on its own. */
	assert_string_equal(ESC_U("a\x80z"), "a\\x80z");
	assert_string_equal(ESC_U("\xe2\x82"), "\\xe2\\x82");
	assert_string_equal(ESC_U("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(ESC_U("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(ESC_U("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(ESC_U("\xff"), "\\xff");
	/* A bad byte does not swallow the valid text after it. */
	assert_string_equal(ESC_U("\xe2\xe2\x82\xac"), "\\xe2\xe2\x82\xac");
}

static void test_utf8_kept_or_hex(void **state)
{
	size_t cols;

	(void)state;
	/* é (2 bytes), € (3), 😀 (4): kept on a UTF-8 terminal. */
	assert_string_equal(esc("caf\xc3\xa9 \xe2\x82\xac", 9, true, &cols),
			    "caf\xc3\xa9 \xe2\x82\xac");
	assert_int_equal(cols, 6);
	assert_string_equal(ESC_U("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
	/* Anywhere else, every byte >= 0x80 is shown as \xHH. */
	assert_string_equal(esc("caf\xc3\xa9", 5, false, &cols), "caf\\xc3\\xa9");
	assert_int_equal(cols, 11);
}

/* Columns follow wcwidth: a CJK character takes two, a combining accent
 * none (the text a table pads after). */
static void test_wide_and_combining(void **state)
{
	size_t cols;

	(void)state;
	esc("\xe6\xbc\xa2\xe5\xad\x97", 6, true, &cols); /* 漢字 */
	assert_int_equal(cols, 4);
	assert_string_equal(esc("e\xcc\x81", 3, true, &cols), "e\xcc\x81");
	assert_int_equal(cols, 1);
}

/* Bidi overrides and isolates reorder what follows on screen (the
 * "Trojan Source" trick); zero-width and separator characters hide or
 * break lines.  All are shown as code points. */
static void test_bidi_and_invisibles(void **state)
{
	(void)state;
	assert_string_equal(ESC_U("a\xe2\x80\xae" "b"), "a\\u{202e}b"); /* RLO */
	assert_string_equal(ESC_U("\xe2\x81\xa6"), "\\u{2066}");         /* LRI */
	assert_string_equal(ESC_U("\xe2\x80\x8b"), "\\u{200b}");         /* ZWSP */
	assert_string_equal(ESC_U("\xe2\x80\xa8"), "\\u{2028}");         /* LS */
	assert_string_equal(ESC_U("\xef\xbb\xbf"), "\\u{feff}");         /* BOM */
	assert_string_equal(ESC_U("\xd8\x9c"), "\\u{061c}");             /* ALM */
	assert_string_equal(ESC_A("\xe2\x80\xae"), "\\xe2\\x80\\xae");
}

static void test_codepoint_is_unsafe(void **state)
{
	(void)state;
	assert_true(codepoint_is_unsafe(0x1b));
	assert_true(codepoint_is_unsafe(0x7f));
	assert_true(codepoint_is_unsafe(0x80));
	assert_true(codepoint_is_unsafe(0x9f));
	assert_true(codepoint_is_unsafe(0x202a));
	assert_true(codepoint_is_unsafe(0x2069));
	assert_false(codepoint_is_unsafe(' '));
	assert_false(codepoint_is_unsafe('~'));
	assert_false(codepoint_is_unsafe(0xa0));
	assert_false(codepoint_is_unsafe(0xe9));
	assert_false(codepoint_is_unsafe(0x4e00));
	assert_false(codepoint_is_unsafe(0x1f600));
	/* drawn as nothing: they hide text or make names look alike */
	static const uint32_t invisible[] = {
		0x00ad, 0x034f, 0x115f, 0x1160, 0x17b4, 0x180e, 0x3164, 0xffa0,
		0x1bca0, 0x1bca3, 0x1d173, 0x1d17a, 0xe0001, 0xe0041, 0xe007f,
	};
	for (size_t i = 0; i < sizeof(invisible) / sizeof(*invisible); i++)
		assert_true(codepoint_is_unsafe(invisible[i]));
	/* variation selectors only choose a look (an emoji's U+FE0F) */
	assert_false(codepoint_is_unsafe(0xfe0f));
	assert_false(codepoint_is_unsafe(0xe0100));
	assert_false(codepoint_is_unsafe(0x10ffff - 2));
	assert_false(codepoint_is_unsafe(0x1161));
}

static void test_utf8_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(utf8_decode((const unsigned char *)"A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* Overlong forms of '/' and of U+07FF and U+FFFF. */
	assert_int_equal(utf8_decode((const unsigned char *)"\xe0\x80\xaf", 3, &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\xe0\x9f\xbf", 3, &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x8f\xbf\xbf", 4, &cp), 0);
	/* Surrogates, and a sequence cut by the length given. */
	assert_int_equal(utf8_decode((const unsigned char *)"\xed\xbf\xbf", 3, &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\xc3\xa9", 1, &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

/* esc_string: a fixed buffer, cut at a character boundary. */
static void test_esc_string(void **state)
{
	char out[8];

	(void)state;
	assert_string_equal(esc_string("\033[2J", true, out, sizeof(out)), "\\e[2J");
	/* "ab" + "€€" = 8 bytes: the second € does not fit in 7. */
	assert_string_equal(esc_string("ab\xe2\x82\xac\xe2\x82\xac", true, out, sizeof(out)),
			    "ab\xe2\x82\xac");
	assert_string_equal(esc_string("abcdefghij", false, out, sizeof(out)), "abcdefg");
	assert_string_equal(esc_string("", true, out, sizeof(out)), "");
	out[0] = 'x';
	esc_string("abc", true, out, 0); /* no room at all: untouched */
	assert_int_equal(out[0], 'x');
}

/* JSON side: valid UTF-8 out, every invalid byte (and NUL) as U+FFFD,
 * everything else (controls included: the JSON library escapes those)
 * byte for byte. */
static void test_utf8_sanitize(void **state)
{
	struct buf b = {0};

	(void)state;
	utf8_sanitize(&b, "ok \xc3\xa9\033]0;x\a", 11);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.data, "ok \xc3\xa9\033]0;x\a", 11);
	buf_reset(&b);
	utf8_sanitize(&b, "a\xff" "b\xe2\x82", 5);
	assert_string_equal(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	buf_reset(&b);
	utf8_sanitize(&b, "a\0b", 3);
	assert_string_equal(b.data, "a\xef\xbf\xbd" "b");
	buf_reset(&b);
	utf8_sanitize(&b, "\xed\xa0\x80", 3); /* a surrogate, 3 bad bytes */
	assert_string_equal(b.data, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	buf_free(&b);
}

#define SEQ_U(lit) esc_sequence_len(lit, sizeof(lit) - 1, true)
#define SEQ_A(lit) esc_sequence_len(lit, sizeof(lit) - 1, false)

/* Whole sequences, for the text that removes them (chat): CSI to its
 * final byte, strings to their terminator, other escapes to theirs. */
static void test_sequence_len_whole(void **state)
{
	(void)state;
	assert_int_equal(SEQ_U("\033[2Jb"), 4);
	assert_int_equal(SEQ_U("\033[1;31mx"), 7);
	assert_int_equal(SEQ_U("\033[?1049h"), 8);
	assert_int_equal(SEQ_U("\033[ q"), 4);              /* intermediate */
	assert_int_equal(SEQ_U("\033]0;owned\a rest"), 10);  /* OSC, BEL */
	assert_int_equal(SEQ_U("\033]0;owned\033\\ rest"), 11); /* OSC, ST */
	assert_int_equal(SEQ_U("\033]0;x\xc2\x9c rest"), 7);  /* C1 ST */
	assert_int_equal(SEQ_U("\033Pq#0~\033\\x"), 8);      /* DCS */
	assert_int_equal(SEQ_U("\033Xs\033\\"), 5);          /* SOS */
	assert_int_equal(SEQ_U("\033^p\033\\"), 5);          /* PM */
	assert_int_equal(SEQ_U("\033_a\033\\"), 5);          /* APC */
	assert_int_equal(SEQ_U("\033" "c!"), 2);              /* RIS */
	assert_int_equal(SEQ_U("\033(B!"), 3);
	assert_int_equal(SEQ_U("\033#8"), 3);                /* DECALN */
	assert_int_equal(SEQ_U("\033\\"), 2);                /* a lone ST */
	assert_int_equal(SEQ_U("abc"), 0);
	assert_int_equal(SEQ_U("\xc3\xa9"), 0);
	assert_int_equal(esc_sequence_len("", 0, true), 0);
}

/* C1 codes: code points U+0080..U+009F in UTF-8 (a raw byte there is
 * invalid UTF-8, not a control), raw bytes 0x80..0x9f otherwise. */
static void test_sequence_len_c1(void **state)
{
	(void)state;
	assert_int_equal(SEQ_U("\xc2\x9b" "2Jx"), 4);        /* CSI */
	assert_int_equal(SEQ_U("\xc2\x9d" "0;t\ax"), 6);     /* OSC */
	assert_int_equal(SEQ_U("\xc2\x90q\xc2\x9cx"), 5);    /* DCS ... ST */
	assert_int_equal(SEQ_U("\xc2\x85x"), 2);             /* NEL */
	assert_int_equal(SEQ_U("\x9b" "2J"), 0);
	assert_int_equal(SEQ_A("\x9b" "2Jx"), 3);
	assert_int_equal(SEQ_A("\x9d" "0;t\x9cx"), 5);
	assert_int_equal(SEQ_A("\x90q\x07x"), 3);
	assert_int_equal(SEQ_A("\x85x"), 1);
	assert_int_equal(SEQ_A("\xc2\x9b"), 0);  /* 0xc2 is a Latin-1 letter */
	assert_int_equal(SEQ_A("\x9f"), 1);      /* APC, unterminated */
}

/* Unterminated: a CSI stops before the first byte that cannot belong to
 * it; a string with no terminator (end of text, or an ESC, CAN, SUB or
 * C1 first) is only its introducer, so the text after it is not lost. */
static void test_sequence_len_unterminated(void **state)
{
	(void)state;
	assert_int_equal(SEQ_U("\033[12;"), 5);
	assert_int_equal(SEQ_U("\033[12\nJ"), 4);
	assert_int_equal(SEQ_U("\033[12\xc3\xa9"), 4);
	assert_int_equal(SEQ_U("\033[ 1m"), 5);  /* malformed, but ends at m */
	assert_int_equal(SEQ_U("\033[\033[2J"), 2);
	assert_int_equal(SEQ_U("\033]0;title and the rest"), 2);
	assert_int_equal(SEQ_U("\033]0;x\033[2J\a"), 2);
	assert_int_equal(SEQ_U("\033Pq\x18rest\033\\"), 2);
	assert_int_equal(SEQ_U("\033Pq\x1arest\033\\"), 2);
	assert_int_equal(SEQ_U("\033]x\xc2\x9b" "2J\a"), 2);
	assert_int_equal(SEQ_A("\x9dx\x9b" "2J\a"), 1);
	assert_int_equal(SEQ_U("\033"), 1);
	assert_int_equal(SEQ_U("\033\x01"), 1);
	assert_int_equal(SEQ_U("\033\xc3\xa9"), 1);
	assert_int_equal(SEQ_U("\033 ("), 3);
}

/* ps and tree show every byte instead, escaped, whole sequences
 * included: what a process calls itself is there to be read. */
static void test_esc_append_shows_sequences(void **state)
{
	(void)state;
	assert_string_equal(ESC_U("a\033[2Jb"), "a\\e[2Jb");
	assert_string_equal(ESC_U("a\xc2\x9b" "2Jb"), "a\\u{009b}2Jb");
	assert_string_equal(ESC_A("a\x9b" "2Jb"), "a\\x9b2Jb");
}

/* Whatever the input, the terminal text is inert: every byte value in
 * every position of a short string. */
static void test_every_byte_is_inert(void **state)
{
	char in[3];

	(void)state;
	for (int c = 0; c < 256; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = (char)0x9b;
		assert_inert(esc(in, 3, true, NULL));
		assert_inert(esc(in, 3, false, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_osc_title_is_inert),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_backslash_cannot_forge),
		cmocka_unit_test(test_message_keeps_backslash),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_utf8_kept_or_hex),
		cmocka_unit_test(test_wide_and_combining),
		cmocka_unit_test(test_bidi_and_invisibles),
		cmocka_unit_test(test_codepoint_is_unsafe),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_esc_string),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_sequence_len_whole),
		cmocka_unit_test(test_sequence_len_c1),
		cmocka_unit_test(test_sequence_len_unterminated),
		cmocka_unit_test(test_esc_append_shows_sequences),
		cmocka_unit_test(test_every_byte_is_inert),
	};

	/* wcwidth needs a UTF-8 locale, as pmon has on a UTF-8 terminal. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "test_escape: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
