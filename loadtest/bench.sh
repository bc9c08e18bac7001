#!/usr/bin/env bash
# loadtest/bench.sh: side-by-side benchmark of Nova Fanout and the Node.js `ws` baseline
# (loadtest/baselines/node-ws), regenerating docs/benchmarks.md. Described in docs/loadtest.md,
# section "Benchmarks (bench.sh)".
#
# Usage, from a fresh clone (JDK 17+, Maven, Node.js 20+ with npm, curl; Linux, for /proc):
#
#   bash loadtest/bench.sh
#
# What it does, in order:
#   1. builds everything (mvn -q -B package -DskipTests: server/target/nova-server.jar and
#      loadtest/target/nova-loadtest.jar) and installs the baseline (npm ci in loadtest/baselines/node-ws);
#   2. writes the machine description (cores, memory, CPU model, kernel, ulimit -n, java and node
#      versions) to docs/benchmarks/machine.json;
#   3. for each server in turn, nova first, then node-ws: starts it in the background on loopback ports,
#      waits for /health, warms it up with one unrecorded run of the load tester (100 streams x 100
#      viewers, 5 events/s, 20 s), runs the four scenarios with the load tester (same machine, one after
#      the other), and stops it:
#        fanout        1 stream, 10,000 viewers, publish rate stepped 2..320 events/s, 8 s per step, until
#                      p99 passes 50 ms: the highest delivered messages/s with p99 under 50 ms
#        many-streams  100 streams x 100 viewers, 10 events/s per stream, 30 s: latency and server CPU
#        connections   as many idle viewers as `ulimit -n` allows (minus 500): server heap per idle viewer
#                      after a full GC, and the connect rate
#        slow-viewers  many-streams with 10 % of the viewers not reading: healthy viewers' latency, and
#                      the server's memory
#      Around each scenario it reads the server process's CPU time (utime + stime in /proc/PID/stat, and
#      stime alone: the share spent in the kernel) and
#      RSS (VmRSS in /proc/PID/status, also sampled every second during the run), and its heap after a
#      full GC (nova: `jcmd PID GC.run`, then jvm_memory_used_bytes{area="heap"} from /metrics; node:
#      its /metrics runs global.gc() before reporting node_heap_used_bytes). Those figures go to
#      docs/benchmarks/SERVER-SCENARIO.server.json, next to the load tester's SERVER-SCENARIO.json report
#      and SERVER-SCENARIO.html page;
#   4. runs io.nova.fanout.loadtest.bench.BenchReport, which turns docs/benchmarks/ into
#      docs/benchmarks.md (tables, targets met or not, links to the HTML pages, and the profile notes
#      kept by hand in docs/benchmarks-notes.md).
#
# About 6 to 8 minutes on 2 cores. Everything listens on and connects to 127.0.0.1 only, and every
# process it starts is stopped when it exits, however it exits.
#
# Environment (all optional):
#   BENCH_SERVERS="nova node-ws"     servers to run, in this order
#   BENCH_SCENARIOS="fanout many-streams connections slow-viewers"
#                                     scenarios to run (the others' old results are kept)
#   BENCH_SKIP_BUILD=1               reuse the jars and node_modules already there
#   BENCH_WARMUP=0                   skip the unrecorded warm-up run each server gets before its scenarios
#   BENCH_IDLE_VIEWERS=N             viewers of the connections scenario (default: ulimit -n - 500)
#   BENCH_RESULTS=DIR                where reports go (default docs/benchmarks)
#   BENCH_OUT=FILE                   the markdown written (default docs/benchmarks.md)
#   BENCH_NOVA_PORT=28080 BENCH_NODE_PORT=28090
#                                     viewer ports; each server's internal port is the viewer port + 1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVERS=${BENCH_SERVERS:-"nova node-ws"}
SCENARIOS=${BENCH_SCENARIOS:-"fanout many-streams connections slow-viewers"}
RESULTS=${BENCH_RESULTS:-docs/benchmarks}
OUT=${BENCH_OUT:-docs/benchmarks.md}
LOGS=loadtest/target/bench-logs
NOVA_JAR=server/target/nova-server.jar
LT_JAR=loadtest/target/nova-loadtest.jar
BASELINE=loadtest/baselines/node-ws
HOST=127.0.0.1
CLK_TCK=$(getconf CLK_TCK)
CONNECT_RATE=5000
IDLE_MARGIN=500

