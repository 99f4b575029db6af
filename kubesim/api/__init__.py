"""The API's shared vocabulary: the resource types served (the registry that discovery, routing
and the store read) and errors as the apiserver reports them (``meta/v1 Status``)."""
