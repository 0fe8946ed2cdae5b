"""What survives a restart: the SQLite index, files, workspaces and their runs, share links, the board."""
