"""Sentence embeddings for screening (SPEC §3.6): the one module behind which the model lives.

WordLlama's ``l2_supercat`` (256 dimensions) ships inside its wheel, weights and tokenizer both,
and runs on the CPU in a few milliseconds per hundred texts. Its loader, though, looks for the
tokenizer in ``wordllama/tokenizer/`` while the wheel puts it in ``wordllama/tokenizers/``, and
then tries to download it from Hugging Face. Pointing ``cache_dir`` at the package folder makes
its cache lookup (``<cache_dir>/tokenizers/``, ``<cache_dir>/weights/``) find the shipped files,
and ``disable_download`` turns any miss into an error instead of a network call: the platform
runs on machines that must not reach out (tests/ipup/test_embeddings.py proves it).
"""

import threading
from pathlib import Path

import numpy as np

MODEL_NAME = "wordllama-l2_supercat-256"
DIMENSIONS = 256

_model = None
_lock = threading.Lock()


def _load():
    import wordllama

    return wordllama.WordLlama.load(
        config="l2_supercat",
        dim=DIMENSIONS,
        cache_dir=Path(wordllama.__file__).parent,
        disable_download=True,
    )


def model():
    """The model, loaded once per process (a worker embeds many batches; a page screens often)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load()
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """One unit-length float32 row per text (so a dot product is the cosine similarity)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(model().embed(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # An empty text (no known token) gives a zero row: it stays zero, similar to nothing.
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)
