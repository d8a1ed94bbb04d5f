"""Index: embeddings, the SQLite catalog, FAISS generations and hybrid search."""
