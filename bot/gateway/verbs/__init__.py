"""One module per verb: the requests kubectl sends for it and the lines it prints."""
