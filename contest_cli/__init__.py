"""`./contest`: offline tools and commands against the running local cloud."""
