"""ipup.embeddings: the model ships in the wheel and loads without the network."""

import socket

import numpy as np
import pytest

from ipup import embeddings


def test_the_model_loads_and_embeds_without_touching_the_network(monkeypatch):
    # given no network at all, and no model loaded yet in this process
    def refuse(*args, **kwargs):
        raise AssertionError("the embedding model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(embeddings, "_model", None)
    # when
    vectors = embeddings.embed(["Tracing illicit firearms", "Weapons trafficking", ""])
    # then
    assert vectors.shape == (3, embeddings.DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()  # an empty text is similar to nothing


def test_related_texts_are_closer_than_unrelated_ones():
    drugs, smuggling, boats = embeddings.embed(
        ["cocaine trafficking routes", "drug smuggling networks", "hospital emergency logistics"]
    )
    assert drugs @ smuggling > drugs @ boats


def test_the_model_is_loaded_once_per_process():
    assert embeddings.model() is embeddings.model()


@pytest.mark.parametrize("size", [0, 1, 5])
def test_vectors_survive_the_round_trip_through_the_database_bytes(size):
    vectors = embeddings.embed([f"text {n}" for n in range(size)])
    for vector in vectors:
        assert np.array_equal(embeddings.from_bytes(embeddings.to_bytes(vector)), vector)
    assert vectors.shape == (size, embeddings.DIMENSIONS)
