"""The simulated node agent: container lifecycles on a fake runtime, pod status, synthetic container
logs, and image names as containerd reports them."""
