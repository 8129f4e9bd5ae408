"""Pure-Python synthesis engine: plain records in, figures and documents out. Never imports Flask."""
