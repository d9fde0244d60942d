"""Follower Audit: find fake followers and show why."""
