#!/usr/bin/env bash
# Deploys SdAgones to GKE from deploy/settings.json, step by step (docs/deploy-gke.md says what each step does).
#
#   IAP_MEMBERS=user:alice@example.com,group:sd@example.com deploy/gke.sh
#
# Inputs (all checked before anything in the cloud is touched; every missing one is named in one message):
#   deploy/settings.json       every setting (the generator checks them all, including that cluster.version is one
#                              of the Kubernetes versions agones.kubernetesVersions says the Agones release supports)
#   IAP_MEMBERS                who may sign in: comma-separated IAM members (user:..., group:..., domain:...)
#   IAP_CLIENT_ID/SECRET       only when iap.oauthSecretName is set: your own OAuth client; with iap.oauthSecretName
#                              empty, IAP uses a Google-managed OAuth client and these are not needed
# Tools: gcloud (signed in, with rights on the project), kubectl 1.21+, helm 3, jq and the .NET 10 SDK.
#
# Re-runnable: every run regenerates manifests/ from settings.json and re-applies everything (a new image tag,
# domain or fleet size takes effect); cloud resources that exist are kept. The OAuth client's id and secret go only
# into a Kubernetes Secret, never into a file.
#
# For tests and dry runs: SDAGONES_SETTINGS, SDAGONES_MANIFESTS and SDAGONES_ASPIRE_MANIFEST move the settings file,
# the manifests folder and the kept Aspire manifest; SDAGONES_PREBUILT=1 uses already built binaries.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
settings="${SDAGONES_SETTINGS:-deploy/settings.json}"
manifests="${SDAGONES_MANIFESTS:-manifests}"
export SDAGONES_SETTINGS="$settings" SDAGONES_MANIFESTS="$manifests"
generator="tools/SdAgones.Manifests"

current_step="checking the inputs"
hint="docs/deploy-gke.md, section 'When something fails'"
step() { current_step="$1"; hint="${2:-docs/deploy-gke.md, section 'When something fails'}"; printf '\n==> %s\n' "$1"; }
run() { printf '+ %s\n' "$*"; "$@"; }
on_error() {
  local status=$?
  printf '\nerror: the step "%s" failed (exit %s).\n  Look at: %s\n  Fix the cause and run deploy/gke.sh again; it picks up where things stand.\n' \
    "$current_step" "$status" "$hint" >&2
  exit "$status"
}
trap on_error ERR

