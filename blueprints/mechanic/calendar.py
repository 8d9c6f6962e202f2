"""The mechanic's week calendar (to be built)."""
