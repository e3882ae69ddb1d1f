"""The restoration engine: candidates -> scoring -> decoding -> findings.

Rooms:
    candidates.py  spans a spinner may have written, with candidate originals and priors
    ngram.py       the fast scorer: bigram/unigram statistics, no neural model
    lm.py          the neural language model (llama.cpp GGUF), loaded once per process
    neural.py      the deep scorer: one pass prices candidates, right-context rescoring
    decode.py      the noisy-channel decision per span and joint choice per sentence
    decision.py    deep mode's decision (engine v3): settings, parser, apply, the ranker's fit
    pipeline.py    segments a text, runs the stages, builds Findings and Edits
"""
