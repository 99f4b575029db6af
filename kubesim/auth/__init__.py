"""Who is asking and what they may do: identities, request attributes, RBAC rules and tokens."""
