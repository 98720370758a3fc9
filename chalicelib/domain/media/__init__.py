"""Media validation: read an upload's header boxes and check them against a campaign's rules."""
