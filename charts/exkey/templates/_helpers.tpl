{{/* Chart name, truncated to a DNS label. */}}
{{- define "exkey.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped full name: "<release>-exkey", or the release name when it already holds "exkey". */}}
{{- define "exkey.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "exkey.selectorLabels" -}}
app.kubernetes.io/name: {{ include "exkey.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "exkey.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "exkey.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: exkey
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "exkey.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "exkey.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "exkey.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Leader election is on when asked for; several replicas without it would all act at once. */}}
{{- define "exkey.leaderElect" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicas > 1 requires leaderElection.enabled: every replica would otherwise run the controllers" }}
{{- end }}
{{- if .Values.leaderElection.enabled }}true{{ end }}
{{- end }}

{{/* The namespaces watched in `namespaces` mode (validated: at least one). */}}
{{- define "exkey.watchNamespaces" -}}
{{- if eq .Values.watch.mode "namespaces" }}
{{- if not .Values.watch.namespaces }}
{{- fail "watch.mode=namespaces needs at least one entry in watch.namespaces" }}
{{- end }}
{{- join "," (uniq .Values.watch.namespaces) }}
{{- end }}
{{- end }}

{{/*
The rules exkey needs in every namespace it watches, derived from the code:
- ExchangeKeys: informer (list, watch), get before each reconcile, merge patch of finalizers,
  PUT of status; update on the finalizers subresource because the Secrets it writes carry an
  ownerReference with blockOwnerDeletion (the OwnerReferencesPermissionEnforcement admission
  plugin checks it);
- RotationPolicies: informer, PUT of status;
- Secrets: informer on exkey's own Secrets (a label selector, which RBAC cannot narrow), get of
  master credentials and published Secrets, create/update/delete of the Secrets it owns;
- Events: create, and patch to bump the count of a repeated one;
- Deployments, StatefulSets, DaemonSets: informers, get and list of dependents, merge patch of the
  pod-template annotation that rolls them;
- Pods: list, to count pods still on the old key before revoking it.
*/}}
{{- define "exkey.watchedRules" -}}
- apiGroups: [exkey.io]
  resources: [exchangekeys]
  verbs: [get, list, watch, patch]
- apiGroups: [exkey.io]
  resources: [exchangekeys/status]
  verbs: [update]
- apiGroups: [exkey.io]
  resources: [exchangekeys/finalizers]
  verbs: [update]
- apiGroups: [exkey.io]
  resources: [rotationpolicies]
  verbs: [list, watch]
- apiGroups: [exkey.io]
  resources: [rotationpolicies/status]
  verbs: [update]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, update, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets]
  verbs: [get, list, watch, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list]
{{- end }}

{{/* Environment for the optional AWS and Vault settings. */}}
{{- define "exkey.providerEnv" -}}
{{- with .Values.aws.region }}
- name: AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- with .Values.aws.kmsEndpoint }}
- name: AWS_ENDPOINT_URL_KMS
  value: {{ . | quote }}
{{- end }}
{{- with .Values.vault }}
{{- if .address }}
- name: VAULT_ADDR
  value: {{ .address | quote }}
{{- with .namespace }}
- name: VAULT_NAMESPACE
  value: {{ . | quote }}
{{- end }}
{{- with .transitMounts }}
- name: EXKEY_VAULT_TRANSIT_MOUNTS
  value: {{ join "," . | quote }}
{{- end }}
{{- if .kubernetesRole }}
- name: EXKEY_VAULT_K8S_ROLE
  value: {{ .kubernetesRole | quote }}
{{- with .kubernetesMount }}
- name: EXKEY_VAULT_K8S_MOUNT
  value: {{ . | quote }}
{{- end }}
{{- else if .tokenSecretRef.name }}
- name: VAULT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .tokenSecretRef.name | quote }}
      key: {{ .tokenSecretRef.key | quote }}
{{- else }}
{{- fail "vault.address is set: set vault.kubernetesRole or vault.tokenSecretRef.name (or disable Vault)" }}
{{- end }}
{{- if .caSecretName }}
- name: VAULT_CACERT
  value: /etc/exkey/vault-ca/ca.crt
{{- end }}
{{- end }}
{{- end }}
{{- end }}
