#!/usr/bin/env bats
# The Debian package: its build dependencies agree with `make deps`, its
# version with pmon's, `make install` puts everything in Debian's places
# (every unit of systemd/ and every file of examples/), and
# dpkg-buildpackage builds a package lintian accepts and pmon runs from.

load helpers

# The package names of a Build-Depends field, one per line, sorted:
# versions, architecture lists and alternatives beyond the first dropped.
build_depends() {
	awk '/^Build-Depends:/ {on = 1; sub(/^Build-Depends:/, ""); print; next}
	     on && /^[ \t]/ {print; next} {on = 0}' "$REPO_ROOT/debian/control" |
		tr ',' '\n' | sed -e 's/|.*//' -e 's/[[(].*//' -e 's/[[:space:]]//g' |
		grep -v '^$' | sort
}

@test "package: Build-Depends are make deps' DEB_BUILD (build-essential implied)" {
	bd=$(build_depends | grep -vx 'debhelper-compat')
	mk=$(make -s -C "$REPO_ROOT" print-deb-build | tr ' ' '\n' | grep -v '^$' |
		grep -vx build-essential | sort)
	diff <(echo "$bd") <(echo "$mk")
	# debhelper itself is in make deps' list too (DEB_PACKAGE)
	make -s -C "$REPO_ROOT" -pn deps 2>/dev/null | grep -q '^DEB_PACKAGE = .*debhelper'
}

@test "package: debian/changelog's version is pmon's" {
	command -v dpkg-parsechangelog >/dev/null || skip "dpkg-dev is not installed"
	v=$(cd "$REPO_ROOT" && dpkg-parsechangelog -SVersion)
	[ "$("$PMON" --version | head -n 1)" = "pmon ${v%%-*}" ]
}

@test "make install: binary, man page, completions, every unit and example in Debian's places" {
	d=$BATS_TEST_TMPDIR/root
	run make -s -C "$REPO_ROOT" install DESTDIR="$d" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$d/usr/bin/pmon" ]
	[ -f "$d/usr/share/man/man1/pmon.1" ]
	cmp "$d/usr/share/bash-completion/completions/pmon" <("$PMON" completion bash)
	cmp "$d/usr/share/zsh/vendor-completions/_pmon" <("$PMON" completion zsh)
	cmp "$d/usr/share/fish/vendor_completions.d/pmon.fish" <("$PMON" completion fish)
	units=$(cd "$REPO_ROOT/systemd" && ls -- *.service *.socket 2>/dev/null)
	[ -n "$units" ]
	[ "$(cd "$d/lib/systemd/system" && ls)" = "$units" ]
	grep -qx 'ExecStart=/usr/bin/pmon chatd --system --group pmon --log /var/lib/pmon/chat.log' \
		"$d/lib/systemd/system/pmon-chatd.service"
	if [ -d "$REPO_ROOT/examples" ]; then
		[ "$(cd "$d/usr/share/doc/pmon/examples" && ls)" = "$(cd "$REPO_ROOT/examples" && ls)" ]
	fi
	# A unit or an example added later (pmon-watch.service, say) is
	# installed without a change to the Makefile: a tree whose systemd/
	# and examples/ hold one more file each, the rest linked to this one.
	t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/systemd" "$t/examples"
	for f in "$REPO_ROOT"/* ; do
		case ${f##*/} in systemd|examples) ;; *) ln -s "$f" "$t/${f##*/}" ;; esac
	done
	cp "$REPO_ROOT"/systemd/* "$t/systemd/"
	cp -r "$REPO_ROOT"/examples/. "$t/examples/" 2>/dev/null || true
	printf '[Service]\nExecStart=/usr/bin/pmon tree\n' >"$t/systemd/pmon-extra.service"
	echo "an example" >"$t/examples/extra.rules"
	run make -s -C "$t" install DESTDIR="$d/extra" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$d/extra/lib/systemd/system/pmon-extra.service" ]
	[ -f "$d/extra/lib/systemd/system/pmon-chatd.socket" ]
	[ "$(cat "$d/extra/usr/share/doc/pmon/examples/extra.rules")" = "an example" ]
	# A prefix of one's own reaches ExecStart= too.
	run make -s -C "$REPO_ROOT" install DESTDIR="$d/local" PREFIX=/opt/pmon SYSTEMDUNITDIR=/opt/pmon/units
	grep -q '^ExecStart=/opt/pmon/bin/pmon chatd' "$d/local/opt/pmon/units/pmon-chatd.service"
}

@test "dpkg-buildpackage: pmon_VERSION_amd64.deb, lintian clean, pmon tree runs from it" {
	for c in dpkg-buildpackage dh lintian; do
		command -v "$c" >/dev/null || skip "$c is not installed (make deps)"
	done
	[ "$(dpkg --print-architecture)" = amd64 ] || skip "not an amd64 machine"
	# A copy of the tree (the build runs make clean), built next to it.
	src=$BATS_TEST_TMPDIR/b/pmon
	mkdir -p "$src"
	tar -C "$REPO_ROOT" --exclude=./.git --exclude=./build --exclude=./build-san \
		--exclude=./deb --exclude=./pmon --exclude=./debian/pmon \
		--exclude=./debian/.debhelper -cf - . | tar -C "$src" -xf -
	v=$(cd "$src" && dpkg-parsechangelog -SVersion)
	run bash -c 'cd "$1" && dpkg-buildpackage -us -uc -b' _ "$src"
	[ "$status" -eq 0 ] || { echo "$output" | tail -30; false; }
	deb=$BATS_TEST_TMPDIR/b/pmon_${v}_amd64.deb
	[ -f "$deb" ]
	run lintian --fail-on error,warning "$BATS_TEST_TMPDIR/b/pmon_${v}_amd64.changes"
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -E '^[EW]: ' <<<"$output" || false
	# the libraries pmon loads rather than links are dependencies all the same
	depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[[:space:]]//g; s/(.*//')
	for soname in $(make -s -C "$REPO_ROOT" print-loaded-sonames); do
		owner=$(dpkg -S "*/$soname" | head -n 1 | cut -d: -f1)
		[ -n "$owner" ]
		grep -qx "$owner" <<<"$depends" || { echo "Depends lacks $owner ($soname)"; false; }
	done
	run dpkg-deb -c "$deb"
	for f in ./usr/bin/pmon ./usr/share/man/man1/pmon.1.gz \
		./usr/share/bash-completion/completions/pmon \
		./usr/share/zsh/vendor-completions/_pmon \
		./usr/share/fish/vendor_completions.d/pmon.fish \
		./lib/systemd/system/pmon-chatd.socket \
		./lib/systemd/system/pmon-chatd.service; do
		grep -q " $f\$" <<<"$output" || { echo "missing $f"; false; }
	done
	# The maintainer scripts: the group, then the socket enabled.
	dpkg-deb -e "$deb" "$BATS_TEST_TMPDIR/ctl"
	grep -q 'addgroup --system --quiet pmon' "$BATS_TEST_TMPDIR/ctl/postinst"
	grep -q 'deb-systemd-helper .*enable.*pmon-chatd.socket' "$BATS_TEST_TMPDIR/ctl/postinst"
	# The packaged pmon runs (unpacked, not installed: the machine is
	# left as it is).
	dpkg-deb -x "$deb" "$BATS_TEST_TMPDIR/root"
	run "$BATS_TEST_TMPDIR/root/usr/bin/pmon" tree
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID*COMMAND* ]]
}
