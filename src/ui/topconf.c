/*
 * topconf.c - top's settings file (see topconf.h).
 *
 * Why libinih (Debian's libinih-dev): the format is plain INI, which
 * users can edit, and inih is a small, maintained parser already in
 * Debian that reports the line of every setting; glib's GKeyFile would
 * bring all of glib for the same.  Writing is pmon's own: a handful of
 * "key = value" lines.  Only a top that finds a settings file needs the
 * parser, so it loads libinih then (util/dynload.h) rather than every
 * command mapping it at start (the Makefile's LOADED_PKGS has the cost).
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui/topconf.h"
#include "util/dynload.h"

int top_conf_path(char *out, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	/* The spec says a relative XDG_CONFIG_HOME is to be ignored. */
	if (xdg && xdg[0] == '/')
		snprintf(out, size, "%s/pmon/top.conf", xdg);
	else if (home && *home)
		snprintf(out, size, "%s/.config/pmon/top.conf", home);
	else
		return -1;
	return 0;
}

int top_conf_enum(const char *name, const char *const *names, int n, int *value)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(name, names[i]) == 0) {
			*value = i;
			return 0;
		}
	return -1;
}

/* ---- reading ---------------------------------------------------------------- */

struct load {
	struct top_opts *o;
	char first[256];
	int problems;
	bool columns_begun;  /* a columns line was read: the next ones add */
	char why[128];       /* why the setting just read was refused, when
	                        its parser says ("" when it does not) */
};

/* Keep the first problem: one line is what the user sees.  Raw: the
 * names and values in it are the file's, which whoever shows the
 * warning escapes (topconf.h). */
