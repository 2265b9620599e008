# Shell functions bench/run and bench/million share. They read the
# caller's $bin, $work, $threads, $connections and $seconds, and set
# $server_pid, $base, $healthy, $index_ready and $index_build.

# Seconds since $1 (a `date +%s.%N`), to two places.
since() { python3 -c "print(f'{$(date +%s.%N) - $1:.2f}')"; }

# Prints "requests_per_second p50_ms p99_ms" for one wrk run.
load() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@")
  echo "$out" >>"$work/wrk.log"
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(v):
    n, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
try:
    latency = re.search(r"Latency Distribution\s+50%\s+(\S+).*?99%\s+(\S+)", out, re.S)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p99 = ms(latency.group(1)), ms(latency.group(2))
except (AttributeError, ValueError):
    sys.exit("could not read wrk's output:\n" + out)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
if errors:
    sys.exit(f"{errors.group(1)} requests failed")
print(f"{rps:.0f} {p50:.2f} {p99:.2f}")
PY
}

# The bearer token of the benchmark servers' /metrics (127.0.0.1 only).
metrics_token="bench-$$"

# Starts kith with a result cache of $1 seconds; sets server_pid, base and
# healthy (seconds from start to the first answer of /healthz), then waits
# for the directory index (wait_for_index).
start_server() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  local started
  started=$(date +%s.%N)
  KITH_SEARCH_CACHE_SECONDS="$1" KITH_METRICS_TOKEN="$metrics_token" \
    "$bin" serve --addr "127.0.0.1:$port" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.05
  done
  curl -sf "$base/healthz" >/dev/null
  healthy=$(since "$started")
  wait_for_index "$started"
}

# Waits until the directory index is ready (kith_search_index_ready 1 in
# /metrics): while it builds, kith answers searches from the database, and
# a load then would measure that fallback, not the index. Sets index_ready
# (seconds since $1) and index_build (kith_search_index_build_seconds), or
# both to "-" for a kith without the index (no such metric for 2 s).
wait_for_index() {
  local metrics absent=0
  index_ready="-"
  index_build="-"
  for _ in $(seq 1 3000); do
    metrics=$(curl -sf -H "Authorization: Bearer $metrics_token" "$base/metrics" || true)
    if ! grep -q '^kith_search_index_ready' <<<"$metrics"; then
      absent=$((absent + 1))
      [ "$absent" -lt 20 ] || return 0
      sleep 0.1
      continue
    fi
    if grep -Eq '^kith_search_index_ready 1(\.0)?$' <<<"$metrics"; then
      index_ready=$(since "$1")
      index_build=$(awk '/^kith_search_index_build_seconds / {printf "%.2f", $2}' <<<"$metrics")
      return 0
    fi
    sleep 0.1
  done
  echo "the directory index was not ready within 300 s" >&2
  return 1
}

# The server's peak resident memory so far (VmHWM), in MiB.
peak_rss_mib() {
  awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"
}

# Where the server's memory is now, for the notes: "anonymous, file-backed
# (SQLite maps its database into every connection, and RSS counts a page
# once per mapping) and PSS (a shared page split between its mappings)", in
# MiB.
memory_now() {
  local anon file pss
  anon=$(awk '/^RssAnon:/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  file=$(awk '/^RssFile:/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  pss=$(awk '/^Pss:/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/smaps_rollup")
  echo "$anon $file $pss"
}

# The share of the last varied load's questions that its thread had asked
# before, in percent (bench/search-gen.lua prints it once, at the end).
asked_before() {
  sed -n 's/^questions: .*(\([0-9.]*\)%).*/\1/p' "$work/wrk.log" | tail -1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

