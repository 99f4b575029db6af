"""The verbs the bot runs, one module per verb: its command record and its builder."""
