"""The server-rendered dashboard: HTML pages over the same functions as the JSON API."""
