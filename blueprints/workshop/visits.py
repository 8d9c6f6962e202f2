"""The in-person visits of a workshop (SPEC §11): to be built."""
