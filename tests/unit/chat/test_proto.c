/*
 * test_proto.c - pmon-chat/1 framing, requests, events and the
 * sanitiser (src/chat/proto.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "chat/proto.h"

static void test_lines_split_and_strip_cr(void **state)
{
	const char in[] = "hello\r\nworld\npartial";
	struct chat_line l;
	bool disc = false;
	size_t off = 0, n;

	(void)state;
	n = chat_next_line(in + off, strlen(in) - off, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_OK);
	assert_int_equal(l.len, 5);
	assert_memory_equal(l.text, "hello", 5);
	off += n;
	n = chat_next_line(in + off, strlen(in) - off, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_OK);
	assert_memory_equal(l.text, "world", 5);
	off += n;
	n = chat_next_line(in + off, strlen(in) - off, &disc, &l);
	assert_int_equal(n, 0);
	assert_int_equal(l.kind, CHAT_LINE_NONE);
}

/* A line of exactly the limit passes; one byte more is refused, and
 * nothing of it is parsed afterwards, even when it arrives in pieces. */
static void test_oversized_line_is_refused_and_swallowed(void **state)
{
	char *big = malloc(CHAT_LINE_MAX + 100);
	struct chat_line l;
	bool disc = false;
	size_t n;

	(void)state;
	memset(big, 'a', CHAT_LINE_MAX);
	big[CHAT_LINE_MAX] = '\n';
	n = chat_next_line(big, CHAT_LINE_MAX + 1, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_OK);
	assert_int_equal(l.len, CHAT_LINE_MAX);
	assert_int_equal(n, CHAT_LINE_MAX + 1);

	memset(big, '/', CHAT_LINE_MAX + 50);
	n = chat_next_line(big, CHAT_LINE_MAX + 50, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_TOOLONG);
	assert_int_equal(n, CHAT_LINE_MAX + 50);
	assert_true(disc);
	/* the rest of it, then a real line */
	n = chat_next_line("/kick root\nnext\n", 16, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_NONE);
	assert_int_equal(n, 11);
	assert_false(disc);
	n = chat_next_line("next\n", 5, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_OK);
	assert_memory_equal(l.text, "next", 4);

	/* complete but oversized in one buffer */
	memset(big, 'b', CHAT_LINE_MAX + 1);
	big[CHAT_LINE_MAX + 1] = '\n';
	n = chat_next_line(big, CHAT_LINE_MAX + 2, &disc, &l);
	assert_int_equal(l.kind, CHAT_LINE_TOOLONG);
	assert_int_equal(n, CHAT_LINE_MAX + 2);
	assert_false(disc);
	free(big);
}

static struct chat_req req_of(const char *s)
{
	struct chat_req r;

	chat_parse_request(s, strlen(s), &r);
	return r;
}

static void test_requests(void **state)
{
	struct chat_req r;

	(void)state;
	assert_int_equal(req_of("").kind, REQ_EMPTY);
	r = req_of("hello there");
	assert_int_equal(r.kind, REQ_TEXT);
	assert_int_equal(r.text_len, 11);
	r = req_of("//etc/passwd is readable");
	assert_int_equal(r.kind, REQ_TEXT);
	assert_memory_equal(r.text, "/etc/passwd", 11);
	r = req_of("/me waves");
	assert_int_equal(r.kind, REQ_ME);
	assert_memory_equal(r.text, "waves", 5);
	assert_int_equal(req_of("/ME waves").kind, REQ_ME);
	r = req_of("/msg bob  are you there?");
	assert_int_equal(r.kind, REQ_MSG);
	assert_int_equal(r.name_len, 3);
	assert_memory_equal(r.name, "bob", 3);
	assert_int_equal(r.text_len, 14);
	assert_int_equal(req_of("/msg bob").kind, REQ_USAGE);
	assert_int_equal(req_of("/msg").kind, REQ_USAGE);
	assert_int_equal(req_of("/me").kind, REQ_USAGE);
	assert_int_equal(req_of("/announce").kind, REQ_USAGE);
	assert_int_equal(req_of("/who").kind, REQ_WHO);
	assert_int_equal(req_of("/help").kind, REQ_HELP);
	r = req_of("/quit gone fishing");
	assert_int_equal(r.kind, REQ_QUIT);
	assert_int_equal(r.text_len, 12);
	assert_int_equal(req_of("/quit").kind, REQ_QUIT);
	r = req_of("/name alice");
	assert_int_equal(r.kind, REQ_NAME);
	assert_int_equal(r.name_len, 5);
	assert_int_equal(req_of("/name two words").kind, REQ_USAGE);
	r = req_of("/kick mallory flooding");
	assert_int_equal(r.kind, REQ_KICK);
	assert_int_equal(r.name_len, 7);
	assert_int_equal(r.text_len, 8);
	assert_int_equal(req_of("/kick").kind, REQ_USAGE);
	r = req_of("/frobnicate x");
	assert_int_equal(r.kind, REQ_UNKNOWN);
	assert_int_equal(r.word_len, 10);
	assert_int_equal(req_of("/").kind, REQ_UNKNOWN);
	assert_int_equal(req_of("/ me").kind, REQ_UNKNOWN);
	assert_non_null(chat_command_usage(REQ_MSG));
}

