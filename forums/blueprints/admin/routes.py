"""Routes of the admin blueprint."""
