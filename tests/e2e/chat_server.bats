#!/usr/bin/env bats
# pmon chatd's own robustness: account lookups that never stall the
# loop, the log, a room no single member can fill, and the server a
# client starts.

load chat_helpers

# The shim that makes chosen account lookups slow, for LD_PRELOAD (after
# the sanitizer's runtime in a SANITIZE=1 build, which must come first).
slow_nss_preload() {
	local asan
	asan=$(ldd "$PMON" | awk '/libasan/ {print $3}')
	echo "${asan:+$asan:}$BUILD_DIR/fixtures/slow-nss.so"
}

@test "chatd: slow account lookups (LDAP, sssd) never stall the room" {
	LD_PRELOAD=$(slow_nss_preload) SLOW_NSS_UID=60001 SLOW_NSS_NAME=slowname \
		SLOW_NSS_SECONDS=4 SLOW_NSS_MARK="$CHAT_DIR/nss" \
		start_server --group "$CHAT_GID"
	start_client alice
	start_client bob
	# a member whose account takes 4 s to look up (its login, its groups)
	start_client_nowait slow setpriv --reuid=60001 --regid="$CHAT_GID" --clear-groups
	wait_for_line "$CHAT_DIR/nss" '^start uid60001$'
	say alice 'while uid 60001 is looked up'
	sees bob '^alice: while uid 60001 is looked up$'
	run grep -q '^end uid60001' "$CHAT_DIR/nss"
	[ "$status" -eq 1 ] # the room went on during the lookup
	wait_for_line "$CHAT_DIR/server.out" '^\* slow joined the room$'
	# a name whose owner (is it someone's login?) takes 4 s to look up
	start_client_nowait slowname
	wait_for_line "$CHAT_DIR/nss" '^start slowname$'
	say alice 'while slowname is looked up'
	sees bob '^alice: while slowname is looked up$'
	run grep -q '^end slowname' "$CHAT_DIR/nss"
	[ "$status" -eq 1 ]
	wait_for_line "$CHAT_DIR/server.out" '^\* slowname joined the room$'
}
