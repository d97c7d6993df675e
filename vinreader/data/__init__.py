"""Dataset formats (docTR's ``images/`` + ``labels.json``) and their loaders."""