SERVER_PID=""
LT_PID=""
JARS=""
CURRENT=""
PORT=""
INTERNAL_PORT=""

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $LT_PID $SERVER_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  [[ -z $JARS ]] || rm -rf "$JARS"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in java mvn node npm curl getconf timeout; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -r /proc/self/stat ]] || die "this script reads /proc: run it on Linux"

# ------------------------------------------------------------------------------------------------
# Process figures

cpu_ticks() { # "TOTAL SYSTEM": utime + stime of a process, and stime alone, in clock ticks (fields 14, 15 of /proc/PID/stat)
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) } # the command name may contain spaces; everything after its ')' is fixed
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} )) "${13}"
}

rss_bytes() { # VmRSS of a process, in bytes
  awk '/^VmRSS:/ { printf "%d", $2 * 1024 }' "/proc/$1/status"
}

now() { date +%s.%N; }

# CPU ticks of the whole machine from the first line of /proc/stat: "BUSY IRQ", busy = user + nice +
# system + steal (processes and the kernel working for them), irq = irq + softirq (interrupt work such as
# loopback packet delivery, which no process is charged for).
machine_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $9, $7 + $8; exit }' /proc/stat
}

# Sum of the samples of one metric in Prometheus text on stdin: metric NAME, optional label filter.
metric_sum() {
  awk -v name="$1" -v filter="${2:-}" '
    /^#/ { next }
    { key = $1; base = key; sub(/\{.*/, "", base) }
    base == name && (filter == "" || index(key, filter) > 0) { sum += $NF; found = 1 }
    END { if (found) printf "%.0f", sum; else print "null" }'
}

metrics_url() { echo "http://$HOST:$INTERNAL_PORT/metrics"; }

viewers_metric() { if [[ $CURRENT == nova ]]; then echo nova_viewers_connected; else echo node_viewers_connected; fi; }

# Viewers connected now, without forcing a GC on node.
viewers_connected() {
  local url text
  url=$(metrics_url)
  [[ $CURRENT == nova ]] || url="$url?gc=0"
  if text=$(curl -sf --max-time 10 "$url"); then
    metric_sum "$(viewers_metric)" <<<"$text"
  else
    echo null
  fi
}

# Heap in use right after a full GC: "HEAP VIEWERS" (viewers connected at that moment).
heap_after_gc() {
  local text heap
  if [[ $CURRENT == nova ]]; then
    if command -v jcmd >/dev/null && jcmd "$SERVER_PID" GC.run >/dev/null 2>&1; then
      text=$(curl -sf --max-time 10 "$(metrics_url)") || { echo "null null"; return; }
      heap=$(metric_sum jvm_memory_used_bytes 'area="heap"' <<<"$text")
    else
      log "jcmd GC.run failed: no heap figure"
      echo "null null"; return
    fi
  else
    text=$(curl -sf --max-time 30 "$(metrics_url)") || { echo "null null"; return; }
    if [[ $(metric_sum node_gc_before_scrape <<<"$text") != 1 ]]; then
      log "node did not run global.gc() (no --expose-gc?): no heap figure"
      echo "null null"; return
    fi
    heap=$(metric_sum node_heap_used_bytes <<<"$text")
  fi
  echo "$heap $(metric_sum "$(viewers_metric)" <<<"$text")"
}

# ------------------------------------------------------------------------------------------------
# Servers

start_server() {
  CURRENT=$1
  local log_file="$LOGS/$CURRENT.log"
  if [[ $CURRENT == nova ]]; then
    PORT=${BENCH_NOVA_PORT:-28080}
  else
    PORT=${BENCH_NODE_PORT:-28090}
  fi
  INTERNAL_PORT=$((PORT + 1))
  for p in "$PORT" "$INTERNAL_PORT"; do
    if curl -s --max-time 2 -o /dev/null "http://$HOST:$p/"; then die "port $p is already in use"; fi
  done
  log "starting $CURRENT on $HOST:$PORT (internal $HOST:$INTERNAL_PORT), log in $log_file"
  if [[ $CURRENT == nova ]]; then
    # The load comes from a few loopback addresses: per-address limits off, as for any load test.
    NOVA_JWT_SECRET=$SECRET java -Xmx2g -jar "$NOVA_JAR" --host "$HOST" --port "$PORT" \
      --internal-host "$HOST" --internal-port "$INTERNAL_PORT" \
      --max-connections-per-ip 0 --handshake-rate-per-ip 0 >>"$log_file" 2>&1 &
  else
    JWT_SECRET=$SECRET HOST=$HOST PORT=$PORT INTERNAL_HOST=$HOST INTERNAL_PORT=$INTERNAL_PORT \
      node --expose-gc "$BASELINE/server.js" >>"$log_file" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf --max-time 2 -o /dev/null "http://$HOST:$INTERNAL_PORT/health" \
      && curl -sf --max-time 2 -o /dev/null "http://$HOST:$PORT/health"; then
      log "$CURRENT is up (pid $SERVER_PID)"
      return
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$log_file" >&2; die "$CURRENT exited at start"; }
    sleep 0.5
  done
  die "$CURRENT did not answer /health within 60 s"
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  log "stopping $CURRENT (pid $SERVER_PID)"
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

wait_for_no_viewers() { # the previous scenario's viewers must be gone before the next one is measured
  local n
  for _ in $(seq 1 30); do
    n=$(viewers_connected)
    [[ $n == 0 ]] && return
    sleep 1
  done
  log "warning: $CURRENT still reports ${n} viewers connected"
}

# ------------------------------------------------------------------------------------------------
# Warm-up: one unrecorded run right after a server starts, so that every scenario measures a server whose
# JIT has compiled the fan-out path, as in a server that has been up for a while, not one still compiling.

WARMUP_ARGS=(--streams 100 --viewers 10000 --publish-rate 5 --warmup 0s --duration 20s)

warm_up() {
  [[ ${BENCH_WARMUP:-1} != 0 ]] || return 0
  log "$CURRENT: warm-up run (not recorded): ${WARMUP_ARGS[*]}"
  local rc=0
  timeout --kill-after=10 120 java -jar "$LT_JAR" \
    --url "ws://$HOST:$PORT" --internal-url "http://$HOST:$INTERNAL_PORT" --jwt-secret "$SECRET" \
    --label "$CURRENT" --stream-prefix "warmup-" --connect-rate "$CONNECT_RATE" \
    "${WARMUP_ARGS[@]}" >"$LOGS/$CURRENT-warmup.out" 2>&1 &
  LT_PID=$!
  wait "$LT_PID" || rc=$?
  LT_PID=""
  ((rc == 0)) || log "$CURRENT: the warm-up run exited with $rc (output: $LOGS/$CURRENT-warmup.out)"
}

# ------------------------------------------------------------------------------------------------
# One scenario: run_scenario SCENARIO TIME_LIMIT_SECONDS LOADTEST_ARGS...

run_scenario() {
  local scenario=$1 limit=$2
  shift 2
  local base="$RESULTS/$CURRENT-$scenario"
  rm -f "$base.json" "$base.html" "$base.server.json"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "$CURRENT is not running any more (see $LOGS/$CURRENT.log); restarting it"
    wait "$SERVER_PID" 2>/dev/null || true
    start_server "$CURRENT"
  fi
  wait_for_no_viewers
  local heap_before viewers_before rss_before cpu_before t0
  read -r heap_before viewers_before < <(heap_after_gc)
  rss_before=$(rss_bytes "$SERVER_PID")
  log "$CURRENT / $scenario: heap after GC $heap_before bytes, RSS $rss_before bytes; running the load tester"

  local busy_before irq_before lt_java="" lt_ticks=0 ticks sys_before
  read -r cpu_before sys_before < <(cpu_ticks "$SERVER_PID")
  read -r busy_before irq_before < <(machine_ticks)
  t0=$(now)
  timeout --kill-after=10 "$limit" java -jar "$LT_JAR" \
    --url "ws://$HOST:$PORT" --internal-url "http://$HOST:$INTERNAL_PORT" --jwt-secret "$SECRET" \
    --label "$CURRENT" --stream-prefix "$scenario-" --connect-rate "$CONNECT_RATE" \
    --metrics-url "$(metrics_url)" --report "$base.json" --html "$base.html" \
    "$@" >"$LOGS/$CURRENT-$scenario.out" 2>&1 &
  LT_PID=$!

  # While it runs: RSS every second, and for the connections scenario the heap once every viewer is in.
  local rss_peak=$rss_before rss n last_n=-1 still=0 heap_loaded=null viewers_loaded=null rss_loaded=null
  local target=0
  [[ $scenario == connections ]] && target=$IDLE_TARGET
  while kill -0 "$LT_PID" 2>/dev/null; do
    rss=$(rss_bytes "$SERVER_PID" 2>/dev/null || echo 0)
    ((rss > rss_peak)) && rss_peak=$rss
    # The load tester's own CPU (the java under timeout), last sample before it exits
    [[ -n $lt_java ]] || lt_java=$(pgrep -P "$LT_PID" java 2>/dev/null | head -n 1 || true)
    if [[ -n $lt_java ]] && ticks=$(cpu_ticks "$lt_java" 2>/dev/null); then lt_ticks=${ticks%% *}; fi
    if [[ $scenario == connections && $heap_loaded == null ]]; then
      n=$(viewers_connected)
      if [[ $n != null && $n -gt 0 ]]; then
        if [[ $n == "$last_n" ]]; then still=$((still + 1)); else still=0; fi
        last_n=$n
        if ((n >= target || still >= 3)); then
          rss_loaded=$(rss_bytes "$SERVER_PID" 2>/dev/null || echo null)
          read -r heap_loaded viewers_loaded < <(heap_after_gc)
          log "$CURRENT / connections: $viewers_loaded viewers, heap after GC $heap_loaded bytes, RSS $rss_loaded bytes"
        fi
      fi
    fi
    sleep 1
  done
  local rc=0
  wait "$LT_PID" || rc=$?
  LT_PID=""
  local t1 cpu_after sys_after rss_after
  t1=$(now)
  read -r cpu_after sys_after < <(cpu_ticks "$SERVER_PID" 2>/dev/null || echo "$cpu_before $sys_before")
  local busy_after irq_after
  read -r busy_after irq_after < <(machine_ticks)
  rss_after=$(rss_bytes "$SERVER_PID" 2>/dev/null || echo 0)
  local heap_after viewers_after
  read -r heap_after viewers_after < <(heap_after_gc)
  if ((rc != 0)); then
    log "$CURRENT / $scenario: the load tester exited with $rc (output: $LOGS/$CURRENT-$scenario.out)"
  fi
  tail -n 25 "$LOGS/$CURRENT-$scenario.out" >&2 || true

  local gc_method="global.gc() in /metrics"
  [[ $CURRENT == nova ]] && gc_method="jcmd GC.run"
  cat >"$base.server.json" <<EOF
{
  "server": "$CURRENT",
  "scenario": "$scenario",
  "pid": $SERVER_PID,
  "loadtest_exit_code": $rc,
  "wall_seconds": $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'),
  "cpu_seconds": $(awk -v a="$cpu_before" -v b="$cpu_after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'),
  "system_cpu_seconds": $(awk -v a="$sys_before" -v b="$sys_after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'),
  "clk_tck": $CLK_TCK,
  "loadtest_cpu_seconds": $(awk -v a="$lt_ticks" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", a / t }'),
  "machine_busy_cpu_seconds": $(awk -v a="$busy_before" -v b="$busy_after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'),
  "machine_irq_cpu_seconds": $(awk -v a="$irq_before" -v b="$irq_after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'),
  "rss_before_bytes": $rss_before,
  "rss_peak_bytes": $rss_peak,
  "rss_after_bytes": $rss_after,
  "heap_gc_method": "$gc_method",
  "heap_before_bytes": $heap_before,
  "viewers_before": $viewers_before,
  "heap_after_bytes": $heap_after,
  "viewers_after": $viewers_after,
  "idle_viewers_requested": ${target:-0},
  "heap_loaded_bytes": $heap_loaded,
  "viewers_loaded": $viewers_loaded,
  "rss_loaded_bytes": $rss_loaded
}
EOF
}

# ------------------------------------------------------------------------------------------------
# Build and machine description

STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
START_S=$(date +%s)
mkdir -p "$RESULTS" "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/*.out

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "building (mvn -q -B package -DskipTests)"
  mvn -q -B package -DskipTests
  log "installing the node-ws baseline (npm ci)"
  (cd "$BASELINE" && npm ci --no-audit --no-fund --loglevel=error)
fi
[[ -f $NOVA_JAR ]] || die "$NOVA_JAR is missing"
[[ -f $LT_JAR ]] || die "$LT_JAR is missing"
[[ -d $BASELINE/node_modules/ws ]] || die "$BASELINE/node_modules is missing: run npm ci there"
# Run private copies: a build that rewrites target/ meanwhile must not pull classes from under a running JVM.
JARS=$(mktemp -d "${TMPDIR:-/tmp}/nova-bench.XXXXXX")
cp "$NOVA_JAR" "$JARS/nova-server.jar"
cp "$LT_JAR" "$JARS/nova-loadtest.jar"
NOVA_JAR=$JARS/nova-server.jar
LT_JAR=$JARS/nova-loadtest.jar

# Try to use the hard open-file limit; the connections scenario is sized from what we get.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ULIMIT_N=$(ulimit -n)
if [[ $ULIMIT_N == unlimited ]]; then ULIMIT_N=1048576; fi
IDLE_TARGET=${BENCH_IDLE_VIEWERS:-$((ULIMIT_N - IDLE_MARGIN))}
((IDLE_TARGET > 100000)) && IDLE_TARGET=100000 # nova's default --max-connections
log "ulimit -n is $ULIMIT_N here: the connections scenario opens $IDLE_TARGET idle viewers"

SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=false
if [[ -n $(git status --porcelain 2>/dev/null) ]]; then DIRTY=true; fi

BENCH_MACHINE_CORES=$(nproc) \
BENCH_MACHINE_MEM=$(free -b | awk '/^Mem:/ { print $2 }') \
BENCH_MACHINE_CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo) \
BENCH_MACHINE_KERNEL=$(uname -r) \
BENCH_MACHINE_OS=$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || uname -s) \
BENCH_MACHINE_JAVA=$(java -version 2>&1 | head -n 3 | paste -sd ' ' -) \
BENCH_MACHINE_NODE=$(node --version) \
BENCH_MACHINE_WS=$(node -p "require('./$BASELINE/node_modules/ws/package.json').version") \
BENCH_ULIMIT_N=$ULIMIT_N BENCH_IDLE_TARGET=$IDLE_TARGET BENCH_COMMIT=$COMMIT BENCH_DIRTY=$DIRTY \
BENCH_STARTED_AT=$STARTED_AT BENCH_WARMUP_RUN=$([[ ${BENCH_WARMUP:-1} != 0 ]] && echo "${WARMUP_ARGS[*]}") \
  node -e '
    const e = process.env;
    const machine = {
      cores: Number(e.BENCH_MACHINE_CORES),
      memory_bytes: Number(e.BENCH_MACHINE_MEM),
      cpu_model: e.BENCH_MACHINE_CPU,
      kernel: e.BENCH_MACHINE_KERNEL,
      os: e.BENCH_MACHINE_OS,
      ulimit_n: Number(e.BENCH_ULIMIT_N),
      java_version: e.BENCH_MACHINE_JAVA,
      node_version: e.BENCH_MACHINE_NODE,
      ws_version: e.BENCH_MACHINE_WS,
    };
    const run = {
      command: "bash loadtest/bench.sh",
      commit: e.BENCH_COMMIT,
      uncommitted_changes: e.BENCH_DIRTY === "true",
      started_at: e.BENCH_STARTED_AT,
      idle_viewers: Number(e.BENCH_IDLE_TARGET),
      warmup: e.BENCH_WARMUP_RUN ? "nova-loadtest " + e.BENCH_WARMUP_RUN : null,
      nova_command: "java -Xmx2g -jar server/target/nova-server.jar --host 127.0.0.1 --port P --internal-port P+1 --max-connections-per-ip 0 --handshake-rate-per-ip 0 (NOVA_JWT_SECRET set)",
      node_command: "node --expose-gc loadtest/baselines/node-ws/server.js (HOST, PORT, INTERNAL_PORT, JWT_SECRET set; defaults otherwise, so no viewer_count_changed)",
    };
    require("fs").writeFileSync(process.argv[1] + "/machine.json", JSON.stringify(machine, null, 2) + "\n");
    require("fs").writeFileSync(process.argv[1] + "/run.json", JSON.stringify(run, null, 2) + "\n");
  ' "$RESULTS"

# ------------------------------------------------------------------------------------------------
# The runs

has_scenario() { [[ " $SCENARIOS " == *" $1 "* ]]; }

for server in $SERVERS; do
  [[ $server == nova || $server == node-ws ]] || die "unknown server $server (nova, node-ws)"
  start_server "$server"
  warm_up
  if has_scenario fanout; then
    run_scenario fanout 240 --streams 1 --viewers 10000 \
      --rate-steps 2,5,10,20,40,80,160,320 --step-duration 8s --stop-above-p99 50ms
  fi
  if has_scenario many-streams; then
    run_scenario many-streams 180 --streams 100 --viewers 10000 --publish-rate 10 --duration 30s
  fi
  if has_scenario connections; then
    run_scenario connections 180 --idle --streams 1 --viewers "$IDLE_TARGET" --duration 10s
  fi
  if has_scenario slow-viewers; then
    run_scenario slow-viewers 180 --streams 100 --viewers 10000 --publish-rate 10 --duration 30s \
      --slow-fraction 0.1
  fi
  stop_server
done

FINISHED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TOTAL_S=$(($(date +%s) - START_S))
node -e '
  const fs = require("fs");
  const file = process.argv[1] + "/run.json";
  const run = JSON.parse(fs.readFileSync(file, "utf8"));
  run.finished_at = process.argv[2];
  run.total_seconds = Number(process.argv[3]);
  fs.writeFileSync(file, JSON.stringify(run, null, 2) + "\n");
' "$RESULTS" "$FINISHED_AT" "$TOTAL_S"

log "writing $OUT"
java -cp "$LT_JAR" io.nova.fanout.loadtest.bench.BenchReport --results "$RESULTS" --out "$OUT"
log "done in ${TOTAL_S} s: $OUT"
