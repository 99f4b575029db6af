"""etcd plus the generic registry: the object store and its change feed, the types CRDs register,
cluster-IP allocation, and the slice of the store the controllers and scenarios write through."""