/* The table: each row's usage is made from its word and arguments, and
 * its word parses back to its kind; the kinds around it are no rows. */
static void test_request_table(void **state)
{
	(void)state;
	assert_string_equal(chat_command_usage(REQ_MSG), "/msg NAME TEXT");
	assert_string_equal(chat_command_usage(REQ_KICK), "/kick NAME [REASON]");
	assert_string_equal(chat_command_usage(REQ_QUIT), "/quit [REASON]");
	assert_string_equal(chat_command_usage(REQ_WHO), "/who");
	assert_string_equal(chat_command_usage(REQ_CLAIM),
			    "/claim PID|PATTERN [REASON]");
	assert_string_equal(chat_command_usage(REQ_RELEASE),
			    "/release [PID|PATTERN]");
	assert_string_equal(chat_command_usage(REQ_TREE), "/tree PID");
	assert_string_equal(chat_command_usage(REQ_AS), "/as chat|top|watch|cmd");
	assert_int_equal(req_of("/release").kind, REQ_RELEASE);
	assert_int_equal(req_of("/claim").kind, REQ_USAGE);
	assert_true(chat_command_of(REQ_CLAIM)->needs_name);
	assert_false(chat_command_of(REQ_ACTION)->needs_name);
	assert_true(chat_command_of(REQ_ANNOUNCE)->admin_only);
	assert_false(chat_command_of(REQ_WHO)->admin_only);
	assert_true(chat_command_of(REQ_ME)->needs_name);
	assert_false(chat_command_of(REQ_QUIT)->needs_name);
	assert_null(chat_command_of(REQ_TEXT));
	assert_null(chat_command_of(REQ_EMPTY));
	assert_null(chat_command_of(REQ_UNKNOWN));
	assert_null(chat_command_of(REQ_USAGE));
	for (int k = 0; k <= REQ_USAGE; k++) {
		const struct chat_command *cmd = chat_command_of(k);
		char line[64];

		if (!cmd)
			continue;
		snprintf(line, sizeof(line), "/%s a b", cmd->word);
		/* Arguments of one word alone: a second word is misuse. */
		bool one_word = cmd->args == CHAT_ARGS_NAME ||
				cmd->args == CHAT_ARGS_KIND ||
				cmd->args == CHAT_ARGS_PID ||
				cmd->args == CHAT_ARGS_PATTERN ||
				cmd->args == CHAT_ARGS_OPT_TARGET;

		assert_int_equal(req_of(line).kind, one_word ? REQ_USAGE : k);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_true(chat_name_valid("alice", 5));
	assert_true(chat_name_valid("_ops-1.x", 8));
	assert_false(chat_name_valid("", 0));
	assert_false(chat_name_valid("-x", 2));
	assert_false(chat_name_valid("a b", 3));
	assert_false(chat_name_valid("a\x1b", 2));
	assert_false(chat_name_valid("\xc3\xa9", 2));
	assert_true(chat_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 32));
	assert_false(chat_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 33));
	assert_true(chat_name_equal("Alice", 5, "aLICE", 5));
	assert_false(chat_name_equal("alice", 5, "alic", 4));
}

