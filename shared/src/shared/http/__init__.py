"""HTTP building blocks shared by the three services."""
