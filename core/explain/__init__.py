"""Does attention explain? Per-sentence attributions, the model-level summary and their figures."""
