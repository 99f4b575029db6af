"""The operator's view: ops port, metrics, logs, check, shutdown, the real-cluster suite."""
