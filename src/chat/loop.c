/*
 * loop.c - the epoll event loop (see loop.h).  Level-triggered: a handler
 * that leaves data unread is called again, which keeps flood control (a
 * paused reader has LOOP_READ removed) and partial writes simple.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "chat/loop.h"
#include "util/util.h"

struct slot {
	loop_handler *fn;
	void *data;
	int mask;
	bool used;
	bool armed;  /* in the epoll set (not while mask is 0) */
};

struct loop {
	int epfd;
	bool stop;
	struct slot *slots; /* indexed by descriptor, grown on demand */
	int nslots;
	loop_before_sleep *before_sleep;
	void *before_sleep_data;
	struct epoll_event events[256];
};

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->slots);
	free(l);
}

static uint32_t epoll_bits(int mask)
{
	return (mask & LOOP_READ ? EPOLLIN : 0) |
	       (mask & LOOP_WRITE ? EPOLLOUT : 0);
}

int loop_add(struct loop *l, int fd, int mask, loop_handler *fn, void *data)
{
	struct epoll_event ev = {.events = epoll_bits(mask), .data.fd = fd};

	if (fd >= l->nslots) {
		int n = l->nslots ? l->nslots : 64;

		while (n <= fd)
			n *= 2;
		l->slots = xreallocarray(l->slots, (size_t)n, sizeof(*l->slots));
		for (int i = l->nslots; i < n; i++)
			l->slots[i] = (struct slot){0};
		l->nslots = n;
	}
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	/* A sleeping descriptor is kept out of the set: epoll reports a
	 * hang-up whatever it was asked for, and level-triggered it would
	 * wake the loop for ever while the descriptor sleeps. */
	if (!mask)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->slots[fd] = (struct slot){.fn = fn, .data = data, .mask = mask,
				     .used = true, .armed = mask != 0};
	return 0;
}

int loop_set_mask(struct loop *l, int fd, int mask)
{
	struct epoll_event ev = {.events = epoll_bits(mask), .data.fd = fd};

	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used) {
		errno = EBADF;
		return -1;
	}
	if (l->slots[fd].mask == mask)
		return 0;
	if (!mask) {
		if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
			return -1;
	} else if (epoll_ctl(l->epfd, l->slots[fd].armed ? EPOLL_CTL_MOD :
			     EPOLL_CTL_ADD, fd, &ev) < 0) {
		return -1;
	}
	l->slots[fd].mask = mask;
	l->slots[fd].armed = mask != 0;
	return 0;
}

int loop_get_mask(const struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used)
		return 0;
	return l->slots[fd].mask;
}

void loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used)
		return;
	/* Failure means the descriptor is already gone: nothing to undo. */
	if (l->slots[fd].armed)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->slots[fd] = (struct slot){0};
}

void loop_set_before_sleep(struct loop *l, loop_before_sleep *fn, void *data)
{
	l->before_sleep = fn;
	l->before_sleep_data = data;
}

static void dispatch(struct loop *l, const struct epoll_event *ev)
{
	int fd = ev->data.fd, mask = 0;
	struct slot *s;

	if (fd < 0 || fd >= l->nslots || !l->slots[fd].used)
		return; /* deleted by an earlier handler in this batch */
	s = &l->slots[fd];
	if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		mask |= LOOP_READ;
	if (ev->events & (EPOLLOUT | EPOLLERR))
		mask |= LOOP_WRITE;
	/* Report only what was asked for, except that an error on a
	 * sleeping descriptor waits until it is woken again. */
	mask &= s->mask;
	if (mask)
		s->fn(l, fd, s->data, mask);
}

int loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int timeout = -1, n;

		if (l->before_sleep)
			timeout = l->before_sleep(l, l->before_sleep_data);
		if (l->stop)
			break;
		n = epoll_wait(l->epfd, l->events, (int)ARRAY_LEN(l->events),
			       timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n; i++)
			dispatch(l, &l->events[i]);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
