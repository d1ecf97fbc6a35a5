/*
 * cgroup.c - cgroup paths and the containers they name (see cgroup.h).
 *
 * What each runtime writes (the systemd cgroup driver puts a container in
 * a scope, the cgroupfs driver in a directory named by its id):
 *   docker      .../docker-<64 hex>.scope          /docker/<64 hex>
 *   podman      .../libpod-<64 hex>.scope          /libpod_parent/libpod-<id>
 *               (its monitor: libpod-conmon-<id>.scope)
 *   containerd  .../cri-containerd-<64 hex>.scope  /kubepods/.../<64 hex>
 *   CRI-O       .../crio-<64 hex>.scope            (crio-conmon-<id>.scope)
 *   LXC         /lxc/<name>  /lxc.payload.<name>
 *   nspawn      /machine.slice/machine-<name>.scope
 *   systemd     .../<unit>.service  .../<unit>.scope
 * The deepest component that names something wins: a unit inside a
 * container (podman --systemd) is the container's.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proc/cgroup.h"

#define SHORT_ID 12 /* as docker ps shows an id */

static bool hex_id(const char *s, size_t len)
{
	if (len < SHORT_ID)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* "PREFIX<hex>.scope" -> the hex part; NULL when c is not that. */
static const char *scoped_id(const char *c, size_t len, const char *prefix,
			     size_t *id_len)
{
	size_t p = strlen(prefix);

	if (len <= p || strncmp(c, prefix, p) != 0 || !ends_with(c, len, ".scope"))
		return NULL;
	*id_len = len - p - strlen(".scope");
	return hex_id(c + p, *id_len) ? c + p : NULL;
}

/* What one path component names; true when it names something. */
static bool component(const char *c, size_t len, const char *parent,
		      size_t parent_len, char *out, size_t size)
{
	static const struct { const char *prefix, *runtime; } scopes[] = {
		{"docker-", "docker"}, {"libpod-conmon-", "podman-conmon"},
		{"libpod-", "podman"}, {"cri-containerd-", "containerd"},
		{"crio-conmon-", "crio-conmon"}, {"crio-", "crio"},
	};
	size_t id_len;
	const char *id;

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if ((id = scoped_id(c, len, scopes[i].prefix, &id_len))) {
			snprintf(out, size, "%s:%.*s", scopes[i].runtime, SHORT_ID, id);
			return true;
		}
	/* cgroupfs drivers: a bare id under the runtime's directory */
	if (hex_id(c, len) && len >= 32) {
		const char *rt = parent_len == 6 && strncmp(parent, "docker", 6) == 0 ? "docker" :
			parent_len >= 3 && strncmp(parent, "pod", 3) == 0 ? "k8s" :
			parent_len >= 7 && strncmp(parent, "libpod-", 7) == 0 ? "podman" : "container";
		snprintf(out, size, "%s:%.*s", rt, SHORT_ID, c);
		return true;
	}
	if (parent_len == 3 && strncmp(parent, "lxc", 3) == 0) {
		snprintf(out, size, "lxc:%.*s", (int)len, c);
		return true;
	}
	if (len > 12 && strncmp(c, "lxc.payload.", 12) == 0) {
		snprintf(out, size, "lxc:%.*s", (int)(len - 12), c + 12);
		return true;
	}
	if (len > 14 && strncmp(c, "machine-", 8) == 0 && ends_with(c, len, ".scope")) {
		snprintf(out, size, "machine:%.*s", (int)(len - 14), c + 8);
		return true;
	}
	if (ends_with(c, len, ".service") || ends_with(c, len, ".scope")) {
		snprintf(out, size, "%.*s", (int)len, c);
		return true;
	}
	return false;
}

void cgroup_container_of(const char *path, char *out, size_t size)
{
	const char *comp[64];
	size_t lens[64], n = 0;

	out[0] = '\0';
	for (const char *s = path; *s && n < 64;) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		e = e ? e : s + strlen(s);
		comp[n] = s;
		lens[n++] = (size_t)(e - s);
		s = e;
	}
	/* The containers first, deepest first: a unit inside a container
	 * is the container's; then the deepest unit. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = n; i-- > 0;) {
			char what[96];
			bool unit;

			if (!component(comp[i], lens[i], i ? comp[i - 1] : "",
				       i ? lens[i - 1] : 0, what, sizeof(what)))
				continue;
			unit = !strchr(what, ':');
			if (unit == (pass == 1)) {
				snprintf(out, size, "%s", what);
				return;
			}
		}
}

void cgroup_parse(const char *text, struct cgroup_info *out)
{
	const char *v1 = NULL, *systemd = NULL, *v2 = NULL;
	size_t v1_len = 0, systemd_len = 0, v2_len = 0;

	memset(out, 0, sizeof(*out));
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *eol = strchr(s, '\n'), *path;
		size_t len;

		eol = eol ? eol : s + strlen(s);
		if (!c2 || c2 > eol)
			continue;
		path = c2 + 1;
		len = (size_t)(eol - path);
		if (c1 - s == 1 && s[0] == '0' && c2 == c1 + 1) {
			v2 = path, v2_len = len;
		} else if (len > 1 || (len == 1 && *path != '/')) {
			if (strncmp(c1 + 1, "name=systemd:", 13) == 0 && !systemd)
				systemd = path, systemd_len = len;
			else if (!v1)
				v1 = path, v1_len = len;
		}
	}
	/* A hybrid machine's v2 line is often just "/" while the v1
	 * controllers hold the real place. */
	if (v2 && !(v2_len == 1 && *v2 == '/'))
		snprintf(out->path, sizeof(out->path), "%.*s", (int)v2_len, v2);
	else if (systemd)
		snprintf(out->path, sizeof(out->path), "%.*s", (int)systemd_len, systemd);
	else if (v1)
		snprintf(out->path, sizeof(out->path), "%.*s", (int)v1_len, v1);
	else if (v2)
		snprintf(out->path, sizeof(out->path), "%.*s", (int)v2_len, v2);
	cgroup_container_of(out->path, out->container, sizeof(out->container));
}
