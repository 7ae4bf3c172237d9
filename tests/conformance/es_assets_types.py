#!/usr/bin/env python3
"""The Elasticsearch assets checked against Elasticsearch's own request definitions.

Each generated request body (packaging/elasticsearch/es_assets_gen.cpp) is assigned, as an object
literal, to the request type of Elastic's JavaScript client (`estypes.*Request` of
@elastic/elasticsearch, generated from the elasticsearch-specification), and `tsc --noEmit
--strict` type-checks the lot: an unknown key (excess property), a wrong value type or a value
outside an enum (a mapping `type`, a processor option) fails the test.

  es_assets_types.py ASSETS_DIR WORK_DIR [--print-ts]

WORK_DIR gets node_modules (npm install --no-audit --no-fund, once) and the .ts file. Without
node and npm, or when the npm registry cannot be reached, the test is skipped (exit 77).
"""
import json
import os
import shutil
import subprocess
import sys

SKIP = 77
# The client major that matches the oldest Elasticsearch misp-agent setup supports (8.x): its
# request types describe the 8.x APIs. typescript 5 reads them.
PACKAGES = ["@elastic/elasticsearch@8", "typescript@5"]

# asset folder -> (request type, the key naming the asset in the request)
REQUESTS = {
    "component_template": ("estypes.ClusterPutComponentTemplateRequest", "name"),
    "index_template": ("estypes.IndicesPutIndexTemplateRequest", "name"),
    "ingest_pipeline": ("estypes.IngestPutPipelineRequest", "id"),
    "ilm": ("estypes.IlmPutLifecycleRequest", "name"),
    "data_stream_lifecycle": ("estypes.IndicesPutDataLifecycleRequest", "name"),
    "transform": ("TransformPutTransformRequest", "transform_id"),
}

# The one known gap of the specification the clients are generated from: transform destination
# aliases (Elasticsearch 8.8, elastic/elasticsearch#94943; Elastic's ti_misp transform uses them)
# entered it only with elastic/elasticsearch-specification#6544 (2026-08), after the clients
# installed here. The extension is exactly what that pull request adds; everything else is
# Elastic's type unchanged.
PRELUDE = """\
type TransformDestinationAlias = { alias: string; move_on_creation?: boolean }
type TransformPutTransformRequest = Omit<estypes.TransformPutTransformRequest, 'dest'> & {
  dest: estypes.TransformDestination & { aliases?: TransformDestinationAlias[] }
}
"""


def typescript(assets_dir):
    """The .ts text: one typed constant per asset file; raises on an asset folder without a type."""
    lines = ["import type { estypes } from '@elastic/elasticsearch'", "", PRELUDE]
    count = 0
    for folder in sorted(os.listdir(assets_dir)):
        path = os.path.join(assets_dir, folder)
        if not os.path.isdir(path):
            continue
        if folder not in REQUESTS:
            raise SystemExit(f"FAIL: assets folder {folder}/ has no request type in {__file__}")
        request, key = REQUESTS[folder]
        for name in sorted(os.listdir(path)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(path, name), encoding="utf-8") as f:
                body = json.load(f)
            if not isinstance(body, dict):
                raise SystemExit(f"FAIL: {folder}/{name} is not a JSON object")
            asset = name[: -len(".json")]
            if folder == "data_stream_lifecycle":
                asset += "-*"
            typed = {key: asset}
            typed.update(body)
            count += 1
            lines.append(f"// {folder}/{name}")
            lines.append(f"export const asset{count}: {request} = "
                         + json.dumps(typed, indent=2, ensure_ascii=False))
            lines.append("")
    if count == 0:
        raise SystemExit(f"FAIL: no assets under {assets_dir}")
    return "\n".join(lines), count


def ensure_packages(work_dir):
    """node_modules in work_dir, installed once; False when npm cannot install them."""
    marker = os.path.join(work_dir, "node_modules", ".misp-packages")
    if os.path.exists(marker) and open(marker).read() == " ".join(PACKAGES):
        return True
    with open(os.path.join(work_dir, "package.json"), "w") as f:
        json.dump({"name": "misp-es-assets-types", "private": True}, f)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", *PACKAGES],
                       cwd=work_dir, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(f"SKIP: npm install failed (no registry?):\n{r.stdout}{r.stderr}")
        return False
    with open(marker, "w") as f:
        f.write(" ".join(PACKAGES))
    return True


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    assets_dir, work_dir = sys.argv[1], sys.argv[2]
    text, count = typescript(assets_dir)
    if "--print-ts" in sys.argv[3:]:
        print(text)
        return 0
    if not shutil.which("node") or not shutil.which("npm"):
        print("SKIP: node and npm are needed (scripts/install-deps.sh installs nodejs and npm)")
        return SKIP
    os.makedirs(work_dir, exist_ok=True)
    if not ensure_packages(work_dir):
        return SKIP
    ts = os.path.join(work_dir, "assets.ts")
    with open(ts, "w", encoding="utf-8") as f:
        f.write(text)
    tsc = os.path.join(work_dir, "node_modules", ".bin", "tsc")
    r = subprocess.run([tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext",
                        "--moduleResolution", "nodenext", "--skipLibCheck", ts],
                       cwd=work_dir, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(f"FAIL: tsc refused the assets ({ts}):\n{r.stdout}{r.stderr}")
        return 1
    print(f"OK: {count} asset bodies match Elasticsearch's request types ({' '.join(PACKAGES)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
