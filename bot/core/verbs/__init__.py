"""The verbs the bot runs, one module per verb: its command record, its builder and its
``VerbSpec`` (``spec.py``); ``registry.py`` is the one table that lists them."""
