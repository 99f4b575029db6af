"""Label and field selectors, parsed and matched with the apiserver's rules and error texts."""
