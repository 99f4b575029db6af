"""Ready-made clusters (``empty``, ``demo``, ``scale``), written back-dated and settled as if real
controllers had made them long ago."""
