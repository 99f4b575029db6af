"""The command line's parts: its parser, its sub-commands and the sandbox; ``bot.__main__``
runs them."""
