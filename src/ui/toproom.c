/*
 * toproom.c - the room inside `pmon top`: a pane under the table with
 * the room's latest lines, and a prompt (:) that sends what is typed as
 * `pmon chat` would (a message, /me, /msg, /claim, any /command).
 *
 * The room is a chat_session (chat/session.h): the client code of
 * `pmon chat`, driven from top's own poll, so that a dead, stalled or
 * absent room never holds up a refresh: nothing here waits.  The
 * session starts when the pane is first opened (or with --room) and
 * stays, getting back in by itself, until top ends.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/notify.h"
#include "chat/session.h"
#include "ui/topview_int.h"
#include "view/escape.h"

/* The name top enters as when the login name is taken (the user's own
 * `pmon chat`, say): LOGIN-top.  Looked up when the session starts, which
 * is on a key or at start-up, not per refresh. */
static void alt_name(char *out, size_t size)
{
	char login[64];
	size_t n;

	chat_login_name(getuid(), login, sizeof(login));
	n = strlen(login);
	if (n > CHAT_NAME_MAX - 4)
		n = CHAT_NAME_MAX - 4;
	snprintf(out, size, "%.*s-top", (int)n, login);
	if (!chat_name_valid(out, strlen(out)))
		out[0] = '\0';
}

static void roompane_start(struct view *v);
static void send_kept_actions(struct view *v);

/* ---- claims ------------------------------------------------------------- */

#define CLAIMS_MAX 4096

static void ask_claims(struct view *v)
{
	(void)chat_session_request(v->room, "/claims", 7);
}

/* In the room: say we are a top (in /who), and ask for the claims. */
static void on_enter(void *data)
{
	struct view *v = data;
	struct buf req = {0};

	free(v->claims_next); /* a list cut short by a lost connection */
	v->claims_next = NULL;
	v->nclaims_next = 0;
	chat_kind_request(&req, CHAT_KIND_TOP);
	(void)chat_session_request(v->room, req.data, req.len);
	buf_free(&req);
	ask_claims(v);
	send_kept_actions(v);
}

/* The claims come as "claim ..." lines ended by "ok claims N"; a claim
 * event (claimed, released) asks for them again. */
static void on_event(void *data, const struct chat_line *l, const struct chat_ev *ev)
{
	struct view *v = data;
	struct chat_claim c;

	if (ev->kind == EV_CLAIMLINE && chat_claim_parse(l->text, l->len, &c) &&
	    v->nclaims_next < CLAIMS_MAX) {
		v->claims_next = xreallocarray(v->claims_next, v->nclaims_next + 1,
					       sizeof(*v->claims_next));
		v->claims_next[v->nclaims_next++] = c;
	} else if (ev->kind == EV_OK && chat_ev_word_is(ev, "claims")) {
		free(v->claims);
		v->claims = v->claims_next;
		v->nclaims = v->nclaims_next;
		v->claims_next = NULL;
		v->nclaims_next = 0;
		v->room->seq++; /* the markers change: draw */
	} else if (ev->kind == EV_CLAIM && !ev->history) {
		ask_claims(v);
	}
}

const struct chat_claim *roompane_claim_of(const struct view *v,
					   const struct proc *p, bool *mine)
{
	long long now;

	if (!v->room || v->room->state != SESSION_IN || !v->nclaims)
		return NULL;
	now = (long long)time(NULL);
	for (size_t i = 0; i < v->nclaims; i++) {
		const struct chat_claim *c = &v->claims[i];

		if (c->expires > now &&
		    chat_claim_covers(c, p->pid, p->start_ticks, p->comm)) {
			/* ours: this account, and this name (two people may
			 * share an account, as root) */
			*mine = c->uid == getuid() &&
				chat_name_equal(c->name, strlen(c->name), v->room->c.name,
						strlen(v->room->c.name));
			return c;
		}
	}
	return NULL;
}

void roompane_claim(struct view *v, const char *reason)
{
	const struct proc *p = view_selected(v);
	const struct chat_claim *c;
	struct buf req = {0};
	bool mine = false;
	char why[CHAT_WHY_MAX + 128], shown[CHAT_WHY_MAX + 160];

	if (!p)
		return;
	c = roompane_claim_of(v, p, &mine);
	if (c && mine && c->pid == p->pid)
		buf_printf(&req, "/release %d", (int)p->pid);
	else
		buf_printf(&req, "/claim %d%s%s", (int)p->pid, *reason ? " " : "", reason);
	if (chat_session_say(v->room, req.data, req.len, why, sizeof(why)) < 0)
		view_message(v, true, "%s", esc_string(why, v->utf8, shown, sizeof(shown)));
	buf_free(&req);
}

/* ---- the audit trail ------------------------------------------------------ */

/* What k and r did goes to the room as an action event, which the server
 * formats and attributes to our account.  Never waited on: sent now when
 * top is in the room, else kept (the last ACTIONS_KEPT) and sent once it
 * is in; a room that never comes costs nothing. */
#define ACTIONS_KEPT 32

