"""Server-side printing: the ``meta.k8s.io/v1`` Tables that ``kubectl get`` prints, their columns
and cells, for built-in and custom types."""
