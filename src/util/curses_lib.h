/*
 * curses_lib.h - ncurses for pmon's two full screens (top's interactive
 * view and chat's), loaded when one of them opens instead of linked.
 *
 * Linked, libncursesw and the libtinfo it needs were mapped and relocated
 * at every start of every command, though only those two screens use
 * them: 0.45 ms of CPU and 20 page faults per start on this project's
 * machines (an empty program linked with and without them, 5 x 200 runs;
 * 2.3 ms without), which is a tenth of what `pmon inspect` costs in all.
 * So, as util/dynload.h does for libproc2, every curses call goes through
 * a table filled by dlopen: include this header instead of <curses.h>,
 * call curses_load() before the first curses call, and write the calls
 * as usual.  Each name below is a macro for its slot in the table, typed
 * from ncurses' own prototypes (__typeof__), so a call is checked as a
 * direct one would be; a curses function missing from the table is an
 * undefined symbol at link time, since nothing links ncurses.
 *
 * <term.h>, whose capability macros (lines, columns, ...) would clash
 * with ordinary names, is not included here: a file that wants it
 * includes it before this header.
 */
#ifndef PMON_UTIL_CURSES_LIB_H
#define PMON_UTIL_CURSES_LIB_H

#include <ncursesw/curses.h>
#include <stdbool.h>

struct term; /* TERMINAL, of <term.h> */

struct curses_calls {
	/* libncursesw */
	__typeof__(clearok) *clearok;
	__typeof__(endwin) *endwin;
	__typeof__(getmouse) *getmouse;
	__typeof__(has_colors) *has_colors;
	__typeof__(init_pair) *init_pair;
	__typeof__(mouseinterval) *mouseinterval;
	__typeof__(mousemask) *mousemask;
	__typeof__(newterm) *newterm;
	__typeof__(noecho) *noecho;
	__typeof__(nonl) *nonl;
	__typeof__(set_escdelay) *set_escdelay;
	__typeof__(start_color) *start_color;
	__typeof__(use_default_colors) *use_default_colors;
	__typeof__(waddch) *waddch;
	__typeof__(waddnstr) *waddnstr;
	__typeof__(waddnwstr) *waddnwstr;
	__typeof__(wattr_off) *wattr_off;
	__typeof__(wattr_on) *wattr_on;
	__typeof__(wchgat) *wchgat;
	__typeof__(wclear) *wclear;
	__typeof__(wclrtoeol) *wclrtoeol;
	__typeof__(werase) *werase;
	__typeof__(wget_wch) *wget_wch;
	__typeof__(wgetch) *wgetch;
	__typeof__(whline) *whline;
	__typeof__(wmove) *wmove;
	__typeof__(wrefresh) *wrefresh;
	/* libtinfo, reached through libncursesw */
	__typeof__(cbreak) *cbreak;
	__typeof__(curs_set) *curs_set;
	__typeof__(def_prog_mode) *def_prog_mode;
	__typeof__(keypad) *keypad;
	__typeof__(nodelay) *nodelay;
	__typeof__(reset_prog_mode) *reset_prog_mode;
	__typeof__(wtimeout) *wtimeout;
	int (*del_curterm)(struct term *);
	int (*setupterm)(const char *, int, int *);
	char *(*tigetstr)(const char *);
	/* its variables, by address */
	__typeof__(stdscr) *stdscr;
	__typeof__(curscr) *curscr;
	__typeof__(LINES) *LINES;
	__typeof__(COLS) *COLS;
	struct term **cur_term;
};

/* The table, filled by curses_load. */
extern struct curses_calls curses_calls;

/* Loads ncurses once: true, or false with the reason in *why (which
 * names the library).  Later calls answer from the first. */
bool curses_load(const char **why);

/* curses_lib.c defines this to see the real names. */
#ifndef PMON_CURSES_LIB_IMPL
#define clearok            (curses_calls.clearok)
#define endwin             (curses_calls.endwin)
#define getmouse           (curses_calls.getmouse)
#define has_colors         (curses_calls.has_colors)
#define init_pair          (curses_calls.init_pair)
#define mouseinterval      (curses_calls.mouseinterval)
#define mousemask          (curses_calls.mousemask)
#define newterm            (curses_calls.newterm)
#define noecho             (curses_calls.noecho)
#define nonl               (curses_calls.nonl)
#define set_escdelay       (curses_calls.set_escdelay)
#define start_color        (curses_calls.start_color)
#define use_default_colors (curses_calls.use_default_colors)
#define waddch             (curses_calls.waddch)
#define waddnstr           (curses_calls.waddnstr)
#define waddnwstr          (curses_calls.waddnwstr)
#define wattr_off          (curses_calls.wattr_off)
#define wattr_on           (curses_calls.wattr_on)
#define wchgat             (curses_calls.wchgat)
#define wclear             (curses_calls.wclear)
#define wclrtoeol          (curses_calls.wclrtoeol)
#define werase             (curses_calls.werase)
#define wget_wch           (curses_calls.wget_wch)
#define wgetch             (curses_calls.wgetch)
#define whline             (curses_calls.whline)
#define wmove              (curses_calls.wmove)
#define wrefresh           (curses_calls.wrefresh)
#define cbreak             (curses_calls.cbreak)
#define curs_set           (curses_calls.curs_set)
#define def_prog_mode      (curses_calls.def_prog_mode)
#define keypad             (curses_calls.keypad)
#define nodelay            (curses_calls.nodelay)
#define reset_prog_mode    (curses_calls.reset_prog_mode)
#define wtimeout           (curses_calls.wtimeout)
#define del_curterm        (curses_calls.del_curterm)
#define setupterm          (curses_calls.setupterm)
#define tigetstr           (curses_calls.tigetstr)
#define stdscr             (*curses_calls.stdscr)
#define curscr             (*curses_calls.curscr)
#define LINES              (*curses_calls.LINES)
#define COLS               (*curses_calls.COLS)
#undef cur_term
#define cur_term           (*curses_calls.cur_term)
#endif

#endif
