"""The job functions, one module per aspect; `workers/registry.py` names them."""