static void problem(struct load *l, const char *what)
{
	if (!l->problems++)
		snprintf(l->first, sizeof(l->first), "top.conf: %s", what);
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
		 !strcasecmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* columns: the first line sets them, each further one adds to them, as
 * -o given again does.  W writes long lists on several lines: libinih
 * reads lines of at most 200 bytes (INI_MAX_LINE as Debian builds it),
 * and 15 columns once made a line it cut, so W's file was refused. */
static int set_columns(struct load *ld, const char *v)
{
	struct field_list l = ld->columns_begun ? ld->o->cols : (struct field_list){0};

	if (field_list_parse(&l, v, "the columns setting", ld->why,
			     sizeof(ld->why)) < 0 || l.n == 0)
		return -1;
	ld->o->cols = l;
	ld->columns_begun = true;
	return 0;
}

static int set_setting(struct load *ld, const char *key, const char *v)
{
	struct top_opts *o = ld->o;
	bool *flags[] = {&o->tree, &o->fold_all, &o->threads, &o->cmdline};
	static const char *const flag_keys[] = {"tree", "fold_all", "threads", "cmdline"};
	struct field_sort sort;
	double delay;

	for (size_t i = 0; i < ARRAY_LEN(flag_keys); i++)
		if (!strcmp(key, flag_keys[i]))
			return parse_bool(v, flags[i]);
	if (!strcmp(key, "columns"))
		return set_columns(ld, v);
	if (!strcmp(key, "sort")) {
		if (field_sort_parse(&sort, v) < 0)
			return -1;
		o->sort = sort;
		return 0;
	}
	if (!strcmp(key, "delay")) {
		if (top_delay_parse(v, &delay) < 0)
			return -1;
		o->delay = delay;
		return 0;
	}
	if (!strcmp(key, "meters"))
		return top_conf_enum(v, top_meters_names, METERS_MODES, (int *)&o->meters);
	if (!strcmp(key, "cpus"))
		return top_conf_enum(v, top_cpus_names, CPUS_MODES, (int *)&o->cpus);
	if (!strcmp(key, "theme") || !strcmp(key, "colors") || !strcmp(key, "colours"))
		return top_conf_enum(v, top_theme_names, THEME_COUNT, (int *)&o->theme);
	return 1; /* unknown */
}

static int on_setting(void *user, const char *section, const char *key,
		      const char *value)
{
	struct load *l = user;
	char what[200];
	int rc;

	if (strcmp(section, "top") != 0) {
		snprintf(what, sizeof(what), "unknown section [%.40s] (ignored)", section);
		problem(l, what);
		return 1;
	}
	l->why[0] = '\0';
	rc = set_setting(l, key, value);
	if (rc > 0)
		snprintf(what, sizeof(what), "unknown setting '%.40s' (ignored)", key);
	else if (rc < 0 && l->why[0]) /* the parser named the entry and what is wrong */
		snprintf(what, sizeof(what), "%s; that line is ignored", l->why);
	else if (rc < 0)
		snprintf(what, sizeof(what), "bad %s '%.60s' (the default is kept)", key, value);
	if (rc)
		problem(l, what);
	return 1; /* go on: one bad line must not cost the others */
}

/* The file, if it is ours: a regular file owned by us (or by root for
 * root).  NULL and no warning when there is none. */
static FILE *open_ours(const char *path, char *warning, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;

	if (fd < 0 && errno == ELOOP) {
		/* our own symlink (dotfiles) is followed; another's is not */
		struct stat lsb;

		if (lstat(path, &lsb) == 0 && lsb.st_uid == geteuid())
			fd = open(path, O_RDONLY | O_CLOEXEC);
		else
			snprintf(warning, size, "%s is a symlink someone else made: not read", path);
	}
	if (fd < 0) {
		if (errno != ENOENT && !warning[0])
			snprintf(warning, size, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
		snprintf(warning, size, "%s is not a file of ours: not read", path);
		close(fd);
		return NULL;
	}
	return fdopen(fd, "r");
}

/* The one call of libinih top makes, loaded when a file is to be read. */
struct ini_calls {
	__typeof__(ini_parse_file) *ini_parse_file;
};

static struct ini_calls ini_calls;
static const struct dyn_call ini_call[] = {
	DYN_CALL(struct ini_calls, "", ini_parse_file),
};
static struct dyn_lib ini_lib = DYN_LIB(ini_call, &ini_calls);

void top_conf_load(struct top_opts *o, char *warning, size_t size)
{
	const char *why;
	struct load l = {.o = o};
	char path[4096];
	FILE *f;
	int rc;

	warning[0] = '\0';
	if (top_conf_path(path, sizeof(path)) < 0 || !(f = open_ours(path, warning, size)))
		return;
	if (!dyn_load(&ini_lib, &why)) {
		fclose(f);
		snprintf(warning, size, "cannot read %s: the parser is missing"
			 " (Debian: libinih1): %s", path, why);
		return;
	}
	rc = ini_calls.ini_parse_file(f, on_setting, &l);
	fclose(f);
	if (rc < 0) {
		snprintf(warning, size, "cannot read %s", path);
		return;
	}
	if (rc > 0) {
		char what[80];

		snprintf(what, sizeof(what), "line %d is not KEY = VALUE (ignored)", rc);
		problem(&l, what);
	}
	top_opts_sync_name(o);
	if (l.problems > 1)
		snprintf(warning, size, "%s, and %d more problem%s", l.first,
			 l.problems - 1, l.problems == 2 ? "" : "s");
	else if (l.problems)
		snprintf(warning, size, "%s", l.first);
}

/* ---- writing ---------------------------------------------------------------- */

static void format_settings(const struct top_opts *o, struct buf *b)
{
	size_t line = 0;

	buf_puts(b, "# pmon top settings, written by W; see pmon(1)\n[top]");
	/* lines well under libinih's 200 bytes (see set_columns) */
	for (size_t i = 0; i < o->cols.n; i++) {
		const char *key = o->cols.f[i]->key;

		if (i == 0 || line + strlen(key) > 100) {
			buf_puts(b, "\ncolumns = ");
			line = 10;
		} else {
			buf_putc(b, ',');
		}
		buf_puts(b, key);
		line += strlen(key) + 1;
	}
	buf_printf(b, "\nsort = %s%s\n", o->sort.reverse ? "-" : "",
		   o->sort.f ? o->sort.f->key : "cpu_pct");
	buf_printf(b, "delay = %g\n", o->delay);
	buf_printf(b, "tree = %s\nfold_all = %s\nthreads = %s\ncmdline = %s\n",
		   o->tree ? "yes" : "no", o->fold_all ? "yes" : "no",
		   o->threads ? "yes" : "no", o->cmdline ? "yes" : "no");
	buf_printf(b, "meters = %s\ncpus = %s\ntheme = %s\n",
		   top_meters_names[o->meters], top_cpus_names[o->cpus],
		   top_theme_names[o->theme]);
}

/* A directory we may write into: a real directory of ours (or root's,
 * for ~/.config of a root shell), not a symlink. */
static int check_dir(const char *dir, char *err, size_t size)
{
	struct stat sb;

	if (lstat(dir, &sb) < 0) {
		snprintf(err, size, "cannot use %s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode) && sb.st_uid != geteuid()) {
		snprintf(err, size, "%s is a symlink someone else made: not written", dir);
		return -1;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    (sb.st_uid != geteuid() && sb.st_uid != 0)) {
		snprintf(err, size, "%s is not a directory of ours: not written", dir);
		return -1;
	}
	return 0;
}

/* mkdir -p of path's directory (mode 0700 for what is new). */
static int make_dirs(char *path, char *err, size_t size)
{
	char *slash = strrchr(path, '/');

	*slash = '\0';
	for (char *p = path + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST) {
				snprintf(err, size, "cannot make %s: %s", path, strerror(errno));
				*p = c;
				*slash = '/';
				return -1;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	*slash = '/';
	return 0;
}

/* The file to replace: the path itself, or the target of our own
 * symlink; a symlink of someone else's is refused. */
static int target_of(const char *path, char *out, size_t size, char *err,
		     size_t err_size)
{
	struct stat sb;
	char *real;

	if (lstat(path, &sb) < 0 || !S_ISLNK(sb.st_mode)) {
		snprintf(out, size, "%s", path);
		return 0;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, err_size, "%s is a symlink someone else made: not written", path);
		return -1;
	}
	real = realpath(path, NULL);
	if (!real) {
		snprintf(err, err_size, "%s points nowhere: not written", path);
		return -1;
	}
	snprintf(out, size, "%s", real);
	free(real);
	return 0;
}

static int write_file(const char *target, const struct buf *text, char *err,
		      size_t size)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", target);
	fd = mkstemp(tmp); /* 0600, O_EXCL: nobody's file is reused */
	if (fd < 0) {
		snprintf(err, size, "cannot write next to %s: %s", target, strerror(errno));
		return -1;
	}
	if (write(fd, text->data, text->len) != (ssize_t)text->len || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, target) < 0) {
		snprintf(err, size, "cannot write %s: %s", target, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int top_conf_save(const struct top_opts *o, char *err, size_t size)
{
	char path[4096], target[4096], dir[4096];
	struct buf text = {0};
	int rc;

	if (top_conf_path(path, sizeof(path)) < 0) {
		snprintf(err, size, "neither XDG_CONFIG_HOME nor HOME is set");
		return -1;
	}
	if (make_dirs(path, err, size) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (check_dir(dir, err, size) < 0 ||
	    target_of(path, target, sizeof(target), err, size) < 0)
		return -1;
	format_settings(o, &text);
	rc = write_file(target, &text, err, size);
	buf_free(&text);
	return rc;
}
