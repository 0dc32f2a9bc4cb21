#!/usr/bin/env bash
# Deploys SdAgones to GKE, step by step, from deploy/settings.json (see docs/deploy-gke.md for what each step does).
#
#   IAP_CLIENT_ID=... IAP_CLIENT_SECRET=... IAP_MEMBERS=user:alice@example.com,group:sd@example.com deploy/gke.sh
#
# Needs gcloud (signed in, with rights on the project), kubectl 1.21+, helm 3, jq and the .NET 10 SDK (Cloud Shell has
# all but the SDK). Safe to re-run: every step skips what already exists. The OAuth client's id and secret are read
# from the environment and go only into a Kubernetes Secret; they are never written to a file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
settings="deploy/settings.json"

step() { printf '\n==> %s\n' "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }
setting() { jq -er "$1" "$settings"; }
exists() { "$@" >/dev/null 2>&1; }

for tool in gcloud kubectl helm jq dotnet; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done

PROJECT_ID="$(setting .project.id)"
REGION="$(setting .project.region)"
ZONE="$(setting .project.zone)"
CLUSTER="$(setting .cluster.name)"
NETWORK="$(setting .cluster.network)"
NAMESPACE="$(setting .cluster.namespace)"
GPU_MACHINE_TYPE="$(setting .cluster.gpuMachineType)"
GPU_MAX_NODES="$(setting .cluster.gpuMaxNodes)"
REGISTRY="$(setting .images.registry)"          # HOST/PROJECT/REPOSITORY
TAG="$(setting .images.tag)"
DOMAIN="$(setting .ingress.domain)"
STATIC_IP_NAME="$(setting .ingress.staticIpName)"
OAUTH_SECRET="$(setting .iap.oauthSecretName)"
FILESTORE="$(setting .filestore.instance)"
FILESTORE_SHARE="$(setting .filestore.share)"
FILESTORE_CAPACITY="$(setting .filestore.capacity)"   # 1Ti -> gcloud's 1TB (gcloud's TB is 1024 GB)
MEMORYSTORE="$(setting .memorystore.instance)"
AGONES_VERSION="$(setting .agones.chartVersion)"
BATCH_WAIT="$(setting .agones.allocationBatchWaitTime)"

REGISTRY_HOST="${REGISTRY%%/*}"
REGISTRY_PATH="${REGISTRY#*/}"
AR_REPOSITORY="${REGISTRY_PATH#*/}"

step "Project $PROJECT_ID: enabling the APIs"
run gcloud config set project "$PROJECT_ID"
run gcloud services enable compute.googleapis.com container.googleapis.com artifactregistry.googleapis.com \
  cloudbuild.googleapis.com file.googleapis.com redis.googleapis.com iap.googleapis.com

step "GKE cluster $CLUSTER (VPC-native, Dataplane V2 for NetworkPolicy, image streaming)"
if ! exists gcloud container clusters describe "$CLUSTER" --location "$REGION"; then
  run gcloud container clusters create "$CLUSTER" --location "$REGION" --node-locations "$ZONE" \
    --release-channel regular --network "$NETWORK" --enable-ip-alias --enable-dataplane-v2 \
    --enable-image-streaming --addons HttpLoadBalancing,GcePersistentDiskCsiDriver \
    --machine-type e2-standard-4 --num-nodes 2 --enable-autoscaling --min-nodes 1 --max-nodes 4 \
    --workload-pool "$PROJECT_ID.svc.id.goog"
fi

step "T4 spot node pool, autoscaling from 0 to $GPU_MAX_NODES, NVIDIA driver installed by GKE"
if ! exists gcloud container node-pools describe gpu-t4 --cluster "$CLUSTER" --location "$REGION"; then
  run gcloud container node-pools create gpu-t4 --cluster "$CLUSTER" --location "$REGION" --node-locations "$ZONE" \
    --machine-type "$GPU_MACHINE_TYPE" --accelerator "type=nvidia-tesla-t4,count=1,gpu-driver-version=default" \
    --spot --enable-autoscaling --total-min-nodes 0 --total-max-nodes "$GPU_MAX_NODES" --num-nodes 0 \
    --location-policy ANY --disk-type pd-balanced --disk-size 200 --max-surge-upgrade 1 --max-unavailable-upgrade 0
fi
run gcloud container clusters get-credentials "$CLUSTER" --location "$REGION"

step "Artifact Registry $REGISTRY"
if ! exists gcloud artifacts repositories describe "$AR_REPOSITORY" --location "$REGION"; then
  run gcloud artifacts repositories create "$AR_REPOSITORY" --repository-format docker --location "$REGION"
fi
run gcloud auth configure-docker "$REGISTRY_HOST" --quiet

step "Images: gateway, cruiser and agent with the .NET SDK's container support; the SD WebUI with Cloud Build"
for project in Gateway Cruiser Agent; do
  repository="sdagones-$(tr '[:upper:]' '[:lower:]' <<<"$project")"
  run dotnet publish "src/SdAgones.$project" -c Release -t:PublishContainer --os linux --arch x64 \
    -p:ContainerRegistry="$REGISTRY_HOST" -p:ContainerRepository="$REGISTRY_PATH/$repository" -p:ContainerImageTag="$TAG"
done
run gcloud builds submit deploy/sd-webui --tag "$REGISTRY/sd-webui:$TAG" --timeout 3600s --machine-type e2-highcpu-8

step "Filestore $FILESTORE (models and outputs)"
if ! exists gcloud filestore instances describe "$FILESTORE" --zone "$ZONE"; then
  run gcloud filestore instances create "$FILESTORE" --zone "$ZONE" --tier BASIC_HDD \
    --file-share "name=$FILESTORE_SHARE,capacity=${FILESTORE_CAPACITY/i/B}" --network "name=$NETWORK"
fi
filestore_ip="$(gcloud filestore instances describe "$FILESTORE" --zone "$ZONE" --format 'value(networks[0].ipAddresses[0])')"

step "Memorystore for Redis $MEMORYSTORE (sessions)"
if ! exists gcloud redis instances describe "$MEMORYSTORE" --region "$REGION"; then
  run gcloud redis instances create "$MEMORYSTORE" --region "$REGION" --zone "$ZONE" --tier standard --size 1 \
    --redis-version redis_7_2 --network "projects/$PROJECT_ID/global/networks/$NETWORK" --connect-mode DIRECT_PEERING
fi
redis_address="$(gcloud redis instances describe "$MEMORYSTORE" --region "$REGION" --format 'value(host)'):$(gcloud redis instances describe "$MEMORYSTORE" --region "$REGION" --format 'value(port)')"

step "Agones $AGONES_VERSION (allocation batch wait $BATCH_WAIT instead of 500ms; no allocator service: allocation goes through the Kubernetes API)"
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

step "Global static IP $STATIC_IP_NAME (point $DOMAIN's A record at it)"
if ! exists gcloud compute addresses describe "$STATIC_IP_NAME" --global; then
  run gcloud compute addresses create "$STATIC_IP_NAME" --global
fi
echo "    $DOMAIN -> $(gcloud compute addresses describe "$STATIC_IP_NAME" --global --format 'value(address)')"

step "IAP OAuth client as Secret $OAUTH_SECRET"
if ! exists kubectl get secret "$OAUTH_SECRET" --namespace "$NAMESPACE"; then
  : "${IAP_CLIENT_ID:?set IAP_CLIENT_ID and IAP_CLIENT_SECRET to the OAuth client made in the console (docs/deploy-gke.md)}"
  : "${IAP_CLIENT_SECRET:?set IAP_CLIENT_SECRET}"
  echo "+ kubectl create secret generic $OAUTH_SECRET --from-literal=client_id=*** --from-literal=client_secret=***"
  kubectl create secret generic "$OAUTH_SECRET" --namespace "$NAMESPACE" \
    --from-literal=client_id="$IAP_CLIENT_ID" --from-literal=client_secret="$IAP_CLIENT_SECRET"
fi

update_setting() { # key value: writes one setting and reports it
  local tmp; tmp="$(mktemp)"
  jq --arg v "$2" "$1 = \$v" "$settings" >"$tmp" && mv "$tmp" "$settings"
  echo "    $settings: $1 = $2"
}

step "Settings that only exist now: Filestore IP, Memorystore address"
changed=0
[[ "$(setting .filestore.ip)" == "$filestore_ip" ]] || { update_setting .filestore.ip "$filestore_ip"; changed=1; }
[[ "$(setting .memorystore.address)" == "$redis_address" ]] || { update_setting .memorystore.address "$redis_address"; changed=1; }
if [[ $changed == 1 || ! -d manifests/overlays/gke ]]; then
  run deploy/generate-manifests
fi

step "Applying manifests/overlays/gke"
run kubectl apply -k manifests/overlays/gke

step "IAP audience: the gateway's backend service, created by the Ingress controller"
backend_id=""
for _ in $(seq 1 60); do
  backend_id="$(gcloud compute backend-services list --global --filter "name~-$NAMESPACE-gateway-8080-" --format 'value(id)' | head -n1)"
  [[ -n "$backend_id" ]] && break
  sleep 10
done
[[ -n "$backend_id" ]] || { echo "error: no backend service for the gateway after 10 minutes; see 'kubectl describe ingress'" >&2; exit 1; }
project_number="$(gcloud projects describe "$PROJECT_ID" --format 'value(projectNumber)')"
audience="/projects/$project_number/global/backendServices/$backend_id"
if [[ "$(setting .iap.audience)" != "$audience" ]]; then
  update_setting .iap.audience "$audience"
  run deploy/generate-manifests
  run kubectl apply -k manifests/overlays/gke
fi

step "Who may sign in (IAP-secured Web App User)"
for member in ${IAP_MEMBERS//,/ }; do
  backend_name="$(gcloud compute backend-services list --global --filter "id=$backend_id" --format 'value(name)')"
  run gcloud iap web add-iam-policy-binding --resource-type backend-services --service "$backend_name" \
    --member "$member" --role roles/iap.httpsResourceAccessor
done

step "Status"
run kubectl get deployments,fleet,fleetautoscaler,gameservers --namespace "$NAMESPACE"
run kubectl get managedcertificate,ingress --namespace "$NAMESPACE"
echo
echo "Commit the updated $settings and manifests/ (git diff shows what changed)."
echo "The certificate can take up to an hour to become Active; then open https://$DOMAIN"
