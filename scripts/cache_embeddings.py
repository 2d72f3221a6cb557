"""Pre-compute MiniLM embeddings of every sentence in the training corpora."""

from voicelens.text import split_sentences
from voicelens.train.corpora import load_druglib, load_nhs_fft, load_psytar
from voicelens.train.embedding_cache import EmbeddingCache

cache = EmbeddingCache("cache/embeddings")
for loader in (load_nhs_fft, load_psytar, load_druglib):
    frame = loader()
    texts = frame["text"].dropna().astype(str)
    sentences = sorted({s for t in texts for s in split_sentences(t)})
    print(loader.__name__, len(frame), "rows", len(sentences), "sentences", flush=True)
    cache.embed(sentences)
