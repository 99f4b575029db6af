"""What the apiserver does to an object before storing it: fill in v1.32's defaults, then validate
it with upstream's field paths and messages."""
