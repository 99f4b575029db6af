"""k8s-chatops: run Kubernetes from Slack with kubectl's commands and output."""

__version__ = "0.1.0"
