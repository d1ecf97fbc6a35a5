/*
 * json_lib.c - loading jansson on the first JSON call (json_lib.h says
 * why).
 */
#define PMON_JSON_LIB_IMPL
#include "util/json_lib.h"
#include "util/dynload.h"
#include "util/util.h"

#define CALL(name) DYN_CALL(struct json_calls, "", name)

static const struct dyn_call calls[] = {
	CALL(json_array), CALL(json_array_append_new), CALL(json_delete),
	CALL(json_dumpf), CALL(json_dumps), CALL(json_false),
	CALL(json_integer), CALL(json_null), CALL(json_number_value),
	CALL(json_object), CALL(json_object_set_new), CALL(json_pack),
	CALL(json_real), CALL(json_string), CALL(json_stringn),
	CALL(json_true),
};

static struct json_calls json_calls;
static struct dyn_lib lib = DYN_LIB(calls, &json_calls);

const struct json_calls *json_lib(void)
{
	const char *why;

	if (lib.state > 0)
		return &json_calls;
	if (!dyn_load(&lib, &why))
		pmon_die(EXIT_FAIL, "JSON needs jansson (Debian: libjansson4): %s", why);
	return &json_calls;
}
