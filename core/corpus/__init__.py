"""Reading AIHUB files into corpora and datasets, splitting them, and the SentencePiece tokenizer."""
