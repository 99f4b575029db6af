"""The HTTP front: TLS, authentication, routing, content negotiation, discovery and OpenAPI, the
REST verbs, watch and log streams, and the test hooks (request log, faults) every request passes."""
