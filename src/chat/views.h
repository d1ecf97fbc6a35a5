/*
 * views.h - the room's shared views (/zombies, /tree PID, /ps PATTERN,
 * /inspect PID): computed by the server from what any account may read
 * of a process (its stat and status lines, read as the server; never its
 * command line, environment, descriptors, maps or working directory,
 * which can hold secrets), narrowed to what the asker could read under
 * /proc's hidepid (view_asker), each row sanitised and the whole cut to
 * CHAT_VIEW_ROWS rows.  room.c rate-limits and posts them.
 *
 * A view reads the process table: measured on this 2-CPU box with 10,400
 * processes (load average 35 to 60), /ps, /tree and /zombies cost 160 to
 * 210 ms of CPU each (about 16 us a process: some 6 ms on a box of 400),
 * /inspect under 10 ms.  So the room never makes one on its loop: a child
 * process does (viewjob.h), and the rate limit (CHAT_VIEW_INTERVAL per
 * member, CHAT_VIEW_ROOM_INTERVAL for the room) keeps that child's CPU
 * to about a tenth of a core on such a box.
 */
#ifndef PMON_CHAT_VIEWS_H
#define PMON_CHAT_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/util.h"

struct proc;

#define CHAT_VIEW_ROWS 20              /* rows of one view at most */
#define CHAT_VIEW_INTERVAL 5.0         /* seconds between a member's views */
#define CHAT_VIEW_ROOM_INTERVAL 2.0    /* and between any two views */

struct shared_view {
	struct buf head;          /* "zombies: 3 under 1 parent" */
	struct buf rows[CHAT_VIEW_ROWS];
	size_t n;                 /* rows kept */
	size_t total;             /* rows there were */
};

/*
 * Who asked, for /proc's hidepid: the server may read every process, and
 * no member may show the room through it what that member could not read.
 * Under hidepid (noaccess, invisible, ptraceable) a view shows only what
 * the kernel would let the asker read (its own dumpable processes, all
 * ids its own) unless the asker is root or (but with ptraceable) in
 * /proc's gid= group, and its head says so.
 */
struct view_asker {
	uid_t uid;
	gid_t gid;
	bool sees_all;
};
struct view_asker view_asker(uid_t uid, gid_t gid, int peer_fd);
/* May a see p (read from a snapshot with PI_UID)? */
bool view_asker_sees(const struct view_asker *a, const struct proc *p);

/* Each fills v (zeroed first) and returns 0, or -1 with v->head saying
 * why not (no such process, no /proc). */
int view_zombies(struct shared_view *v, const struct view_asker *a);
int view_tree(struct shared_view *v, const struct view_asker *a, pid_t pid);
int view_ps(struct shared_view *v, const struct view_asker *a,
	    const char *pattern, size_t n);
int view_inspect(struct shared_view *v, const struct view_asker *a,
		 pid_t pid);
void view_free(struct shared_view *v);

#endif
