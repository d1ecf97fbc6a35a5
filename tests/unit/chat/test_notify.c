/*
 * test_notify.c - the pure parts of the coordination features: action
 * requests as clients make them and the server takes them, the event text
 * the server writes, the mark no member's line can render with, claim
 * lines, and the claim table's time to live.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chat/claims.h"
#include "chat/notify.h"
#include "chat/proto.h"

/* The plain rendering of a server line (a static copy). */
static const char *plain(const char *line)
{
	static char out[1024];
	struct chat_ev ev;
	struct buf b = {0};

	chat_parse_event(line, strlen(line), &ev);
	if (!chat_format_plain(&ev, &b)) {
		buf_free(&b);
		return NULL;
	}
	snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	return out;
}

/* The server's event text for a request's text (after "/action "). */
static const char *action_text(const char *req)
{
	static char out[512];
	struct chat_action_fields f;
	struct buf b = {0};

	if (chat_action_parse(req, strlen(req), &f) < 0)
		return NULL;
	chat_action_text(&b, &f);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	return out;
}

static void test_action_request(void **state)
{
	struct buf b = {0};
	struct chat_action a = {.verb = CHAT_VERB_KILL, .pid = 4242,
				.start_ticks = 99, .comm = "nginx", .count = 1,
				.detail = "TERM", .result = "ok"};

	(void)state;
	assert_int_equal(chat_action_request(&b, &a), 0);
	assert_string_equal(b.data, "/action kill 4242 99 1 TERM ok nginx");
	/* a name with a newline or an escape goes out as one clean line */
	buf_reset(&b);
	a.comm = "x\n/announce pwned\x1b[2J";
	assert_int_equal(chat_action_request(&b, &a), 0);
	assert_string_equal(b.data, "/action kill 4242 99 1 TERM ok x/announce pwned");
	/* fields the server would refuse are refused here first */
	buf_reset(&b);
	a.result = "ok now";
	assert_int_equal(chat_action_request(&b, &a), -1);
	assert_int_equal(b.len, 0);
	a.result = "ok";
	a.pid = 0;
	assert_int_equal(chat_action_request(&b, &a), -1);
	buf_free(&b);
}