static const char *sanitized(const char *s, size_t n)
{
	static struct buf b;

	buf_reset(&b);
	chat_sanitize(&b, s, n);
	return b.data ? b.data : "";
}

static void test_sanitizer(void **state)
{
	const char esc[] = "red \x1b[31mALERT\x1b[0m\a bell";
	const char bad[] = "caf\xc3 \xff ok";
	const char bidi[] = "abc\xe2\x80\xae" "def";  /* U+202E */
	const char c1[] = "x\xc2\x9b" "2Jy";       /* U+009B CSI */
	const char nul[] = "a\0b";

	(void)state;
	assert_string_equal(sanitized("plain text", 10), "plain text");
	assert_string_equal(sanitized(esc, strlen(esc)), "red ALERT bell");
	assert_string_equal(sanitized(bad, strlen(bad)),
			    "caf\xef\xbf\xbd \xef\xbf\xbd ok");
	assert_string_equal(sanitized(bidi, strlen(bidi)), "abcdef");
	assert_string_equal(sanitized(c1, strlen(c1)), "xy");
	assert_string_equal(sanitized("a\tb\r\n", 5), "a b");
	assert_string_equal(sanitized(nul, 3), "ab");
	assert_string_equal(sanitized("\xc3\xa9t\xc3\xa9", 6), "\xc3\xa9t\xc3\xa9");
	/* idempotent */
	{
		char once[64];

		strcpy(once, sanitized(bad, strlen(bad)));
		assert_string_equal(sanitized(once, strlen(once)), once);
	}
}

#define SANITIZED(lit) sanitized(lit, sizeof(lit) - 1)

