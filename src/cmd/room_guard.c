/*
 * room_guard.c - the room's claims and events around pmon kill and pmon
 * reap (room_guard.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/room_guard.h"

void room_guard_open(struct room_guard *g, bool quiet, bool force)
{
	*g = (struct room_guard){.quiet = quiet, .force = force};
	if (quiet)
		return;
	g->up = chat_notifier_open(&g->n, NULL, CHAT_KIND_CMD) == 0;
	if (g->up)
		(void)chat_notifier_claims(&g->n);
}

/* "y" or "yes" on stdin, after the question on stderr. */
static bool ask(const char *question)
{
	char answer[16] = "";

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return tolower((unsigned char)answer[0]) == 'y';
}

bool room_guard_allows(struct room_guard *g, pid_t pid,
		       unsigned long long start_ticks, const char *comm,
		       char *why, size_t size)
{
	const struct chat_claim *c;
	struct buf said = {0};
	bool yes;

	if (!g->up)
		return true;
	c = chat_notifier_claimed(&g->n, pid, start_ticks, comm);
	if (!c)
		return true;
	chat_claim_format(&said, c, (long long)time(NULL));
	if (g->force) {
		pmon_warn("%d: %s; going ahead (--force), and the room is told",
			  (int)pid, said.data);
		buf_free(&said);
		return true;
	}
	if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
		char question[96];

		pmon_warn("in the room, %s", said.data);
		snprintf(question, sizeof(question), "act on %d anyway (the"
			 " room will be told)?", (int)pid);
		yes = ask(question);
		buf_free(&said);
		if (yes)
			return true;
		snprintf(why, size, "not touched: claimed by %s (uid %u) in the"
			 " room, and you said no", c->name, (unsigned)c->uid);
		return false;
	}
	buf_free(&said);
	snprintf(why, size, "refused: claimed by %s (uid %u) in the room"
		 " (pmon chat --claims; --force to act anyway)", c->name,
		 (unsigned)c->uid);
	return false;
}

void room_guard_post(struct room_guard *g, const struct chat_action *a)
{
	if (g->up)
		g->up = chat_notifier_action(&g->n, a) == 0 || g->n.up;
}

const char *room_guard_errword(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err);
	size_t i;

	if (!name)
		return "failed";
	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	return buf;
}

void room_guard_close(struct room_guard *g)
{
	if (!g->quiet)
		chat_notifier_close(&g->n);
}
