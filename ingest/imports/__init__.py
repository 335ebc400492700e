"""CSV / JSON import of social posts exported from other tools (Channel kind ``import``)."""
