"""The stored-backup format: written by backup, read by drill, audit and evidence."""
