/*
 * inspect_json.c - an inspection as one JSON object: every field the text
 * shows, typed, with null for what could not be read and the reason in
 * "unreadable" (see pmon(1), JSON).
 */
#include <errno.h>
#include <string.h>

#include "act/reap.h"
#include "act/signals.h"
#include "act/sigset.h"
#include "ui/inspect.h"
#include "view/explain.h"
#include "view/field.h"

#define SD_HAS(d, f) (((d)->st.have >> (f)) & 1)

static json_t *jint(bool have, long long v)
{
	return have ? json_integer(v) : json_null();
}

static json_t *jstr(const char *s)
{
	return json_text(s);
}

/* A part that could not be read: null here, its reason in unreadable. */
static json_t *jpart(const struct inspection *ins, json_t *unreadable,
		     const char *part, int err, json_t *value)
{
	if (!err)
		return value;
	json_decref(value);
	json_object_set_new(unreadable, part, json_string(inspect_unreadable(ins, err)));
	return json_null();
}

static json_t *jbuf_text(void (*fn)(const struct inspection *, struct buf *),
			 const struct inspection *ins)
{
	struct buf b = {0};
	json_t *j;

	fn(ins, &b);
	j = jstr(b.data ? b.data : "");
	buf_free(&b);
	return j;
}

static json_t *identity_json(const struct inspection *ins, json_t *un)
{
	const struct proc *p = ins->p;
	const struct proc_detail *d = &ins->d;
	json_t *o = json_object();

	json_object_set_new(o, "comm", jstr(p->comm));
	json_object_set_new(o, "start_time", json_integer(p->start_time));
	json_object_set_new(o, "start_ticks", json_integer((json_int_t)p->start_ticks));
	json_object_set_new(o, "elapsed_s", json_integer(p->elapsed_s));
	json_object_set_new(o, "pidfs_ino", jpart(ins, un, "pidfs_ino", d->pidfs_err,
						  json_integer((json_int_t)d->pidfs_ino)));
	json_object_set_new(o, "exe", jpart(ins, un, "exe", d->exe_err, jstr(d->exe.data)));
	json_object_set_new(o, "cmdline", jstr(p->cmdline));
	json_object_set_new(o, "cwd", jpart(ins, un, "cwd", d->cwd_err, jstr(d->cwd.data)));
	json_object_set_new(o, "root", jpart(ins, un, "root", d->root_err, jstr(d->root.data)));
	return o;
}

static json_t *state_json(const struct inspection *ins)
{
	const struct proc *p = ins->p;
	char letter[2] = {p->state, '\0'};
	json_t *o = json_object(), *mods = json_array();

	json_object_set_new(o, "letter", json_string(letter));
	json_object_set_new(o, "meaning", jstr(state_meaning(p->state)));
	json_object_set_new(o, "stat", json_string(p->stat));
	for (const char *c = p->stat + 1; *c; c++) {
		char m[2] = {*c, '\0'};

		json_array_append_new(mods, json_pack("{s:s, s:o}", "flag", m, "meaning",
						      jstr(stat_modifier_meaning(*c))));
	}
	json_object_set_new(o, "modifiers", mods);
	json_object_set_new(o, "in_state_s", jint(ins->in_state_s >= 0, ins->in_state_s));
	json_object_set_new(o, "zombie", json_boolean(proc_is_zombie(p)));
	json_object_set_new(o, "main_thread_exited",
			    json_boolean(p->state == 'Z' && !proc_is_zombie(p)));
	return o;
}

