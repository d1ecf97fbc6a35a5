/*
 * resolve.c - account lookups on a helper thread, answers in a cache
 * that the event loop reads (resolve.h).
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "chat/resolve.h"
#include "util/util.h"

#define CACHE_MAX 256   /* answers kept; the oldest goes first */
#define CACHE_TTL 60.0  /* seconds an answer is trusted */
#define QUEUE_MAX 64    /* lookups waiting for the thread */

/* A question: an account by uid, or who has a login name. */
struct question {
	bool by_name;
	uid_t uid;
	char name[CHAT_NAME_MAX + 1];
};

struct entry {
	bool used, pinned;
	struct question q;
	struct account acct;
	struct name_owner owner;
	double at;
};

struct resolver {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int efd;
	bool has_group;
	gid_t group;
	bool stop, busy, orphan;
	struct question current;    /* the thread's, while busy */
	struct question queue[QUEUE_MAX];
	size_t qhead, qcount;
	struct entry cache[CACHE_MAX];
};

/* ---- the lookups (any thread) ---------------------------------------- */

/* getpwuid_r or getpwnam_r with a buffer that grows on ERANGE. */
static bool get_passwd(uid_t uid, const char *name, struct passwd *pw,
		       char **buf)
{
	size_t size = 16384;
	struct passwd *res = NULL;
	int rc;

	for (;;) {
		*buf = xmalloc(size);
		rc = name ? getpwnam_r(name, pw, *buf, size, &res) :
			    getpwuid_r(uid, pw, *buf, size, &res);
		if (rc != ERANGE || size >= (1 << 20))
			break;
		free(*buf);
		size *= 2;
	}
	return rc == 0 && res != NULL;
}

static bool in_group(const char *login, gid_t base, gid_t group)
{
	gid_t *groups = NULL;
	int cap = 64, n;
	bool found = false;

	for (;;) {
		groups = xreallocarray(groups, (size_t)cap, sizeof(*groups));
		n = cap;
		if (getgrouplist(login, base, groups, &n) >= 0)
			break;
		if (cap >= 65536) {
			n = cap; /* truncated: check what we got */
			break;
		}
		cap = n > cap ? n : 2 * cap; /* n: how many there are */
	}
	for (int i = 0; i < n; i++)
		if (groups[i] == group)
			found = true;
	free(groups);
	return found;
}

static void lookup_account(const struct resolver *r, uid_t uid,
			   struct account *a)
{
	struct passwd pw;
	char *buf;

	*a = (struct account){0};
	if (get_passwd(uid, NULL, &pw, &buf) && pw.pw_name[0]) {
		snprintf(a->login, sizeof(a->login), "%s", pw.pw_name);
		a->in_group = r->has_group &&
			      in_group(pw.pw_name, pw.pw_gid, r->group);
	} else {
		snprintf(a->login, sizeof(a->login), "uid%u", (unsigned)uid);
	}
	free(buf);
}

static long uid_of(const char *name)
{
	struct passwd pw;
	char *buf;
	long uid = -1;

	if (get_passwd(0, name, &pw, &buf))
		uid = (long)pw.pw_uid;
	free(buf);
	return uid;
}

static void lookup_name(const char *name, struct name_owner *o)
{
	char lower[CHAT_NAME_MAX + 1];
	size_t i;

	for (i = 0; name[i] && i < CHAT_NAME_MAX; i++)
		lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ?
					  name[i] - 'A' + 'a' : name[i]);
	lower[i] = '\0';
	o->exact = uid_of(name);
	o->lower = strcmp(lower, name) == 0 ? o->exact : uid_of(lower);
}

/* ---- the cache (with mu held) ------------------------------------------ */

static bool same(const struct question *a, const struct question *b)
{
	return a->by_name == b->by_name &&
	       (a->by_name ? strcmp(a->name, b->name) == 0 : a->uid == b->uid);
}

static struct entry *find(struct resolver *r, const struct question *q)
{
	for (size_t i = 0; i < CACHE_MAX; i++)
		if (r->cache[i].used && same(&r->cache[i].q, q))
			return &r->cache[i];
	return NULL;
}

/* The entry for q: its own, a free one, or the oldest unpinned one. */
static struct entry *slot_for(struct resolver *r, const struct question *q)
{
	struct entry *e = find(r, q), *oldest = NULL;

	for (size_t i = 0; !e && i < CACHE_MAX; i++) {
		struct entry *x = &r->cache[i];

		if (!x->used)
			e = x;
		else if (!x->pinned && (!oldest || x->at < oldest->at))
			oldest = x;
	}
	if (!e)
		e = oldest ? oldest : &r->cache[0];
	*e = (struct entry){.used = true, .q = *q, .at = mono_now()};
	return e;
}

