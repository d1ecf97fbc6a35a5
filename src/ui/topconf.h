/*
 * topconf.h - top's settings file: $XDG_CONFIG_HOME/pmon/top.conf (else
 * ~/.config/pmon/top.conf), an INI file read at start (libinih parses
 * it) and written when the user presses W, as procps top writes its
 * toprc.  What it holds: columns, sort, delay, tree, folding, threads,
 * command lines, meters, the CPU layout and the theme.
 *
 * Reading never stops top: a bad or unknown setting gives one warning
 * line (the first problem, and how many more) and keeps its default.
 * Writing is atomic (a temporary file in the same directory, renamed
 * over), mode 0600, and refuses a directory or file that is a symlink
 * someone else planted, or that belongs to someone else.
 */
#ifndef PMON_TOPCONF_H
#define PMON_TOPCONF_H

#include <stddef.h>

#include "ui/topmodel.h"

/* The path of the file into out; 0, or -1 when neither XDG_CONFIG_HOME
 * nor HOME is set. */
int top_conf_path(char *out, size_t size);

/* Read the file, if there is one, into o (which holds the defaults).
 * warning gets one line when something in it was not understood (""
 * otherwise): the first problem, naming the entry and what is wrong
 * with it, and how many more.  It holds the file's text raw (a file
 * another account wrote says what it likes): escape it to show it. */
void top_conf_load(struct top_opts *o, char *warning, size_t size);

/* Write o's settings.  0, or -1 with the reason in err. */
int top_conf_save(const struct top_opts *o, char *err, size_t size);

/* name into *value by its index in names[0..n); 0, or -1 when unknown. */
int top_conf_enum(const char *name, const char *const *names, int n, int *value);

#endif
