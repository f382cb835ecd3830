"""Admin for community news and the calendar."""
