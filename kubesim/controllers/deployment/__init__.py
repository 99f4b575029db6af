"""The Deployment controller, split as upstream's ``pkg/controller/deployment`` is: the sync, its
ReplicaSets, the rollout strategies, status and conditions, revisions and the rollout arithmetic."""
