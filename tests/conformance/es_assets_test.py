#!/usr/bin/env python3
"""The generated Elasticsearch assets parse, carry the names and settings of Elastic's ti_misp
integration (../shared/reference/ti_misp-pipelines.md section 6), and their mappings are the
fields/ catalogue's (fields_gen's mappings, constant_keyword values included).

Usage: es_assets_test.py ASSETS_DIR FIELDS_GENERATED_DIR
"""
import json
import pathlib
import sys

assets, fields = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
failures = []


def check(name, got, want):
    if got != want:
        failures.append(f"{name}: got {json.dumps(got)}, want {json.dumps(want)}")


def load(rel):
    return json.loads((assets / rel).read_text())


def at(doc, path):
    """The mapping of a dotted field path, or None."""
    node = doc
    for seg in path.split("."):
        node = node.get("properties", {}).get(seg)
        if node is None:
            return None
    return node


expected_files = {
    "component_template/logs-ti_misp.threat@package.json",
    "component_template/logs-ti_misp.threat_attributes@package.json",
    "index_template/logs-ti_misp.threat.json",
    "index_template/logs-ti_misp.threat_attributes.json",
    "index_template/logs-ti_misp_latest.dest_threat_attributes.json",
    "ingest_pipeline/logs-ti_misp@final.json",
    "ilm/logs-ti_misp.threat_attributes-default_policy.json",
    "data_stream_lifecycle/logs-ti_misp.threat_attributes.json",
    "transform/logs-ti_misp.latest_ioc-default-0.2.0.json",
}
check("asset files", sorted(str(p.relative_to(assets)) for p in assets.rglob("*.json")),
      sorted(expected_files))

# Index and component templates: one data stream template per stream, mappings from fields/.
for stream in ("threat", "threat_attributes"):
    name = f"logs-ti_misp.{stream}"
    it = load(f"index_template/{name}.json")
    check(f"{name} index_patterns", it["index_patterns"], [f"{name}-*"])
    check(f"{name} data_stream", it["data_stream"], {})
    check(f"{name} composed_of", it["composed_of"], [f"{name}@package", f"{name}@custom"])
    check(f"{name} ignore_missing", it["ignore_missing_component_templates"], [f"{name}@custom"])
    ct = load(f"component_template/{name}@package.json")["template"]
    mappings = json.loads((fields / f"{stream}.mappings.json").read_text())
    check(f"{name} mappings are fields_gen's", ct["mappings"], mappings)
    check(f"{name} final_pipeline", ct["settings"]["index"]["final_pipeline"], "logs-ti_misp@final")
    check(f"{name} lifecycle", ct["settings"]["index"].get("lifecycle"),
          {"name": "logs-ti_misp.threat_attributes-default_policy"}
          if stream == "threat_attributes" else None)
    for path, value in ((
            "event.module", "ti_misp"), ("event.dataset", f"ti_misp.{stream}"),
            ("data_stream.dataset", f"ti_misp.{stream}"), ("data_stream.type", "logs")):
        check(f"{name} {path}", at(mappings, path), {"type": "constant_keyword", "value": value})
    check(f"{name} data_stream.namespace", at(mappings, "data_stream.namespace"),
          {"type": "constant_keyword"})
    check(f"{name} event.ingested", at(mappings, "event.ingested"), {"type": "date"})
attr = json.loads((fields / "threat_attributes.mappings.json").read_text())
check("source labels.is_ioc_transform_source", at(attr, "labels.is_ioc_transform_source"),
      {"type": "constant_keyword", "value": "true"})
check("decayed_at is a date", at(attr, "misp.attribute.decayed_at"), {"type": "date"})

# The transform's destination index template.
dest = load("index_template/logs-ti_misp_latest.dest_threat_attributes.json")
check("dest index_patterns", dest["index_patterns"], ["logs-ti_misp_latest.dest_threat_attributes-*"])
check("dest has no data_stream", "data_stream" in dest, False)
dm = dest["template"]["mappings"]
check("dest data_stream.namespace", at(dm, "data_stream.namespace"), {"type": "keyword"})
check("dest labels.is_ioc_transform_source", at(dm, "labels.is_ioc_transform_source"),
      {"type": "constant_keyword", "value": "false"})
check("dest email.subject", at(dm, "threat.indicator.email.subject"), {"type": "keyword"})
check("dest decayed_at", at(dm, "misp.attribute.decayed_at"), {"type": "date"})

# Final pipeline: event.ingested from the ingest timestamp; event.original kept only when tagged.
fp = load("ingest_pipeline/logs-ti_misp@final.json")["processors"]
check("final: first sets event.ingested", fp[0]["set"]["field"], "event.ingested")
check("final: from _ingest.timestamp", fp[0]["set"]["copy_from"], "_ingest.timestamp")
removes = [p["remove"] for p in fp if "remove" in p]
original = [r for r in removes if r["field"] == "event.original"]
check("final: removes event.original", len(original), 1)
check("final: unless preserve_original_event", "preserve_original_event" in original[0]["if"], True)

# Retention: ILM 2 d rollover + 3 d delete (about 5 d from ingest); DSL 5 d.
ilm = load("ilm/logs-ti_misp.threat_attributes-default_policy.json")["policy"]["phases"]
check("ilm hot rollover", ilm["hot"]["actions"]["rollover"], {"max_age": "2d"})
check("ilm delete min_age", ilm["delete"]["min_age"], "3d")
check("ilm delete action", ilm["delete"]["actions"], {"delete": {}})
check("data stream lifecycle", load("data_stream_lifecycle/logs-ti_misp.threat_attributes.json"),
      {"data_retention": "5d"})

# The latest_ioc transform, as section 6 states it.
t = load("transform/logs-ti_misp.latest_ioc-default-0.2.0.json")
check("transform source", t["source"], {"index": ["logs-ti_misp.threat_attributes-*"]})
check("transform dest", t["dest"], {
    "index": "logs-ti_misp_latest.dest_threat_attributes-2",
    "aliases": [{"alias": "logs-ti_misp_latest.threat_attributes", "move_on_creation": True}]})
check("transform latest", t["latest"], {
    "unique_key": ["event.dataset", "misp.attribute.uuid", "misp.attribute.Event.uuid"],
    "sort": "@timestamp"})
check("transform frequency", t["frequency"], "30s")
check("transform sync", t["sync"], {"time": {"field": "event.ingested", "delay": "120s"}})
check("transform retention", t["retention_policy"],
      {"time": {"field": "misp.attribute.decayed_at", "max_age": "1m"}})
check("transform version", t["_meta"]["fleet_transform_version"], "0.2.0")
check("transform keys", sorted(t), sorted(
    ["description", "source", "dest", "frequency", "sync", "retention_policy", "latest", "_meta"]))

for f in failures:
    print("FAIL:", f, file=sys.stderr)
print(f"es_assets: {len(expected_files)} files, {len(failures)} failures")
sys.exit(1 if failures else 0)
