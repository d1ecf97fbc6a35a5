/*
 * cmd_bpf.c - `pmon bpf install|remove|status`: the pinned BPF programs
 * (the task iterator, and the walk on 6.7+) that let every pmon command
 * run by root read the process table in one pass without paying for
 * loading them (see proc/backend.h for why a pin, and who may read it).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "proc/backend.h"

static int bpf_exec(int argc, char **argv)
{
	struct buf msg = {0};
	const char *what;
	int rc;

	while (cmd_getopt(argc, argv) != -1)
		;
	if (optind + 1 != argc)
		usage_error("takes one of install, remove or status");
	what = argv[optind];
	if (strcmp(what, "install") == 0)
		rc = proc_bpf_install(&msg);
	else if (strcmp(what, "remove") == 0)
		rc = proc_bpf_remove(&msg);
	else if (strcmp(what, "status") == 0)
		rc = proc_bpf_status(&msg);
	else
		usage_error("unknown action '%s' (install, remove or status)", what);
	if (strcmp(what, "status") == 0) {
		fputs(msg.data, stdout);
		buf_free(&msg);
		return finish_stdout(rc == 0 ? EXIT_OK : EXIT_FAIL);
	}
	if (rc < 0)
		pmon_die(EXIT_FAIL, "%s", msg.data);
	printf("%s\n", msg.data);
	buf_free(&msg);
	return finish_stdout(EXIT_OK);
}

const struct cmd_entry cmd_bpf_entry = {
	.name = "bpf",
	.summary = "Install, remove or check the pinned BPF task iterator and walk",
	.usage = "install | remove | status",
	.operand = ARG_WORD,
	.operand_words = "install remove status",
	.operands_help =
	"  install   load pmon's BPF task iterator and pin it at\n"
	"            /sys/fs/bpf/pmon/tasks (mode 0600, root's), so that every\n"
	"            pmon run with CAP_BPF and CAP_PERFMON (or root) reads the\n"
	"            process table in one pass instead of through /proc;\n"
	"            on Linux 6.7+ the walk too (pins walk and walk_ring\n"
	"            beside it), which gives the same pass for less;\n"
	"            replaces a pin of another pmon version\n"
	"  remove    remove the pins (and their directory)\n"
	"  status    what this pmon and this machine allow, and the pin's state;\n"
	"            exit 0 when the pin is there and current, 1 otherwise\n",
	.notes =
	"The pin stays until removed or the machine restarts; bpffs must be\n"
	"mounted at /sys/fs/bpf (systemd does that).  Without a pin, pmon top\n"
	"loads the iterator itself and other commands read /proc.  PMON_BACKEND\n"
	"or pmon --backend proc|bpf|auto CMD chooses for one run;\n"
	"PMON_BPF_PASS=iterator passes over the walk.\n",
	.exec = bpf_exec,
};
