{{/* The release's full name: every object's name starts with it. */}}
{{- define "appcopy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "appcopy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "appcopy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "appcopy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rainbond
{{- end -}}

{{/* The operator's pods; the Deployment, PDB, NetworkPolicy and Service select by these. */}}
{{- define "appcopy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "appcopy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{/*
The ClusterRole a namespace binds to let the operator read its Secrets (secrets.access=optIn).
Contract: its name is the ServiceAccount's name followed by -secret-reader; the condition an
AppCopy gets without the binding names it that way (src/controller/credentials.ts).
*/}}
{{- define "appcopy.secretReaderRole" -}}
{{- printf "%s-secret-reader" (include "appcopy.fullname" .) -}}
{{- end -}}

{{/*
Whether the operator watches ClusterRainbondConsoles (CLUSTER_CONSOLES): "true" or "".
clusterConsoles.enabled null (the default) follows watch.scope: on for all, off for namespaces.
*/}}
{{- define "appcopy.clusterConsoles" -}}
{{- $enabled := .Values.clusterConsoles.enabled -}}
{{- if kindIs "bool" $enabled -}}
{{- if $enabled }}true{{ end -}}
{{- else if eq .Values.watch.scope "all" -}}
true
{{- end -}}
{{- end -}}

{{/* The operator's rules on AppCopies and Events (deploy/overlays/cluster-wide/rbac.yaml says why each). */}}
{{- define "appcopy.operatorRules" -}}
- apiGroups: [openapi.rainbond.io]
  resources: [appcopies]
  verbs: [get, list, watch, update, patch]
- apiGroups: [openapi.rainbond.io]
  resources: [appcopies/status, appcopies/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/* get only, on the Secret an AppCopy or a console names; never list or watch. */}}
{{- define "appcopy.secretRules" -}}
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
{{- end -}}

{{/* get only, on the ConfigMap holding a console's CA bundle. */}}
{{- define "appcopy.configMapRules" -}}
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
{{- end -}}

{{/* RainbondConsoles, wherever AppCopies are watched: their informer, and their Ready condition. */}}
{{- define "appcopy.consoleRules" -}}
- apiGroups: [openapi.rainbond.io]
  resources: [rainbondconsoles]
  verbs: [list, watch]
- apiGroups: [openapi.rainbond.io]
  resources: [rainbondconsoles/status]
  verbs: [update]
{{- end -}}

{{/* ClusterRainbondConsoles and the Namespaces their rules select by label (CLUSTER_CONSOLES=true). */}}
{{- define "appcopy.clusterConsoleRules" -}}
- apiGroups: [openapi.rainbond.io]
  resources: [clusterrainbondconsoles]
  verbs: [list, watch]
- apiGroups: [openapi.rainbond.io]
  resources: [clusterrainbondconsoles/status]
  verbs: [update]
- apiGroups: [""]
  resources: [namespaces]
  verbs: [list, watch]
{{- end -}}

{{- define "appcopy.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The operator's settings (README, "Settings"), rendered into the ConfigMap. */}}
{{- define "appcopy.settings" -}}
DEFAULT_CONSOLE: {{ .Values.defaultConsole | quote }}
CLUSTER_CONSOLES: {{ include "appcopy.clusterConsoles" . | eq "true" | toString | quote }}
CONSOLE_CHECK_INTERVAL: {{ .Values.consoleCheckInterval | quote }}
{{- with .Values.rainbond.url }}
RAINBOND_URL: {{ . | quote }}
{{- end }}
RAINBOND_COPY_TIMEOUT: {{ .Values.rainbond.copyTimeout | quote }}
RAINBOND_REQUEST_TIMEOUT: {{ .Values.rainbond.requestTimeout | quote }}
{{- with .Values.rainbond.verifySettlePeriod }}
VERIFY_SETTLE_PERIOD: {{ . | quote }}
{{- end }}
REFUSE_DEFAULT_TOKEN: {{ .Values.refuseDefaultToken | toString | quote }}
{{- if eq .Values.watch.scope "namespaces" }}
WATCH_NAMESPACES: {{ join "," .Values.watch.namespaces | quote }}
{{- end }}
{{- with .Values.watch.labelSelector }}
LABEL_SELECTOR: {{ . | quote }}
{{- end }}
CONCURRENCY: {{ .Values.concurrency | toString | quote }}
FOLLOW_TIMEOUT: {{ .Values.follow.timeout | quote }}
FOLLOW_INTERVAL: {{ .Values.follow.interval | quote }}
LEADER_ELECTION_ID: {{ default (include "appcopy.fullname" .) .Values.leaderElection.id | quote }}
LEASE_DURATION: {{ .Values.leaderElection.leaseDuration | quote }}
RENEW_DEADLINE: {{ .Values.leaderElection.renewDeadline | quote }}
RETRY_PERIOD: {{ .Values.leaderElection.retryPeriod | quote }}
RESYNC_PERIOD: {{ .Values.resyncPeriod | quote }}
WATCH_SILENCE_TIMEOUT: {{ .Values.watchSilenceTimeout | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
{{- end -}}
