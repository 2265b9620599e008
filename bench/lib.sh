# Shell functions bench/run and bench/million share. They read the
# caller's $bin, $work, $threads, $connections and $seconds, and set
# $server_pid, $base and $healthy.

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

# Starts kith with a result cache of $1 seconds; sets server_pid and base.
start_server() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  local started
  started=$(date +%s.%N)
  KITH_SEARCH_CACHE_SECONDS="$1" "$bin" serve --addr "127.0.0.1:$port" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.05
  done
  curl -sf "$base/healthz" >/dev/null
  healthy=$(since "$started")
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