static json_t *orphan_json(const struct inspection *ins)
{
	const struct orphan_facts *f = &ins->facts;
	json_t *o = json_object();
	struct buf b = {0};

	json_object_set_new(o, "kind", json_string(orphan_kind_name(ins->cls.kind)));
	if (ins->cls.kind == ORPHAN_NONE) {
		json_object_set_new(o, "why_not", jstr(inspect_not_orphan_why(ins)));
		return o;
	}
	json_object_set_new(o, "adopter", json_pack("{s:i, s:o, s:s}",
		"pid", (int)(f->parent ? f->parent->pid : ins->p->ppid),
		"comm", f->parent ? jstr(f->parent->comm) : json_null(),
		"kind", inspect_adopter_kind(f->adopter)));
	orphan_evidence_text(f, &ins->cls, &b);
	json_object_set_new(o, "evidence", jstr(b.data ? b.data : ""));
	buf_reset(&b);
	orphan_advice_text(f, &ins->cls, &b);
	json_object_set_new(o, "advice", jstr(b.data ? b.data : ""));
	buf_free(&b);
	return o;
}

static json_t *family_json(const struct inspection *ins, json_t *un)
{
	const struct proc *p = ins->p;
	json_t *o = json_object(), *anc = json_array(), *kids = json_array();
	struct buf b = {0};
	bool daemon;

	json_object_set_new(o, "ppid", json_integer(p->ppid));
	for (size_t i = 0; i < ins->nanc; i++)
		json_array_append_new(anc, json_pack("{s:i, s:o}", "pid", (int)ins->anc[i].pid,
						     "comm", jstr(ins->anc[i].comm)));
	json_object_set_new(o, "ancestors", anc);
	for (size_t i = 0; i < ins->nkids; i++)
		json_array_append_new(kids, json_integer(ins->kids[i]));
	json_object_set_new(o, "children", jpart(ins, un, "children",
						 ins->d.children_err, kids));
	json_object_set_new(o, "zombies", jint(!ins->d.children_err, (long long)ins->nzombies));
	json_object_set_new(o, "session", json_integer(p->session));
	json_object_set_new(o, "session_leader", ins->leader_alive ?
			    json_pack("{s:i, s:o}", "pid", (int)ins->leader->pid,
				      "comm", jstr(ins->leader->comm)) : json_null());
	json_object_set_new(o, "pgrp", json_integer(p->pgrp));
	json_object_set_new(o, "pgrp_orphaned", ins->pgrp_orphaned < 0 ? json_null() :
			    json_boolean(ins->pgrp_orphaned));
	tty_name(p->tty_nr, &b);
	json_object_set_new(o, "tty", p->tty_nr ? json_string(b.data) : json_null());
	json_object_set_new(o, "foreground", p->tty_nr ? json_boolean(p->tpgid == p->pgrp)
			    : json_null());
	json_object_set_new(o, "orphan", orphan_json(ins));
	buf_reset(&b);
	daemon = inspect_daemon(ins, &b);
	json_object_set_new(o, "daemon", json_boolean(daemon));
	json_object_set_new(o, "daemon_why", jstr(b.data));
	buf_free(&b);
	return o;
}

static json_t *syscall_json(const struct inspection *ins)
{
	const struct syscall_line *sc = &ins->d.sc;
	static const char *const kinds[] = {"running", "none", "in"};
	json_t *o = json_object(), *args, *fds;

	json_object_set_new(o, "state", json_string(kinds[sc->kind]));
	if (sc->kind != SYSCALL_IN)
		return o;
	args = json_array();
	fds = json_array();
	json_object_set_new(o, "nr", json_integer(sc->nr));
	json_object_set_new(o, "name", jstr(syscall_name(sc->nr)));
	for (int i = 0; i < 6; i++)
		json_array_append_new(args, json_integer((json_int_t)sc->args[i]));
	json_object_set_new(o, "args", args);
	json_object_set_new(o, "text", jstr(ins->call.data));
	json_object_set_new(o, "waiting_for", ins->waits.len ? jstr(ins->waits.data) :
			    json_null());
	for (size_t i = 0; i < ins->nfds; i++) {
		const struct inspect_fd *f = &ins->fds[i];

		json_array_append_new(fds, json_pack("{s:i, s:o, s:o, s:o}",
			"fd", f->fd.fd, "target", f->err ? json_null() : jstr(f->target.data),
			"socket", jstr(f->fd.socket),
			"watched", f->fd.watched >= 0 ? json_integer(f->fd.watched) : json_null()));
	}
	json_object_set_new(o, "fds", fds);
	return o;
}

