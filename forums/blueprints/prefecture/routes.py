"""Routes of the prefecture blueprint."""
