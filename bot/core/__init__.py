"""The pure core: command grammar and per-verb specs, policy, the reply model and its wording,
and kubectl's algorithms; no I/O of any kind (checked by import-linter)."""
