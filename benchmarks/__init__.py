"""dawkit benchmarks: a synthetic large-project generator and a timing runner (see README.md)."""
