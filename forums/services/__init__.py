"""Business operations: verb_noun(...) functions that validate, flush and never commit."""
