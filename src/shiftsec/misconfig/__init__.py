"""Misconfiguration scanning: Kubernetes, Dockerfile and compose checks."""
