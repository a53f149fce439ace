"""The browser workbench: server-rendered pages for every role's work."""
