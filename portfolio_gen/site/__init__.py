"""Per-candidate static sites with MkDocs + Material: structure, plugin, builder."""
