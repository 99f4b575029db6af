"""kube-controller-manager and default-scheduler: the Deployment, ReplicaSet, endpoints and garbage
collector controllers, and the scheduler that binds pods to nodes."""
