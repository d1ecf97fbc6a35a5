#!/usr/bin/env bash
# mutants-apply.sh - every fault of tests/mutants/ can still be planted.
#
# `make mutants` (tests/mutants/run) plants each patch in a copy of the
# tree and reports the suite that fails to catch it; a patch that no
# longer applies is reported BROKEN there, and only there, and `make
# mutants` is not part of `make check`.  Three patches rotted that way
# unseen as the code they break moved.  This checks, in `make check`,
# that each still applies to the tree (patch --dry-run, as the runner
# applies them), one TAP line each.
set -u
cd "$(dirname "$0")/../.." || exit 1
n=0 bad=0
patches=(tests/mutants/*.patch)
echo "1..${#patches[@]}"
for p in "${patches[@]}"; do
	n=$((n + 1))
	if out=$(patch --dry-run -s -f -p1 <"$p" 2>&1); then
		echo "ok $n - $p applies"
	else
		echo "not ok $n - $p no longer applies (update it where the code moved)"
		printf '%s\n' "$out" | sed 's/^/# /'
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ]
