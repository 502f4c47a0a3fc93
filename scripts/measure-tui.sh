#!/usr/bin/env bash
# CPU of the real threadlab binary in a real terminal (tmux): busy with 1,000 downloads on a
# pool of 64 at --speed 10, then idle. Prints % of one core for each phase, median of 3 samples.
# Usage: scripts/measure-tui.sh [path/to/threadlab]   (default: target/release/threadlab)
set -euo pipefail
BIN=${1:-target/release/threadlab}
SOCK=threadlab-measure-$$
tmux -L "$SOCK" -f /dev/null new-session -d -s keepalive 'sleep 600'
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true' EXIT
tmux -L "$SOCK" new-session -d -s tl -x 200 -y 60 "$BIN --count 1000 --strategy pool --workers 64 --speed 10 --seed 1 --lang en"
for _ in $(seq 50); do
    PID=$(pgrep -n -f -- "--count 1000 --strategy pool --workers 64 --speed 10 --seed 1" || true)
    [ -n "$PID" ] && break
    sleep 0.1
done
[ -n "${PID:-}" ] || { echo "threadlab did not start"; exit 1; }
ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$PID/stat"; }
# % of one core over $1 seconds (USER_HZ = 100)
sample() { local a b; a=$(ticks); sleep "$1"; b=$(ticks); echo "scale=2; ($b - $a) / $1" | bc; }
median() { sort -n | sed -n 2p; }
sleep 1
tmux -L "$SOCK" send-keys -t tl Enter
sleep 0.5
busy=$( (sample 1.5; sample 1.5; sample 1.5) | median)
tmux -L "$SOCK" send-keys -t tl n      # new durations: stops the run
sleep 1
idle=$( (sample 3; sample 3; sample 3) | median)
echo "busy (1000 downloads, pool of 64, --speed 10, 200x60): ${busy}% of one core"
echo "idle (nothing running, ticker off):                     ${idle}% of one core"
