{{- define "shop.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shop.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "shop.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "shop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "stock"). */}}
{{- define "shop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shop.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "shop.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "shop.secretName" -}}
{{- .Values.external.existingSecret | default (printf "%s-infra" (include "shop.fullname" .)) -}}
{{- end -}}

{{/* The port every role process serves /health/* and its operations on; the gateway's is service.port. */}}
{{- define "shop.rolePort" -}}8080{{- end -}}

{{/* Container spec shared by the role Deployments and the all-in-one one; (dict "root" $ "role" "stock" "port" 8080 "resources" ...). */}}
{{- define "shop.container" -}}
- name: {{ .role }}
  image: {{ include "shop.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  env:
    - name: ROLES
      value: {{ .role | quote }}
    - name: JAVA_OPTS
      value: {{ .root.Values.javaOpts | quote }}
    {{- if and .root.Values.admin.existingSecret (has .role (list "gateway" "all")) }}
    - name: ADMIN_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ .root.Values.admin.existingSecret }}
          key: ADMIN_TOKEN
    {{- end }}
  envFrom:
    - configMapRef:
        name: {{ include "shop.fullname" .root }}
    {{- if ne .role "all" }}
    - secretRef:
        name: {{ include "shop.secretName" .root }}
    {{- end }}
  ports:
    - name: http
      containerPort: {{ .port }}
  livenessProbe:
    httpGet:
      path: /health/live
      port: http
    {{- toYaml .root.Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /health/ready
      port: http
    {{- toYaml .root.Values.probes.readiness | nindent 4 }}
  {{- if gt (int .root.Values.preStopSeconds) 0 }}
  lifecycle:
    preStop:
      exec:
        command: ["sleep", {{ .root.Values.preStopSeconds | quote }}]
  {{- end }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  securityContext:
    {{- toYaml .root.Values.securityContext | nindent 4 }}
{{- end -}}
