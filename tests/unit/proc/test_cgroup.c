/*
 * test_cgroup.c - the cgroup parser and the container names it derives,
 * on /proc/PID/cgroup text as each runtime writes it, v1, v2 and hybrid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proc/cgroup.h"

static void expect(const char *text, const char *path, const char *container)
{
	struct cgroup_info ci;

	cgroup_parse(text, &ci);
	assert_string_equal(ci.path, path);
	assert_string_equal(ci.container, container);
}

#define ID64 "3f2a9c1b0e4d5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"

static void test_docker(void **state)
{
	(void)state;
	/* v2, systemd cgroup driver */
	expect("0::/system.slice/docker-" ID64 ".scope\n",
	       "/system.slice/docker-" ID64 ".scope", "docker:3f2a9c1b0e4d");
	/* v1, cgroupfs driver */
	expect("12:pids:/docker/" ID64 "\n11:memory:/docker/" ID64 "\n"
	       "1:name=systemd:/docker/" ID64 "\n0::/\n",
	       "/docker/" ID64, "docker:3f2a9c1b0e4d");
}

static void test_podman(void **state)
{
	(void)state;
	expect("0::/machine.slice/libpod-" ID64 ".scope/container\n",
	       "/machine.slice/libpod-" ID64 ".scope/container", "podman:3f2a9c1b0e4d");
	expect("0::/machine.slice/libpod-conmon-" ID64 ".scope\n",
	       "/machine.slice/libpod-conmon-" ID64 ".scope", "podman-conmon:3f2a9c1b0e4d");
	/* rootless, under the user's manager, with systemd inside */
	expect("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
	       ".scope/init.scope\n",
	       "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
	       ".scope/init.scope", "podman:3f2a9c1b0e4d");
}

static void test_containerd_and_kubernetes(void **state)
{
	(void)state;
	expect("0::/kubepods.slice/kubepods-besteffort.slice/"
	       "kubepods-besteffort-pod1f2e3d4c_5b6a_7980_a1b2_c3d4e5f6a7b8.slice/"
	       "cri-containerd-" ID64 ".scope\n",
	       "/kubepods.slice/kubepods-besteffort.slice/"
	       "kubepods-besteffort-pod1f2e3d4c_5b6a_7980_a1b2_c3d4e5f6a7b8.slice/"
	       "cri-containerd-" ID64 ".scope", "containerd:3f2a9c1b0e4d");
	/* v1 with the cgroupfs driver: a pod directory, then the id */
	expect("4:memory:/kubepods/burstable/pod1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8/" ID64 "\n",
	       "/kubepods/burstable/pod1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8/" ID64,
	       "k8s:3f2a9c1b0e4d");
	expect("0::/kubepods.slice/kubepods-pod12.slice/crio-" ID64 ".scope\n",
	       "/kubepods.slice/kubepods-pod12.slice/crio-" ID64 ".scope", "crio:3f2a9c1b0e4d");
}

static void test_lxc_and_machines(void **state)
{
	(void)state;
	expect("0::/lxc.payload.web1/system.slice/nginx.service\n",
	       "/lxc.payload.web1/system.slice/nginx.service", "lxc:web1");
	expect("5:cpu,cpuacct:/lxc/db2\n1:name=systemd:/lxc/db2\n",
	       "/lxc/db2", "lxc:db2");
	expect("0::/machine.slice/machine-fedora\\x2d39.scope/payload\n",
	       "/machine.slice/machine-fedora\\x2d39.scope/payload", "machine:fedora\\x2d39");
}

static void test_systemd_units(void **state)
{
	(void)state;
	expect("0::/system.slice/nginx.service\n", "/system.slice/nginx.service",
	       "nginx.service");
	expect("0::/user.slice/user-1000.slice/session-3.scope\n",
	       "/user.slice/user-1000.slice/session-3.scope", "session-3.scope");
	expect("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
	       "app-gnome-firefox-1234.scope\n",
	       "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	       "app-gnome-firefox-1234.scope", "app-gnome-firefox-1234.scope");
	/* hybrid: v2 at the root, systemd's v1 hierarchy says where */
	expect("12:memory:/system.slice/ssh.service\n1:name=systemd:/system.slice/ssh.service\n0::/\n",
	       "/system.slice/ssh.service", "ssh.service");
}

static void test_nothing_named(void **state)
{
	(void)state;
	expect("0::/\n", "/", "");
	expect("0::/init.scope\n", "/init.scope", "init.scope");
	expect("", "", "");
	expect("garbage without colons\n", "", "");
	/* a v1 machine where only one controller is placed (as here) */
	expect("9:name=systemd:/\n4:memory:/process_api/9843c4cbe3201ff6ac5da76ccd1b9b26\n0::/\n",
	       "/process_api/9843c4cbe3201ff6ac5da76ccd1b9b26", "container:9843c4cbe320");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_containerd_and_kubernetes),
		cmocka_unit_test(test_lxc_and_machines),
		cmocka_unit_test(test_systemd_units),
		cmocka_unit_test(test_nothing_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
