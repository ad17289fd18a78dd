#!/usr/bin/env bash
# Renders the kustomize base in deploy/k8s and validates it strictly against the Kubernetes
# schemas (kubernetes-validate --strict: unknown fields are errors), then checks what the
# base promises for every service: two replicas, probes, requests and limits, non-root with
# a read-only root file system, a Service, an HPA, a PDB and an Ingress host of its own.
# Renderer: `kubectl kustomize`, else the `kustomize` binary, else (said so in the output)
# a plain reading of kustomization.yaml's `resources` and `images`, which is all it uses.
set -euo pipefail
cd "$(dirname "$0")/k8s"

command -v kubernetes-validate >/dev/null || pip install -q kubernetes-validate
if ! command -v kubectl >/dev/null && ! command -v kustomize >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null 2>&1 || true
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if command -v kubectl >/dev/null; then
    echo "render: kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/Kustomize Version: //p'))"
    kubectl kustomize . >"$out/all.yaml"
elif command -v kustomize >/dev/null; then
    echo "render: kustomize build"
    kustomize build . >"$out/all.yaml"
else
    echo "render: NOT kustomize (neither kubectl nor kustomize installable); resources and images only"
    python3 - >"$out/all.yaml" <<'EOF'
import sys, yaml
k = yaml.safe_load(open("kustomization.yaml"))
unknown = set(k) - {"apiVersion", "kind", "resources", "images"}
if unknown:
    sys.exit(f"the fallback renderer does not know {sorted(unknown)}")
images = {i["name"]: i for i in k.get("images", [])}
docs = [d for r in k["resources"] for d in yaml.safe_load_all(open(r)) if d]
for d in docs:
    for c in d.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
        name, _, tag = c["image"].partition(":")
        if name in images:
            i = images[name]
            c["image"] = f'{i.get("newName", name)}:{i.get("newTag", tag or "latest")}'
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
EOF
fi

kubernetes-validate --strict --quiet "$out/all.yaml"
echo "kubernetes-validate --strict: $(grep -c '^kind:' "$out/all.yaml") resources valid"

# The validator must refuse what it should (an unknown field), or its pass means nothing.
sed '0,/^  replicas: 2$/s//  replicas: 2\n  replica: 2/' "$out/all.yaml" >"$out/bad.yaml"
if kubernetes-validate --strict --quiet "$out/bad.yaml" >/dev/null 2>&1; then
    echo "kubernetes-validate accepted an unknown field" >&2
    exit 1
fi

python3 - "$out/all.yaml" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
by = {}
for d in docs:
    by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
services = ["staffing", "training-record", "process-change", "scheduling"]
problems = []
def need(ok, what):
    if not ok:
        problems.append(what)
hosts = {}
for rule in by["Ingress"]["continuity"]["spec"]["rules"]:
    backends = {p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    hosts[rule["host"]] = backends
for s in services:
    dep = by["Deployment"].get(s)
    need(dep is not None, f"{s}: no Deployment")
    if dep is None:
        continue
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    need(spec["replicas"] == 2, f"{s}: replicas {spec['replicas']}")
    need(c.get("args") == [s], f"{s}: the container does not run {s}")
    need(c["readinessProbe"]["httpGet"]["path"] == "/health/ready", f"{s}: readiness probe")
    need(c["livenessProbe"]["httpGet"]["path"] == "/health/live", f"{s}: liveness probe")
    need({"cpu", "memory"} <= set(c["resources"]["requests"]) and
         {"cpu", "memory"} <= set(c["resources"]["limits"]), f"{s}: requests and limits")
    need(pod["securityContext"].get("runAsNonRoot") is True, f"{s}: runAsNonRoot")
    need(c["securityContext"].get("readOnlyRootFilesystem") is True, f"{s}: read-only root")
    need(s in by["Service"], f"{s}: no Service")
    hpa = by["HorizontalPodAutoscaler"].get(s)
    need(hpa is not None and hpa["spec"]["minReplicas"] >= 2, f"{s}: HPA")
    need(s in by["PodDisruptionBudget"], f"{s}: no PDB")
    own = [h for h, b in hosts.items() if b == {s}]
    need(len(own) == 1, f"{s}: not exactly one Ingress host of its own")
    env = {e["name"] for e in c.get("env", [])}
    need(any(n.endswith("__DATABASE_URL") for n in env), f"{s}: no database URL (PostgreSQL is external)")
# Recordings on S3-compatible storage, its credentials from a Secret, never in the ConfigMap.
config = by["ConfigMap"]["continuity-config"]["data"]
need(config.get("CONTINUITY_TRAINING_RECORD__S3_BUCKET"), "training-record: no S3 bucket")
tr_env = {e["name"]: e for e in by["Deployment"]["training-record"]["spec"]["template"]["spec"]["containers"][0].get("env", [])}
for key in ["CONTINUITY_TRAINING_RECORD__S3_ACCESS_KEY_ID", "CONTINUITY_TRAINING_RECORD__S3_SECRET_ACCESS_KEY"]:
    need("secretKeyRef" in tr_env.get(key, {}).get("valueFrom", {}), f"training-record: {key} not from a Secret")
    need(key not in config, f"{key} in the ConfigMap")
if problems:
    sys.exit("deploy/k8s: " + "; ".join(problems))
print(f"deploy/k8s: {len(services)} services, each 2 replicas, probes, limits, non-root, read-only root, Service, HPA, PDB, own host; recordings on S3 with credentials from a Secret")
EOF
