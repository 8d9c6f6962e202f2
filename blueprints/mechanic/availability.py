"""The availability editor: weekly blocks, time off and booking settings (to be built)."""
