"""What every model shares: the training loop, length-bucketed batches, bundles, common layers."""
