"""The ``generated.proto`` messages of k8s.io/api that the protobuf decoder knows, by API group:
each a table of field number to JSON name and encoding."""
