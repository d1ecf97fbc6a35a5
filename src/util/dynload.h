/*
 * dynload.h - a library loaded when a command first needs it, not linked.
 *
 * Every library linked into pmon is mapped, relocated and initialised at
 * every start, whatever the command.  On this project's machines an empty
 * program costs 2.0 ms of CPU; linked with libmicrohttpd (and the TLS
 * stack it brings) 7.2 ms, with libproc2 (which brings libsystemd) 3.6 ms
 * (perf stat, medians of 150 runs).  The libraries only some commands use
 * are loaded here by those commands, through a table of the calls they
 * make, each typed from the library's own header (__typeof__), so that
 * a call through the table is checked as a direct call would be.
 */
#ifndef PMON_UTIL_DYNLOAD_H
#define PMON_UTIL_DYNLOAD_H

#include <stdbool.h>
#include <stddef.h>

/* One call: the library's symbol and where its pointer goes in the
 * caller's table of calls. */
struct dyn_call {
	const char *symbol;
	size_t offset;
};

#define DYN_CALL(table, prefix, name) {prefix #name, offsetof(table, name)}

/* What one library is: its soname, the calls wanted, and the table they
 * fill. */
struct dyn_lib {
	const char *soname;
	const struct dyn_call *calls;
	size_t ncalls;
	void *table;
	/* filled by dyn_load: */
	int state;          /* 0 not tried, 1 loaded, -1 failed */
	char why[256];      /* why it failed */
};

/* A dyn_lib of the calls[] array and the table they fill, for the
 * library whose soname the Makefile gives the file as PMON_SONAME (read
 * off the library compiled against). */
#define DYN_LIB(calls, table) \
	{PMON_SONAME, calls, sizeof(calls) / sizeof((calls)[0]), table, 0, ""}

/* Loads lib once (later calls answer from the first): its table, or
 * NULL with the reason in *why when it cannot be loaded or lacks a call.
 * Not for threads: every caller (sys.c, tail.c, bpf.c, httpd.c,
 * systemd.c, curses_lib.c) runs on the main thread, before or after the
 * snapshot's scan threads. */
void *dyn_load(struct dyn_lib *lib, const char **why);

#endif
