/*
 * curses_lib.c - loading ncurses when a full screen opens (curses_lib.h
 * says why).
 */
#include <term.h>

#define PMON_CURSES_LIB_IMPL
#include "util/curses_lib.h"
#include "util/dynload.h"

/* The four written by hand in curses_lib.h must match <term.h>. */
_Static_assert(__builtin_types_compatible_p(__typeof__(&del_curterm),
					    __typeof__(curses_calls.del_curterm)) &&
	       __builtin_types_compatible_p(__typeof__(&setupterm),
					    __typeof__(curses_calls.setupterm)) &&
	       __builtin_types_compatible_p(__typeof__(&tigetstr),
					    __typeof__(curses_calls.tigetstr)) &&
	       __builtin_types_compatible_p(__typeof__(&cur_term),
					    __typeof__(curses_calls.cur_term)),
	       "curses_lib.h's terminfo calls differ from <term.h>");

#define CALL(name) DYN_CALL(struct curses_calls, "", name)

static const struct dyn_call calls[] = {
	CALL(clearok), CALL(endwin), CALL(getmouse), CALL(has_colors),
	CALL(init_pair), CALL(mouseinterval), CALL(mousemask), CALL(newterm),
	CALL(noecho), CALL(nonl), CALL(set_escdelay), CALL(start_color),
	CALL(use_default_colors), CALL(waddch), CALL(waddnstr),
	CALL(waddnwstr), CALL(wattr_off), CALL(wattr_on), CALL(wchgat),
	CALL(wclear), CALL(wclrtoeol), CALL(werase), CALL(wget_wch),
	CALL(wgetch), CALL(whline), CALL(wmove), CALL(wrefresh),
	CALL(cbreak), CALL(curs_set), CALL(def_prog_mode), CALL(keypad),
	CALL(nodelay), CALL(reset_prog_mode), CALL(wtimeout),
	CALL(del_curterm), CALL(setupterm), CALL(tigetstr),
	CALL(stdscr), CALL(curscr), CALL(LINES), CALL(COLS), CALL(cur_term),
};

struct curses_calls curses_calls;
static struct dyn_lib lib = DYN_LIB(calls, &curses_calls);

bool curses_load(const char **why)
{
	return dyn_load(&lib, why) != NULL;
}
