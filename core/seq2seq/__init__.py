"""Reply generation: a BiLSTM/GRU encoder and a decoder with Bahdanau attention, trained on 사람문장k → 시스템응답k.

Modules: data (pairs), model, train (teacher-forced loop), decode (greedy, beam), metrics (chrF),
bundle (ReplyGenerator save/load), pipeline (train_seq2seq), plots, cli.
"""
