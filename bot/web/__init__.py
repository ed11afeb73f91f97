"""The web console: a way in for the office at its desk, over the same use cases as the chat
and the command line (README, "The web console")."""
