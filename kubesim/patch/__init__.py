"""PATCH bodies: JSON patch, merge patch, and strategic merge patch with its per-field metadata."""
