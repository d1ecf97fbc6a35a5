/*
 * proc.c - facts about one process read by either reader (snapshot.c,
 * watch.c): filling struct proc from a stat line, the STAT text, and what
 * a process's state means (a zombie, exited, an init).
 */
#include <string.h>

#include "proc/parse.h"
#include "proc/proc.h"

void proc_fill_stat(struct proc *p, const struct stat_line *st,
		    const struct proc_clock *clk)
{
	double started = (double)st->start_ticks / (double)clk->hz;

	p->ppid = st->ppid;
	p->tty_nr = st->tty_nr;
	p->priority = st->priority;
	p->state = st->state;
	p->pgrp = st->pgrp;
	p->session = st->session;
	p->tpgid = st->tpgid;
	p->nice = st->nice;
	p->threads = st->threads;
	p->kernel_thread = st->flags & 0x00200000UL; /* PF_KTHREAD */
	p->cpu_ticks = st->cpu_ticks;
	p->start_ticks = st->start_ticks;
	/* As ps computes it: whole seconds of btime plus whole seconds
	 * since boot, so it never moves between readings. */
	p->start_time = (time_t)clk->boot_time +
			(time_t)(st->start_ticks / (unsigned long long)clk->hz);
	p->elapsed_s = (long)(clk->uptime - started);
	if (p->elapsed_s < 0)
		p->elapsed_s = 0;
}

void proc_format_stat(struct proc *p)
{
	const struct stat_inputs in = {
		.state = p->state, .nice = p->nice, .locked = p->locked,
		.pid = p->pid, .session = p->session,
		.threads = p->threads, .pgrp = p->pgrp,
		.tpgid = p->tpgid,
	};

	format_stat(&in, p->stat);
}

bool proc_is_zombie(const struct proc *p)
{
	return p->state == 'Z' && p->threads <= 1;
}

bool proc_has_exited(const struct proc *p)
{
	return p->state == 'X' || proc_is_zombie(p);
}

bool proc_is_ns_init(const struct proc *p)
{
	if (p->pid == 1)
		return true;
	return (p->have & PI_TRACE) && p->ns_levels > 0 &&
	       p->ns_pids[p->ns_levels - 1] == 1;
}