static json_t *threads_json(const struct inspection *ins)
{
	const struct proc_detail *d = &ins->d;
	json_t *a = json_array();

	for (size_t i = 0; i < d->ntasks; i++) {
		const struct task_detail *t = &d->tasks[i];
		char st[2] = {t->state, '\0'};
		const char *call = t->syscall_err || t->sc.kind != SYSCALL_IN ? NULL :
				   syscall_name(t->sc.nr);

		json_array_append_new(a, json_pack("{s:i, s:o, s:s, s:o, s:o}",
			"tid", (int)t->tid, "comm", jstr(t->comm), "state", st,
			"syscall", t->syscall_err ? json_null() :
				   t->sc.kind == SYSCALL_IN ? jstr(call) :
				   json_string(t->sc.kind == SYSCALL_RUNNING ? "running" : "none"),
			"wchan", t->wchan_err ? json_null() : json_string(t->wchan)));
	}
	return a;
}

static json_t *waiting_json(const struct inspection *ins, json_t *un)
{
	const struct proc_detail *d = &ins->d;
	json_t *o = json_object();

	json_object_set_new(o, "syscall", jpart(ins, un, "syscall", d->syscall_err,
						syscall_json(ins)));
	json_object_set_new(o, "wchan", jpart(ins, un, "wchan", d->wchan_err,
					      json_string(d->wchan)));
	json_object_set_new(o, "threads_total", jint(!d->tasks_err, (long long)d->ntasks_all));
	json_object_set_new(o, "threads", threads_json(ins));
	return o;
}

static json_t *sigset_json(unsigned long long mask)
{
	json_t *a = json_array();
	int sigs[64];
	size_t n = sigset_list(mask, sigs, 64);
	char name[32];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(signal_name(sigs[i], name, sizeof(name))));
	return a;
}

static json_t *signals_json(const struct inspection *ins, json_t *un)
{
	static const struct {
		const char *key;
		enum sd_field f;
	} sets[] = {
		{"blocked", SD_SIG_BLK}, {"ignored", SD_SIG_IGN}, {"caught", SD_SIG_CGT},
		{"pending", SD_SHD_PND}, {"pending_thread", SD_SIG_PND},
	};
	const struct proc_detail *d = &ins->d;
	enum sigchld_disp disp = sigchld_disposition(ins->p);
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(sets); i++)
		json_object_set_new(o, sets[i].key, jpart(ins, un, "signals",
			d->status_err ? d->status_err : SD_HAS(d, sets[i].f) ? 0 : ENOENT,
			sigset_json(d->st.v[sets[i].f])));
	json_object_set_new(o, "sigchld", disp == SIGCHLD_UNKNOWN ? json_null() :
			    json_string(sigchld_disp_name(disp)));
	json_object_set_new(o, "sigchld_means", jstr(inspect_sigchld_words(disp)));
	return o;
}

static json_t *ids_json(const unsigned ids[ID_KINDS], bool is_uid)
{
	static const char *const kinds[ID_KINDS] = {"real", "effective", "saved",
						    "filesystem"};
	json_t *o = json_object();
	char name[256];

	for (int i = 0; i < ID_KINDS; i++)
		json_object_set_new(o, kinds[i], json_pack("{s:I, s:o}", "id",
			(json_int_t)ids[i], "name", jstr(is_uid ? uid_name((uid_t)ids[i]) :
				inspect_gid_name((gid_t)ids[i], name, sizeof(name)))));
	return o;
}