# --- 1. Inputs: everything is checked, and every problem reported at once, before any cloud call. ----------------
if (($# > 0)); then
  echo "error: deploy/gke.sh takes no arguments (got '$1'); settings go in $settings and who may sign in in IAP_MEMBERS, e.g. IAP_MEMBERS=user:alice@example.com deploy/gke.sh" >&2
  exit 2
fi
problems=()
for tool in gcloud kubectl helm jq dotnet; do
  command -v "$tool" >/dev/null || problems+=("the tool '$tool' is not installed (docs/deploy-gke.md, 'Before you start')")
done
if [[ -z "${IAP_MEMBERS:-}" ]]; then
  problems+=("IAP_MEMBERS is not set: who may sign in, e.g. IAP_MEMBERS=user:alice@example.com,group:sd@example.com")
else
  IFS=',' read -ra members <<<"$IAP_MEMBERS"
  for member in "${members[@]}"; do
    [[ "$member" =~ ^(user|group|serviceAccount):[^@[:space:]]+@[^@[:space:]]+$|^domain:[a-z0-9.-]+\.[a-z]+$ ]] \
      || problems+=("IAP_MEMBERS has \"$member\", which is not an IAM member; use user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN, comma-separated, e.g. IAP_MEMBERS=user:alice@example.com,domain:example.com")
  done
fi
if [[ ! -f "$settings" ]]; then
  problems+=("$settings does not exist; copy deploy/settings.json, fill it in (docs/deploy-gke.md, 'The inputs') and point SDAGONES_SETTINGS at it, or edit deploy/settings.json itself")
elif command -v dotnet >/dev/null; then
  if [[ "${SDAGONES_PREBUILT:-}" == 1 ]]; then
    check_args=(--no-build -c "${SDAGONES_CONFIGURATION:-Debug}")
  else
    dotnet build "$generator" --nologo -v quiet -clp:NoSummary >/dev/null || problems+=("the manifest generator ($generator) does not build")
    check_args=(--no-build)
  fi
  if ! check_output="$(dotnet run "${check_args[@]}" --project "$generator" -- check --settings "$settings" 2>&1)"; then
    # One line per bad setting, each already naming the file and line, the key, the value, what is allowed, an example.
    while IFS= read -r line; do
      line="${line#error: }"
      [[ -n "$line" ]] && problems+=("$line")
    done <<<"$check_output"
  fi
  if command -v jq >/dev/null && jq -e . "$settings" >/dev/null 2>&1; then
    if [[ -n "$(jq -r '.iap.oauthSecretName // ""' "$settings")" ]]; then
      [[ -n "${IAP_CLIENT_ID:-}" ]] || problems+=("IAP_CLIENT_ID is not set, and iap.oauthSecretName asks for your own OAuth client (or set iap.oauthSecretName to \"\" for a Google-managed one)")
      [[ -n "${IAP_CLIENT_SECRET:-}" ]] || problems+=("IAP_CLIENT_SECRET is not set, and iap.oauthSecretName asks for your own OAuth client")
    fi
  fi
fi
if ((${#problems[@]} > 0)); then
  {
    echo "error: deploy/gke.sh cannot start; nothing in the cloud was touched. Fix these ${#problems[@]} input(s):"
    printf '  - %s\n' "${problems[@]}"
  } >&2
  exit 2
fi

setting() { jq -er "$1" "$settings"; }
PROJECT_ID="$(setting .project.id)"
REGION="$(setting .project.region)"
ZONE="$(setting .project.zone)"
CLUSTER="$(setting .cluster.name)"
NETWORK="$(setting .cluster.network)"
NAMESPACE="$(setting .cluster.namespace)"
GKE_VERSION="$(setting .cluster.version)"
RELEASE_CHANNEL="$(setting .cluster.releaseChannel)"
GPU_DRIVER="$(setting .cluster.gpuDriver)"
REGISTRY="$(setting .images.registry)"          # HOST/PROJECT/REPOSITORY
TAG="$(setting .images.tag)"
DOMAIN="$(setting .ingress.domain)"
STATIC_IP_NAME="$(setting .ingress.staticIpName)"
OAUTH_SECRET="$(jq -r '.iap.oauthSecretName' "$settings")"
FILESTORE="$(setting .filestore.instance)"
FILESTORE_SHARE="$(setting .filestore.share)"
FILESTORE_CAPACITY="$(setting .filestore.capacity)"   # 1Ti -> gcloud's 1TB (gcloud's TB is 1024 GB)
MEMORYSTORE="$(setting .memorystore.instance)"
AGONES_VERSION="$(setting .agones.chartVersion)"
AGONES_KUBERNETES="$(jq -r '.agones.kubernetesVersions | join(" ")' "$settings")"
BATCH_WAIT="$(setting .agones.allocationBatchWaitTime)"

REGISTRY_HOST="${REGISTRY%%/*}"
REGISTRY_PATH="${REGISTRY#*/}"
AR_REPOSITORY="${REGISTRY_PATH#*/}"

# Refuses a Kubernetes minor version the pinned Agones release does not support, naming both.
require_supported() { # minor, where it comes from
  local supported
  for supported in $AGONES_KUBERNETES; do [[ "$1" == "$supported" ]] && return 0; done
  echo "error: $2 is Kubernetes $1, which Agones $AGONES_VERSION does not support (it supports ${AGONES_KUBERNETES// /, })." >&2
  echo "  Change cluster.version, or agones.chartVersion and agones.kubernetesVersions together, in $settings (docs/deploy-gke.md, 'Versions')." >&2
  exit 3
}
require_supported "$GKE_VERSION" "cluster.version"

step "Project $PROJECT_ID: enabling the APIs" "gcloud services list --enabled; your rights on the project"
run gcloud config set project "$PROJECT_ID"
run gcloud services enable compute.googleapis.com container.googleapis.com artifactregistry.googleapis.com \
  cloudbuild.googleapis.com file.googleapis.com redis.googleapis.com iap.googleapis.com \
  monitoring.googleapis.com logging.googleapis.com cloudtrace.googleapis.com

step "GKE cluster $CLUSTER at Kubernetes $GKE_VERSION ($RELEASE_CHANNEL channel; Agones $AGONES_VERSION supports ${AGONES_KUBERNETES// /, })" \
  "gcloud container clusters describe $CLUSTER --location $REGION; gcloud container get-server-config --location $REGION"
if ! gcloud container clusters describe "$CLUSTER" --location "$REGION" >/dev/null 2>&1; then
  offered="$(gcloud container get-server-config --location "$REGION" --flatten channels \
    --filter "channels.channel=${RELEASE_CHANNEL^^}" --format 'value(channels.validVersions)')"
  if [[ ";${offered//,/;}" != *";$GKE_VERSION."* ]]; then
    echo "error: the $RELEASE_CHANNEL channel in $REGION no longer offers Kubernetes $GKE_VERSION (it offers: ${offered:-nothing})." >&2
    echo "  Pick a version both it and Agones $AGONES_VERSION support (${AGONES_KUBERNETES// /, }), or a newer Agones (docs/deploy-gke.md, 'Versions')." >&2
    exit 3
  fi
  run gcloud container clusters create "$CLUSTER" --location "$REGION" --node-locations "$ZONE" \
    --cluster-version "$GKE_VERSION" --release-channel "$RELEASE_CHANNEL" --network "$NETWORK" --enable-ip-alias \
    --enable-dataplane-v2 --enable-image-streaming --addons HttpLoadBalancing,GcePersistentDiskCsiDriver \
    --machine-type e2-standard-4 --num-nodes 2 --enable-autoscaling --min-nodes 1 --max-nodes 4 \
    --workload-pool "$PROJECT_ID.svc.id.goog" --enable-managed-prometheus
fi
master_version="$(gcloud container clusters describe "$CLUSTER" --location "$REGION" --format 'value(currentMasterVersion)')"
require_supported "$(cut -d. -f1,2 <<<"$master_version")" "cluster $CLUSTER (running $master_version)"

# One GPU node pool per profile (deploy/settings.json "profiles"; none: the one T4 spot pool gpu-t4 of cluster.gpuMachineType
# and cluster.gpuMaxNodes). The generator resolves them from the same settings as the Fleets: each node has the profile's
# GPUs, so one runtime fills one node and the pool's maximum is the profile's maxReplicas.
node_pools_text="$(dotnet run "${check_args[@]}" --project "$generator" -- node-pools --settings "$settings")"
while read -r pool machine accelerator gpus kind max_nodes; do
  [[ -n "$pool" ]] || continue
  spot_flag=(); [[ "$kind" == spot ]] && spot_flag=(--spot)
  step "GPU node pool $pool: $machine with ${gpus}× $accelerator ($kind), autoscaling from 0 to $max_nodes, NVIDIA driver '$GPU_DRIVER' installed by GKE" \
    "gcloud container node-pools describe $pool --cluster $CLUSTER --location $REGION; GPU quota in the region"
  if ! gcloud container node-pools describe "$pool" --cluster "$CLUSTER" --location "$REGION" >/dev/null 2>&1; then
    run gcloud container node-pools create "$pool" --cluster "$CLUSTER" --location "$REGION" --node-locations "$ZONE" \
      --machine-type "$machine" --accelerator "type=$accelerator,count=$gpus,gpu-driver-version=$GPU_DRIVER" \
      "${spot_flag[@]}" --enable-autoscaling --total-min-nodes 0 --total-max-nodes "$max_nodes" --num-nodes 0 \
      --location-policy ANY --disk-type pd-balanced --disk-size 200 --max-surge-upgrade 1 --max-unavailable-upgrade 0
  fi
done <<<"$node_pools_text"
run gcloud container clusters get-credentials "$CLUSTER" --location "$REGION"

step "Artifact Registry $REGISTRY" "gcloud artifacts repositories describe $AR_REPOSITORY --location $REGION"
if ! gcloud artifacts repositories describe "$AR_REPOSITORY" --location "$REGION" >/dev/null 2>&1; then
  run gcloud artifacts repositories create "$AR_REPOSITORY" --repository-format docker --location "$REGION"
fi
run gcloud auth configure-docker "$REGISTRY_HOST" --quiet

step "Images at tag $TAG: gateway, cruiser and agent with the .NET SDK's container support; the SD WebUI with Cloud Build" \
  "the dotnet publish output above; gcloud builds list --limit 1 and its log in the console"
for project in Gateway Cruiser Agent; do
  repository="sdagones-$(tr '[:upper:]' '[:lower:]' <<<"$project")"
  run dotnet publish "src/SdAgones.$project" -c Release -t:PublishContainer --os linux --arch x64 \
    -p:ContainerRegistry="$REGISTRY_HOST" -p:ContainerRepository="$REGISTRY_PATH/$repository" -p:ContainerImageTag="$TAG"
done
run gcloud builds submit deploy/sd-webui --tag "$REGISTRY/sd-webui:$TAG" --timeout 3600s --machine-type e2-highcpu-8

step "Filestore $FILESTORE (models and people's folders)" "gcloud filestore instances describe $FILESTORE --zone $ZONE"
if ! gcloud filestore instances describe "$FILESTORE" --zone "$ZONE" >/dev/null 2>&1; then
  run gcloud filestore instances create "$FILESTORE" --zone "$ZONE" --tier BASIC_HDD \
    --file-share "name=$FILESTORE_SHARE,capacity=${FILESTORE_CAPACITY/i/B}" --network "name=$NETWORK"
fi
filestore_ip="$(gcloud filestore instances describe "$FILESTORE" --zone "$ZONE" --format 'value(networks[0].ipAddresses[0])')"

step "Memorystore for Redis $MEMORYSTORE (sessions)" "gcloud redis instances describe $MEMORYSTORE --region $REGION"
if ! gcloud redis instances describe "$MEMORYSTORE" --region "$REGION" >/dev/null 2>&1; then
  run gcloud redis instances create "$MEMORYSTORE" --region "$REGION" --zone "$ZONE" --tier standard --size 1 \
    --redis-version redis_7_2 --network "projects/$PROJECT_ID/global/networks/$NETWORK" --connect-mode DIRECT_PEERING
fi
redis_host="$(gcloud redis instances describe "$MEMORYSTORE" --region "$REGION" --format 'value(host)')"
redis_port="$(gcloud redis instances describe "$MEMORYSTORE" --region "$REGION" --format 'value(port)')"

step "Agones $AGONES_VERSION (allocation batch wait $BATCH_WAIT instead of 500ms; no allocator service: allocation goes through the Kubernetes API)" \
  "helm status sd-agones-release -n agones-system; kubectl get pods -n agones-system"
run helm repo add agones https://agones.dev/chart/stable --force-update
run helm repo update agones
run helm upgrade --install sd-agones-release agones/agones --version "$AGONES_VERSION" \
  --namespace agones-system --create-namespace --wait \
  --set "gameservers.namespaces={$NAMESPACE}" \
  --set "agones.controller.allocationBatchWaitTime=$BATCH_WAIT" \
  --set "agones.extensions.allocationBatchWaitTime=$BATCH_WAIT" \
  --set "agones.allocator.allocationBatchWaitTime=$BATCH_WAIT" \
  --set agones.allocator.install=false \
  --set agones.ping.install=false

step "Global static IP $STATIC_IP_NAME (point $DOMAIN's A record at it)" "gcloud compute addresses describe $STATIC_IP_NAME --global"
if ! gcloud compute addresses describe "$STATIC_IP_NAME" --global >/dev/null 2>&1; then
  run gcloud compute addresses create "$STATIC_IP_NAME" --global
fi
echo "    $DOMAIN -> $(gcloud compute addresses describe "$STATIC_IP_NAME" --global --format 'value(address)')"

if [[ -n "$OAUTH_SECRET" ]]; then
  step "IAP with your OAuth client, as Secret $OAUTH_SECRET" "kubectl describe secret $OAUTH_SECRET -n $NAMESPACE"
  echo "+ kubectl create secret generic $OAUTH_SECRET --from-literal=client_id=*** --from-literal=client_secret=*** | kubectl apply"
  kubectl create secret generic "$OAUTH_SECRET" --namespace "$NAMESPACE" --dry-run=client -o yaml \
    --from-literal=client_id="$IAP_CLIENT_ID" --from-literal=client_secret="$IAP_CLIENT_SECRET" | kubectl apply -f -
else
  step "IAP with a Google-managed OAuth client (iap.oauthSecretName is empty): nothing to create"
fi

project_number="$(gcloud projects describe "$PROJECT_ID" --format 'value(projectNumber)')"
step "Telemetry: the collector's Kubernetes ServiceAccount may write traces, metrics and logs (Workload Identity)" \
  "gcloud projects get-iam-policy $PROJECT_ID; kubectl logs deploy/otel-collector -n $NAMESPACE"
collector_principal="principal://iam.googleapis.com/projects/$project_number/locations/global/workloadIdentityPools/$PROJECT_ID.svc.id.goog/subject/ns/$NAMESPACE/sa/otel-collector"
for role in roles/cloudtrace.agent roles/monitoring.metricWriter roles/logging.logWriter; do
  run gcloud projects add-iam-policy-binding "$PROJECT_ID" --member "$collector_principal" --role "$role" --condition None --quiet --format none
done

update_setting() { # key value: writes one setting and reports it
  local tmp; tmp="$(mktemp)"
  jq --arg v "$2" "$1 = \$v" "$settings" >"$tmp" && mv "$tmp" "$settings"
  echo "    $settings: $1 = $2"
}

step "Settings that only exist now (Filestore IP, Memorystore address); regenerating manifests/ from $settings" \
  "the generator's message above; deploy/generate-manifests runs alone too"
[[ "$(setting .filestore.ip)" == "$filestore_ip" ]] || update_setting .filestore.ip "$filestore_ip"
[[ "$(setting .memorystore.address)" == "$redis_host:$redis_port" ]] || update_setting .memorystore.address "$redis_host:$redis_port"
run deploy/generate-manifests

step "Applying $manifests/overlays/gke" "kubectl get events -n $NAMESPACE --sort-by .lastTimestamp; kubectl describe fleet sd-agones-fleet -n $NAMESPACE"
run kubectl apply -k "$manifests/overlays/gke"

step "The share's layout and ownership (models/ read-only to runtimes, users/ owned by the runtimes' UID)" \
  "kubectl logs job/sd-agones-storage-init -n $NAMESPACE; kubectl describe job sd-agones-storage-init -n $NAMESPACE"
run kubectl delete job sd-agones-storage-init --namespace "$NAMESPACE" --ignore-not-found
run kubectl apply -f "$manifests/jobs/storage-init.yaml"
run kubectl wait --for condition=complete job/sd-agones-storage-init --namespace "$NAMESPACE" --timeout 10m

step "Monitoring: Managed Prometheus scrapes Agones; the dashboard and alert policies" \
  "gcloud monitoring dashboards list; gcloud alpha monitoring policies list; kubectl describe podmonitoring -n agones-system"
run kubectl apply -f "$manifests/monitoring/agones-podmonitoring.yaml"
upsert_monitoring() { # kind (dashboards|policies), file
  local kind="$1" file="$2" name existing
  name="$(jq -r .displayName "$file")"
  local cmd=(gcloud monitoring "$kind"); [[ "$kind" == policies ]] && cmd=(gcloud alpha monitoring policies)
  existing="$("${cmd[@]}" list --filter "displayName=\"$name\"" --format 'value(name)' | head -n1)"
  if [[ -z "$existing" ]]; then
    if [[ "$kind" == policies ]]; then run "${cmd[@]}" create --policy-from-file "$file"; else run "${cmd[@]}" create --config-from-file "$file"; fi
  elif [[ "$kind" == policies ]]; then
    run "${cmd[@]}" update "$existing" --policy-from-file "$file"
  else
    # A dashboard update needs its etag; delete and create keeps one dashboard of that name.
    run "${cmd[@]}" delete "$existing" --quiet
    run "${cmd[@]}" create --config-from-file "$file"
  fi
}
upsert_monitoring dashboards "$manifests/monitoring/dashboard.json"
for policy in "$manifests"/monitoring/alert-*.json; do upsert_monitoring policies "$policy"; done

step "IAP audience: the gateway's backend service, created by the Ingress controller" \
  "kubectl describe ingress sd-agones -n $NAMESPACE (events); gcloud compute backend-services list --global"
backend_id=""
for _ in $(seq 1 60); do
  backend_id="$(gcloud compute backend-services list --global --filter "name~-$NAMESPACE-gateway-8080-" --format 'value(id)' | head -n1)"
  [[ -n "$backend_id" ]] && break
  sleep 10
done
[[ -n "$backend_id" ]] || { echo "error: no backend service for the gateway after 10 minutes" >&2; false; }
audience="/projects/$project_number/global/backendServices/$backend_id"
if [[ "$(setting .iap.audience)" != "$audience" ]]; then
  update_setting .iap.audience "$audience"
  run deploy/generate-manifests
  run kubectl apply -k "$manifests/overlays/gke"
fi

step "Who may sign in (IAP-secured Web App User): $IAP_MEMBERS" "gcloud iap web get-iam-policy --resource-type backend-services --service <name>"
backend_name="$(gcloud compute backend-services list --global --filter "id=$backend_id" --format 'value(name)')"
for member in ${IAP_MEMBERS//,/ }; do
  run gcloud iap web add-iam-policy-binding --resource-type backend-services --service "$backend_name" \
    --member "$member" --role roles/iap.httpsResourceAccessor
done

step "Status"
run kubectl get deployments,fleet,fleetautoscaler,gameservers --namespace "$NAMESPACE"
run kubectl get managedcertificate,ingress --namespace "$NAMESPACE"
echo
echo "Commit the updated $settings and $manifests/ (git diff shows what changed)."
echo "The certificate can take up to an hour to become Active; then open https://$DOMAIN"
