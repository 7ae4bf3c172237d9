#!/usr/bin/env python3
"""A loopback stand-in for Elasticsearch: what misp-agent setup and its elasticsearch output call.

It checks every request as Elasticsearch would (method, path, query, Content-Type, the body's
shape for each API, the Authorization header) and answers with Elasticsearch's status codes and
envelopes, keeping templates, pipelines, ILM policies, transforms and `create`d documents in
memory. A request it does not know is answered 400 and logged with UNEXPECTED, which the tests
look for.

  fake_elasticsearch.py --port-file F --log F [--version 8.17.0] [--api-key ID:KEY]
                        [--status N] [--refuse-index PREFIX] [--throttle-first N]

--status N           every request answered HTTP N (a broken node, for failover)
--refuse-index P     _bulk items into an index starting with P get 400 (mapper_parsing_exception)
--throttle-first N   the first N _bulk items get 429 once (then they are accepted)
GET /_fake/state     what is stored (for the tests): {"assets": {...}, "docs": {index: {id: doc}},
                     "requests": [[method, path], ...], "started": [...], "throttled": N}
"""
import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

LOCK = threading.Lock()
STATE = {"assets": {}, "docs": {}, "requests": [], "started": set(), "throttled": 0}
ARGS = None

# The keys each PUT body may hold (Elasticsearch refuses unknown ones with 400 parse errors).
ALLOWED = {
    "_component_template": {"template", "version", "_meta", "deprecated"},
    "_index_template": {"index_patterns", "composed_of", "template", "priority", "version", "_meta",
                        "data_stream", "allow_auto_create", "ignore_missing_component_templates",
                        "deprecated"},
    "_ingest/pipeline": {"description", "processors", "on_failure", "version", "_meta",
                         "deprecated"},
    "_ilm/policy": {"policy"},
    "_transform": {"source", "dest", "description", "frequency", "latest", "pivot", "_meta",
                   "retention_policy", "settings", "sync"},
}
REQUIRED = {
    "_component_template": {"template"},
    "_index_template": {"index_patterns"},
    "_ingest/pipeline": {"processors"},
    "_ilm/policy": {"policy"},
    "_transform": {"source", "dest"},
}


