# METADATA
# title: Workload without an owning team
# description: >-
#   Every workload must say which team owns it (label `team`), so that an alert or a finding
#   reaches someone who can act on it.
# related_resources:
#   - https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
# custom:
#   id: ORG-K8S-001
#   severity: MEDIUM
#   recommended_action: Add metadata.labels.team with the owning team's name.
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.team_label

import rego.v1

workloads := {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}

deny contains result if {
	input.kind in workloads
	not input.metadata.labels.team
	result := {
		"msg": sprintf("%s %s has no team label", [input.kind, input.metadata.name]),
		"path": ["metadata", "labels"],
	}
}
