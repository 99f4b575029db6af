"""What the controllers and the kubelet share, as client-go gives it to them: the scaled clock they
schedule on, the informer cache, work queues and the event recorder."""
