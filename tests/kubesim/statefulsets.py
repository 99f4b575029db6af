"""The StatefulSet manifest the kubectl-judged tests create (``kubectl create -f -``)."""

from __future__ import annotations


def manifest(name: str, image: str = "postgres:16", *, replicas: int = 3, extra: str = "") -> str:
    """StatefulSet ``name`` (label app=name, one container ``db``); ``extra`` follows its
    selector line."""
    return f"""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  serviceName: {name}
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}{extra}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: db
        image: {image}
"""
