# A custom check in the older Trivy/Conftest style: metadata in __rego_metadata__, input in __rego_input__.
package user.dockerfile.approved_registry

import rego.v1

__rego_metadata__ := {
	"id": "ORG-DF-001",
	"title": "Base image from an unapproved registry",
	"severity": "HIGH",
	"description": "Base images must come from the organisation's mirror, where they are scanned and signed.",
	"recommended_actions": "Use registry.example.com/<image> (the mirror of Docker Hub and ghcr.io).",
}

__rego_input__ := {"selector": [{"type": "dockerfile"}]}

approved := "registry.example.com/"

# Names of earlier build stages may be used in FROM without a registry.
stage_names contains lower(stage.Commands[0].Value[2]) if {
	some stage in input.Stages
	count(stage.Commands[0].Value) == 3
}

deny contains result if {
	some stage in input.Stages
	some command in stage.Commands
	command.Cmd == "from"
	image := command.Value[0]
	image != "scratch"
	not lower(image) in stage_names
	not startswith(image, approved)
	result := {
		"msg": sprintf("FROM %s is not from %s", [image, approved]),
		"startline": command.StartLine,
		"endline": command.EndLine,
	}
}