/* Control sequences go whole, not just their ESC: no "[2J" residue. */
static void test_sanitizer_drops_whole_sequences(void **state)
{
	(void)state;
	assert_string_equal(SANITIZED("a\x1b[2Jb"), "ab");
	assert_string_equal(SANITIZED("a\x1b[1;31;4mb\x1b[mc"), "abc");
	assert_string_equal(SANITIZED("a\x1b[?1049hb"), "ab");
	assert_string_equal(SANITIZED("t\x1b]0;owned\a!"), "t!");
	assert_string_equal(SANITIZED("t\x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\"),
			    "tlink");
	assert_string_equal(SANITIZED("s\x1bPq#0;2;0;0;0#0!6~\x1b\\ixel"), "sixel");
	assert_string_equal(SANITIZED("a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d"),
			    "abcd");
	assert_string_equal(SANITIZED("reset\x1b" "c!"), "reset!");
	assert_string_equal(SANITIZED("\x1b(Bcharset"), "charset");
	/* the C1 forms, as UTF-8 code points (the protocol is UTF-8) */
	assert_string_equal(SANITIZED("a\xc2\x9b" "2Jb"), "ab");
	assert_string_equal(SANITIZED("a\xc2\x9d" "0;x\a" "b"), "ab");
	assert_string_equal(SANITIZED("a\xc2\x90q\xc2\x9c" "b"), "ab");
	assert_string_equal(SANITIZED("a\xc2\x85" "b"), "ab"); /* NEL */
	/* a raw C1 byte is not UTF-8: replaced, and what follows is text */
	assert_string_equal(SANITIZED("a\x9b" "2J"), "a\xef\xbf\xbd" "2J");
}

/* An unterminated sequence swallows only what can belong to it: a CSI
 * ends at the first byte that cannot, a string with no terminator loses
 * only its introducer, however long the rest of the message. */
static void test_sanitizer_unterminated(void **state)
{
	char *in = malloc(CHAT_LINE_MAX + 1), *want = malloc(CHAT_LINE_MAX);

	(void)state;
	assert_string_equal(SANITIZED("a\x1b[12;"), "a");
	assert_string_equal(SANITIZED("a\x1b[12\xc3\xa9t\xc3\xa9"), "a\xc3\xa9t\xc3\xa9");
	assert_string_equal(SANITIZED("a\x1b[1\n2Jb"), "a2Jb");
	assert_string_equal(SANITIZED("x\x1b]0;title and the rest"),
			    "x0;title and the rest");
	assert_string_equal(SANITIZED("x\x1b]0;cut\x1b[2Jshort\a"), "x0;cutshort");
	assert_string_equal(SANITIZED("x\x1bPq\x18rest"), "xqrest");
	assert_string_equal(SANITIZED("x\x1b"), "x");
	assert_string_equal(SANITIZED("x\x1b\x01y"), "xy");
	assert_string_equal(SANITIZED("x\x1b (\xc3\xa9"), "x\xc3\xa9"); /* no final */
	assert_string_equal(SANITIZED("x\x1b (y"), "x"); /* y is its final byte */
	/* the rest of a long message stays */
	memcpy(in, "\x1b]", 2);
	memset(in + 2, 'w', CHAT_LINE_MAX - 2);
	memset(want, 'w', CHAT_LINE_MAX - 2);
	want[CHAT_LINE_MAX - 2] = '\0';
	assert_string_equal(sanitized(in, CHAT_LINE_MAX), want);
	free(in);
	free(want);
}

/* Sanitising what was sanitised changes nothing, for every byte after
 * every introducer (no removal can join two pieces into a sequence). */
static void test_sanitizer_idempotent(void **state)
{
	static const char *const intro[] = {"\x1b", "\x1b[", "\x1b]", "\x1bP",
					    "\xc2\x9b", "\xc2\x9d", "\xc2"};

	(void)state;
	for (size_t i = 0; i < sizeof(intro) / sizeof(intro[0]); i++) {
		for (int c = 0; c < 256; c++) {
			char in[16], once[64];
			size_t n = strlen(intro[i]);

			memcpy(in, intro[i], n);
			in[n++] = (char)c;
			memcpy(in + n, "[2J\x1b\\z", 7);
			n += 7;
			strcpy(once, sanitized(in, n));
			assert_null(strchr(once, 0x1b));
			assert_string_equal(sanitized(once, strlen(once)), once);
		}
	}
}

static struct chat_ev ev_of(const char *s)
{
	struct chat_ev e;

	chat_parse_event(s, strlen(s), &e);
	return e;
}

static const char *plain(const char *s)
{
	static struct buf b;
	struct chat_ev e = ev_of(s);

	buf_reset(&b);
	if (!chat_format_plain(&e, &b))
		return NULL;
	return b.data;
}

static void test_events(void **state)
{
	struct chat_ev e;

	(void)state;
	e = ev_of("hello pmon-chat 1 ops");
	assert_int_equal(e.kind, EV_HELLO);
	assert_int_equal(e.version, 1);
	assert_memory_equal(e.text, "ops", 3);
	assert_int_equal(ev_of("hello irc 1 x").kind, EV_UNKNOWN);
	e = ev_of("error nametaken the name alice is taken");
	assert_int_equal(e.kind, EV_ERROR);
	assert_int_equal(e.word_len, 9);
	assert_memory_equal(e.text, "the name", 8);
	assert_true(chat_ev_word_is(&e, "nametaken"));
	assert_false(chat_ev_word_is(&e, "name"));      /* a prefix is not it */
	assert_false(chat_ev_word_is(&e, "nametakenx"));
	e = ev_of("ok who 3");
	assert_true(chat_ev_word_is(&e, "who"));
	e = ev_of("event 1 msg who hi");            /* only ok and error lines */
	assert_false(chat_ev_word_is(&e, "who"));
	e = ev_of("who alice root");
	assert_int_equal(e.kind, EV_WHO);
	assert_memory_equal(e.name, "alice", 5);
	assert_memory_equal(e.text, "root", 4);
	e = ev_of("event 1700000000 msg bob hi there");
	assert_int_equal(e.kind, EV_MSG);
	assert_int_equal(e.time, 1700000000LL);
	assert_false(e.history);
	e = ev_of("history event 1700000000 msg bob hi");
	assert_int_equal(e.kind, EV_MSG);
	assert_true(e.history);
	assert_int_equal(ev_of("event x msg bob hi").kind, EV_UNKNOWN);
	assert_int_equal(ev_of("event 1 dance bob").kind, EV_UNKNOWN);
	assert_int_equal(ev_of("event 1 join").kind, EV_UNKNOWN);
	assert_int_equal(ev_of("").kind, EV_UNKNOWN);
	assert_int_equal(ev_of("history ok x").kind, EV_UNKNOWN);

	assert_string_equal(plain("event 1 join alice"), "[room] alice joined the room");
	assert_string_equal(plain("event 1 leave alice"), "[room] alice left the room");
	assert_string_equal(plain("event 1 leave alice too slow"),
			    "[room] alice left the room (too slow)");
	assert_string_equal(plain("event 1 msg bob hello all"), "bob: hello all");
	assert_string_equal(plain("event 1 me bob waves"), "* bob waves");
	assert_string_equal(plain("event 1 announce reboot at 5"),
			    "[admin] reboot at 5");
	assert_string_equal(plain("event 1 private bob psst"),
			    "[private] bob: psst");
	assert_string_equal(plain("event 1 rename bob robert"),
			    "[room] bob is now known as robert");
	assert_string_equal(plain("event 1 msg bob \x1b]0;pwned\a"),
			    "bob: ");
	assert_string_equal(plain("who alice root"), "[who] alice (login root)");
	assert_string_equal(plain("who alice root 0 top pts/3 75"),
			    "[who] alice (login root, uid 0) top on pts/3, idle 1m");
	assert_string_equal(plain("who bob bob 1002 chat - 5"),
			    "[who] bob (login bob, uid 1002) chat, idle 5s");
	assert_null(plain("ok name bob"));
	assert_non_null(strstr(plain("history event 1 msg a b"), "] a: b"));
	assert_int_equal(strncmp(plain("history event 1 msg a b"), "[history ", 9), 0);
}

/* Every line the server writes begins with a mark in brackets, and the
 * two a member writes (a message, /me) begin with the member's name or
 * "* NAME": so no member's text can pass for the room's. */
static void test_only_members_lines_lack_a_mark(void **state)
{
	static const char *const server[] = {
		"event 1 join bob", "event 1 leave bob", "event 1 leave bob too slow",
		"event 1 rename bob robert", "event 1 shutdown",
		"event 1 shutdown bye", "event 1 announce hi",
		"event 1 private bob psst", "event 1 action bob 0 sent TERM",
		"event 1 claim bob 0 claims 1", "event 1 notice bob 0 x",
		"event 1 view bob 0 /ps", "event 1 viewrow 1 S x",
		"who bob root", "who bob root 0 chat - 1",
	};
	static const char *const member[][2] = {
		{"event 1 msg bob left the room", "bob: left the room"},
		{"event 1 me bob left the room", "* bob left the room"},
		{"event 1 me bob (login root, uid 0) chat, idle 1s",
		 "* bob (login root, uid 0) chat, idle 1s"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(server) / sizeof(server[0]); i++) {
		const char *line = plain(server[i]);

		assert_non_null(line);
		if (line[0] != '[')
			fail_msg("%s -> \"%s\": no mark", server[i], line);
	}
	for (size_t i = 0; i < sizeof(member) / sizeof(member[0]); i++)
		assert_string_equal(plain(member[i][0]), member[i][1]);
}

static void test_format_event(void **state)
{
	struct buf b = {0};

	(void)state;
	chat_format_event(&b, 42, "msg", "bob", "hi", 2);
	assert_string_equal(b.data, "event 42 msg bob hi");
	buf_reset(&b);
	chat_format_event(&b, 42, "leave", "bob", NULL, 0);
	assert_string_equal(b.data, "event 42 leave bob");
	buf_reset(&b);
	chat_format_event(&b, 42, "announce", NULL, "x", 1);
	assert_string_equal(b.data, "event 42 announce x");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_split_and_strip_cr),
		cmocka_unit_test(test_oversized_line_is_refused_and_swallowed),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_request_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sanitizer),
		cmocka_unit_test(test_sanitizer_drops_whole_sequences),
		cmocka_unit_test(test_sanitizer_unterminated),
		cmocka_unit_test(test_sanitizer_idempotent),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_only_members_lines_lack_a_mark),
		cmocka_unit_test(test_format_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