def error(status, etype, reason):
    return status, {"error": {"root_cause": [{"type": etype, "reason": reason}], "type": etype,
                              "reason": reason}, "status": status}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, line):
        with open(ARGS.log, "a") as f:
            f.write(line + "\n")

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.log(f"{method} {self.path} {len(raw)}")
        with LOCK:
            STATE["requests"].append([method, self.path])
        if ARGS.status:
            return self.answer(ARGS.status, {"error": "scripted", "status": ARGS.status})
        if url.path == "/_fake/state":
            with LOCK:
                state = {"assets": STATE["assets"], "docs": STATE["docs"],
                         "requests": STATE["requests"], "started": sorted(STATE["started"]),
                         "throttled": STATE["throttled"], "conflicts": STATE.get("conflicts", 0)}
            return self.answer(200, state)
        if ARGS.api_key:
            want = "ApiKey " + base64.b64encode(ARGS.api_key.encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.answer(*error(401, "security_exception",
                                          "unable to authenticate with provided credentials"))
        try:
            status, body = self.route(method, url.path, query, raw)
        except Unexpected as e:
            self.log(f"UNEXPECTED {method} {self.path}: {e}")
            status, body = error(400, "illegal_argument_exception", f"fake: {e}")
        self.answer(status, body)

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def json_body(self, raw):
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            raise Unexpected(f"Content-Type {self.headers.get('Content-Type')!r}, want JSON")
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise Unexpected(f"body is not JSON: {e}")
        if not isinstance(body, dict):
            raise Unexpected("body is not an object")
        return body

    def check_keys(self, api, body):
        extra = set(body) - ALLOWED[api]
        missing = REQUIRED[api] - set(body)
        if extra or missing:
            raise Unexpected(f"{api} body: unknown keys {sorted(extra)}, missing {sorted(missing)}")

    def route(self, method, path, query, raw):
        if path == "/" and method == "GET":
            return 200, {"name": "fake", "cluster_name": "fake",
                         "version": {"number": ARGS.version, "build_flavor": "default"},
                         "tagline": "You Know, for Search"}
        if path == "/_bulk" and method == "POST":
            return self.bulk(raw)
        for api in ("_component_template", "_index_template", "_ingest/pipeline", "_ilm/policy"):
            prefix = "/" + api + "/"
            if path.startswith(prefix) and "/" not in path[len(prefix):]:
                return self.asset(method, api, path[len(prefix):], raw)
        if path.startswith("/_transform/"):
            return self.transform(method, path[len("/_transform/"):], query, raw)
        raise Unexpected("unknown endpoint")

    def asset(self, method, api, name, raw):
        key = api + "/" + name
        if method == "GET":
            with LOCK:
                body = STATE["assets"].get(key)
            if body is None:
                return (404, {}) if api == "_ingest/pipeline" else error(
                    404, "resource_not_found_exception", f"{name} missing")
            # Elasticsearch's envelopes, with keys of its own added.
            if api == "_component_template":
                return 200, {"component_templates": [{"name": name, "component_template": body}]}
            if api == "_index_template":
                t = json.loads(json.dumps(body))
                if "data_stream" in t:
                    t["data_stream"].update({"hidden": False, "allow_custom_routing": False})
                return 200, {"index_templates": [{"name": name, "index_template": t}]}
            if api == "_ilm/policy":
                p = json.loads(json.dumps(body["policy"]))
                for phase in p.get("phases", {}).values():
                    if "delete" in phase.get("actions", {}):
                        phase["actions"]["delete"]["delete_searchable_snapshot"] = True
                return 200, {name: {"version": 1, "modified_date": "2026-01-01T00:00:00.000Z",
                                    "policy": p, "in_use_by": {"indices": []}}}
            return 200, {name: body}
        if method == "PUT":
            body = self.json_body(raw)
            self.check_keys(api, body)
            with LOCK:
                STATE["assets"][key] = body
            return 200, {"acknowledged": True}
        raise Unexpected("method")

    def transform(self, method, rest, query, raw):
        parts = rest.split("/")
        tid = parts[0]
        key = "_transform/" + tid
        with LOCK:
            stored = STATE["assets"].get(key)
        if len(parts) == 1 and method == "GET":
            if stored is None:
                return error(404, "resource_not_found_exception",
                             f"Transform with id [{tid}] could not be found")
            t = dict(stored, id=tid, version="8.17.0", create_time=1, settings={})
            return 200, {"count": 1, "transforms": [t]}
        if len(parts) == 1 and method == "PUT":
            if query.get("defer_validation") != ["true"]:
                raise Unexpected("PUT _transform without defer_validation=true")
            body = self.json_body(raw)
            self.check_keys("_transform", body)
            if stored is not None:
                return error(409, "resource_already_exists_exception",
                             f"Transform with id [{tid}] already exists")
            with LOCK:
                STATE["assets"][key] = body
            return 200, {"acknowledged": True}
        if parts[1:] == ["_update"] and method == "POST":
            body = self.json_body(raw)
            self.check_keys("_transform", body)
            if "latest" in body or "pivot" in body:
                raise Unexpected("_update with latest or pivot")
            if stored is None:
                return error(404, "resource_not_found_exception", "missing")
            with LOCK:
                STATE["assets"][key] = dict(stored, **body)
            return 200, STATE["assets"][key]
        if parts[1:] == ["_start"] and method == "POST":
            if raw:
                raise Unexpected("_start with a body")
            if stored is None:
                return error(404, "resource_not_found_exception", "missing")
            with LOCK:
                if tid in STATE["started"]:
                    return error(409, "status_exception",
                                 f"Cannot start transform [{tid}] as it is already started.")
                STATE["started"].add(tid)
            return 200, {"acknowledged": True}
        raise Unexpected("transform endpoint")

    def bulk(self, raw):
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-ndjson":
            raise Unexpected("_bulk without application/x-ndjson")
        lines = raw.decode().split("\n")
        if lines[-1] != "":
            raise Unexpected("_bulk body must end with a newline")
        lines = lines[:-1]
        if len(lines) % 2:
            raise Unexpected("_bulk: an action without its document")
        items, errors = [], False
        for i in range(0, len(lines), 2):
            action, doc = json.loads(lines[i]), json.loads(lines[i + 1])
            if list(action) != ["create"] or set(action["create"]) - {"_index", "_id"}:
                raise Unexpected(f"_bulk action {action}")
            index, _id = action["create"]["_index"], action["create"].get("_id")
            if _id is None:  # Elasticsearch makes one up
                with LOCK:
                    STATE["auto_id"] = STATE.get("auto_id", 0) + 1
                    _id = "auto-%d" % STATE["auto_id"]
            item = {"_index": index, "_id": _id}
            with LOCK:
                throttle = STATE["throttled"] < ARGS.throttle_first
                if throttle:
                    STATE["throttled"] += 1
                docs = STATE["docs"].setdefault(index, {})
                if throttle:
                    item.update(status=429, error={"type": "es_rejected_execution_exception",
                                                   "reason": "rejected execution (fake)"})
                elif ARGS.refuse_index and index.startswith(ARGS.refuse_index):
                    item.update(status=400, error={
                        "type": "document_parsing_exception",
                        "reason": "[1:2] failed to parse field [threat] (fake)"})
                elif _id in docs:
                    STATE["conflicts"] = STATE.get("conflicts", 0) + 1
                    item.update(status=409, error={"type": "version_conflict_engine_exception",
                                                   "reason": f"[{_id}]: document already exists"})
                else:
                    docs[_id] = doc
                    item.update(status=201, result="created")
            errors = errors or item["status"] >= 300
            items.append({"create": item})
        return 200, {"took": 1, "errors": errors, "items": items}


class Unexpected(Exception):
    pass


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--version", default="8.17.0")
    p.add_argument("--api-key", default="")
    p.add_argument("--status", type=int, default=0)
    p.add_argument("--refuse-index", default="")
    p.add_argument("--throttle-first", type=int, default=0)
    ARGS = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
