"""Training the answer-sentence scorer: its torch model, data and loop (needs torch; `python -m evals.train_reader`)."""
