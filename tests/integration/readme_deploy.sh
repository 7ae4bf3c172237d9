#!/usr/bin/env bash
# README.md's "Deploy to Elasticsearch" section, run as written: its policy (the indented block that
# starts with "outputs:") with ${env.*} pointing at the MISP emulator and a fake Elasticsearch, and
# every command of the section (the indented lines starting with "misp-agent"), misp-agent from the
# build on PATH. Two substitutions only: each /var/lib/misp-agent becomes a fresh folder, and
# `run --data-dir` gets --once so the command ends. es-policy-raw.yml is es-policy.yml with
# `output: raw` added to each stream, as the section says.
#   readme_deploy.sh README MISP_AGENT MISP_EMULATOR FAKE_ELASTICSEARCH_PY
set -euo pipefail
readme=$1 agent=$2 emulator=$3 fake=$4
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 4 --attributes-each 5

section="$tmp/section.md"
awk '/^## Deploy to Elasticsearch$/ { on = 1; next } on && /^## / { exit } on { print }' "$readme" >"$section"
[ -s "$section" ] || fail "no 'Deploy to Elasticsearch' section in $readme"
awk '/^    outputs:/ { on = 1 } on && /^[^ ]/ { exit } on && NF { print substr($0, 5) }' "$section" >"$tmp/es-policy.yml"
grep -q "type: elasticsearch" "$tmp/es-policy.yml" || fail "no policy in the section"
grep -E '^    misp-agent ' "$section" | sed 's/^    //' >"$tmp/commands"
grep -q '^misp-agent setup ' "$tmp/commands" && grep -q 'es-policy-raw.yml' "$tmp/commands" \
  || fail "commands: $(cat "$tmp/commands")"
sed -E 's/^( *)(api_token: .*)$/\1\2\n\1output: raw/' "$tmp/es-policy.yml" >"$tmp/es-policy-raw.yml"
[ "$(grep -c 'output: raw' "$tmp/es-policy-raw.yml")" = 2 ] || fail "raw policy"

es_key='readme:k3y-for-the-readme'
python3 "$fake" --port-file "$tmp/es.port" --log "$tmp/es.log" --api-key "$es_key" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/es.port" ] && break; sleep 0.05; done
es="http://127.0.0.1:$(cat "$tmp/es.port")"
export ES_HOST=$es ES_API_KEY=$es_key MISP_URL=$url MISP_API_KEY=$key
export PATH="$(cd "$(dirname "$agent")" && pwd):$PATH"

n=0
cd "$tmp"
while IFS= read -r cmd; do
  n=$((n + 1))
  run=${cmd//\/var\/lib\/misp-agent/$tmp/data-$n}
  case $run in *" run "*--data-dir*) run="$run --once" ;; esac
  echo "+ $run"
  bash -c "$run" >"$tmp/cmd$n.out" 2>"$tmp/cmd$n.err" || fail "'$cmd' failed: $(cat "$tmp/cmd$n.out" "$tmp/cmd$n.err")"
done <"$tmp/commands"
[ "$n" -ge 4 ] || fail "$n commands run"

python3 - "$es" <<'PY' || fail "what reached Elasticsearch"
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state"))
assert len(state["assets"]) == 8, sorted(state["assets"])
assert state["started"] == ["logs-ti_misp.latest_ioc-default-0.2.0"], state["started"]
docs = state["docs"]
ecs = [d for d in docs["logs-ti_misp.threat_attributes-default"].values() if "message" not in d]
raw = [d for d in docs["logs-ti_misp.threat_attributes-default"].values() if "message" in d]
assert len(ecs) == 20 and len(raw) == 20, (len(ecs), len(raw))
assert all(d["event"]["dataset"] == "ti_misp.threat_attributes" for d in ecs)
assert all(set(d) == {"message"} and json.loads(d["message"]) for d in raw)
assert len(docs["logs-ti_misp.threat-default"]) == 40, len(docs["logs-ti_misp.threat-default"])
PY
grep -q "^transform logs-ti_misp.latest_ioc-default-0.2.0: created, started$" "$tmp/cmd1.out" || fail "setup output: $(cat "$tmp/cmd1.out")"
if grep -qF -e "k3y-for-the-readme" -e "$key" "$tmp"/cmd*; then fail "a key was printed"; fi
if grep -h UNEXPECTED "$tmp/es.log"; then fail "the fake Elasticsearch saw an unexpected request"; fi
echo "readme_deploy: $n commands OK"
