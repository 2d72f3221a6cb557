"""Training and evaluation code. Sits beside the inference path, never inside it."""
