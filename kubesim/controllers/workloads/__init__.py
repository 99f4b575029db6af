"""The StatefulSet, DaemonSet, Job and CronJob controllers, with what they share: ControllerRevision
history (``history``) and the creation and deletion of the pods they own (``pods``)."""
