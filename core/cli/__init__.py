"""`python -m core ...`: the app's headless twin, one module per command group."""
