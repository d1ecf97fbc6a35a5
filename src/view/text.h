/*
 * text.h - how much room text takes on a terminal: columns counted by
 * wcwidth (a wide character takes two, a combining mark none), so that
 * cutting a name or a line never splits a character or misplaces the
 * columns after it.  Pure: for the tables, top's screen and the fuzzer.
 */
#ifndef PMON_TEXT_H
#define PMON_TEXT_H

#include <stddef.h>

/* The columns the text s[0..len) takes, and the bytes of it that fit in
 * limit columns. */
size_t text_cut(const char *s, size_t len, size_t limit, size_t *cols);

#endif