static bool asked(const struct resolver *r, const struct question *q)
{
	if (r->busy && same(&r->current, q))
		return true;
	for (size_t i = 0; i < r->qcount; i++)
		if (same(&r->queue[(r->qhead + i) % QUEUE_MAX], q))
			return true;
	return false;
}

/* The cached answer to q, fresh enough; else ask the thread. */
static const struct entry *answer(struct resolver *r,
				  const struct question *q)
{
	const struct entry *e = find(r, q);

	if (e && (e->pinned || mono_now() - e->at < CACHE_TTL))
		return e;
	/* A full queue asks nothing now: its answers, when they come,
	 * make everyone waiting try again, and ask again. */
	if (!asked(r, q) && r->qcount < QUEUE_MAX) {
		r->queue[(r->qhead + r->qcount) % QUEUE_MAX] = *q;
		r->qcount++;
		pthread_cond_signal(&r->cv);
	}
	return NULL;
}

/* ---- the thread -------------------------------------------------------- */

static void destroy(struct resolver *r)
{
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	close(r->efd);
	free(r);
}

static void *worker(void *arg)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct question q;
		struct account a;
		struct name_owner o;
		struct entry *e;
		uint64_t one = 1;

		while (!r->stop && r->qcount == 0)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop)
			break;
		q = r->current = r->queue[r->qhead];
		r->qhead = (r->qhead + 1) % QUEUE_MAX;
		r->qcount--;
		r->busy = true;
		pthread_mutex_unlock(&r->mu);
		if (q.by_name)
			lookup_name(q.name, &o);
		else
			lookup_account(r, q.uid, &a);
		pthread_mutex_lock(&r->mu);
		r->busy = false;
		if (r->orphan) {
			pthread_mutex_unlock(&r->mu);
			destroy(r);
			return NULL;
		}
		e = slot_for(r, &q);
		if (q.by_name)
			e->owner = o;
		else
			e->acct = a;
		/* Fails only when the counter would overflow, and then the
		 * loop has a wake-up pending anyway. */
		if (write(r->efd, &one, sizeof(one)) < 0)
			errno = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* ---- the loop's side --------------------------------------------------- */

struct resolver *resolver_new(bool has_group, gid_t group)
{
	struct resolver *r = xcalloc(1, sizeof(*r));
	int err;

	r->has_group = has_group;
	r->group = group;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	err = pthread_create(&r->thread, NULL, worker, r);
	if (err) {
		destroy(r);
		errno = err;
		return NULL;
	}
	return r;
}

void resolver_free(struct resolver *r)
{
	pthread_t t;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->cv);
	t = r->thread;
	if (r->busy) {
		/* Stuck in NSS: it frees r itself when the call returns. */
		r->orphan = true;
		pthread_mutex_unlock(&r->mu);
		pthread_detach(t);
		return;
	}
	pthread_mutex_unlock(&r->mu);
	pthread_join(t, NULL);
	destroy(r);
}

int resolver_fd(const struct resolver *r)
{
	return r->efd;
}

void resolver_drain(struct resolver *r)
{
	uint64_t n;

	/* EAGAIN: nothing was pending (a spurious wake-up); harmless. */
	if (read(r->efd, &n, sizeof(n)) < 0)
		errno = 0;
}

void resolver_pin(struct resolver *r, uid_t uid, struct account *out)
{
	struct question q = {.uid = uid};
	struct account a;
	struct entry *e;

	lookup_account(r, uid, &a);
	pthread_mutex_lock(&r->mu);
	e = slot_for(r, &q);
	e->acct = a;
	e->pinned = true;
	pthread_mutex_unlock(&r->mu);
	if (out)
		*out = a;
}

enum resolve_state resolver_account(struct resolver *r, uid_t uid,
				    struct account *out)
{
	struct question q = {.uid = uid};
	const struct entry *e;

	pthread_mutex_lock(&r->mu);
	e = answer(r, &q);
	if (e)
		*out = e->acct;
	pthread_mutex_unlock(&r->mu);
	return e ? RESOLVE_DONE : RESOLVE_PENDING;
}

enum resolve_state resolver_name(struct resolver *r, const char *name,
				 struct name_owner *out)
{
	struct question q = {.by_name = true};
	const struct entry *e;

	snprintf(q.name, sizeof(q.name), "%s", name);
	pthread_mutex_lock(&r->mu);
	e = answer(r, &q);
	if (e)
		*out = e->owner;
	pthread_mutex_unlock(&r->mu);
	return e ? RESOLVE_DONE : RESOLVE_PENDING;
}
