"""Read models rebuilt from the log: timeline, stance and pledges, consensus."""
