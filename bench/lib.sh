# Shared by bench/run and bench/soak: free ports, starting the parts from their build output, tearing down by PID.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/src"
CONFIG=${BENCH_CONFIG:-Release}   # what is measured runs from Release builds (bin/Release/net10.0)
OUT="bin/$CONFIG/net10.0"
BENCH_DLL="$ROOT/bench/SdAgones.Bench/$OUT/SdAgones.Bench.dll"
MEASURED=(src/SdAgones.CacheServer src/SdAgones.WebUI src/SdAgones.Agent src/SdAgones.LocalAgones src/SdAgones.Gateway src/SdAgones.Cruiser bench/SdAgones.Bench)
RUNTIME_HOSTING=${RUNTIME_HOSTING:-InProcess}   # LocalAgones' Fleet:RuntimeHosting: InProcess (cheap runtimes) or Process
WORK=$(mktemp -d /tmp/sdagones-bench.XXXXXX)
PIDS=()
USED_PORTS=" "
export ASPNETCORE_ENVIRONMENT=Development DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_PROTOCOL || true
OTLP_SINK=""   # set by start_otlp_sink: gateways started after it export their telemetry there, as in production
QUIET=(--Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.AspNetCore=Warning)

build_measured() { # Release builds of everything bench/run and bench/soak start
  local p
  for p in "${MEASURED[@]}"; do
    dotnet build "$ROOT/$p" -c "$CONFIG" -v q -nologo -clp:ErrorsOnly >/dev/null || { log "build of $p failed"; dotnet build "$ROOT/$p" -c "$CONFIG" -v q -nologo -clp:ErrorsOnly; exit 1; }
  done
}

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

free_port() { # [low]: "low" stays below Linux's ephemeral range (32768+), for a port a client dials before anything
  # listens there (the time-to-runtime run's trace receiver): a client retrying an ephemeral port can connect to itself
  local p
  while :; do
    if [[ ${1:-} == low ]]; then p=$((20000 + RANDOM % 12000)); else p=$((20000 + RANDOM % 40000)); fi
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then USED_PORTS+="$p "; echo "$p"; return; fi
  done
}

# start NAME CMD...: runs CMD in the background, logs to $WORK/NAME.log, remembers its PID in ${NAME}_PID.
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  printf -v "${name}_PID" '%s' "$pid"
}

descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done; }

