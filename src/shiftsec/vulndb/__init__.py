"""The advisory database: storage, import, update, version semantics."""
