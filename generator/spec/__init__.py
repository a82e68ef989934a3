"""Reading specs: load (YAML with positions), model (validation), platform settings."""
