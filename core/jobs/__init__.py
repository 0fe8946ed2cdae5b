"""Long operations as jobs: submit, poll snapshots, stop; run in worker processes."""
