"""Tests of the README's commands as a person runs them: processes started, fresh clones of the repository."""