static void test_action_text(void **state)
{
	(void)state;
	assert_string_equal(action_text("kill 4242 99 1 TERM ok nginx"),
			    "sent TERM to 4242 nginx: ok");
	assert_string_equal(action_text("reap 1777 0 3 inject ok worker"),
			    "reaped 3 zombies of 1777 worker by inject: ok");
	assert_string_equal(action_text("reap 1777 0 1 nudge ok w"),
			    "reaped 1 zombie of 1777 w by nudge: ok");
	assert_string_equal(action_text("tree 10 5 4 KILL eperm sh"),
			    "sent KILL to the tree of 10 sh (4 processes): eperm");
	/* a process name is the doer's report: sanitised, cut to 64 bytes */
	assert_string_equal(action_text("kill 4242 0 1 TERM ok a\x1b]0;t\x07z"),
			    "sent TERM to 4242 az: ok");
	assert_int_equal(strlen(action_text("kill 4242 0 1 TERM ok "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")),
		strlen("sent TERM to 4242 : ok") + CHAT_CLAIM_WHAT_MAX);
	/* what the server refuses */
	assert_null(action_text("nuke 4242 0 1 TERM ok x"));
	assert_null(action_text("kill 0 0 1 TERM ok x"));
	assert_null(action_text("kill -1 0 1 TERM ok x"));
	assert_null(action_text("kill 4242 0 1 TE\x1bRM ok x"));
	assert_null(action_text("kill 4242 0 1 TERM"));
	assert_null(action_text("kill 99999999999 0 1 TERM ok"));
	assert_null(action_text("kill 4242 x 1 TERM ok"));
	/* each number up to its greatest, not one more */
	assert_non_null(action_text("reap 2147483647 18446744073709551615 1000000 inject ok"));
	assert_null(action_text("reap 2147483648 0 1 inject ok"));
	assert_null(action_text("reap 1 18446744073709551616 1 inject ok"));
	assert_null(action_text("reap 1 0 1000001 inject ok"));
	/* a result is "ok", "failed" or an errno's name: no other word can
	 * pass for a success */
	assert_string_equal(action_text("kill 4242 0 1 TERM esrch x"),
			    "sent TERM to 4242 x: esrch");
	assert_string_equal(action_text("kill 4242 0 1 TERM failed x"),
			    "sent TERM to 4242 x: failed");
	assert_null(action_text("kill 4242 0 1 TERM OK x"));
	assert_null(action_text("kill 4242 0 1 TERM done x"));
	assert_null(action_text("kill 4242 0 1 TERM EPERM x"));
	/* a name is one word: it cannot write the rest of the line */
	assert_string_equal(action_text("kill 4242 0 1 TERM ok sshd: ok; also reaped 3"),
			    "sent TERM to 4242 sshd:_ok;_also_reaped_3: ok");
}

/* Does a rendered line begin with a mark of the server's own events? */
static bool has_mark(const char *p)
{
	static const char *const marks[] = {"[action]", "[claim]", "[watch]",
					    "[view]"};

	for (size_t i = 0; i < sizeof(marks) / sizeof(*marks); i++)
		if (strncmp(p, marks[i], strlen(marks[i])) == 0)
			return true;
	return false;
}

/* No line a member can cause renders with a mark only the server's
 * attributed events have. */
static void test_marks_unforgeable(void **state)
{
	static const char *const forged[] = {
		"event 1 msg mallory [action] root (uid 0) sent KILL to 1: ok",
		"event 1 me mallory [action] x",
		"event 1 private mallory [view] x",
		"event 1 rename mallory [claim]",
		"event 1 leave mallory [action] x",
		"event 1 msg mallory \r[action] root (uid 0) x",
		"event 1 msg mallory \x1b[1G[action] x",
		"event 1 msg [action] x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forged) / sizeof(*forged); i++) {
		const char *p = plain(forged[i]);

		assert_false(p && has_mark(p));
	}
	assert_string_equal(plain("event 1 action alice 1001 sent TERM to 4242 nginx: ok"),
			    "[action] alice (uid 1001) sent TERM to 4242 nginx: ok");
	assert_string_equal(plain("event 1 claim bob 1002 claims 4242 nginx"),
			    "[claim] bob (uid 1002) claims 4242 nginx");
	assert_string_equal(plain("event 1 notice w 0 3 zombies under 7"),
			    "[watch] w (uid 0) 3 zombies under 7");
	assert_string_equal(plain("event 1 viewrow 1 S x"), "[view] | 1 S x");
	/* an action line without its uid is no action */
	assert_null(plain("event 1 action alice sent TERM"));
}

static void test_claim_lines(void **state)
{
	struct chat_claim c;
	struct buf b = {0};
	const char *line = "claim bob 1002 4242 77 1000 nginx restarting it";

	(void)state;
	assert_true(chat_claim_parse(line, strlen(line), &c));
	assert_string_equal(c.name, "bob");
	assert_int_equal(c.uid, 1002);
	assert_int_equal(c.pid, 4242);
	assert_int_equal(c.start_ticks, 77);
	assert_int_equal(c.expires, 1000);
	assert_string_equal(c.what, "nginx");
	assert_string_equal(c.reason, "restarting it");
	chat_claim_format(&b, &c, 1000 - 125);
	assert_string_equal(b.data, "bob (uid 1002) claims 4242 nginx: restarting it (2m left)");
	assert_true(chat_claim_covers(&c, 4242, 77, "nginx"));
	assert_true(chat_claim_covers(&c, 4242, 0, NULL));
	assert_false(chat_claim_covers(&c, 4242, 78, "nginx")); /* recycled */
	assert_false(chat_claim_covers(&c, 4243, 77, "nginx"));
	line = "claim bob 1002 0 0 1000 ngin";
	assert_true(chat_claim_parse(line, strlen(line), &c));
	assert_true(chat_claim_covers(&c, 5, 0, "nginx: worker"));
	assert_false(chat_claim_covers(&c, 5, 0, "apache"));
	assert_false(chat_claim_covers(&c, 5, 0, NULL));
	buf_reset(&b);
	chat_claim_target(&b, &c);
	assert_string_equal(b.data, "the processes named like 'ngin'");
	line = "claim [x] 1 2 3 4 y";
	assert_false(chat_claim_parse(line, strlen(line), &c));
	line = "claim bob 1 2 3";
	assert_false(chat_claim_parse(line, strlen(line), &c));
	buf_free(&b);
}

static int ended;
static char last_why[64];

static void count_ended(void *ctx, const struct chat_claim *c,
			const void *holder, const char *why)
{
	(void)ctx;
	(void)c;
	(void)holder;
	ended++;
	snprintf(last_why, sizeof(last_why), "%s", why);
}

static struct chat_claim claim_on(pid_t pid, const char *what, long long exp)
{
	struct chat_claim c = {.pid = pid, .uid = 1002, .expires = exp};

	snprintf(c.what, sizeof(c.what), "%s", what);
	return c;
}

static void test_claim_ttl(void **state)
{
	struct claim_table t = {0};
	int a = 0, b = 0;
	struct chat_claim c1 = claim_on(10, "x", 100), c2 = claim_on(0, "ngx", 200);

	(void)state;
	ended = 0;
	assert_int_equal(claims_put(&t, &a, &c1), 0);
	assert_int_equal(claims_put(&t, &b, &c2), 0);
	assert_int_equal(claims_next_expiry(&t), 100);
	/* renewed: the same holder and target, a later time */
	c1.expires = 150;
	assert_int_equal(claims_put(&t, &a, &c1), 1);
	assert_int_equal(t.n, 2);
	assert_int_equal(claims_expire(&t, 149, count_ended, NULL), 0);
	assert_int_equal(claims_expire(&t, 150, count_ended, NULL), 1);
	assert_string_equal(last_why, "its time ran out");
	assert_int_equal(claims_next_expiry(&t), 200);
	/* another account's claim is found; one's own is not "another's" */
	assert_non_null(claims_other(&t, 0, 7, 0, "ngx-worker"));
	assert_null(claims_other(&t, 1002, 7, 0, "ngx-worker"));
	/* leaving ends all of a holder's claims, and only its own */
	assert_int_equal(claims_drop(&t, &a, 0, NULL, "left", count_ended, NULL), 0);
	assert_int_equal(claims_drop(&t, &b, 0, NULL, "left", count_ended, NULL), 1);
	assert_int_equal(ended, 2);
	assert_int_equal(claims_next_expiry(&t), 0);
	/* a holder's claims are capped */
	for (int i = 0; i < CHAT_CLAIMS_PER_MEMBER; i++) {
		struct chat_claim c = claim_on(100 + i, "p", 500);

		assert_int_equal(claims_put(&t, &a, &c), 0);
	}
	c1.pid = 999;
	assert_int_equal(claims_put(&t, &a, &c1), -1);
	assert_int_equal(claims_drop(&t, &a, 105, NULL, "released", NULL, NULL), 1);
	claims_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_request),
		cmocka_unit_test(test_action_text),
		cmocka_unit_test(test_marks_unforgeable),
		cmocka_unit_test(test_claim_lines),
		cmocka_unit_test(test_claim_ttl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