# stop PID...: SIGTERM (LocalAgones shuts its runtimes down), then SIGKILL what is left, children included.
stop() {
  local all=() p
  for p in "$@"; do all+=("$p"); all+=($(descendants "$p")); done
  ((${#all[@]})) || return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for p in "${all[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait "$@" 2>/dev/null || true
}

teardown() {
  local rc=$?
  ((${#PIDS[@]})) && stop "${PIDS[@]}"
  rm -rf "$WORK"
  return $rc
}

wait_http() { # URL [seconds]
  local url=$1 limit=${2:-90}
  for _ in $(seq 1 $((limit * 5))); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.2
  done
  log "no answer from $url"; return 1
}

start_cache() { # NAME -> ${NAME}_PORT (one retry on a fresh port: Garnet has aborted once at start here)
  local port attempt pid
  for attempt in 1 2; do
    port=$(free_port)
    start "$1" dotnet "$BIN/SdAgones.CacheServer/$OUT/SdAgones.CacheServer.dll" --Cache:Port "$port" "${QUIET[@]}"
    printf -v "${1}_PORT" '%s' "$port"
    pid=${1}_PID
    for _ in $(seq 1 150); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
      kill -0 "${!pid}" 2>/dev/null || break
      sleep 0.2
    done
    log "cache $1 did not start (attempt $attempt): $(tail -3 "$WORK/$1.log" | tr '\n' ' ')"
    cp "$WORK/$1.log" "/tmp/sdagones-bench-$1-$attempt.log" 2>/dev/null || true
  done
  return 1
}

start_agones() { # NAME BUFFER MIN MAX [extra args, later ones win] -> ${NAME}_URL
  local name=$1 buffer=$2 min=$3 max=$4; shift 4
  local port; port=$(free_port)
  mkdir -p "$WORK/$name-storage"
    # The runtimes run from the same Release build (LocalAgones' default assembly paths point at its own configuration).
  start "$name" dotnet "$BIN/SdAgones.LocalAgones/$OUT/SdAgones.LocalAgones.dll" --urls "http://127.0.0.1:$port" \
    --Fleet:BufferSize "$buffer" --Fleet:MinReplicas "$min" --Fleet:MaxReplicas "$max" --Fleet:StorageRoot "$WORK/$name-storage" \
    --Fleet:StartDelay 00:00:00 --Fleet:WebUIStepDelay 00:00:00.001 --Fleet:RuntimeHosting "$RUNTIME_HOSTING" \
    --Fleet:WebUIAssembly "$BIN/SdAgones.WebUI/$OUT/SdAgones.WebUI.dll" --Fleet:AgentAssembly "$BIN/SdAgones.Agent/$OUT/SdAgones.Agent.dll" "${QUIET[@]}" "$@"
  printf -v "${name}_URL" '%s' "http://127.0.0.1:$port"
  wait_http "http://127.0.0.1:$port/apis/agones.dev/v1/namespaces/default/gameservers"
}

start_gateway() { # NAME CACHEPORT AGONESURL [env:NAME=VALUE ...] [extra args] -> ${NAME}_URL
  # The benchmarks drive thousands of sockets and requests as one synthetic person: the per-person caps (an abuse bound
  # of the product, tested in PersonLimitsTests) are lifted here so they measure the gateway, not the cap.
  local name=$1 cache=$2 agones=$3; shift 3
  local port; port=$(free_port)
  local vars=()
  [[ -n $OTLP_SINK ]] && vars+=("OTEL_EXPORTER_OTLP_ENDPOINT=$OTLP_SINK" "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf" "OTEL_SERVICE_NAME=gateway")
  while [[ ${1:-} == env:* ]]; do vars+=("${1#env:}"); shift; done
  start "$name" env "${vars[@]}" dotnet "$BIN/SdAgones.Gateway/$OUT/SdAgones.Gateway.dll" --urls "http://127.0.0.1:$port" \
    --Identity:Mode=Development "--ConnectionStrings:cache=127.0.0.1:$cache" "--Agones:ApiServer=$agones" --Admin:Users=admin \
    --Gateway:WebSocketsPerPerson=10000 --Gateway:RequestsPerPerson=10000 "${QUIET[@]}" "$@"
  printf -v "${name}_URL" '%s' "http://127.0.0.1:$port"
  wait_http "http://127.0.0.1:$port/health" || wait_http "http://127.0.0.1:$port/_sd/api/session"
}

start_cruiser() { # NAME CACHEPORT AGONESURL TIMEOUT
  local port; port=$(free_port)
  start "$1" dotnet "$BIN/SdAgones.Cruiser/$OUT/SdAgones.Cruiser.dll" --urls "http://127.0.0.1:$port" \
    "--ConnectionStrings:cache=127.0.0.1:$2" "--Agones:ApiServer=$3" --Idle:Timeout "$4" --Idle:CheckInterval 00:00:01 "${QUIET[@]}"
  wait_http "http://127.0.0.1:$port/health" 60 || true
}

# An OTLP/HTTP endpoint that accepts and discards (nginx): the gateways pay for exporting their traces, metrics and
# logs as they would in production, without a collector's CPU on the same two cores.
start_otlp_sink() {
  local port; port=$(free_port); mkdir -p "$WORK/otlp"
  cat >"$WORK/otlp/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/otlp/nginx.pid;
error_log $WORK/otlp/error.log warn;
events { worker_connections 1024; }
http {
  access_log off; client_body_temp_path $WORK/otlp/body; client_max_body_size 64m; client_body_buffer_size 1m;
  proxy_temp_path $WORK/otlp/proxy; fastcgi_temp_path $WORK/otlp/fcgi; uwsgi_temp_path $WORK/otlp/uwsgi; scgi_temp_path $WORK/otlp/scgi;
  server { listen 127.0.0.1:$port; location / { default_type application/x-protobuf; return 200 ""; } }
}
NGINX
  start OTLP_SINK_PROC nginx -c "$WORK/otlp/nginx.conf" -g 'daemon off;'
  OTLP_SINK="http://127.0.0.1:$port"
  wait_http "$OTLP_SINK/v1/traces"
}

# CPU seconds (user + system) used so far by the given processes and their children (nginx's workers).
cpu_seconds() {
  local p all=() ticks=0
  for p in "$@"; do all+=("$p") ; all+=($(descendants "$p")); done
  for p in "${all[@]}"; do
    [[ -r /proc/$p/stat ]] || continue
    ticks=$((ticks + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

# measure OUT PIDS -- wrk ARGS...: runs wrk, writes its output to OUT and appends the CPU the processes used meanwhile
# ("cpu_seconds: X"), which the report divides by the requests wrk counted.
measure() {
  local out=$1; shift; local pids=()
  while [[ $1 != -- ]]; do pids+=("$1"); shift; done; shift
  local before after
  before=$(cpu_seconds "${pids[@]}")
  cmd "$@" >"$out"
  after=$(cpu_seconds "${pids[@]}")
  awk -v a="$after" -v b="$before" 'BEGIN { printf "cpu_seconds: %.3f\n", a - b }' >>"$out"
}

# GameServer names and states, one "name state" a line, sorted: two equal snapshots mean no runtime started or stopped.
fleet_snapshot() {
  curl -s "$1/apis/agones.dev/v1/namespaces/default/gameservers" \
    | python3 -c 'import json,sys; [print(i["metadata"]["name"], i.get("status",{}).get("state","?")) for i in json.load(sys.stdin)["items"]]' | sort
}

wait_settled() { # AGONESURL SECONDS: every GameServer Ready or Allocated, unchanged for 3 s (no runtime starting or stopping)
  local last="" same=0 now
  for _ in $(seq 1 "$2"); do
    now=$(fleet_snapshot "$1")
    if [[ -n $now && $now == "$last" ]] && ! grep -qvE ' (Ready|Allocated)$' <<<"$now"; then
      same=$((same + 1)); ((same >= 3)) && return 0
    else
      same=0
    fi
    last=$now; sleep 1
  done
  log "the fleet at $1 did not settle in $2 s"; return 1
}

webui_pid() { # URL: the process listening on the URL's port (the runtime's WebUI, or LocalAgones when it hosts runtimes in-process)
  local port=${1##*:}; port=${port%%/*}
  ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

ready_count() { curl -s "$1/apis/agones.dev/v1/namespaces/default/gameservers" | grep -o '"state":"Ready"' | wc -l; }

wait_ready() { # AGONESURL N SECONDS
  for _ in $(seq 1 $(($3 * 2))); do (($(ready_count "$1") >= $2)) && return 0; sleep 0.5; done
  log "only $(ready_count "$1") of $2 runtimes Ready"; return 1
}

serve() { # GATEWAYURL USER: asks until the person's runtime answers 200
  for _ in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' -H "X-SdAgones-Dev-User: $2" -H 'Accept: application/json' "$1/sdapi/v1/options") == 200 ]] && return 0
    sleep 0.2
  done
  log "$2 got no runtime"; return 1
}

wait_for_tests() { # others' test runs distort figures and would time out under load: wait up to 5 minutes
  for _ in $(seq 1 15); do pgrep -f "dotnet test" >/dev/null || return 0; log "a test run is active; waiting"; sleep 20; done
}

bench() { dotnet "$BENCH_DLL" "$@"; }
