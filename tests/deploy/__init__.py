"""Shipping: the image recipe, the kustomize manifests, their RBAC and the Slack app manifest."""
