/*
 * json_lib.h - jansson, loaded by pmon's first JSON call instead of
 * linked.
 *
 * Linked, libjansson was mapped and relocated at every start of every
 * command, though only --json, `pmon metrics` and top's JSON frames use
 * it: 6 page faults and a dozen system calls per start.  With inih (also
 * loaded now, by top's settings file), `pmon --version` cost 3.70 ms of
 * CPU linked and 3.35 ms loaded (medians of 15 interleaved rounds of 100
 * runs, bench/cputime; /bin/true 2.66).  So every
 * jansson call goes through a table that dlopen fills (util/dynload.h):
 * include this header instead of <jansson.h> and write the calls as
 * usual.  Each name below is a macro for its slot, typed from jansson's
 * own prototypes (__typeof__), so a call is checked as a direct one
 * would be; a jansson function missing from the table is an undefined
 * symbol at link time, since nothing links jansson.
 *
 * Unlike curses_lib.h there is no load call to forget: the first call
 * loads the library, and a jansson that cannot be loaded ends pmon with
 * the reason (a JSON output has nothing to fall back on; the package
 * depends on libjansson4).  The option parser makes that first call for
 * --json (cmd.c's cmd_getopt), so a command refuses before it acts.
 */
#ifndef PMON_UTIL_JSON_LIB_H
#define PMON_UTIL_JSON_LIB_H

#include <jansson.h>

struct json_calls {
	__typeof__(json_array) *json_array;
	__typeof__(json_array_append_new) *json_array_append_new;
	__typeof__(json_delete) *json_delete;
	__typeof__(json_dumpf) *json_dumpf;
	__typeof__(json_dumps) *json_dumps;
	__typeof__(json_false) *json_false;
	__typeof__(json_integer) *json_integer;
	__typeof__(json_null) *json_null;
	__typeof__(json_number_value) *json_number_value;
	__typeof__(json_object) *json_object;
	__typeof__(json_object_set_new) *json_object_set_new;
	__typeof__(json_pack) *json_pack;
	__typeof__(json_real) *json_real;
	__typeof__(json_string) *json_string;
	__typeof__(json_stringn) *json_stringn;
	__typeof__(json_true) *json_true;
};

/* The table, loaded by the first call of a run (exits 1, saying why,
 * when libjansson cannot be loaded).  Not for threads: JSON is written on
 * the main thread only. */
const struct json_calls *json_lib(void);

/* json_lib.c defines this to see the real names. */
#ifndef PMON_JSON_LIB_IMPL
#define json_array(...)             (json_lib()->json_array)(__VA_ARGS__)
#define json_array_append_new(...)  (json_lib()->json_array_append_new)(__VA_ARGS__)
#define json_dumpf(...)             (json_lib()->json_dumpf)(__VA_ARGS__)
#define json_dumps(...)             (json_lib()->json_dumps)(__VA_ARGS__)
#define json_false(...)             (json_lib()->json_false)(__VA_ARGS__)
#define json_integer(...)           (json_lib()->json_integer)(__VA_ARGS__)
#define json_null(...)              (json_lib()->json_null)(__VA_ARGS__)
#define json_number_value(...)      (json_lib()->json_number_value)(__VA_ARGS__)
#define json_object(...)            (json_lib()->json_object)(__VA_ARGS__)
#define json_object_set_new(...)    (json_lib()->json_object_set_new)(__VA_ARGS__)
#define json_pack(...)              (json_lib()->json_pack)(__VA_ARGS__)
#define json_real(...)              (json_lib()->json_real)(__VA_ARGS__)
#define json_string(...)            (json_lib()->json_string)(__VA_ARGS__)
#define json_stringn(...)           (json_lib()->json_stringn)(__VA_ARGS__)
#define json_true(...)              (json_lib()->json_true)(__VA_ARGS__)

/* jansson.h's json_decref, an inline that names json_delete itself
 * (which nothing links), with json_delete through the table. */
static inline void json_lib_decref(json_t *json)
{
	if (json && json->refcount != (size_t)-1 && JSON_INTERNAL_DECREF(json) == 0)
		json_lib()->json_delete(json);
}
#define json_decref(json) json_lib_decref(json)
#endif

#endif