static json_t *caps_json(const struct proc_detail *d)
{
	static const struct {
		const char *key;
		enum sd_field f;
	} sets[] = {
		{"effective", SD_CAP_EFF}, {"permitted", SD_CAP_PRM},
		{"inheritable", SD_CAP_INH}, {"ambient", SD_CAP_AMB},
		{"bounding", SD_CAP_BND},
	};
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
		unsigned long long v = d->st.v[sets[i].f];
		json_t *names = json_array();

		for (int bit = 0; bit < 64; bit++) {
			char other[16];

			if (!(v & (1ull << bit)))
				continue;
			snprintf(other, sizeof(other), "cap_%d", bit);
			json_array_append_new(names, json_string(cap_name(bit) ? cap_name(bit) : other));
		}
		json_object_set_new(o, sets[i].key, SD_HAS(d, sets[i].f) ? names :
				    (json_decref(names), json_null()));
	}
	return o;
}

static json_t *namespaces_json(const struct inspection *ins, json_t *un)
{
	const struct proc_detail *d = &ins->d;
	json_t *o = json_object(), *inodes = json_object(), *differ = json_array();
	bool readable = !d->ns_err && inspect_ns_readable(d);
	bool comparable = readable && !ins->ref_ns_err;

	for (int i = 0; i < NS_KINDS; i++) {
		json_object_set_new(inodes, proc_ns_names[i],
				    jint(readable && d->ns[i], (long long)d->ns[i]));
		if (comparable && d->ns[i] && d->ns[i] != ins->ref_ns[i])
			json_array_append_new(differ, json_string(proc_ns_names[i]));
	}
	json_object_set_new(o, "inodes", jpart(ins, un, "namespaces", d->ns_err, inodes));
	json_object_set_new(o, "compared_with", !comparable ? json_null() :
			    json_string(ins->ref_is_init ? "init" : "pmon"));
	json_object_set_new(o, "differ", comparable ? differ :
			    (json_decref(differ), json_null()));
	return o;
}

static json_t *credentials_json(const struct inspection *ins, json_t *un)
{
	const struct proc_detail *d = &ins->d;
	json_t *o = json_object(), *groups = json_array();
	unsigned uids[ID_KINDS], gids[ID_KINDS];
	struct buf b = {0};
	char name[256];
	bool ok = !d->status_err;

	for (int i = 0; i < ID_KINDS; i++) {
		uids[i] = d->st.uid[i];
		gids[i] = d->st.gid[i];
	}
	json_object_set_new(o, "uid", ok && d->st.have_uid ? ids_json(uids, true) : json_null());
	json_object_set_new(o, "gid", ok && d->st.have_gid ? ids_json(gids, false) : json_null());
	for (size_t i = 0; i < d->st.ngroups; i++)
		json_array_append_new(groups, json_pack("{s:I, s:o}", "id",
			(json_int_t)d->st.groups[i], "name",
			jstr(inspect_gid_name(d->st.groups[i], name, sizeof(name)))));
	json_object_set_new(o, "groups", ok && d->st.have_groups ? groups :
			    (json_decref(groups), json_null()));
	json_object_set_new(o, "capabilities", caps_json(d));
	json_object_set_new(o, "no_new_privs", SD_HAS(d, SD_NO_NEW_PRIVS) ?
			    json_boolean(d->st.v[SD_NO_NEW_PRIVS]) : json_null());
	json_object_set_new(o, "seccomp", SD_HAS(d, SD_SECCOMP) ?
			    jstr(d->st.v[SD_SECCOMP] == 2 ? "filter" :
				 d->st.v[SD_SECCOMP] == 1 ? "strict" : "off") : json_null());
	json_object_set_new(o, "seccomp_filters", jint(SD_HAS(d, SD_SECCOMP_FILTERS),
			    (long long)d->st.v[SD_SECCOMP_FILTERS]));
	json_object_set_new(o, "namespaces", namespaces_json(ins, un));
	json_object_set_new(o, "cgroup", jpart(ins, un, "cgroup", d->cgroup_err,
					       jstr(d->cgroup.data)));
	json_object_set_new(o, "container", !d->cgroup_err &&
			    cgroup_container(d->cgroup.data, &b) ? jstr(b.data) : json_null());
	buf_free(&b);
	return o;
}

