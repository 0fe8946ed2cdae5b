"""The emotion classifier: model, task, pipeline, linear baseline, evaluation, walk-through."""
