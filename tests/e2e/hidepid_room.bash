# hidepid_room.bash PMON DIR GROUP - run by chat_coord.bats inside
# `unshare --pid --fork --mount --mount-proc` as root: /proc remounted
# hidepid=invisible,gid=60200; a room (--group GROUP) whose server, as
# root, can read every process; raw members of three uids asking for
# views, a claim and action reports.  Prints each member's lines as
# "WHO: LINE" for the test to check.  Everything it starts dies with the
# namespace's init (this shell) when it exits.
set -eu
pmon=$1 dir=$2 group=$3
raw_client=$(cat "$(dirname "$0")/raw_client.py")
mount -o remount,hidepid=invisible,gid=60200 /proc

sleep 1000 &
root_sleep=$!
setpriv --reuid=60012 --regid="$group" --clear-groups sleep 1000 &
own_sleep=$!
# 60012 is its effective uid only: the kernel hides it from 60012
setpriv --euid=60012 sleep 1000 &
half_sleep=$!
echo "root_sleep $root_sleep own_sleep $own_sleep half_sleep $half_sleep"

"$pmon" chatd --foreground -S "$dir/hp/sock" --group "$group" \
	</dev/null >"$dir/hp-server.out" 2>&1 &
for _ in $(seq 100); do
	grep -q 'the room is open' "$dir/hp-server.out" && break
	sleep 0.1
done

# member WHO SETPRIV-ARGS -- LINE...: connect, send the lines and /stats,
# print what came back until the answer to /stats (the room has answered
# the rest by then; 30 s at most), each line prefixed by WHO.
member() {
	local who=$1 pre=()
	shift
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done
	shift
	setpriv "${pre[@]}" /usr/bin/python3 -c "$raw_client" "$dir/hp/sock" "$@" |
		sed "s/^/$who: /"
}

mallory=(--reuid=60012 --regid="$group" --clear-groups)
staff=(--reuid=60013 --regid="$group" --groups=60200)
eve=(--reuid=60014 --regid="$group" --clear-groups)

# a view each, 2 s apart (the room's interval between views)
member mallory "${mallory[@]}" -- '' '/ps sleep'
sleep 2.2
member staff "${staff[@]}" -- '' '/ps sleep'
sleep 2.2
member eve "${eve[@]}" -- '' "/inspect $root_sleep"
sleep 2.2
member eve2 "${eve[@]}" -- '' "/tree 1"
# no rate limit on these
member mallory "${mallory[@]}" -- '' "/claim $root_sleep mine now" \
	"/claim $own_sleep mine" \
	"/action kill $root_sleep 0 1 KILL ok sleep" \
	"/action kill $root_sleep 1 1 KILL ok sleep" \
	"/action kill $root_sleep 0 1 KILL eperm decoy"

# under ptraceable, gid= opens nothing (the kernel's rule): 60015, in
# group 60200, sees its own processes only
mount -o remount,hidepid=ptraceable,gid=60200 /proc
sleep 2.2
member staff2 --reuid=60015 --regid="$group" --groups=60200 -- '' '/ps sleep'