static json_t *limits_json(const struct proc_detail *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->nlimits; i++) {
		const struct limit_row *l = &d->limits[i];

		/* "unlimited" is a value of its own, not an unknown (null). */
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s}", "name", l->name,
			"soft", l->soft == LIMIT_UNLIMITED ? json_string("unlimited") :
				json_integer(l->soft),
			"hard", l->hard == LIMIT_UNLIMITED ? json_string("unlimited") :
				json_integer(l->hard),
			"unit", l->unit));
	}
	return a;
}

static json_t *io_json(const struct proc_detail *d)
{
	json_t *o = json_object();

	for (int i = 0; i < IO_FIELDS; i++)
		json_object_set_new(o, io_field_names[i], jint(d->io.have & (1u << i),
				    (long long)d->io.v[i]));
	return o;
}

static json_t *memory_json(const struct proc_detail *d)
{
	static const struct {
		const char *key;
		enum sd_field f;
	} mem[] = {
		{"rss_kb", SD_VM_RSS}, {"vm_size_kb", SD_VM_SIZE}, {"swap_kb", SD_VM_SWAP},
		{"vm_peak_kb", SD_VM_PEAK}, {"rss_peak_kb", SD_VM_HWM}, {"locked_kb", SD_VM_LCK},
	};
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_LEN(mem); i++)
		json_object_set_new(o, mem[i].key, jint(SD_HAS(d, mem[i].f),
				    (long long)d->st.v[mem[i].f]));
	return o;
}

/* The targets of descriptors 0-2: a string, "closed" (not open), or
 * null when it may not be read. */
static json_t *std_json(const struct inspection *ins, json_t *un)
{
	json_t *a = json_array();
	int err = 0;

	for (int fd = 0; fd < 3; fd++) {
		int e = ins->std_err[fd];

		json_array_append_new(a, !e ? jstr(ins->std[fd].data) :
				      e == ENOENT ? json_string("closed") : json_null());
		if (e && e != ENOENT)
			err = e;
	}
	if (err)
		json_object_set_new(un, "std_fds", json_string(inspect_unreadable(ins, err)));
	return a;
}

static json_t *resources_json(const struct inspection *ins, json_t *un)
{
	const struct proc *p = ins->p;
	const struct proc_detail *d = &ins->d;
	const struct limit_row *nofile = limit_find(d->limits, d->nlimits, "Max open files");
	double hz = (double)ins->clock.hz, over, pct = inspect_cpu_recent_pct(ins, &over);
	json_t *o = json_object();

	json_object_set_new(o, "cpu_time_s", json_real((double)p->cpu_ticks / hz));
	json_object_set_new(o, "utime_s", d->stat_err ? json_null() : json_real((double)d->utime / hz));
	json_object_set_new(o, "stime_s", d->stat_err ? json_null() : json_real((double)d->stime / hz));
	json_object_set_new(o, "cpu_recent_pct", pct >= 0 ? json_real(pct) : json_null());
	json_object_set_new(o, "cpu_sample_s", pct >= 0 ? json_real(over) : json_null());
	json_object_set_new(o, "cpu_lifetime_pct", json_real(inspect_cpu_life_pct(ins)));
	json_object_set_new(o, "memory", memory_json(d));
	json_object_set_new(o, "threads", json_integer(p->threads));
	json_object_set_new(o, "fds", jpart(ins, un, "fds", d->fds_err,
					    json_integer((json_int_t)d->nfds)));
	json_object_set_new(o, "fd_limit", !nofile ? json_null() :
			    nofile->soft == LIMIT_UNLIMITED ? json_string("unlimited") :
			    json_integer(nofile->soft));
	json_object_set_new(o, "std_fds", std_json(ins, un));
	json_object_set_new(o, "limits", jpart(ins, un, "limits", d->limits_err,
					       limits_json(d)));
	json_object_set_new(o, "io", jpart(ins, un, "io", d->io_err, io_json(d)));
	json_object_set_new(o, "oom_score", jpart(ins, un, "oom_score", d->oom_err,
						  json_integer(d->oom_score)));
	json_object_set_new(o, "oom_score_adj", d->oom_err ? json_null() :
			    json_integer(d->oom_adj));
	json_object_set_new(o, "policy", d->stat_err ? json_null() : jstr(sched_policy_name(d->policy)));
	json_object_set_new(o, "nice", json_integer(p->nice));
	json_object_set_new(o, "priority", json_integer(p->priority));
	json_object_set_new(o, "ctxt_switches_voluntary", jint(SD_HAS(d, SD_CTXT_VOL),
			    (long long)d->st.v[SD_CTXT_VOL]));
	json_object_set_new(o, "ctxt_switches_involuntary", jint(SD_HAS(d, SD_CTXT_INVOL),
			    (long long)d->st.v[SD_CTXT_INVOL]));
	return o;
}

