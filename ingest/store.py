"""The vector store: Chroma through LangChain's `langchain-chroma`, local or a Chroma server.

Local by default (`PersistentClient` under the data dir); `HttpClient` when CHROMA_HOST /
CHROMA_PORT are set. Telemetry is always off. The collection name carries the embedding name so
vectors of different models never mix.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from ingest.settings import settings

_clients: dict[str, chromadb.api.ClientAPI] = {}
_lock = threading.Lock()


def collection_name(embedding: str) -> str:
    return "mxdoctor-" + re.sub(r"[^a-zA-Z0-9_-]", "-", embedding)[:40].strip("-")


def client(home: Path) -> chromadb.api.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    host, port = settings().chroma_host, settings().chroma_port
    key = f"http://{host}:{port}" if host else str(home / "chroma")
    with _lock:
        if key not in _clients:
            if host:
                _clients[key] = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            else:
                (home / "chroma").mkdir(parents=True, exist_ok=True)
                _clients[key] = chromadb.PersistentClient(path=str(home / "chroma"), settings=chroma_settings)
        return _clients[key]


def is_local() -> bool:
    """The store lives in the data dir (no CHROMA_HOST): its files are ours to check and set aside."""
    return not settings().chroma_host


def forget_client(home: Path) -> None:
    """Close this process's client of the local store in `home`, so the folder can be set aside
    and a fresh one opened at the same path (Chroma shares one engine per path per process)."""
    key = str(home / "chroma")
    with _lock:
        _clients.pop(key, None)
    from chromadb.api.shared_system_client import SharedSystemClient
    system = SharedSystemClient._identifier_to_system.pop(key, None)
    getattr(SharedSystemClient, "_identifier_to_refcount", {}).pop(key, None)
    if system is not None:
        try:
            system.stop()
        except Exception:   # a damaged store may fail to close cleanly; it is being replaced anyway
            pass


COLLECTION_METADATA = {"hnsw:space": "cosine"}


class ChunkStore:
    """One embedding's chunks: LangChain's Chroma adds and deletes documents (it embeds them with
    our embedding function); reads, metadata updates, counts and vector queries go to the same
    collection through chromadb's public API."""

    def __init__(self, home: Path, embeddings: Embeddings, embedding_name: str):
        name = collection_name(embedding_name)
        self.vectors = Chroma(client=client(home), collection_name=name, embedding_function=embeddings,
                              collection_metadata=COLLECTION_METADATA)
        # no embedding function here: vectors always come from ours, through `vectors` or `query`
        self.collection = client(home).get_or_create_collection(name=name, embedding_function=None,
                                                                metadata=COLLECTION_METADATA)

    def add_documents(self, documents: list, ids: list[str]) -> None:
        self.vectors.add_documents(documents, ids=ids)

    def delete(self, ids: list[str]) -> None:
        self.vectors.delete(ids=ids)


def vector_store(home: Path, embeddings: Embeddings, embedding_name: str) -> ChunkStore:
    return ChunkStore(home, embeddings, embedding_name)


def all_chunks(store: ChunkStore, batch: int = 5000) -> tuple[list[str], list[str], list[dict]]:
    """(ids, texts, metadatas) of everything in the collection, paged."""
    coll = store.collection
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict] = []
    offset = 0
    while True:
        got = coll.get(include=["documents", "metadatas"], limit=batch, offset=offset)
        if not got["ids"]:
            break
        ids += got["ids"]
        texts += got["documents"]
        metas += got["metadatas"]
        offset += len(got["ids"])
    return ids, texts, metas


def all_ids(store: ChunkStore, batch: int = 20000) -> list[str]:
    """Every chunk id in the collection (no texts: cheap enough to call on every run)."""
    ids: list[str] = []
    while True:
        got = store.collection.get(include=[], limit=batch, offset=len(ids))
        if not got["ids"]:
            return ids
        ids += got["ids"]
