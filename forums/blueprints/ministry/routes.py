"""Routes of the ministry blueprint."""