static json_t *actions_json(const struct inspection *ins)
{
	json_t *o = json_object(), *reap = json_object();
	struct buf advice = {0}, methods = {0};
	bool nudge, inject, any = ins->nzombies || proc_is_zombie(ins->p);
	const char *refusal;
	char why[256];

	json_object_set_new(o, "kill", jbuf_text(inspect_kill_text, ins));
	/* Refused by pmon (without --force) or by the kernel, as the text. */
	json_object_set_new(o, "kill_refused",
			    json_boolean(ins->p->pid == 1 || ins->my_ancestor ||
					 !ins->may_signal));
	json_object_set_new(o, "children_go_to",
		!ins->nkids || !inspect_children_adopted(ins) ? json_null() :
		json_pack("{s:i, s:s, s:s, s:b}",
		"pid", (int)ins->reaper.pid, "comm", ins->reaper.comm,
		"kind", inspect_adopter_kind(ins->reaper.kind), "proven", ins->reaper.proven));
	if (any)
		inspect_reap_texts(ins, &advice, &methods, &nudge, &inject, &refusal,
				   why, sizeof(why));
	json_object_set_new(reap, "zombies", json_integer((json_int_t)ins->nzombies));
	json_object_set_new(reap, "advice", any ? jstr(advice.data) : json_null());
	json_object_set_new(reap, "nudge", any ? json_boolean(nudge) : json_null());
	json_object_set_new(reap, "inject", any ? json_boolean(inject) : json_null());
	json_object_set_new(reap, "inject_refused", any && refusal ? jstr(refusal) : json_null());
	json_object_set_new(o, "reap", reap);
	buf_free(&advice);
	buf_free(&methods);
	return o;
}

json_t *inspect_json(const struct inspection *ins)
{
	json_t *o = json_object(), *un = json_object();

	if (!o || !un)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	json_object_set_new(o, "pid", json_integer(ins->pid));
	if (ins->err) {
		json_decref(un);
		json_object_set_new(o, "error", json_string(ins->thread_of ?
				    "a thread, not a process" : "no such process"));
		json_object_set_new(o, "thread_of", jint(ins->thread_of, ins->thread_of));
		return o;
	}
	json_object_set_new(o, "identity", identity_json(ins, un));
	json_object_set_new(o, "state", state_json(ins));
	json_object_set_new(o, "family", family_json(ins, un));
	json_object_set_new(o, "waiting", waiting_json(ins, un));
	json_object_set_new(o, "signals", signals_json(ins, un));
	json_object_set_new(o, "credentials", credentials_json(ins, un));
	json_object_set_new(o, "resources", resources_json(ins, un));
	json_object_set_new(o, "pmon", actions_json(ins));
	json_object_set_new(o, "unreadable", un);
	return o;
}
