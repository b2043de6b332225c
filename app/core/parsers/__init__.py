"""Parsers for the file kinds Haraka and WildDuck use. Each keeps line numbers for evidence."""