static void send_kept_actions(struct view *v)
{
	size_t sent = 0;

	if (!v->nactions)
		return; /* (and memmove may not be given the NULL array) */
	while (sent < v->nactions &&
	       chat_session_request(v->room, v->actions[sent], strlen(v->actions[sent])))
		free(v->actions[sent++]);
	memmove(v->actions, v->actions + sent, (v->nactions - sent) * sizeof(char *));
	v->nactions -= sent;
}

void roompane_report(struct view *v, const struct chat_action *a)
{
	struct buf req = {0};

	if (chat_action_request(&req, a) < 0) {
		buf_free(&req);
		return;
	}
	roompane_start(v);
	if (v->nactions == ACTIONS_KEPT) {
		free(v->actions[0]);
		memmove(v->actions, v->actions + 1, (ACTIONS_KEPT - 1) * sizeof(char *));
		v->nactions--;
	}
	v->actions = xreallocarray(v->actions, ACTIONS_KEPT, sizeof(char *));
	v->actions[v->nactions++] = req.data;
	if (v->room->state == SESSION_IN)
		send_kept_actions(v);
}

/* ---- the session --------------------------------------------------------- */

static void roompane_start(struct view *v)
{
	char alt[CHAT_NAME_MAX + 1];

	if (v->room)
		return;
	alt_name(alt, sizeof(alt));
	/* No name lookups from here on: a server we must refuse is named by
	 * its uid, not by an NSS call that can block (LDAP, sssd). */
	chat_login_lookups(false);
	v->room = xcalloc(1, sizeof(*v->room));
	chat_session_init(v->room, chat_socket_path(v->room_socket), "", alt);
	v->room->on_enter = on_enter;
	v->room->on_event = on_event;
	v->room->data = v;
	chat_session_tick(v->room, mono_now());
}

void roompane_close(struct view *v)
{
	if (!v->room)
		return;
	chat_session_free(v->room);
	free(v->room);
	v->room = NULL;
	free(v->claims);
	free(v->claims_next);
	for (size_t i = 0; i < v->nactions; i++)
		free(v->actions[i]);
	free(v->actions);
}

void roompane_toggle(struct view *v)
{
	v->room_shown = !v->room_shown;
	if (!v->room_lines)
		v->room_lines = ROOM_LINES_DEFAULT;
	roompane_start(v);
	view_place_selection(v);
	view_fetch_shown(v);
}

void roompane_resize(struct view *v, int by)
{
	if (!v->room_shown) {
		view_message(v, false, "the room's pane is closed (# opens it)");
		return;
	}
	v->room_lines += by;
	if (v->room_lines < ROOM_LINES_MIN)
		v->room_lines = ROOM_LINES_MIN;
	view_place_selection(v); /* draw_layout keeps it to what fits */
	view_fetch_shown(v);
}

void roompane_say(struct view *v)
{
	char why[CHAT_WHY_MAX + 128], shown[CHAT_WHY_MAX + 160];

	if (v->input_len == 0 || !v->room)
		return;
	if (chat_session_say(v->room, v->input, v->input_len, why, sizeof(why)) < 0)
		view_message(v, true, "%s", esc_string(why, v->utf8, shown, sizeof(shown)));
}

/* ---- the loop's side ----------------------------------------------------- */

int roompane_fd(const struct view *v, short *events)
{
	if (!v->room)
		return -1;
	*events = chat_session_events(v->room);
	return chat_session_fd(v->room);
}

void roompane_io(struct view *v, short revents, double now)
{
	if (v->room)
		chat_session_io(v->room, revents, now);
}

/* Run the session's timers; the time of its next one (0: none). */
double roompane_tick(struct view *v, double now)
{
	if (!v->room)
		return 0;
	chat_session_tick(v->room, now);
	return chat_session_next_timer(v->room);
}

/* Is there something new to show in the pane? */
bool roompane_changed(struct view *v)
{
	return v->room && v->room_shown && v->room->seq != v->room_seq;
}

/* ---- drawing ------------------------------------------------------------- */

void roompane_draw(struct view *v)
{
	const struct chat_session *s = v->room;
	int y0 = v->list_end, rows = LINES - y0 - 1;
	unsigned first;

	if (!s)
		return;
	v->room_seq = s->seq;
	buf_reset(&v->line);
	buf_puts(&v->line, " Room: ");
	esc_append(&v->line, s->status, strlen(s->status), v->utf8);
	if (s->stalled)
		buf_puts(&v->line, " [not reading]");
	buf_puts(&v->line, "  (: say  # hide  { } size)");
	attron(A_REVERSE);
	mvhline(y0, 0, ' ', COLS);
	draw_text(y0, 0, v->line.data, v->line.len, A_REVERSE);
	attroff(A_REVERSE);
	first = s->count > (unsigned)rows ? s->count - (unsigned)rows : 0;
	for (int i = 0; i < rows && first + (unsigned)i < s->count; i++) {
		/* chat_sanitize made them safe for a terminal already. */
		const char *l = chat_session_line(s, first + (unsigned)i);

		draw_text(y0 + 1 + i, 0, l, strlen(l), 0);
	}
}
